//! Golden JSON for every activity copse sends.
//!
//! Each test drives copse through its JSON API (or a fake remote server, [`Peer`]) and takes
//! the activities the peer receives, so the whole path is pinned: the event, the builder in
//! `src/federation/send/`, the community's `Announce` and the delivery. Each activity is
//! picked by its shape (never by arrival order), normalised ([`Normaliser`]: the servers'
//! addresses, the random tokens of activity ids, timestamps, key PEMs and invite codes) and
//! compared, as JSON values, with its file under `tests/golden/`, one per kind of activity
//! ([`FILES`] lists them with the arm of `send/` each pins). Any other change shows: a
//! field added, removed, renamed or valued differently, or a different addressing.
//!
//! When a change of what copse sends is intended, rewrite the files and review their diff:
//!
//! ```text
//! COPSE_UPDATE_GOLDEN=1 cargo nextest run -E 'test(golden)'
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::Method as PeerMethod;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::support::peer::Peer;
use crate::support::server::password_of;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);
const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const GOLDEN_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
const UPDATE_VAR: &str = "COPSE_UPDATE_GOLDEN";

/// Every golden file (without `.json`), and the arm of `src/federation/send/mod.rs` it pins.
#[rustfmt::skip]
const FILES: &[(&str, &str)] = &[
    // In a community elsewhere: the author's activity, sent to the community's inbox.
    ("post_create", "PostCreated (remote community)"),
    ("post_update", "PostEdited (remote community)"),
    ("post_delete", "PostDeleted (remote community)"),
    ("comment_create", "CommentCreated (remote community)"),
    ("comment_reply_create", "CommentCreated, a reply (remote community)"),
    ("comment_update", "CommentEdited (remote community)"),
    ("comment_delete", "CommentDeleted (remote community)"),
    ("vote_like", "Voted, Cast +1 (remote community)"),
    ("vote_dislike", "Voted, Cast -1 (remote community)"),
    ("vote_undo", "Voted, Withdrawn (remote community)"),
    // In a local community: announced by the community to its followers (FEP-1b12).
    ("post_create_announce", "PostCreated (local community)"),
    ("post_page_announce", "PostCreated, the bare Page (local community)"),
    ("post_update_announce", "PostEdited (local community)"),
    ("post_delete_announce", "PostDeleted (local community)"),
    ("comment_create_announce", "CommentCreated (local community)"),
    ("comment_update_announce", "CommentEdited (local community)"),
    ("comment_delete_announce", "CommentDeleted (local community)"),
    ("vote_like_announce", "Voted, Cast +1 (local community)"),
    ("vote_dislike_announce", "Voted, Cast -1 (local community)"),
    ("vote_undo_announce", "Voted, Withdrawn (local community)"),
    ("relayed_announce", "Relayed: a remote person's Create"),
    ("relayed_page_announce", "Relayed: the bare Page of a remote post"),
    // Moderation.
    ("pin_add", "PinChanged, pinned"),
    ("pin_remove", "PinChanged, unpinned"),
    ("removal_delete", "RemovalChanged, removed"),
    ("removal_undo", "RemovalChanged, restored"),
    ("lock", "LockChanged, locked"),
    ("lock_undo", "LockChanged, reopened"),
    ("ban_block_community", "Banned in a community: to the person's server"),
    ("ban_block_community_announce", "Banned in a community: announced"),
    ("ban_undo_community", "BanLifted in a community: to the person's server"),
    ("ban_undo_community_announce", "BanLifted in a community: announced"),
    ("ban_block_instance", "Banned from the instance"),
    ("ban_undo_instance", "BanLifted from the instance"),
    // Follows.
    ("follow", "FollowSent"),
    ("follow_undo", "Unfollowed"),
    ("follow_accept", "FollowAnswered: a follow of a community, accepted at once"),
    ("follow_request_accept", "FollowAnswered: a limited server's request, authorized"),
    ("follow_request_reject", "FollowAnswered: a limited server's request, rejected"),
    // Membership.
    ("join", "JoinSent"),
    ("leave", "LeftRemote"),
    ("membership_accept", "MembershipAnswered: a Join approved"),
    ("membership_accept_follow", "MembershipAnswered: a Follow (application) approved"),
    ("membership_reject", "MembershipAnswered: a Join rejected"),
    ("invite", "Invited"),
    ("welcome_note", "Welcomed"),
    ("moderator_add", "ModeratorChanged, added"),
    ("moderator_remove", "ModeratorChanged, removed"),
    ("community_update", "CommunityUpdated"),
    // Reports and accounts.
    ("flag_to_community", "ReportForwarded: to a community elsewhere"),
    ("flag_to_person_server", "ReportForwarded: to a person's server"),
    ("person_delete", "AccountDeleted"),
    // Content not for everyone.
    ("members_only_announce", "PostCreated in a members-only space"),
    ("members_only_comment_announce", "CommentCreated under a members-only post"),
    ("members_only_relayed_announce", "Relayed: a remote member's comment, members only"),
    ("private_community_announce", "PostCreated in a private community"),
];

// ---------------------------------------------------------------------------------------
// Normalising and comparing.

/// Makes a document independent of the run: the test servers' addresses become fixed
/// names, the random token of each copse activity id becomes `TOKEN`, RFC 3339 timestamps
/// `TIMESTAMP`, public key PEMs `PUBLIC KEY`, and given secrets (invite codes) a
/// placeholder. Everything else is kept as it is; keys are sorted.
#[derive(Debug, Default)]
struct Normaliser {
    /// `127.0.0.1:port` → the name it stands for (`copse.example`, `peer.example`).
    hosts: BTreeMap<String, String>,
    /// Exact strings → placeholders.
    secrets: Vec<(String, String)>,
}

impl Normaliser {
    /// `authority` (`127.0.0.1:port`) is `name` (`http://` becoming `https://`).
    fn host(mut self, authority: &str, name: &str) -> Normaliser {
        self.hosts.insert(authority.to_string(), name.to_string());
        self
    }

    fn secret(&mut self, value: &str, placeholder: &str) {
        self.secrets
            .push((value.to_string(), placeholder.to_string()));
    }

    fn normalise(&self, value: &Value) -> Value {
        sorted(&self.strings(value))
    }

