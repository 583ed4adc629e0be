//! GETs of remote ActivityPub documents, signed by the instance actor.
//!
//! Servers in secure mode (Mastodon's `AUTHORIZED_FETCH`, copse's own
//! `federation.authorized_fetch`) answer only signed fetches. Signing as the instance actor
//! rather than as a person keeps users' keys out of requests they did not make, and lets
//! peers exempt a single key from their own checks when they fetch it back.

use chrono::Utc;
use http::{HeaderMap, Method};
use url::Url;

use crate::app::App;
use crate::error::Result;
use crate::federation::actors;
use crate::federation::fetch::{ACCEPT_ACTIVITY, FetchedJson};
use crate::federation::signatures::{RequestSigner, Scheme};
use crate::federation::urls::Urls;

/// Fetches `url` as ActivityPub JSON with every hop signed by the instance actor.
pub async fn get(app: &App, url: &Url) -> Result<FetchedJson> {
    let key = actors::instance_key(&app.db).await?;
    let urls = Urls::new(&app.config);
    let signer = RequestSigner::from_pem(Urls::key_id(&urls.instance_actor()), &key.private_pem)?;
    app.fetcher
        .get_json_with(url, ACCEPT_ACTIVITY, |hop| {
            let mut headers = HeaderMap::new();
            // The digest of the empty body is signed too: strict verifiers (Lemmy 1.0's)
            // refuse a signature without one, and the others check it and find it right.
            signer.sign(
                Scheme::DraftCavage,
                &Method::GET,
                hop,
                &mut headers,
                Some(&[]),
                Utc::now(),
            )?;
            Ok(headers)
        })
        .await
}
