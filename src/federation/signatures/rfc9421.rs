//! RFC 9421 HTTP Message Signatures, draft-cavage's standardized successor, which Mastodon
//! accepts since 4.5:
//!
//! ```text
//! Content-Digest: sha-256=:<base64>:
//! Signature-Input: sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="https://a.example/u/ana#main-key";alg="rsa-v1_5-sha256"
//! Signature: sig1=:<base64>:
//! ```
//!
//! Both headers are structured-field dictionaries keyed by a label, so one request can carry
//! several signatures. The signature is over a *signature base*: one line per covered
//! component (`"@method": POST`), then `"@signature-params":` and the canonical serialization
//! of the signature's own `Signature-Input` member, which is how the parameters get signed.
//!
//! Components are the derived ones a request has (`@method`, `@target-uri`, `@authority`,
//! `@scheme`, `@request-target`, `@path`, `@query`) and header fields by lowercase name.
//! Component parameters (`;sf`, `;key`, `;bs`, `;req`, `;tr`, `@query-param;name=`) are
//! refused: no fediverse server sends them, and each is another canonicalization to get wrong.

use super::keys::{Algorithm, SigningKey};
use super::request::RequestParts;
use super::structured::{
    self, BareItem, InnerList, Item, Member, param, serialize_inner_list, serialize_item,
};
use crate::error::{Error, ErrorCode, Result};

/// The label copse signs under.
pub const DEFAULT_LABEL: &str = "sig1";

/// The derived components of a request that copse can compute.
const DERIVED: &[&str] = &[
    "@method",
    "@target-uri",
    "@authority",
    "@scheme",
    "@request-target",
    "@path",
    "@query",
];

/// One signature's covered components and parameters: a `Signature-Input` member. Kept as
/// the parsed structure so that it serializes back with the sender's parameter order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParams(InnerList);

impl SignatureParams {
    /// Covers `components` (derived names like `@method`, or lowercase header names);
    /// parameters follow in the order they are added.
    pub fn new(components: &[&str]) -> Self {
        SignatureParams(InnerList {
            items: components
                .iter()
                .map(|c| Item {
                    value: BareItem::String((*c).to_string()),
                    params: Vec::new(),
                })
                .collect(),
            params: Vec::new(),
        })
    }

    /// Adds `created`, the Unix time of signing.
    pub fn created(self, unix_time: i64) -> Self {
        self.with(BareItem::Integer(unix_time), "created")
    }

    /// Adds `expires`, the Unix time after which the signature is void.
    pub fn expires(self, unix_time: i64) -> Self {
        self.with(BareItem::Integer(unix_time), "expires")
    }

    /// Adds `keyid`, the key's URL for ActivityPub.
    pub fn key_id(self, key_id: &str) -> Self {
        self.with(BareItem::String(key_id.to_string()), "keyid")
    }

    /// Adds `alg`, e.g. `rsa-v1_5-sha256`.
    pub fn alg(self, alg: &str) -> Self {
        self.with(BareItem::String(alg.to_string()), "alg")
    }

    fn with(mut self, value: BareItem, key: &str) -> Self {
        self.0.params.push((key.to_string(), value));
        self
    }

    /// The covered component names, in order.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.items.iter().filter_map(|item| match &item.value {
            BareItem::String(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Whether a component is covered.
    pub fn covers(&self, component: &str) -> bool {
        self.components().any(|c| c == component)
    }

    /// The `created` parameter.
    pub fn created_at(&self) -> Result<Option<i64>> {
        self.integer("created")
    }

    /// The `expires` parameter.
    pub fn expires_at(&self) -> Result<Option<i64>> {
        self.integer("expires")
    }

    /// The `keyid` parameter.
    pub fn keyid(&self) -> Result<Option<&str>> {
        self.string("keyid")
    }

    /// The algorithm to verify with: `alg` if given, else RSA PKCS#1 v1.5 with SHA-256, the
    /// algorithm of the RSA keys ActivityPub actors publish (Mastodon assumes the same).
    pub fn algorithm(&self) -> Result<Algorithm> {
        match self.string("alg")? {
            None | Some("rsa-v1_5-sha256") => Ok(Algorithm::RsaSha256),
            Some("rsa-pss-sha512") => Ok(Algorithm::RsaPssSha512),
            Some(other) => Err(malformed(format!(
                "the algorithm {other:?} is not supported (rsa-v1_5-sha256 or rsa-pss-sha512)"
            ))),
        }
    }

    /// The canonical serialization: the `@signature-params` value and the member value
    /// written into `Signature-Input`.
    pub fn serialize(&self) -> String {
        serialize_inner_list(&self.0)
    }

    fn integer(&self, key: &str) -> Result<Option<i64>> {
        match param(&self.0.params, key) {
            None => Ok(None),
            Some(BareItem::Integer(n)) => Ok(Some(*n)),
            Some(_) => Err(malformed(format!("the {key} parameter is not an integer"))),
        }
    }

    fn string(&self, key: &str) -> Result<Option<&str>> {
        match param(&self.0.params, key) {
            None => Ok(None),
            Some(BareItem::String(s)) => Ok(Some(s)),
            Some(_) => Err(malformed(format!("the {key} parameter is not a string"))),
        }
    }

    /// Refuses component lists copse cannot reproduce exactly.
    fn check_components(&self) -> Result<()> {
        let mut seen: Vec<&str> = Vec::new();
        for item in &self.0.items {
            let BareItem::String(name) = &item.value else {
                return Err(malformed("a covered component is not a string"));
            };
            if !item.params.is_empty() {
                return Err(malformed(format!(
                    "component parameters ({}) are not supported",
                    serialize_item(item)
                )));
            }
            let known = if name.starts_with('@') {
                DERIVED.contains(&name.as_str())
            } else {
                !name.is_empty() && !name.bytes().any(|b| b.is_ascii_uppercase())
            };
            if !known {
                return Err(malformed(format!(
                    "the component {name:?} is not supported"
                )));
            }
            if seen.contains(&name.as_str()) {
                return Err(malformed(format!(
                    "the component {name:?} is covered twice"
                )));
            }
            seen.push(name);
        }
        Ok(())
    }
}

/// A signature found in `Signature-Input` and `Signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSignature {
    pub label: String,
    pub params: SignatureParams,
    pub signature: Vec<u8>,
}

