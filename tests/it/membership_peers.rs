//! Membership requests from other software, seen from a fake remote server: a `Follow` of a
//! community that approves members (Mastodon, Lemmy), Mobilizon's `Join` and `Leave`, and
//! hostile membership activities.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::peer::Peer;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);
const AS: &str = "https://www.w3.org/ns/activitystreams";

/// A federating copse with `!nursing` (owned by `mira`) set up by `settings`, and a peer with
/// `alice`, `bob` and a group `group`.
async fn world(settings: Value) -> (TestServer, String, Peer) {
    let s = TestServer::federating(&[]).await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    s.post(
        "/api/v1/communities",
        Some(&mira),
        json!({"name": "nursing", "title": "Nursing practice"}),
    )
    .await;
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    peer.add_actor("group", "Group").await;
    (s, mira, peer)
}

/// The community's actor document, as a server fetches it.
async fn group_of(s: &TestServer) -> Value {
    reqwest::Client::new()
        .get(s.url("/c/nursing"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

fn nursing(s: &TestServer) -> String {
    format!("http://{}/c/nursing", s.domain())
}

fn request(peer: &Peer, kind: &str, who: &str, object: &str) -> Value {
    json!({
        "@context": AS,
        "id": peer.activity_id(&kind.to_ascii_lowercase()),
        "type": kind,
        "actor": peer.actor_id(who),
        "object": object,
    })
}

async fn pending(s: &TestServer, mira: &str) -> Vec<Value> {
    let (_, list) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(mira),
        )
        .await;
    list.as_array().unwrap().clone()
}

async fn members(s: &TestServer, mira: &str) -> Vec<Value> {
    let (_, list) = s
        .get("/api/v1/communities/nursing/members", Some(mira))
        .await;
    list.as_array().unwrap().clone()
}

/// The answer of kind `kind` the peer received for the request `id`.
async fn answer(peer: &Peer, kind: &str, id: &str) -> Value {
    eventually(WAIT, &format!("the {kind}"), || async {
        peer.received(kind)
            .into_iter()
            .filter_map(|r| r.json())
            .find(|a| a["object"]["id"] == id)
    })
    .await
}

#[tokio::test]
async fn a_follow_of_a_private_community_that_approves_members_is_an_application_answered_later() {
    let (s, mira, peer) = world(json!({"visibility": "private", "join_policy": "approval"})).await;
    let group = group_of(&s).await;
    assert_eq!(group["manuallyApprovesFollowers"], true);

    let follow = request(&peer, "Follow", "alice", &nursing(&s));
    let got = peer.deliver(&s, "/c/nursing/inbox", &follow, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    let apps = pending(&s, &mira).await;
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["via"], "follow");
    assert_eq!(
        apps[0]["answers"],
        Value::Null,
        "a remote applicant without answers"
    );
    assert_eq!(apps[0]["application_note"], "remote applicant, no answers");
    assert_eq!(apps[0]["member"], format!("@alice@{}", peer.domain()));
    assert!(
        peer.received("Accept").is_empty(),
        "nothing is answered before the moderators"
    );

    let (status, _) = s
        .post(
            &format!(
                "/api/v1/communities/nursing/members/{}/approve",
                apps[0]["id"]
            ),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let accept = answer(&peer, "Accept", follow["id"].as_str().unwrap()).await;
    assert_eq!(accept["actor"], nursing(&s));
    assert_eq!(accept["object"]["type"], "Follow");
    assert_eq!(accept["object"]["actor"], peer.actor_id("alice"));
    assert_eq!(members(&s, &mira).await.len(), 2);
    let (_, shown) = s.get("/api/v1/communities/nursing", None).await;
    assert_eq!(shown["followers"], 1, "an approved member follows");

    let bob_follow = request(&peer, "Follow", "bob", &nursing(&s));
    peer.deliver(&s, "/inbox", &bob_follow, "bob").await;
    let bob_app = pending(&s, &mira).await[0]["id"].clone();
    s.post(
        &format!("/api/v1/communities/nursing/members/{bob_app}/reject"),
        Some(&mira),
        json!({}),
    )
    .await;
    let reject = answer(&peer, "Reject", bob_follow["id"].as_str().unwrap()).await;
    assert_eq!(reject["object"]["actor"], peer.actor_id("bob"));
    let (_, shown) = s.get("/api/v1/communities/nursing", None).await;
    assert_eq!(
        shown["followers"], 1,
        "a rejected applicant does not follow"
    );

    // alice undoes her follow: she is no member any more.
    let undo = json!({
        "@context": AS,
        "id": peer.activity_id("undo"),
        "type": "Undo",
        "actor": peer.actor_id("alice"),
        "object": follow,
    });
    let got = peer.deliver(&s, "/inbox", &undo, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(members(&s, &mira).await.len(), 1);
}

#[tokio::test]
async fn a_public_community_that_approves_members_is_followed_at_once_and_says_it_is_public() {
    // Lemmy 1.0 reads manuallyApprovesFollowers as "private community" and then refuses
    // every public post of it; following public posts needs no approval anyway.
    let (s, mira, peer) = world(json!({"join_policy": "approval"})).await;
    let group = group_of(&s).await;
    assert_eq!(group["manuallyApprovesFollowers"], false, "{group}");
    let follow = request(&peer, "Follow", "alice", &nursing(&s));
    let got = peer.deliver(&s, "/c/nursing/inbox", &follow, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    let accept = answer(&peer, "Accept", follow["id"].as_str().unwrap()).await;
    assert_eq!(accept["actor"], nursing(&s));
    assert!(
        pending(&s, &mira).await.is_empty(),
        "a follower, not an applicant"
    );
    // Membership still waits for the moderators.
    let join = request(&peer, "Join", "bob", &nursing(&s));
    let got = peer.deliver(&s, "/c/nursing/inbox", &join, "bob").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(pending(&s, &mira).await.len(), 1);
}

#[tokio::test]
async fn a_mobilizon_join_is_admitted_by_an_open_community_and_a_leave_ends_it() {
    let (s, mira, peer) = world(json!({"join_policy": "open"})).await;
    let join = request(&peer, "Join", "alice", &nursing(&s));
    let got = peer.deliver(&s, "/c/nursing/inbox", &join, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    let accept = answer(&peer, "Accept", join["id"].as_str().unwrap()).await;
    assert_eq!(accept["object"]["type"], "Join");
    let list = members(&s, &mira).await;
    let alice = list
        .iter()
        .find(|m| m["member"] == format!("@alice@{}", peer.domain()))
        .expect("alice is a member");
    assert_eq!(alice["via"], "join");
    assert_eq!(alice["newcomer"], true);

    // The owner makes alice a moderator: her server hears it as Lemmy sends it.
    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{}/role", alice["id"]),
            Some(&mira),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let add = eventually(WAIT, "the announced Add", || async {
        peer.received("Announce")
            .into_iter()
            .filter_map(|r| r.json())
            .find(|a| a["object"]["type"] == "Add")
    })
    .await;
    assert_eq!(add["object"]["object"], peer.actor_id("alice"));
    assert_eq!(
        add["object"]["target"],
        format!("{}/moderators", nursing(&s))
    );

    let leave = request(&peer, "Leave", "alice", &nursing(&s));
    let got = peer.deliver(&s, "/inbox", &leave, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(members(&s, &mira).await.len(), 1, "only mira is left");
}

#[tokio::test]
async fn hostile_membership_activities_are_refused_or_cut_to_size() {
    let (s, mira, peer) = world(json!({
        "join_policy": "approval",
        "posting_policy": "members",
        "questions": [{"question": "Where do you practise?", "required": true}]
    }))
    .await;

    // A Join of a community that does not exist.
    let join = request(
        &peer,
        "Join",
        "alice",
        &format!("http://{}/c/nobody", s.domain()),
    );
    let got = peer.deliver(&s, "/inbox", &join, "alice").await;
    assert_eq!(got.0, StatusCode::NOT_FOUND, "{}", got.1);

    // An application flooding answers is cut to 5 answers of 2,000 characters.
    let mut flood = request(&peer, "Join", "alice", &nursing(&s));
    flood["answers"] = Value::Array(
        (0..20)
            .map(|i| json!({"question": "x".repeat(5000), "answer": format!("{i}{}", "y".repeat(10_000))}))
            .collect(),
    );
    let got = peer.deliver(&s, "/inbox", &flood, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    let apps = pending(&s, &mira).await;
    let answers = apps[0]["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 5);
    assert_eq!(answers[0]["question"], "Where do you practise?");
    assert!(answers[1]["question"].as_str().unwrap().chars().count() <= 500);
    assert_eq!(answers[0]["answer"].as_str().unwrap().chars().count(), 2000);

    // An answer to a Join by someone other than the community joined.
    let accept = json!({
        "@context": AS,
        "id": peer.activity_id("accept"),
        "type": "Accept",
        "actor": peer.actor_id("group"),
        "object": {
            "id": format!("http://{}/activities/join/forged", s.domain()),
            "type": "Join",
            "actor": format!("http://{}/u/mira", s.domain()),
            "object": "http://elsewhere.example/c/other",
        },
    });
    let got = peer.deliver(&s, "/inbox", &accept, "group").await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
    assert_eq!(got.1["error"]["code"], "signer_not_actor");

    // An Invite to a community on another host than the inviter's.
    let invite = json!({
        "@context": AS,
        "id": peer.activity_id("invite"),
        "type": "Invite",
        "actor": peer.actor_id("alice"),
        "object": "http://elsewhere.example/c/other",
        "target": format!("http://{}/u/mira", s.domain()),
    });
    let got = peer.deliver(&s, "/inbox", &invite, "alice").await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
    assert_eq!(got.1["error"]["code"], "activity_origin_mismatch");
    let (_, notes) = s.get("/api/v1/notifications", Some(&mira)).await;
    assert!(!notes.to_string().contains("elsewhere.example"), "{notes}");

    // A post from someone who is not a member of a members-only community.
    let page = json!({
        "id": format!("{}/post/1", peer.base()),
        "type": "Page",
        "attributedTo": peer.actor_id("bob"),
        "name": "Buy my course",
        "content": "<p>spam</p>",
        "to": [nursing(&s), "https://www.w3.org/ns/activitystreams#Public"],
        "audience": nursing(&s),
    });
    let create = json!({
        "@context": AS,
        "id": peer.activity_id("create"),
        "type": "Create",
        "actor": peer.actor_id("bob"),
        "object": page,
        "to": [nursing(&s)],
    });
    let got = peer.deliver(&s, "/c/nursing/inbox", &create, "bob").await;
    assert_eq!(got.0, StatusCode::FORBIDDEN, "{}", got.1);
    assert_eq!(got.1["error"]["code"], "posting_not_allowed");
    let (_, list) = s.get("/api/v1/posts?community=nursing", Some(&mira)).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn an_invited_person_elsewhere_joins_with_the_code_and_is_welcomed() {
    let (s, mira, peer) = world(json!({
        "join_policy": "invite",
        "welcome_message": "Welcome! Please read the **rules**."
    }))
    .await;
    let (status, invite) = s
        .post(
            "/api/v1/communities/nursing/invites",
            Some(&mira),
            json!({"invitee": peer.actor_id("alice")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let code = invite["code"].as_str().unwrap().to_string();
    assert_eq!(
        invite["max_uses"], 1,
        "an invite for one person is used once"
    );
    let sent = eventually(WAIT, "the Invite", || async {
        peer.received("Invite").into_iter().find_map(|r| r.json())
    })
    .await;
    assert_eq!(sent["target"], peer.actor_id("alice"));
    assert_eq!(sent["object"], nursing(&s));
    assert_eq!(sent["invite"], code.as_str());

    // bob cannot use alice's code; alice can.
    let mut bob_join = request(&peer, "Join", "bob", &nursing(&s));
    bob_join["invite"] = json!(code);
    peer.deliver(&s, "/inbox", &bob_join, "bob").await;
    let refused = answer(&peer, "Reject", bob_join["id"].as_str().unwrap()).await;
    assert_eq!(refused["object"]["actor"], peer.actor_id("bob"));
    let mut join = request(&peer, "Join", "alice", &nursing(&s));
    join["invite"] = json!(code);
    let got = peer.deliver(&s, "/inbox", &join, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    answer(&peer, "Accept", join["id"].as_str().unwrap()).await;
    let list = members(&s, &mira).await;
    assert!(list.iter().any(|m| m["via"] == "invite"), "{list:?}");
    assert!(
        !list
            .iter()
            .any(|m| m["member"] == format!("@bob@{}", peer.domain())),
        "{list:?}"
    );
    let welcome = eventually(WAIT, "the welcome", || async {
        peer.received("Create")
            .into_iter()
            .filter_map(|r| r.json())
            .find(|c| c["object"]["type"] == "Note")
    })
    .await;
    assert_eq!(welcome["actor"], nursing(&s));
    assert_eq!(welcome["to"], json!([peer.actor_id("alice")]));
    assert!(
        welcome["object"]["content"]
            .as_str()
            .unwrap()
            .contains("<strong>rules</strong>")
    );
}
