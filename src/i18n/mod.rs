//! The interface's words, in each language it speaks.
//!
//! Every string a page shows comes from one catalogue per language (`i18n/<lang>.ftl`), so
//! a translation is one file to write and a test can check that none is missing. The files
//! use the simple part of Fluent's syntax (messages with `{ $name }` variables), which
//! translators' tools read; copse needs nothing more. A message missing from a language
//! falls back to English, and a key missing everywhere shows the key, never an empty page.

mod message;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use message::Message;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// Every language the interface speaks, English first (the fallback).
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag, for `<html lang>` and `Content-Language`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, for the language menu.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The best language for an `Accept-Language` header: the highest-weighted one spoken
    /// here, English when none is.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for (order, part) in header.split(',').take(32).enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let Some(lang) = Lang::from_code(tag) else {
                continue;
            };
            // Equal weights keep the order the browser gave.
            let weight = weight - order as f32 * 1e-4;
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("en.ftl"),
            Lang::Fr => include_str!("fr.ftl"),
        }
    }

    fn catalogue(self) -> &'static HashMap<&'static str, &'static str> {
        static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        static FR: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        let cell = match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        };
        cell.get_or_init(|| parse(self.source()))
    }

    /// The message `key`.
    pub fn t(self, key: &str) -> &str {
        if let Some(text) = self.catalogue().get(key) {
            return text;
        }
        if let Some(text) = Lang::En.catalogue().get(key) {
            return text;
        }
        tracing::warn!(key, "no such message in the interface's catalogue");
        key
    }

    /// The message `key` for a count: `key-one` where the language uses its singular form
    /// for `n` (English: 1; French: 0 and 1) and the catalogue has one, else `key`; with
    /// `{ $count }` filled in.
    pub fn count(self, key: &str, n: i64) -> String {
        let singular = match self {
            Lang::En => n == 1,
            Lang::Fr => n == 0 || n == 1,
        };
        let one = format!("{key}-one");
        let chosen = if singular && self.has(&one) {
            one.as_str()
        } else {
            key
        };
        fill(self.t(chosen), &[("count", &n.to_string())])
    }

    fn has(self, key: &str) -> bool {
        self.catalogue().contains_key(key) || Lang::En.catalogue().contains_key(key)
    }

    /// The message `key` with its `{ $name }` variables filled in.
    pub fn tv(self, key: &str, vars: &[(&str, &str)]) -> String {
        fill(self.t(key), vars)
    }
}

/// Fills `{ $name }` placeables; an unknown variable is left as written.
pub fn fill(message: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(message.len() + 16);
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let name = after[1..close].trim().trim_start_matches('$');
        match vars.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&after[..=close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Reads a catalogue: `key = text` lines, `#` comments, and continuation lines (indented)
/// joined with a space.
pub fn parse(source: &'static str) -> HashMap<&'static str, &'static str> {
    let mut messages = HashMap::new();
    let mut last: Option<&'static str> = None;
    for line in source.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            last = None;
            continue;
        }
        if line.starts_with(' ') {
            if let Some(key) = last
                && let Some(text) = messages.get_mut(key)
            {
                let joined: &'static str =
                    Box::leak(format!("{} {}", text, line.trim()).into_boxed_str());
                *text = joined;
            }
            continue;
        }
        if let Some((key, text)) = line.split_once('=') {
            let key = key.trim();
            messages.insert(key, text.trim());
            last = Some(key);
        }
    }
    messages
}

/// The keys of a language's catalogue (for the completeness test).
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut keys: Vec<_> = lang.catalogue().keys().copied().collect();
    keys.sort_unstable();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        let en = keys(Lang::En);
        for lang in Lang::ALL {
            let these = keys(lang);
            let missing: Vec<_> = en.iter().filter(|k| !these.contains(k)).collect();
            let extra: Vec<_> = these.iter().filter(|k| !en.contains(k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(extra.is_empty(), "{} has unknown {extra:?}", lang.code());
        }
    }

    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let en = keys(Lang::En);
        let mut unknown = Vec::new();
        for path in walk(std::path::Path::new(dir)) {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for quote in [".t(\"", ".tv(\"", ".count(\"", "Message::new(\""] {
                for (i, _) in text.match_indices(quote) {
                    let rest = &text[i + quote.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if !en.contains(&key) {
                        unknown.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "keys not in en.ftl: {unknown:#?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn the_browser_language_is_chosen_by_weight() {
        assert_eq!(
            Lang::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
        assert_eq!(Lang::from_accept_language("de,en;q=0.5,fr;q=0.7"), Lang::Fr);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::from_accept_language("fr;q=0"), Lang::En);
    }

    #[test]
    fn counts_take_the_singular_where_the_language_does() {
        assert_eq!(Lang::En.count("post-comments", 1), "1 comment");
        assert_eq!(Lang::En.count("post-comments", 0), "0 comments");
        assert_eq!(Lang::Fr.count("post-comments", 0), "0 commentaire");
        assert_eq!(Lang::Fr.count("post-comments", 2), "2 commentaires");
    }

    #[test]
    fn variables_are_filled_and_unknown_ones_kept() {
        assert_eq!(fill("Hello { $name }!", &[("name", "Ana")]), "Hello Ana!");
        assert_eq!(fill("{ $x } and {y}", &[]), "{ $x } and {y}");
    }
}
