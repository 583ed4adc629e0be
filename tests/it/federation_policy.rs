//! Instance federation policy on one copse server, with fake peers: the admin API and its
//! bad input, blocklist CSV import and export, and every door refusing a blocked server
//! (the inbox before any signature check, fetches, deliveries, signed GETs); limit,
//! reject-media and a community's own blocked instances.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::peer::Peer;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);

/// A federating copse with the admin `rosa`, and `mira` owning `nursing` and `pharmacy`.
/// Returns the server, rosa's token and mira's token.
async fn world() -> (TestServer, String, String) {
    let s = TestServer::federating(&[]).await;
    s.create_user("rosa", true).await;
    s.create_user("mira", false).await;
    let root = s.login("rosa").await;
    let mira = s.login("mira").await;
    for (name, title) in [("nursing", "Nursing practice"), ("pharmacy", "Pharmacy")] {
        let (status, body) = s
            .post(
                "/api/v1/communities",
                Some(&mira),
                json!({"name": name, "title": title}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    (s, root, mira)
}

async fn put_rule(s: &TestServer, token: &str, domain: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::PUT,
        &format!("/api/v1/admin/domains/{domain}"),
        Some(token),
        Some(body),
    )
    .await
}

fn community(s: &TestServer, name: &str) -> String {
    format!("http://{}/c/{name}", s.domain())
}

/// A `Create` of a `Page` by the peer's `alice` in `to`, with `content`.
fn create_page(peer: &Peer, to: &str, title: &str, content: &str) -> Value {
    let object_id = format!(
        "{}/post/{}",
        peer.base(),
        peer.activity_id("p").rsplit('/').next().unwrap()
    );
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.activity_id("create"),
        "type": "Create",
        "actor": peer.actor_id("alice"),
        "to": [to, "https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "type": "Page",
            "id": object_id,
            "attributedTo": peer.actor_id("alice"),
            "name": title,
            "content": content,
            "to": [to, "https://www.w3.org/ns/activitystreams#Public"],
            "audience": to,
            "attachment": [{"type": "Link", "href": format!("{}/cat.png", peer.base())}],
        },
    })
}

fn follow(peer: &Peer, object: &str) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.activity_id("follow"),
        "type": "Follow",
        "actor": peer.actor_id("alice"),
        "object": object,
    })
}

