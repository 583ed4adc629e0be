//! Reading the addressing of incoming content: whether it is public, and whom it names.

use serde_json::Value;

/// Whether an incoming object or activity is addressed to the public.
pub fn is_public(values: &[&Value]) -> bool {
    values.iter().any(|v| {
        ["to", "cc"].iter().any(|field| {
            addressees(v.get(*field)).iter().any(|a| {
                a == crate::federation::protocol::PUBLIC || a == "as:Public" || a == "Public"
            })
        })
    })
}

/// The ids in a `to`/`cc` field (a string or a list).
pub fn addressees(field: Option<&Value>) -> Vec<String> {
    match field {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}
