//! A person's own data as one JSON document they can keep or take elsewhere.
//!
//! Versioned by `format` so that tools reading exports can tell what they get. It holds
//! what the person made and decided (posts and comments with their Markdown source, votes,
//! follows, memberships with their answers and credentials) and what they were told
//! (notifications); never a password hash, a session or another person's private data.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde_json::{Value, json};

use super::model::User;
use crate::app::App;
use crate::db::{DbConnection, communities, credentials, footprint, memberships};
use crate::error::Result;
use crate::federation::urls::Urls;
use crate::time::rfc3339;

/// The `format` of exports made by this version.
pub const EXPORT_FORMAT: &str = "copse-export-1";

/// The export of `user`'s data.
pub async fn export(app: &App, user: &User) -> Result<Value> {
    let urls = Urls::new(&app.config);
    let user = user.clone();
    app.db
        .run(move |c| {
            let mut names = Names::default();
            let posts: Vec<Value> = footprint::posts_of(c, user.id)?
                .into_iter()
                .map(|p| {
                    Ok(json!({
                        "id": p.ap_id,
                        "community": names.community(c, &urls, p.community_id, p.remote_community_id)?,
                        "title": p.title,
                        "body": p.body_source,
                        "url": p.url,
                        "language": p.language,
                        "sensitive": p.sensitive,
                        "content_warning": p.content_warning,
                        "published_at": rfc3339(p.published_at),
                        "edited_at": p.edited_at.map(rfc3339),
                        "deleted": p.deleted,
                    }))
                })
                .collect::<Result<_>>()?;
            let comments: Vec<Value> = footprint::comments_of(c, user.id)?
                .into_iter()
                .map(|(m, post)| {
                    json!({
                        "id": m.ap_id,
                        "post": post,
                        "body": m.body_source,
                        "language": m.language,
                        "published_at": rfc3339(m.published_at),
                        "edited_at": m.edited_at.map(rfc3339),
                        "deleted": m.deleted,
                    })
                })
                .collect();
            let votes: Vec<Value> = footprint::votes_of(c, user.id)?
                .into_iter()
                .map(|(object, value, at)| {
                    json!({"object": object, "value": value, "at": rfc3339(at)})
                })
                .collect();
            let follows: Vec<Value> = footprint::follows_of(c, user.id)?
                .into_iter()
                .map(|(follower, followed, state, since)| {
                    json!({
                        "follower": follower,
                        "followed": followed,
                        "state": state,
                        "since": rfc3339(since),
                    })
                })
                .collect();
            let memberships: Vec<Value> = memberships::of_user(c, user.id)?
                .into_iter()
                .map(|m| {
                    let held = credentials::of_membership(c, m.id)?
                        .into_iter()
                        .map(|cr| {
                            json!({
                                "name": cr.name,
                                "verified_by": cr.verified_by_name,
                                "verified_at": rfc3339(cr.verified_at),
                            })
                        })
                        .collect::<Vec<_>>();
                    let answers = m
                        .answers
                        .as_deref()
                        .and_then(|a| serde_json::from_str::<Value>(a).ok());
                    Ok(json!({
                        "community": names.community(c, &urls, m.community_id, m.remote_community_id)?,
                        "role": m.role,
                        "state": m.state,
                        "answers": answers,
                        "rules_accepted_at": m.rules_accepted_at.map(rfc3339),
                        "joined_at": m.joined_at.map(rfc3339),
                        "credentials": held,
                    }))
                })
                .collect::<Result<_>>()?;
            let notifications: Vec<Value> = footprint::notifications_of(c, user.id)?
                .into_iter()
                .map(|n| {
                    json!({
                        "kind": n.kind,
                        "community": n.community_ap_id,
                        "message": n.message,
                        "read": n.is_read,
                        "at": rfc3339(n.created_at),
                    })
                })
                .collect();
            Ok(json!({
                "format": EXPORT_FORMAT,
                "exported_at": rfc3339(crate::time::now()),
                "account": {
                    "id": urls.person(&user.username),
                    "username": user.username,
                    "email": user.email,
                    "is_admin": user.is_admin,
                    "status": user.status().as_str(),
                    "registration_reason": user.registration_reason,
                    "display_name": user.display_name,
                    "bio": user.bio,
                    "language": user.language,
                    "created_at": rfc3339(user.created_at),
                },
                "posts": posts,
                "comments": comments,
                "votes": votes,
                "follows": follows,
                "memberships": memberships,
                "notifications": notifications,
            }))
        })
        .await
}

/// Community ids as ActivityPub ids, each looked up once.
#[derive(Default)]
struct Names {
    local: HashMap<i64, Option<String>>,
    remote: HashMap<i64, Option<String>>,
}

impl Names {
    fn community(
        &mut self,
        c: &mut DbConnection,
        urls: &Urls,
        local: Option<i64>,
        remote: Option<i64>,
    ) -> Result<Option<String>> {
        if let Some(id) = local {
            if let Entry::Vacant(slot) = self.local.entry(id) {
                slot.insert(communities::find(c, id)?.map(|k| urls.community(&k.name)));
            }
            return Ok(self.local.get(&id).cloned().flatten());
        }
        if let Some(id) = remote {
            if let Entry::Vacant(slot) = self.remote.entry(id) {
                slot.insert(footprint::remote_actor_id(c, id)?);
            }
            return Ok(self.remote.get(&id).cloned().flatten());
        }
        Ok(None)
    }
}
