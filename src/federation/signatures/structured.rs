//! The part of RFC 8941 (Structured Field Values) that HTTP message signatures need:
//! dictionaries of items and inner lists with parameters, parsed and serialized.
//!
//! RFC 9421 signs the *serialization* of a signature's parameters, not the bytes the sender
//! happened to write, so a verifier must parse `Signature-Input` and serialize it again the
//! canonical way; `Content-Digest` (RFC 9530) is a dictionary too. Decimals are rejected:
//! neither header uses them, and parsing them only to refuse them later would add code
//! without adding a peer we can talk to.

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};

/// A value without parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BareItem {
    Integer(i64),
    String(String),
    Token(String),
    ByteSequence(Vec<u8>),
    Boolean(bool),
}

/// Parameters in the order they were written; keys are unique.
pub type Parameters = Vec<(String, BareItem)>;

/// A bare item with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub value: BareItem,
    pub params: Parameters,
}

/// A parenthesized list of items, with parameters of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnerList {
    pub items: Vec<Item>,
    pub params: Parameters,
}

/// A dictionary member's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Item(Item),
    InnerList(InnerList),
}

/// A dictionary: members in the order first seen; a repeated key overwrites the value.
pub type Dictionary = Vec<(String, Member)>;

/// Why a field value is not a structured field (the position helps whoever reads the logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub position: usize,
    pub reason: &'static str,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.position)
    }
}

impl std::error::Error for ParseError {}

/// Looks a parameter up by key.
pub fn param<'a>(params: &'a Parameters, key: &str) -> Option<&'a BareItem> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Parses a dictionary field value (RFC 8941 §4.2.2).
pub fn parse_dictionary(input: &str) -> Result<Dictionary, ParseError> {
    let mut p = Parser::new(input);
    p.skip_sp();
    let mut dict: Dictionary = Vec::new();
    while !p.at_end() {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.item_or_inner_list()?
        } else {
            Member::Item(Item {
                value: BareItem::Boolean(true),
                params: p.parameters()?,
            })
        };
        match dict.iter_mut().find(|(k, _)| *k == key) {
            Some(existing) => existing.1 = member,
            None => dict.push((key, member)),
        }
        p.skip_ows();
        if p.at_end() {
            break;
        }
        if !p.eat(b',') {
            return Err(p.error("expected a comma between members"));
        }
        p.skip_ows();
        if p.at_end() {
            return Err(p.error("trailing comma"));
        }
    }
    Ok(dict)
}

/// Serializes an inner list with its parameters (RFC 8941 §4.1.1.1).
pub fn serialize_inner_list(list: &InnerList) -> String {
    let items: Vec<String> = list.items.iter().map(serialize_item).collect();
    format!("({}){}", items.join(" "), serialize_params(&list.params))
}

/// Serializes an item with its parameters (RFC 8941 §4.1.3).
pub fn serialize_item(item: &Item) -> String {
    format!(
        "{}{}",
        serialize_bare_item(&item.value),
        serialize_params(&item.params)
    )
}

/// Serializes parameters; a `true` boolean is written as the bare key.
pub fn serialize_params(params: &Parameters) -> String {
    let mut out = String::new();
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != BareItem::Boolean(true) {
            out.push('=');
            out.push_str(&serialize_bare_item(value));
        }
    }
    out
}

/// Serializes a bare item (RFC 8941 §4.1.3.1).
pub fn serialize_bare_item(value: &BareItem) -> String {
    match value {
        BareItem::Integer(n) => n.to_string(),
        BareItem::String(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
            out
        }
        BareItem::Token(t) => t.clone(),
        BareItem::ByteSequence(bytes) => format!(":{}:", STANDARD.encode(bytes)),
        BareItem::Boolean(b) => if *b { "?1" } else { "?0" }.to_string(),
    }
}

