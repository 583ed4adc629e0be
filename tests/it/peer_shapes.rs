//! What each follower server receives, by the software it runs (learnt from its NodeInfo):
//! Lemmy the announced activity and never a bare Page (it refuses one), a microblogging
//! server the post as a bare Article (it ignores announced activities), a server of unknown
//! software both; members-only content never to Lemmy before 1.0, which refuses it.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::peer::Peer;
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);
const AS: &str = "https://www.w3.org/ns/activitystreams";

/// A peer that says, in its NodeInfo, that it runs `software` (`None`: offers no NodeInfo).
async fn peer_running(software: Option<(&str, &str)>) -> Peer {
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    if let Some((name, version)) = software {
        let base = peer.base();
        peer.serve(
            &format!("{base}/.well-known/nodeinfo"),
            json!({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": format!("{base}/nodeinfo/2.1")}]}),
        );
        peer.serve(
            &format!("{base}/nodeinfo/2.1"),
            json!({"version": "2.1", "software": {"name": name, "version": version},
                "protocols": ["activitypub"]}),
        );
    }
    peer
}

/// `alice` on `peer` sends `kind` (Follow or Join) to `nursing`, and it is accepted.
async fn alice_sends(s: &TestServer, peer: &Peer, kind: &str) {
    let activity = json!({"@context": AS, "id": peer.activity_id(kind), "type": kind,
        "actor": peer.actor_id("alice"), "object": format!("http://{}/c/nursing", s.domain())});
    let (status, body) = peer
        .deliver(s, "/c/nursing/inbox", &activity, "alice")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    eventually(WAIT, "the community's Accept", || async {
        peer.received("Accept")
            .into_iter()
            .filter_map(|r| r.json())
            .find(|a| a["object"]["id"] == activity["id"] || a["object"] == activity["id"])
    })
    .await;
}

/// Waits until copse knows what the server of `peer` runs (or that it cannot tell).
async fn learnt(s: &TestServer, peer: &Peer) {
    use copse::db::schema::peer_software;
    use diesel::prelude::*;
    let domain = peer.domain();
    eventually(WAIT, "the peer's software learnt", || async {
        let domain = domain.clone();
        let known: i64 = s
            .app
            .db
            .run(move |c| {
                Ok(peer_software::table
                    .filter(peer_software::domain.eq(domain))
                    .count()
                    .get_result(c)?)
            })
            .await
            .unwrap();
        (known == 1).then_some(())
    })
    .await;
}

/// The types of what `peer` was announced, with the announced activity's object type:
/// `Create(Page)`, `Page`, `Article`.
fn announced(peer: &Peer) -> Vec<String> {
    peer.received("Announce")
        .into_iter()
        .filter_map(|r| r.json())
        .map(|a| {
            let object = &a["object"];
            match object["object"]["type"].as_str() {
                Some(inner) => format!("{}({inner})", object["type"].as_str().unwrap_or("")),
                None => object["type"].as_str().unwrap_or("").to_string(),
            }
        })
        .collect()
}

#[tokio::test]
async fn each_follower_server_gets_the_shapes_its_software_takes() {
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
    let (status, body) = s
        .post(
            "/api/v1/communities/nursing/spaces",
            Some(&mira),
            json!({"slug": "staff", "title": "Staff room", "audience": "members"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let lemmy = peer_running(Some(("lemmy", "0.19.20"))).await;
    let lemmy_one = peer_running(Some(("lemmy", "1.0.0-beta.1"))).await;
    let mastodon = peer_running(Some(("mastodon", "4.5.0"))).await;
    let unknown = peer_running(None).await;
    for peer in [&lemmy, &lemmy_one, &mastodon, &unknown] {
        alice_sends(&s, peer, "Follow").await;
        alice_sends(&s, peer, "Join").await;
        learnt(&s, peer).await;
    }

    let (status, body) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Rota for March"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    crate::support::drained(&s).await;
    assert_eq!(announced(&lemmy), ["Create(Page)"], "no bare Page to Lemmy");
    assert_eq!(announced(&lemmy_one), ["Create(Page)"]);
    assert_eq!(announced(&mastodon), ["Article"], "a post Mastodon shows");
    let mut both = announced(&unknown);
    both.sort();
    assert_eq!(both, ["Create(Page)", "Page"], "unknown: every shape");

    // Members only: to the members' servers that can carry it, never Lemmy 0.19.
    let (status, body) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "space": "staff", "title": "Swaps", "body": "Members only."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    crate::support::drained(&s).await;
    let count = |peer: &Peer| announced(peer).len();
    assert_eq!(
        count(&lemmy),
        1,
        "nothing private to Lemmy 0.19: {:?}",
        announced(&lemmy)
    );
    assert_eq!(count(&lemmy_one), 2, "{:?}", announced(&lemmy_one));
    assert_eq!(count(&unknown), 3, "{:?}", announced(&unknown));
    let sent: Vec<Value> = lemmy_one
        .received("Announce")
        .into_iter()
        .filter_map(|r| r.json())
        .collect();
    assert!(
        !sent[1].to_string().contains("#Public"),
        "members-only content never says it is public: {}",
        sent[1]
    );
}
