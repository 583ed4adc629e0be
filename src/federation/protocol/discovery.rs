//! WebFinger (RFC 7033) and NodeInfo 2.1 documents.

use serde::{Deserialize, Serialize};

/// A JSON Resource Descriptor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Jrd {
    /// Some servers leave it out of their answers; the links are what matter.
    #[serde(default)]
    pub subject: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub links: Vec<JrdLink>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JrdLink {
    #[serde(default)]
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The link relation FEP-d556 gives the server-level actor.
pub const REL_SERVICE: &str = "https://www.w3.org/ns/activitystreams#Service";
/// The link relation FEP-2677 gives the application actor in the NodeInfo index.
pub const REL_APPLICATION: &str = "https://www.w3.org/ns/activitystreams#Application";
pub const REL_NODEINFO_21: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";
/// WebFinger's link to a person's "follow from your own server" page (OStatus' name,
/// which Mastodon and others still read).
pub const REL_SUBSCRIBE: &str = "http://ostatus.org/schema/1.0/subscribe";
pub const REL_PROFILE_PAGE: &str = "http://webfinger.net/rel/profile-page";
