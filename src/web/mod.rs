//! HTML pages: what people see in a browser, at the same addresses ActivityPub uses (a
//! browser asking for `/c/nursing` gets the page, a server asking for activity+json gets
//! the actor).
//!
//! Pages are a thin layer over the domain, like the API: handlers in `pages/` gather what
//! a page shows and hand it to a compiled template in `templates/` (askama: checked when
//! the binary is built, escaping by default, no template files to ship). Every page works
//! without JavaScript; `static/copse.js` only adds comforts. Every form carries a token
//! against cross-site forgery (`csrf`), and every string comes from the catalogue of the
//! reader's language (`crate::i18n`).

pub mod assets;
pub mod csrf;
pub mod errors;
pub mod form;
pub use crate::i18n;
pub mod page;
pub mod pages;

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};

use crate::app::App;

/// The routes that only pages have. Addresses shared with ActivityPub are negotiated in
/// the federation router with [`negotiate`].
pub fn router() -> Router<App> {
    Router::new()
        .route("/static/{file}", get(assets::serve))
        .route(
            "/login",
            get(pages::auth::login_form).post(pages::auth::login),
        )
        .route(
            "/signup",
            get(pages::auth::signup_form).post(pages::auth::signup),
        )
        .route("/logout", post(pages::auth::logout))
        .route("/language", post(pages::auth::language))
        .route("/modlog", get(pages::modlog::show))
        .route("/notifications", get(pages::notifications::show))
        .route("/feed", get(pages::feed_home::show))
        .route("/settings", get(pages::settings::show))
        .route("/settings/profile", post(pages::settings::profile))
        .route("/settings/password", post(pages::settings::password))
        .route("/settings/export", get(pages::settings::export))
        .route("/settings/delete", post(pages::settings::delete))
        .route(
            "/settings/sessions/{id}/revoke",
            post(pages::settings::revoke),
        )
        .route("/c/{name}/feed.atom", get(pages::feed::community))
        .route("/c/{name}/s/{space}/feed.atom", get(pages::feed::space))
        .route("/c/{name}/join", post(pages::community::join))
        .route("/interact", get(pages::community::interact))
        .route(
            "/c/{name}/submit",
            get(pages::write::post_form).post(pages::write::post),
        )
        .route("/post/{id}/reply", post(pages::write::reply))
        .route(
            "/post/{id}/edit",
            get(pages::own::edit_post_form).post(pages::own::edit_post),
        )
        .route("/post/{id}/delete", post(pages::own::delete_post))
        .route("/post/{id}/report", post(pages::own::report_post))
        .route("/post/{id}/moderate", post(pages::moderate_inline::post))
        .route(
            "/comment/{id}/moderate",
            post(pages::moderate_inline::comment),
        )
        .route(
            "/comment/{id}/edit",
            get(pages::own::edit_comment_form).post(pages::own::edit_comment),
        )
        .route("/comment/{id}/delete", post(pages::own::delete_comment))
        .route("/comment/{id}/report", post(pages::own::report_comment))
        .route("/c/{name}/leave", post(pages::own::leave))
        .route("/c/{name}/follow", post(pages::remote::follow))
        .route("/u/{name}/follow", post(pages::remote_person::follow))
        .route("/u/{name}/unfollow", post(pages::remote_person::unfollow))
        .route("/c/{name}/unfollow", post(pages::remote::unfollow))
        .route("/search", get(pages::remote::search))
        .route("/moderate", get(pages::moderate::hub))
        .route("/admin/signups", get(pages::admin::signups))
        .route("/admin/federation", get(pages::admin_federation::show))
        .route(
            "/admin/settings",
            get(pages::admin_settings::show).post(pages::admin_settings::save),
        )
        .route("/admin/people", get(pages::admin_people::people))
        .route("/admin/people/bans", post(pages::admin_people::ban))
        .route(
            "/admin/people/bans/{id}/lift",
            post(pages::admin_people::lift),
        )
        .route(
            "/admin/people/purge",
            post(pages::admin_people::purge_person),
        )
        .route("/admin/reports", get(pages::admin_people::reports_queue))
        .route(
            "/admin/reports/{id}",
            post(pages::admin_people::decide_report),
        )
        .route(
            "/admin/federation/mode",
            post(pages::admin_federation::mode),
        )
        .route(
            "/admin/federation/rules",
            post(pages::admin_federation::rule),
        )
        .route(
            "/admin/federation/rules/{domain}/remove",
            post(pages::admin_federation::remove),
        )
        .route(
            "/admin/federation/import",
            post(pages::admin_federation::import),
        )
        .route(
            "/admin/federation/export",
            get(pages::admin_federation::export),
        )
        .route(
            "/admin/federation/retry/{domain}",
            post(pages::admin_federation::retry),
        )
        .route("/admin/signups/{id}", post(pages::admin::decide_signup))
        .route(
            "/c/{name}/moderate/applications",
            get(pages::moderate::applications),
        )
        .route(
            "/c/{name}/moderate/applications/{id}",
            post(pages::moderate::decide_application),
        )
        .route(
            "/c/{name}/moderate/members",
            get(pages::moderate_members::members),
        )
        .route(
            "/c/{name}/moderate/members/{id}/credential",
            post(pages::moderate_members::credential),
        )
        .route(
            "/c/{name}/moderate/members/{id}/ban",
            get(pages::moderate_members::ban_form),
        )
        .route(
            "/c/{name}/moderate/members/{id}/role",
            post(pages::moderate_members::role),
        )
        .route(
            "/c/{name}/moderate/bans",
            get(pages::moderate_members::bans_page).post(pages::moderate_members::ban),
        )
        .route(
            "/c/{name}/moderate/bans/{id}/lift",
            post(pages::moderate_members::lift),
        )
        .route(
            "/c/{name}/moderate/spaces",
            get(pages::moderate_access::spaces_page).post(pages::moderate_access::create_space),
        )
        .route(
            "/c/{name}/moderate/invites",
            get(pages::moderate_access::invites_page).post(pages::moderate_access::create_invite),
        )
        .route(
            "/c/{name}/moderate/invites/{id}/revoke",
            post(pages::moderate_access::revoke_invite),
        )
        .route(
            "/c/{name}/moderate/conversations",
            get(pages::moderate_more::list),
        )
        .route(
            "/c/{name}/moderate/conversations/{id}",
            get(pages::moderate_more::show).post(pages::moderate_more::answer),
        )
        .route(
            "/c/{name}/moderate/servers",
            get(pages::moderate_more::servers).post(pages::moderate_more::block),
        )
        .route(
            "/c/{name}/moderate/servers/unblock",
            post(pages::moderate_more::unblock),
        )
        .route(
            "/c/{name}/moderate/settings",
            get(pages::moderate_settings::show).post(pages::moderate_settings::save),
        )
        .route(
            "/c/{name}/moderate/reports",
            get(pages::moderate::reports_queue),
        )
        .route(
            "/c/{name}/moderate/reports/{id}",
            post(pages::moderate::decide_report),
        )
        .route(
            "/authorize_interaction",
            get(pages::remote::authorize_interaction),
        )
        .route("/preview", post(pages::write::preview))
        .route("/post/{id}/vote", post(pages::write::vote_post))
        .route("/comment/{id}/vote", post(pages::write::vote_comment))
}

/// A GET route that answers ActivityPub clients with `ap` and browsers with `page`.
pub fn negotiate<A, TA, W, TW>(ap: A, page: W) -> MethodRouter<App>
where
    A: Handler<TA, App>,
    W: Handler<TW, App>,
    TA: 'static,
    TW: 'static,
{
    get(move |State(app): State<App>, req: Request| {
        let (ap, page) = (ap.clone(), page.clone());
        async move {
            if crate::federation::routes::wants_activity_json(req.headers()) {
                ap.call(req, app).await
            } else {
                page.call(req, app).await
            }
        }
    })
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
