//! Which local actor an ActivityPub id names, and the key that signs on its behalf.

use url::Url;

use super::actors;
use super::signatures::RequestSigner;
use super::urls::Urls;
use crate::accounts::{AccountStatus, User};
use crate::app::App;
use crate::communities::Community;
use crate::db::{communities, users};
use crate::error::{Error, ErrorCode, Result};

/// A local person, community or the instance itself.
#[derive(Debug, Clone)]
pub enum LocalActor {
    Person(User),
    Community(Community),
    Instance,
}

impl LocalActor {
    /// The actor's ActivityPub id.
    pub fn ap_id(&self, urls: &Urls) -> String {
        match self {
            LocalActor::Person(u) => urls.person(&u.username),
            LocalActor::Community(c) => urls.community(&c.name),
            LocalActor::Instance => urls.instance_actor(),
        }
    }
}

/// The local actor with this id, if the id is ours and names an existing actor. Only active
/// accounts count: a pending or rejected sign-up is nobody to the fediverse.
pub async fn find(app: &App, id: &str) -> Result<Option<LocalActor>> {
    let urls = Urls::new(&app.config);
    let Some(path) = id.strip_prefix(urls.base()) else {
        return Ok(None);
    };
    // The reporting actor is a face of the instance: it signs with the instance's key,
    // under its own key id (see `signer`).
    if path == "/actor" || path == "/actor/reports" {
        return Ok(Some(LocalActor::Instance));
    }
    let (kind, name) = match path.split_once('/').map(|(_, rest)| rest.split_once('/')) {
        Some(Some((kind, name))) if !name.is_empty() && !name.contains('/') => {
            (kind.to_string(), name.to_string())
        }
        _ => return Ok(None),
    };
    match kind.as_str() {
        "u" => Ok(app
            .db
            .run(move |c| Ok(users::find_by_username(c, &name)?))
            .await?
            .filter(|u| u.status() == AccountStatus::Active)
            .map(LocalActor::Person)),
        "c" => Ok(app
            .db
            .run(move |c| Ok(communities::find_by_name(c, &name)?))
            .await?
            .map(LocalActor::Community)),
        _ => Ok(None),
    }
}

/// A local person whose account was deleted: nobody to the fediverse, but the `Delete`
/// announcing it is still theirs to sign while it is being delivered.
async fn deleted_person(app: &App, id: &str) -> Result<Option<LocalActor>> {
    let urls = Urls::new(&app.config);
    let Some(name) = id
        .strip_prefix(urls.base())
        .and_then(|path| path.strip_prefix("/u/"))
        .filter(|name| !name.is_empty() && !name.contains('/'))
        .map(str::to_string)
    else {
        return Ok(None);
    };
    Ok(app
        .db
        .run(move |c| Ok(users::find_by_username(c, &name)?))
        .await?
        .filter(|u| u.status() == AccountStatus::Deleted)
        .map(LocalActor::Person))
}

/// True when `url` is on this server.
pub fn is_local(app: &App, url: &Url) -> bool {
    super::protocol::envelope::authority(url) == app.config.domain
}

/// A signer holding the private key of the local actor `ap_id`.
pub async fn signer(app: &App, ap_id: &str) -> Result<RequestSigner> {
    let actor = match find(app, ap_id).await? {
        Some(actor) => actor,
        None => deleted_person(app, ap_id).await?.ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("{ap_id} is not a local actor that can sign"),
            )
        })?,
    };
    let private_pem = match &actor {
        LocalActor::Person(user) => actors::person_key_pair(&app.db, user).await?.private_pem,
        LocalActor::Community(c) => {
            let id = c.id;
            app.db
                .run(move |conn| Ok(communities::private_key(conn, id)?))
                .await?
                .ok_or_else(|| Error::internal("community key missing"))?
        }
        LocalActor::Instance => actors::instance_key(&app.db).await?.private_pem,
    };
    RequestSigner::from_pem(Urls::key_id(ap_id), &private_pem)
}
