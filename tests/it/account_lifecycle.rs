//! A person leaves: they delete their account (their content goes, the servers that knew
//! them are told with `Delete` of the person), or take their data with them as JSON.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::peer::Peer;
use crate::support::server::password_of;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);
const AS: &str = "https://www.w3.org/ns/activitystreams";

/// A server with the community `nursing` made by `mira`; returns it and mira's token.
async fn community_server(env: &[(&str, &str)]) -> (TestServer, String) {
    let s = TestServer::federating(env).await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (s, mira)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn listing(s: &TestServer, community: &str, token: Option<&str>) -> Vec<Value> {
    let (status, list) = s
        .get(
            &format!("/api/v1/posts?community={}", enc(community)),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

async fn followers(s: &TestServer) -> i64 {
    let (_, body) = s.get("/api/v1/communities/nursing", None).await;
    body["followers"].as_i64().unwrap()
}

async fn delete_account(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::DELETE,
        "/api/v1/accounts/me",
        Some(token),
        Some(body),
    )
    .await
}

/// Whether the post with this id is marked deleted in the database (None: no such row).
async fn stored_deleted(s: &TestServer, ap_id: &str) -> Option<bool> {
    use copse::db::schema::posts;
    let ap_id = ap_id.to_string();
    s.app
        .db
        .run(move |c| {
            Ok(posts::table
                .filter(posts::ap_id.eq(ap_id))
                .select(posts::deleted)
                .first::<bool>(c)
                .optional()?)
        })
        .await
        .unwrap()
}

async fn cached_actors(s: &TestServer) -> Vec<String> {
    use copse::db::schema::remote_actors;
    s.app
        .db
        .run(|c| {
            Ok(remote_actors::table
                .select(remote_actors::ap_id)
                .load::<String>(c)?)
        })
        .await
        .unwrap()
}

async fn activity_json(s: &TestServer, path: &str) -> (StatusCode, Value) {
    let res = s
        .client
        .get(s.url(path))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_person_who_deletes_their_account_disappears_from_the_community_on_another_server() {
    let (a, mira) = community_server(&[]).await;
    let b = TestServer::federating(&[("COPSE_REGISTRATION_MODE", "open")]).await;
    b.create_user("ana", false).await;
    let ana = b.login("ana").await;
    let community = format!("!nursing@{}", a.domain());

    let (status, follow) = b
        .post("/api/v1/follows", Some(&ana), json!({"target": community}))
        .await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    eventually(WAIT, "ana's follow accepted on A", || async {
        (followers(&a).await == 1).then_some(())
    })
    .await;
    let (status, post) = b
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": community, "title": "Night handover", "body": "How do *you* do it?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let ap_id = post["ap_id"].as_str().unwrap().to_string();
    eventually(WAIT, "ana's post listed on A", || async {
        listing(&a, "nursing", None)
            .await
            .into_iter()
            .find(|p| p["ap_id"] == ap_id.as_str())
    })
    .await;
    let ana_id = format!("http://{}/u/ana", b.domain());
    assert!(cached_actors(&a).await.contains(&ana_id));

    let (status, done) = delete_account(&b, &ana, json!({"password": password_of("ana")})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{done}");

    // A hears the Delete: her post leaves the listing, her follow ends, she is forgotten.
    eventually(WAIT, "ana's follow to end on A", || async {
        (followers(&a).await == 0).then_some(())
    })
    .await;
    assert_eq!(stored_deleted(&a, &ap_id).await, Some(true));
    let on_a = listing(&a, "nursing", Some(&mira)).await;
    assert!(
        !on_a.iter().any(|p| p["ap_id"] == ap_id.as_str()),
        "{on_a:?}"
    );
    assert!(!cached_actors(&a).await.contains(&ana_id));

    // On B: the session is revoked, the password no longer opens anything, the actor is a
    // Tombstone, WebFinger knows nobody, and the name is never handed out again.
    let (status, _) = b.get("/api/v1/accounts/me", Some(&ana)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, refused) = b
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "ana", "password": password_of("ana")}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_credentials");
    // (Served bare until B has settled its last delivery of her Delete.)
    let tombstone = eventually(WAIT, "ana's actor to be gone", || async {
        let (status, tombstone) = activity_json(&b, "/u/ana").await;
        (status == StatusCode::GONE).then_some(tombstone)
    })
    .await;
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(tombstone["formerType"], "Person");
    assert_eq!(tombstone["id"], ana_id);
    let (status, _) = b
        .get(
            &format!(
                "/.well-known/webfinger?resource={}",
                enc(&format!("acct:ana@{}", b.domain()))
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, again) = b
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "ana", "email": "ana@example.org", "password": "a new long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "username_taken");
    // Her email is free again: it was scrubbed.
    let (status, other) = b
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "ana2", "email": "ana@example.org", "password": "a new long password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert_eq!(stored_deleted(&b, &ap_id).await, Some(true));
}

#[tokio::test]
async fn deleting_an_account_needs_its_password_and_takes_its_posts_votes_and_memberships() {
    let (s, mira) = community_server(&[]).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let (status, joined) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": "nursing"}),
        )
        .await;
    assert!(status.is_success(), "{joined}");
    let (_, hers) = s
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": "nursing", "title": "Ana's question", "body": "Which charts?"}),
        )
        .await;
    let (_, his) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Mira's note"}),
        )
        .await;
    let mira_post = his["id"].as_i64().unwrap();
    let (status, _) = s
        .post(
            &format!("/api/v1/posts/{mira_post}/vote"),
            Some(&ana),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{mira_post}/comments"),
            Some(&ana),
            json!({"body": "Thanks!"}),
        )
        .await;
    assert!(status.is_success(), "{comment}");

    // A wrong password, or no password, changes nothing.
    let (status, wrong) = delete_account(&s, &ana, json!({"password": "not her password"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}");
    assert_eq!(wrong["error"]["code"], "invalid_credentials");
    let (status, bad) = delete_account(&s, &ana, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, _) = s.get("/api/v1/accounts/me", Some(&ana)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listing(&s, "nursing", None).await.len(), 2);
    let (_, view) = s.get(&format!("/api/v1/posts/{mira_post}"), None).await;
    assert_eq!(view["score"], 1);

    let (status, _) = delete_account(&s, &ana, json!({"password": password_of("ana")})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let titles: Vec<Value> = listing(&s, "nursing", None)
        .await
        .into_iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(titles, vec![json!("Mira's note")]);
    assert_eq!(
        stored_deleted(&s, hers["ap_id"].as_str().unwrap()).await,
        Some(true)
    );
    let (_, view) = s.get(&format!("/api/v1/posts/{mira_post}"), None).await;
    assert_eq!(view["score"], 0, "her vote is withdrawn: {view}");
    let (_, thread) = s
        .get(&format!("/api/v1/posts/{mira_post}/comments"), None)
        .await;
    assert!(!thread.to_string().contains("Thanks!"), "{thread}");
    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&mira))
        .await;
    assert!(!members.to_string().contains("ana"), "{members}");
}

#[tokio::test]
async fn an_export_holds_what_the_person_made_and_nothing_of_anyone_else() {
    let (s, mira) = community_server(&[]).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    s.post(
        "/api/v1/memberships",
        Some(&ana),
        json!({"community": "nursing"}),
    )
    .await;
    let (_, mine) = s
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": "nursing", "title": "Ana's question", "body": "Which **charts**?"}),
        )
        .await;
    let (_, theirs) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Mira's private thoughts", "body": "mira-secret"}),
        )
        .await;
    let theirs_id = theirs["id"].as_i64().unwrap();
    s.post(
        &format!("/api/v1/posts/{theirs_id}/vote"),
        Some(&ana),
        json!({"value": -1}),
    )
    .await;
    s.post(
        &format!("/api/v1/posts/{theirs_id}/comments"),
        Some(&ana),
        json!({"body": "I _disagree_"}),
    )
    .await;
    s.post(
        &format!("/api/v1/posts/{theirs_id}/comments"),
        Some(&mira),
        json!({"body": "mira-reply-secret"}),
    )
    .await;

    let res = s
        .client
        .get(s.url("/api/v1/accounts/me/export"))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"copse-export-ana.json\""
    );
    let text = res.text().await.unwrap();
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["format"], "copse-export-1");
    assert_eq!(export["account"]["username"], "ana");
    assert_eq!(export["account"]["email"], "ana@example.org");
    assert_eq!(export["posts"].as_array().unwrap().len(), 1);
    assert_eq!(export["posts"][0]["id"], mine["ap_id"]);
    assert_eq!(
        export["posts"][0]["body"], "Which **charts**?",
        "the Markdown source"
    );
    assert_eq!(
        export["posts"][0]["community"],
        format!("http://{}/c/nursing", s.domain())
    );
    assert_eq!(export["comments"].as_array().unwrap().len(), 1);
    assert_eq!(export["comments"][0]["body"], "I _disagree_");
    assert_eq!(export["comments"][0]["post"], theirs["ap_id"]);
    assert_eq!(
        export["votes"],
        json!([{
            "object": theirs["ap_id"],
            "value": -1,
            "at": export["votes"][0]["at"],
        }])
    );
    let memberships = export["memberships"].as_array().unwrap();
    assert_eq!(memberships.len(), 1, "{memberships:?}");
    assert_eq!(memberships[0]["role"], "member");
    assert!(export["follows"].is_array());
    assert!(export["notifications"].is_array());
    for secret in [
        "mira-secret",
        "mira-reply-secret",
        "mira@example.org",
        "argon2",
        "password",
    ] {
        assert!(!text.contains(secret), "the export holds {secret}");
    }

    let (status, _) = s.get("/api/v1/accounts/me/export", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A Delete of a person is honoured only from that person.
#[tokio::test]
async fn a_delete_of_a_person_signed_by_someone_else_is_refused_and_changes_nothing() {
    let (s, _) = community_server(&[]).await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    let nursing = format!("http://{}/c/nursing", s.domain());
    let follow = json!({
        "@context": AS,
        "id": peer.activity_id("follow"),
        "type": "Follow",
        "actor": peer.actor_id("alice"),
        "object": nursing,
    });
    let got = peer.deliver(&s, "/c/nursing/inbox", &follow, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(followers(&s).await, 1);
    // Bob is known too, so his key checks signatures without a fetch.
    let wiggle = json!({
        "@context": AS, "id": peer.activity_id("wiggle"), "type": "Wiggle",
        "actor": peer.actor_id("bob"), "object": peer.actor_id("bob"),
    });
    peer.deliver(&s, "/inbox", &wiggle, "bob").await;

    // The Lemmy shape of the Delete, claiming to be alice's, signed by bob.
    let delete_alice = |actor: &str| {
        json!({
            "@context": AS,
            "id": peer.activity_id("delete"),
            "type": "Delete",
            "actor": actor,
            "object": peer.actor_id("alice"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "removeData": true,
        })
    };
    let forged = delete_alice(&peer.actor_id("alice"));
    let got = peer.deliver(&s, "/inbox", &forged, "bob").await;
    assert!(got.0.is_client_error(), "{}: {}", got.0, got.1);
    assert_eq!(got.1["error"]["code"], "signer_not_actor", "{}", got.1);
    // Bob deleting alice in his own name is no deletion of alice either.
    let by_bob = delete_alice(&peer.actor_id("bob"));
    let got = peer.deliver(&s, "/inbox", &by_bob, "bob").await;
    assert!(got.0.is_success() || got.0.is_client_error(), "{}", got.1);
    assert_eq!(followers(&s).await, 1);
    assert!(cached_actors(&s).await.contains(&peer.actor_id("alice")));

    // Alice herself may.
    let own = delete_alice(&peer.actor_id("alice"));
    let got = peer.deliver(&s, "/inbox", &own, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(followers(&s).await, 0);
    assert!(!cached_actors(&s).await.contains(&peer.actor_id("alice")));
    assert!(cached_actors(&s).await.contains(&peer.actor_id("bob")));
}

/// Puts a delivery signed by `signer` in the queue, due in a day (the worker leaves it).
async fn queue_delivery_from(s: &TestServer, signer: &str) {
    let signer = signer.to_string();
    s.app
        .db
        .run(move |c| {
            use copse::db::deliveries::{NewActivity, NewDelivery, insert, insert_activity};
            let now = chrono::Utc::now().naive_utc();
            let activity = insert_activity(
                c,
                &NewActivity {
                    activity_id: "http://down.example/activities/delete/1".into(),
                    signer_ap_id: signer,
                    body: "{}".into(),
                    created_at: now,
                },
            )?;
            insert(
                c,
                &[NewDelivery {
                    activity,
                    inbox: "http://down.example/inbox".into(),
                    domain: "down.example".into(),
                    next_attempt_at: now + chrono::TimeDelta::days(1),
                    created_at: now,
                }],
            )?;
            use copse::db::schema::deliveries as d;
            diesel::update(d::table.filter(d::activity.eq(activity)))
                .set(d::attempts.eq(3))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_deleted_account_is_served_bare_while_its_delete_is_still_being_delivered() {
    // A server that fetches the actor again before it believes the Delete (Lemmy does when
    // its copy is old) must still find the key that signed it.
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let (status, done) = delete_account(&s, &ana, json!({"password": password_of("ana")})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{done}");
    let (status, _) = activity_json(&s, "/u/ana").await;
    assert_eq!(status, StatusCode::GONE, "nothing of hers is on its way");

    let ana_id = format!("http://{}/u/ana", s.domain());
    queue_delivery_from(&s, &ana_id).await;
    let (status, actor) = activity_json(&s, "/u/ana").await;
    assert_eq!(status, StatusCode::OK, "{actor}");
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["id"], ana_id.as_str());
    assert_eq!(actor["publicKey"]["owner"], ana_id.as_str());
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .is_some_and(|k| k.contains("PUBLIC KEY")),
        "{actor}"
    );
    let page = s.client.get(s.url("/u/ana")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::GONE, "browsers see her gone");
    let text = page.text().await.unwrap();
    assert!(text.contains("Account deleted"), "{text}");

    // Once the deliveries have given up, she is gone for everyone.
    s.app
        .db
        .run(|c| {
            use copse::db::schema::users;
            let long_ago = chrono::Utc::now().naive_utc() - chrono::TimeDelta::days(3);
            diesel::update(users::table.filter(users::username.eq("ana")))
                .set(users::updated_at.eq(long_ago))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, tombstone) = activity_json(&s, "/u/ana").await;
    assert_eq!(status, StatusCode::GONE, "{tombstone}");
}
