//! HTTP signatures between servers: what copse signs verifies, tampering is caught with a
//! precise error code, the published test vectors of both specifications reproduce byte for
//! byte, real Lemmy deliveries verify, and activitypub_federation (Lemmy's library) and copse
//! accept each other's signatures.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeDelta, Utc};
use copse::ErrorCode;
use copse::federation::signatures::cavage::{self, CavageSignature};
use copse::federation::signatures::rfc9421::{self, SignatureParams};
use copse::federation::signatures::{
    Algorithm, IncomingRequest, RequestParts, RequestSigner, Scheme, SigningKey, Verified,
    VerifyingKey, freshness, parse, verify_request,
};
use url::Url;

const INBOX: &str = "https://cop.example.org/inbox";
const ANA_KEY: &str = "https://cop.example.org/u/ana#main-key";

/// A request as it travels: what the signer produced is what the verifier receives.
struct Wire {
    method: Method,
    path_and_query: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Wire {
    fn incoming(&self) -> IncomingRequest<'_> {
        IncomingRequest::new(
            &self.method,
            &self.path_and_query,
            &self.headers,
            &self.body,
        )
    }

    fn check(&self, now: DateTime<Utc>, public_key_pem: &str) -> copse::Result<Verified> {
        parse(&self.incoming(), now)?.verify(public_key_pem)
    }
}

fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    headers
}

fn at(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).expect("time")
}

fn http_date(value: &str) -> DateTime<Utc> {
    freshness::parse_http_date(value).expect("http date")
}

fn code(result: copse::Result<Verified>) -> ErrorCode {
    result.expect_err("should be refused").code()
}

