//! From what a user types (`!nursing@cop.example`, `@ana@mastodon.example`, a URL) to an
//! actor: a local lookup for this server's names, WebFinger and a fetch for others.

use url::Url;

use super::model::ActorView;
use crate::app::App;
use crate::db::remote_actors::CachedActor;
use crate::db::{communities, follows, names, users};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::local::{self, LocalActor};
use crate::federation::remote;
use crate::federation::remote::webfinger::{self, Handle};
use crate::federation::urls::Urls;

/// An actor something can follow.
#[derive(Debug, Clone)]
pub enum Target {
    Local(LocalActor),
    Remote(CachedActor),
}

impl Target {
    pub fn ap_id(&self, urls: &Urls) -> String {
        match self {
            Target::Local(l) => l.ap_id(urls),
            Target::Remote(r) => r.ap_id.clone(),
        }
    }
}

/// Resolves a handle or an actor URL.
pub async fn resolve(app: &App, query: &str) -> Result<Target> {
    let query = query.trim();
    if query.starts_with("https://") || query.starts_with("http://") {
        let url = Url::parse(query).map_err(|_| invalid(query))?;
        if local::is_local(app, &url) {
            return local::find(app, url.as_str())
                .await?
                .map(Target::Local)
                .ok_or_else(|| not_found(query));
        }
        return Ok(Target::Remote(remote::actor(app, &url).await?));
    }
    let handle = Handle::parse(query).ok_or_else(|| invalid(query))?;
    if handle.host == app.config.domain {
        return local_by_name(app, &handle.name)
            .await?
            .map(Target::Local)
            .ok_or_else(|| not_found(query));
    }
    let id = webfinger::lookup(app, &handle).await?;
    Ok(Target::Remote(remote::actor(app, &id).await?))
}

async fn local_by_name(app: &App, name: &str) -> Result<Option<LocalActor>> {
    let urls = Urls::new(&app.config);
    let name = name.to_ascii_lowercase();
    let lookup = name.clone();
    let kind = app.db.run(move |c| Ok(names::holder(c, &lookup)?)).await?;
    let id = match kind {
        Some(names::NameKind::Community) => urls.community(&name),
        Some(names::NameKind::Person) => urls.person(&name),
        None => return Ok(None),
    };
    local::find(app, &id).await
}

/// The view of a target, with its follower count where copse knows it.
pub async fn view_of(app: &App, target: &Target) -> Result<ActorView> {
    let urls = Urls::new(&app.config);
    let domain = &app.config.domain;
    Ok(match target {
        Target::Local(LocalActor::Community(c)) => {
            let id = c.id;
            let followers = app
                .db
                .run(move |conn| Ok(follows::count_community_followers(conn, id)?))
                .await?;
            ActorView {
                kind: "community",
                actor_id: urls.community(&c.name),
                handle: format!("!{}@{domain}", c.name),
                name: c.name.clone(),
                display_name: Some(c.title.clone()),
                local: true,
                followers: Some(followers),
                manually_approves_followers: c.manually_approves_followers(),
            }
        }
        Target::Local(LocalActor::Person(u)) => {
            let ap_id = urls.person(&u.username);
            let key = ap_id.clone();
            let followers = app
                .db
                .run(move |conn| Ok(follows::count_followers(conn, &key)?))
                .await?;
            ActorView {
                kind: "person",
                actor_id: ap_id,
                handle: format!("@{}@{domain}", u.username),
                name: u.username.clone(),
                display_name: None,
                local: true,
                followers: Some(followers),
                manually_approves_followers: false,
            }
        }
        Target::Local(LocalActor::Instance) => ActorView {
            kind: "service",
            actor_id: urls.instance_actor(),
            handle: format!("@{domain}@{domain}"),
            name: domain.clone(),
            display_name: None,
            local: true,
            followers: None,
            manually_approves_followers: true,
        },
        Target::Remote(r) => {
            let (kind, sigil) = match r.kind.as_str() {
                "Group" => ("community", '!'),
                "Person" => ("person", '@'),
                _ => ("service", '@'),
            };
            ActorView {
                kind,
                actor_id: r.ap_id.clone(),
                handle: format!("{sigil}{}@{}", r.username, r.domain),
                name: r.username.clone(),
                display_name: r.display_name.clone(),
                local: false,
                followers: None,
                manually_approves_followers: r.manually_approves_followers,
            }
        }
    })
}

/// The view of a follow's target from its stored ids, without any fetch.
pub(super) async fn stored_target(
    app: &App,
    row: &crate::db::follows::FollowRow,
) -> Result<Option<Target>> {
    if let Some(id) = row.target_remote_id {
        return Ok(app
            .db
            .run(move |c| Ok(crate::db::remote_actors::find(c, id)?))
            .await?
            .map(Target::Remote));
    }
    if let Some(id) = row.target_community_id {
        return Ok(app
            .db
            .run(move |c| Ok(communities::find(c, id)?))
            .await?
            .map(|c| Target::Local(LocalActor::Community(c))));
    }
    if let Some(id) = row.target_user_id {
        return Ok(app
            .db
            .run(move |c| Ok(users::find(c, id)?))
            .await?
            .map(|u| Target::Local(LocalActor::Person(u))));
    }
    Ok(None)
}

fn invalid(query: &str) -> Error {
    Error::new(
        ErrorCode::HandleInvalid,
        format!("{query:?} is not a handle (@name@host, !name@host) or an actor URL"),
    )
}

fn not_found(query: &str) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!("no actor {query} on this server"),
    )
}

/// The follower count a remote actor publishes (`totalItems` of its followers collection),
/// when it answers within a few seconds; `None` otherwise. Shown when a user resolves an
/// actor, never stored.
pub async fn remote_followers(app: &App, actor: &CachedActor) -> Option<i64> {
    let url = Url::parse(actor.followers_url.as_deref()?).ok()?;
    if crate::federation::protocol::envelope::authority(&url) != actor.domain {
        return None;
    }
    let fetched = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        crate::federation::remote::signed_fetch::get(app, &url),
    )
    .await
    .ok()?
    .ok()?;
    fetched
        .json
        .get("totalItems")
        .and_then(serde_json::Value::as_i64)
}
