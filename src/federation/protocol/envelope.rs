//! The outer shape every incoming activity must have before anything else is looked at:
//! an id, a type and an actor. Read first and cheaply, so that a request can be refused
//! (wrong origin, already seen) before any key is fetched or signature checked.

use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::objects::de;
use crate::error::{Error, ErrorCode, Result};

/// The parts of an activity that decide whether and how it is processed.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub id: Url,
    pub kind: String,
    /// The actor's id (an embedded actor object is reduced to its id).
    pub actor: Url,
    /// The whole activity.
    pub json: Value,
}

impl Envelope {
    /// Parses a request body. Fails with `activity_invalid` on anything that is not a JSON
    /// object with an http(s) `id`, a string `type` and an `actor`.
    pub fn parse(body: &[u8]) -> Result<Envelope> {
        let json: Value = serde_json::from_slice(body)
            .map_err(|e| invalid(format!("the body is not JSON: {e}")))?;
        Self::from_json(json)
    }

    pub fn from_json(json: Value) -> Result<Envelope> {
        if !json.is_object() {
            return Err(invalid("an activity must be a JSON object".into()));
        }
        let id = http_url(json.get("id"), "id")?;
        let kind = json
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty() && t.len() <= 64)
            .ok_or_else(|| invalid("the activity has no type".into()))?
            .to_string();
        let actor = http_url(id_of(json.get("actor")), "actor")?;
        Ok(Envelope {
            id,
            kind,
            actor,
            json,
        })
    }

    /// The `object`, which may be an id or an embedded object.
    pub fn object(&self) -> Option<&Value> {
        self.json.get("object")
    }

    /// The id of the `object`, whether it is given as a string or embedded.
    pub fn object_id(&self) -> Option<Url> {
        id_of(self.object())
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
    }
}

/// What an activity names, each as an id whatever shape the sender gave it: read from an
/// embedded activity (the Follow an Accept answers, the Join a community accepts) or an
/// Invite's own `target`. A bare id names only itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Named {
    #[serde(default, deserialize_with = "de::optional_id")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::optional_id")]
    pub actor: Option<String>,
    #[serde(default, deserialize_with = "de::optional_id")]
    pub object: Option<String>,
    #[serde(default, deserialize_with = "de::optional_id")]
    pub target: Option<String>,
}

impl Named {
    /// What `value` names; nothing when it cannot be read.
    pub fn of(value: &Value) -> Named {
        match value {
            Value::String(id) => Named {
                id: Some(id.clone()),
                ..Named::default()
            },
            other => Named::deserialize(other).unwrap_or_default(),
        }
    }
}

/// The id of a value that is either an id string or an object with an `id`.
pub fn id_of(value: Option<&Value>) -> Option<&Value> {
    match value {
        Some(Value::Object(map)) => map.get("id"),
        Some(Value::Array(items)) if items.len() == 1 => id_of(items.first()),
        other => other,
    }
}

/// The `host[:port]` that owns an id: two ids with the same authority come from one server.
pub fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        (None, _) => String::new(),
    }
}

fn http_url(value: Option<&Value>, field: &str) -> Result<Url> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("the activity has no {field}")))?;
    let url = Url::parse(text).map_err(|_| invalid(format!("{field} is not a URL")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(invalid(format!("{field} is not an http(s) URL")));
    }
    Ok(url)
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::ActivityInvalid, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedded_actor_is_reduced_to_its_id() {
        let env = Envelope::parse(
            br#"{"id":"https://a.example/1","type":"Follow","actor":{"id":"https://a.example/u/x"},"object":"https://b.example/c/y"}"#,
        )
        .unwrap();
        assert_eq!(env.actor.as_str(), "https://a.example/u/x");
        assert_eq!(env.object_id().unwrap().as_str(), "https://b.example/c/y");
    }

    #[test]
    fn bodies_without_the_essentials_are_refused() {
        for body in [
            &b"[]"[..],
            b"not json",
            br#"{"type":"Follow","actor":"https://a.example/u/x"}"#,
            br#"{"id":"https://a.example/1","actor":"https://a.example/u/x"}"#,
            br#"{"id":"https://a.example/1","type":"Follow"}"#,
            br#"{"id":"ftp://a.example/1","type":"Follow","actor":"https://a.example/u/x"}"#,
        ] {
            let err = Envelope::parse(body).unwrap_err();
            assert_eq!(err.code(), ErrorCode::ActivityInvalid);
        }
    }

    #[test]
    fn authority_keeps_explicit_ports_apart() {
        let a = Url::parse("http://127.0.0.1:4001/u/x").unwrap();
        let b = Url::parse("http://127.0.0.1:4002/u/x").unwrap();
        assert_ne!(authority(&a), authority(&b));
        assert_eq!(
            authority(&Url::parse("https://Lemmy.World/c/x").unwrap()),
            "lemmy.world"
        );
    }
}
