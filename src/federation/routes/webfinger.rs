//! `GET /.well-known/webfinger`: finds local people and communities by `acct:name@domain`
//! or by their actor URL, and the instance actor by the server's origin (FEP-d556) or by
//! `acct:domain@domain` (as Mastodon does).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::App;
use crate::db::names::{self, NameKind};
use crate::db::users;
use crate::error::{Error, ErrorCode, Result};
use crate::federation::protocol::ACTIVITY_JSON;
use crate::federation::protocol::discovery::{
    Jrd, JrdLink, REL_PROFILE_PAGE, REL_SERVICE, REL_SUBSCRIBE,
};
use crate::federation::urls::Urls;

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
    /// RFC 7033 lets a client ask for some link relations only.
    #[serde(default)]
    rel: Option<String>,
}

/// What a resource names.
pub enum Target {
    /// The server itself (its instance actor).
    Instance,
    /// A local person or community, by name.
    Local(String),
}

fn not_found(resource: &str) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!("no local actor for {resource}"),
    )
}

/// What `resource` (an `acct:` URI, an actor URL or the server's origin) names on the server
/// at `domain`; `None` for anything else. Public so that the fuzz targets can reach it.
pub fn parse(resource: &str, domain: &str, urls: &Urls) -> Option<Target> {
    if resource == urls.origin() || resource == urls.base() || resource == urls.instance_actor() {
        return Some(Target::Instance);
    }
    if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.strip_prefix('@').unwrap_or(acct);
        let (name, host) = acct.rsplit_once('@')?;
        if !host.eq_ignore_ascii_case(domain) {
            return None;
        }
        if name.eq_ignore_ascii_case(domain) {
            return Some(Target::Instance);
        }
        return Some(Target::Local(name.to_ascii_lowercase()));
    }
    for prefix in [format!("{}/u/", urls.base()), format!("{}/c/", urls.base())] {
        if let Some(name) = resource.strip_prefix(&prefix) {
            return Some(Target::Local(name.to_string()));
        }
    }
    None
}

fn self_link(rel: &str, href: String, kind: &str) -> JrdLink {
    let mut properties = serde_json::Map::new();
    properties.insert(
        "https://www.w3.org/ns/activitystreams#type".into(),
        serde_json::Value::String(kind.into()),
    );
    JrdLink {
        rel: rel.into(),
        kind: Some(ACTIVITY_JSON.into()),
        href: Some(href),
        template: None,
        properties: Some(properties),
    }
}

fn profile_link(href: String) -> JrdLink {
    JrdLink {
        rel: REL_PROFILE_PAGE.into(),
        kind: Some("text/html".into()),
        href: Some(href),
        template: None,
        properties: None,
    }
}

pub async fn webfinger(
    State(app): State<App>,
    Query(q): Query<WebfingerQuery>,
) -> Result<Response> {
    let resource = q.resource.filter(|r| !r.is_empty()).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            "the resource parameter is required",
        )
    })?;
    let urls = Urls::new(&app.config);
    let domain = app.config.domain.clone();
    let target = parse(&resource, &domain, &urls).ok_or_else(|| not_found(&resource))?;
    let mut jrd = match target {
        Target::Instance => {
            let id = urls.instance_actor();
            Jrd {
                subject: resource.clone(),
                aliases: vec![id.clone()],
                links: vec![
                    self_link(REL_SERVICE, id.clone(), "Application"),
                    // No person owns the origin, so `self` is unambiguous (FEP-d556).
                    self_link("self", id, "Application"),
                    profile_link(urls.origin()),
                ],
            }
        }
        Target::Local(name) => {
            let lookup = name.clone();
            let kind = app
                .db
                .run(move |c| {
                    let kind = names::holder(c, &lookup)?;
                    // A person who cannot log in yet (pending) is not discoverable.
                    if kind == Some(NameKind::Person) {
                        let active = users::find_by_username(c, &lookup)?
                            .is_some_and(|u| u.status() == crate::accounts::AccountStatus::Active);
                        return Ok(active.then_some(NameKind::Person));
                    }
                    Ok(kind)
                })
                .await?
                .ok_or_else(|| not_found(&resource))?;
            let (id, as_type) = match kind {
                NameKind::Person => (urls.person(&name), "Person"),
                NameKind::Community => (urls.community(&name), "Group"),
            };
            let mut links = vec![
                profile_link(id.clone()),
                self_link("self", id.clone(), as_type),
            ];
            if kind == NameKind::Person {
                // Where this person's server lets them follow something seen elsewhere
                // ("follow from your own server"), as Mastodon publishes it.
                links.push(JrdLink {
                    rel: REL_SUBSCRIBE.into(),
                    kind: None,
                    href: None,
                    template: Some(format!("{}/authorize_interaction?uri={{uri}}", urls.base())),
                    properties: None,
                });
            }
            Jrd {
                subject: format!("acct:{name}@{domain}"),
                aliases: vec![id.clone()],
                links,
            }
        }
    };
    if let Some(rel) = q.rel {
        jrd.links.retain(|l| l.rel == rel);
    }
    Ok((
        [
            (CONTENT_TYPE, "application/jrd+json"),
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(jrd),
    )
        .into_response())
}
