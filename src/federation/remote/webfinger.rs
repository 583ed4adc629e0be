//! Turning a handle (`@name@host`, `!name@host`, `name@host`) into an actor id, by asking
//! the handle's server over WebFinger (RFC 7033).

use http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::discovery::{Jrd, JrdLink};

/// A parsed handle: `name` at `host` (host may carry a port in development).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    pub name: String,
    pub host: String,
    /// The actor type the handle's form asks for: `Group` for `!name@host`, `Person` for
    /// `@name@host`. Lemmy lets a person and a community share a name, and answers
    /// WebFinger with both; the form decides.
    pub prefers: Option<&'static str>,
}

impl Handle {
    /// Parses `@name@host`, `!name@host` (Lemmy's community form), `name@host` and
    /// `acct:name@host`.
    pub fn parse(input: &str) -> Option<Handle> {
        let s = input.trim();
        let s = s.strip_prefix("acct:").unwrap_or(s);
        let prefers = match s.chars().next() {
            Some('!') => Some("Group"),
            Some('@') => Some("Person"),
            _ => None,
        };
        let s = s.strip_prefix(['@', '!']).unwrap_or(s);
        let (name, host) = s.split_once('@')?;
        let valid_name = !name.is_empty()
            && name.len() <= 255
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        let valid_host = !host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        (valid_name && valid_host).then(|| Handle {
            name: name.to_string(),
            host: host.to_ascii_lowercase(),
            prefers,
        })
    }
}

/// Asks `handle.host` for the actor id of `handle` and returns it. The id must be on the
/// handle's own host: a server may only vouch for its own actors.
pub async fn lookup(app: &App, handle: &Handle) -> Result<Url> {
    let scheme = app.config.scheme();
    let mut url = Url::parse(&format!("{scheme}://{}/.well-known/webfinger", handle.host))
        .map_err(|_| invalid_handle(handle))?;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{}@{}", handle.name, handle.host));
    let jrd = app
        .fetcher
        .get_json(
            &url,
            "application/jrd+json, application/json",
            HeaderMap::new(),
        )
        .await?;
    let id = self_link(&jrd.json, handle.prefers).ok_or_else(|| {
        Error::new(
            ErrorCode::RemoteActorInvalid,
            format!(
                "{} has no ActivityPub actor for {}",
                handle.host, handle.name
            ),
        )
    })?;
    Ok(id)
}

/// The `self` link whose type is ActivityPub JSON: the one of the preferred actor type when
/// several are offered, else the first. Public so that the fuzz targets can reach it.
pub fn self_link(jrd: &Value, prefers: Option<&str>) -> Option<Url> {
    let jrd = Jrd::deserialize(jrd).ok()?;
    let links: Vec<&JrdLink> = jrd
        .links
        .iter()
        .filter(|l| l.rel == "self")
        .filter(|l| {
            l.kind.as_deref().is_some_and(|t| {
                t.starts_with("application/activity+json") || t.starts_with("application/ld+json")
            })
        })
        .collect();
    let kind_of = |l: &JrdLink| {
        l.properties
            .as_ref()
            .and_then(|p| p.get("https://www.w3.org/ns/activitystreams#type"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let chosen = prefers
        .and_then(|want| links.iter().find(|l| kind_of(l).as_deref() == Some(want)))
        .or_else(|| links.first())?;
    chosen
        .href
        .as_deref()
        .and_then(|href| Url::parse(href).ok())
}

fn invalid_handle(handle: &Handle) -> Error {
    Error::new(
        ErrorCode::HandleInvalid,
        format!("{}@{} is not a valid handle", handle.name, handle.host),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_in_every_usual_form_parse() {
        for input in [
            "@nursing@cop.example.org",
            "!nursing@cop.example.org",
            "nursing@cop.example.org",
            "acct:nursing@Cop.Example.org",
        ] {
            let h = Handle::parse(input).unwrap();
            assert_eq!(
                (h.name.as_str(), h.host.as_str()),
                ("nursing", "cop.example.org"),
                "{input}"
            );
        }
        assert_eq!(
            Handle::parse("a@127.0.0.1:4001").unwrap().host,
            "127.0.0.1:4001"
        );
    }

    #[test]
    fn non_handles_do_not_parse() {
        for input in [
            "",
            "nursing",
            "@nursing",
            "a@b/c",
            "a b@host",
            "@a@host?x=1",
            "a@",
        ] {
            assert_eq!(Handle::parse(input), None, "{input}");
        }
    }

    #[test]
    fn the_activitypub_self_link_is_chosen() {
        let jrd: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/lemmy-0.19-live/alpha_webfinger_group.json"
        ))
        .unwrap();
        let link = self_link(&jrd, None).unwrap();
        assert!(link.path().starts_with("/c/"), "{link}");
    }

    #[test]
    fn a_shared_name_resolves_to_the_type_the_handle_asks_for() {
        let jrd = serde_json::json!({"links": [
            {"rel": "self", "type": "application/activity+json", "href": "https://l.example/u/x",
             "properties": {"https://www.w3.org/ns/activitystreams#type": "Person"}},
            {"rel": "self", "type": "application/activity+json", "href": "https://l.example/c/x",
             "properties": {"https://www.w3.org/ns/activitystreams#type": "Group"}}
        ]});
        let group = Handle::parse("!x@l.example").unwrap();
        assert_eq!(self_link(&jrd, group.prefers).unwrap().path(), "/c/x");
        let person = Handle::parse("@x@l.example").unwrap();
        assert_eq!(self_link(&jrd, person.prefers).unwrap().path(), "/u/x");
        assert_eq!(self_link(&jrd, None).unwrap().path(), "/u/x");
    }
}
