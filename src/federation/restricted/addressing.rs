//! Reading the addressing of incoming content: whether it is public, and whom it names.

use serde::Deserialize;
use serde_json::Value;

use crate::federation::protocol::objects::{de, is_public_address};

/// The `to`, `cc` and `audience` of an incoming activity or object, read as the wire model
/// reads them (a string, a list, or embedded objects with ids).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Addressing {
    #[serde(default, deserialize_with = "de::ids")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "de::ids")]
    pub cc: Vec<String>,
    #[serde(default, deserialize_with = "de::optional_id")]
    pub audience: Option<String>,
}

impl Addressing {
    /// The addressing of `value`; a document whose addressing cannot be read addresses
    /// no one (and so is not public).
    pub fn of(value: &Value) -> Addressing {
        Addressing::deserialize(value).unwrap_or_default()
    }

    /// Everyone named in `to` and `cc`.
    pub fn named(&self) -> impl Iterator<Item = &str> {
        self.to.iter().chain(&self.cc).map(String::as_str)
    }

    /// Whether it is addressed to the public.
    pub fn is_public(&self) -> bool {
        self.named().any(is_public_address)
    }
}
