//! Blocklists in Mastodon's CSV format, as an admin imports them.
//!
//! Invariants: nothing panics; every domain read is non-empty, trimmed and lowercase; the
//! list copse writes from what it read reads back to the same entries (those that restrict
//! something: a `noop` entry without flags is not part of a written blocklist).

#![no_main]

use chrono::NaiveDateTime;
use copse::db::domain_policies::DomainPolicyRow;
use copse::federation::policy::Severity;
use copse::federation::policy::blocklist_csv::{BlocklistEntry, parse, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(entries) = parse(&text) else {
        return;
    };
    for e in &entries {
        assert!(!e.domain.is_empty(), "an empty domain was read");
        assert_eq!(e.domain, e.domain.trim(), "a domain kept spaces");
        assert_eq!(
            e.domain,
            e.domain.to_lowercase(),
            "a domain is not lowercase"
        );
    }

    let rows: Vec<DomainPolicyRow> = entries.iter().map(row).collect();
    let written = render(&rows);
    let again = match parse(&written) {
        Ok(again) => again,
        Err(e) => panic!("copse does not read the blocklist it wrote ({e}):\n{written}"),
    };
    let expected: Vec<&BlocklistEntry> = entries.iter().filter(|e| restricts(e)).collect();
    let again: Vec<&BlocklistEntry> = again.iter().collect();
    assert_eq!(again, expected, "written as:\n{written}");
});

fn restricts(e: &BlocklistEntry) -> bool {
    e.severity != Severity::None || e.reject_media || e.reject_reports
}

/// The stored rule an import makes of an entry.
fn row(e: &BlocklistEntry) -> DomainPolicyRow {
    DomainPolicyRow {
        domain: e.domain.clone(),
        severity: e.severity.as_str().to_string(),
        reject_media: e.reject_media,
        reject_reports: e.reject_reports,
        allowed: false,
        public_comment: e.public_comment.clone(),
        private_comment: None,
        obfuscate: e.obfuscate,
        created_at: NaiveDateTime::default(),
        updated_at: NaiveDateTime::default(),
    }
}
