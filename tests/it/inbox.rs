//! What copse's inboxes accept and refuse, seen from a fake remote server on loopback
//! ([`Peer`]): forged, stale, altered or oversized deliveries are refused with their reason
//! and leave nothing behind; valid follows are answered, signed; answers to copse's own
//! follows settle them.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use copse::federation::signatures::{IncomingRequest, verify_request};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::peer::{Peer, Recorded};
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(15);
const AS: &str = "https://www.w3.org/ns/activitystreams";

/// Rows an activity may leave behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stored {
    received: i64,
    follows: i64,
    remote_actors: i64,
    deliveries: i64,
}

const NOTHING: Stored = Stored {
    received: 0,
    follows: 0,
    remote_actors: 0,
    deliveries: 0,
};

async fn stored(s: &TestServer) -> Stored {
    use copse::db::schema::{deliveries, follows, received_activities, remote_actors};
    s.app
        .db
        .run(|c| {
            Ok(Stored {
                received: received_activities::table.count().get_result(c)?,
                follows: follows::table.count().get_result(c)?,
                remote_actors: remote_actors::table.count().get_result(c)?,
                deliveries: deliveries::table.count().get_result(c)?,
            })
        })
        .await
        .unwrap()
}

/// The ids of the cached remote actors.
async fn remote_actors(s: &TestServer) -> Vec<String> {
    use copse::db::schema::remote_actors;
    s.app
        .db
        .run(|c| {
            Ok(remote_actors::table
                .select(remote_actors::ap_id)
                .order(remote_actors::ap_id)
                .load::<String>(c)?)
        })
        .await
        .unwrap()
}

/// A federating copse with the community `nursing` (made by `mira`), and a peer with the
/// people `alice` and `bob` and the group `group`.
async fn world() -> (TestServer, Peer) {
    let s = TestServer::federating(&[]).await;
    s.create_user("mira", false).await;
    let token = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    peer.add_actor("group", "Group").await;
    (s, peer)
}

fn nursing(s: &TestServer) -> String {
    format!("http://{}/c/nursing", s.domain())
}

fn follow(peer: &Peer, who: &str, object: &str) -> Value {
    json!({
        "@context": AS,
        "id": peer.activity_id("follow"),
        "type": "Follow",
        "actor": peer.actor_id(who),
        "object": object,
    })
}

fn bytes(activity: &Value) -> Vec<u8> {
    serde_json::to_vec(activity).unwrap()
}

#[track_caller]
fn assert_refused(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["code"], code, "{}", got.1);
}

