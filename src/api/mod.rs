//! The JSON API under `/api/v1`. Handlers parse, authorize, call the domain and render;
//! the rules live in the domain modules.

mod accounts;
mod admin;
mod admin_domains;
pub mod auth;
mod blocked_domains;
mod comments;
mod communities;
mod conversations;
pub mod error;
mod federation_admin;
mod follows;
mod instance;
mod membership;
mod moderation;
mod modlog;
mod posts;
mod reports;
mod sessions;
mod views;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::app::App;
use crate::error::{Error, ErrorCode};

/// Routes of `/api/v1`, to be nested by the server.
pub fn router() -> Router<App> {
    Router::new()
        .route("/instance", get(instance::show))
        .route("/instance/blocked-domains", get(blocked_domains::public))
        .route("/accounts", post(accounts::register))
        .route(
            "/accounts/me",
            get(accounts::me)
                .patch(accounts::update_me)
                .delete(accounts::delete_me),
        )
        .route("/accounts/me/export", get(accounts::export))
        .route("/communities", post(communities::create))
        .route(
            "/communities/{name}",
            get(communities::show).patch(membership::update_settings),
        )
        .route("/communities/{name}/members", get(membership::members))
        .route(
            "/communities/{name}/conversations",
            get(conversations::list),
        )
        .route(
            "/communities/{name}/conversations/{id}",
            get(conversations::show),
        )
        .route(
            "/communities/{name}/conversations/{id}/messages",
            post(conversations::answer),
        )
        .route(
            "/communities/{name}/conversation",
            get(conversations::mine).post(conversations::write),
        )
        .route(
            "/communities/{name}/members/{id}/approve",
            post(membership::approve),
        )
        .route(
            "/communities/{name}/members/{id}/reject",
            post(membership::reject),
        )
        .route(
            "/communities/{name}/members/{id}/role",
            post(membership::set_role),
        )
        .route(
            "/communities/{name}/members/{id}/credentials",
            post(membership::grant_credential).delete(membership::revoke_credential),
        )
        .route(
            "/communities/{name}/spaces",
            get(membership::list_spaces).post(membership::create_space),
        )
        .route(
            "/communities/{name}/invites",
            get(membership::list_invites).post(membership::create_invite),
        )
        .route(
            "/communities/{name}/invites/{id}",
            delete(membership::revoke_invite),
        )
        .route(
            "/memberships",
            get(membership::mine)
                .post(membership::join)
                .delete(membership::leave),
        )
        .route("/notifications", get(membership::notifications))
        .route("/posts", post(posts::create).get(posts::list))
        .route(
            "/posts/{id}",
            get(posts::show).patch(posts::edit).delete(posts::delete),
        )
        .route(
            "/posts/{id}/comments",
            get(comments::thread).post(comments::create),
        )
        .route("/posts/{id}/vote", post(comments::vote_post))
        .route("/posts/{id}/pin", post(posts::pin))
        .route("/posts/{id}/remove", post(moderation::remove_post))
        .route("/posts/{id}/lock", post(moderation::lock_post))
        .route("/comments/{id}/remove", post(moderation::remove_comment))
        .route(
            "/communities/{name}/bans",
            get(moderation::community_bans).post(moderation::ban_in_community),
        )
        .route(
            "/communities/{name}/bans/{id}",
            delete(moderation::unban_in_community),
        )
        .route(
            "/admin/bans",
            get(moderation::instance_bans).post(moderation::ban_from_instance),
        )
        .route("/admin/bans/{id}", delete(moderation::unban_from_instance))
        .route("/admin/purge", post(moderation::purge))
        .route("/people/{name}/posts", get(posts::by_person))
        .route(
            "/comments/{id}",
            axum::routing::patch(comments::edit).delete(comments::delete),
        )
        .route("/comments/{id}/vote", post(comments::vote_comment))
        .route("/reports", post(reports::create).get(reports::list))
        .route("/reports/{id}", get(reports::show))
        .route("/reports/{id}/resolve", post(reports::resolve))
        .route("/reports/{id}/dismiss", post(reports::dismiss))
        .route("/modlog", get(modlog::list))
        .route("/resolve", get(follows::resolve))
        .route("/follows", post(follows::create).get(follows::list))
        .route("/follows/{id}", delete(follows::delete))
        .route("/follow-requests", get(follows::requests))
        .route("/follow-requests/{id}/authorize", post(follows::authorize))
        .route("/follow-requests/{id}/reject", post(follows::reject))
        .route("/auth/login", post(sessions::login))
        .route("/auth/logout", post(sessions::logout))
        .route("/admin/accounts", get(admin::list))
        .route("/admin/accounts/{id}/approve", post(admin::approve))
        .route("/admin/accounts/{id}/reject", post(admin::reject))
        .route("/admin/domains", get(admin_domains::list))
        .route("/admin/domains/export", get(admin_domains::export))
        .route("/admin/domains/import", post(admin_domains::import))
        .route("/admin/domains/imports", get(admin_domains::imports_list))
        .route(
            "/admin/domains/imports/{id}",
            get(admin_domains::import_status),
        )
        .route(
            "/admin/domains/{domain}",
            axum::routing::put(admin_domains::put).delete(admin_domains::delete),
        )
        .route(
            "/admin/federation-mode",
            axum::routing::put(admin_domains::mode),
        )
        .route(
            "/communities/{name}/blocked-domains",
            get(blocked_domains::list).post(blocked_domains::block),
        )
        .route(
            "/communities/{name}/blocked-domains/{domain}",
            delete(blocked_domains::unblock),
        )
        .route(
            "/admin/federation/deliveries",
            get(federation_admin::deliveries),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "no such API endpoint")
}

async fn method_not_allowed() -> Error {
    Error::new(
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take that method",
    )
}
