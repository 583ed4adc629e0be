//! Membership across servers: applications with answers from another copse server, their
//! approval and rejection, and members-only content that reaches only the servers hosting
//! its audience and is served to no one else.

use std::time::Duration;

use copse::federation::remote::signed_fetch;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(75);

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A federating server A with `mira` owning `!nursing` configured by `settings`.
async fn home(settings: Value) -> (TestServer, String) {
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
    let (status, body) = a
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (a, mira)
}

/// Another server with one user; returns it and the user's token.
async fn elsewhere(name: &str) -> (TestServer, String) {
    let s = TestServer::federating(&[]).await;
    s.create_user(name, false).await;
    let token = s.login(name).await;
    (s, token)
}

/// The user's membership of `community` as their own server shows it, once in `state`.
async fn membership_in(s: &TestServer, token: &str, community: &str, state: &str) -> Value {
    eventually(WAIT, &format!("the membership to be {state}"), || async {
        let (_, list) = s.get("/api/v1/memberships", Some(token)).await;
        list.as_array()?
            .iter()
            .find(|m| m["community"] == community && m["state"] == state)
            .cloned()
    })
    .await
}

async fn posts_seen(s: &TestServer, token: Option<&str>, community: &str) -> Vec<Value> {
    let (status, list) = s
        .get(
            &format!("/api/v1/posts?community={}", enc(community)),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_remote_applicant_answers_is_approved_and_posts_and_a_rejected_one_cannot() {
    let (a, mira) = home(json!({
        "visibility": "private",
        "join_policy": "approval",
        "posting_policy": "members",
        "rules": ["No patient identifiers"],
        "questions": [{"question": "Where do you practise?", "required": true}]
    }))
    .await;
    let community = format!("!nursing@{}", a.domain());
    let (b, ana) = elsewhere("ana").await;
    let (c, bob) = elsewhere("bob").await;

    // ana applies from B with an answer; A's moderators see it beside their question.
    let (status, app) = b
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": community, "answers": ["St James, ICU"], "accept_rules": true}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{app}");
    assert_eq!(app["state"], "pending");
    let (_, bob_app) = c
        .post(
            "/api/v1/memberships",
            Some(&bob),
            json!({"community": community, "answers": ["somewhere"], "accept_rules": true}),
        )
        .await;
    assert_eq!(bob_app["state"], "pending");
    let pending = eventually(WAIT, "both applications on A", || async {
        let (_, list) = a
            .get(
                "/api/v1/communities/nursing/members?state=pending",
                Some(&mira),
            )
            .await;
        let list = list.as_array()?.clone();
        (list.len() == 2).then_some(list)
    })
    .await;
    let from = |server: &TestServer, name: &str| {
        pending
            .iter()
            .find(|m| m["member"] == format!("@{name}@{}", server.domain()))
            .cloned()
            .unwrap()
    };
    let ana_app = from(&b, "ana");
    assert_eq!(ana_app["local"], false);
    assert_eq!(ana_app["answers"][0]["question"], "Where do you practise?");
    assert_eq!(ana_app["answers"][0]["answer"], "St James, ICU");
    assert!(ana_app["rules_accepted_at"].is_string());
    let bob_app = from(&c, "bob");

    let (status, _) = a
        .post(
            &format!(
                "/api/v1/communities/nursing/members/{}/approve",
                ana_app["id"]
            ),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = a
        .post(
            &format!(
                "/api/v1/communities/nursing/members/{}/reject",
                bob_app["id"]
            ),
            Some(&mira),
            json!({"reason": "Members are practising nurses"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    membership_in(&b, &ana, &community, "accepted").await;
    membership_in(&c, &bob, &community, "rejected").await;
    let (_, notes) = c.get("/api/v1/notifications", Some(&bob)).await;
    assert!(notes.to_string().contains("declined"), "{notes}");

    // ana posts from B; A takes it (she is a member) and announces it to its members.
    let (status, created) = b
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": community, "title": "Night handover", "body": "How do you do it?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ap_id = created["ap_id"].as_str().unwrap().to_string();
    eventually(WAIT, "ana's post on A", || async {
        posts_seen(&a, Some(&mira), "nursing")
            .await
            .into_iter()
            .find(|p| p["ap_id"] == ap_id.as_str())
    })
    .await;
    // bob's post is refused by A and never listed there.
    let (status, refused) = c
        .post(
            "/api/v1/posts",
            Some(&bob),
            json!({"community": community, "title": "Let me in"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "sent, pending: {refused}");
    crate::support::drained(&a).await;
    eventually(WAIT, "C's queue to drain", || async {
        let n = c
            .app
            .db
            .run(|conn| Ok(copse::db::deliveries::backlog(conn)?.0))
            .await
            .unwrap();
        (n == 0).then_some(())
    })
    .await;
    let on_a = posts_seen(&a, Some(&mira), "nursing").await;
    assert!(!on_a.iter().any(|p| p["title"] == "Let me in"), "{on_a:?}");
    // The private community's posts are not on A's public API either.
    assert!(posts_seen(&a, None, "nursing").await.is_empty());
}

#[tokio::test]
async fn members_only_posts_reach_only_servers_hosting_members_and_are_served_to_no_one_else() {
    let (a, mira) = home(json!({"join_policy": "open"})).await;
    let community = format!("!nursing@{}", a.domain());
    let (status, space) = a
        .post(
            "/api/v1/communities/nursing/spaces",
            Some(&mira),
            json!({"slug": "staff", "title": "Staff room", "audience": "members"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{space}");
    // ana on B is a member; bob on C only follows.
    let (b, ana) = elsewhere("ana").await;
    b.create_user("eve", false).await;
    let eve = b.login("eve").await;
    let (c, bob) = elsewhere("bob").await;
    let (status, joined) = b
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": community}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{joined}");
    membership_in(&b, &ana, &community, "accepted").await;
    let (status, f) = c
        .post("/api/v1/follows", Some(&bob), json!({"target": community}))
        .await;
    assert_eq!(status, StatusCode::OK, "{f}");
    eventually(WAIT, "bob's follow accepted", || async {
        let (_, list) = c.get("/api/v1/follows", Some(&bob)).await;
        list.as_array()?
            .iter()
            .any(|f| f["state"] == "accepted")
            .then_some(())
    })
    .await;

    let (_, secret) = a
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "space": "staff", "title": "Rota swaps", "body": "members only"}),
        )
        .await;
    let secret_ap = secret["ap_id"].as_str().unwrap().to_string();
    let (_, open) = a
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Open day"}),
        )
        .await;
    let open_ap = open["ap_id"].as_str().unwrap().to_string();

    // B shows the members-only post to ana, and to nobody else.
    let seen = eventually(WAIT, "the members-only post for ana on B", || async {
        posts_seen(&b, Some(&ana), &community)
            .await
            .into_iter()
            .find(|p| p["ap_id"] == secret_ap.as_str())
    })
    .await;
    assert_eq!(seen["title"], "Rota swaps");
    let id_on_b = seen["id"].as_i64().unwrap();
    for token in [None, Some(eve.as_str())] {
        assert!(
            !posts_seen(&b, token, &community)
                .await
                .iter()
                .any(|p| p["ap_id"] == secret_ap.as_str())
        );
        let (status, _) = b.get(&format!("/api/v1/posts/{id_on_b}"), token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // C gets the public post and never the members-only one.
    eventually(WAIT, "the public post on C", || async {
        posts_seen(&c, Some(&bob), &community)
            .await
            .into_iter()
            .find(|p| p["ap_id"] == open_ap.as_str())
    })
    .await;
    crate::support::drained(&a).await;
    let stored_on_c = {
        let ap = secret_ap.clone();
        c.app
            .db
            .run(move |conn| Ok(copse::db::posts::find_by_ap_id(conn, &ap)?))
            .await
            .unwrap()
    };
    assert!(
        stored_on_c.is_none(),
        "C hosts no member: nothing was sent there"
    );

    // Fetching it: unsigned and C's server get 404; B's server (hosting ana) gets it.
    let url = url::Url::parse(&secret_ap).unwrap();
    let unsigned = reqwest::Client::new()
        .get(url.as_str())
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::NOT_FOUND);
    let by_c = signed_fetch::get(&c.app, &url).await;
    assert!(by_c.is_err(), "C's signed fetch is refused");
    let by_b = signed_fetch::get(&b.app, &url)
        .await
        .expect("B may fetch it");
    assert_eq!(by_b.json["name"], "Rota swaps");
    let outbox = reqwest::Client::new()
        .get(a.url("/c/nursing/outbox?page=1"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(outbox.contains("Open day") && !outbox.contains("Rota swaps"));

    // ana leaves: A forgets her, and the next members-only post does not reach B.
    let (status, _) = b
        .call(
            Method::DELETE,
            &format!("/api/v1/memberships?community={}", enc(&community)),
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually(WAIT, "ana gone from A's members", || async {
        let (_, list) = a
            .get("/api/v1/communities/nursing/members", Some(&mira))
            .await;
        (!list.to_string().contains("@ana@")).then_some(())
    })
    .await;
    let (_, after) = a
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "space": "staff", "title": "After ana left"}),
        )
        .await;
    let after_ap = after["ap_id"].as_str().unwrap().to_string();
    crate::support::drained(&a).await;
    let stored_on_b = b
        .app
        .db
        .run(move |conn| Ok(copse::db::posts::find_by_ap_id(conn, &after_ap)?))
        .await
        .unwrap();
    assert!(
        stored_on_b.is_none(),
        "a former member's server gets nothing new"
    );
}
