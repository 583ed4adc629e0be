//! Real payloads from other servers (tests/fixtures/), rewritten onto test servers.

use serde_json::Value;

/// The fixture at `path` under tests/fixtures/.
pub fn fixture(path: &str) -> Value {
    let file = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// `value` with every `from` replaced by its `to`, in order, in every string.
pub fn rewrite(value: Value, pairs: &[(String, String)]) -> Value {
    match value {
        Value::String(mut s) => {
            for (from, to) in pairs {
                if s.contains(from.as_str()) {
                    s = s.replace(from.as_str(), to);
                }
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| rewrite(v, pairs)).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, rewrite(v, pairs)))
                .collect(),
        ),
        other => other,
    }
}