impl MessageSignature {
    /// Finds the signature to check: the first `Signature-Input` member that has a value in
    /// `Signature`. (Proxies may add their own signatures after the sender's.)
    pub fn parse(signature_input: &str, signature: &str) -> Result<Self> {
        let inputs = structured::parse_dictionary(signature_input).map_err(|e| {
            malformed("Signature-Input is not a structured dictionary").with_cause(e)
        })?;
        let signatures = structured::parse_dictionary(signature)
            .map_err(|e| malformed("Signature is not a structured dictionary").with_cause(e))?;
        for (label, member) in inputs {
            let Member::InnerList(list) = member else {
                return Err(malformed(format!(
                    "Signature-Input member {label} is not an inner list"
                )));
            };
            let value = signatures.iter().find(|(l, _)| *l == label);
            let Some((_, Member::Item(Item { value, .. }))) = value else {
                continue;
            };
            let BareItem::ByteSequence(bytes) = value else {
                return Err(malformed(format!(
                    "Signature member {label} is not a byte sequence"
                )));
            };
            let params = SignatureParams(list);
            params.check_components()?;
            return Ok(MessageSignature {
                label,
                params,
                signature: bytes.clone(),
            });
        }
        Err(malformed(
            "no label of Signature-Input has a signature in the Signature header",
        ))
    }
}

/// The signature base (RFC 9421 §2.5) of a request for the given parameters.
pub fn signature_base(request: &RequestParts<'_>, params: &SignatureParams) -> Result<String> {
    params.check_components()?;
    let mut base = String::new();
    for name in params.components() {
        let value = match name {
            "@method" => request.method.as_str().to_string(),
            "@target-uri" => request.target_uri()?,
            "@authority" => request.normalized_authority()?,
            "@scheme" => request.scheme.to_ascii_lowercase(),
            "@request-target" => request.path_and_query.to_string(),
            "@path" => request.path().to_string(),
            "@query" => format!("?{}", request.query().unwrap_or_default()),
            header => request.header(header)?.ok_or_else(|| {
                Error::new(
                    ErrorCode::SignatureInvalid,
                    format!("the signature covers the {header} header, which the request lacks"),
                )
            })?,
        };
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(&params.serialize());
    Ok(base)
}

/// Signs a request with RSA PKCS#1 v1.5 and SHA-256 and returns the `Signature-Input` and
/// `Signature` header values for `label`.
pub fn sign(
    request: &RequestParts<'_>,
    params: &SignatureParams,
    label: &str,
    key: &SigningKey,
) -> Result<(String, String)> {
    if params.algorithm()? != Algorithm::RsaSha256 {
        return Err(Error::new(
            ErrorCode::Internal,
            "copse signs only with rsa-v1_5-sha256",
        ));
    }
    let base = signature_base(request, params)?;
    let signature = key.sign_rsa_sha256(base.as_bytes())?;
    Ok((
        format!("{label}={}", params.serialize()),
        format!(
            "{label}={}",
            structured::serialize_bare_item(&BareItem::ByteSequence(signature))
        ),
    ))
}

fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::SignatureMalformed, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_with_a_signature_is_chosen_and_parameters_keep_their_order() {
        let sig = MessageSignature::parse(
            r#"proxy=("@method");created=1, sig1=("@method" "@target-uri");keyid="k";created=2"#,
            "sig1=:AAEC:",
        )
        .expect("parses");
        assert_eq!(sig.label, "sig1");
        assert_eq!(sig.signature, vec![0, 1, 2]);
        assert_eq!(
            sig.params.serialize(),
            r#"("@method" "@target-uri");keyid="k";created=2"#
        );
        assert_eq!(sig.params.created_at().expect("integer"), Some(2));
        assert_eq!(sig.params.keyid().expect("string"), Some("k"));
        assert_eq!(
            sig.params.algorithm().expect("default"),
            Algorithm::RsaSha256
        );
    }

    #[test]
    fn components_copse_cannot_reproduce_are_refused() {
        for input in [
            r#"sig1=("@query-param";name="Pet")"#,
            r#"sig1=("content-digest";sf)"#,
            r#"sig1=("@status")"#,
            r#"sig1=("Date")"#,
            r#"sig1=("date" "date")"#,
            r#"sig1=(date)"#,
            r#"sig1=("@method");alg="hmac-sha256""#,
        ] {
            let result = MessageSignature::parse(input, "sig1=:AA==:")
                .and_then(|s| s.params.algorithm().map(|_| s));
            let err = result.expect_err(input);
            assert_eq!(err.code(), ErrorCode::SignatureMalformed, "{input}");
        }
        let err = MessageSignature::parse(r#"sig1=("@method")"#, "sig2=:AA==:").expect_err("label");
        assert_eq!(err.code(), ErrorCode::SignatureMalformed);
    }
}