    /// `value` with every string normalised.
    fn strings(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.strings(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.strings(v)))
                    .collect::<Map<String, Value>>(),
            ),
            other => other.clone(),
        }
    }

    fn string(&self, s: &str) -> String {
        if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
            return "TIMESTAMP".into();
        }
        if s.trim_start().starts_with("-----BEGIN") {
            return "PUBLIC KEY".into();
        }
        let mut s = s.to_string();
        for (secret, placeholder) in &self.secrets {
            s = s.replace(secret.as_str(), placeholder);
        }
        tokens(&self.hosts_replaced(&s))
    }

    /// Every `http://127.0.0.1:port` (or bare `127.0.0.1:port`) of a known port replaced by
    /// its name. The port is read whole, so `:4000` is never taken for the start of `:40001`.
    fn hosts_replaced(&self, s: &str) -> String {
        const LOOPBACK: &str = "127.0.0.1:";
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(LOOPBACK) {
            let (before, after) = rest.split_at(i);
            let port = after[LOOPBACK.len()..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(after.len(), |n| n + LOOPBACK.len());
            let authority = &after[..port];
            match self.hosts.get(authority) {
                Some(name) => match before.strip_suffix("http://") {
                    Some(head) => {
                        out.push_str(head);
                        out.push_str("https://");
                        out.push_str(name);
                    }
                    None => {
                        out.push_str(before);
                        out.push_str(name);
                    }
                },
                None => {
                    out.push_str(before);
                    out.push_str(authority);
                }
            }
            rest = &after[port..];
        }
        out.push_str(rest);
        out
    }
}

/// `https://copse.example/activities/<kind>/<token>` with the token replaced by `TOKEN`.
fn tokens(s: &str) -> String {
    const ACTIVITIES: &str = "https://copse.example/activities/";
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(ACTIVITIES) {
        let start = i + ACTIVITIES.len();
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let kind = after.find(|c: char| !url_safe(c)).unwrap_or(after.len());
        if kind > 0 && after[kind..].starts_with('/') {
            let token = &after[kind + 1..];
            let len = token.find(|c: char| !url_safe(c)).unwrap_or(token.len());
            if len > 0 {
                out.push_str(&after[..=kind]);
                out.push_str("TOKEN");
                rest = &token[len..];
                continue;
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn updating() -> bool {
    std::env::var(UPDATE_VAR).is_ok_and(|v| v == "1")
}

fn golden_path(name: &str) -> String {
    format!("{GOLDEN_DIR}/{name}.json")
}

/// Pretty-printed, keys sorted, with a final newline.
fn pretty(value: &Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(&sorted(value)).unwrap()
    )
}

/// `value` with the keys of its objects sorted, nothing else changed.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        Value::Object(map) => {
            let by_key: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(by_key.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        other => other.clone(),
    }
}

/// The JSON paths where `expected` and `actual` differ.
fn differences(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys().chain(a.keys().filter(|k| !e.contains_key(*k))) {
                let here = format!("{path}/{key}");
                match (e.get(key), a.get(key)) {
                    (Some(ev), Some(av)) => differences(ev, av, &here, out),
                    (Some(_), None) => out.push(format!("{here}: missing")),
                    (None, Some(_)) => out.push(format!("{here}: not expected")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                differences(ev, av, &format!("{path}/{i}"), out);
            }
        }
        _ if expected != actual => out.push(format!("{path}: expected {expected}, got {actual}")),
        _ => {}
    }
}

/// Compares the normalised `actual` with the golden file `name` (or, when `update`, writes
/// it there). The error says what differs, shows the actual JSON and how to update.
fn compare(name: &str, actual: &Value, update: bool) -> Result<(), String> {
    let path = golden_path(name);
    if update {
        std::fs::create_dir_all(GOLDEN_DIR).unwrap();
        std::fs::write(&path, pretty(actual)).unwrap();
        return Ok(());
    }
    let how = how_to_update();
    let expected: Value = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| format!("tests/golden/{name}.json is not JSON ({e}); {how}"))?,
        Err(_) => {
            return Err(format!(
                "tests/golden/{name}.json is missing; the activity sent (normalised):\n{}{how}",
                pretty(actual)
            ));
        }
    };
    verdict(name, &expected, actual)
}

/// Ok when `actual` is `expected`, the golden file `name`; otherwise what differs, the
/// actual JSON and how to update the file.
fn verdict(name: &str, expected: &Value, actual: &Value) -> Result<(), String> {
    if expected == actual {
        return Ok(());
    }
    let mut diff = Vec::new();
    differences(expected, actual, "", &mut diff);
    Err(format!(
        "tests/golden/{name}.json differs from what copse sent:\n  {}\nthe activity sent \
         (normalised):\n{}{}",
        diff.join("\n  "),
        pretty(actual),
        how_to_update()
    ))
}

fn how_to_update() -> String {
    format!(
        "if the change is intended, run `{UPDATE_VAR}=1 cargo nextest run -E 'test(golden)'` \
         and review the diff of tests/golden/"
    )
}

/// The golden checks of one test: each is made, the failures are reported together.
struct Goldens {
    norm: Normaliser,
    failures: Vec<String>,
}

impl Goldens {
    /// For copse `s` and the peers, each named (`peer.example`, …).
    fn new(s: &TestServer, peers: &[(&Peer, &str)]) -> Goldens {
        let mut norm = Normaliser::default().host(&s.domain(), "copse.example");
        for (peer, name) in peers {
            norm = norm.host(&peer.domain(), name);
        }
        Goldens {
            norm,
            failures: Vec::new(),
        }
    }

    fn check(&mut self, name: &str, activity: &Value) {
        assert!(
            FILES.iter().any(|(file, _)| *file == name),
            "{name} is not listed in FILES"
        );
        if let Err(e) = compare(name, &self.norm.normalise(activity), updating()) {
            self.failures.push(e);
        }
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} golden file(s) differ:\n\n{}",
            self.failures.len(),
            self.failures.join("\n\n")
        );
    }
}

// ---------------------------------------------------------------------------------------
// Picking what the peer received.

/// Every activity POSTed to the peer so far.
fn posted(peer: &Peer) -> Vec<Value> {
    peer.requests()
        .into_iter()
        .filter(|r| r.method == PeerMethod::POST)
        .filter_map(|r| r.json())
        .collect()
}

/// The activity POSTed to the peer that `pick` selects, waited for.
async fn sent(peer: &Peer, what: &str, pick: impl Fn(&Value) -> bool) -> Value {
    eventually(WAIT, what, || async {
        posted(peer).into_iter().find(|a| pick(a))
    })
    .await
}

/// How many activities POSTed to the peer `pick` selects (now).
fn count(peer: &Peer, pick: impl Fn(&Value) -> bool) -> usize {
    posted(peer).iter().filter(|a| pick(a)).count()
}

fn is(v: &Value, kind: &str) -> bool {
    v["type"] == kind
}

/// An `Announce` of an activity or object of type `kind`.
fn announce_of(a: &Value, kind: &str) -> bool {
    is(a, "Announce") && is(&a["object"], kind)
}

// ---------------------------------------------------------------------------------------
// The world.

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn ok(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
}

