//! A followed Mastodon person's statuses in the home feed: Mastodon's own `Create(Note)`
//! (the fixture), moved onto a fake server on loopback, reaches the feed of whoever here
//! follows its author, and no one else's; edits and deletions follow it; followers-only
//! statuses and statuses of people no one follows are not kept.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::fixtures::{fixture, rewrite};
use crate::support::peer::Peer;
use crate::support::web::{WebClient, logged_in};
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(15);
const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// A server where `ana` follows `felix` on the peer (accepted) and `bob` follows no one.
async fn world() -> (TestServer, Peer, String) {
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    s.create_user("bob", false).await;
    let peer = Peer::start().await;
    peer.add_actor("felix", "Person").await;
    peer.add_actor("alice", "Person").await;
    let token = s.login("ana").await;
    let (status, view) = s
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": format!("@felix@{}", peer.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let follow = eventually(WAIT, "the Follow to reach felix", || async {
        peer.received("Follow").into_iter().next()
    })
    .await
    .json()
    .unwrap();
    let accept = json!({
        "@context": AS,
        "id": peer.activity_id("accept"),
        "type": "Accept",
        "actor": peer.actor_id("felix"),
        "object": follow,
    });
    let got = peer.deliver(&s, "/inbox", &accept, "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    (s, peer, token)
}

/// Mastodon's Create(Note) by `who` on the peer, as a top-level status with `text`,
/// addressed as `to`/`cc` say.
fn status(peer: &Peer, who: &str, n: u32, text: &str, to: &[String], cc: &[String]) -> Value {
    let base = peer.base();
    let mut activity = rewrite(
        fixture("mastodon/activities/create_note.json"),
        &[
            (
                "https://mastodon.madrid/users/felix".to_string(),
                peer.actor_id(who),
            ),
            (
                "https://mastodon.madrid/@felix".to_string(),
                format!("{base}/@{who}"),
            ),
            ("107224289116410645".to_string(), format!("9{n}")),
        ],
    );
    let object = &mut activity["object"];
    object.as_object_mut().unwrap().remove("inReplyTo");
    object["tag"] = json!([]);
    object["content"] = json!(format!("<p>{text}</p>"));
    object["contentMap"] = json!({ "en": format!("<p>{text}</p>") });
    object["to"] = json!(to);
    object["cc"] = json!(cc);
    activity["to"] = json!(to);
    activity["cc"] = json!(cc);
    activity
}

fn followers(peer: &Peer, who: &str) -> String {
    format!("{}/followers", peer.actor_id(who))
}