fn sign(
    signer: &RequestSigner,
    scheme: Scheme,
    method: Method,
    url: &str,
    body: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Wire {
    let url = Url::parse(url).expect("url");
    let mut headers = header_map(&[("content-type", "application/activity+json")]);
    if body.is_none() {
        headers.clear();
    }
    signer
        .sign(scheme, &method, &url, &mut headers, body, now)
        .expect("signs");
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    Wire {
        method,
        path_and_query,
        headers,
        body: body.unwrap_or_default().to_vec(),
    }
}

fn generated_signer() -> (RequestSigner, String) {
    let pair = copse::federation::keys::generate().expect("key pair");
    let signer = RequestSigner::from_pem(ANA_KEY, &pair.private_pem).expect("private key loads");
    (signer, pair.public_pem)
}

#[test]
fn a_signed_delivery_verifies_and_each_kind_of_tampering_has_its_own_error() {
    let (signer, public_pem) = generated_signer();
    let (_, stranger_pem) = generated_signer();
    let now = Utc::now();
    let body = br#"{"type":"Follow","actor":"https://cop.example.org/u/ana"}"#;

    for scheme in [Scheme::DraftCavage, Scheme::Rfc9421] {
        let wire = sign(&signer, scheme, Method::POST, INBOX, Some(body), now);
        let verified = wire.check(now, &public_pem).expect("verifies");
        assert_eq!(verified.key_id, ANA_KEY);
        assert_eq!(verified.scheme, scheme);

        let mut flipped = sign(&signer, scheme, Method::POST, INBOX, Some(body), now);
        flipped.body[10] ^= 0x01;
        assert_eq!(
            code(flipped.check(now, &public_pem)),
            ErrorCode::DigestMismatch
        );

        let mut redirected = sign(&signer, scheme, Method::POST, INBOX, Some(body), now);
        redirected
            .headers
            .insert("host", HeaderValue::from_static("other.example"));
        assert_eq!(
            code(redirected.check(now, &public_pem)),
            ErrorCode::SignatureInvalid
        );

        let stale = sign(
            &signer,
            scheme,
            Method::POST,
            INBOX,
            Some(body),
            now - TimeDelta::hours(13),
        );
        assert_eq!(
            code(stale.check(now, &public_pem)),
            ErrorCode::DateOutOfRange
        );
        let early = sign(
            &signer,
            scheme,
            Method::POST,
            INBOX,
            Some(body),
            now + TimeDelta::hours(13),
        );
        assert_eq!(
            code(early.check(now, &public_pem)),
            ErrorCode::DateOutOfRange
        );

        assert_eq!(
            code(wire.check(now, &stranger_pem)),
            ErrorCode::SignatureInvalid
        );
    }
}

#[test]
fn changing_anything_signed_breaks_the_signature() {
    let (signer, public_pem) = generated_signer();
    let now = Utc::now();
    for name in ["content-type", "date"] {
        let mut wire = sign(
            &signer,
            Scheme::DraftCavage,
            Method::POST,
            INBOX,
            Some(b"{}"),
            now,
        );
        let changed = match name {
            "date" => freshness::http_date(now + TimeDelta::seconds(1)),
            _ => "application/json".to_string(),
        };
        wire.headers
            .insert(name, HeaderValue::from_str(&changed).expect("value"));
        assert_eq!(
            code(wire.check(now, &public_pem)),
            ErrorCode::SignatureInvalid,
            "{name}"
        );
    }
    for scheme in [Scheme::DraftCavage, Scheme::Rfc9421] {
        let mut moved = sign(&signer, scheme, Method::POST, INBOX, Some(b"{}"), now);
        moved.path_and_query = "/c/nursing/inbox".into();
        assert_eq!(
            code(moved.check(now, &public_pem)),
            ErrorCode::SignatureInvalid
        );
        let mut put = sign(&signer, scheme, Method::POST, INBOX, Some(b"{}"), now);
        put.method = Method::PUT;
        assert_eq!(
            code(put.check(now, &public_pem)),
            ErrorCode::SignatureInvalid
        );
    }
}

#[test]
fn outgoing_requests_carry_the_headers_mastodon_and_lemmy_expect() {
    let (signer, public_pem) = generated_signer();
    let now = http_date("Tue, 24 Nov 2026 08:19:35 GMT");
    let body = b"{}";

    let post = sign(
        &signer,
        Scheme::DraftCavage,
        Method::POST,
        INBOX,
        Some(body),
        now,
    );
    let h = |name: &str| post.headers[name].to_str().expect("ascii").to_string();
    assert_eq!(h("host"), "cop.example.org");
    assert_eq!(h("date"), "Tue, 24 Nov 2026 08:19:35 GMT");
    assert_eq!(
        h("digest"),
        "SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
    );
    let signature = CavageSignature::parse(&h("signature")).expect("parses");
    assert_eq!(signature.key_id, ANA_KEY);
    assert_eq!(signature.algorithm.as_deref(), Some("rsa-sha256"));
    assert_eq!(
        signature.headers.join(" "),
        "(request-target) host date digest content-type"
    );

    let get = sign(
        &signer,
        Scheme::DraftCavage,
        Method::GET,
        "https://lemmy.example:8443/c/main/outbox?page=2",
        None,
        now,
    );
    assert_eq!(get.headers["host"], "lemmy.example:8443");
    assert!(!get.headers.contains_key("digest"));
    let signature =
        CavageSignature::parse(get.headers["signature"].to_str().expect("ascii")).expect("parses");
    assert_eq!(signature.headers.join(" "), "(request-target) host date");
    let pending = parse(&get.incoming(), now).expect("parses");
    assert_eq!(
        pending.signature_base(),
        "(request-target): get /c/main/outbox?page=2\nhost: lemmy.example:8443\ndate: Tue, 24 Nov 2026 08:19:35 GMT"
    );
    pending.verify(&public_pem).expect("a signed GET verifies");

    let post = sign(
        &signer,
        Scheme::Rfc9421,
        Method::POST,
        INBOX,
        Some(body),
        now,
    );
    assert_eq!(
        post.headers["content-digest"],
        "sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:"
    );
    assert_eq!(
        post.headers["signature-input"],
        format!(
            r#"sig1=("@method" "@target-uri" "content-digest");created={};keyid="{ANA_KEY}";alg="rsa-v1_5-sha256""#,
            now.timestamp()
        )
        .as_str()
    );
    assert!(
        post.headers["signature"]
            .to_str()
            .expect("ascii")
            .starts_with("sig1=:")
    );
    let pending = parse(&post.incoming(), now).expect("parses");
    assert_eq!(
        pending.signature_base(),
        format!(
            "\"@method\": POST\n\"@target-uri\": https://cop.example.org/inbox\n\"content-digest\": sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:\n\"@signature-params\": (\"@method\" \"@target-uri\" \"content-digest\");created={};keyid=\"{ANA_KEY}\";alg=\"rsa-v1_5-sha256\"",
            now.timestamp()
        )
    );
}

#[tokio::test]
async fn unsigned_and_garbled_requests_are_told_apart() {
    let (signer, public_pem) = generated_signer();
    let now = Utc::now();
    let signed = sign(
        &signer,
        Scheme::DraftCavage,
        Method::POST,
        INBOX,
        Some(b"{}"),
        now,
    );

    let mut unsigned = sign(
        &signer,
        Scheme::DraftCavage,
        Method::POST,
        INBOX,
        Some(b"{}"),
        now,
    );
    unsigned.headers.remove("signature");
    assert_eq!(
        code(unsigned.check(now, &public_pem)),
        ErrorCode::SignatureMissing
    );

    for garbage in [
        "keyId=https://x",
        r#"keyId="https://x",algorithm="ed25519",signature="AA==""#,
    ] {
        let mut garbled = sign(
            &signer,
            Scheme::DraftCavage,
            Method::POST,
            INBOX,
            Some(b"{}"),
            now,
        );
        garbled
            .headers
            .insert("signature", HeaderValue::from_static(garbage));
        assert_eq!(
            code(garbled.check(now, &public_pem)),
            ErrorCode::SignatureMalformed,
            "{garbage}"
        );
    }
    let mut half = sign(
        &signer,
        Scheme::Rfc9421,
        Method::POST,
        INBOX,
        Some(b"{}"),
        now,
    );
    half.headers.remove("signature");
    assert_eq!(
        code(half.check(now, &public_pem)),
        ErrorCode::SignatureMalformed
    );

    let mut undigested = sign(
        &signer,
        Scheme::DraftCavage,
        Method::POST,
        INBOX,
        Some(b"{}"),
        now,
    );
    undigested.headers.remove("digest");
    assert_eq!(
        code(undigested.check(now, &public_pem)),
        ErrorCode::DigestMismatch
    );

    assert_eq!(
        code(signed.check(
            now,
            "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n"
        )),
        ErrorCode::SignatureInvalid
    );

    // The async entry point: the lookup sees the key id and returns the PEM.
    let verified = verify_request(&signed.incoming(), now, |key_id| async move {
        assert_eq!(key_id, ANA_KEY);
        Ok(public_pem)
    })
    .await
    .expect("verifies");
    assert_eq!(verified.scheme, Scheme::DraftCavage);
}

/// The example request of draft-cavage-http-signatures-12, appendix C.
fn cavage_example() -> Wire {
    Wire {
        method: Method::POST,
        path_and_query: "/foo?param=value&pet=dog".into(),
        headers: header_map(&[
            ("host", "example.com"),
            ("date", "Sun, 05 Jan 2014 21:31:40 GMT"),
            ("content-type", "application/json"),
            (
                "digest",
                "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
            ),
            ("content-length", "18"),
        ]),
        body: br#"{"hello": "world"}"#.to_vec(),
    }
}

fn parts(wire: &Wire) -> RequestParts<'_> {
    RequestParts {
        method: &wire.method,
        scheme: "https",
        authority: None,
        path_and_query: &wire.path_and_query,
        headers: &wire.headers,
    }
}

