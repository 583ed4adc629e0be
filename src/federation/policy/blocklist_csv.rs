//! Blocklists in Mastodon's CSV format, to share them between servers.
//!
//! The format Mastodon exports (and copse writes):
//! `#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`, one domain
//! a line, severity `suspend` (copse's block), `silence` (limit) or `noop` (none). Imports
//! also take the same header without `#`, and Mastodon's older files of bare domains, one a
//! line, without a header (each one a block). Fields may be quoted as in RFC 4180 within
//! one line, and hold no control character but a tab. A file with any bad line is refused
//! whole, naming the line.

use crate::db::domain_policies::DomainPolicyRow;
use crate::error::{Error, ErrorCode, Result};

use super::Severity;
use super::domain::normalize;

/// The header copse writes.
pub const HEADER: &str =
    "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate";

/// Most lines one import takes.
pub const MAX_LINES: usize = 200_000;

/// Largest blocklist one import takes, in bytes: 200,000 lines of Mastodon's CSV with
/// public comments. Imports have their own limit, above `http.max_body_bytes`, because
/// merged blocklists shared between servers are several megabytes.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// One line of a blocklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlocklistEntry {
    pub domain: String,
    pub severity: Severity,
    pub reject_media: bool,
    pub reject_reports: bool,
    pub public_comment: Option<String>,
    pub obfuscate: bool,
}

const COLUMNS: [&str; 6] = [
    "domain",
    "severity",
    "reject_media",
    "reject_reports",
    "public_comment",
    "obfuscate",
];

/// Parses a blocklist; `blocklist_invalid` naming the first bad line.
pub fn parse(text: &str) -> Result<Vec<BlocklistEntry>> {
    let mut columns: Option<Vec<String>> = None;
    let mut entries = Vec::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        if number > MAX_LINES {
            return Err(bad(
                number,
                &format!("a blocklist may have at most {MAX_LINES} lines"),
            ));
        }
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        // Checked here, with the rest of the list, so that a bad line imports nothing: a NUL
        // would otherwise fail the write on PostgreSQL after earlier batches were saved (and
        // be stored on SQLite), and a carriage return inside a line is not something the
        // export can write back. A tab is harmless.
        if line.chars().any(|c| c.is_control() && c != '\t') {
            return Err(bad(number, "the line holds a control character"));
        }
        let fields = split(line).ok_or_else(|| bad(number, "a quoted field is not closed"))?;
        if first {
            first = false;
            let names: Vec<String> = fields
                .iter()
                .map(|f| f.trim().trim_start_matches('#').to_ascii_lowercase())
                .collect();
            if names.first().map(String::as_str) == Some("domain") {
                if let Some(unknown) = names.iter().find(|n| !COLUMNS.contains(&n.as_str())) {
                    return Err(bad(number, &format!("unknown column {unknown:?}")));
                }
                columns = Some(names);
                continue;
            }
        }
        let names: Vec<String> = match &columns {
            Some(c) => c.clone(),
            None => COLUMNS.iter().map(|c| c.to_string()).collect(),
        };
        if fields.len() > names.len() {
            return Err(bad(
                number,
                &format!("{} fields where {} are expected", fields.len(), names.len()),
            ));
        }
        entries.push(entry(number, &names, &fields)?);
    }
    Ok(entries)
}

fn entry(number: usize, names: &[String], fields: &[String]) -> Result<BlocklistEntry> {
    let get = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .and_then(|i| fields.get(i))
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
    };
    let domain = get("domain").ok_or_else(|| bad(number, "the domain is missing"))?;
    let domain = normalize(domain).map_err(|e| bad(number, e.message()))?;
    let severity = match get("severity").map(str::to_ascii_lowercase).as_deref() {
        None | Some("suspend") | Some("block") => Severity::Block,
        Some("silence") | Some("limit") => Severity::Limit,
        Some("noop") | Some("none") => Severity::None,
        Some(other) => {
            return Err(bad(
                number,
                &format!("severity {other:?} is not suspend, silence or noop"),
            ));
        }
    };
    let flag = |name: &str| -> Result<bool> {
        match get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(other) => Err(bad(
                number,
                &format!("{name} is {other:?}, not true or false"),
            )),
        }
    };
    Ok(BlocklistEntry {
        domain,
        severity,
        reject_media: flag("reject_media")?,
        reject_reports: flag("reject_reports")?,
        public_comment: get("public_comment").map(str::to_string),
        obfuscate: flag("obfuscate")?,
    })
}

/// The fields of one CSV line; `None` when a quote is left open.
fn split(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, ch) => field.push(ch),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

fn bad(line: usize, why: &str) -> Error {
    Error::new(ErrorCode::BlocklistInvalid, format!("line {line}: {why}"))
}

/// The rules as a Mastodon CSV: every rule that restricts something (allowlist entries
/// that restrict nothing are not part of a blocklist).
pub fn render(rules: &[DomainPolicyRow]) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for rule in rules {
        let severity = match Severity::parse(&rule.severity) {
            Some(Severity::Block) | None => "suspend",
            Some(Severity::Limit) => "silence",
            Some(Severity::None) if rule.reject_media || rule.reject_reports => "noop",
            Some(Severity::None) => continue,
        };
        let fields = [
            rule.domain.clone(),
            severity.to_string(),
            rule.reject_media.to_string(),
            rule.reject_reports.to_string(),
            rule.public_comment.clone().unwrap_or_default(),
            rule.obfuscate.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.trim() != field {
        format!(
            "\"{}\"",
            field.replace('"', "\"\"").replace(['\n', '\r'], " ")
        )
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mastodon_exports_old_lists_and_headers_without_hashes_parse() {
        let new = parse(&format!(
            "{HEADER}\nspam.example,suspend,true,false,\"spam, and more\",false\nloud.example,silence,false,false,,true\n"
        ))
        .unwrap();
        assert_eq!(new.len(), 2);
        assert_eq!(new[0].public_comment.as_deref(), Some("spam, and more"));
        assert_eq!(new[1].severity, Severity::Limit);
        assert!(new[1].obfuscate);
        let old = parse("spam.example\n\n*.bad.example\n").unwrap();
        assert_eq!(old[1].domain, "bad.example");
        assert_eq!(old[1].severity, Severity::Block);
        let plain = parse("domain,severity\nx.example,noop\n").unwrap();
        assert_eq!(plain[0].severity, Severity::None);
    }

    #[test]
    fn a_bad_line_is_named() {
        for (text, line) in [
            (
                "#domain,#severity\nok.example,suspend\nnot a domain,suspend\n",
                "line 3",
            ),
            ("ok.example,explode\n", "line 1"),
            ("#domain,#colour\n", "line 1"),
            ("ok.example,suspend,maybe\n", "line 1"),
            ("\"ok.example\n", "line 1"),
            ("a.example,suspend,false,false,,false,extra\n", "line 1"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BlocklistInvalid);
            assert!(
                err.message().starts_with(line),
                "{text:?}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn a_control_character_in_a_field_is_refused() {
        // A NUL would be stored on SQLite and fail the write on PostgreSQL after the whole
        // list was checked; a carriage return inside a line is not one the export can write
        // back (it writes a space).
        for text in [
            "#domain,#severity,#public_comment\nok.example,suspend,spam\0and more\n",
            "d,,,,x\ry\n",
            "ok.example\u{7}\n",
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BlocklistInvalid, "{text:?}");
        }
        let tab = parse("ok.example,suspend,,,spam\tand more\r\n").unwrap();
        assert_eq!(tab[0].public_comment.as_deref(), Some("spam\tand more"));
    }
}