/// Base64 that accepts values with or without `=` padding, as RFC 8941 §4.2.7 asks.
pub(crate) const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str) -> Self {
        // Leading and trailing spaces are not part of the value (§4.2 steps 2 and 6).
        Parser {
            input: input.trim_matches(' ').as_bytes(),
            pos: 0,
        }
    }

    fn error(&self, reason: &'static str) -> ParseError {
        ParseError {
            position: self.pos,
            reason,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn item_or_inner_list(&mut self) -> Result<Member, ParseError> {
        if self.peek() == Some(b'(') {
            self.inner_list().map(Member::InnerList)
        } else {
            self.item().map(Member::Item)
        }
    }

    fn inner_list(&mut self) -> Result<InnerList, ParseError> {
        self.pos += 1; // the opening parenthesis
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Ok(InnerList {
                    items,
                    params: self.parameters()?,
                });
            }
            items.push(self.item()?);
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return Err(self.error("expected a space or ')' in an inner list"));
            }
        }
    }

    fn item(&mut self) -> Result<Item, ParseError> {
        Ok(Item {
            value: self.bare_item()?,
            params: self.parameters()?,
        })
    }

    fn parameters(&mut self) -> Result<Parameters, ParseError> {
        let mut params: Parameters = Vec::new();
        while self.eat(b';') {
            self.skip_sp();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare_item()?
            } else {
                BareItem::Boolean(true)
            };
            match params.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = value,
                None => params.push((key, value)),
            }
        }
        Ok(params)
    }

    fn key(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => self.pos += 1,
            _ => return Err(self.error("a key must start with a lowercase letter or '*'")),
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.*".contains(&c) {
                self.pos += 1;
            } else {
                break;
            }
        }
        Ok(self.text(start))
    }

    fn bare_item(&mut self) -> Result<BareItem, ParseError> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.integer(),
            Some(b'"') => self.string(),
            Some(b':') => self.byte_sequence(),
            Some(b'?') => self.boolean(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => Ok(self.token()),
            _ => Err(self.error("expected an item")),
        }
    }

    fn integer(&mut self) -> Result<BareItem, ParseError> {
        let negative = self.eat(b'-');
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let digits = &self.input[start..self.pos];
        if digits.is_empty() {
            return Err(self.error("expected a digit"));
        }
        if self.peek() == Some(b'.') {
            return Err(self.error("decimals are not supported"));
        }
        if digits.len() > 15 {
            return Err(self.error("integer longer than 15 digits"));
        }
        let mut n: i64 = 0;
        for d in digits {
            n = n * 10 + i64::from(d - b'0');
        }
        Ok(BareItem::Integer(if negative { -n } else { n }))
    }

    fn string(&mut self) -> Result<BareItem, ParseError> {
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(BareItem::String(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(char::from(c));
                            self.pos += 1;
                        }
                        _ => return Err(self.error("bad escape in string")),
                    }
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(char::from(c));
                    self.pos += 1;
                }
                Some(_) => return Err(self.error("non-printable character in string")),
            }
        }
    }

    fn token(&mut self) -> BareItem {
        let start = self.pos;
        self.pos += 1;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c) {
                self.pos += 1;
            } else {
                break;
            }
        }
        BareItem::Token(self.text(start))
    }

    fn byte_sequence(&mut self) -> Result<BareItem, ParseError> {
        self.pos += 1; // the opening colon
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || b"+/=".contains(&c) {
                self.pos += 1;
            } else {
                break;
            }
        }
        let encoded = &self.input[start..self.pos];
        if !self.eat(b':') {
            return Err(self.error("unterminated byte sequence"));
        }
        LENIENT_BASE64
            .decode(encoded)
            .map(BareItem::ByteSequence)
            .map_err(|_| self.error("byte sequence is not base64"))
    }

    fn boolean(&mut self) -> Result<BareItem, ParseError> {
        self.pos += 1; // the question mark
        let value = match self.peek() {
            Some(b'1') => true,
            Some(b'0') => false,
            _ => return Err(self.error("a boolean is ?0 or ?1")),
        };
        self.pos += 1;
        Ok(BareItem::Boolean(value))
    }

    /// The input since `start`; only called over ASCII that was just matched.
    fn text(&self, start: usize) -> String {
        String::from_utf8_lossy(&self.input[start..self.pos]).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(dict: &Dictionary) -> &Member {
        &dict[0].1
    }

    #[test]
    fn a_signature_input_round_trips_to_its_canonical_form() {
        let input = r#"sig1=( "@method"  "@target-uri" "content-digest");created=1618884473;keyid="https://a.example/u/x#main-key";alg="rsa-v1_5-sha256""#;
        let dict = parse_dictionary(input).expect("parses");
        let Member::InnerList(list) = only(&dict) else {
            panic!("expected an inner list")
        };
        assert_eq!(
            serialize_inner_list(list),
            r#"("@method" "@target-uri" "content-digest");created=1618884473;keyid="https://a.example/u/x#main-key";alg="rsa-v1_5-sha256""#
        );
    }

    #[test]
    fn byte_sequences_tolerate_missing_padding_and_serialize_padded() {
        let dict = parse_dictionary("sha-256=:YQ:, b=?0, c").expect("parses");
        assert_eq!(
            dict[0].1,
            Member::Item(Item {
                value: BareItem::ByteSequence(b"a".to_vec()),
                params: vec![]
            })
        );
        assert_eq!(
            serialize_bare_item(&BareItem::ByteSequence(b"a".to_vec())),
            ":YQ==:"
        );
        assert_eq!(
            dict[1].1,
            Member::Item(Item {
                value: BareItem::Boolean(false),
                params: vec![]
            })
        );
        assert_eq!(
            dict[2].1,
            Member::Item(Item {
                value: BareItem::Boolean(true),
                params: vec![]
            })
        );
    }

    #[test]
    fn strings_escape_quotes_and_backslashes() {
        let dict = parse_dictionary(r#"a="x\"y\\z""#).expect("parses");
        let Member::Item(item) = only(&dict) else {
            panic!("expected an item")
        };
        assert_eq!(item.value, BareItem::String(r#"x"y\z"#.into()));
        assert_eq!(serialize_item(item), r#""x\"y\\z""#);
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_takes_the_last_value() {
        let dict = parse_dictionary("a=1, b=2, a=3").expect("parses");
        assert_eq!(dict.len(), 2);
        assert_eq!(dict[0].0, "a");
        assert_eq!(
            dict[0].1,
            Member::Item(Item {
                value: BareItem::Integer(3),
                params: vec![]
            })
        );
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "a=1,",
            "A=1",
            "a=(1 2",
            "a=\"open",
            "a=:not base64!:",
            "a=1.5",
            "a=1 b=2",
            "a=1234567890123456",
            "a=?2",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad} should not parse");
        }
    }
}
