//! Moderation across copse servers: A hosts `!nursing`, followed from B and C. A's
//! moderators remove, restore and lock, and ban a member of B; the followers' copies
//! follow suit through the community's `Announce`, and the ban holds on A and on B.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, eventually, follow_accepted};

const WAIT: Duration = Duration::from_secs(60);

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn listed(s: &TestServer, community: &str, ap_id: &str) -> Option<Value> {
    let (status, list) = s
        .get(&format!("/api/v1/posts?community={}", enc(community)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()?
        .iter()
        .find(|p| p["ap_id"] == ap_id)
        .cloned()
}

/// A with `!nursing` (owned by mira), B with ana and C with bob, both following it.
async fn three() -> (TestServer, String, TestServer, String, TestServer, String) {
    let a = TestServer::federating(&[]).await;
    a.create_user("mira", false).await;
    let mira = a.login("mira").await;
    let (status, body) = a
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let community = format!("!nursing@{}", a.domain());
    let b = TestServer::federating(&[]).await;
    b.create_user("ana", false).await;
    let ana = b.login("ana").await;
    let c = TestServer::federating(&[]).await;
    c.create_user("bob", false).await;
    let bob = c.login("bob").await;
    follow_accepted(&b, &ana, &community).await;
    follow_accepted(&c, &bob, &community).await;
    (a, mira, b, ana, c, bob)
}

#[tokio::test]
async fn a_removal_and_a_lock_on_the_communitys_server_hold_on_the_servers_that_follow_it() {
    let (a, mira, b, _ana, c, _bob) = three().await;
    let community = format!("!nursing@{}", a.domain());
    let (status, post) = a
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Handover checklist"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let id = post["id"].as_i64().unwrap();
    let ap_id = post["ap_id"].as_str().unwrap().to_string();
    for s in [&b, &c] {
        eventually(WAIT, "the post to reach the follower", || async {
            listed(s, &community, &ap_id).await
        })
        .await;
    }

    let (status, body) = a
        .post(
            &format!("/api/v1/posts/{id}/remove"),
            Some(&mira),
            json!({"reason": "duplicate"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for s in [&b, &c] {
        eventually(WAIT, "the removal to reach the follower", || async {
            listed(s, &community, &ap_id).await.is_none().then_some(())
        })
        .await;
    }
    let b_log = b
        .app
        .db
        .run(|c| {
            Ok(copse::db::mod_log::page(
                c,
                &copse::db::mod_log::LogFilter::default(),
                10,
            )?)
        })
        .await
        .unwrap();
    assert_eq!(
        b_log[0].action, "remove_post",
        "B records what A's moderator did"
    );
    assert_eq!(b_log[0].reason.as_deref(), Some("duplicate"));

    let (status, _) = a
        .post(
            &format!("/api/v1/posts/{id}/remove"),
            Some(&mira),
            json!({"removed": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = a
        .post(&format!("/api/v1/posts/{id}/lock"), Some(&mira), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    for s in [&b, &c] {
        eventually(
            WAIT,
            "the restored, locked post on the follower",
            || async {
                listed(s, &community, &ap_id)
                    .await
                    .filter(|p| p["locked"] == true)
            },
        )
        .await;
    }
}

#[tokio::test]
async fn a_ban_on_the_communitys_server_is_announced_removes_the_content_and_holds_everywhere() {
    let (a, mira, b, ana, c, _bob) = three().await;
    let community = format!("!nursing@{}", a.domain());
    let (status, post) = b
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": community, "title": "Cheap scrubs, click here"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let ap_id = post["ap_id"].as_str().unwrap().to_string();
    for s in [&a, &c] {
        eventually(WAIT, "ana's post to reach the server", || async {
            let community = if std::ptr::eq(s, &a) {
                "nursing".to_string()
            } else {
                community.clone()
            };
            listed(s, &community, &ap_id).await
        })
        .await;
    }

    let ana_id = format!("http://{}/u/ana", b.domain());
    let (status, ban) = a
        .post(
            "/api/v1/communities/nursing/bans",
            Some(&mira),
            json!({"person": ana_id, "reason": "spam", "remove_data": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ban}");
    assert!(
        listed(&a, "nursing", &ap_id).await.is_none(),
        "removed on A"
    );
    eventually(WAIT, "the ban to remove ana's post on C", || async {
        listed(&c, &community, &ap_id).await.is_none().then_some(())
    })
    .await;
    eventually(WAIT, "the ban to remove ana's post on B", || async {
        listed(&b, &community, &ap_id).await.is_none().then_some(())
    })
    .await;

    // B knows ana is banned there and says so instead of sending what A would refuse.
    let (status, body) = b
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": community, "title": "Let me back in"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");

    // A server that ignored the ban would still be refused by A itself.
    b.app
        .db
        .run(|c| {
            use copse::db::schema::bans;
            use diesel::prelude::*;
            diesel::delete(bans::table).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, again) = b
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": community, "title": "Let me back in"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    let again_id = again["ap_id"].as_str().unwrap().to_string();
    eventually(WAIT, "A's refusal to settle B's delivery", || async {
        let n = b
            .app
            .db
            .run(|c| Ok(copse::db::deliveries::backlog(c)?.0))
            .await
            .unwrap();
        (n == 0).then_some(())
    })
    .await;
    assert!(
        listed(&a, "nursing", &again_id).await.is_none(),
        "A refused the banned author"
    );
}
