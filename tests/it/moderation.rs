//! Moderators and admins on one server: removing and restoring, locking, bans from a
//! community and from the instance (with expiry and removal of content), purge, and the
//! refusals of those who may not do these things, each written in the moderation log.

use copse::db::mod_log::{LogFilter, ModLogRow};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;

/// A server with `mira` owning `!nursing`, `sam` a member and `eve` a member who posted.
struct World {
    s: TestServer,
    mira: String,
    sam: String,
    eve: String,
    post: i64,
}

async fn world() -> World {
    let s = TestServer::start().await;
    for name in ["mira", "sam", "eve"] {
        s.create_user(name, false).await;
    }
    let mira = s.login("mira").await;
    let sam = s.login("sam").await;
    let eve = s.login("eve").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for token in [&sam, &eve] {
        let (status, body) = s
            .post(
                "/api/v1/memberships",
                Some(token),
                json!({"community": "nursing"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&eve),
            json!({"community": "nursing", "title": "Buy cheap watches", "body": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post = post["id"].as_i64().unwrap();
    World {
        s,
        mira,
        sam,
        eve,
        post,
    }
}

async fn log(s: &TestServer, include_refused: bool) -> Vec<ModLogRow> {
    s.app
        .db
        .run(move |c| {
            let filter = LogFilter {
                include_refused,
                ..LogFilter::default()
            };
            Ok(copse::db::mod_log::page(c, &filter, 100)?)
        })
        .await
        .unwrap()
}

async fn listed(s: &TestServer, token: Option<&str>) -> Vec<i64> {
    let (status, list) = s.get("/api/v1/posts?community=nursing", token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_moderator_removes_a_post_with_a_reason_and_restores_it() {
    let w = world().await;
    let path = format!("/api/v1/posts/{}/remove", w.post);
    let (status, view) =
        w.s.post(&path, Some(&w.mira), json!({"reason": "spam, rule 2"}))
            .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["removed"], true);
    assert!(!listed(&w.s, Some(&w.sam)).await.contains(&w.post));
    let (status, _) =
        w.s.get(&format!("/api/v1/posts/{}", w.post), Some(&w.sam))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "members no longer see it");
    let (status, seen) =
        w.s.get(&format!("/api/v1/posts/{}", w.post), Some(&w.mira))
            .await;
    assert_eq!(status, StatusCode::OK, "its moderators still do");
    assert_eq!(seen["body"], "spam", "the text is kept for a restore");

    let (status, view) =
        w.s.post(&path, Some(&w.mira), json!({"removed": false}))
            .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert!(listed(&w.s, None).await.contains(&w.post));

    let entries = log(&w.s, false).await;
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["restore_post", "remove_post"]);
    let removal = &entries[1];
    assert_eq!(removal.reason.as_deref(), Some("spam, rule 2"));
    assert_eq!(
        removal.target_label, None,
        "the log never keeps what was written"
    );
    assert!(
        removal.target_ap_id.is_some(),
        "the post is named by its id"
    );
    assert!(removal.moderator_ap_id.ends_with("/u/mira"));
}

#[tokio::test]
async fn a_member_who_is_not_a_moderator_is_refused_and_the_attempt_is_logged() {
    let w = world().await;
    let (status, body) =
        w.s.post(
            &format!("/api/v1/posts/{}/remove", w.post),
            Some(&w.sam),
            json!({"reason": "I dislike it"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_a_moderator");
    assert!(
        listed(&w.s, None).await.contains(&w.post),
        "nothing changed"
    );
    let (status, body) =
        w.s.post(
            "/api/v1/communities/nursing/bans",
            Some(&w.sam),
            json!({"person": "eve"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        log(&w.s, false).await.is_empty(),
        "the public log shows no refusal"
    );
    let refused = log(&w.s, true).await;
    assert_eq!(refused.len(), 2);
    assert!(
        refused
            .iter()
            .all(|e| e.refused && e.moderator_ap_id.ends_with("/u/sam"))
    );
    assert_eq!(refused[1].action, "remove_post");
}

#[tokio::test]
async fn a_locked_thread_takes_no_new_comments_until_reopened() {
    let w = world().await;
    let lock = format!("/api/v1/posts/{}/lock", w.post);
    let comments = format!("/api/v1/posts/{}/comments", w.post);
    let (status, view) = w.s.post(&lock, Some(&w.mira), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["locked"], true);
    let (status, body) =
        w.s.post(&comments, Some(&w.sam), json!({"body": "hello"}))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "post_locked");
    let (status, _) =
        w.s.post(&lock, Some(&w.mira), json!({"locked": false}))
            .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) =
        w.s.post(&comments, Some(&w.sam), json!({"body": "hello"}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = w.s.post(&lock, Some(&w.eve), json!({})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the author is not a moderator: {body}"
    );
}

#[tokio::test]
async fn a_removed_comment_keeps_its_place_without_its_words() {
    let w = world().await;
    let (_, comment) =
        w.s.post(
            &format!("/api/v1/posts/{}/comments", w.post),
            Some(&w.sam),
            json!({"body": "rude words"}),
        )
        .await;
    let id = comment["id"].as_i64().unwrap();
    let (status, view) =
        w.s.post(
            &format!("/api/v1/comments/{id}/remove"),
            Some(&w.mira),
            json!({"reason": "rule 1"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (_, thread) =
        w.s.get(&format!("/api/v1/posts/{}/comments", w.post), None)
            .await;
    let shown = &thread.as_array().unwrap()[0];
    assert_eq!(shown["removed"], true);
    assert_eq!(shown["body_html"], "");
    assert!(shown["body"].is_null());
    assert_eq!(log(&w.s, false).await[0].action, "remove_comment");
}

#[tokio::test]
async fn a_ban_keeps_a_person_from_posting_commenting_and_voting_until_it_is_lifted() {
    let w = world().await;
    let (status, ban) =
        w.s.post(
            "/api/v1/communities/nursing/bans",
            Some(&w.mira),
            json!({"person": "eve", "reason": "spam", "expires_in_days": 7, "remove_data": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ban}");
    assert!(ban["expires_at"].is_string());
    assert!(
        !listed(&w.s, None).await.contains(&w.post),
        "remove_data removed her post"
    );

    let (status, body) =
        w.s.post(
            "/api/v1/posts",
            Some(&w.eve),
            json!({"community": "nursing", "title": "Again"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");
    assert!(body["error"]["message"].as_str().unwrap().contains("until"));
    // Her membership ended with the ban.
    let (_, mine) = w.s.get("/api/v1/memberships", Some(&w.eve)).await;
    assert!(mine.as_array().unwrap().is_empty(), "{mine}");

    let (_, other) =
        w.s.post(
            "/api/v1/posts",
            Some(&w.sam),
            json!({"community": "nursing", "title": "A real question"}),
        )
        .await;
    let other = other["id"].as_i64().unwrap();
    let (status, body) =
        w.s.post(
            &format!("/api/v1/posts/{other}/vote"),
            Some(&w.eve),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) =
        w.s.post(
            &format!("/api/v1/posts/{other}/comments"),
            Some(&w.eve),
            json!({"body": "hi"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, list) =
        w.s.get("/api/v1/communities/nursing/bans", Some(&w.mira))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, _) =
        w.s.get("/api/v1/communities/nursing/bans", Some(&w.sam))
            .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the ban list is for moderators"
    );

    let id = ban["id"].as_i64().unwrap();
    let (status, _) =
        w.s.call(
            Method::DELETE,
            &format!("/api/v1/communities/nursing/bans/{id}?reason=appealed"),
            Some(&w.mira),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) =
        w.s.post(
            &format!("/api/v1/posts/{other}/vote"),
            Some(&w.eve),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let actions: Vec<String> = log(&w.s, false)
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["unban_from_community", "ban_from_community"]);
}

#[tokio::test]
async fn an_expired_ban_no_longer_holds() {
    let w = world().await;
    let (status, ban) =
        w.s.post(
            "/api/v1/communities/nursing/bans",
            Some(&w.mira),
            json!({"person": "eve", "expires_in_days": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ban}");
    let id = ban["id"].as_i64().unwrap();
    w.s.app
        .db
        .run(move |c| {
            use copse::db::schema::bans;
            use diesel::prelude::*;
            let past = copse::time::now() - chrono::TimeDelta::hours(1);
            diesel::update(bans::table.find(id))
                .set(bans::expires_at.eq(Some(past)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, body) =
        w.s.post(
            "/api/v1/posts",
            Some(&w.eve),
            json!({"community": "nursing", "title": "Back"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn bans_refuse_bad_requests_and_protect_the_owner() {
    let w = world().await;
    let ban = |body: Value, token: String| {
        let s = &w.s;
        async move {
            s.post("/api/v1/communities/nursing/bans", Some(&token), body)
                .await
        }
    };
    let (status, body) = ban(json!({"person": "mira"}), w.mira.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "yourself: {body}");
    let (status, body) = ban(
        json!({"person": "eve", "expires_in_days": 0}),
        w.mira.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let long = "x".repeat(2_001);
    let (status, body) = ban(json!({"person": "eve", "reason": long}), w.mira.clone()).await;
    assert_eq!(body["error"]["code"], "reason_too_long", "{status}");
    let (status, body) = ban(json!({"person": "@nobody@localhost:8080"}), w.mira.clone()).await;
    assert!(status.is_client_error(), "{status} {body}");
    // A moderator may not ban the owner.
    let admin = w.s.create_user("ops", true).await;
    let root = w.s.login(&admin.username).await;
    let (status, body) = ban(json!({"person": "mira"}), root).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(log(&w.s, false).await.is_empty(), "nothing happened");
}

#[tokio::test]
async fn an_instance_ban_ends_sessions_and_keeps_the_account_out() {
    let w = world().await;
    let admin = w.s.create_user("ops", true).await;
    let root = w.s.login(&admin.username).await;
    let (status, body) =
        w.s.post("/api/v1/admin/bans", Some(&w.sam), json!({"person": "eve"}))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only admins: {body}");
    let (status, ban) =
        w.s.post(
            "/api/v1/admin/bans",
            Some(&root),
            json!({"person": "eve", "reason": "spam network", "remove_data": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ban}");
    assert_eq!(ban["scope"], "instance");
    let (status, _) = w.s.get("/api/v1/accounts/me", Some(&w.eve)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "her session ended");
    let (status, body) =
        w.s.post(
            "/api/v1/auth/login",
            None,
            json!({"username": "eve", "password": crate::support::server::password_of("eve")}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "account_suspended");
    assert!(!listed(&w.s, None).await.contains(&w.post));

    let id = ban["id"].as_i64().unwrap();
    let (status, _) =
        w.s.call(
            Method::DELETE,
            &format!("/api/v1/admin/bans/{id}"),
            Some(&root),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) =
        w.s.post(
            "/api/v1/auth/login",
            None,
            json!({"username": "eve", "password": crate::support::server::password_of("eve")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn an_admin_purges_a_post_for_good_and_the_log_keeps_its_title() {
    let w = world().await;
    let admin = w.s.create_user("ops", true).await;
    let root = w.s.login(&admin.username).await;
    let (status, body) =
        w.s.post(
            "/api/v1/admin/purge",
            Some(&w.mira),
            json!({"post_id": w.post}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "moderators do not purge: {body}"
    );
    let (status, body) =
        w.s.post(
            "/api/v1/admin/purge",
            Some(&root),
            json!({"post_id": w.post, "comment_id": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) =
        w.s.post(
            "/api/v1/admin/purge",
            Some(&root),
            json!({"post_id": w.post, "reason": "illegal content"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["posts"], 1);
    let (status, _) =
        w.s.get(&format!("/api/v1/posts/{}", w.post), Some(&root))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "gone, even for admins");
    let entry = &log(&w.s, false).await[0];
    assert_eq!(entry.action, "purge_post");
    assert_eq!(
        entry.target_label, None,
        "purged content leaves no text behind"
    );
    let (status, _) =
        w.s.post(
            "/api/v1/admin/purge",
            Some(&root),
            json!({"post_id": w.post}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let _ = &w.eve;
}
