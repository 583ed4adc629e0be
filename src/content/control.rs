//! Control characters at the door: a NUL in a path, a query or a JSON body is refused before
//! anything looks it up or stores it (PostgreSQL cannot store a NUL; SQLite would store and
//! federate one).

/// Whether a JSON document holds a NUL character, written `\u0000`. Escapes are read as a
/// JSON lexer reads them, so `\\u0000` (a backslash, then the text `u0000`) is not one.
pub fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json.get(i + 1) == Some(&b'u') && json.get(i + 2..i + 6) == Some(b"0000") {
                return true;
            }
            // Whatever is escaped is skipped with its backslash.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// Whether a URL path or query, once percent-decoded, holds a control character.
pub fn url_has_control(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = match bytes[i] {
            b'%' => match raw
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                Some(decoded) => {
                    i += 2;
                    decoded
                }
                None => b'%',
            },
            b => b,
        };
        if byte.is_ascii_control() {
            return true;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(json_has_nul(br#"{"title":"a\u0000b"}"#));
        assert!(!json_has_nul(br#"{"title":"a\\u0000b"}"#));
        assert!(json_has_nul(br#"{"title":"a\\\u0000b"}"#));
        assert!(!json_has_nul(br#"{"title":"\u00e9t\u00e9"}"#));
        assert!(!json_has_nul(b"\\"));
    }

    #[test]
    fn percent_encoded_and_raw_controls_are_found() {
        assert!(url_has_control("/c/%00"));
        assert!(url_has_control("/u/a%00b"));
        assert!(url_has_control("/api/v1/posts?community=a%0Ab"));
        assert!(!url_has_control("/c/nursing?sort=new&after=%31"));
        assert!(!url_has_control("/c/caf%C3%A9"));
        assert!(!url_has_control("/c/100%"));
    }
}