#[test]
fn draft_cavage_appendix_c_vectors_reproduce_byte_exactly() {
    let key = SigningKey::from_pem(CAVAGE_TEST_PRIVATE_PEM).expect("PKCS#1 private key");
    let public = VerifyingKey::from_pem(CAVAGE_TEST_PUBLIC_PEM).expect("SPKI public key");
    assert_eq!(
        key.public_key_pem().expect("public half"),
        CAVAGE_TEST_PUBLIC_PEM
    );
    let wire = cavage_example();
    let request = parts(&wire);
    let now = http_date("Sun, 05 Jan 2014 21:31:40 GMT");

    // C.1 Default Test: no header list, so only the date is signed.
    let default = "date: Sun, 05 Jan 2014 21:31:40 GMT";
    assert_eq!(
        cavage::signing_string(&request, &["date".into()], None, None).expect("string"),
        default
    );
    let c1 = "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=";
    let signed = key.sign_rsa_sha256(default.as_bytes()).expect("signs");
    assert_eq!(STANDARD.encode(&signed), c1);
    let header = format!(r#"keyId="Test",algorithm="rsa-sha256",signature="{c1}""#);
    let parsed = CavageSignature::parse(&header).expect("parses");
    assert_eq!(parsed.headers, vec!["date".to_string()]);
    assert!(public.verify(Algorithm::RsaSha256, default.as_bytes(), &parsed.signature));

    // C.2 Basic Test: (request-target), host and date.
    let c2 = cavage::sign(
        &request,
        "Test",
        "rsa-sha256",
        &["(request-target)", "host", "date"],
        &key,
    )
    .expect("signs");
    assert_eq!(
        cavage::signing_string(&request, &c2.headers, None, None).expect("string"),
        "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT"
    );
    assert_eq!(
        c2.to_header_value(),
        r#"keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=""#
    );

    // C.3 All Headers Test, as drafts 10 and earlier print it.
    let c3 = cavage::sign(
        &request,
        "Test",
        "rsa-sha256",
        &[
            "(request-target)",
            "host",
            "date",
            "content-type",
            "digest",
            "content-length",
        ],
        &key,
    )
    .expect("signs");
    assert_eq!(
        cavage::signing_string(&request, &c3.headers, None, None).expect("string"),
        "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\ncontent-type: application/json\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-length: 18"
    );
    let c3_header = c3.to_header_value();
    assert_eq!(
        c3_header,
        format!(
            r#"keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="{CAVAGE_C3_SIGNATURE}""#
        )
    );

    // Only C.3 passes copse's rules as a whole: C.1 binds the signature to no endpoint,
    // and C.2 leaves the body unsigned.
    let mut all = cavage_example();
    all.headers.insert(
        "signature",
        HeaderValue::from_str(&c3_header).expect("value"),
    );
    let verified = all
        .check(now, CAVAGE_TEST_PUBLIC_PEM)
        .expect("C.3 verifies");
    assert_eq!(verified.key_id, "Test");
    for (header, refusal) in [
        (header, ErrorCode::SignatureInvalid),
        (c2.to_header_value(), ErrorCode::DigestMismatch),
    ] {
        let mut weak = cavage_example();
        weak.headers
            .insert("signature", HeaderValue::from_str(&header).expect("value"));
        assert_eq!(
            code(weak.check(now, CAVAGE_TEST_PUBLIC_PEM)),
            refusal,
            "{header}"
        );
    }
}

/// Drafts 11 and 12 added `(created) (expires)` to C.3's header list but kept draft 10's
/// signature value, so their C.3 cannot verify as printed: the value signs the draft-10
/// string. (Draft 12 also forbids `(created)` with `rsa-sha256`, which copse enforces.)
#[test]
fn the_draft_12_all_headers_example_carries_the_draft_10_signature() {
    let key = SigningKey::from_pem(CAVAGE_TEST_PRIVATE_PEM).expect("private key");
    let public = VerifyingKey::from_pem(CAVAGE_TEST_PUBLIC_PEM).expect("public key");
    let wire = cavage_example();
    let request = parts(&wire);
    let draft12 = format!(
        r#"keyId="Test",algorithm="rsa-sha256",created=1402170695, expires=1402170699,headers="(request-target) (created) (expires) host date content-type digest content-length",signature="{CAVAGE_C3_SIGNATURE}""#
    );
    let parsed = CavageSignature::parse(&draft12).expect("parses");
    let string12 =
        cavage::signing_string(&request, &parsed.headers, parsed.created, parsed.expires)
            .expect("string");
    assert!(string12.starts_with(
        "(request-target): post /foo?param=value&pet=dog\n(created): 1402170695\n(expires): 1402170699\nhost: example.com"
    ));
    assert!(!public.verify(Algorithm::RsaSha256, string12.as_bytes(), &parsed.signature));
    assert_ne!(
        STANDARD.encode(key.sign_rsa_sha256(string12.as_bytes()).expect("signs")),
        CAVAGE_C3_SIGNATURE
    );
    let without_times: Vec<String> = parsed
        .headers
        .iter()
        .filter(|h| *h != cavage::CREATED && *h != cavage::EXPIRES)
        .cloned()
        .collect();
    let string10 = cavage::signing_string(&request, &without_times, None, None).expect("string");
    assert!(public.verify(Algorithm::RsaSha256, string10.as_bytes(), &parsed.signature));

    let mut as_printed = cavage_example();
    as_printed
        .headers
        .insert("signature", HeaderValue::from_str(&draft12).expect("value"));
    assert_eq!(
        code(as_printed.check(at(1_402_170_695), CAVAGE_TEST_PUBLIC_PEM)),
        ErrorCode::SignatureMalformed
    );
}

/// RFC 9421's example request (appendix B.2), with one of its signatures.
fn rfc9421_example(signature_input: &str, signature: &str) -> Wire {
    Wire {
        method: Method::POST,
        path_and_query: "/foo?param=Value&Pet=dog".into(),
        headers: header_map(&[
            ("host", "example.com"),
            ("date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("content-type", "application/json"),
            ("content-digest", RFC9421_CONTENT_DIGEST),
            ("content-length", "18"),
            ("signature-input", signature_input),
            ("signature", signature),
        ]),
        body: br#"{"hello": "world"}"#.to_vec(),
    }
}

/// B.2.3 signs with RSA-PSS and names no algorithm (the key implies it), so the signature
/// base comes from copse's parser and the check uses the PSS verifier directly.
#[test]
fn rfc9421_full_coverage_example_b_2_3_verifies_with_rsa_pss() {
    let wire = rfc9421_example(
        r#"sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss""#,
        &format!("sig-b23=:{RFC9421_B23_SIGNATURE}:"),
    );
    let pending = parse(&wire.incoming(), at(1_618_884_473)).expect("passes every rule");
    assert_eq!(pending.key_id(), "test-key-rsa-pss");
    assert_eq!(pending.scheme(), Scheme::Rfc9421);
    let expected_base = format!(
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@query\": ?param=Value&Pet=dog\n\"@authority\": example.com\n\"content-type\": application/json\n\"content-digest\": {RFC9421_CONTENT_DIGEST}\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\""
    );
    assert_eq!(pending.signature_base(), expected_base);

    let key = VerifyingKey::from_pem(RFC9421_TEST_KEY_RSA_PSS_PUBLIC).expect("public key");
    let signature = STANDARD.decode(RFC9421_B23_SIGNATURE).expect("base64");
    assert!(key.verify(
        Algorithm::RsaPssSha512,
        expected_base.as_bytes(),
        &signature
    ));
    let altered = expected_base.replace("Pet=dog", "Pet=cat");
    assert!(!key.verify(Algorithm::RsaPssSha512, altered.as_bytes(), &signature));
    // Without `alg`, copse assumes rsa-v1_5-sha256, as Mastodon does, so this one fails.
    assert_eq!(
        code(pending.verify(RFC9421_TEST_KEY_RSA_PSS_PUBLIC)),
        ErrorCode::SignatureInvalid
    );

    let stale = parse(&wire.incoming(), at(1_618_884_473) + TimeDelta::hours(13));
    assert_eq!(stale.expect_err("stale").code(), ErrorCode::DateOutOfRange);
}

/// RFC 9421 §4.3: a proxy re-signs with test-key-rsa and rsa-v1_5-sha256, which is
/// deterministic, so copse's signer must produce the RFC's headers exactly.
#[test]
fn rfc9421_proxy_signature_of_section_4_3_reproduces_byte_exactly() {
    const INPUT: &str = r#"proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540"#;
    let mut wire = Wire {
        method: Method::POST,
        path_and_query: "/foo?param=Value&Pet=dog".into(),
        headers: header_map(&[
            ("host", "origin.host.internal.example"),
            ("date", "Tue, 20 Apr 2021 02:07:56 GMT"),
            ("content-type", "application/json"),
            ("content-length", "18"),
            ("forwarded", "for=192.0.2.123;host=example.com;proto=https"),
            ("content-digest", RFC9421_CONTENT_DIGEST),
        ]),
        body: br#"{"hello": "world"}"#.to_vec(),
    };
    let params = SignatureParams::new(&[
        "@method",
        "@authority",
        "@path",
        "content-digest",
        "content-type",
        "content-length",
        "forwarded",
    ])
    .created(1_618_884_480)
    .key_id("test-key-rsa")
    .alg("rsa-v1_5-sha256")
    .expires(1_618_884_540);
    let base = rfc9421::signature_base(&parts(&wire), &params).expect("base");
    assert_eq!(
        base,
        format!(
            "\"@method\": POST\n\"@authority\": origin.host.internal.example\n\"@path\": /foo\n\"content-digest\": {RFC9421_CONTENT_DIGEST}\n\"content-type\": application/json\n\"content-length\": 18\n\"forwarded\": for=192.0.2.123;host=example.com;proto=https\n\"@signature-params\": {}",
            INPUT.trim_start_matches("proxy_sig=")
        )
    );
    let key = SigningKey::from_pem(RFC9421_TEST_KEY_RSA_PRIVATE).expect("PKCS#1 private key");
    let (input, signature) =
        rfc9421::sign(&parts(&wire), &params, "proxy_sig", &key).expect("signs");
    assert_eq!(input, INPUT);
    assert_eq!(signature, format!("proxy_sig=:{RFC9421_PROXY_SIGNATURE}:"));
    let public = VerifyingKey::from_pem(RFC9421_TEST_KEY_RSA_PUBLIC).expect("PKCS#1 public key");
    let bytes = STANDARD.decode(RFC9421_PROXY_SIGNATURE).expect("base64");
    assert!(public.verify(Algorithm::RsaSha256, base.as_bytes(), &bytes));

    // The proxy left the query unsigned, which copse does not accept: the same signature
    // could be replayed against any query.
    wire.headers
        .insert("signature-input", HeaderValue::from_static(INPUT));
    wire.headers.insert(
        "signature",
        HeaderValue::from_str(&signature).expect("value"),
    );
    let now = at(1_618_884_500);
    assert_eq!(
        code(wire.check(now, RFC9421_TEST_KEY_RSA_PUBLIC)),
        ErrorCode::SignatureInvalid
    );
    // Without a query nothing is left unsigned, and the RFC's signature passes every rule;
    // after `expires` (and an hour's grace) it no longer does.
    wire.path_and_query = "/foo".into();
    let verified = wire
        .check(now, RFC9421_TEST_KEY_RSA_PUBLIC)
        .expect("verifies");
    assert_eq!(verified.key_id, "test-key-rsa");
    assert_eq!(
        code(wire.check(
            at(1_618_884_540) + TimeDelta::minutes(61),
            RFC9421_TEST_KEY_RSA_PUBLIC
        )),
        ErrorCode::DateOutOfRange
    );
}

/// The raw requests in a capture file: blocks separated by `-----` lines, each a request
/// line, headers, a blank line and the body.
fn captured_requests(text: &str) -> Vec<Wire> {
    text.split("\n-----\n")
        .map(|block| {
            let start = block.find("POST ").expect("a request line");
            let (head, body) = block[start..].split_once("\n\n").expect("headers end");
            let mut lines = head.lines();
            let request_line: Vec<&str> = lines.next().expect("request line").split(' ').collect();
            let mut headers = HeaderMap::new();
            for line in lines {
                let (name, value) = line.split_once(": ").expect("header line");
                headers.append(
                    HeaderName::from_bytes(name.as_bytes()).expect("name"),
                    HeaderValue::from_str(value).expect("value"),
                );
            }
            let body = body.trim_end_matches('\n').as_bytes().to_vec();
            assert_eq!(
                headers["content-length"],
                body.len().to_string().as_str(),
                "the body was cut exactly"
            );
            Wire {
                method: Method::from_bytes(request_line[0].as_bytes()).expect("method"),
                path_and_query: request_line[1].to_string(),
                headers,
                body,
            }
        })
        .collect()
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/lemmy-0.19-live/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn lemmy_deliveries_captured_on_the_wire_verify() {
    let actor: serde_json::Value =
        serde_json::from_str(&fixture("alpha_group_actor.json")).expect("actor json");
    let public_pem = actor["publicKey"]["publicKeyPem"].as_str().expect("pem");
    let requests = captured_requests(&fixture("wire_alpha_to_beta_inbox_http.txt"));
    assert_eq!(requests.len(), 2);

    for wire in &requests {
        let sent_at = http_date(wire.headers["date"].to_str().expect("date"));
        let verified = wire
            .check(sent_at, public_pem)
            .expect("Lemmy's signature verifies");
        assert_eq!(verified.key_id, "http://lemmy-alpha:8541/c/main#main-key");
        assert_eq!(verified.scheme, Scheme::DraftCavage);
        // Still fine an hour later, as when a queue retries; not half a day later.
        wire.check(sent_at + TimeDelta::hours(1), public_pem)
            .expect("an hour later");
        assert_eq!(
            code(wire.check(sent_at + TimeDelta::hours(13), public_pem)),
            ErrorCode::DateOutOfRange
        );

        let tampered = Wire {
            method: wire.method.clone(),
            path_and_query: wire.path_and_query.clone(),
            headers: wire.headers.clone(),
            body: String::from_utf8(wire.body.clone())
                .expect("utf-8")
                .replace("captured post", "captured pest")
                .into_bytes(),
        };
        assert_eq!(
            code(tampered.check(sent_at, public_pem)),
            ErrorCode::DigestMismatch
        );
    }
}

/// activitypub_federation's own test vector (src/http_signatures.rs, `test_sign`): its
/// signer's output for a fixed key, date and body, in its Mastodon-compatible mode.
#[test]
fn copse_and_activitypub_federation_sign_the_same_bytes() {
    let key = SigningKey::from_pem(APUB_TEST_PRIVATE_PEM).expect("PKCS#1 private key");
    let public_pem = key.public_key_pem().expect("public half");
    let body = b"my activity";
    let mut wire = Wire {
        method: Method::POST,
        path_and_query: "/u/alice/inbox".into(),
        headers: header_map(&[
            ("content-type", "application/activity+json"),
            ("host", "example.com"),
            ("date", "Tue, 28 Mar 2023 21:03:44 GMT"),
        ]),
        body: body.to_vec(),
    };
    wire.headers.insert(
        "digest",
        HeaderValue::from_str(&copse::federation::signatures::digest::digest_header(body))
            .expect("value"),
    );
    let ours = cavage::sign(
        &parts(&wire),
        "https://example.com/u/alice#main-key",
        "hs2019",
        &["(request-target)", "content-type", "date", "digest", "host"],
        &key,
    )
    .expect("signs")
    .to_header_value();
    assert_eq!(ours, APUB_TEST_SIGNATURE);

    wire.headers
        .insert("signature", HeaderValue::from_static(APUB_TEST_SIGNATURE));
    let verified = wire
        .check(http_date("Tue, 28 Mar 2023 21:03:44 GMT"), &public_pem)
        .expect("copse accepts activitypub_federation's signature");
    assert_eq!(verified.key_id, "https://example.com/u/alice#main-key");
}

/// activitypub_federation's verifier is only reachable through `receive_activity`, which
/// needs an actor and an activity type. Its traits are `#[async_trait]`, which copse does not
/// depend on, so the impls below are written out the way that macro expands them.
mod apub {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};

    use activitypub_federation::config::Data;
    use activitypub_federation::error::Error;
    use activitypub_federation::traits::{Activity, Actor, Object};
    use serde::{Deserialize, Serialize};
    use serde_json::Value;
    use url::Url;

    type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

    /// The one remote actor the receiving side knows, and what it received.
    #[derive(Clone, Debug)]
    pub struct Known {
        pub actor: Person,
        pub received: Arc<Mutex<Vec<Url>>>,
    }

    #[derive(Clone, Debug)]
    pub struct Person {
        pub id: Url,
        pub public_key_pem: String,
        pub private_key_pem: Option<String>,
    }

    #[derive(Clone, Debug, Serialize, Deserialize)]
    pub struct Follow {
        pub id: Url,
        pub actor: Url,
        #[serde(rename = "type")]
        pub kind: String,
        pub object: Url,
    }

    impl Object for Person {
        type DataType = Known;
        type Kind = Value;
        type Error = Error;

        fn id(&self) -> &Url {
            &self.id
        }

        fn read_from_id<'life0, 'async_trait>(
            object_id: Url,
            data: &'life0 Data<Known>,
        ) -> Boxed<'async_trait, Option<Self>>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
                let actor = &data.app_data().actor;
                Ok((actor.id == object_id).then(|| actor.clone()))
            })
        }

        fn into_json<'life0, 'async_trait>(
            self,
            _data: &'life0 Data<Known>,
        ) -> Boxed<'async_trait, Value>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move { Ok(Value::String(self.id.to_string())) })
        }

        fn verify<'life0, 'life1, 'life2, 'async_trait>(
            _json: &'life0 Value,
            _expected_domain: &'life1 Url,
            _data: &'life2 Data<Known>,
        ) -> Boxed<'async_trait, ()>
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            'life2: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async { Ok(()) })
        }

        fn from_json<'life0, 'async_trait>(
            _json: Value,
            _data: &'life0 Data<Known>,
        ) -> Boxed<'async_trait, Self>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async { Err(Error::NotFound) })
        }
    }

    impl Actor for Person {
        fn public_key_pem(&self) -> &str {
            &self.public_key_pem
        }

        fn private_key_pem(&self) -> Option<String> {
            self.private_key_pem.clone()
        }

        fn inbox(&self) -> Url {
            self.id.join("inbox").expect("inbox url")
        }
    }

    impl Activity for Follow {
        type DataType = Known;
        type Error = Error;

        fn id(&self) -> &Url {
            &self.id
        }

        fn actor(&self) -> &Url {
            &self.actor
        }

        fn verify<'life0, 'life1, 'async_trait>(
            &'life0 self,
            _data: &'life1 Data<Known>,
        ) -> Boxed<'async_trait, ()>
        where
            'life0: 'async_trait,
            'life1: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async { Ok(()) })
        }

        fn receive<'life0, 'async_trait>(self, data: &'life0 Data<Known>) -> Boxed<'async_trait, ()>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
                data.app_data()
                    .received
                    .lock()
                    .expect("lock")
                    .push(self.id.clone());
                Ok(())
            })
        }
    }
}

