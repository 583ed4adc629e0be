//! Handles and WebFinger resources: a handle someone types (`@name@host`, `!name@host`,
//! `acct:name@host`), the `resource` another server asks this one about, and the JRD
//! document a server answers with.
//!
//! Invariants: nothing panics; a parsed handle has a non-empty name and a non-empty,
//! lowercase host, and written back as `@name@host` it parses to itself; a resource named
//! by `acct:` is answered for this server's domain only.

#![no_main]

use std::sync::OnceLock;

use copse::Config;
use copse::federation::remote::webfinger::{Handle, self_link};
use copse::federation::routes::webfinger::{self as route, Target};
use copse::federation::urls::Urls;
use libfuzzer_sys::fuzz_target;

const DOMAIN: &str = "cop.example";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    if let Some(handle) = Handle::parse(text) {
        assert!(!handle.name.is_empty(), "{text:?} parsed without a name");
        assert!(!handle.host.is_empty(), "{text:?} parsed without a host");
        assert_eq!(handle.host, handle.host.to_ascii_lowercase());
        let written = format!("@{}@{}", handle.name, handle.host);
        match Handle::parse(&written) {
            Some(again) => {
                assert_eq!((again.name, again.host), (handle.name, handle.host));
            }
            None => panic!("{text:?} parsed, but not as written back: {written:?}"),
        }
    }

    let urls = urls();
    if let Some(target) = route::parse(text, DOMAIN, urls)
        && let Some(acct) = text.strip_prefix("acct:")
        && !matches!(target, Target::Instance)
    {
        let host = acct
            .rsplit_once('@')
            .map(|(_, host)| host)
            .unwrap_or_default();
        assert!(
            host.eq_ignore_ascii_case(DOMAIN),
            "{text:?} answered for another host"
        );
    }

    if let Ok(jrd) = serde_json::from_slice::<serde_json::Value>(data) {
        for prefers in [None, Some("Person"), Some("Group")] {
            let _ = self_link(&jrd, prefers);
        }
    }
});

fn urls() -> &'static Urls {
    static URLS: OnceLock<Urls> = OnceLock::new();
    URLS.get_or_init(|| {
        let config = Config::from_env(&|name| (name == "COPSE_DOMAIN").then(|| DOMAIN.into()));
        match config {
            Ok(config) => Urls::new(&config),
            Err(e) => panic!("the fuzz configuration does not load: {e}"),
        }
    })
}
