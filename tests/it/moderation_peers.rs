//! Moderation with other software, from a fake remote server: Lemmy's own `Lock`,
//! `Delete` with a reason, `Block` and their `Undo`s announced by a Lemmy-like community
//! that a copse user follows; and hostile moderation sent to a copse community by people
//! who do not moderate it, by a remote moderator who does, and by banned people.

use std::time::Duration;

use copse::db::mod_log::{LogFilter, ModLogRow};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::fixtures::{fixture, rewrite};
use crate::support::peer::Peer;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);
const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn log(s: &TestServer, include_refused: bool) -> Vec<ModLogRow> {
    s.app
        .db
        .run(move |c| {
            let filter = LogFilter {
                include_refused,
                ..LogFilter::default()
            };
            Ok(copse::db::mod_log::page(c, &filter, 100)?)
        })
        .await
        .unwrap()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `ana` on copse follows the peer's `group`, which accepts.
async fn ana_follows_the_group(s: &TestServer, peer: &Peer) -> String {
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
    token
}

/// The group announces `activity` to copse.
async fn announce(s: &TestServer, peer: &Peer, activity: Value) -> (StatusCode, Value) {
    let announce = json!({
        "@context": AS,
        "id": peer.activity_id("announce"),
        "type": "Announce",
        "actor": peer.actor_id("group"),
        "to": [PUBLIC],
        "cc": [format!("{}/followers", peer.actor_id("group"))],
        "object": activity,
    });
    peer.deliver(s, "/inbox", &announce, "group").await
}

/// Lemmy's fixture `path`, its instances and community moved onto the peer and its group.
fn lemmy(peer: &Peer, path: &str) -> Value {
    let group = peer.actor_id("group");
    let mut pairs = Vec::new();
    for host in ["lemmy-alpha:8541", "enterprise.lemmy.ml", "ds9.lemmy.ml"] {
        for path in ["c/main", "u/main"] {
            pairs.push((format!("http://{host}/{path}"), group.clone()));
        }
    }
    for host in ["lemmy-alpha:8541", "enterprise.lemmy.ml", "ds9.lemmy.ml"] {
        for name in ["lemmy_alpha", "lemmy_beta"] {
            pairs.push((format!("http://{host}/u/{name}"), peer.actor_id(name)));
        }
    }
    for host in ["lemmy-alpha:8541", "enterprise.lemmy.ml", "ds9.lemmy.ml"] {
        pairs.push((format!("http://{host}"), peer.base()));
    }
    rewrite(fixture(&format!("lemmy/activities/{path}")), &pairs)
}

async fn group_posts(s: &TestServer, peer: &Peer) -> Vec<Value> {
    let community = format!("!group@{}", peer.domain());
    let (status, list) = s
        .get(
            &format!("/api/v1/posts?community={}", enc(&community)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

async fn first_comment(s: &TestServer, post: i64) -> Value {
    let (_, thread) = s.get(&format!("/api/v1/posts/{post}/comments"), None).await;
    thread.as_array().unwrap()[0].clone()
}

#[tokio::test]
async fn lemmys_lock_removal_and_ban_announced_by_a_followed_community_are_applied() {
    let s = TestServer::federating(&[]).await;
    let peer = Peer::start().await;
    for name in ["lemmy_alpha", "lemmy_beta"] {
        peer.add_actor(name, "Person").await;
    }
    peer.add_actor("group", "Group").await;
    ana_follows_the_group(&s, &peer).await;
    let group = peer.actor_id("group");
    let post_id = format!("{}/post/2", peer.base());
    let comment_id = format!("{}/comment/1", peer.base());
    let create_post = json!({
        "id": peer.activity_id("create"), "type": "Create",
        "actor": peer.actor_id("lemmy_alpha"), "to": [PUBLIC], "cc": [group], "audience": group,
        "object": {"id": post_id, "type": "Page", "attributedTo": peer.actor_id("lemmy_alpha"),
            "to": [group, PUBLIC], "audience": group, "name": "Triage questions",
            "content": "<p>How do you triage?</p>", "published": "2026-11-30T10:00:00Z"}
    });
    let (status, body) = announce(&s, &peer, create_post).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let create_comment = json!({
        "id": peer.activity_id("create"), "type": "Create",
        "actor": peer.actor_id("lemmy_alpha"), "to": [PUBLIC], "cc": [group], "audience": group,
        "object": {"id": comment_id, "type": "Note", "attributedTo": peer.actor_id("lemmy_alpha"),
            "to": [PUBLIC], "cc": [group], "inReplyTo": post_id, "audience": group,
            "content": "<p>By acuity.</p>", "published": "2026-11-30T10:05:00Z"}
    });
    let (status, body) = announce(&s, &peer, create_comment).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let post = group_posts(&s, &peer)
        .await
        .into_iter()
        .find(|p| p["ap_id"] == post_id)
        .unwrap();
    let id = post["id"].as_i64().unwrap();

    // Lock (lock_page.json), then Undo(Lock) (undo_lock_page.json).
    let (status, body) = announce(&s, &peer, lemmy(&peer, "community/lock_page.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, view) = s.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_eq!(view["locked"], true, "{view}");
    let (status, _) = announce(&s, &peer, lemmy(&peer, "community/undo_lock_page.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, view) = s.get(&format!("/api/v1/posts/{id}"), None).await;
    assert_eq!(view["locked"], false, "{view}");

    // A moderator's removal with a reason (remove_note.json), then its Undo.
    let (status, body) = announce(&s, &peer, lemmy(&peer, "deletion/remove_note.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(first_comment(&s, id).await["removed"], true);
    let (status, _) = announce(&s, &peer, lemmy(&peer, "deletion/undo_remove_note.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let restored = first_comment(&s, id).await;
    assert_eq!(restored["removed"], false);
    assert!(restored["body_html"].as_str().unwrap().contains("acuity"));

    // A ban with removeData (block_user.json): lemmy_alpha's post goes; then its Undo.
    let (status, body) = announce(&s, &peer, lemmy(&peer, "block/block_user.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(
        group_posts(&s, &peer).await.is_empty(),
        "removeData removed the post"
    );
    let ban: Option<String> = s
        .app
        .db
        .run({
            let group = group.clone();
            let alpha = peer.actor_id("lemmy_alpha");
            move |c| Ok(copse::db::bans::find(c, &group, &alpha)?.and_then(|b| b.reason))
        })
        .await
        .unwrap();
    assert_eq!(ban.as_deref(), Some("spam post"));
    let (status, _) = announce(&s, &peer, lemmy(&peer, "block/undo_block_user.json")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let still: bool = s
        .app
        .db
        .run({
            let alpha = peer.actor_id("lemmy_alpha");
            move |c| Ok(copse::db::bans::find(c, &group, &alpha)?.is_some())
        })
        .await
        .unwrap();
    assert!(!still, "the Undo lifted the ban");

    let actions: Vec<String> = log(&s, false).await.into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            "unban_from_community",
            "ban_from_community",
            "restore_comment",
            "remove_comment",
            "unlock_post",
            "lock_post"
        ]
    );
}

/// A copse with `!nursing` owned by `mira`, a post of hers, and a peer whose `alice` and
/// `bob` follow the community; bob has posted in it.
struct Local {
    s: TestServer,
    mira: String,
    peer: Peer,
    mira_post: String,
    bob_post: String,
}

async fn local() -> Local {
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
    let (_, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Welcome"}),
        )
        .await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    let community = format!("http://{}/c/nursing", s.domain());
    for who in ["alice", "bob"] {
        let follow = json!({"@context": AS, "id": peer.activity_id("follow"), "type": "Follow",
            "actor": peer.actor_id(who), "object": community});
        let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &follow, who).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let bob_post = format!("{}/post/bob-1", peer.base());
    let create = create_page(&peer, "bob", &bob_post, &community, "Bob's question");
    let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &create, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    Local {
        mira_post: post["ap_id"].as_str().unwrap().to_string(),
        s,
        mira,
        peer,
        bob_post,
    }
}

fn create_page(peer: &Peer, who: &str, id: &str, community: &str, title: &str) -> Value {
    json!({"@context": AS, "id": peer.activity_id("create"), "type": "Create",
        "actor": peer.actor_id(who), "to": [PUBLIC], "cc": [community], "audience": community,
        "object": {"id": id, "type": "Page", "attributedTo": peer.actor_id(who),
            "to": [community, PUBLIC], "audience": community, "name": title,
            "content": "<p>text</p>"}})
}

fn activity(peer: &Peer, kind: &str, who: &str, object: Value, community: &str) -> Value {
    json!({"@context": AS, "id": peer.activity_id(&kind.to_ascii_lowercase()), "type": kind,
        "actor": peer.actor_id(who), "to": [PUBLIC], "cc": [community], "audience": community,
        "object": object})
}

async fn listed(s: &TestServer) -> Vec<String> {
    let (_, list) = s.get("/api/v1/posts?community=nursing", None).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["ap_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn moderation_by_someone_who_does_not_moderate_the_community_is_refused_and_logged() {
    let l = local().await;
    let community = format!("http://{}/c/nursing", l.s.domain());
    let mut removal = activity(&l.peer, "Delete", "alice", json!(l.mira_post), &community);
    removal["summary"] = json!("I say so");
    let lock = activity(&l.peer, "Lock", "alice", json!(l.bob_post), &community);
    let mut ban = activity(
        &l.peer,
        "Block",
        "alice",
        json!(l.peer.actor_id("bob")),
        &community,
    );
    ban["target"] = json!(community);
    ban["removeData"] = json!(true);
    for hostile in [&removal, &lock, &ban] {
        let (status, body) = l
            .peer
            .deliver(&l.s, "/c/nursing/inbox", hostile, "alice")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{} {body}", hostile["type"]);
        assert_eq!(body["error"]["code"], "not_a_moderator");
    }
    let shown = listed(&l.s).await;
    assert!(
        shown.contains(&l.mira_post) && shown.contains(&l.bob_post),
        "{shown:?}"
    );
    let (_, list) = l.s.get("/api/v1/posts?community=nursing", None).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|p| p["locked"] == false)
    );
    assert!(log(&l.s, false).await.is_empty());
    let refused = log(&l.s, true).await;
    assert_eq!(refused.len(), 3, "each attempt is recorded for admins");
    assert!(
        refused
            .iter()
            .all(|e| e.refused && e.moderator_ap_id == l.peer.actor_id("alice"))
    );
}

#[tokio::test]
async fn a_remote_moderator_of_a_local_community_removes_a_post_and_it_is_announced() {
    let l = local().await;
    let community = format!("http://{}/c/nursing", l.s.domain());
    // alice joins and mira makes her a moderator.
    let join = json!({"@context": AS, "id": l.peer.activity_id("join"), "type": "Join",
        "actor": l.peer.actor_id("alice"), "object": community});
    let (status, body) = l
        .peer
        .deliver(&l.s, "/c/nursing/inbox", &join, "alice")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, members) =
        l.s.get("/api/v1/communities/nursing/members", Some(&l.mira))
            .await;
    let alice = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"].as_str().is_some_and(|h| h.contains("alice")))
        .cloned()
        .unwrap_or_else(|| panic!("alice is a member: {members}"));
    let (status, body) =
        l.s.post(
            &format!("/api/v1/communities/nursing/members/{}/role", alice["id"]),
            Some(&l.mira),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut removal = activity(&l.peer, "Delete", "alice", json!(l.bob_post), &community);
    removal["summary"] = json!("off topic");
    let (status, body) = l
        .peer
        .deliver(&l.s, "/c/nursing/inbox", &removal, "alice")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(!listed(&l.s).await.contains(&l.bob_post));
    let entry = &log(&l.s, false).await[0];
    assert_eq!(entry.action, "remove_post");
    assert_eq!(entry.reason.as_deref(), Some("off topic"));
    // The community announces it to its followers.
    let announced = eventually(WAIT, "the announced removal", || async {
        l.peer
            .received("Announce")
            .into_iter()
            .filter_map(|r| r.json())
            .find(|a| a["object"]["id"] == removal["id"])
    })
    .await;
    assert_eq!(announced["actor"], community);
}

#[tokio::test]
async fn a_banned_person_and_a_person_banned_from_the_instance_are_not_heard() {
    let l = local().await;
    let community = format!("http://{}/c/nursing", l.s.domain());
    let (status, body) =
        l.s.post(
            "/api/v1/communities/nursing/bans",
            Some(&l.mira),
            json!({"person": l.peer.actor_id("bob"), "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // bob's server follows the community: it hears of the ban once, in the community's
    // Announce (a second, direct copy would be refused by Lemmy as a duplicate).
    let block = eventually(WAIT, "the Block to reach the peer", || async {
        received_as_is_or_announced(&l.peer, "Block")
            .into_iter()
            .next()
    })
    .await;
    crate::support::drained(&l.s).await;
    assert_eq!(
        received_as_is_or_announced(&l.peer, "Block").len(),
        1,
        "one copy per server"
    );
    assert_eq!(block["object"], l.peer.actor_id("bob"));
    assert_eq!(block["target"], community);
    assert_eq!(block["summary"], "spam");

    let again = create_page(
        &l.peer,
        "bob",
        &format!("{}/post/bob-2", l.peer.base()),
        &community,
        "Again",
    );
    let (status, body) = l
        .peer
        .deliver(&l.s, "/c/nursing/inbox", &again, "bob")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");
    let like = activity(&l.peer, "Like", "bob", json!(l.mira_post), &community);
    let (status, _) = l.peer.deliver(&l.s, "/inbox", &like, "bob").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no votes either");

    // alice is banned from the whole instance: nothing of hers is heard.
    l.s.create_user("ops", true).await;
    let ops = l.s.login("ops").await;
    let (status, body) =
        l.s.post(
            "/api/v1/admin/bans",
            Some(&ops),
            json!({"person": l.peer.actor_id("alice"), "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let like = activity(&l.peer, "Like", "alice", json!(l.mira_post), &community);
    let (status, body) = l.peer.deliver(&l.s, "/inbox", &like, "alice").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");
    let (_, admin_list) = l.s.get("/api/v1/admin/bans", Some(&ops)).await;
    assert_eq!(admin_list.as_array().unwrap().len(), 1);
    let id = admin_list[0]["id"].as_i64().unwrap();
    let (status, _) =
        l.s.call(
            Method::DELETE,
            &format!("/api/v1/admin/bans/{id}"),
            Some(&ops),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let undo = undo_of_block(&l.peer).await;
    assert_eq!(undo["object"]["object"], l.peer.actor_id("alice").as_str());
    let like = activity(&l.peer, "Like", "alice", json!(l.mira_post), &community);
    let (status, body) = l.peer.deliver(&l.s, "/inbox", &like, "alice").await;
    assert_eq!(status, StatusCode::ACCEPTED, "lifted: {body}");
}

#[tokio::test]
async fn a_ban_sent_straight_to_the_banned_persons_server_is_recorded_there() {
    let s = TestServer::federating(&[]).await;
    let peer = Peer::start().await;
    peer.add_actor("lemmy_beta", "Person").await;
    peer.add_actor("group", "Group").await;
    let ana = ana_follows_the_group(&s, &peer).await;
    let group = peer.actor_id("group");
    let community = format!("!group@{}", peer.domain());
    let ana_id = format!("http://{}/u/ana", s.domain());
    // Lemmy's moderator sends the Block to the banned person's own server too.
    let block = json!({"@context": AS, "id": peer.activity_id("block"), "type": "Block",
        "actor": peer.actor_id("lemmy_beta"), "to": [PUBLIC], "cc": [group], "audience": group,
        "object": ana_id, "target": group, "summary": "trolling"});
    let (status, body) = peer.deliver(&s, "/inbox", &block, "lemmy_beta").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, body) = s
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": community, "title": "Hello again"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");
    assert_eq!(log(&s, false).await[0].action, "ban_from_community");
    // Lemmy unsubscribes whom it bans: the follow ends here too, so that following again
    // once the ban is lifted sends a new Follow.
    let (_, follows) = s.get("/api/v1/follows", Some(&ana)).await;
    assert_eq!(follows, json!([]), "the follow ended with the ban");

    // Someone of another host cannot ban in that community this way.
    let other = Peer::start().await;
    other.add_actor("mallory", "Person").await;
    let mut forged = block.clone();
    forged["id"] = json!(other.activity_id("block"));
    forged["actor"] = json!(other.actor_id("mallory"));
    forged["object"] = json!(format!("http://{}/u/bea", s.domain()));
    let (status, body) = other.deliver(&s, "/inbox", &forged, "mallory").await;
    assert_eq!(status, StatusCode::ACCEPTED, "acknowledged: {body}");
    assert_eq!(log(&s, false).await.len(), 1, "and ignored");
}

/// The id copse gave bob's post (`Local::bob_post`).
async fn bob_post_id(l: &Local) -> i64 {
    let (_, list) = l.s.get("/api/v1/posts?community=nursing", None).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["ap_id"] == l.bob_post.as_str())
        .and_then(|p| p["id"].as_i64())
        .expect("bob's post is listed")
}

/// The activities the community announced to the peer whose inner object is of `kind`.
fn announced(peer: &Peer, kind: &str) -> Vec<Value> {
    peer.received("Announce")
        .into_iter()
        .filter_map(|r| r.json())
        .map(|a| a["object"].clone())
        .filter(|o| o["type"] == kind)
        .collect()
}

#[tokio::test]
async fn a_removal_without_a_reason_still_reads_as_a_moderators_removal() {
    // Lemmy tells a moderator's removal from the author's deletion by the presence of
    // `summary`: it must be there, empty, when the moderator gives no reason.
    let l = local().await;
    let id = bob_post_id(&l).await;
    let path = format!("/api/v1/posts/{id}/remove");
    let (status, body) =
        l.s.post(&path, Some(&l.mira), json!({"removed": true}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let delete = eventually(WAIT, "the announced Delete", || async {
        announced(&l.peer, "Delete").into_iter().next()
    })
    .await;
    assert_eq!(delete["object"], l.bob_post.as_str());
    assert_eq!(delete["summary"], "", "{delete}");

    let (status, body) =
        l.s.post(&path, Some(&l.mira), json!({"removed": false}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let undo = eventually(WAIT, "the announced Undo", || async {
        announced(&l.peer, "Undo").into_iter().next()
    })
    .await;
    assert_eq!(undo["object"]["type"], "Delete");
    assert_eq!(undo["object"]["summary"], "", "{undo}");
}

#[tokio::test]
async fn lifting_a_ban_sends_the_reason_for_lifting_it() {
    let l = local().await;
    let (status, ban) =
        l.s.post(
            "/api/v1/communities/nursing/bans",
            Some(&l.mira),
            json!({"person": l.peer.actor_id("bob"), "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ban}");
    let id = ban["id"].as_i64().unwrap();
    let (status, _) =
        l.s.call(
            Method::DELETE,
            &format!("/api/v1/communities/nursing/bans/{id}?reason=appeal%20accepted"),
            Some(&l.mira),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let undo = undo_of_block(&l.peer).await;
    assert_eq!(undo["object"]["object"], l.peer.actor_id("bob").as_str());
    assert_eq!(undo["object"]["summary"], "appeal accepted", "{undo}");
}

/// The first `Undo` of a `Block` the peer received, as is or announced (waited for).
async fn undo_of_block(peer: &Peer) -> Value {
    eventually(
        WAIT,
        "the Undo of the Block at the person's server",
        || async {
            received_as_is_or_announced(peer, "Undo")
                .into_iter()
                .find(|u| u["object"]["type"] == "Block")
        },
    )
    .await
}

/// The activities of type `kind` the peer received, sent to it as they are or inside an
/// Announce.
fn received_as_is_or_announced(peer: &Peer, kind: &str) -> Vec<Value> {
    let mut found: Vec<Value> = peer
        .received(kind)
        .into_iter()
        .filter_map(|r| r.json())
        .collect();
    found.extend(
        peer.received("Announce")
            .into_iter()
            .filter_map(|r| r.json())
            .map(|a| a["object"].clone())
            .filter(|o| o["type"] == kind),
    );
    found
}

#[tokio::test]
async fn a_remote_vote_on_a_post_its_voter_may_not_see_is_refused_like_a_local_one() {
    let l = local().await;
    let community = format!("http://{}/c/nursing", l.s.domain());
    let (status, body) =
        l.s.post(
            "/api/v1/communities/nursing/spaces",
            Some(&l.mira),
            json!({"slug": "staff", "title": "Staff room", "audience": "members"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, staff_post) =
        l.s.post(
            "/api/v1/posts",
            Some(&l.mira),
            json!({"community": "nursing", "title": "Rota", "space": "staff"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{staff_post}");
    let score = |id: i64| {
        let s = &l.s;
        let mira = l.mira.clone();
        async move {
            let (_, post) = s.get(&format!("/api/v1/posts/{id}"), Some(&mira)).await;
            post["score"].as_i64().unwrap()
        }
    };
    let staff_id = staff_post["id"].as_i64().unwrap();
    let before = score(staff_id).await;

    // bob follows the community but is no member: the staff room's post is not his to see.
    let like = activity(
        &l.peer,
        "Like",
        "bob",
        json!(staff_post["ap_id"]),
        &community,
    );
    let (status, body) = l.peer.deliver(&l.s, "/inbox", &like, "bob").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(
        score(staff_id).await,
        before,
        "the refused vote is not counted"
    );

    // A local person outside the audience is refused the same way.
    l.s.create_user("tom", false).await;
    let tom = l.s.login("tom").await;
    let (status, body) =
        l.s.post(
            &format!("/api/v1/posts/{staff_id}/vote"),
            Some(&tom),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // The public post takes bob's vote.
    let like = activity(&l.peer, "Like", "bob", json!(l.mira_post), &community);
    let (status, body) = l.peer.deliver(&l.s, "/inbox", &like, "bob").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}
