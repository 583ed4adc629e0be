//! What Lemmy, Mastodon and Pleroma really send, delivered to copse by a fake remote server
//! ([`Peer`]) and checked through copse's API: the fixtures under `tests/fixtures` are
//! rewritten only as far as needed for their actors to live on the peer and their community
//! to be copse's `nursing` (or the peer's group, for what copse receives as a follower).

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::fixtures::{fixture, rewrite};
use crate::support::peer::Peer;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);
const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

// ---------------------------------------------------------------------------------------
// The world, the fixtures and how they are rewritten.

/// A federating copse with the community `nursing` (made by `mira`, whose token is
/// returned), and a peer publishing the Lemmy people `lemmy_alpha` and `lemmy_beta`, the
/// Mastodon people `felix` and `kde`, the Pleroma person `nutomic`, `alice`, `bob` and the
/// group `group`.
async fn world() -> (TestServer, Peer, String) {
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
    for name in ["lemmy_alpha", "lemmy_beta", "felix", "kde", "nutomic"] {
        peer.add_actor(name, "Person").await;
    }
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    peer.add_actor("group", "Group").await;
    (s, peer, token)
}

fn nursing(s: &TestServer) -> String {
    format!("http://{}/c/nursing", s.domain())
}

/// The Lemmy instances of the fixtures (`ds9`, `enterprise`) become the peer; their
/// communities become `community`.
fn lemmy_pairs(peer: &Peer, community: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for scheme in ["https", "http"] {
        for path in ["c/main", "c/tenforward", "u/main"] {
            pairs.push((
                format!("{scheme}://enterprise.lemmy.ml/{path}"),
                community.to_string(),
            ));
        }
    }
    for scheme in ["https", "http"] {
        pairs.push((
            format!("{scheme}://ds9.lemmy.ml/u/lemmy_alpha"),
            peer.actor_id("lemmy_alpha"),
        ));
        pairs.push((
            format!("{scheme}://enterprise.lemmy.ml/u/lemmy_beta"),
            peer.actor_id("lemmy_beta"),
        ));
    }
    for scheme in ["https", "http"] {
        for host in ["ds9.lemmy.ml", "enterprise.lemmy.ml"] {
            pairs.push((format!("{scheme}://{host}"), peer.base()));
        }
    }
    pairs
}

/// A Lemmy fixture whose actors are the peer's and whose community is `nursing`.
fn lemmy(s: &TestServer, peer: &Peer, path: &str) -> Value {
    rewrite(
        fixture(&format!("lemmy/activities/{path}")),
        &lemmy_pairs(peer, &nursing(s)),
    )
}

/// The id a Lemmy fixture's `post/1` or `comment/1` has on the peer.
fn on_peer(peer: &Peer, path: &str) -> String {
    format!("{}/{path}", peer.base())
}