async fn post_count(s: &TestServer) -> i64 {
    s.app
        .db
        .run(|c| {
            Ok(copse::db::schema::posts::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

async fn follows_of(s: &TestServer, follower: &str) -> Vec<String> {
    let follower = follower.to_string();
    s.app
        .db
        .run(move |c| {
            use copse::db::schema::follows;
            Ok(follows::table
                .filter(follows::follower_ap_id.eq(follower))
                .select(follows::state)
                .load::<String>(c)?)
        })
        .await
        .unwrap()
}

async fn log_actions(s: &TestServer) -> Vec<String> {
    s.app
        .db
        .run(|c| {
            use copse::db::schema::mod_log;
            Ok(mod_log::table
                .order(mod_log::id.asc())
                .select(mod_log::action)
                .load::<String>(c)?)
        })
        .await
        .unwrap()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn listing(s: &TestServer, token: Option<&str>, name: &str) -> Vec<String> {
    let (status, list) = s
        .get(&format!("/api/v1/posts?community={name}"), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn only_admins_set_rules_and_bad_domains_and_values_are_refused_with_nothing_stored() {
    let (s, root, mira) = world().await;
    let (status, body) = put_rule(&s, &mira, "spam.example", json!({"severity": "block"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, _) = s.get("/api/v1/admin/domains", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for bad in [
        "exa%20mple.org",
        "a..b",
        "x.example:notaport",
        "-bad.example",
    ] {
        let (status, body) = put_rule(&s, &root, bad, json!({"severity": "block"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "domain_invalid", "{bad}");
    }
    let (status, body) = put_rule(&s, &root, "spam.example", json!({"severity": "explode"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");
    // The server's own domain cannot be blocked (it would cut itself off).
    let (status, body) = put_rule(&s, &root, &s.domain(), json!({"severity": "block"})).await;
    assert_eq!(body["error"]["code"], "domain_invalid", "{status} {body}");
    let (_, list) = s.get("/api/v1/admin/domains", Some(&root)).await;
    assert_eq!(list["domains"], json!([]), "nothing stored: {list}");
    assert_eq!(list["mode"], "blocklist");

    // A wildcard is stored as the domain; its comments come back to admins, and the public
    // list shows the obfuscated domain with the public comment only.
    let (status, body) = put_rule(
        &s,
        &root,
        "*.Spam.Example",
        json!({"severity": "block", "public_comment": "spam", "private_comment": "ticket 42", "obfuscate": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["domain"]["domain"], "spam.example");
    assert_eq!(body["created"], true);
    let (_, public) = s.get("/api/v1/instance/blocked-domains", None).await;
    assert_eq!(public[0]["domain"], "spa*.****ple", "{public}");
    assert_eq!(public[0]["comment"], "spam");
    assert!(!public.to_string().contains("ticket 42"));
    let (status, _) = s
        .call(
            Method::DELETE,
            "/api/v1/admin/domains/nowhere.example",
            Some(&root),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .call(
            Method::DELETE,
            "/api/v1/admin/domains/spam.example",
            Some(&root),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log_actions(&s).await, ["block_domain", "unblock_domain"]);
}

#[tokio::test]
async fn a_blocked_server_is_refused_at_the_inbox_before_its_signature_is_looked_at() {
    let (s, root, _) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    let nursing = community(&s, "nursing");

    // alice follows nursing while her server is welcome.
    let (status, body) = peer
        .deliver(&s, "/inbox", &follow(&peer, &nursing), "alice")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(follows_of(&s, &peer.actor_id("alice")).await, ["accepted"]);

    let (status, body) = put_rule(&s, &root, &peer.domain(), json!({"severity": "block"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["follows_dropped"], 1, "{body}");
    assert!(follows_of(&s, &peer.actor_id("alice")).await.is_empty());
    let fetched_before = peer.fetches().len();

    // Signed, unsigned, or signed with a key that is not hers: always domain_blocked.
    let activity = create_page(&peer, &nursing, "Spam", "<p>buy</p>");
    let bytes = serde_json::to_vec(&activity).unwrap();
    let (status, body) = peer.deliver(&s, "/inbox", &activity, "alice").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "domain_blocked");
    let (status, body) = peer
        .post(&s, "/c/nursing/inbox", bytes.clone())
        .unsigned()
        .send()
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        body["error"]["code"], "domain_blocked",
        "not a signature error"
    );
    let other = copse::federation::keys::generate_async().await.unwrap();
    let (_, body) = peer
        .post(&s, "/inbox", bytes)
        .signed_with("https://elsewhere.example/k", &other.private_pem)
        .send()
        .await;
    assert_eq!(body["error"]["code"], "domain_blocked");
    let (status, body) = peer
        .deliver(&s, "/inbox", &follow(&peer, &nursing), "alice")
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("domain_blocked"))
    );
    // Nothing stored, nothing fetched from it (not even its key).
    assert_eq!(post_count(&s).await, 0);
    assert!(follows_of(&s, &peer.actor_id("alice")).await.is_empty());
    assert_eq!(peer.fetches().len(), fetched_before);
    let metrics = s
        .client
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("domain_blocked"),
        "a metric label for refusals"
    );

    // A subdomain's actor is covered too, on any port of the host.
    let sub = json!({
        "id": "http://social.spam.example:8080/a/1", "type": "Follow",
        "actor": "http://social.spam.example:8080/u/x", "object": nursing,
    });
    put_rule(&s, &root, "spam.example", json!({"severity": "block"})).await;
    let (_, body) = peer
        .post(&s, "/inbox", serde_json::to_vec(&sub).unwrap())
        .unsigned()
        .send()
        .await;
    assert_eq!(body["error"]["code"], "domain_blocked");
}

#[tokio::test]
async fn nothing_is_fetched_from_or_delivered_to_a_blocked_server() {
    let (s, root, mira) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    put_rule(&s, &root, &peer.domain(), json!({"severity": "block"})).await;

    // Resolving one of its people, or fetching anything there, makes no request at all.
    let (status, body) = s
        .get(
            &format!("/api/v1/resolve?q={}", enc(&peer.actor_id("alice"))),
            Some(&mira),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "domain_blocked");
    let url = url::Url::parse(&peer.actor_id("alice")).unwrap();
    let err = s
        .app
        .fetcher
        .get_json(&url, "application/activity+json", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), copse::ErrorCode::DomainBlocked);
    let err = copse::federation::remote::signed_fetch::get(&s.app, &url)
        .await
        .unwrap_err();
    assert_eq!(err.code(), copse::ErrorCode::DomainBlocked);
    assert!(peer.requests().is_empty(), "{:?}", peer.requests());

    // Enqueueing to its inbox queues nothing; a row queued before the block is dropped by
    // the worker unsent.
    let activity = json!({"id": format!("http://{}/activities/x/1", s.domain()), "type": "Note"});
    let inbox = peer.inbox("alice");
    let signer = format!("http://{}/u/mira", s.domain());
    let queued = s
        .app
        .db
        .transaction({
            let (activity, inbox, signer) = (activity.clone(), inbox.clone(), signer.clone());
            move |c| copse::federation::delivery::enqueue(c, &activity, &signer, &[inbox])
        })
        .await
        .unwrap();
    assert_eq!(queued, 0);
    let now = chrono::Utc::now().naive_utc();
    s.app
        .db
        .run(move |c| {
            use copse::db::deliveries::{NewActivity, NewDelivery, insert, insert_activity};
            let stored = insert_activity(
                c,
                &NewActivity {
                    activity_id: activity["id"].as_str().unwrap().to_string(),
                    signer_ap_id: signer,
                    body: activity.to_string(),
                    created_at: now,
                },
            )?;
            Ok(insert(
                c,
                &[NewDelivery {
                    activity: stored,
                    inbox: inbox.clone(),
                    domain: url::Url::parse(&inbox).unwrap().authority().to_string(),
                    next_attempt_at: now,
                    created_at: now,
                }],
            )?)
        })
        .await
        .unwrap();
    copse::federation::delivery::wake(&s.app);
    eventually(WAIT, "the queued row to be dropped", || async {
        let n = s
            .app
            .db
            .run(|c| Ok(copse::db::deliveries::backlog(c)?.0))
            .await
            .unwrap();
        (n == 0).then_some(())
    })
    .await;
    assert!(peer.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_signed_get_from_a_blocked_server_gets_401_with_or_without_authorized_fetch() {
    let (s, root, _) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    put_rule(&s, &root, &peer.domain(), json!({"severity": "block"})).await;
    let url = url::Url::parse(&s.url("/c/nursing")).unwrap();
    let signer = copse::federation::signatures::RequestSigner::from_pem(
        peer.key_id("alice"),
        &peer.keys("alice").private_pem,
    )
    .unwrap();
    let mut headers = axum::http::HeaderMap::new();
    signer
        .sign(
            copse::federation::signatures::Scheme::DraftCavage,
            &axum::http::Method::GET,
            &url,
            &mut headers,
            None,
            chrono::Utc::now(),
        )
        .unwrap();
    let mut req = s
        .client
        .get(url.as_str())
        .header("Accept", "application/activity+json");
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.to_str().unwrap());
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Unsigned, it is a reader like any other while authorized fetch is off.
    let res = s
        .client
        .get(url.as_str())
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(peer.fetches().is_empty(), "its key was never fetched");
}

#[tokio::test]
async fn a_limited_servers_follow_waits_and_its_posts_leave_the_public_listing() {
    let (s, root, mira) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    let (status, body) = put_rule(&s, &root, &peer.domain(), json!({"severity": "limit"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let nursing = community(&s, "nursing");
    let (status, body) = peer
        .deliver(&s, "/inbox", &follow(&peer, &nursing), "alice")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(follows_of(&s, &peer.actor_id("alice")).await, ["pending"]);
    assert!(
        peer.received("Accept").is_empty(),
        "no Accept for a held follow"
    );

    let (status, body) = peer
        .deliver(
            &s,
            "/inbox",
            &create_page(&peer, &nursing, "From afar", "<p>hi</p>"),
            "alice",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(post_count(&s).await, 1);
    assert!(
        listing(&s, None, "nursing").await.is_empty(),
        "hidden from the public"
    );
    s.create_user("ines", false).await;
    let ines = s.login("ines").await;
    assert!(listing(&s, Some(&ines), "nursing").await.is_empty());
    assert_eq!(
        listing(&s, Some(&mira), "nursing").await,
        ["From afar"],
        "members see it"
    );
}

#[tokio::test]
async fn a_limited_servers_follow_of_a_person_waits_for_that_persons_answer() {
    let (s, root, mira) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    put_rule(&s, &root, &peer.domain(), json!({"severity": "limit"})).await;
    let mira_id = format!("http://{}/u/mira", s.domain());
    let mut follow_ids = Vec::new();
    for name in ["alice", "bob"] {
        let id = peer.activity_id("follow");
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": id, "type": "Follow", "actor": peer.actor_id(name), "object": mira_id,
        });
        let (status, body) = peer.deliver(&s, "/inbox", &follow, name).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        follow_ids.push(id);
    }
    assert!(peer.received("Accept").is_empty(), "nothing answered yet");
    let (status, notes) = s.get("/api/v1/notifications", Some(&mira)).await;
    assert_eq!(status, StatusCode::OK, "{notes}");
    let asks = notes
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "follow_request")
        .count();
    assert_eq!(asks, 2, "{notes}");

    let (status, list) = s.get("/api/v1/follow-requests", Some(&mira)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let handles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["follower"]["handle"].as_str().unwrap())
        .collect();
    let alice_handle = format!("@alice@{}", peer.domain());
    let bob_handle = format!("@bob@{}", peer.domain());
    assert_eq!(handles, [bob_handle.as_str(), alice_handle.as_str()]);
    let bob_request = list[0]["id"].as_i64().unwrap();
    let alice_request = list[1]["id"].as_i64().unwrap();

    // Nobody else answers for mira, and an unknown request is not found.
    s.create_user("ines", false).await;
    let ines = s.login("ines").await;
    let path = format!("/api/v1/follow-requests/{alice_request}/authorize");
    let (status, body) = s.post(&path, Some(&ines), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = s
        .post(
            "/api/v1/follow-requests/999999/reject",
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = s.post(&path, Some(&mira), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let accept = eventually(WAIT, "the Accept", || async {
        peer.received("Accept").into_iter().next()
    })
    .await
    .json()
    .unwrap();
    assert_eq!(accept["actor"], mira_id.as_str());
    assert_eq!(accept["object"]["id"], follow_ids[0].as_str());
    assert_eq!(accept["object"]["actor"], peer.actor_id("alice").as_str());
    assert_eq!(follows_of(&s, &peer.actor_id("alice")).await, ["accepted"]);
    let (status, body) = s.post(&path, Some(&mira), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "answered once: {body}");

    let path = format!("/api/v1/follow-requests/{bob_request}/reject");
    let (status, body) = s.post(&path, Some(&mira), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let reject = eventually(WAIT, "the Reject", || async {
        peer.received("Reject").into_iter().next()
    })
    .await
    .json()
    .unwrap();
    assert_eq!(reject["object"]["id"], follow_ids[1].as_str());
    assert!(follows_of(&s, &peer.actor_id("bob")).await.is_empty());
    let (_, list) = s.get("/api/v1/follow-requests", Some(&mira)).await;
    assert_eq!(list, json!([]));
    let (status, me) = s
        .get(
            &format!("/api/v1/resolve?q=@mira@{}", s.domain()),
            Some(&mira),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        me["followers"], 1,
        "only the authorized follower counts: {me}"
    );
}

#[tokio::test]
async fn media_from_a_server_whose_media_is_rejected_is_left_out() {
    let (s, root, _) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    put_rule(&s, &root, &peer.domain(), json!({"reject_media": true})).await;
    let html = r#"<p>Our chart <img src="http://x.example/c.png" alt="chart"> explained</p>"#;
    let (status, body) = peer
        .deliver(
            &s,
            "/inbox",
            &create_page(&peer, &community(&s, "nursing"), "Chart", html),
            "alice",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, list) = s.get("/api/v1/posts?community=nursing", None).await;
    let post = &list[0];
    let shown = post.to_string();
    assert!(!shown.contains("<img"), "{post}");
    assert!(shown.contains("explained"), "{post}");
    assert!(post["url"].is_null(), "the image link is dropped: {post}");
    assert_eq!(
        log_actions(&s).await,
        ["limit_domain"],
        "a media rule is a limitation"
    );
}

#[tokio::test]
async fn one_community_refuses_a_server_another_accepts() {
    let (s, root, mira) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    let nursing = community(&s, "nursing");
    peer.deliver(&s, "/inbox", &follow(&peer, &nursing), "alice")
        .await;

    // Only moderators manage the list; bad domains are refused.
    s.create_user("ines", false).await;
    let ines = s.login("ines").await;
    let path = "/api/v1/communities/nursing/blocked-domains";
    let (status, body) = s
        .post(path, Some(&ines), json!({"domain": peer.domain()}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("not_a_moderator"))
    );
    let (status, body) = s
        .post(path, Some(&mira), json!({"domain": "not a domain"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("domain_invalid"))
    );
    let (status, body) = s
        .post(path, Some(&mira), json!({"domain": peer.domain()}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["follows_dropped"], 1, "{body}");
    let (_, list) = s.get(path, Some(&mira)).await;
    assert_eq!(list[0]["domain"], peer.domain());

    let (status, body) = peer
        .deliver(
            &s,
            "/inbox",
            &create_page(&peer, &nursing, "No", "<p>x</p>"),
            "alice",
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("domain_blocked"))
    );
    let (status, _) = peer
        .deliver(&s, "/c/nursing/inbox", &follow(&peer, &nursing), "alice")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = peer
        .deliver(
            &s,
            "/inbox",
            &create_page(&peer, &community(&s, "pharmacy"), "Yes", "<p>y</p>"),
            "alice",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(listing(&s, None, "pharmacy").await, ["Yes"]);
    assert!(listing(&s, None, "nursing").await.is_empty());

    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("{path}/{}", peer.domain()),
            Some(&mira),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = peer
        .deliver(
            &s,
            "/inbox",
            &create_page(&peer, &nursing, "Back", "<p>z</p>"),
            "alice",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(
        log_actions(&s).await.ends_with(&[
            "community_block_domain".into(),
            "community_unblock_domain".into()
        ]),
        "{:?}",
        log_actions(&s).await
    );
    let _ = root;
}

#[tokio::test]
async fn a_mastodon_blocklist_imports_exports_back_and_a_malformed_one_imports_nothing() {
    let (s, root, mira) = world().await;
    let import = |token: &str, csv: &str| {
        s.client
            .post(s.url("/api/v1/admin/domains/import"))
            .bearer_auth(token)
            .header("Content-Type", "text/csv")
            .body(csv.to_string())
            .send()
    };
    let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
               spam.example,suspend,true,false,\"spam, lots\",false\n\
               loud.example,silence,false,true,,true\n\
               quiet.example,noop,true,false,,false\n";
    let res = import(&mira, csv).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = import(&root, csv).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let counts: Value = res.json().await.unwrap();
    assert_eq!(
        (&counts["state"], &counts["added"], &counts["updated"]),
        (&json!("done"), &json!(3), &json!(0)),
        "{counts}"
    );

    let res = s
        .client
        .get(s.url("/api/v1/admin/domains/export"))
        .bearer_auth(&root)
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let exported = res.text().await.unwrap();
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(
        lines[0],
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"
    );
    assert!(
        lines.contains(&"spam.example,suspend,true,false,\"spam, lots\",false"),
        "{exported}"
    );
    assert!(
        lines.contains(&"loud.example,silence,false,true,,true"),
        "{exported}"
    );
    // Importing the export again changes nothing but counts every line as updated.
    let again: Value = import(&root, &exported)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&again["state"], &again["added"], &again["updated"]),
        (&json!("done"), &json!(0), &json!(3)),
        "{again}"
    );

    // Old header-less lists and a header without '#'.
    let old: Value = import(&root, "one.example\ntwo.example\n")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&old["state"], &old["added"], &old["updated"]),
        (&json!("done"), &json!(2), &json!(0)),
        "{old}"
    );

    // A bad line anywhere imports nothing, and says which line.
    let before = s.get("/api/v1/admin/domains", Some(&root)).await.1;
    for (bad, line) in [
        (
            "domain,severity\nfine.example,suspend\nnot a domain,suspend\n",
            "line 3",
        ),
        ("fine.example,suspend\nother.example,maybe\n", "line 2"),
        ("#domain,#severity,#colour\n", "line 1"),
        ("\"fine.example,suspend\n", "line 1"),
    ] {
        let res = import(&root, bad).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "blocklist_invalid");
        assert!(
            body["error"]["message"].as_str().unwrap().starts_with(line),
            "{body}"
        );
    }
    let res = s
        .client
        .post(s.url("/api/v1/admin/domains/import"))
        .bearer_auth(&root)
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.get("/api/v1/admin/domains", Some(&root)).await.1, before);
    assert_eq!(
        log_actions(&s)
            .await
            .iter()
            .filter(|a| *a == "import_blocklist")
            .count(),
        3
    );
}

#[tokio::test]
async fn an_announce_from_an_allowed_group_of_a_blocked_servers_object_fetches_nothing() {
    let (s, root, _) = world().await;
    let group_host = Peer::start().await;
    group_host.add_actor("group", "Group").await;
    let blocked = Peer::start().await;
    blocked.add_actor("alice", "Person").await;
    let post_id = format!("{}/post/1", blocked.base());
    blocked.serve(
        &post_id,
        json!({"type": "Page", "id": post_id, "attributedTo": blocked.actor_id("alice"), "name": "Spam", "content": "x"}),
    );

    // ana follows the group on the allowed server, which accepts.
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let (status, view) = s
        .post(
            "/api/v1/follows",
            Some(&ana),
            json!({"target": format!("!group@{}", group_host.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let follow = eventually(WAIT, "the Follow to reach the group", || async {
        group_host.received("Follow").into_iter().next()
    })
    .await
    .json()
    .unwrap();
    let accept = json!({
        "id": group_host.activity_id("accept"), "type": "Accept",
        "actor": group_host.actor_id("group"), "object": follow,
    });
    let (status, body) = group_host.deliver(&s, "/inbox", &accept, "group").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    put_rule(&s, &root, &blocked.domain(), json!({"severity": "block"})).await;
    let announce = json!({
        "id": group_host.activity_id("announce"), "type": "Announce",
        "actor": group_host.actor_id("group"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{}/followers", group_host.actor_id("group"))],
        "object": post_id,
    });
    let (status, body) = group_host.deliver(&s, "/inbox", &announce, "group").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "domain_blocked");
    assert!(blocked.requests().is_empty(), "{:?}", blocked.requests());
    assert_eq!(post_count(&s).await, 0);
}

#[tokio::test]
async fn a_redirect_into_a_blocked_server_is_not_followed() {
    let (s, root, _) = world().await;
    let blocked = Peer::start().await;
    blocked.add_actor("alice", "Person").await;
    put_rule(&s, &root, &blocked.domain(), json!({"severity": "block"})).await;
    let target = blocked.actor_id("alice");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move { (axum::http::StatusCode::FOUND, [("location", target)]) }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = url::Url::parse(&format!("http://{addr}/moved")).unwrap();
    let err = s
        .app
        .fetcher
        .get_json(&url, "application/activity+json", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), copse::ErrorCode::DomainBlocked, "{err:?}");
    assert!(blocked.requests().is_empty());
}

#[tokio::test]
async fn blocking_with_purge_deletes_what_the_server_left_here_and_nothing_else() {
    let (s, root, mira) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    let nursing = community(&s, "nursing");
    peer.deliver(&s, "/inbox", &follow(&peer, &nursing), "alice")
        .await;
    let (status, body) = peer
        .deliver(
            &s,
            "/inbox",
            &create_page(&peer, &nursing, "Theirs", "<p>t</p>"),
            "alice",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Ours"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(post_count(&s).await, 2);

    let (status, body) = put_rule(
        &s,
        &root,
        &peer.domain(),
        json!({"severity": "block", "purge": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["posts_purged"], 1, "{body}");
    assert_eq!(body["follows_dropped"], 1, "{body}");
    assert_eq!(listing(&s, Some(&mira), "nursing").await, ["Ours"]);
    let actor = peer.actor_id("alice");
    let cached = s
        .app
        .db
        .run(move |c| Ok(copse::db::remote_actors::find_by_ap_id(c, &actor)?))
        .await
        .unwrap();
    assert!(cached.is_none(), "its actor is forgotten");
}

#[tokio::test]
async fn a_block_written_by_another_process_is_in_force_within_seconds() {
    let (s, _, _) = world().await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    // Another process sharing the database writes the rule; this one has not been told.
    let domain = peer.domain();
    s.app
        .db
        .transaction(move |c| {
            let now = chrono::Utc::now().naive_utc();
            copse::db::domain_policies::save(
                c,
                &copse::db::domain_policies::DomainPolicyRow {
                    domain,
                    severity: "block".into(),
                    reject_media: false,
                    reject_reports: false,
                    allowed: false,
                    public_comment: None,
                    private_comment: None,
                    obfuscate: false,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let nursing = community(&s, "nursing");
    eventually(
        Duration::from_secs(10),
        "the block to be in force",
        || async {
            let (_, body) = peer
                .post(
                    &s,
                    "/inbox",
                    serde_json::to_vec(&follow(&peer, &nursing)).unwrap(),
                )
                .unsigned()
                .send()
                .await;
            (body["error"]["code"] == "domain_blocked").then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_long_blocklist_imports_whole_in_batches_and_importing_it_again_changes_nothing() {
    let (s, root, _) = world().await;
    let list: String = (0..10_000).map(|n| format!("spam{n}.example\n")).collect();
    let import = || async {
        let res = reqwest::Client::new()
            .post(s.url("/api/v1/admin/domains/import"))
            .bearer_auth(&root)
            .header("content-type", "text/csv")
            .body(list.clone())
            .send()
            .await
            .unwrap();
        let status = res.status();
        let mut view = res.json::<Value>().await.unwrap();
        // Applied in the background: followed until it is done.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
        while view["state"] == "running" {
            assert!(std::time::Instant::now() < deadline, "{view}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let path = format!("/api/v1/admin/domains/imports/{}", view["id"]);
            view = s.get(&path, Some(&root)).await.1;
        }
        (status, view)
    };
    let (status, body) = import().await;
    assert!(
        status == StatusCode::OK || status == StatusCode::ACCEPTED,
        "{body}"
    );
    assert_eq!(body["added"], 10_000, "{body}");
    // An admin who retries after a timeout does no harm.
    let (status, body) = import().await;
    assert!(
        status == StatusCode::OK || status == StatusCode::ACCEPTED,
        "{body}"
    );
    assert_eq!(body["added"], 0, "{body}");
    assert_eq!(body["updated"], 10_000, "{body}");
    let (_, rules) = s.get("/api/v1/admin/domains", Some(&root)).await;
    assert_eq!(rules["domains"].as_array().unwrap().len(), 10_000);
}
