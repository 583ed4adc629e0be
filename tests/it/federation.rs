//! Several copse servers in this process, on loopback ports, federating with each other.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(15);

/// A server with a community `nursing` moderated by `mod`.
async fn community_server() -> TestServer {
    let a = TestServer::federating(&[]).await;
    a.create_user("mira", false).await;
    let token = a.login("mira").await;
    let (status, body) = a
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    a
}

/// A server with one user, signed in; returns it and the user's token.
async fn user_server(name: &str) -> (TestServer, String) {
    let s = TestServer::federating(&[]).await;
    s.create_user(name, false).await;
    let token = s.login(name).await;
    (s, token)
}

async fn followers_of_nursing(a: &TestServer) -> i64 {
    let (status, body) = a.get("/api/v1/communities/nursing", None).await;
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

#[tokio::test]
async fn a_copse_user_finds_a_community_on_another_copse_by_its_handle() {
    let a = community_server().await;
    let (b, token) = user_server("ana").await;
    let handle = format!("!nursing@{}", a.domain());
    let (status, view) = b
        .get(
            &format!("/api/v1/resolve?q={}", urlencode(&handle)),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["kind"], "community");
    assert_eq!(view["local"], false);
    assert_eq!(view["handle"], handle);
    assert_eq!(view["display_name"], "Nursing practice");
    assert_eq!(view["actor_id"], format!("http://{}/c/nursing", a.domain()));
    assert_eq!(view["followers"], 0, "the count A publishes");

    // The same actor by URL and by the person form of its owner.
    let (status, by_url) = b
        .get(
            &format!(
                "/api/v1/resolve?q={}",
                urlencode(view["actor_id"].as_str().unwrap())
            ),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_url}");
    assert_eq!(by_url["actor_id"], view["actor_id"]);
    let (status, person) = b
        .get(
            &format!("/api/v1/resolve?q=%40mira%40{}", a.domain()),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{person}");
    assert_eq!(person["kind"], "person");
}

#[tokio::test]
async fn a_copse_user_follows_a_community_on_another_copse_and_is_accepted_then_unfollows() {
    let a = community_server().await;
    let (b, token) = user_server("ana").await;
    let (status, follow) = b
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": format!("!nursing@{}", a.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    let id = follow["id"].as_i64().unwrap();
    assert_eq!(
        follow["target"]["handle"],
        format!("!nursing@{}", a.domain())
    );

    // A accepts at once; B learns it from A's Accept.
    eventually(WAIT, "the Accept to reach B", || async {
        (follow_state(&b, &token, id).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
    assert_eq!(followers_of_nursing(&a).await, 1);
    let (_, collection) = a.get("/c/nursing/followers", None).await;
    assert_eq!(collection["totalItems"], 1);
    assert_eq!(collection["type"], "OrderedCollection");

    // Unfollow: B forgets at once, A when the Undo arrives.
    let (status, _) = b
        .call(
            Method::DELETE,
            &format!("/api/v1/follows/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(follow_state(&b, &token, id).await, None);
    eventually(WAIT, "the Undo to reach A", || async {
        (followers_of_nursing(&a).await == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn users_of_two_servers_follow_a_community_on_a_third_and_each_other() {
    let a = community_server().await;
    let (b, token_b) = user_server("ana").await;
    let (c, token_c) = user_server("bob").await;
    for (s, token) in [(&b, &token_b), (&c, &token_c)] {
        let (status, body) = s
            .post(
                "/api/v1/follows",
                Some(token),
                json!({"target": format!("!nursing@{}", a.domain())}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    eventually(WAIT, "both follows accepted on A", || async {
        (followers_of_nursing(&a).await == 2).then_some(())
    })
    .await;

    // bob on C follows ana on B: people can be followed too.
    let (status, follow) = c
        .post(
            "/api/v1/follows",
            Some(&token_c),
            json!({"target": format!("@ana@{}", b.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    assert_eq!(follow["target"]["kind"], "person");
    let id = follow["id"].as_i64().unwrap();
    eventually(WAIT, "ana's server to accept bob", || async {
        (follow_state(&c, &token_c, id).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
    let (_, ana_followers) = b.get("/u/ana/followers", None).await;
    assert_eq!(ana_followers["totalItems"], 1);
    // Lists of followers are not published, only their number.
    assert!(ana_followers.get("orderedItems").is_none());
}

#[tokio::test]
async fn following_something_that_does_not_exist_or_cannot_be_reached_fails_clearly() {
    let a = community_server().await;
    let (b, token) = user_server("ana").await;
    let cases = [
        (
            format!("!nobody@{}", a.domain()),
            StatusCode::NOT_FOUND,
            "fetch_not_found",
        ),
        // A port nothing listens on (the discard port on loopback).
        (
            "!nursing@127.0.0.1:9".to_string(),
            StatusCode::SERVICE_UNAVAILABLE,
            "fetch_failed",
        ),
        (
            "not a handle".to_string(),
            StatusCode::BAD_REQUEST,
            "handle_invalid",
        ),
        (
            format!("@ana@{}", b.domain()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot_follow_self",
        ),
    ];
    for (target, status, code) in cases {
        let (got, body) = b
            .post("/api/v1/follows", Some(&token), json!({"target": target}))
            .await;
        assert_eq!(got, status, "{target}: {body}");
        assert_eq!(body["error"]["code"], code, "{target}");
    }
    let (_, list) = b.get("/api/v1/follows", Some(&token)).await;
    assert_eq!(
        list,
        Value::Array(vec![]),
        "failed follows leave nothing behind"
    );
    assert_eq!(followers_of_nursing(&a).await, 0);

    let (status, body) = b.get("/api/v1/resolve?q=x%40y.example", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn a_local_follow_is_accepted_at_once_and_counted() {
    let a = community_server().await;
    a.create_user("ana", false).await;
    let token = a.login("ana").await;
    let (status, follow) = a
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": "!nursing@".to_string() + &a.domain()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    assert_eq!(follow["state"], "accepted");
    assert_eq!(follow["target"]["local"], true);
    assert_eq!(followers_of_nursing(&a).await, 1);
    // Following twice is the same follow.
    let (_, again) = a
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": format!("http://{}/c/nursing", a.domain())}),
        )
        .await;
    assert_eq!(again["id"], follow["id"]);
    assert_eq!(followers_of_nursing(&a).await, 1);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn under_authorized_fetch_only_signed_fetches_read_actors_and_peers_still_federate() {
    let a = TestServer::federating(&[("COPSE_FEDERATION_AUTHORIZED_FETCH", "true")]).await;
    a.create_user("mira", false).await;
    let token = a.login("mira").await;
    let (status, _) = a
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // An unsigned fetch of ActivityPub JSON is refused; a browser still gets the page, and
    // the instance actor stays readable.
    let json_get = |path: &str| {
        a.client
            .get(a.url(path))
            .header("Accept", "application/activity+json")
            .send()
    };
    let refused = json_get("/c/nursing").await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "signature_missing");
    assert_eq!(
        json_get("/c/nursing/followers").await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(json_get("/actor").await.unwrap().status(), StatusCode::OK);
    let page = a.client.get(a.url("/c/nursing")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Another copse signs its fetches as its instance actor, so it can follow.
    let (b, token_b) = user_server("ana").await;
    let (status, follow) = b
        .post(
            "/api/v1/follows",
            Some(&token_b),
            json!({"target": format!("!nursing@{}", a.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    let id = follow["id"].as_i64().unwrap();
    eventually(WAIT, "the follow to be accepted", || async {
        (follow_state(&b, &token_b, id).await.as_deref() == Some("accepted")).then_some(())
    })
    .await;
}
