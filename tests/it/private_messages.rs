//! copse has no direct messages: a private message that reaches an inbox is refused by the
//! wire model in the live inbox, never stored, listed or announced as a post.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::fixtures::fixture;
use crate::support::peer::Peer;

const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn community_with_a_follower() -> (TestServer, Peer, String) {
    let s = TestServer::federating(&[]).await;
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
    let peer = Peer::start().await;
    peer.add_actor("bob", "Person").await;
    let community = format!("http://{}/c/nursing", s.domain());
    let follow = json!({"@context": AS, "id": peer.activity_id("follow"), "type": "Follow",
        "actor": peer.actor_id("bob"), "object": community});
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &follow, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    (s, peer, community)
}

/// A Mastodon-style note by bob mentioning the community, addressed `to`/`cc` as given.
fn note(peer: &Peer, community: &str, to: Value, cc: Value) -> Value {
    let id = peer.activity_id("note");
    json!({"@context": AS, "id": peer.activity_id("create"), "type": "Create",
        "actor": peer.actor_id("bob"), "to": to, "cc": cc,
        "object": {"id": id, "type": "Note", "attributedTo": peer.actor_id("bob"),
            "to": to, "cc": cc, "content": "<p>@nursing a question for you</p>",
            "tag": [{"type": "Mention", "href": community}]}})
}

async fn listed(s: &TestServer) -> usize {
    let (status, list) = s.get("/api/v1/posts?community=nursing", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn a_direct_message_to_a_community_is_refused_and_never_becomes_a_post() {
    let (s, peer, community) = community_with_a_follower().await;
    let dm = note(&peer, &community, json!([community]), json!([]));
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &dm, "bob").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "private_message_refused");

    // Lemmy's private message, announced or not, is refused the same way.
    let mut pm = fixture("lemmy/activities/create_or_update/create_private_message.json");
    pm["id"] = json!(peer.activity_id("create"));
    pm["actor"] = json!(peer.actor_id("bob"));
    pm["object"]["id"] = json!(format!("{}/private_message/1", peer.base()));
    pm["object"]["attributedTo"] = json!(peer.actor_id("bob"));
    pm["to"] = json!([community]);
    pm["object"]["to"] = json!([community]);
    let (status, body) = peer.deliver(&s, "/inbox", &pm, "bob").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "private_message_refused");
    assert_eq!(listed(&s).await, 0, "nothing was stored as a post");

    // The same note addressed to the public is a post of the community: the refusal is
    // about the addressing, not the shape.
    let public = note(&peer, &community, json!([PUBLIC]), json!([community]));
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &public, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    crate::support::eventually(
        Duration::from_secs(10),
        "the public note listed",
        || async { (listed(&s).await == 1).then_some(()) },
    )
    .await;
}