/// A federating copse with `mira` owning `!nursing`, set up by `settings`; mira's token.
async fn copse_with_nursing(settings: Value) -> (TestServer, String) {
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
    ok(status, &body, StatusCode::CREATED);
    if settings != json!({}) {
        let (status, body) = s
            .call(
                Method::PATCH,
                "/api/v1/communities/nursing",
                Some(&mira),
                Some(settings),
            )
            .await;
        ok(status, &body, StatusCode::OK);
    }
    (s, mira)
}

fn community(s: &TestServer, name: &str) -> String {
    format!("http://{}/c/{name}", s.domain())
}

fn person(s: &TestServer, name: &str) -> String {
    format!("http://{}/u/{name}", s.domain())
}

/// An activity of the peer's `who`, without addressing.
fn peer_activity(peer: &Peer, kind: &str, who: &str, object: Value) -> Value {
    json!({
        "@context": AS,
        "id": peer.activity_id(&kind.to_ascii_lowercase()),
        "type": kind,
        "actor": peer.actor_id(who),
        "object": object,
    })
}

/// The peer's `who` delivers `activity` to `path` on copse, which takes it.
async fn deliver(s: &TestServer, peer: &Peer, path: &str, activity: &Value, who: &str) {
    let (status, body) = peer.deliver(s, path, activity, who).await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "{} {}: {body}",
        activity["type"],
        activity["id"]
    );
}

/// The peer's `who` follows the local community `name`; returns once it is accepted.
async fn peer_follows(s: &TestServer, peer: &Peer, who: &str, name: &str) {
    let follow = peer_activity(peer, "Follow", who, json!(community(s, name)));
    deliver(s, peer, &format!("/c/{name}/inbox"), &follow, who).await;
    sent(peer, "the community's Accept", |a| {
        is(a, "Accept") && a["object"]["id"] == follow["id"]
    })
    .await;
}

/// The peer's `who` writes a post (`Page`) in the local community `name`.
fn peer_create_page(s: &TestServer, peer: &Peer, who: &str, name: &str, path: &str) -> Value {
    let group = community(s, name);
    json!({
        "@context": AS,
        "id": peer.activity_id("create"),
        "type": "Create",
        "actor": peer.actor_id(who),
        "to": [PUBLIC],
        "cc": [group],
        "audience": group,
        "object": {
            "id": format!("{}/{path}", peer.base()),
            "type": "Page",
            "attributedTo": peer.actor_id(who),
            "to": [group, PUBLIC],
            "audience": group,
            "name": "Handover checklists",
            "content": "<p>Which checklist do you use?</p>",
            "mediaType": "text/html",
            "published": "2026-03-02T08:00:00Z",
        },
    })
}

/// The local user of `token` follows the peer's actor `name`, which accepts; the follow's id.
async fn follows_peer_actor(s: &TestServer, token: &str, peer: &Peer, name: &str) -> i64 {
    let (status, view) = s
        .post(
            "/api/v1/follows",
            Some(token),
            json!({"target": peer.actor_id(name)}),
        )
        .await;
    ok(status, &view, StatusCode::OK);
    let id = view["id"].as_i64().unwrap();
    let follow = sent(peer, "the Follow", |a| {
        is(a, "Follow") && a["object"] == peer.actor_id(name).as_str()
    })
    .await;
    let accept = peer_activity(peer, "Accept", name, follow);
    deliver(s, peer, "/inbox", &accept, name).await;
    eventually(WAIT, "the follow to be accepted", || async {
        let (_, list) = s.get("/api/v1/follows", Some(token)).await;
        list.as_array()?
            .iter()
            .any(|f| f["id"].as_i64() == Some(id) && f["state"] == "accepted")
            .then_some(())
    })
    .await;
    id
}

/// The id of the membership of `handle` in the local community `name`, in state `state`.
async fn membership_id(s: &TestServer, mira: &str, name: &str, handle: &str, state: &str) -> i64 {
    let (status, list) = s
        .get(
            &format!("/api/v1/communities/{name}/members?state={state}"),
            Some(mira),
        )
        .await;
    ok(status, &list, StatusCode::OK);
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"] == handle)
        .and_then(|m| m["id"].as_i64())
        .unwrap_or_else(|| panic!("{handle} is {state} in !{name}: {list}"))
}

// ---------------------------------------------------------------------------------------
// Discussions.

#[tokio::test]
async fn posts_comments_and_votes_in_a_local_community_are_announced_as_pinned() {
    let (s, mira) = copse_with_nursing(json!({})).await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    let mut golden = Goldens::new(&s, &[(&peer, "peer.example")]);
    peer_follows(&s, &peer, "alice", "nursing").await;

    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({
                "community": "nursing",
                "title": "Night shift handover",
                "body": "How do *you* hand over?",
                "url": "https://example.org/handover",
                "language": "en",
                "content_warning": "long read",
            }),
        )
        .await;
    ok(status, &post, StatusCode::CREATED);
    let post_id = post["id"].as_i64().unwrap();
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let create = sent(&peer, "the announced Create of the post", |a| {
        announce_of(a, "Create") && a["object"]["object"]["id"] == post_ap.as_str()
    })
    .await;
    golden.check("post_create_announce", &create);
    let page = sent(&peer, "the announced Page", |a| {
        announce_of(a, "Page") && a["object"]["id"] == post_ap.as_str()
    })
    .await;
    golden.check("post_page_announce", &page);

    let (status, body) = s
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{post_id}"),
            Some(&mira),
            Some(json!({
                "title": "Night shift handover, revised",
                "body": "How do *you* hand over? At the bedside?",
                "url": "https://example.org/handover",
                "language": "en",
                "content_warning": "long read",
            })),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let update = sent(&peer, "the announced Update of the post", |a| {
        announce_of(a, "Update") && a["object"]["object"]["id"] == post_ap.as_str()
    })
    .await;
    golden.check("post_update_announce", &update);

    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&mira),
            json!({"body": "We use **SBAR**."}),
        )
        .await;
    ok(status, &comment, StatusCode::CREATED);
    let comment_id = comment["id"].as_i64().unwrap();
    let comment_ap = comment["ap_id"].as_str().unwrap().to_string();
    let create = sent(&peer, "the announced Create of the comment", |a| {
        announce_of(a, "Create") && a["object"]["object"]["id"] == comment_ap.as_str()
    })
    .await;
    golden.check("comment_create_announce", &create);

    let (status, body) = s
        .call(
            Method::PATCH,
            &format!("/api/v1/comments/{comment_id}"),
            Some(&mira),
            Some(json!({"body": "We use **SBAR**, always."})),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let update = sent(&peer, "the announced Update of the comment", |a| {
        announce_of(a, "Update") && a["object"]["object"]["id"] == comment_ap.as_str()
    })
    .await;
    golden.check("comment_update_announce", &update);

    let vote = |path: String, value: i32| {
        let s = &s;
        let mira = &mira;
        async move {
            let (status, body) = s.post(&path, Some(mira), json!({"value": value})).await;
            ok(status, &body, StatusCode::OK);
        }
    };
    vote(format!("/api/v1/posts/{post_id}/vote"), 1).await;
    let like = sent(&peer, "the announced Like", |a| announce_of(a, "Like")).await;
    golden.check("vote_like_announce", &like);
    vote(format!("/api/v1/comments/{comment_id}/vote"), -1).await;
    let dislike = sent(&peer, "the announced Dislike", |a| {
        announce_of(a, "Dislike")
    })
    .await;
    golden.check("vote_dislike_announce", &dislike);
    vote(format!("/api/v1/comments/{comment_id}/vote"), 0).await;
    let undo = sent(&peer, "the announced Undo of the vote", |a| {
        announce_of(a, "Undo") && a["object"]["object"]["type"] == "Dislike"
    })
    .await;
    golden.check("vote_undo_announce", &undo);

    // bob, on the peer, writes in the community, which passes it on to its followers.
    let bob_post = peer_create_page(&s, &peer, "bob", "nursing", "post/bob-1");
    deliver(&s, &peer, "/c/nursing/inbox", &bob_post, "bob").await;
    let relayed = sent(&peer, "the relayed Create", |a| {
        announce_of(a, "Create") && a["object"]["id"] == bob_post["id"]
    })
    .await;
    golden.check("relayed_announce", &relayed);
    let relayed_page = sent(&peer, "the relayed Page", |a| {
        announce_of(a, "Page") && a["object"]["id"] == bob_post["object"]["id"]
    })
    .await;
    golden.check("relayed_page_announce", &relayed_page);

    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{comment_id}"),
            Some(&mira),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let delete = sent(&peer, "the announced Delete of the comment", |a| {
        announce_of(a, "Delete") && a["object"]["object"] == comment_ap.as_str()
    })
    .await;
    golden.check("comment_delete_announce", &delete);
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{post_id}"),
            Some(&mira),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let delete = sent(&peer, "the announced Delete of the post", |a| {
        announce_of(a, "Delete") && a["object"]["object"] == post_ap.as_str()
    })
    .await;
    golden.check("post_delete_announce", &delete);

    // Every announce is the community's.
    let announces: Vec<Value> = posted(&peer)
        .into_iter()
        .filter(|a| is(a, "Announce"))
        .collect();
    assert!(
        announces
            .iter()
            .all(|a| a["actor"] == community(&s, "nursing").as_str()),
        "{announces:?}"
    );
    golden.finish();
}

