//! NodeInfo 2.1 (with the FEP-2677 application-actor link) and host-meta.

use axum::Json;
use axum::extract::State;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::App;
use crate::config::RegistrationMode;
use crate::db::{communities, users};
use crate::error::Result;
use crate::federation::protocol::discovery::{REL_APPLICATION, REL_NODEINFO_21};
use crate::federation::urls::Urls;

pub async fn index(State(app): State<App>) -> Response {
    let urls = Urls::new(&app.config);
    (
        [(ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        Json(json!({
            "links": [
                { "rel": REL_NODEINFO_21, "href": format!("{}/nodeinfo/2.1", urls.base()) },
                { "rel": REL_APPLICATION, "href": urls.instance_actor() }
            ]
        })),
    )
        .into_response()
}

pub async fn nodeinfo(State(app): State<App>) -> Result<Response> {
    let (people, communities) = app
        .db
        .run(|c| Ok((users::count_active(c)?, communities::count(c)?)))
        .await?;
    let body = json!({
        "version": "2.1",
        "software": {
            "name": "copse",
            "version": env!("CARGO_PKG_VERSION")
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": app.settings.get().registration_mode != RegistrationMode::Closed,
        "usage": {
            "users": { "total": people },
            "localPosts": 0
        },
        "metadata": {
            "nodeName": app.settings.get().name,
            "registrationMode": app.settings.get().registration_mode.as_str(),
            "communities": communities
        }
    });
    Ok((
        [
            (
                CONTENT_TYPE,
                "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
            ),
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(body),
    )
        .into_response())
}

pub async fn host_meta(State(app): State<App>) -> Response {
    let template = format!(
        "{}/.well-known/webfinger?resource={{uri}}",
        Urls::new(&app.config).base()
    );
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" type=\"application/xrd+xml\" template=\"{}\"/>\n</XRD>\n",
        crate::web::escape(&template)
    );
    ([(CONTENT_TYPE, "application/xrd+xml; charset=utf-8")], xml).into_response()
}
