//! The signature headers of an incoming request, read before any key is fetched: the
//! draft-cavage `Signature` header, RFC 9421's `Signature-Input` and `Signature` (the input
//! split at its first newline), the structured dictionaries both use, the `Date` header,
//! the freshness window, and the whole key-less check (`signatures::parse`) of a request
//! whose lines the input gives.
//!
//! Invariants: nothing panics; a structured dictionary that parses serializes to one that
//! parses to the same value; an RFC 9421 signature's parameters serialize to what parses
//! back to them (a verifier signs that serialization).

#![no_main]

use chrono::{DateTime, Utc};
use copse::federation::signatures::cavage::CavageSignature;
use copse::federation::signatures::rfc9421::MessageSignature;
use copse::federation::signatures::structured::{
    self, Dictionary, Member, serialize_inner_list, serialize_item,
};
use copse::federation::signatures::{self, IncomingRequest, freshness};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

/// The verifier's clock in every run: 2026-12-05T12:00:00Z.
const NOW: i64 = 1_796_472_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    if let Ok(sig) = CavageSignature::parse(text) {
        assert!(!sig.headers.is_empty());
        let _ = sig.verification_algorithm();
        let _ = sig.to_header_value();
    }

    let (input, signature) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(sig) = MessageSignature::parse(input, signature) {
        let params = &sig.params;
        let _ = (params.created_at(), params.expires_at(), params.algorithm());
        let _ = params.keyid();
        let serialized = format!("{}={}", sig.label, params.serialize());
        match structured::parse_dictionary(&serialized) {
            Ok(dict) => assert_eq!(
                dict.len(),
                1,
                "{serialized:?} reads as more than one signature"
            ),
            Err(e) => panic!("the serialized parameters {serialized:?} do not parse: {e}"),
        }
    }

    for value in [text, input, signature] {
        if let Ok(dict) = structured::parse_dictionary(value) {
            let serialized = serialize_dictionary(&dict);
            match structured::parse_dictionary(&serialized) {
                Ok(again) => assert_eq!(again, dict, "serialized as {serialized:?}"),
                Err(e) => {
                    panic!("{value:?} serialized as {serialized:?}, which does not parse: {e}")
                }
            }
        }
    }

    let now = freshness::from_unix(NOW).unwrap_or_else(|_| DateTime::<Utc>::MIN_UTC);
    if let Ok(date) = freshness::parse_http_date(text) {
        let _ = freshness::http_date(date);
        let _ = freshness::check(date, None, now);
    }

    // Signed times as a sender may write them: `created` and `expires` are any integers,
    // and, since random integers seldom land there, times near both ends of the range.
    if data.len() >= 16 {
        let created = i64::from_le_bytes(bytes8(&data[..8]));
        let expires = i64::from_le_bytes(bytes8(&data[8..16]));
        let offset = i64::from(u16::from_le_bytes([data[0], data[1]]));
        let first = DateTime::<Utc>::MIN_UTC.timestamp();
        let last = DateTime::<Utc>::MAX_UTC.timestamp();
        for t in [created, first + offset, last - offset] {
            if let Ok(t) = freshness::from_unix(t) {
                let _ = freshness::check(t, None, now);
                let _ = freshness::check(now, Some(t), now);
                if let Ok(expires) = freshness::from_unix(expires) {
                    let _ = freshness::check(t, Some(expires), now);
                }
            }
        }
    }

    request(text, now);
});

fn bytes8(b: &[u8]) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.copy_from_slice(b);
    out
}

/// The input as a request: the first line is the method and target (`POST /inbox`), the
/// next lines headers (`name: value`) until an empty line, then the body.
fn request(text: &str, now: DateTime<Utc>) {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default();
    let (method, target) = first.split_once(' ').unwrap_or(("POST", first));
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) {
            headers.append(name, value);
        }
    }
    let incoming = IncomingRequest::new(&method, target, &headers, body.as_bytes());
    if let Ok(pending) = signatures::parse(&incoming, now) {
        let _ = (pending.key_id(), pending.scheme(), pending.signature_base());
    }
    let incoming = incoming
        .with_scheme("http")
        .with_authority("cop.example:8080");
    let _ = signatures::parse(&incoming, now);
}

/// A dictionary in RFC 8941's serialized form.
fn serialize_dictionary(dict: &Dictionary) -> String {
    dict.iter()
        .map(|(key, member)| match member {
            Member::Item(item) => format!("{key}={}", serialize_item(item)),
            Member::InnerList(list) => format!("{key}={}", serialize_inner_list(list)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