#[tokio::test]
async fn posts_comments_and_votes_in_a_community_elsewhere_are_sent_to_it_as_pinned() {
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let peer = Peer::start().await;
    peer.add_actor("group", "Group").await;
    let mut golden = Goldens::new(&s, &[(&peer, "peer.example")]);
    let group = peer.actor_id("group");
    let to_group = |a: &Value| a["cc"] == json!([group]) || a["audience"] == group.as_str();

    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({
                "community": format!("!group@{}", peer.domain()),
                "title": "Pressure ulcer audit",
                "body": "Our *monthly* audit form.",
                "sensitive": true,
            }),
        )
        .await;
    ok(status, &post, StatusCode::CREATED);
    let post_id = post["id"].as_i64().unwrap();
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let create = sent(&peer, "the Create of the post", |a| {
        is(a, "Create") && a["object"]["id"] == post_ap.as_str()
    })
    .await;
    assert!(to_group(&create), "{create}");
    golden.check("post_create", &create);

    let (status, body) = s
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{post_id}"),
            Some(&ana),
            // A post's PATCH replaces every field, as its creation set them.
            Some(json!({
                "title": "Pressure ulcer audit (v2)",
                "body": "Our *monthly* audit form, revised.",
                "sensitive": true,
            })),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let update = sent(&peer, "the Update of the post", |a| {
        is(a, "Update") && a["object"]["id"] == post_ap.as_str()
    })
    .await;
    golden.check("post_update", &update);

    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&ana),
            json!({"body": "Filled in weekly."}),
        )
        .await;
    ok(status, &comment, StatusCode::CREATED);
    let comment_id = comment["id"].as_i64().unwrap();
    let comment_ap = comment["ap_id"].as_str().unwrap().to_string();
    let create = sent(&peer, "the Create of the comment", |a| {
        is(a, "Create") && a["object"]["id"] == comment_ap.as_str()
    })
    .await;
    golden.check("comment_create", &create);
    let (status, reply) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&ana),
            json!({"body": "Daily in *ICU*.", "parent_id": comment_id}),
        )
        .await;
    ok(status, &reply, StatusCode::CREATED);
    let reply_ap = reply["ap_id"].as_str().unwrap().to_string();
    let create = sent(&peer, "the Create of the reply", |a| {
        is(a, "Create") && a["object"]["id"] == reply_ap.as_str()
    })
    .await;
    assert_eq!(create["object"]["inReplyTo"], comment_ap.as_str());
    golden.check("comment_reply_create", &create);

    let (status, body) = s
        .call(
            Method::PATCH,
            &format!("/api/v1/comments/{comment_id}"),
            Some(&ana),
            Some(json!({"body": "Filled in weekly, on Mondays."})),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let update = sent(&peer, "the Update of the comment", |a| {
        is(a, "Update") && a["object"]["id"] == comment_ap.as_str()
    })
    .await;
    golden.check("comment_update", &update);

    let (status, body) = s
        .post(
            &format!("/api/v1/posts/{post_id}/vote"),
            Some(&ana),
            json!({"value": 1}),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    golden.check(
        "vote_like",
        &sent(&peer, "the Like", |a| is(a, "Like")).await,
    );
    let path = format!("/api/v1/comments/{comment_id}/vote");
    let (status, body) = s.post(&path, Some(&ana), json!({"value": -1})).await;
    ok(status, &body, StatusCode::OK);
    let dislike = sent(&peer, "the Dislike", |a| is(a, "Dislike")).await;
    golden.check("vote_dislike", &dislike);
    let (status, body) = s.post(&path, Some(&ana), json!({"value": 0})).await;
    ok(status, &body, StatusCode::OK);
    let undo = sent(&peer, "the Undo of the vote", |a| {
        is(a, "Undo") && is(&a["object"], "Dislike")
    })
    .await;
    golden.check("vote_undo", &undo);

    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/comments/{comment_id}"),
            Some(&ana),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let delete = sent(&peer, "the Delete of the comment", |a| {
        is(a, "Delete") && a["object"] == comment_ap.as_str()
    })
    .await;
    golden.check("comment_delete", &delete);
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{post_id}"),
            Some(&ana),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let delete = sent(&peer, "the Delete of the post", |a| {
        is(a, "Delete") && a["object"] == post_ap.as_str()
    })
    .await;
    golden.check("post_delete", &delete);

    // Nothing is announced: the community elsewhere does that.
    assert_eq!(count(&peer, |a| is(a, "Announce")), 0);
    golden.finish();
}

// ---------------------------------------------------------------------------------------
// Moderation.

#[tokio::test]
async fn pins_removals_locks_and_bans_are_sent_as_pinned() {
    let (s, mira) = copse_with_nursing(json!({})).await;
    s.create_user("ines", false).await;
    s.create_user("odile", true).await;
    let ines = s.login("ines").await;
    let odile = s.login("odile").await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    // bob's server follows nothing here: the ban goes to it straight, and to the follower
    // servers in the community's Announce (one copy per server).
    let home = Peer::start().await;
    home.add_actor("bob", "Person").await;
    let mut golden = Goldens::new(&s, &[(&peer, "peer.example"), (&home, "peer.example")]);
    peer_follows(&s, &peer, "alice", "nursing").await;
    let nursing = community(&s, "nursing");
    let instance = format!("http://{}/actor", s.domain());

    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Rota for March"}),
        )
        .await;
    ok(status, &post, StatusCode::CREATED);
    let post_id = post["id"].as_i64().unwrap();
    let (status, other) = s
        .post(
            "/api/v1/posts",
            Some(&ines),
            json!({"community": "nursing", "title": "Selling scrubs", "body": "cheap"}),
        )
        .await;
    ok(status, &other, StatusCode::CREATED);
    let other_id = other["id"].as_i64().unwrap();

    let featured = format!("{nursing}/featured");
    let pin = format!("/api/v1/posts/{post_id}/pin");
    let (status, body) = s.post(&pin, Some(&mira), json!({"pinned": true})).await;
    ok(status, &body, StatusCode::OK);
    let add = sent(&peer, "the announced Add to featured", |a| {
        announce_of(a, "Add") && a["object"]["target"] == featured.as_str()
    })
    .await;
    golden.check("pin_add", &add);
    let (status, body) = s.post(&pin, Some(&mira), json!({"pinned": false})).await;
    ok(status, &body, StatusCode::OK);
    let remove = sent(&peer, "the announced Remove from featured", |a| {
        announce_of(a, "Remove") && a["object"]["target"] == featured.as_str()
    })
    .await;
    golden.check("pin_remove", &remove);

    let removal = format!("/api/v1/posts/{other_id}/remove");
    let (status, body) = s
        .post(
            &removal,
            Some(&mira),
            json!({"removed": true, "reason": "Selling is not allowed"}),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let delete = sent(&peer, "the announced removal", |a| {
        announce_of(a, "Delete") && a["object"]["summary"].is_string()
    })
    .await;
    golden.check("removal_delete", &delete);
    let (status, body) = s
        .post(&removal, Some(&mira), json!({"removed": false}))
        .await;
    ok(status, &body, StatusCode::OK);
    let undo = sent(&peer, "the announced restore", |a| {
        announce_of(a, "Undo") && is(&a["object"]["object"], "Delete")
    })
    .await;
    golden.check("removal_undo", &undo);

    let lock = format!("/api/v1/posts/{post_id}/lock");
    let (status, body) = s
        .post(
            &lock,
            Some(&mira),
            json!({"locked": true, "reason": "Rota settled"}),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let locked = sent(&peer, "the announced Lock", |a| announce_of(a, "Lock")).await;
    golden.check("lock", &locked);
    let (status, body) = s
        .post(
            &lock,
            Some(&mira),
            json!({"locked": false, "reason": "One more swap"}),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let reopened = sent(&peer, "the announced Undo of the Lock", |a| {
        announce_of(a, "Undo") && is(&a["object"]["object"], "Lock")
    })
    .await;
    golden.check("lock_undo", &reopened);

    // bob is banned from the community, then from the instance.
    let bob = home.actor_id("bob");
    let blocks = |a: &Value, target: &str| is(a, "Block") && a["target"] == target;
    let (status, ban) = s
        .post(
            "/api/v1/communities/nursing/bans",
            Some(&mira),
            json!({"person": bob, "reason": "Spam", "expires_in_days": 7, "remove_data": true}),
        )
        .await;
    ok(status, &ban, StatusCode::CREATED);
    let block = sent(&home, "the Block to bob's server", |a| blocks(a, &nursing)).await;
    golden.check("ban_block_community", &block);
    let announced = sent(&peer, "the announced Block", |a| {
        is(a, "Announce") && blocks(&a["object"], &nursing)
    })
    .await;
    golden.check("ban_block_community_announce", &announced);
    assert_eq!(announced["object"]["id"], block["id"]);
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!(
                "/api/v1/communities/nursing/bans/{}?reason=Appeal%20accepted",
                ban["id"]
            ),
            Some(&mira),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let undo = sent(&home, "the Undo of the Block to bob's server", |a| {
        is(a, "Undo") && blocks(&a["object"], &nursing)
    })
    .await;
    golden.check("ban_undo_community", &undo);
    assert_eq!(undo["object"]["id"], block["id"], "the Block as first sent");
    let announced = sent(&peer, "the announced Undo of the Block", |a| {
        is(a, "Announce") && is(&a["object"], "Undo") && blocks(&a["object"]["object"], &nursing)
    })
    .await;
    golden.check("ban_undo_community_announce", &announced);

    let (status, ban) = s
        .post(
            "/api/v1/admin/bans",
            Some(&odile),
            json!({"person": bob, "reason": "Spam everywhere", "expires_in_days": 30}),
        )
        .await;
    ok(status, &ban, StatusCode::CREATED);
    let block = sent(&home, "the instance's Block", |a| blocks(a, &instance)).await;
    golden.check("ban_block_instance", &block);
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!(
                "/api/v1/admin/bans/{}?reason=Mistaken%20identity",
                ban["id"]
            ),
            Some(&odile),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let undo = sent(&home, "the Undo of the instance's Block", |a| {
        is(a, "Undo") && blocks(&a["object"], &instance)
    })
    .await;
    golden.check("ban_undo_instance", &undo);
    assert_eq!(undo["object"]["id"], block["id"], "the Block as first sent");
    golden.finish();
}

// ---------------------------------------------------------------------------------------
// Follows.

#[tokio::test]
async fn follows_sent_undone_and_answered_are_as_pinned() {
    let (s, mira) = copse_with_nursing(json!({})).await;
    s.create_user("ana", false).await;
    s.create_user("odile", true).await;
    let ana = s.login("ana").await;
    let odile = s.login("odile").await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    peer.add_actor("bob", "Person").await;
    let limited = Peer::start().await;
    limited.add_actor("carol", "Person").await;
    limited.add_actor("dave", "Person").await;
    let mut golden = Goldens::new(
        &s,
        &[(&peer, "peer.example"), (&limited, "limited.example")],
    );

    // ana follows alice on the peer, who accepts; then ana unfollows.
    let follow_id = follows_peer_actor(&s, &ana, &peer, "alice").await;
    let follow = sent(&peer, "the Follow", |a| is(a, "Follow")).await;
    golden.check("follow", &follow);
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/follows/{follow_id}"),
            Some(&ana),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let undo = sent(&peer, "the Undo of the Follow", |a| {
        is(a, "Undo") && is(&a["object"], "Follow")
    })
    .await;
    assert_eq!(undo["object"]["id"], follow["id"], "the Follow as sent");
    golden.check("follow_undo", &undo);

    // bob on the peer follows the community: accepted at once.
    let bob_follow = peer_activity(&peer, "Follow", "bob", json!(community(&s, "nursing")));
    deliver(&s, &peer, "/c/nursing/inbox", &bob_follow, "bob").await;
    let accept = sent(&peer, "the community's Accept", |a| {
        is(a, "Accept") && a["object"]["id"] == bob_follow["id"]
    })
    .await;
    golden.check("follow_accept", &accept);

    // A limited server's follows of mira wait for her answer.
    let (status, body) = s
        .call(
            Method::PUT,
            &format!("/api/v1/admin/domains/{}", limited.domain()),
            Some(&odile),
            Some(json!({"severity": "limit"})),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let mut follows = BTreeMap::new();
    for who in ["carol", "dave"] {
        let follow = peer_activity(&limited, "Follow", who, json!(person(&s, "mira")));
        deliver(&s, &limited, "/inbox", &follow, who).await;
        follows.insert(who, follow);
    }
    let (status, requests) = s.get("/api/v1/follow-requests", Some(&mira)).await;
    ok(status, &requests, StatusCode::OK);
    let request_of = |who: &str| {
        let handle = format!("@{who}@{}", limited.domain());
        requests
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["follower"]["handle"] == handle.as_str())
            .and_then(|r| r["id"].as_i64())
            .unwrap_or_else(|| panic!("{who} asks: {requests}"))
    };
    let (carol, dave) = (request_of("carol"), request_of("dave"));
    let path = format!("/api/v1/follow-requests/{carol}/authorize");
    let (status, body) = s.post(&path, Some(&mira), json!({})).await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let accept = sent(&limited, "mira's Accept", |a| {
        is(a, "Accept") && a["object"]["id"] == follows["carol"]["id"]
    })
    .await;
    golden.check("follow_request_accept", &accept);
    let path = format!("/api/v1/follow-requests/{dave}/reject");
    let (status, body) = s.post(&path, Some(&mira), json!({})).await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let reject = sent(&limited, "mira's Reject", |a| {
        is(a, "Reject") && a["object"]["id"] == follows["dave"]["id"]
    })
    .await;
    golden.check("follow_request_reject", &reject);
    golden.finish();
}

// ---------------------------------------------------------------------------------------
// Membership.

#[tokio::test]
async fn joins_answers_invites_welcomes_and_community_changes_are_as_pinned() {
    // Private: a Follow of it is an application (a public one is followed at once).
    let (s, mira) = copse_with_nursing(json!({
        "visibility": "private",
        "join_policy": "approval",
        "rules": ["No patient identifiers"],
        "questions": [{"question": "Where do you practise?", "required": true}],
        "welcome_message": "Welcome! Please read the **rules**.",
    }))
    .await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let peer = Peer::start().await;
    for name in ["alice", "bob", "carol", "erin"] {
        peer.add_actor(name, "Person").await;
    }
    peer.add_actor("group", "Group").await;
    let mut golden = Goldens::new(&s, &[(&peer, "peer.example")]);
    let nursing = community(&s, "nursing");
    let handle = |who: &str| format!("@{who}@{}", peer.domain());

    // ana joins the peer's group with an answer, then leaves it.
    let group = format!("!group@{}", peer.domain());
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": group, "answers": ["St James, ICU"], "accept_rules": true}),
        )
        .await;
    ok(status, &body, StatusCode::ACCEPTED);
    let join = sent(&peer, "ana's Join", |a| is(a, "Join")).await;
    golden.check("join", &join);
    let (status, body) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/memberships?community={}", enc(&group)),
            Some(&ana),
            None,
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let leave = sent(&peer, "ana's Leave", |a| is(a, "Leave")).await;
    golden.check("leave", &leave);

    // alice applies with a Join and is approved (and welcomed); bob's Join is rejected;
    // carol applies with a Follow and is approved.
    let mut alice_join = peer_activity(&peer, "Join", "alice", json!(nursing));
    alice_join["answers"] = json!([{"question": "Where do you practise?", "answer": "Leeds"}]);
    alice_join["rulesAccepted"] = json!(true);
    deliver(&s, &peer, "/c/nursing/inbox", &alice_join, "alice").await;
    let bob_join = peer_activity(&peer, "Join", "bob", json!(nursing));
    deliver(&s, &peer, "/c/nursing/inbox", &bob_join, "bob").await;
    let carol_follow = peer_activity(&peer, "Follow", "carol", json!(nursing));
    deliver(&s, &peer, "/c/nursing/inbox", &carol_follow, "carol").await;

    let decide = |who: &'static str, verb: &'static str| {
        let s = &s;
        let mira = &mira;
        let handle = handle(who);
        async move {
            let id = membership_id(s, mira, "nursing", &handle, "pending").await;
            let path = format!("/api/v1/communities/nursing/members/{id}/{verb}");
            let (status, body) = s.post(&path, Some(mira), json!({})).await;
            ok(status, &body, StatusCode::OK);
        }
    };
    decide("alice", "approve").await;
    let accept = sent(&peer, "the Accept of alice's Join", |a| {
        is(a, "Accept") && a["object"]["id"] == alice_join["id"]
    })
    .await;
    golden.check("membership_accept", &accept);
    let welcome = sent(&peer, "alice's welcome", |a| {
        is(a, "Create") && a["to"] == json!([peer.actor_id("alice")])
    })
    .await;
    golden.check("welcome_note", &welcome);
    decide("bob", "reject").await;
    let reject = sent(&peer, "the Reject of bob's Join", |a| {
        is(a, "Reject") && a["object"]["id"] == bob_join["id"]
    })
    .await;
    golden.check("membership_reject", &reject);
    decide("carol", "approve").await;
    let accept = sent(&peer, "the Accept of carol's Follow", |a| {
        is(a, "Accept") && a["object"]["id"] == carol_follow["id"]
    })
    .await;
    golden.check("membership_accept_follow", &accept);

    // erin is invited.
    let (status, invite) = s
        .post(
            "/api/v1/communities/nursing/invites",
            Some(&mira),
            json!({"invitee": peer.actor_id("erin")}),
        )
        .await;
    ok(status, &invite, StatusCode::CREATED);
    golden
        .norm
        .secret(invite["code"].as_str().unwrap(), "INVITE_CODE");
    let sent_invite = sent(&peer, "erin's Invite", |a| is(a, "Invite")).await;
    golden.check("invite", &sent_invite);

    // alice becomes a moderator, then a member again.
    let alice = membership_id(&s, &mira, "nursing", &handle("alice"), "accepted").await;
    let moderators = format!("{nursing}/moderators");
    let role = format!("/api/v1/communities/nursing/members/{alice}/role");
    let (status, body) = s
        .post(&role, Some(&mira), json!({"role": "moderator"}))
        .await;
    ok(status, &body, StatusCode::OK);
    let add = sent(&peer, "the announced Add to the moderators", |a| {
        announce_of(a, "Add") && a["object"]["target"] == moderators.as_str()
    })
    .await;
    golden.check("moderator_add", &add);
    let (status, body) = s.post(&role, Some(&mira), json!({"role": "member"})).await;
    ok(status, &body, StatusCode::OK);
    let remove = sent(&peer, "the announced Remove from the moderators", |a| {
        announce_of(a, "Remove") && a["object"]["target"] == moderators.as_str()
    })
    .await;
    golden.check("moderator_remove", &remove);

    // The community's settings change: its followers get the Group as it now is.
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(json!({"title": "Nursing practice and care", "summary": "For *nurses*."})),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let update = sent(&peer, "the Update of the Group", |a| {
        is(a, "Update") && is(&a["object"], "Group")
    })
    .await;
    golden.check("community_update", &update);
    golden.finish();
}

// ---------------------------------------------------------------------------------------
// Reports and accounts.

#[tokio::test]
async fn forwarded_reports_and_a_deleted_account_are_as_pinned() {
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let peer = Peer::start().await;
    peer.add_actor("group", "Group").await;
    peer.add_actor("lemmy_alpha", "Person").await;
    peer.add_actor("mallory", "Person").await;
    let mut golden = Goldens::new(&s, &[(&peer, "peer.example")]);
    let group = peer.actor_id("group");

    // ana follows the peer's group, which announces a post of lemmy_alpha's.
    follows_peer_actor(&s, &ana, &peer, "group").await;
    let post_ap = format!("{}/post/7", peer.base());
    let create = json!({
        "id": peer.activity_id("create"), "type": "Create",
        "actor": peer.actor_id("lemmy_alpha"), "to": [PUBLIC], "cc": [group], "audience": group,
        "object": {"id": post_ap, "type": "Page", "attributedTo": peer.actor_id("lemmy_alpha"),
            "to": [group, PUBLIC], "audience": group, "name": "Miracle cure",
            "content": "<p>Buy now</p>", "published": "2026-03-01T10:00:00Z"},
    });
    let announce = json!({
        "@context": AS, "id": peer.activity_id("announce"), "type": "Announce",
        "actor": group, "to": [PUBLIC], "cc": [format!("{group}/followers")], "object": create,
    });
    deliver(&s, &peer, "/inbox", &announce, "group").await;
    let listed = format!(
        "/api/v1/posts?community={}",
        enc(&format!("!group@{}", peer.domain()))
    );
    let post_id = eventually(WAIT, "the group's post to be listed", || async {
        let (_, list) = s.get(&listed, Some(&ana)).await;
        list.as_array()?
            .iter()
            .find(|p| p["ap_id"] == post_ap.as_str())
            .and_then(|p| p["id"].as_i64())
    })
    .await;

    // ana reports the post (to the community) and mallory (to mallory's server).
    let (status, body) = s
        .post(
            "/api/v1/reports",
            Some(&ana),
            json!({"post_id": post_id, "reason": "Health misinformation", "forward": true}),
        )
        .await;
    ok(status, &body, StatusCode::CREATED);
    let flag = sent(&peer, "the Flag to the community", |a| {
        is(a, "Flag") && a["to"] == json!([group])
    })
    .await;
    golden.check("flag_to_community", &flag);
    let (status, body) = s
        .post(
            "/api/v1/reports",
            Some(&ana),
            json!({"person": peer.actor_id("mallory"), "reason": "Harassing messages", "forward": true}),
        )
        .await;
    ok(status, &body, StatusCode::CREATED);
    let flag = sent(&peer, "the Flag to mallory's server", |a| {
        is(a, "Flag") && a["to"] == json!([peer.actor_id("mallory")])
    })
    .await;
    golden.check("flag_to_person_server", &flag);

    // ana deletes her account: the group's server, which knows her, is told.
    let (status, body) = s
        .call(
            Method::DELETE,
            "/api/v1/accounts/me",
            Some(&ana),
            Some(json!({"password": password_of("ana")})),
        )
        .await;
    ok(status, &body, StatusCode::NO_CONTENT);
    let ana_id = person(&s, "ana");
    let delete = sent(&peer, "the Delete of ana", |a| {
        is(a, "Delete") && a["object"] == ana_id.as_str()
    })
    .await;
    golden.check("person_delete", &delete);
    golden.finish();
}

// ---------------------------------------------------------------------------------------
// Content not for everyone.

#[tokio::test]
async fn members_only_and_private_content_is_announced_to_members_servers_as_pinned() {
    let (s, mira) = copse_with_nursing(json!({"join_policy": "open"})).await;
    let (status, space) = s
        .post(
            "/api/v1/communities/nursing/spaces",
            Some(&mira),
            json!({"slug": "staff", "title": "Staff room", "audience": "members"}),
        )
        .await;
    ok(status, &space, StatusCode::CREATED);
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "circle", "title": "Practice circle"}),
        )
        .await;
    ok(status, &body, StatusCode::CREATED);
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/circle",
            Some(&mira),
            Some(json!({"visibility": "private", "join_policy": "approval"})),
        )
        .await;
    ok(status, &body, StatusCode::OK);
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    let mut golden = Goldens::new(&s, &[(&peer, "peer.example")]);
    let alice = peer.actor_id("alice");

    // alice joins both: !nursing at once, !circle once approved.
    for name in ["nursing", "circle"] {
        let join = peer_activity(&peer, "Join", "alice", json!(community(&s, name)));
        deliver(&s, &peer, &format!("/c/{name}/inbox"), &join, "alice").await;
        if name == "circle" {
            let handle = format!("@alice@{}", peer.domain());
            let id = membership_id(&s, &mira, "circle", &handle, "pending").await;
            let path = format!("/api/v1/communities/circle/members/{id}/approve");
            let (status, body) = s.post(&path, Some(&mira), json!({})).await;
            ok(status, &body, StatusCode::OK);
        }
        sent(&peer, "the Accept of alice's Join", |a| {
            is(a, "Accept") && a["object"]["id"] == join["id"]
        })
        .await;
    }

    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "space": "staff", "title": "Rota swaps", "body": "Members only."}),
        )
        .await;
    ok(status, &post, StatusCode::CREATED);
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let announced = sent(&peer, "the members-only post", |a| {
        announce_of(a, "Create") && a["object"]["object"]["id"] == post_ap.as_str()
    })
    .await;
    assert_eq!(announced["cc"], json!([alice]), "{announced}");
    golden.check("members_only_announce", &announced);

    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{}/comments", post["id"]),
            Some(&mira),
            json!({"body": "Swap board is by the door."}),
        )
        .await;
    ok(status, &comment, StatusCode::CREATED);
    let comment_ap = comment["ap_id"].as_str().unwrap().to_string();
    let announced = sent(&peer, "the members-only comment", |a| {
        announce_of(a, "Create") && a["object"]["object"]["id"] == comment_ap.as_str()
    })
    .await;
    golden.check("members_only_comment_announce", &announced);

    // alice answers under the members-only post: passed on to the members' servers.
    let nursing = community(&s, "nursing");
    let reply = json!({
        "@context": AS,
        "id": peer.activity_id("create"),
        "type": "Create",
        "actor": alice,
        "to": [format!("{nursing}/members")],
        "cc": [nursing],
        "audience": nursing,
        "object": {
            "id": format!("{}/comment/alice-1", peer.base()),
            "type": "Note",
            "attributedTo": alice,
            "to": [format!("{nursing}/members")],
            "cc": [nursing],
            "audience": nursing,
            "inReplyTo": post_ap,
            "content": "<p>I can take Tuesday.</p>",
            "mediaType": "text/html",
            "published": "2026-03-02T09:00:00Z",
        },
    });
    deliver(&s, &peer, "/c/nursing/inbox", &reply, "alice").await;
    let relayed = sent(&peer, "alice's comment passed on", |a| {
        announce_of(a, "Create") && a["object"]["id"] == reply["id"]
    })
    .await;
    golden.check("members_only_relayed_announce", &relayed);

    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "circle", "title": "Case review", "body": "Private."}),
        )
        .await;
    ok(status, &post, StatusCode::CREATED);
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let announced = sent(&peer, "the private community's post", |a| {
        announce_of(a, "Create") && a["object"]["object"]["id"] == post_ap.as_str()
    })
    .await;
    golden.check("private_community_announce", &announced);

    // Nothing members-only is addressed to the public.
    let public: Vec<Value> = posted(&peer)
        .into_iter()
        .filter(|a| is(a, "Announce") && a.to_string().contains(PUBLIC))
        .collect();
    assert!(public.is_empty(), "{public:?}");
    golden.finish();
}

