//! Federation policy between three copse servers in this process: A blocks B and keeps
//! federating with C; in allowlist mode A federates with C only.

use std::time::Duration;

use copse::federation::remote::signed_fetch;
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(30);

/// A with the admin `rosa` and `mira`'s community `nursing`; returns A, rosa's and mira's tokens.
async fn home(env: &[(&str, &str)]) -> (TestServer, String, String) {
    let a = TestServer::federating(env).await;
    a.create_user("rosa", true).await;
    a.create_user("mira", false).await;
    let rosa = a.login("rosa").await;
    let mira = a.login("mira").await;
    let (status, body) = a
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (a, rosa, mira)
}

async fn elsewhere(name: &str) -> (TestServer, String) {
    let s = TestServer::federating(&[]).await;
    s.create_user(name, false).await;
    let token = s.login(name).await;
    (s, token)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn follow(s: &TestServer, token: &str, a: &TestServer) -> (StatusCode, Value) {
    s.post(
        "/api/v1/follows",
        Some(token),
        json!({"target": format!("!nursing@{}", a.domain())}),
    )
    .await
}

async fn followers(a: &TestServer) -> i64 {
    let (_, body) = a.get("/api/v1/communities/nursing", None).await;
    body["followers"].as_i64().unwrap()
}

async fn wait_followers(a: &TestServer, n: i64) {
    eventually(WAIT, &format!("{n} followers on A"), || async {
        (followers(a).await == n).then_some(())
    })
    .await;
}

/// Titles of A's `nursing` as server `s` lists it.
async fn titles(s: &TestServer, a: &TestServer) -> Vec<String> {
    let (status, list) = s
        .get(
            &format!(
                "/api/v1/posts?community={}",
                enc(&format!("!nursing@{}", a.domain()))
            ),
            None,
        )
        .await;
    if status != StatusCode::OK {
        return Vec::new();
    }
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect()
}

async fn drained(s: &TestServer) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let rows = s
            .app
            .db
            .run(|c| {
                use copse::db::schema::{deliveries, outgoing_activities};
                Ok(deliveries::table
                    .inner_join(outgoing_activities::table)
                    .select((
                        deliveries::inbox,
                        deliveries::attempts,
                        deliveries::last_error,
                        outgoing_activities::body,
                    ))
                    .load::<(String, i32, Option<String>, String)>(c)?)
            })
            .await
            .unwrap();
        if rows.is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the delivery queue did not drain: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn queued_for(a: &TestServer, domain: &str) -> i64 {
    let domain = domain.to_string();
    a.app
        .db
        .run(move |c| {
            use copse::db::schema::deliveries;
            Ok(deliveries::table
                .filter(deliveries::domain.eq(domain))
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

async fn a_post(a: &TestServer, token: &str, title: &str) {
    let (status, body) = a
        .post(
            "/api/v1/posts",
            Some(token),
            json!({"community": "nursing", "title": title, "body": "text"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_blocked_server_can_neither_follow_nor_post_and_receives_nothing_while_others_do() {
    let (a, rosa, mira) = home(&[("COPSE_FEDERATION_AUTHORIZED_FETCH", "true")]).await;
    let (b, ana) = elsewhere("ana").await;
    let (c, cai) = elsewhere("cai").await;
    for (s, token) in [(&b, &ana), (&c, &cai)] {
        let (status, body) = follow(s, token, &a).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    wait_followers(&a, 2).await;
    a_post(&a, &mira, "Before").await;
    eventually(WAIT, "the first post on B and C", || async {
        (titles(&b, &a).await == ["Before"] && titles(&c, &a).await == ["Before"]).then_some(())
    })
    .await;

    // A blocks B: B's follow is dropped at once.
    let (status, body) = a
        .call(
            Method::PUT,
            &format!("/api/v1/admin/domains/{}", b.domain()),
            Some(&rosa),
            Some(json!({"severity": "block", "public_comment": "harassment"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["follows_dropped"], 1, "{body}");
    assert_eq!(followers(&a).await, 1);

    // A's next post reaches C, and never B: nothing is even queued for B.
    a_post(&a, &mira, "After").await;
    assert_eq!(queued_for(&a, &b.domain()).await, 0);
    eventually(WAIT, "the second post on C", || async {
        titles(&c, &a)
            .await
            .contains(&"After".to_string())
            .then_some(())
    })
    .await;
    // (A's queue may still hold a retry for C: the Page and its Create arrive together.)
    assert_eq!(queued_for(&a, &b.domain()).await, 0);
    assert_eq!(titles(&b, &a).await, ["Before"], "B received nothing new");

    // B's people can neither post in A's community nor follow it again.
    let (status, body) = b
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": format!("!nursing@{}", a.domain()), "title": "Let me in"}),
        )
        .await;
    assert!(
        status.is_success() || status == StatusCode::FORBIDDEN,
        "{status} {body}"
    );
    let (_, list) = b.get("/api/v1/follows", Some(&ana)).await;
    let id = list[0]["id"].as_i64().unwrap();
    b.call(
        Method::DELETE,
        &format!("/api/v1/follows/{id}"),
        Some(&ana),
        None,
    )
    .await;
    let (status, body) = follow(&b, &ana, &a).await;
    assert!(
        status.is_success() || status == StatusCode::FORBIDDEN,
        "{status} {body}"
    );
    drained(&b).await;
    assert_eq!(followers(&a).await, 1);
    let (_, posts) = a.get("/api/v1/posts?community=nursing", None).await;
    assert!(
        !posts.to_string().contains("Let me in"),
        "nothing of B stored: {posts}"
    );

    // Under authorized fetch, B's signed GET gets 401; C's is served.
    let url = url::Url::parse(&a.url("/c/nursing")).unwrap();
    let err = signed_fetch::get(&b.app, &url).await.unwrap_err();
    assert!(err.message().contains("401"), "{err:?}");
    let fetched = signed_fetch::get(&c.app, &url).await.unwrap();
    assert_eq!(fetched.json["type"], "Group");
    // And A fetches nothing from B: resolving one of B's people is refused at once.
    let (status, body) = a
        .get(
            &format!("/api/v1/resolve?q={}", enc(&format!("@ana@{}", b.domain()))),
            Some(&mira),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "domain_blocked");

    // The public list names B with its comment.
    let (_, public) = a.get("/api/v1/instance/blocked-domains", None).await;
    assert_eq!(public[0]["domain"], b.domain());
    assert_eq!(public[0]["comment"], "harassment");
}

#[tokio::test]
async fn in_allowlist_mode_only_the_allowed_server_federates() {
    let (a, rosa, _) = home(&[]).await;
    let (b, ana) = elsewhere("ana").await;
    let (c, cai) = elsewhere("cai").await;

    let (status, body) = a
        .call(
            Method::PUT,
            "/api/v1/admin/federation-mode",
            Some(&rosa),
            Some(json!({"mode": "allowlist"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["warning"].as_str().unwrap().contains("nobody"),
        "{body}"
    );
    let (status, body) = a
        .call(
            Method::PUT,
            "/api/v1/admin/federation-mode",
            Some(&rosa),
            Some(json!({"mode": "sometimes"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
    let (status, body) = a
        .call(
            Method::PUT,
            &format!("/api/v1/admin/domains/{}", c.domain()),
            Some(&rosa),
            Some(json!({"allowed": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // B cannot even read A's community: A answers its signed fetch 401.
    let (status, body) = follow(&b, &ana, &a).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("401"),
        "{body}"
    );
    let (status, body) = follow(&c, &cai, &a).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    wait_followers(&a, 1).await;
    drained(&b).await;
    assert_eq!(followers(&a).await, 1, "only C's follow was accepted");
    let (_, list) = a.get("/api/v1/admin/domains", Some(&rosa)).await;
    assert_eq!(list["mode"], "allowlist");
    assert_eq!(list["domains"][0]["allowed"], true);
    let actions: Vec<String> = a
        .app
        .db
        .run(|c| {
            use copse::db::schema::mod_log;
            Ok(mod_log::table
                .order(mod_log::id.asc())
                .select(mod_log::action)
                .load::<String>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(actions, ["federation_mode", "allow_domain"]);
}
