//! Addressing decides privacy. What someone writes to a community without addressing the
//! public (a Mastodon direct message, a followers-only mention) is never stored, listed or
//! announced as a post: it reaches the community's moderators as a private conversation,
//! and their answer goes back as a direct message. Messages between people, and Lemmy's
//! chat messages, are refused: copse has none.

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

const WAIT: Duration = Duration::from_secs(20);

/// The conversations in the moderators' queue of `nursing`, as `token` sees them.
async fn queue(s: &TestServer, token: &str) -> Vec<Value> {
    let (status, list) = s
        .get("/api/v1/communities/nursing/conversations", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// The Creates the peer received whose object answers `in_reply_to`.
fn answers_to(peer: &Peer, in_reply_to: &str) -> Vec<Value> {
    peer.received("Create")
        .into_iter()
        .filter_map(|r| r.json())
        .filter(|a| a["object"]["inReplyTo"] == in_reply_to)
        .collect()
}

#[tokio::test]
async fn a_direct_message_to_a_community_reaches_its_moderators_and_their_answer_comes_back_privately()
 {
    let (s, peer, community) = community_with_a_follower().await;
    let mira = s.login("mira").await;
    let dm = note(&peer, &community, json!([community]), json!([]));
    let note_id = dm["object"]["id"].as_str().unwrap().to_string();
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &dm, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(listed(&s).await, 0, "a direct message is no post");

    // The moderators see it, and are told.
    let conversations = queue(&s, &mira).await;
    assert_eq!(conversations.len(), 1, "{conversations:?}");
    let conversation = &conversations[0];
    assert_eq!(
        conversation["person"]["handle"],
        format!("@bob@{}", peer.domain())
    );
    assert_eq!(conversation["unread"], 1);
    let (_, notes) = s.get("/api/v1/notifications", Some(&mira)).await;
    assert!(
        notes
            .to_string()
            .contains("wrote to the moderators of !nursing"),
        "{notes}"
    );

    // Nobody else does: not a member, not a visitor.
    s.create_user("nina", false).await;
    let nina = s.login("nina").await;
    let (status, body) = s
        .get("/api/v1/communities/nursing/conversations", Some(&nina))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_a_moderator");
    let (status, _) = s
        .get("/api/v1/communities/nursing/conversations", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Reading it marks it read.
    let id = conversation["id"].as_i64().unwrap();
    let path = format!("/api/v1/communities/nursing/conversations/{id}");
    let (status, detail) = s.get(&path, Some(&mira)).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert!(
        detail["messages"][0]["body_html"]
            .as_str()
            .unwrap()
            .contains("a question for you"),
        "{detail}"
    );
    assert_eq!(queue(&s, &mira).await[0]["unread"], 0);

    // The answer goes to bob alone, as a direct message from the community.
    let (status, body) = s
        .post(
            &format!("{path}/messages"),
            Some(&mira),
            json!({"body": "Thank you, we will look into it."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["moderator"], "mira", "moderators see who answered");
    let answer = crate::support::eventually(WAIT, "the answer to reach bob", || async {
        answers_to(&peer, &note_id).into_iter().next()
    })
    .await;
    assert_eq!(answer["actor"], community, "{answer}");
    assert_eq!(answer["to"], json!([peer.actor_id("bob")]), "{answer}");
    assert_eq!(
        answer["object"]["to"],
        json!([peer.actor_id("bob")]),
        "{answer}"
    );
    assert!(
        !answer.to_string().contains(PUBLIC) && !answer.to_string().contains("followers"),
        "nothing public about it: {answer}"
    );
    assert_eq!(answer["object"]["tag"][0]["type"], "Mention", "{answer}");
    assert_eq!(answer["object"]["tag"][0]["href"], peer.actor_id("bob"));
    let content = answer["object"]["content"].as_str().unwrap();
    assert!(content.contains("we will look into it"), "{content}");
    assert!(
        !content.contains("mira"),
        "the moderator stays unnamed: {content}"
    );

    // Bob's reply continues the conversation.
    let answer_id = answer["object"]["id"].as_str().unwrap();
    let mut reply = note(&peer, &community, json!([community]), json!([]));
    reply["object"]["inReplyTo"] = json!(answer_id);
    reply["object"]["content"] = json!("<p>Thanks!</p>");
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &reply, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, detail) = s.get(&path, Some(&mira)).await;
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3, "{detail}");
    assert_eq!(messages[1]["from_community"], true);
    assert_eq!(messages[2]["from_community"], false);
    assert_eq!(
        queue(&s, &mira).await.len(),
        1,
        "one conversation per person"
    );
    assert_eq!(listed(&s).await, 0);
}

#[tokio::test]
async fn followers_only_mentions_go_to_the_moderators_and_unlisted_ones_are_posts() {
    let (s, peer, community) = community_with_a_follower().await;
    let mira = s.login("mira").await;
    let followers = format!("{}/followers", peer.actor_id("bob"));

    let private = note(&peer, &community, json!([followers]), json!([community]));
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &private, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(listed(&s).await, 0, "a followers-only note is no post");
    assert_eq!(queue(&s, &mira).await.len(), 1);

    // Public in cc (Mastodon's unlisted) is public.
    let unlisted = note(
        &peer,
        &community,
        json!([followers]),
        json!([PUBLIC, community]),
    );
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &unlisted, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    crate::support::eventually(WAIT, "the unlisted note listed", || async {
        (listed(&s).await == 1).then_some(())
    })
    .await;
}

#[tokio::test]
async fn messages_between_people_and_lemmys_chat_messages_are_refused() {
    let (s, peer, community) = community_with_a_follower().await;
    let mira_actor = format!("http://{}/u/mira", s.domain());
    let to_mira = note(&peer, &community, json!([mira_actor]), json!([]));
    let (status, body) = peer.deliver(&s, "/inbox", &to_mira, "bob").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "private_message_refused");

    // Lemmy's private message is refused even when addressed to the community.
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
}

#[tokio::test]
async fn a_private_reply_to_a_public_post_is_no_comment() {
    let (s, peer, community) = community_with_a_follower().await;
    let mira = s.login("mira").await;
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Night shifts", "body": "How do you rest?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let mira_actor = format!("http://{}/u/mira", s.domain());
    // A reply to the post's author alone (Mastodon's direct reply).
    let mut reply = note(&peer, &community, json!([mira_actor]), json!([]));
    reply["object"]["inReplyTo"] = post["ap_id"].clone();
    reply["object"]["tag"] = json!([{"type": "Mention", "href": mira_actor}]);
    let (status, body) = peer.deliver(&s, "/inbox", &reply, "bob").await;
    assert!(
        status.is_client_error() || status == StatusCode::ACCEPTED,
        "{status} {body}"
    );
    let path = format!("/api/v1/posts/{}/comments", post["id"]);
    let (_, thread) = s.get(&path, None).await;
    assert_eq!(thread.as_array().unwrap().len(), 0, "{thread}");

    // Written to the community (cc), it is a note to its moderators.
    let mut reply = note(&peer, &community, json!([mira_actor]), json!([community]));
    reply["object"]["inReplyTo"] = post["ap_id"].clone();
    let (status, body) = peer.deliver(&s, "/inbox", &reply, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, thread) = s.get(&path, None).await;
    assert_eq!(thread.as_array().unwrap().len(), 0, "{thread}");
    assert_eq!(queue(&s, &mira).await.len(), 1);
}

#[tokio::test]
async fn a_person_here_writes_to_the_moderators_and_reads_their_answer() {
    let (s, _peer, _community) = community_with_a_follower().await;
    let mira = s.login("mira").await;
    s.create_user("nina", false).await;
    let nina = s.login("nina").await;
    let (status, body) = s
        .post(
            "/api/v1/communities/nursing/conversation",
            Some(&nina),
            json!({"body": "May I share a case?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            "/api/v1/communities/nursing/conversation",
            Some(&nina),
            json!({"body": "   "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "message_invalid");

    let id = queue(&s, &mira).await[0]["id"].as_i64().unwrap();
    let (status, body) = s
        .post(
            &format!("/api/v1/communities/nursing/conversations/{id}/messages"),
            Some(&mira),
            json!({"body": "Yes, without names."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, mine) = s
        .get("/api/v1/communities/nursing/conversation", Some(&nina))
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let messages = mine["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{mine}");
    assert_eq!(messages[1]["from_community"], true);
    assert!(
        messages[1].get("moderator").is_none(),
        "the person is not told which moderator answered: {mine}"
    );
    let (_, notes) = s.get("/api/v1/notifications", Some(&nina)).await;
    assert!(notes.to_string().contains("answered you"), "{notes}");
    // Another person has no conversation to read.
    let (status, _) = s
        .get("/api/v1/communities/nursing/conversation", Some(&mira))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_message_its_author_deletes_is_deleted_here_too() {
    let (s, peer, community) = community_with_a_follower().await;
    peer.add_actor("eve", "Person").await;
    let mira = s.login("mira").await;
    let dm = note(&peer, &community, json!([community]), json!([]));
    let note_id = dm["object"]["id"].clone();
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &dm, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = queue(&s, &mira).await[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/communities/nursing/conversations/{id}");
    let delete = |who: &str| {
        json!({"@context": AS, "id": peer.activity_id("delete"), "type": "Delete",
            "actor": peer.actor_id(who), "to": [community], "object": note_id})
    };
    // Not by someone else.
    let (status, _) = peer.deliver(&s, "/inbox", &delete("eve"), "eve").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, detail) = s.get(&path, Some(&mira)).await;
    assert_eq!(detail["messages"].as_array().unwrap().len(), 1, "{detail}");
    let (status, _) = peer.deliver(&s, "/inbox", &delete("bob"), "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, detail) = s.get(&path, Some(&mira)).await;
    assert!(
        detail["messages"].as_array().unwrap().is_empty(),
        "{detail}"
    );
}
