//! `/notifications`: what the reader was told (decisions on applications, replies,
//! invitations…), newest first. Opening the page marks what it shows as read, as Mastodon
//! does; the ones that were new stay marked on this showing.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use super::when;
use crate::db::notifications::{self, NotificationRow};
use crate::error::{Error, ErrorCode, Result};
use crate::i18n::Message;
use crate::web::page::{Ctx, Meta, Page};

const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct NotificationsQuery {
    #[serde(default)]
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    page: Page,
    items: Vec<NotificationRow>,
    next: Option<String>,
}

impl NotificationsPage {
    fn when(&self, t: &chrono::NaiveDateTime) -> String {
        when(&crate::time::rfc3339(*t))
    }

    /// The notification in the reader's language; one written before messages were kept
    /// as catalogue keys shows as it was stored.
    fn text(&self, n: &NotificationRow) -> String {
        match (&n.message_key, &n.message_args) {
            (Some(key), Some(args)) => Message::stored(key, args)
                .map(|m| m.render(self.page.lang))
                .unwrap_or_else(|| n.message.clone()),
            _ => n.message.clone(),
        }
    }

    fn community_path(&self, ap_id: &str) -> Option<String> {
        let local = format!("{}/c/", self.page.public_url);
        ap_id.strip_prefix(&local).map(|name| format!("/c/{name}"))
    }
}

pub async fn show(ctx: Ctx, Query(q): Query<NotificationsQuery>) -> Result<Response> {
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in to see notifications"))?;
    let user_id = user.id;
    let before = q.before.unwrap_or(i64::MAX);
    let items = ctx
        .app
        .db
        .run(move |c| {
            let rows = notifications::of_user(c, user_id, before, PER_PAGE)?;
            if let Some(newest) = rows.first() {
                notifications::mark_read(c, user_id, newest.id)?;
            }
            Ok(rows)
        })
        .await?;
    let next = (items.len() as i64 == PER_PAGE)
        .then(|| {
            items
                .last()
                .map(|n| format!("/notifications?before={}", n.id))
        })
        .flatten();
    let meta = Meta {
        noindex: true,
        ..Meta::default()
    };
    // The header's count is read after marking: it says what is still unread.
    let page = ctx.page(ctx.t("notifications-title"), meta).await;
    let view = NotificationsPage { page, items, next };
    Ok(ctx.ok(view.render()))
}