async fn followers_of_nursing(s: &TestServer) -> i64 {
    let (status, body) = s.get("/api/v1/communities/nursing", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["followers"].as_i64().unwrap()
}

async fn follow_state(s: &TestServer, token: &str, id: i64) -> Option<String> {
    let (_, list) = s.get("/api/v1/follows", Some(token)).await;
    list.as_array()?
        .iter()
        .find(|f| f["id"].as_i64() == Some(id))
        .map(|f| f["state"].as_str().unwrap().to_string())
}

async fn deliveries_drained(s: &TestServer) {
    eventually(WAIT, "the delivery queue to drain", || async {
        (stored(s).await.deliveries == 0).then_some(())
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Refusals: each leaves nothing behind.

#[tokio::test]
async fn an_unsigned_delivery_is_refused_and_nothing_is_fetched_or_stored() {
    let (s, peer) = world().await;
    let activity = follow(&peer, "alice", &nursing(&s));
    let got = peer
        .post(&s, "/c/nursing/inbox", bytes(&activity))
        .unsigned()
        .send()
        .await;
    assert_refused(&got, StatusCode::UNAUTHORIZED, "signature_missing");
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
    assert_eq!(followers_of_nursing(&s).await, 0);
}

#[tokio::test]
async fn a_delivery_signed_with_a_key_alice_does_not_publish_is_refused() {
    let (s, peer) = world().await;
    let impostor = copse::federation::keys::generate_async().await.unwrap();
    let activity = follow(&peer, "alice", &nursing(&s));
    let got = peer
        .post(&s, "/c/nursing/inbox", bytes(&activity))
        .signed_with(&peer.key_id("alice"), &impostor.private_pem)
        .send()
        .await;
    assert_refused(&got, StatusCode::UNAUTHORIZED, "signature_invalid");
    // Alice's real document was fetched from her own server to check the key: caching it
    // is all that may remain.
    let after = stored(&s).await;
    assert_eq!(
        (after.received, after.follows, after.deliveries),
        (0, 0, 0),
        "{after:?}"
    );
    assert!(
        remote_actors(&s)
            .await
            .iter()
            .all(|a| *a == peer.actor_id("alice")),
        "{:?}",
        remote_actors(&s).await
    );
    assert!(peer.received("Accept").is_empty());
    // The peer does see copse's fetches (what the "nothing fetched" checks rely on).
    assert!(
        peer.fetches()
            .iter()
            .any(|r| r.path == "/users/alice" && r.headers.contains_key("signature")),
        "{:?}",
        peer.fetches()
    );
}

#[tokio::test]
async fn an_activity_of_alice_signed_with_bobs_key_is_refused_as_not_hers() {
    let (s, peer) = world().await;
    let activity = follow(&peer, "alice", &nursing(&s));
    let got = peer
        .post(&s, "/c/nursing/inbox", bytes(&activity))
        .signed_by("bob")
        .send()
        .await;
    assert_refused(&got, StatusCode::FORBIDDEN, "signer_not_actor");
    let after = stored(&s).await;
    assert_eq!(
        (after.received, after.follows, after.deliveries),
        (0, 0, 0),
        "{after:?}"
    );
    // Only bob's own document (fetched for his key) may be cached; nothing about alice.
    assert!(
        remote_actors(&s)
            .await
            .iter()
            .all(|a| *a == peer.actor_id("bob")),
        "{:?}",
        remote_actors(&s).await
    );
    assert_eq!(followers_of_nursing(&s).await, 0);
}

#[tokio::test]
async fn an_activity_whose_id_is_on_another_host_than_its_actor_is_refused_before_any_fetch() {
    let (s, peer) = world().await;
    let mut activity = follow(&peer, "alice", &nursing(&s));
    activity["id"] = json!("http://127.0.0.2:9/activities/follow/1");
    let got = peer
        .deliver(&s, "/c/nursing/inbox", &activity, "alice")
        .await;
    assert_refused(&got, StatusCode::FORBIDDEN, "activity_origin_mismatch");
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
}

#[tokio::test]
async fn a_delivery_signed_thirteen_hours_ago_is_refused_before_any_fetch() {
    let (s, peer) = world().await;
    let activity = follow(&peer, "alice", &nursing(&s));
    let got = peer
        .post(&s, "/c/nursing/inbox", bytes(&activity))
        .dated(Utc::now() - TimeDelta::hours(13))
        .send()
        .await;
    assert_refused(&got, StatusCode::UNAUTHORIZED, "date_out_of_range");
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
}

#[tokio::test]
async fn a_body_changed_after_signing_is_refused_before_any_fetch() {
    let (s, peer) = world().await;
    let signed = follow(&peer, "alice", &nursing(&s));
    let mut altered = signed.clone();
    altered["object"] = json!(format!("http://{}/u/mira", s.domain()));
    let got = peer
        .post(&s, "/c/nursing/inbox", bytes(&signed))
        .body_replaced_after_signing(bytes(&altered))
        .send()
        .await;
    assert_refused(&got, StatusCode::UNAUTHORIZED, "digest_mismatch");
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
}

#[tokio::test]
async fn an_activity_over_one_mebibyte_is_refused_as_too_large() {
    let (s, peer) = world().await;
    let mut activity = follow(&peer, "alice", &nursing(&s));
    activity["summary"] = json!("a".repeat(1024 * 1024));
    let got = peer.deliver(&s, "/inbox", &activity, "alice").await;
    assert_refused(&got, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
}

#[tokio::test]
async fn malformed_json_and_a_json_array_are_refused_as_invalid_activities() {
    let (s, peer) = world().await;
    let activity = follow(&peer, "alice", &nursing(&s));
    let text = activity.to_string();
    let bodies = [
        text.as_bytes()[..text.len() - 1].to_vec(),
        format!("[{text}]").into_bytes(),
        b"null".to_vec(),
        json!({"type": "Follow", "actor": peer.actor_id("alice")})
            .to_string()
            .into_bytes(),
    ];
    for body in bodies {
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).to_string();
        let got = peer.post(&s, "/inbox", body).send().await;
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{shown}: {}", got.1);
        assert_eq!(got.1["error"]["code"], "activity_invalid", "{shown}");
    }
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
}

#[tokio::test]
async fn outside_development_keys_and_actors_on_private_addresses_are_never_fetched() {
    let s = TestServer::start_with(&[]).await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    let stranger = copse::federation::keys::generate_async().await.unwrap();
    let target = format!("{}/u/mira", s.app.config.public_url());

    // Key ids on loopback and private addresses, and one on the peer itself (plain http on
    // a loopback port): refused without a request.
    let peer_actor = peer.actor_id("alice");
    let cases = [
        ("http://127.0.0.1/users/x", stranger.private_pem.clone()),
        ("https://10.0.0.1/users/x", stranger.private_pem.clone()),
        (peer_actor.as_str(), peer.keys("alice").private_pem),
    ];
    for (actor, private_pem) in cases {
        let base = actor.rsplit_once("/users/").unwrap().0;
        let activity = json!({
            "@context": AS,
            "id": format!("{base}/activities/follow/1"),
            "type": "Follow",
            "actor": actor,
            "object": target,
        });
        let got = peer
            .post(&s, "/inbox", bytes(&activity))
            .signed_with(&format!("{actor}#main-key"), &private_pem)
            .send()
            .await;
        assert!(!got.0.is_success(), "{actor}: {} {}", got.0, got.1);
        assert_refused(&got, StatusCode::UNAUTHORIZED, "signer_unknown");
    }
    assert_eq!(stored(&s).await, NOTHING);
    assert!(peer.requests().is_empty(), "{:?}", peer.requests());

    s.create_user("ana", false).await;
    let token = s.login("ana").await;
    for q in ["https://127.0.0.1/u/x", "https://10.1.2.3/u/x"] {
        let (status, body) = s
            .get(&format!("/api/v1/resolve?q={}", urlencode(q)), Some(&token))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{q}: {body}");
        assert_eq!(body["error"]["code"], "fetch_refused", "{q}");
    }
    assert_eq!(stored(&s).await, NOTHING);
}

// ---------------------------------------------------------------------------------------
// Accepted deliveries.

#[tokio::test]
async fn an_activity_of_an_unknown_type_is_acknowledged_and_recorded_once() {
    let (s, peer) = world().await;
    let wiggle = json!({
        "@context": AS,
        "id": peer.activity_id("wiggle"),
        "type": "Wiggle",
        "actor": peer.actor_id("alice"),
        "object": nursing(&s),
    });
    for path in ["/inbox", "/c/nursing/inbox", "/inbox"] {
        let got = peer.deliver(&s, path, &wiggle, "alice").await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{path}: {}", got.1);
    }
    // Odd objects do not make it fail either.
    for object in [json!(42), json!([]), json!({"type": "Wiggle"}), Value::Null] {
        let mut odd = wiggle.clone();
        odd["id"] = json!(peer.activity_id("wiggle"));
        odd["object"] = object.clone();
        let got = peer.deliver(&s, "/inbox", &odd, "alice").await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{object}: {}", got.1);
    }
    assert_eq!(
        stored(&s).await,
        Stored {
            received: 5,
            follows: 0,
            // Alice, whose key checked the signatures.
            remote_actors: 1,
            deliveries: 0,
        }
    );
    assert_eq!(remote_actors(&s).await, vec![peer.actor_id("alice")]);
    assert_eq!(followers_of_nursing(&s).await, 0);
}

#[tokio::test]
async fn the_same_follow_delivered_twice_is_followed_and_accepted_once() {
    let (s, peer) = world().await;
    let activity = follow(&peer, "alice", &nursing(&s));
    for _ in 0..2 {
        let got = peer
            .deliver(&s, "/c/nursing/inbox", &activity, "alice")
            .await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    }
    eventually(WAIT, "the Accept to reach alice", || async {
        (!peer.received("Accept").is_empty()).then_some(())
    })
    .await;
    deliveries_drained(&s).await;
    let accepts = peer.received("Accept");
    assert_eq!(accepts.len(), 1, "{accepts:?}");
    assert_eq!(accepts[0].json().unwrap()["object"]["id"], activity["id"]);
    let after = stored(&s).await;
    assert_eq!((after.received, after.follows), (1, 1), "{after:?}");
    assert_eq!(followers_of_nursing(&s).await, 1);
}

#[tokio::test]
async fn alice_follows_a_community_gets_an_accept_signed_by_it_then_unfollows() {
    let (s, peer) = world().await;
    let community = nursing(&s);
    let activity = follow(&peer, "alice", &community);
    let got = peer
        .deliver(&s, "/c/nursing/inbox", &activity, "alice")
        .await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);

    let accept: Recorded = eventually(WAIT, "the Accept to reach alice", || async {
        peer.received("Accept").into_iter().next()
    })
    .await;
    assert_eq!(accept.path, "/users/alice/inbox");
    let body = accept.json().unwrap();
    assert_eq!(body["actor"], community);
    assert_eq!(body["object"]["id"], activity["id"]);
    assert_eq!(body["object"]["actor"], peer.actor_id("alice"));
    assert_eq!(body["object"]["object"], community);

    // The community's key, as the community publishes it, verifies the Accept.
    let doc: Value = s
        .client
        .get(s.url("/c/nursing"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key_id = doc["publicKey"]["id"].as_str().unwrap().to_string();
    let pem = doc["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(doc["publicKey"]["owner"], community);
    let incoming =
        IncomingRequest::new(&accept.method, &accept.path, &accept.headers, &accept.body)
            .with_scheme("http");
    let asked = key_id.clone();
    let verified = verify_request(&incoming, Utc::now(), |wanted| async move {
        assert_eq!(wanted, asked, "the Accept is signed with another key");
        Ok(pem)
    })
    .await
    .unwrap();
    assert_eq!(verified.key_id, key_id);
    assert_eq!(followers_of_nursing(&s).await, 1);

    let undo = json!({
        "@context": AS,
        "id": peer.activity_id("undo"),
        "type": "Undo",
        "actor": peer.actor_id("alice"),
        "object": activity,
    });
    let got = peer.deliver(&s, "/c/nursing/inbox", &undo, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(followers_of_nursing(&s).await, 0);
    assert_eq!(stored(&s).await.follows, 0);
}

/// `ana` on copse follows the peer's group; returns her token, the follow's id and the
/// Follow as the group received it.
async fn ana_follows_the_group(s: &TestServer, peer: &Peer) -> (String, i64, Value) {
    s.create_user("ana", false).await;
    let token = s.login("ana").await;
    let (status, view) = s
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": format!("!group@{}", peer.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["state"], "pending", "{view}");
    assert_eq!(view["target"]["actor_id"], peer.actor_id("group"), "{view}");
    let id = view["id"].as_i64().unwrap();
    let first = eventually(WAIT, "the Follow to reach the group", || async {
        peer.received("Follow").into_iter().next()
    })
    .await;
    assert_eq!(first.path, "/users/group/inbox");
    let follow = first.json().unwrap();
    assert_eq!(follow["actor"], format!("http://{}/u/ana", s.domain()));
    assert_eq!(follow["object"], peer.actor_id("group"));
    assert_eq!(
        follow_state(s, &token, id).await.as_deref(),
        Some("pending")
    );
    (token, id, follow)
}

#[tokio::test]
async fn a_follow_the_group_never_answers_is_resent_with_a_new_id_then_rejected() {
    let (s, peer) = world().await;
    let (token, id, first) = ana_follows_the_group(&s, &peer).await;

    let sent = copse::follows::retry_due(&s.app, copse::time::now() + TimeDelta::minutes(2))
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let second = eventually(WAIT, "the re-sent Follow", || async {
        peer.received("Follow").get(1).map(|r| r.json().unwrap())
    })
    .await;
    assert_ne!(second["id"], first["id"]);
    assert_eq!(second["actor"], first["actor"]);
    assert_eq!(second["object"], first["object"]);
    assert_eq!(
        follow_state(&s, &token, id).await.as_deref(),
        Some("pending")
    );

    let reject = json!({
        "@context": AS,
        "id": peer.activity_id("reject"),
        "type": "Reject",
        "actor": peer.actor_id("group"),
        "object": second,
    });
    let got = peer.deliver(&s, "/u/ana/inbox", &reject, "group").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(
        follow_state(&s, &token, id).await.as_deref(),
        Some("rejected")
    );
    let later = copse::follows::retry_due(&s.app, copse::time::now() + TimeDelta::days(1))
        .await
        .unwrap();
    assert_eq!(later, 0, "a rejected follow is not re-sent");
}

#[tokio::test]
async fn a_follow_the_group_accepts_is_accepted_and_never_resent() {
    let (s, peer) = world().await;
    let (token, id, follow) = ana_follows_the_group(&s, &peer).await;
    let accept = json!({
        "@context": AS,
        "id": peer.activity_id("accept"),
        "type": "Accept",
        "actor": peer.actor_id("group"),
        "object": follow,
    });
    let got = peer.deliver(&s, "/inbox", &accept, "group").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(
        follow_state(&s, &token, id).await.as_deref(),
        Some("accepted")
    );

    let sent = copse::follows::retry_due(&s.app, copse::time::now() + TimeDelta::days(1))
        .await
        .unwrap();
    assert_eq!(sent, 0);
    deliveries_drained(&s).await;
    assert_eq!(peer.received("Follow").len(), 1);
    assert_eq!(
        follow_state(&s, &token, id).await.as_deref(),
        Some("accepted")
    );
}

#[tokio::test]
async fn an_accept_from_someone_other_than_the_followed_group_changes_nothing() {
    let (s, peer) = world().await;
    let (token, id, follow) = ana_follows_the_group(&s, &peer).await;

    // Alice embeds the Follow of the group and accepts it.
    let accept = json!({
        "@context": AS,
        "id": peer.activity_id("accept"),
        "type": "Accept",
        "actor": peer.actor_id("alice"),
        "object": follow,
    });
    let got = peer.deliver(&s, "/u/ana/inbox", &accept, "alice").await;
    assert_refused(&got, StatusCode::FORBIDDEN, "signer_not_actor");
    assert_eq!(
        follow_state(&s, &token, id).await.as_deref(),
        Some("pending")
    );
    assert_eq!(stored(&s).await.received, 0);

    // Naming the Follow by its id only: not hers to answer either.
    let bare = json!({
        "@context": AS,
        "id": peer.activity_id("accept"),
        "type": "Accept",
        "actor": peer.actor_id("alice"),
        "object": follow["id"],
    });
    let got = peer.deliver(&s, "/u/ana/inbox", &bare, "alice").await;
    assert!(
        got.0 == StatusCode::ACCEPTED || got.0.is_client_error(),
        "{} {}",
        got.0,
        got.1
    );
    assert_eq!(
        follow_state(&s, &token, id).await.as_deref(),
        Some("pending")
    );
}

#[tokio::test]
async fn the_deletion_of_an_actor_copse_never_saw_is_acknowledged_without_fetching_it() {
    let (s, peer) = world().await;
    peer.add_actor("carol", "Person").await;
    peer.add_actor("dave", "Person").await;
    peer.make_gone("dave");
    for name in ["carol", "dave"] {
        let actor = peer.actor_id(name);
        let delete = json!({
            "@context": AS,
            "id": format!("{actor}#delete"),
            "type": "Delete",
            "actor": actor,
            "object": actor,
            "to": [format!("{AS}#Public")],
        });
        let got = peer.deliver(&s, "/inbox", &delete, name).await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{name}: {}", got.1);
    }
    assert!(peer.fetches().is_empty(), "{:?}", peer.fetches());
    let after = stored(&s).await;
    assert_eq!(
        (after.follows, after.remote_actors, after.deliveries),
        (0, 0, 0),
        "{after:?}"
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