async fn federation_data(actor: apub::Person) -> activitypub_federation::config::Data<apub::Known> {
    let known = apub::Known {
        actor,
        received: Default::default(),
    };
    activitypub_federation::config::FederationConfig::builder()
        .domain("lemmy.example")
        .app_data(known)
        // Debug mode skips DNS checks on activity ids (the domains here do not exist) and
        // allows the plain-HTTP loopback inbox below.
        .debug(true)
        .client(
            reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client")
                .into(),
        )
        .build()
        .await
        .expect("federation config")
        .to_request_data()
}

#[tokio::test]
async fn activitypub_federation_accepts_a_delivery_copse_signed() {
    use activitypub_federation::axum::inbox::{ActivityData, receive_activity};
    use axum::extract::FromRequest;

    let (signer, public_pem) = generated_signer();
    let data = federation_data(apub::Person {
        id: Url::parse("https://cop.example.org/u/ana").expect("url"),
        public_key_pem: public_pem,
        private_key_pem: None,
    })
    .await;
    let follow = serde_json::json!({
        "id": "https://cop.example.org/activities/follow/1",
        "actor": "https://cop.example.org/u/ana",
        "type": "Follow",
        "object": "https://lemmy.example/c/main",
    });
    let body = serde_json::to_vec(&follow).expect("json");

    let deliver = |body: Vec<u8>| {
        let wire = sign(
            &signer,
            Scheme::DraftCavage,
            Method::POST,
            "https://lemmy.example/inbox",
            Some(&body),
            Utc::now(),
        );
        let mut request = axum::http::Request::builder()
            .method(Method::POST)
            .uri(wire.path_and_query.as_str());
        for (name, value) in &wire.headers {
            request = request.header(name, value);
        }
        request.body(axum::body::Body::from(body)).expect("request")
    };

    let activity = ActivityData::from_request(deliver(body.clone()), &())
        .await
        .expect("activity data");
    receive_activity::<apub::Follow, apub::Person, apub::Known>(activity, &data)
        .await
        .expect("activitypub_federation verifies copse's signature");
    assert_eq!(
        data.app_data().received.lock().expect("lock").len(),
        1,
        "the Follow was received"
    );

    // Its verifier does reject: a signature copse made for another body fails there too.
    let mut forged = deliver(body.clone());
    forged.headers_mut().insert(
        "signature",
        deliver(br#"{"other":1}"#.to_vec()).headers()["signature"].clone(),
    );
    let activity = ActivityData::from_request(forged, &())
        .await
        .expect("activity data");
    assert!(
        receive_activity::<apub::Follow, apub::Person, apub::Known>(activity, &data)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn copse_accepts_a_delivery_activitypub_federation_signed() {
    use activitypub_federation::activity_sending::SendActivityTask;
    use tokio::sync::mpsc;

    // A loopback inbox that hands every request it receives to the test.
    let (tx, mut rx) = mpsc::unbounded_channel::<(Method, String, HeaderMap, Vec<u8>)>();
    let app = axum::Router::new().route(
        "/inbox",
        axum::routing::post(move |request: axum::extract::Request| {
            let tx = tx.clone();
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.expect("body");
                let path = parts.uri.path_and_query().expect("path").to_string();
                tx.send((parts.method, path, parts.headers, body.to_vec()))
                    .expect("test listening");
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let pair = copse::federation::keys::generate().expect("key pair");
    let lemmy_actor = apub::Person {
        id: Url::parse("https://lemmy.example/c/main").expect("url"),
        public_key_pem: pair.public_pem.clone(),
        private_key_pem: Some(pair.private_pem.clone()),
    };
    let data = federation_data(lemmy_actor.clone()).await;
    let follow = apub::Follow {
        id: Url::parse("https://lemmy.example/activities/follow/7").expect("url"),
        actor: lemmy_actor.id.clone(),
        kind: "Follow".into(),
        object: Url::parse("https://cop.example.org/u/ana").expect("url"),
    };
    let inbox = Url::parse(&format!("http://localhost:{port}/inbox")).expect("url");
    let tasks = SendActivityTask::prepare(&follow, &lemmy_actor, vec![inbox], &data)
        .await
        .expect("prepared");
    assert_eq!(tasks.len(), 1);
    tasks[0].sign_and_send(&data).await.expect("delivered");

    let (method, path, headers, body) = rx.recv().await.expect("a request arrived");
    let wire = Wire {
        method,
        path_and_query: path,
        headers,
        body,
    };
    // Outside its Mastodon-compatible mode the library signs the draft-11 way.
    let signature =
        CavageSignature::parse(wire.headers["signature"].to_str().expect("ascii")).expect("parses");
    assert_eq!(signature.algorithm.as_deref(), Some("hs2019"));
    assert!(signature.covers(cavage::CREATED) && signature.covers(cavage::EXPIRES));

    let pending = parse(&wire.incoming(), Utc::now()).expect("passes");
    assert_eq!(pending.key_id(), "https://lemmy.example/c/main#main-key");
    pending
        .verify(&pair.public_pem)
        .expect("copse verifies activitypub_federation's signature");
    let mut tampered = wire;
    tampered.body.push(b' ');
    assert_eq!(
        code(tampered.check(Utc::now(), &pair.public_pem)),
        ErrorCode::DigestMismatch
    );
}

/// The body of the RFC 9421 examples hashed with SHA-512 (appendix B.2).
const RFC9421_CONTENT_DIGEST: &str = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

/// RFC 9421 B.2.3, "Full Coverage Using rsa-pss-sha512".
const RFC9421_B23_SIGNATURE: &str = "bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==";

/// RFC 9421 §4.3, the reverse proxy's `proxy_sig`.
const RFC9421_PROXY_SIGNATURE: &str = "S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==";

/// draft-cavage-http-signatures C.3 (drafts 10 to 12 print the same value).
const CAVAGE_C3_SIGNATURE: &str = "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=";

/// The expected header of activitypub_federation 0.7.0-beta.14's `test_sign`.
const APUB_TEST_SIGNATURE: &str = concat!(
    "keyId=\"https://example.com/u/alice#main-key\",",
    "algorithm=\"hs2019\",",
    "headers=\"(request-target) content-type date digest host\",",
    "signature=\"BpZhHNqzd6d6jhWOxyJ0jXwWWxiKMNK7i3mrr/5mVFnH7fUpicwqw8cSYVr",
    "cwWjt0I07HW7rZFUfIdSgCoOEdvxtrccF/hTrwYgm8O6SQRHl1UfFtDR6e9EpfPieVmTjo0",
    "QVfyzLLa41rmnz/yFqqer/v0kcdED51/dGe8NCGPBbhgK6C4oh7r+XHsQZMIhh38BcfZVWN",
    "YaMqgyhFxu2f34IKnOEk6NjSaNtO+PzQUhbksTvH0Vvi6R0dtQINJFdONVBl4AwDC1INeF5",
    "uhQo/SaKHfP3UitUHdM5Pbn+LhZYDB9AaQAW5ZGD43Aw15ecwsnKi4HcjV8nBw4zehlvaQ==\""
);

/// draft-cavage-http-signatures appendix C, the "Test" key (RSA 1024, test use only).
const CAVAGE_TEST_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
";

const CAVAGE_TEST_PRIVATE_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
";

/// RFC 9421 appendix B.1.1, test-key-rsa (PKCS#1, test use only).
const RFC9421_TEST_KEY_RSA_PUBLIC: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw
WEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq
MGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg
kne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P
uKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ
PSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB
-----END RSA PUBLIC KEY-----
";

const RFC9421_TEST_KEY_RSA_PRIVATE: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEqAIBAAKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsP
BRrwWEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsd
JKFqMGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75
jfZgkne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKI
lE0PuKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZ
SFlQPSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQABAoIBAG/JZuSWdoVHbi56
vjgCgkjg3lkO1KrO3nrdm6nrgA9P9qaPjxuKoWaKO1cBQlE1pSWp/cKncYgD5WxE
CpAnRUXG2pG4zdkzCYzAh1i+c34L6oZoHsirK6oNcEnHveydfzJL5934egm6p8DW
+m1RQ70yUt4uRc0YSor+q1LGJvGQHReF0WmJBZHrhz5e63Pq7lE0gIwuBqL8SMaA
yRXtK+JGxZpImTq+NHvEWWCu09SCq0r838ceQI55SvzmTkwqtC+8AT2zFviMZkKR
Qo6SPsrqItxZWRty2izawTF0Bf5S2VAx7O+6t3wBsQ1sLptoSgX3QblELY5asI0J
YFz7LJECgYkAsqeUJmqXE3LP8tYoIjMIAKiTm9o6psPlc8CrLI9CH0UbuaA2JCOM
cCNq8SyYbTqgnWlB9ZfcAm/cFpA8tYci9m5vYK8HNxQr+8FS3Qo8N9RJ8d0U5Csw
DzMYfRghAfUGwmlWj5hp1pQzAuhwbOXFtxKHVsMPhz1IBtF9Y8jvgqgYHLbmyiu1
mwJ5AL0pYF0G7x81prlARURwHo0Yf52kEw1dxpx+JXER7hQRWQki5/NsUEtv+8RT
qn2m6qte5DXLyn83b1qRscSdnCCwKtKWUug5q2ZbwVOCJCtmRwmnP131lWRYfj67
B/xJ1ZA6X3GEf4sNReNAtaucPEelgR2nsN0gKQKBiGoqHWbK1qYvBxX2X3kbPDkv
9C+celgZd2PW7aGYLCHq7nPbmfDV0yHcWjOhXZ8jRMjmANVR/eLQ2EfsRLdW69bn
f3ZD7JS1fwGnO3exGmHO3HZG+6AvberKYVYNHahNFEw5TsAcQWDLRpkGybBcxqZo
81YCqlqidwfeO5YtlO7etx1xLyqa2NsCeG9A86UjG+aeNnXEIDk1PDK+EuiThIUa
/2IxKzJKWl1BKr2d4xAfR0ZnEYuRrbeDQYgTImOlfW6/GuYIxKYgEKCFHFqJATAG
IxHrq1PDOiSwXd2GmVVYyEmhZnbcp8CxaEMQoevxAta0ssMK3w6UsDtvUvYvF22m
qQKBiD5GwESzsFPy3Ga0MvZpn3D6EJQLgsnrtUPZx+z2Ep2x0xc5orneB5fGyF1P
WtP+fG5Q6Dpdz3LRfm+KwBCWFKQjg7uTxcjerhBWEYPmEMKYwTJF5PBG9/ddvHLQ
EQeNC8fHGg4UXU8mhHnSBt3EA10qQJfRDs15M38eG2cYwB1PZpDHScDnDA0=
-----END RSA PRIVATE KEY-----
";

/// RFC 9421 appendix B.1.2, test-key-rsa-pss (public half, test use only).
const RFC9421_TEST_KEY_RSA_PSS_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----
";

/// activitypub_federation 0.7.0-beta.14's hard-coded test key (src/http_signatures.rs).
const APUB_TEST_PRIVATE_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEogIBAAKCAQEA2kZpsvWYrwM9zMQiDwo4k6/VfpK2aDTeVe9ZkcvDrrWfqt72
QSjjtXLa8sxJlEn+/zbnZ1lG3AO/WsKs2jiOycNQHBS1ITnSZKEpdKnAoLUn4k16
YivRmALyLedOfIrvMtQzH8a+kOQ71u2Wa3H9jpkCT5W9OneEBa3VjQp49kcrF3tm
mrEUhfai5GJM4xrdr587y7exkBF4wObepta9opSeuBkPV4QXZPfgmjwW+oOTheVH
6L7yjzvjW92j4/T6XKAcu0kn/aQhR8SiGtPBMyOlcW4S2eDHWf1RlqbNGb5L9Qam
fb0WAymx0ANLUDQyXAu5zViMrd4g8mgdkg7C1wIDAQABAoIBAAHAT0Uvsguz0Frq
0Li8+A4I4U/RQeqW6f9XtHWpl3NSYuqOPJZY2DxypHRB1Iex13x/gBHH/8jwgShR
2x/3ev9kmsLu6f+CcdniCFQdFiRaVh/IFI0Ve7cz5tkcoiuSB2NDNcaYFwIdYqfr
Ytz2OCn2hLQHKB9M9pLMSnDsPmMAOveY11XfhkECrWlh1bx9YPyJScnNKTblB3M+
GhYL3xzuCxPCC9nUfqz7Y8FnZTCmePOwcRflJDTLFs6Bqkv1PZOZWzI+7akaJxfI
SOSw3VkGegsdoGVgHobqT2tqL8vuKM1bs47PFwWjVCGEoOvcC/Ha1+INemWbh7VA
Xa/jvxkCgYEA/+AxeMCLCmH/F696W3RpPdFL25wSYQr1auV2xRfmsT+hhpSp3yz/
ypkazS9TbnSCm18up+jE9rJ1c9VIZrgcTeKzPURzE68RR8uOsa9o9kaUzfyvRAzb
fmQXMvv2rmm9U7srhjpvKo1BcHpQIQYToKt0TOv7soSEY2jGNvaK6i0CgYEA2mGL
sL36WoHF3x2DZNvknLJGjxPSMmdjjfflFRqxKeP+Sf54C4QH/1hxHe/yl/KMBTfa
woBl05SrwTnQ7bOeR8VTmzP53JfkECT5I9h/g8vT8dkz5WQXWNDgy61Imq/UmWwm
DHElGrkF31oy5w6+aZ58Sa5bXhBDYpkUP9+pV5MCgYAW5BCo89i8gg3XKZyxp9Vu
cVXu/KRsSBWyjXq1oTDDNKUXrB8SVy0/C7lpF83H+OZiTf6XiOxuAYMebLtAbUIi
+Z/9YC1HWocaPCy02rNyLNhNIUjwtpHAWeX1arMj4VPNtNXs+TdOwDpVfKvEeI2y
9wO9ifMHgnFxj0MEUcQVtQKBgHg2Mhs8uM+RmEbVjDq9AP9w835XPuIYH6lKyIPx
iYyxwI0i0xojt/NL0BjWuQgDsCg/MuDWpTbvJAzdsrDmqz5+1SMeXXCc/CIW+D5P
MwJt9WGwWuzvSBrQAK6d2NWt7K335on6zp4DM8RbdqHSb+bcIza8D/ebpDxmX8s5
Z5KZAoGAX8u+63w1uy1FLhf48SqmjOqkAjdUZCWEmaim69koAOdTIBSSDOnAqzGu
wIVdLLzI6xTgbYmfErCwpU2v8MfUWr0BDzjQ9G6c5rhcS1BkfxbeAsC42XaVIgCk
2sMNMqi6f96jbp4IQI70BpecsnBAUa+VoT57bZRvy0lW26w9tYI=
-----END RSA PRIVATE KEY-----
";

#[tokio::test]
async fn a_signed_fetch_signs_the_digest_of_its_empty_body_and_verifies_strictly() {
    let s = crate::support::TestServer::federating(&[]).await;
    let peer = crate::support::peer::Peer::start().await;
    let id = format!("{}/post/1", peer.base());
    peer.serve(
        &id,
        serde_json::json!({"id": id, "type": "Page", "name": "served"}),
    );
    copse::federation::remote::signed_fetch::get(&s.app, &Url::parse(&id).unwrap())
        .await
        .expect("the document is fetched");
    let get = peer
        .fetches()
        .into_iter()
        .rev()
        .find(|r| r.path == "/post/1")
        .expect("the GET reached the peer");
    // SHA-256 of nothing.
    let digest = get.headers.get("digest").expect("a Digest header");
    assert_eq!(
        digest.to_str().unwrap(),
        "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    let signature = get.headers["signature"].to_str().unwrap().to_string();
    assert!(
        signature.contains(r#"headers="(request-target) host date digest""#),
        "the digest is signed: {signature}"
    );
    // A verifier that checks the digest against the (empty) body accepts it with the
    // instance actor's key.
    let key = copse::federation::actors::instance_key(&s.app.db)
        .await
        .expect("the instance key");
    let incoming = IncomingRequest::new(&Method::GET, &get.path, &get.headers, b"");
    parse(&incoming, Utc::now())
        .expect("a well-formed signature")
        .verify(&key.public_pem)
        .expect("it verifies");
}