async fn deliver(s: &TestServer, peer: &Peer, activity: &Value, signer: &str) {
    let (status, body) = peer.deliver(s, "/inbox", activity, signer).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "{} {}: {body}",
        activity["type"],
        activity["id"]
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The posts of `community` as copse lists them.
async fn posts_on(s: &TestServer, community: &str) -> Vec<Value> {
    let (status, list) = s
        .get(
            &format!("/api/v1/posts?community={}", urlencode(community)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// The post of `nursing` whose ap_id is `ap_id`.
async fn listed(s: &TestServer, ap_id: &str) -> Option<Value> {
    posts_on(s, "nursing")
        .await
        .into_iter()
        .find(|p| p["ap_id"] == ap_id)
}

async fn post_view(s: &TestServer, id: i64) -> Value {
    let (status, post) = s.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    post
}

async fn thread(s: &TestServer, post: i64) -> Vec<Value> {
    let (status, list) = s.get(&format!("/api/v1/posts/{post}/comments"), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// Rows in `posts`, `comments` and `votes`, whatever their state.
async fn rows(s: &TestServer) -> (i64, i64, i64) {
    use copse::db::schema::{comments, posts, votes};
    s.app
        .db
        .run(|c| {
            Ok((
                posts::table.count().get_result(c)?,
                comments::table.count().get_result(c)?,
                votes::table.count().get_result(c)?,
            ))
        })
        .await
        .unwrap()
}

/// Lemmy's `post/1` by `lemmy_alpha` (create_page.json), created in `nursing`; returns the
/// post as copse lists it.
async fn lemmy_post(s: &TestServer, peer: &Peer) -> Value {
    let create = lemmy(s, peer, "create_or_update/create_page.json");
    deliver(s, peer, &create, "lemmy_alpha").await;
    listed(s, &on_peer(peer, "post/1"))
        .await
        .expect("the Lemmy post is listed")
}

/// Lemmy's `comment/1` on `post/1` (create_note.json); returns it as copse shows it.
async fn lemmy_comment(s: &TestServer, peer: &Peer, post: i64) -> Value {
    let create = lemmy(s, peer, "create_or_update/create_note.json");
    deliver(s, peer, &create, "lemmy_alpha").await;
    thread(s, post)
        .await
        .into_iter()
        .find(|c| c["ap_id"] == on_peer(peer, "comment/1"))
        .expect("the Lemmy comment is in the thread")
}

/// `bob` on the peer follows `nursing`; returns once the community's Accept reached him.
async fn bob_follows_nursing(s: &TestServer, peer: &Peer) {
    let follow = json!({
        "@context": AS,
        "id": peer.activity_id("follow"),
        "type": "Follow",
        "actor": peer.actor_id("bob"),
        "object": nursing(s),
    });
    let (status, body) = peer.deliver(s, "/c/nursing/inbox", &follow, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    eventually(WAIT, "the community's Accept to reach bob", || async {
        peer.received("Accept")
            .into_iter()
            .find(|r| r.json().unwrap()["object"]["id"] == follow["id"])
    })
    .await;
}

/// The Announces the peer received, as JSON.
fn announces(peer: &Peer) -> Vec<Value> {
    peer.received("Announce")
        .iter()
        .map(|r| r.json().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Lemmy.

#[tokio::test]
async fn a_lemmy_users_post_is_listed_sanitized_and_announced_to_the_communitys_followers() {
    let (s, peer, _) = world().await;
    bob_follows_nursing(&s, &peer).await;

    let create = lemmy(&s, &peer, "create_or_update/create_page.json");
    deliver(&s, &peer, &create, "lemmy_alpha").await;

    let ap_id = on_peer(&peer, "post/1");
    let post = listed(&s, &ap_id).await.expect("the post is listed");
    assert_eq!(post["title"], "test post", "{post}");
    assert_eq!(
        post["body_html"].as_str().unwrap().trim(),
        "<p>test body</p>",
        "{post}"
    );
    assert_eq!(post["body"], "test body", "{post}");
    assert_eq!(
        post["url"], "https://lemmy.ml/pictrs/image/xl8W7FZfk9.jpg",
        "{post}"
    );
    assert_eq!(post["language"], "ko", "{post}");
    assert_eq!(
        post["community"],
        format!("!nursing@{}", s.domain()),
        "{post}"
    );
    assert_eq!(
        post["author"]["actor_id"],
        peer.actor_id("lemmy_alpha"),
        "{post}"
    );
    assert_eq!(
        post["author"]["handle"],
        format!("@lemmy_alpha@{}", peer.domain()),
        "{post}"
    );
    assert_eq!(post["author"]["local"], false, "{post}");
    assert!(
        post["published_at"]
            .as_str()
            .unwrap()
            .starts_with("2021-10-29"),
        "{post}"
    );

    // The community forwards the Create as is, and the bare Page, to its followers.
    let (announced_create, announced_page) =
        eventually(WAIT, "both Announces to reach the peer", || async {
            let announces: Vec<Value> = peer
                .received("Announce")
                .iter()
                .map(|r| r.json().unwrap())
                .collect();
            let create = announces
                .iter()
                .find(|a| a["object"]["type"] == "Create")
                .cloned()?;
            let page = announces
                .iter()
                .find(|a| a["object"]["type"] == "Page")
                .cloned()?;
            Some((create, page))
        })
        .await;
    for announce in [&announced_create, &announced_page] {
        assert_eq!(announce["actor"], nursing(&s), "{announce}");
        assert_ne!(announce["id"], create["id"], "{announce}");
    }
    assert_eq!(
        announced_create["object"]["id"], create["id"],
        "{announced_create}"
    );
    assert_eq!(
        announced_create["object"]["actor"],
        peer.actor_id("lemmy_alpha")
    );
    assert_eq!(announced_create["object"]["object"]["id"], ap_id.as_str());
    assert_eq!(
        announced_page["object"]["id"],
        ap_id.as_str(),
        "{announced_page}"
    );
    assert_eq!(
        announced_page["object"]["name"], "test post",
        "{announced_page}"
    );
    let signed = peer
        .received("Announce")
        .iter()
        .all(|r| r.headers.contains_key("signature"));
    assert!(signed, "every Announce is signed");

    // A redelivery changes nothing and is not announced again.
    deliver(&s, &peer, &create, "lemmy_alpha").await;
    assert_eq!(posts_on(&s, "nursing").await.len(), 1);
    assert_eq!(rows(&s).await.0, 1);
}

#[tokio::test]
async fn a_lemmy_comment_joins_the_thread_and_a_reply_to_it_nests_under_it() {
    let (s, peer, _) = world().await;
    bob_follows_nursing(&s, &peer).await;
    let post = lemmy_post(&s, &peer).await;
    let post_id = post["id"].as_i64().unwrap();

    let comment = lemmy_comment(&s, &peer, post_id).await;
    assert_eq!(comment["body_html"], "hello", "{comment}");
    assert_eq!(comment["depth"], 0, "{comment}");
    assert_eq!(comment["parent_id"], Value::Null, "{comment}");
    assert_eq!(comment["post_id"], post_id, "{comment}");
    assert_eq!(comment["author"]["actor_id"], peer.actor_id("lemmy_alpha"));

    // lemmy_beta answers the comment: the same payload, replying to comment/1.
    let mut reply = lemmy(&s, &peer, "create_or_update/create_note.json");
    reply["id"] = json!(peer.activity_id("create"));
    reply["actor"] = json!(peer.actor_id("lemmy_beta"));
    reply["object"]["id"] = json!(on_peer(&peer, "comment/2"));
    reply["object"]["attributedTo"] = json!(peer.actor_id("lemmy_beta"));
    reply["object"]["inReplyTo"] = json!(on_peer(&peer, "comment/1"));
    reply["object"]["content"] = json!("<p>hello back</p>\n");
    reply["object"]["source"]["content"] = json!("hello back");
    deliver(&s, &peer, &reply, "lemmy_beta").await;

    let list = thread(&s, post_id).await;
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["id"], comment["id"]);
    assert_eq!(list[1]["ap_id"], on_peer(&peer, "comment/2"));
    assert_eq!(list[1]["depth"], 1, "{}", list[1]);
    assert_eq!(list[1]["parent_id"], comment["id"], "{}", list[1]);
    assert_eq!(
        list[1]["body_html"].as_str().unwrap().trim(),
        "<p>hello back</p>"
    );
    assert_eq!(list[1]["author"]["actor_id"], peer.actor_id("lemmy_beta"));
    assert_eq!(post_view(&s, post_id).await["comment_count"], 2);

    // Both comments are announced as the Creates they came in; never as bare Notes.
    crate::support::drained(&s).await;
    let forwarded: Vec<Value> = announces(&peer)
        .into_iter()
        .filter(|a| a["object"]["type"] == "Create" && a["object"]["object"]["type"] == "Note")
        .map(|a| a["object"]["object"]["id"].clone())
        .collect();
    assert_eq!(
        forwarded,
        vec![
            json!(on_peer(&peer, "comment/1")),
            json!(on_peer(&peer, "comment/2"))
        ]
    );
    assert!(
        !announces(&peer)
            .iter()
            .any(|a| a["object"]["type"] == "Note"),
        "{:?}",
        announces(&peer)
    );
}

#[tokio::test]
async fn lemmy_votes_move_the_scores_and_an_undo_withdraws_the_vote() {
    let (s, peer, _) = world().await;
    let post = lemmy_post(&s, &peer).await;
    let post_id = post["id"].as_i64().unwrap();
    let comment = lemmy_comment(&s, &peer, post_id).await;
    let comment_score = || async {
        let list = thread(&s, post_id).await;
        let c = list
            .iter()
            .find(|c| c["id"] == comment["id"])
            .unwrap()
            .clone();
        (c["score"].as_i64().unwrap(), c["upvotes"].as_i64().unwrap())
    };
    assert_eq!(comment_score().await, (0, 0));

    let like = lemmy(&s, &peer, "voting/like_note.json");
    deliver(&s, &peer, &like, "lemmy_alpha").await;
    assert_eq!(comment_score().await, (1, 1));

    let dislike = lemmy(&s, &peer, "voting/dislike_page.json");
    deliver(&s, &peer, &dislike, "lemmy_beta").await;
    let shown = post_view(&s, post_id).await;
    assert_eq!(
        (&shown["score"], &shown["upvotes"], &shown["downvotes"]),
        (&json!(-1), &json!(0), &json!(1)),
        "{shown}"
    );

    // Lemmy's Undo embeds a Like with another id than the one it sent: what counts is who
    // voted on what.
    let undo = lemmy(&s, &peer, "voting/undo_like_note.json");
    assert_ne!(undo["object"]["id"], like["id"]);
    deliver(&s, &peer, &undo, "lemmy_alpha").await;
    assert_eq!(comment_score().await, (0, 0));
    assert_eq!(
        post_view(&s, post_id).await["score"],
        -1,
        "the post keeps its dislike"
    );
}

#[tokio::test]
async fn a_remote_post_dated_in_the_future_is_dated_when_it_arrived() {
    // A date in the future would keep a post atop "new" for as long as its author likes.
    let (s, peer, _) = world().await;
    let mut create = lemmy(&s, &peer, "create_or_update/create_page.json");
    create["object"]["published"] = json!("2999-01-01T00:00:00Z");
    deliver(&s, &peer, &create, "lemmy_alpha").await;
    let post = listed(&s, &on_peer(&peer, "post/1"))
        .await
        .expect("the post is listed");
    let published = chrono::DateTime::parse_from_rfc3339(post["published_at"].as_str().unwrap())
        .expect("an RFC 3339 date");
    assert!(
        published.with_timezone(&chrono::Utc) <= chrono::Utc::now(),
        "{post}"
    );
}

#[tokio::test]
async fn a_lemmy_update_edits_the_post_and_a_delete_removes_it_from_the_listing() {
    let (s, peer, _) = world().await;
    bob_follows_nursing(&s, &peer).await;
    let post = lemmy_post(&s, &peer).await;
    let post_id = post["id"].as_i64().unwrap();
    assert_eq!(post["edited_at"], Value::Null);

    let mut update = lemmy(&s, &peer, "create_or_update/update_page.json");
    update["object"]["content"] = json!("<p>test body, <em>revised</em></p>\n");
    update["object"]["source"]["content"] = json!("test body, *revised*");
    deliver(&s, &peer, &update, "lemmy_alpha").await;
    let shown = post_view(&s, post_id).await;
    assert_eq!(shown["title"], "test post 1", "{shown}");
    assert_eq!(
        shown["body_html"].as_str().unwrap().trim(),
        "<p>test body, <em>revised</em></p>",
        "{shown}"
    );
    assert_eq!(shown["body"], "test body, *revised*", "{shown}");
    assert!(shown["edited_at"].is_string(), "{shown}");
    assert_eq!(posts_on(&s, "nursing").await.len(), 1);

    let delete = lemmy(&s, &peer, "deletion/delete_page.json");
    deliver(&s, &peer, &delete, "lemmy_alpha").await;
    assert!(posts_on(&s, "nursing").await.is_empty());
    let (status, gone) = s.get(&format!("/api/v1/posts/{post_id}"), None).await;
    assert!(
        status == StatusCode::NOT_FOUND || gone["deleted"] == true,
        "{status} {gone}"
    );

    // The community forwarded both to its followers, as they came.
    crate::support::drained(&s).await;
    for sent in [&update, &delete] {
        assert!(
            announces(&peer)
                .iter()
                .any(|a| a["object"]["id"] == sent["id"] && a["object"]["type"] == sent["type"]),
            "{} not announced: {:?}",
            sent["type"],
            announces(&peer)
        );
    }
}

#[tokio::test]
async fn an_update_of_a_lemmy_post_is_announced_without_announcing_the_page_again() {
    let (s, peer, _) = world().await;
    bob_follows_nursing(&s, &peer).await;
    lemmy_post(&s, &peer).await;
    let update = lemmy(&s, &peer, "create_or_update/update_page.json");
    deliver(&s, &peer, &update, "lemmy_alpha").await;
    crate::support::drained(&s).await;
    let kinds: Vec<Value> = announces(&peer)
        .iter()
        .map(|a| a["object"]["type"].clone())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "Update").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "Page").count(),
        1,
        "the Page is announced once, when the post is new: {kinds:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Mastodon and Pleroma.

/// Mastodon's create_note.json as felix's toot to `nursing`: the reply it was becomes a
/// toot that mentions the community (in `tag`, `cc` and the content, as Mastodon does).
fn toot_to_nursing(s: &TestServer, peer: &Peer) -> Value {
    let community = nursing(s);
    let pairs = [
        (
            "https://mamot.fr/users/retiolus".to_string(),
            community.clone(),
        ),
        ("https://mamot.fr/@retiolus".to_string(), community.clone()),
        (
            "retiolus@mamot.fr".to_string(),
            format!("nursing@{}", s.domain()),
        ),
        (">retiolus<".to_string(), ">nursing<".to_string()),
        ("https://mastodon.madrid".to_string(), peer.base()),
    ];
    let mut create = rewrite(fixture("mastodon/activities/create_note.json"), &pairs);
    let note = create["object"].as_object_mut().unwrap();
    note.remove("inReplyTo");
    note.remove("inReplyToAtomUri");
    note.remove("conversation");
    create
}

#[tokio::test]
async fn a_mastodon_toot_mentioning_the_community_becomes_a_post_and_replies_become_comments() {
    let (s, peer, mira) = world().await;
    let toot = toot_to_nursing(&s, &peer);
    assert_eq!(toot["actor"], peer.actor_id("felix"));
    deliver(&s, &peer, &toot, "felix").await;

    let ap_id = toot["object"]["id"].as_str().unwrap();
    let post = listed(&s, ap_id).await.expect("the toot is a post");
    assert_eq!(
        post["title"],
        "i have never been disappointed by a thinkpad. if you want to save money, get a model \
         from a few years ago, there isnt a huge difference anyway.",
        "{post}"
    );
    let html = post["body_html"].as_str().unwrap();
    assert!(html.contains("disappointed by a thinkpad"), "{html}");
    // The mention stays a link to the community, marked up as Mastodon marks it.
    assert!(
        html.contains(&format!("href=\"{}\"", nursing(&s))),
        "{html}"
    );
    assert!(
        html.contains("rel=\"nofollow noopener noreferrer\""),
        "{html}"
    );
    assert_eq!(post["language"], "en", "{post}");
    assert_eq!(post["author"]["actor_id"], peer.actor_id("felix"), "{post}");
    let toot_post = post["id"].as_i64().unwrap();

    // kde replies to the toot (Mastodon's reply form, note_1.json): a comment on it.
    let mut note = rewrite(
        fixture("mastodon/objects/note_1.json"),
        &[
            (
                "https://mastodon.madrid/users/felix/statuses/107224289116410645".to_string(),
                format!("{}/users/kde/statuses/1", peer.base()),
            ),
            (
                "https://mastodon.madrid/@felix/107224289116410645".to_string(),
                format!("{}/@kde/1", peer.base()),
            ),
            (
                "https://mamot.fr/users/retiolus/statuses/107224244380204526".to_string(),
                ap_id.to_string(),
            ),
            (
                "https://mamot.fr/users/retiolus".to_string(),
                peer.actor_id("felix"),
            ),
            (
                "https://mamot.fr/@retiolus".to_string(),
                format!("{}/@felix", peer.base()),
            ),
            (
                "retiolus@mamot.fr".to_string(),
                format!("felix@{}", peer.domain()),
            ),
            (">retiolus<".to_string(), ">felix<".to_string()),
            (
                "https://mastodon.madrid/users/felix".to_string(),
                peer.actor_id("kde"),
            ),
        ],
    );
    note.as_object_mut().unwrap().remove("@context");
    let reply = json!({
        "@context": [AS],
        "id": format!("{}/activity", note["id"].as_str().unwrap()),
        "type": "Create",
        "actor": peer.actor_id("kde"),
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    });
    deliver(&s, &peer, &reply, "kde").await;
    let list = thread(&s, toot_post).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["ap_id"], reply["object"]["id"]);
    assert_eq!(list[0]["depth"], 0);
    assert!(
        list[0]["body_html"]
            .as_str()
            .unwrap()
            .contains("disappointed by a thinkpad"),
        "{}",
        list[0]
    );

    // felix answers a copse member's own post, and Pleroma's nutomic too
    // (pleroma/activities/create_note.json, whose `source` is a plain string).
    let (status, local) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Night shift snacks"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{local}");
    let local_id = local["id"].as_i64().unwrap();
    let local_ap_id = local["ap_id"].as_str().unwrap().to_string();
    let mira_id = format!("http://{}/u/mira", s.domain());
    let mut answer = toot_to_nursing(&s, &peer);
    answer["id"] = json!(format!("{}/users/felix/statuses/2/activity", peer.base()));
    answer["object"]["id"] = json!(format!("{}/users/felix/statuses/2", peer.base()));
    answer["object"]["inReplyTo"] = json!(local_ap_id);
    deliver(&s, &peer, &answer, "felix").await;

    let pleroma = rewrite(
        fixture("pleroma/activities/create_note.json"),
        &[
            (
                "https://enterprise.lemmy.ml/post/55143".to_string(),
                local_ap_id.clone(),
            ),
            (
                "https://enterprise.lemmy.ml/u/picard".to_string(),
                mira_id.clone(),
            ),
            ("https://greenish.red".to_string(), peer.base()),
        ],
    );
    assert_eq!(pleroma["actor"], peer.actor_id("nutomic"));
    deliver(&s, &peer, &pleroma, "nutomic").await;

    let list = thread(&s, local_id).await;
    let ap_ids: Vec<&Value> = list.iter().map(|c| &c["ap_id"]).collect();
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(ap_ids.contains(&&answer["object"]["id"]), "{ap_ids:?}");
    assert!(ap_ids.contains(&&pleroma["object"]["id"]), "{ap_ids:?}");
    assert_eq!(post_view(&s, local_id).await["comment_count"], 2);
    assert_eq!(
        posts_on(&s, "nursing").await.len(),
        2,
        "replies are comments, not posts"
    );

    // Mastodon's Like (like_page.json) of the toot counts as an upvote.
    let like = rewrite(
        fixture("mastodon/activities/like_page.json"),
        &[
            (
                "https://ds9.lemmy.ml/post/147".to_string(),
                ap_id.to_string(),
            ),
            (
                "https://mastodon.madrid/users/felix".to_string(),
                peer.actor_id("kde"),
            ),
        ],
    );
    deliver(&s, &peer, &like, "kde").await;
    assert_eq!(post_view(&s, toot_post).await["score"], 1);
    let undo = rewrite(
        fixture("mastodon/activities/undo_like_page.json"),
        &[
            (
                "https://ds9.lemmy.ml/post/147".to_string(),
                ap_id.to_string(),
            ),
            (
                "https://mastodon.madrid/users/felix".to_string(),
                peer.actor_id("kde"),
            ),
        ],
    );
    deliver(&s, &peer, &undo, "kde").await;
    assert_eq!(post_view(&s, toot_post).await["score"], 0);

    // felix deletes his toot (Mastodon's Delete of a Tombstone): the post is gone.
    let delete = rewrite(
        fixture("mastodon/activities/delete.json"),
        &[
            (
                "https://mastodon.madrid/users/felix/statuses/107773559874184870".to_string(),
                ap_id.to_string(),
            ),
            ("https://mastodon.madrid".to_string(), peer.base()),
        ],
    );
    assert_eq!(delete["object"]["id"], ap_id);
    deliver(&s, &peer, &delete, "felix").await;
    let left: Vec<Value> = posts_on(&s, "nursing")
        .await
        .into_iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(left, vec![json!(local_id)]);
}

#[tokio::test]
async fn a_toot_whose_first_line_is_only_the_mention_is_titled_with_its_next_line() {
    let (s, peer, _) = world().await;
    // Mastodon's note_2.json: the mention alone in the first paragraph.
    let pairs = [
        ("https://lemmy.kde.social/c/kde".to_string(), nursing(&s)),
        (
            "kde@lemmy.kde.social".to_string(),
            format!("nursing@{}", s.domain()),
        ),
        ("https://floss.social".to_string(), peer.base()),
    ];
    let mut note = rewrite(fixture("mastodon/objects/note_2.json"), &pairs);
    let object = note.as_object_mut().unwrap();
    object.remove("@context");
    object.remove("inReplyTo");
    object.remove("inReplyToAtomUri");
    let create = json!({
        "@context": [AS],
        "id": format!("{}/activity", note["id"].as_str().unwrap()),
        "type": "Create",
        "actor": peer.actor_id("kde"),
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    });
    deliver(&s, &peer, &create, "kde").await;
    let post = listed(&s, create["object"]["id"].as_str().unwrap())
        .await
        .expect("the toot is a post");
    assert_eq!(
        post["title"],
        "We also need funding 💶 to keep the gears turning! Please support us with a donation:",
        "{post}"
    );
}

// ---------------------------------------------------------------------------------------
// Hostile deliveries.

#[tokio::test]
async fn a_create_of_a_post_attributed_to_someone_else_is_refused_and_nothing_is_stored() {
    let (s, peer, _) = world().await;
    let mut create = lemmy(&s, &peer, "create_or_update/create_page.json");
    create["object"]["attributedTo"] = json!(peer.actor_id("lemmy_beta"));
    let (status, body) = peer.deliver(&s, "/inbox", &create, "lemmy_alpha").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "signer_not_actor", "{body}");
    assert!(posts_on(&s, "nursing").await.is_empty());
    assert_eq!(rows(&s).await, (0, 0, 0));

    // Nor may lemmy_alpha put a post on another host under her name.
    let mut create = lemmy(&s, &peer, "create_or_update/create_page.json");
    create["id"] = json!(peer.activity_id("create"));
    create["object"]["id"] = json!("http://127.0.0.2:9/post/1");
    let (status, body) = peer.deliver(&s, "/inbox", &create, "lemmy_alpha").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(rows(&s).await, (0, 0, 0));

    // The refused activity may be sent again, properly: it was not recorded as processed.
    let create = lemmy(&s, &peer, "create_or_update/create_page.json");
    deliver(&s, &peer, &create, "lemmy_alpha").await;
    assert_eq!(posts_on(&s, "nursing").await.len(), 1);
}

#[tokio::test]
async fn scripts_event_handlers_and_javascript_links_in_a_remote_post_are_stored_sanitized() {
    let (s, peer, _) = world().await;
    let mut create = lemmy(&s, &peer, "create_or_update/create_page.json");
    create["object"]["name"] = json!("<b>Handover</b> tips<script>alert(1)</script>");
    create["object"]["content"] = json!(
        "<p onclick=\"steal()\">Use <strong>SBAR</strong></p>\
         <script>alert(document.cookie)</script>\
         <img src=\"x\" onerror=\"alert(1)\">\
         <a href=\"javascript:alert(1)\">click</a> \
         <a href=\"JaVaScRiPt:alert(2)\">again</a>\
         <iframe src=\"https://evil.example\"></iframe>\
         <style>body{display:none}</style>\
         <a href=\"https://example.org/sbar\">a guide</a>"
    );
    create["object"]["attachment"] = json!([{"type": "Link", "href": "javascript:alert(1)"}]);
    deliver(&s, &peer, &create, "lemmy_alpha").await;

    let post = listed(&s, &on_peer(&peer, "post/1"))
        .await
        .expect("the post is stored");
    let html = post["body_html"].as_str().unwrap();
    let lower = html.to_lowercase();
    for bad in [
        "<script",
        "alert",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<style",
        "display:",
    ] {
        assert!(!lower.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("<strong>SBAR</strong>"), "{html}");
    assert!(html.contains("https://example.org/sbar"), "{html}");
    assert_eq!(post["title"], "Handover tips", "{post}");
    assert_eq!(post["url"], Value::Null, "{post}");
    let shown = post_view(&s, post["id"].as_i64().unwrap()).await;
    assert_eq!(shown["body_html"], post["body_html"]);

    // The same holds for a comment.
    let mut note = lemmy(&s, &peer, "create_or_update/create_note.json");
    note["object"]["content"] = json!("<p>ok<img src=x onerror=alert(1)></p><script>x()</script>");
    deliver(&s, &peer, &note, "lemmy_alpha").await;
    let list = thread(&s, post["id"].as_i64().unwrap()).await;
    let html = list[0]["body_html"].as_str().unwrap();
    assert!(
        !html.contains("onerror") && !html.contains("script"),
        "{html}"
    );
    assert!(html.contains("ok"), "{html}");
}

#[tokio::test]
async fn an_update_of_a_post_by_someone_who_is_not_its_author_is_refused() {
    let (s, peer, _) = world().await;
    let post = lemmy_post(&s, &peer).await;
    let post_id = post["id"].as_i64().unwrap();

    // lemmy_beta, on the same server, claims the post as his and edits it.
    let mut update = lemmy(&s, &peer, "create_or_update/update_page.json");
    update["actor"] = json!(peer.actor_id("lemmy_beta"));
    update["object"]["attributedTo"] = json!(peer.actor_id("lemmy_beta"));
    update["object"]["name"] = json!("hijacked");
    let (status, body) = peer.deliver(&s, "/inbox", &update, "lemmy_beta").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Or leaves the author as is but signs it himself.
    let mut update = lemmy(&s, &peer, "create_or_update/update_page.json");
    update["id"] = json!(peer.activity_id("update"));
    update["actor"] = json!(peer.actor_id("lemmy_beta"));
    update["object"]["name"] = json!("hijacked");
    let (status, body) = peer.deliver(&s, "/inbox", &update, "lemmy_beta").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Nor may he delete it.
    let mut delete = lemmy(&s, &peer, "deletion/delete_page.json");
    delete["actor"] = json!(peer.actor_id("lemmy_beta"));
    let (status, body) = peer.deliver(&s, "/inbox", &delete, "lemmy_beta").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let shown = post_view(&s, post_id).await;
    assert_eq!(shown["title"], "test post", "{shown}");
    assert_eq!(shown["edited_at"], Value::Null, "{shown}");
    assert_eq!(shown["deleted"], false, "{shown}");
    assert_eq!(posts_on(&s, "nursing").await.len(), 1);
}

#[tokio::test]
async fn a_like_of_an_unknown_object_is_acknowledged_and_stores_nothing() {
    let (s, peer, _) = world().await;
    let post = lemmy_post(&s, &peer).await;
    for object in [
        on_peer(&peer, "comment/404"),
        format!("http://{}/post/999999", s.domain()),
        "https://elsewhere.example/post/1".to_string(),
    ] {
        let mut like = lemmy(&s, &peer, "voting/like_note.json");
        like["id"] = json!(peer.activity_id("like"));
        like["object"] = json!(object);
        deliver(&s, &peer, &like, "lemmy_alpha").await;
    }
    assert_eq!(rows(&s).await, (1, 0, 0));
    assert_eq!(
        post_view(&s, post["id"].as_i64().unwrap()).await["score"],
        0
    );
    assert!(
        !peer
            .fetches()
            .iter()
            .any(|r| r.path.contains("comment/404")),
        "copse does not go looking for what was liked: {:?}",
        peer.fetches()
    );
}

// ---------------------------------------------------------------------------------------
// Announces received as a follower of a remote community.

/// `ana` on copse follows the peer's `group`, which accepts; returns her token.
async fn ana_follows_the_group(s: &TestServer, peer: &Peer) -> String {
    follows_the_group(s, peer, "ana").await
}

/// `name` on copse follows the peer's `group`, which accepts; returns their token.
async fn follows_the_group(s: &TestServer, peer: &Peer, name: &str) -> String {
    s.create_user(name, false).await;
    let token = s.login(name).await;
    let (status, view) = s
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": format!("!group@{}", peer.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let id = view["id"].as_i64().unwrap();
    let follow = eventually(WAIT, "the Follow to reach the group", || async {
        peer.received("Follow").into_iter().next()
    })
    .await
    .json()
    .unwrap();
    let accept = json!({
        "@context": AS,
        "id": peer.activity_id("accept"),
        "type": "Accept",
        "actor": peer.actor_id("group"),
        "object": follow,
    });
    let (status, body) = peer.deliver(s, "/inbox", &accept, "group").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, list) = s.get("/api/v1/follows", Some(&token)).await;
    let state = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"].as_i64() == Some(id))
        .map(|f| f["state"].clone());
    assert_eq!(state, Some(json!("accepted")), "{list}");
    token
}

/// Lemmy's announce_create_page.json, from the peer's `group`: the announced Create and its
/// Page are by `author_host`'s `lemmy_beta` (the peer itself, or another server).
fn group_announce(peer: &Peer, author_host: &Peer) -> Value {
    let group = peer.actor_id("group");
    let pairs = [
        ("http://enterprise.lemmy.ml/c/main".to_string(), group),
        (
            "http://enterprise.lemmy.ml/activities/announce".to_string(),
            format!("{}/activities/announce", peer.base()),
        ),
        (
            "http://enterprise.lemmy.ml/u/lemmy_beta".to_string(),
            author_host.actor_id("lemmy_beta"),
        ),
        ("http://enterprise.lemmy.ml".to_string(), author_host.base()),
    ];
    rewrite(
        fixture("lemmy/activities/community/announce_create_page.json"),
        &pairs,
    )
}

#[tokio::test]
async fn an_announced_post_from_another_host_is_believed_only_as_its_origin_serves_it() {
    let (s, peer, _) = world().await;
    ana_follows_the_group(&s, &peer).await;
    let group = format!("!group@{}", peer.domain());
    assert!(posts_on(&s, &group).await.is_empty());

    // The group forwards a Create of a Page by lemmy_beta of another server, which serves
    // neither the activity nor the page.
    let elsewhere = Peer::start().await;
    elsewhere.add_actor("lemmy_beta", "Person").await;
    let forged = group_announce(&peer, &elsewhere);
    let inner_id = forged["object"]["id"].as_str().unwrap().to_string();
    assert!(inner_id.starts_with(&elsewhere.base()), "{inner_id}");
    let (status, body) = peer.deliver(&s, "/inbox", &forged, "group").await;
    assert!(
        !status.is_server_error(),
        "not worth retrying: {status} {body}"
    );
    assert!(
        !posts_on(&s, &group)
            .await
            .iter()
            .any(|p| p["title"] == "post 4"),
        "stored although its origin does not serve it ({status} {body})"
    );
    assert_eq!(rows(&s).await.0, 0, "({status} {body})");
    let asked = elsewhere
        .fetches()
        .iter()
        .any(|r| inner_id.ends_with(r.path.as_str()));
    assert!(asked, "the origin was asked: {:?}", elsewhere.fetches());

    // The group's own member's Page is on the group's host, but naming a page on the other
    // server: fetched there, not found, not stored.
    let mut foreign_page = group_announce(&peer, &peer);
    foreign_page["id"] = json!(peer.activity_id("announce"));
    foreign_page["object"]["id"] = json!(peer.activity_id("create"));
    foreign_page["object"]["object"]["id"] = json!(format!("{}/post/7", elsewhere.base()));
    let (status, body) = peer.deliver(&s, "/inbox", &foreign_page, "group").await;
    assert_eq!(rows(&s).await.0, 0, "({status} {body})");

    // Nor is a bare Page of the other server, announced as Lemmy announces Mastodon's posts.
    let bare = json!({
        "@context": AS,
        "id": peer.activity_id("announce"),
        "type": "Announce",
        "actor": peer.actor_id("group"),
        "to": [format!("{AS}#Public")],
        "cc": [format!("{}/followers", peer.actor_id("group"))],
        "object": forged["object"]["object"],
    });
    assert!(
        bare["object"]["id"]
            .as_str()
            .unwrap()
            .starts_with(&elsewhere.base())
    );
    let (status, body) = peer.deliver(&s, "/inbox", &bare, "group").await;
    assert_eq!(rows(&s).await.0, 0, "({status} {body})");

    // When the other server does serve the announced Create, its copy is what counts, not
    // the one the group embedded.
    let mut relayed = group_announce(&peer, &elsewhere);
    relayed["id"] = json!(peer.activity_id("announce"));
    relayed["object"]["id"] = json!(elsewhere.activity_id("create"));
    relayed["object"]["object"]["id"] = json!(format!("{}/post/8", elsewhere.base()));
    let mut original = relayed["object"].clone();
    original["object"]["name"] = json!("What the author wrote");
    elsewhere.serve(original["id"].as_str().unwrap(), original.clone());
    relayed["object"]["object"]["name"] = json!("What the group claims");
    deliver(&s, &peer, &relayed, "group").await;
    let list = posts_on(&s, &group).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["title"], "What the author wrote", "{list:?}");
    assert_eq!(list[0]["ap_id"], original["object"]["id"]);
    assert_eq!(
        list[0]["author"]["actor_id"],
        elsewhere.actor_id("lemmy_beta")
    );

    // The same announce with the Create of a member of the group's own server: stored.
    let mut genuine = group_announce(&peer, &peer);
    genuine["id"] = json!(peer.activity_id("announce"));
    deliver(&s, &peer, &genuine, "group").await;
    let list = posts_on(&s, &group).await;
    assert_eq!(list.len(), 2, "{list:?}");
    let post = list
        .iter()
        .find(|p| p["ap_id"] == format!("{}/post/7", peer.base()))
        .expect("the group member's post is listed");
    assert_eq!(post["title"], "post 4");
    assert_eq!(post["community"], group);
    assert_eq!(post["author"]["actor_id"], peer.actor_id("lemmy_beta"));
    // Not in copse's own community.
    assert!(posts_on(&s, "nursing").await.is_empty());
}

#[tokio::test]
async fn an_announced_page_and_its_announced_create_arriving_together_make_one_post() {
    // A community announces a new post twice (its Create, and the bare Page for Mastodon),
    // and a follower server may get both at the same instant: neither may fail.
    let (s, peer, _) = world().await;
    ana_follows_the_group(&s, &peer).await;
    let group = format!("!group@{}", peer.domain());
    let rounds = 12;
    for n in 0..rounds {
        let mut create = group_announce(&peer, &peer);
        create["id"] = json!(peer.activity_id("announce"));
        create["object"]["id"] = json!(peer.activity_id("create"));
        create["object"]["object"]["id"] = json!(format!("{}/post/{}", peer.base(), 100 + n));
        let page = json!({
            "@context": AS,
            "id": peer.activity_id("announce"),
            "type": "Announce",
            "actor": peer.actor_id("group"),
            "to": [format!("{AS}#Public")],
            "cc": [format!("{}/followers", peer.actor_id("group"))],
            "object": create["object"]["object"],
        });
        let (a, b) = tokio::join!(
            peer.deliver(&s, "/inbox", &create, "group"),
            peer.deliver(&s, "/inbox", &page, "group"),
        );
        assert_eq!(a.0, StatusCode::ACCEPTED, "round {n}, Create: {}", a.1);
        assert_eq!(b.0, StatusCode::ACCEPTED, "round {n}, Page: {}", b.1);
    }
    assert_eq!(posts_on(&s, &group).await.len(), rounds as usize);
    assert_eq!(rows(&s).await.0, rounds);
}

#[tokio::test]
async fn an_announce_from_a_group_nobody_here_follows_stores_nothing() {
    let (s, peer, _) = world().await;
    let genuine = group_announce(&peer, &peer);
    let (status, body) = peer.deliver(&s, "/inbox", &genuine, "group").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(rows(&s).await, (0, 0, 0));
}

/// The posts of `community` as `token` may list them.
async fn posts_seen_by(s: &TestServer, community: &str, token: &str) -> Vec<Value> {
    let path = format!("/api/v1/posts?community={}", urlencode(community));
    let (status, list) = s.get(&path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_post_and_a_comment_in_a_community_that_never_echoes_show_once_its_server_took_them() {
    // PieFed answers 2xx to the author's Create and announces nothing back to the author's
    // own server: what it took is accepted, and shown here.
    let (s, peer, _) = world().await;
    let ana = ana_follows_the_group(&s, &peer).await;
    let group = format!("!group@{}", peer.domain());
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": group, "title": "Handover notes", "body": "What do you write?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    assert_eq!(
        post["pending"], true,
        "its author sees it waits for the community"
    );
    let listed = eventually(WAIT, "the post listed once the group took it", || async {
        posts_on(&s, &group)
            .await
            .into_iter()
            .find(|p| p["id"] == post["id"])
    })
    .await;
    assert_eq!(listed["pending"], false);
    let post_id = post["id"].as_i64().unwrap();
    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&ana),
            json!({"body": "Mine are short."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    eventually(WAIT, "the comment shown once the group took it", || async {
        thread(&s, post_id)
            .await
            .into_iter()
            .find(|c| c["id"] == comment["id"])
    })
    .await;
}

#[tokio::test]
async fn a_private_communitys_post_addressed_to_its_followers_reaches_its_followers_here_only() {
    // Lemmy 1.0 addresses a private community's posts to the community's followers.
    let (s, peer, _) = world().await;
    let ana = ana_follows_the_group(&s, &peer).await;
    s.create_user("nina", false).await;
    let nina = s.login("nina").await;
    let group_id = peer.actor_id("group");
    let followers = format!("{group_id}/followers");
    let page = json!({
        "id": format!("{}/post/77", peer.base()),
        "type": "Page",
        "attributedTo": peer.actor_id("lemmy_beta"),
        "to": [followers],
        "cc": [],
        "audience": group_id,
        "name": "Rota changes",
        "content": "<p>For members only</p>",
    });
    let create = json!({
        "id": peer.activity_id("create"),
        "type": "Create",
        "actor": peer.actor_id("lemmy_beta"),
        "to": [followers],
        "cc": [],
        "audience": group_id,
        "object": page,
    });
    let announce = json!({
        "@context": AS,
        "id": peer.activity_id("announce"),
        "type": "Announce",
        "actor": group_id,
        "to": [followers],
        "cc": [],
        "object": create,
    });
    let (status, body) = peer.deliver(&s, "/inbox", &announce, "group").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let group = format!("!group@{}", peer.domain());
    let seen = posts_seen_by(&s, &group, &ana).await;
    assert_eq!(seen.len(), 1, "the follower sees it: {seen:?}");
    assert_eq!(seen[0]["title"], "Rota changes");
    assert!(
        posts_seen_by(&s, &group, &nina).await.is_empty(),
        "not a follower"
    );
    assert!(posts_on(&s, &group).await.is_empty(), "not the public");
}

#[tokio::test]
async fn a_communitys_announced_update_of_itself_reads_it_again_at_once() {
    let (s, peer, _) = world().await;
    ana_follows_the_group(&s, &peer).await;
    let group_id = peer.actor_id("group");
    let group_path = group_id.strip_prefix(&peer.base()).unwrap().to_string();
    let fetched = || {
        peer.fetches()
            .iter()
            .filter(|r| r.path == group_path)
            .count()
    };
    let mut renamed = reqwest::Client::new()
        .get(&group_id)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    renamed["name"] = json!("The renamed group");
    let before = fetched();
    let update = json!({
        "id": peer.activity_id("update"),
        "type": "Update",
        "actor": peer.actor_id("lemmy_beta"),
        "to": [PUBLIC],
        "cc": [group_id],
        "audience": group_id,
        "object": renamed,
    });
    let announce = json!({
        "@context": AS,
        "id": peer.activity_id("announce"),
        "type": "Announce",
        "actor": group_id,
        "to": [PUBLIC],
        "cc": [format!("{group_id}/followers")],
        "object": update,
    });
    let (status, body) = peer.deliver(&s, "/inbox", &announce, "group").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        fetched(),
        before + 1,
        "the group is read again from its server"
    );
}

#[tokio::test]
async fn a_warning_from_a_moderator_of_a_followed_community_reaches_the_person_warned() {
    let (s, peer, _) = world().await;
    let ana = ana_follows_the_group(&s, &peer).await;
    let group_id = peer.actor_id("group");
    let warn = |audience: &str| {
        json!({
            "@context": AS,
            "id": peer.activity_id("warn"),
            "type": "Warn",
            "actor": peer.actor_id("lemmy_beta"),
            "to": [format!("http://{}/u/ana", s.domain())],
            "object": format!("{}/post/1541", peer.base()),
            "summary": "Please keep patients anonymous",
            "audience": audience,
        })
    };
    let (status, body) = peer
        .deliver(&s, "/inbox", &warn(&group_id), "lemmy_beta")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, notes) = s.get("/api/v1/notifications", Some(&ana)).await;
    let text = notes.to_string();
    assert!(text.contains("warned you"), "{notes}");
    assert!(text.contains("Please keep patients anonymous"), "{notes}");

    // In the name of a community copse does not know: nothing.
    let count = notes.as_array().map_or(0, Vec::len);
    let (status, _) = peer
        .deliver(
            &s,
            "/inbox",
            &warn("http://elsewhere.example/c/x"),
            "lemmy_beta",
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, notes) = s.get("/api/v1/notifications", Some(&ana)).await;
    assert_eq!(notes.as_array().map_or(0, Vec::len), count, "{notes}");
}

#[tokio::test]
async fn a_new_follower_gets_what_the_community_said_before_its_server_sent_to_it() {
    // Lemmy sends to a new follower's server only once it refreshes its list of follower
    // servers: the outbox is imported again after that window.
    let s = TestServer::federating(&[("COPSE_FEDERATION_BACKFILL_AGAIN_SECONDS", "1")]).await;
    let peer = Peer::start().await;
    peer.add_actor("group", "Group").await;
    peer.add_actor("lemmy_beta", "Person").await;
    let group_id = peer.actor_id("group");
    let outbox = format!("{group_id}/outbox");
    let empty = json!({"id": outbox, "type": "OrderedCollection", "totalItems": 0,
        "orderedItems": []});
    peer.serve(&outbox, empty);
    follows_the_group(&s, &peer, "ana").await;
    let outbox_path = outbox.strip_prefix(&peer.base()).unwrap().to_string();
    eventually(WAIT, "the first import of the outbox", || async {
        peer.fetches().into_iter().find(|r| r.path == outbox_path)
    })
    .await;
    // In the window, the community says something, and does not send it here.
    let page = json!({"id": format!("{}/post/9", peer.base()), "type": "Page",
        "attributedTo": peer.actor_id("lemmy_beta"), "to": [group_id, PUBLIC],
        "audience": group_id, "name": "Said in the window", "content": "<p>hi</p>"});
    let create = json!({"id": peer.activity_id("create"), "type": "Create",
        "actor": peer.actor_id("lemmy_beta"), "to": [PUBLIC], "cc": [group_id],
        "object": page});
    let announce = json!({"id": peer.activity_id("announce"), "type": "Announce",
        "actor": group_id, "to": [PUBLIC], "object": create});
    peer.serve(
        &outbox,
        json!({"id": outbox, "type": "OrderedCollection", "totalItems": 1,
            "orderedItems": [announce]}),
    );
    let group = format!("!group@{}", peer.domain());
    eventually(WAIT, "the post said in the window", || async {
        posts_on(&s, &group)
            .await
            .into_iter()
            .find(|p| p["title"] == "Said in the window")
    })
    .await;
}