// ---------------------------------------------------------------------------------------
// The files and the normaliser themselves.

#[test]
fn files_on_disk_are_exactly_those_the_tests_pin() {
    let mut on_disk: Vec<String> = std::fs::read_dir(GOLDEN_DIR)
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    let mut listed: Vec<String> = FILES.iter().map(|(f, _)| format!("{f}.json")).collect();
    listed.sort();
    let mut unique = listed.clone();
    unique.dedup();
    assert_eq!(unique, listed, "FILES names a file twice");
    if updating() {
        return;
    }
    assert_eq!(
        on_disk, listed,
        "tests/golden/ holds other files than FILES lists (a file without its test, or a test \
         whose file was never written: run with {UPDATE_VAR}=1)"
    );
}

#[test]
fn normalisation_hides_what_varies_between_runs_and_nothing_else() {
    let norm = |copse: &str, peer: &str| {
        Normaliser::default()
            .host(copse, "copse.example")
            .host(peer, "peer.example")
    };
    let doc = |copse: &str, peer: &str, token: &str, kind: &str, to: &str| {
        json!({
            "id": format!("http://{copse}/activities/like/{token}"),
            "type": kind,
            "actor": format!("http://{copse}/u/mira"),
            "object": format!("http://{peer}/post/1"),
            "to": [to],
            "published": "2026-03-01T10:00:00.123456Z",
            "handle": format!("@mira@{copse}"),
        })
    };
    // Two runs: other ports, tokens and times; one copse port the prefix of the other's.
    let first = norm("127.0.0.1:4000", "127.0.0.1:5000").normalise(&doc(
        "127.0.0.1:4000",
        "127.0.0.1:5000",
        "Ab-_9x",
        "Like",
        PUBLIC,
    ));
    let mut second_doc = doc(
        "127.0.0.1:40001",
        "127.0.0.1:5001",
        "zz_Q-1",
        "Like",
        PUBLIC,
    );
    second_doc["published"] = json!("2027-01-01T00:00:00+02:00");
    let second = norm("127.0.0.1:40001", "127.0.0.1:5001").normalise(&second_doc);
    assert_eq!(first, second);
    assert_eq!(first["id"], "https://copse.example/activities/like/TOKEN");
    assert_eq!(first["object"], "https://peer.example/post/1");
    assert_eq!(first["handle"], "@mira@copse.example");
    assert_eq!(first["published"], "TIMESTAMP");
    assert!(verdict("example", &first, &second).is_ok());

    // A different type or addressing stays different, and the check says so.
    let n = norm("127.0.0.1:4000", "127.0.0.1:5000");
    let dislike = n.normalise(&doc(
        "127.0.0.1:4000",
        "127.0.0.1:5000",
        "Ab",
        "Dislike",
        PUBLIC,
    ));
    let followers = n.normalise(&doc(
        "127.0.0.1:4000",
        "127.0.0.1:5000",
        "Ab",
        "Like",
        "http://127.0.0.1:4000/c/nursing/followers",
    ));
    for other in [&dislike, &followers] {
        assert_ne!(&first, other);
        let err = verdict("example", &first, other).unwrap_err();
        assert!(err.contains(UPDATE_VAR), "{err}");
    }
    assert!(
        verdict("example", &first, &dislike)
            .unwrap_err()
            .contains("/type")
    );
    assert!(
        verdict("example", &first, &followers)
            .unwrap_err()
            .contains("/to/0")
    );
    // The peer is not copse: its ids keep their tail, an unknown server its address.
    assert_eq!(
        n.string("http://127.0.0.1:5000/activities/follow/3"),
        "https://peer.example/activities/follow/3"
    );
    assert_eq!(
        n.string("http://127.0.0.1:6000/u/x"),
        "http://127.0.0.1:6000/u/x"
    );
    assert_eq!(n.string("not a date: 2026-03-01"), "not a date: 2026-03-01");
    // The golden file of a real activity fails on a changed field.
    if updating() {
        return;
    }
    let mut golden: Value =
        serde_json::from_str(&std::fs::read_to_string(golden_path("follow")).unwrap()).unwrap();
    assert!(compare("follow", &golden, false).is_ok());
    golden["type"] = json!("Unfollow");
    let err = compare("follow", &golden, false).unwrap_err();
    assert!(err.contains("/type") && err.contains("Unfollow"), "{err}");
}
