//! Reports between servers: a report forwarded by another copse server reaches the
//! community's moderators; Lemmy's, Mastodon's and mbin's `Flag` land in the right queues;
//! a Flag about things that do not exist here makes nothing.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::peer::Peer;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(75);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A federating server with `mira` owning `!nursing`, `ana` who posted in it, and an admin
/// `root`; the tokens of mira and root, and the post's id.
async fn home() -> (TestServer, String, String, i64) {
    let a = TestServer::federating(&[]).await;
    a.create_user("mira", false).await;
    a.create_user("ana", false).await;
    a.create_user("odile", true).await;
    let mira = a.login("mira").await;
    let ana = a.login("ana").await;
    let root = a.login("odile").await;
    let (status, body) = a
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, post) = a
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": "nursing", "title": "Cheap pills", "body": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    (a, mira, root, post["id"].as_i64().unwrap())
}

async fn queue(s: &TestServer, token: &str, query: &str) -> Vec<Value> {
    let (status, page) = s.get(&format!("/api/v1/reports{query}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn report_count(s: &TestServer) -> i64 {
    use diesel::prelude::*;
    s.app
        .db
        .run(|c| {
            Ok(copse::db::schema::reports::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_report_forwarded_from_another_copse_reaches_the_communitys_moderators() {
    let (a, mira, _root, post_id) = home().await;
    let b = TestServer::federating(&[]).await;
    b.create_user("bob", false).await;
    b.create_user("boss", true).await;
    let bob = b.login("bob").await;
    let boss = b.login("boss").await;
    let community = format!("!nursing@{}", a.domain());

    // bob follows the community from B, and sees a new post of it there.
    let (status, body) = b
        .post("/api/v1/follows", Some(&bob), json!({"target": community}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually(WAIT, "the follow to be accepted", || async {
        let (_, list) = b.get("/api/v1/follows", Some(&bob)).await;
        (list[0]["state"] == "accepted").then_some(())
    })
    .await;
    let (_, ana_post) = a.get(&format!("/api/v1/posts/{post_id}"), None).await;
    let ana = a.login("ana").await;
    let (status, fresh) = a
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": "nursing", "title": "Buy followers", "body": "spam again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fresh}");
    assert_ne!(ana_post["id"], fresh["id"]);
    let on_b = eventually(WAIT, "the post to reach B", || async {
        let (_, list) = b
            .get(
                &format!("/api/v1/posts?community={}", enc(&community)),
                Some(&bob),
            )
            .await;
        list.as_array()?
            .iter()
            .find(|p| p["title"] == "Buy followers")
            .cloned()
    })
    .await;

    // bob reports it on B and asks for it to be forwarded.
    let (status, report) = b
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": on_b["id"], "reason": "Selling followers", "forward": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert!(
        report["community"].is_null(),
        "a remote community: B's admins"
    );
    assert!(report["forwarded_at"].is_string(), "{report}");
    let on_b_queue = queue(&b, &boss, "").await;
    assert_eq!(on_b_queue[0]["id"], report["id"]);
    let (_, b_log) = b.get("/api/v1/modlog", None).await;
    assert_eq!(b_log["items"][0]["action"], "forward_report");
    assert!(b_log["items"][0].get("moderator").is_none());
    crate::support::drained(&b).await;

    // A's moderators get it, from B's instance, never naming bob.
    let got = eventually(WAIT, "the Flag to reach A's community queue", || async {
        let items = queue(&a, &mira, "?community=nursing").await;
        items.into_iter().next()
    })
    .await;
    assert_eq!(got["reason"], "Selling followers");
    assert_eq!(got["target"]["kind"], "post");
    assert_eq!(got["target"]["id"], fresh["id"]);
    // Sent by B's reporting actor, a Service (Lemmy takes no Flag from an Application),
    // signed with B's instance key under the reporting actor's own key id.
    assert_eq!(
        got["reporter"]["actor_id"],
        format!("http://{}/actor/reports", b.domain())
    );
    assert_eq!(got["reporter"]["local"], false);
    assert!(!got.to_string().contains("bob"), "{got}");
    let (_, told) = a.get("/api/v1/notifications", Some(&mira)).await;
    assert!(
        told.as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "report"),
        "{told}"
    );

    // Resolving it on A is A's decision, in A's log.
    let (status, body) = a
        .post(
            &format!("/api/v1/reports/{}/resolve", got["id"]),
            Some(&mira),
            json!({"note": "removed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_report_without_forward_stays_on_the_reporters_server() {
    let (a, _mira, _root, _) = home().await;
    let b = TestServer::federating(&[]).await;
    b.create_user("bob", false).await;
    let bob = b.login("bob").await;
    let (status, report) = b
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"person": format!("@ana@{}", a.domain()), "reason": "rude"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert!(report["forwarded_at"].is_null());
    assert_eq!(report["target"]["kind"], "person");
    let n = b
        .app
        .db
        .run(|c| Ok(copse::db::deliveries::backlog(c)?.0))
        .await
        .unwrap();
    assert_eq!(n, 0);
}

/// Lemmy's report_page.json from the peer's `lemmy_alpha`, about `object`, to `to`.
fn lemmy_flag(peer: &Peer, object: &str, to: &str) -> Value {
    let mut flag = fixture("lemmy/activities/community/report_page.json");
    flag["id"] = json!(peer.activity_id("flag"));
    flag["actor"] = json!(peer.actor_id("lemmy_alpha"));
    flag["to"] = json!([to]);
    flag["audience"] = json!(to);
    flag["object"] = json!(object);
    flag
}

#[tokio::test]
async fn lemmys_flag_of_a_post_lands_in_the_communitys_queue_once() {
    let (a, mira, root, post_id) = home().await;
    let peer = Peer::start().await;
    peer.add_actor("lemmy_alpha", "Person").await;
    let base = a.app.config.public_url();
    let flag = lemmy_flag(
        &peer,
        &format!("{base}/post/{post_id}"),
        &format!("{base}/c/nursing"),
    );

    let (status, body) = peer.deliver(&a, "/inbox", &flag, "lemmy_alpha").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let items = queue(&a, &mira, "?community=nursing").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["reason"], "report this post");
    assert_eq!(items[0]["target"]["id"], post_id);
    assert_eq!(
        items[0]["reporter"]["handle"],
        format!("@lemmy_alpha@{}", peer.domain())
    );
    assert!(
        queue(&a, &root, "").await.is_empty(),
        "not in the instance queue"
    );

    // The same Flag again, even to the community's inbox, makes no second report.
    let (status, _) = peer
        .deliver(&a, "/c/nursing/inbox", &flag, "lemmy_alpha")
        .await;
    assert!(status.is_success(), "{status}");
    assert_eq!(report_count(&a).await, 1);
}

#[tokio::test]
async fn mastodons_flag_of_a_person_and_their_posts_lands_in_the_instance_queue() {
    let (a, mira, root, post_id) = home().await;
    let peer = Peer::start().await;
    let instance = peer.add_actor("actor", "Application").await;
    let base = a.app.config.public_url();
    let ana = format!("{base}/u/ana");
    let post = format!("{base}/post/{post_id}");
    let mut flag = fixture("mastodon/activities/flag.json");
    flag["id"] = json!(peer.activity_id("flag"));
    flag["actor"] = json!(instance);
    flag["object"] = json!([ana, post, format!("{base}/post/999999")]);
    flag["to"] = json!(ana);

    let (status, body) = peer.deliver(&a, "/inbox", &flag, "actor").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let items = queue(&a, &root, "").await;
    assert_eq!(items.len(), 1, "{items:?}");
    let report = &items[0];
    assert_eq!(
        report["reason"],
        "Please take a look at this user and their posts"
    );
    assert_eq!(report["target"]["kind"], "person");
    assert_eq!(report["target"]["ap_id"], ana);
    assert_eq!(report["target"]["snippet"], "spam");
    // What does not exist here is left out of what the report names.
    assert_eq!(report["objects"], json!([ana, post]));
    assert_eq!(report["reporter"]["actor_id"], instance);
    assert!(queue(&a, &mira, "?community=nursing").await.is_empty());
    let (_, told) = a.get("/api/v1/notifications", Some(&root)).await;
    assert!(
        told.as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "report"),
        "{told}"
    );
}

#[tokio::test]
async fn mbins_flag_to_the_community_lands_in_its_queue() {
    let (a, mira, _root, post_id) = home().await;
    let peer = Peer::start().await;
    let reporter = peer.add_actor("BentiGorlich", "Person").await;
    let base = a.app.config.public_url();
    let mut flag = fixture("mbin/activities/flag.json");
    flag["id"] = json!(peer.activity_id("flag"));
    flag["actor"] = json!(reporter);
    flag["object"] = json!([format!("{base}/post/{post_id}"), format!("{base}/u/ana")]);
    flag["to"] = json!([format!("{base}/c/nursing")]);
    flag["audience"] = json!(format!("{base}/c/nursing"));

    let (status, body) = peer.deliver(&a, "/inbox", &flag, "BentiGorlich").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let items = queue(&a, &mira, "?community=nursing").await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["target"]["kind"], "post");
    assert_eq!(items[0]["reason"], "dikjhgasdpas dsaü");
}

#[tokio::test]
async fn a_flag_about_objects_that_do_not_exist_creates_nothing() {
    let (a, mira, root, _) = home().await;
    let peer = Peer::start().await;
    peer.add_actor("lemmy_alpha", "Person").await;
    let base = a.app.config.public_url();
    let unknown = [
        format!("{base}/post/424242"),
        format!("{base}/comment/424242"),
        format!("{base}/u/nobody"),
        format!("{base}/c/nowhere"),
        format!("{}/post/1", peer.base()),
        "https://elsewhere.example/u/someone".to_string(),
    ];
    for object in &unknown {
        let flag = lemmy_flag(&peer, object, &format!("{base}/c/nursing"));
        let (status, body) = peer.deliver(&a, "/inbox", &flag, "lemmy_alpha").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{object}: {body}");
    }
    let mut all = lemmy_flag(&peer, "", &format!("{base}/c/nursing"));
    all["object"] = json!(unknown);
    let (status, body) = peer.deliver(&a, "/inbox", &all, "lemmy_alpha").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // A Flag whose object is not an id at all is refused as malformed.
    let mut broken = lemmy_flag(&peer, "", &format!("{base}/c/nursing"));
    broken["object"] = json!(42);
    let (status, body) = peer.deliver(&a, "/inbox", &broken, "lemmy_alpha").await;
    assert!(status.is_client_error(), "{status} {body}");

    assert_eq!(report_count(&a).await, 0);
    assert!(queue(&a, &mira, "?community=nursing").await.is_empty());
    assert!(queue(&a, &root, "?scope=all").await.is_empty());
    // Peers' content is never fetched to make a report.
    assert!(peer.fetches().iter().all(|r| !r.path.starts_with("/post/")));
}

#[tokio::test]
async fn a_forwarded_report_of_a_remote_person_reaches_their_server_in_mastodons_shape() {
    let (a, _mira, _root, _) = home().await;
    let peer = Peer::start().await;
    let alice = peer.add_actor("alice", "Person").await;
    let ana = a.login("ana").await;
    let (status, report) = a
        .post(
            "/api/v1/reports",
            Some(&ana),
            json!({"person": format!("@alice@{}", peer.domain()), "reason": "Threats in DMs", "forward": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert!(report["community"].is_null());

    let flag = eventually(WAIT, "the Flag to reach alice's server", || async {
        peer.received("Flag").into_iter().next()
    })
    .await;
    assert_eq!(flag.path, "/inbox", "the shared inbox");
    let body = flag.json().unwrap();
    assert_eq!(
        body["actor"],
        format!("{}/actor", a.app.config.public_url())
    );
    assert_eq!(body["object"], json!([alice]));
    assert_eq!(body["to"], json!([alice]));
    assert_eq!(body["content"], "Threats in DMs");
    assert_eq!(body["summary"], "Threats in DMs");
    assert!(
        !body.to_string().contains("/u/ana"),
        "the reporter is not named: {body}"
    );
    assert!(flag.headers.contains_key("signature"));
    let (_, seen) = a
        .get(&format!("/api/v1/reports/{}", report["id"]), Some(&ana))
        .await;
    assert!(seen["forwarded_at"].is_string(), "{seen}");
}

#[tokio::test]
async fn only_the_first_ids_of_a_long_flag_are_looked_up() {
    let (a, mira, _root, post_id) = home().await;
    let peer = Peer::start().await;
    peer.add_actor("lemmy_alpha", "Person").await;
    let base = a.app.config.public_url();
    let mut objects: Vec<String> = (0..60)
        .map(|n| format!("{}/post/{n}", peer.base()))
        .collect();
    objects.push(format!("{base}/post/{post_id}"));
    let mut flag = lemmy_flag(&peer, "", &format!("{base}/c/nursing"));
    flag["object"] = json!(objects);
    let (status, body) = peer.deliver(&a, "/inbox", &flag, "lemmy_alpha").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(report_count(&a).await, 0);
    assert!(queue(&a, &mira, "?community=nursing").await.is_empty());
}

#[tokio::test]
async fn reports_from_a_server_whose_reports_are_rejected_are_not_filed() {
    let (a, mira, root, post_id) = home().await;
    let peer = Peer::start().await;
    peer.add_actor("lemmy_alpha", "Person").await;
    let (status, body) = a
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/domains/{}", peer.domain()),
            Some(&root),
            Some(json!({"severity": "none", "reject_reports": true})),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let base = a.app.config.public_url();
    let flag = lemmy_flag(
        &peer,
        &format!("{base}/post/{post_id}"),
        &format!("{base}/c/nursing"),
    );
    let (status, body) = peer.deliver(&a, "/inbox", &flag, "lemmy_alpha").await;
    assert_eq!(status, StatusCode::ACCEPTED, "acknowledged: {body}");
    assert!(queue(&a, &mira, "?community=nursing").await.is_empty());
    assert_eq!(report_count(&a).await, 0, "and not filed");
}