async fn kept(s: &TestServer) -> i64 {
    use diesel::prelude::*;
    s.app
        .db
        .run(|c| {
            Ok(copse::db::schema::followed_notes::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_followed_persons_public_status_shows_in_their_followers_feed_only() {
    let (s, peer, _) = world().await;
    let public = [PUBLIC.to_string()];
    let note = status(
        &peer,
        "felix",
        1,
        "Handover checklists <b>work</b><script>alert(1)</script>",
        &[followers(&peer, "felix")],
        &public,
    );
    let got = peer.deliver(&s, "/u/ana/inbox", &note, "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(kept(&s).await, 1);

    let ana = logged_in(&s, "ana").await;
    let feed = ana.get("/feed").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.body.contains("Handover checklists <b>work</b>"),
        "{}",
        feed.body
    );
    assert!(!feed.body.contains("<script>alert"), "{}", feed.body);
    assert!(feed.body.contains(&format!("@felix@{}", peer.domain())));
    // Answered where it lives.
    assert!(
        feed.body
            .contains(&format!("href=\"{}/@felix/91\"", peer.base())),
        "{}",
        feed.body
    );

    // Bob follows no one: nothing of felix in his feed; a visitor has no feed.
    let bob = logged_in(&s, "bob").await;
    assert!(!bob.get("/feed").await.body.contains("Handover checklists"));
    assert_eq!(
        WebClient::new(&s).get("/feed").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The author edits it, then deletes it.
    let mut update = status(
        &peer,
        "felix",
        1,
        "Handover checklists, revised",
        &[followers(&peer, "felix")],
        &public,
    );
    update["type"] = json!("Update");
    update["id"] = json!(peer.activity_id("update"));
    let got = peer.deliver(&s, "/inbox", &update, "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    let feed = ana.get("/feed").await;
    assert!(
        feed.body.contains("Handover checklists, revised"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("edited"));

    // Someone else cannot delete it.
    let note_id = note["object"]["id"].as_str().unwrap().to_string();
    let delete = |who: &str| {
        rewrite(
            fixture("mastodon/activities/delete.json"),
            &[
                (
                    "https://mastodon.madrid/users/felix/statuses/107773559874184870".to_string(),
                    note_id.clone(),
                ),
                (
                    "https://mastodon.madrid/users/felix".to_string(),
                    peer.actor_id(who),
                ),
            ],
        )
    };
    let mut forged = delete("alice");
    forged["id"] = json!(peer.activity_id("delete"));
    let _ = peer.deliver(&s, "/inbox", &forged, "alice").await;
    assert_eq!(kept(&s).await, 1);
    let got = peer.deliver(&s, "/inbox", &delete("felix"), "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(kept(&s).await, 0);
    assert!(!ana.get("/feed").await.body.contains("Handover checklists"));
}

#[tokio::test]
async fn followers_only_statuses_and_strangers_statuses_are_not_kept() {
    let (s, peer, _) = world().await;
    // Felix's followers-only status: this server cannot tell whom else it is for.
    let private = status(
        &peer,
        "felix",
        2,
        "Only for followers",
        &[followers(&peer, "felix")],
        &[],
    );
    let got = peer.deliver(&s, "/u/ana/inbox", &private, "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    // Alice's public status: no one here follows her.
    let public = [PUBLIC.to_string()];
    let stranger = status(&peer, "alice", 3, "Hello anyone", &public, &[]);
    let got = peer.deliver(&s, "/inbox", &stranger, "alice").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    // A status claiming to be felix's, sent by alice.
    let mut forged = status(&peer, "felix", 4, "Forged", &public, &[]);
    forged["actor"] = json!(peer.actor_id("alice"));
    let got = peer.deliver(&s, "/inbox", &forged, "alice").await;
    assert_ne!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(kept(&s).await, 0);
}

#[tokio::test]
async fn statuses_go_when_no_one_follows_their_author_any_more() {
    let (s, peer, token) = world().await;
    let public = [PUBLIC.to_string()];
    let note = status(&peer, "felix", 5, "Still here", &public, &[]);
    let got = peer.deliver(&s, "/inbox", &note, "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    assert_eq!(kept(&s).await, 1);
    copse::housekeeping::run_once(&s.app).await.unwrap();
    assert_eq!(kept(&s).await, 1, "ana still follows felix");

    let (_, list) = s.get("/api/v1/follows", Some(&token)).await;
    let id = list[0]["id"].as_i64().unwrap();
    let (status, body) = s
        .call(
            reqwest::Method::DELETE,
            &format!("/api/v1/follows/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert!(status.is_success(), "{body}");
    copse::housekeeping::run_once(&s.app).await.unwrap();
    assert_eq!(kept(&s).await, 0);
}

#[tokio::test]
async fn the_feed_pages_through_posts_and_statuses_without_losing_any() {
    let (s, peer, _) = world().await;
    let public = [PUBLIC.to_string()];
    // 30 statuses, all published in the same second, as Mastodon dates them.
    for n in 0..30 {
        let note = status(
            &peer,
            "felix",
            100 + n,
            &format!("Status number {n}."),
            &public,
            &[],
        );
        let got = peer.deliver(&s, "/inbox", &note, "felix").await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    }
    let ana = logged_in(&s, "ana").await;
    let mut seen = Vec::new();
    let mut path = "/feed".to_string();
    for _ in 0..5 {
        let page = ana.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for n in 0..30 {
            if page.body.contains(&format!("Status number {n}.")) {
                seen.push(n);
            }
        }
        let pager = "<p class=\"pager\"><a href=\"";
        let Some(start) = page.body.find(pager) else {
            break;
        };
        let rest = &page.body[start + pager.len()..];
        path = rest[..rest.find('"').unwrap()].replace("&#38;", "&");
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..30).collect::<Vec<_>>());

    // A marker that is not one is refused clearly.
    let page = ana.get("/feed?before=x1").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_followed_person_has_a_page_here_with_their_statuses_and_an_unfollow_button() {
    let (s, peer, token) = world().await;
    let public = [PUBLIC.to_string()];
    let note = status(
        &peer,
        "felix",
        7,
        "Ward rounds at <em>nine</em>",
        &public,
        &[],
    );
    let got = peer.deliver(&s, "/inbox", &note, "felix").await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);

    let ana = logged_in(&s, "ana").await;
    let felix = format!("felix@{}", peer.domain());
    let found = ana.get(&format!("/search?q=%40{felix}")).await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
    assert_eq!(found.location(), format!("/u/{felix}"));
    let page = ana.get(&format!("/u/{felix}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("You follow this person."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Ward rounds at <em>nine</em>"),
        "{}",
        page.body
    );

    // A visitor reads the page, with no button to follow from here.
    let visitor = WebClient::new(&s).get(&format!("/u/{felix}")).await;
    assert_eq!(visitor.status, StatusCode::OK);
    assert!(!visitor.body.contains("/unfollow"));
    // Nobody of that name is known here.
    let page = ana.get(&format!("/u/nobody@{}", peer.domain())).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Unfollowing from the page ends the follow; following again from it sends a Follow.
    let (_, list) = s.get("/api/v1/follows", Some(&token)).await;
    let id = list[0]["id"].as_i64().unwrap().to_string();
    let done = ana
        .post_form(&format!("/u/{felix}/unfollow"), &[("follow", &id)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, list) = s.get("/api/v1/follows", Some(&token)).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
    let again = ana.post_form(&format!("/u/{felix}/follow"), &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    eventually(WAIT, "a second Follow", || async {
        (peer.received("Follow").len() == 2).then_some(())
    })
    .await;
    let page = ana.get(&format!("/u/{felix}")).await;
    assert!(page.body.contains("waits for"), "{}", page.body);
}
