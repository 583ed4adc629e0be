//! Faults a hostile walk found, each pinned: control characters at the door, identical
//! requests at once, removed content on the public web, what members see of applications, a
//! private community's welcome, bans that stop people coming back, a database that is not
//! the one expected, and errors that say nothing of the server's insides.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::peer::Peer;

async fn with_nursing(settings: Value) -> (TestServer, String) {
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
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(settings),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (s, mira)
}

async fn raw_get(s: &TestServer, path: &str, accept: &str) -> (StatusCode, String) {
    let res = reqwest::Client::new()
        .get(s.url(path))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// POSTs a raw JSON text (which `serde_json` would not write with a NUL escape itself).
async fn raw_post(s: &TestServer, path: &str, token: Option<&str>, body: &str) -> StatusCode {
    let mut req = reqwest::Client::new()
        .post(s.url(path))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn a_nul_in_a_path_a_query_or_a_body_is_a_clear_400_on_both_backends() {
    let (s, mira) = with_nursing(json!({})).await;
    for path in ["/c/%00", "/u/a%00b", "/api/v1/posts?community=nurs%00ing"] {
        let (status, body) = raw_get(&s, path, "application/json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(body.contains("invalid_request"), "{path}: {body}");
    }
    let login = r#"{"username":"mi\u0000ra","password":"x"}"#;
    assert_eq!(
        raw_post(&s, "/api/v1/auth/login", None, login).await,
        StatusCode::BAD_REQUEST
    );
    let post = r#"{"community":"nursing","title":"a\u0000b"}"#;
    assert_eq!(
        raw_post(&s, "/api/v1/posts", Some(&mira), post).await,
        StatusCode::BAD_REQUEST
    );
    // Written about, not written: an escaped backslash before `u0000` is text.
    let post = r#"{"community":"nursing","title":"The \\u0000 escape"}"#;
    assert_eq!(
        raw_post(&s, "/api/v1/posts", Some(&mira), post).await,
        StatusCode::CREATED
    );
    // An activity with a NUL is refused before anything else.
    let peer = Peer::start().await;
    peer.add_actor("bob", "Person").await;
    let mut note = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": peer.activity_id("create"), "type": "Create", "actor": peer.actor_id("bob"),
        "object": {"id": format!("{}/note/1", peer.base()), "type": "Note",
            "attributedTo": peer.actor_id("bob"), "content": "NULMARK"}});
    note["to"] = json!(["https://www.w3.org/ns/activitystreams#Public"]);
    let text = note.to_string().replace("NULMARK", "a\\u0000b");
    let status = reqwest::Client::new()
        .post(s.url("/inbox"))
        .header("content-type", "application/activity+json")
        .body(text)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn identical_joins_at_once_make_one_membership_and_no_server_error() {
    let (s, _mira) = with_nursing(json!({"join_policy": "open"})).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let mut joins = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (url, token) = (s.url("/api/v1/memberships"), ana.clone());
        joins.spawn(async move {
            let res = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"community": "nursing"}))
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        });
    }
    while let Some(answer) = joins.join_next().await {
        let (status, body) = answer.unwrap();
        assert!(!status.is_server_error(), "{status} {body}");
    }
    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&ana))
        .await;
    let ana_rows = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["member"]
                .as_str()
                .unwrap_or_default()
                .starts_with("@ana@")
        })
        .count();
    assert_eq!(ana_rows, 1, "{members}");
}

#[tokio::test]
async fn a_removed_post_is_gone_from_the_web_and_the_log_keeps_no_text() {
    let (s, mira) = with_nursing(json!({})).await;
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Patient J.D., bed 4", "body": "details"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let path = format!("/post/{}", post["id"]);
    let (status, page) = raw_get(&s, &path, "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Patient J.D."));
    let (status, body) = s
        .post(
            &format!("/api/v1/posts/{}/remove", post["id"]),
            Some(&mira),
            json!({"reason": "identifies a patient"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, page) = raw_get(&s, &path, "text/html").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(!page.contains("Patient J.D."), "{page}");
    let (_, log) = s.get("/api/v1/modlog?community=nursing", None).await;
    assert!(!log.to_string().contains("Patient"), "{log}");
    assert_eq!(log["items"][0]["reason"], "identifies a patient", "{log}");
}

#[tokio::test]
async fn application_answers_are_for_moderators_and_a_private_welcome_for_members() {
    let (s, mira) = with_nursing(json!({
        "visibility": "private",
        "join_policy": "approval",
        "member_list_public": true,
        "questions": [{"question": "Your registration number?", "required": true}],
        "welcome_message": "The door code is 4711.",
    }))
    .await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": "nursing", "answers": ["RN 1234567"]}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, apps) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    assert!(apps.to_string().contains("RN 1234567"), "moderators see it");
    let id = apps[0]["id"].clone();
    s.post(
        &format!("/api/v1/communities/nursing/members/{id}/approve"),
        Some(&mira),
        json!({}),
    )
    .await;
    s.create_user("ben", false).await;
    let ben = s.login("ben").await;
    s.post(
        "/api/v1/memberships",
        Some(&ben),
        json!({"community": "nursing", "answers": ["RN 7654321"]}),
    )
    .await;
    let ben_app = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await
        .1[0]["id"]
        .clone();
    s.post(
        &format!("/api/v1/communities/nursing/members/{ben_app}/approve"),
        Some(&mira),
        json!({}),
    )
    .await;
    // A fellow member sees the list, not what ana answered.
    let (status, members) = s
        .get("/api/v1/communities/nursing/members", Some(&ben))
        .await;
    assert_eq!(status, StatusCode::OK, "{members}");
    assert!(!members.to_string().contains("RN 1234567"), "{members}");
    // The welcome is for members.
    let (_, shown) = s.get("/api/v1/communities/nursing", None).await;
    assert!(shown["welcome_message"].is_null(), "{shown}");
    let (_, shown) = s.get("/api/v1/communities/nursing", Some(&ben)).await;
    assert_eq!(shown["welcome_message"], "The door code is 4711.");
}

#[tokio::test]
async fn a_banned_person_cannot_apply_follow_or_be_let_in_until_the_ban_is_lifted() {
    let (s, mira) = with_nursing(json!({"join_policy": "approval"})).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": "nursing"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, apps) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    let app_id = apps[0]["id"].clone();
    let ana_actor = format!("http://{}/u/ana", s.domain());
    let (status, ban) = s
        .post(
            "/api/v1/communities/nursing/bans",
            Some(&mira),
            json!({"person": ana_actor, "reason": "harassment"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ban}");
    // The ban ended the application made before it.
    let (status, body) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{app_id}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": "nursing"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");
    let (status, body) = s
        .post(
            "/api/v1/follows",
            Some(&ana),
            json!({"target": format!("!nursing@{}", s.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // A person of another server, banned, is refused the same way.
    let peer = Peer::start().await;
    peer.add_actor("bob", "Person").await;
    let (status, body) = s
        .post(
            "/api/v1/communities/nursing/bans",
            Some(&mira),
            json!({"person": peer.actor_id("bob"), "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let community = format!("http://{}/c/nursing", s.domain());
    for kind in ["Join", "Follow"] {
        let activity = json!({"@context": "https://www.w3.org/ns/activitystreams",
            "id": peer.activity_id(kind), "type": kind, "actor": peer.actor_id("bob"),
            "object": community});
        let (status, body) = peer.deliver(&s, "/c/nursing/inbox", &activity, "bob").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{kind}: {body}");
    }
    // Someone banned from the instance while their application waits is not let in.
    s.create_user("ben", false).await;
    let ben = s.login("ben").await;
    s.post(
        "/api/v1/memberships",
        Some(&ben),
        json!({"community": "nursing"}),
    )
    .await;
    let (_, apps) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    let ben_app = apps[0]["id"].clone();
    s.create_user("odile", true).await;
    let odile = s.login("odile").await;
    let (status, body) = s
        .post(
            "/api/v1/admin/bans",
            Some(&odile),
            json!({"person": format!("http://{}/u/ben", s.domain()), "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{ben_app}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "banned");

    let (_, notes) = s.get("/api/v1/notifications", Some(&mira)).await;
    let applications = notes
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "application")
        .count();
    assert_eq!(
        applications, 2,
        "ana's and ben's, none from the banned: {notes}"
    );
}

#[tokio::test]
async fn healthz_fails_when_the_database_is_not_the_one_expected() {
    let s = TestServer::start().await;
    let (status, _) = s.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    // As if the database had been swapped for an older one under the running server.
    s.app
        .db
        .run(|c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(
                "DELETE FROM __diesel_schema_migrations WHERE version = \
                 (SELECT MAX(version) FROM __diesel_schema_migrations)",
            )
            .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, body) = s.get("/healthz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

#[tokio::test]
async fn an_unavailable_database_is_reported_without_its_address() {
    use axum::response::IntoResponse;
    let err = copse::Error::new(
        copse::ErrorCode::DatabaseUnavailable,
        "cannot connect to the database postgres://copse@db.internal:5432/copse",
    );
    let response = err.into_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = axum::body::to_bytes(response.into_body(), 10_000)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("database_unavailable"), "{text}");
    assert!(!text.contains("db.internal"), "{text}");
}

#[tokio::test]
async fn a_content_warning_is_escaped_in_activitypub() {
    let (s, mira) = with_nursing(json!({})).await;
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Case", "content_warning": "<b>graphic</b> & raw"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let (status, page) = raw_get(
        &s,
        &format!("/post/{}", post["id"]),
        "application/activity+json",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let page: Value = serde_json::from_str(&page).unwrap();
    assert_eq!(
        page["summary"], "&lt;b&gt;graphic&lt;/b&gt; &amp; raw",
        "{page}"
    );
}

#[tokio::test]
async fn the_same_report_sent_many_times_at_once_is_filed_once() {
    let (s, mira) = with_nursing(json!({})).await;
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Cheap pills"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let mut reports = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (url, token, post_id) = (s.url("/api/v1/reports"), ana.clone(), post["id"].clone());
        reports.spawn(async move {
            let res = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"post_id": post_id, "reason": "spam"}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            (status, body)
        });
    }
    let mut ids = Vec::new();
    while let Some(answer) = reports.join_next().await {
        let (status, body) = answer.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
        ids.push(body["id"].clone());
    }
    ids.dedup();
    assert_eq!(
        ids.len(),
        1,
        "one report, returned to every request: {ids:?}"
    );
    let (_, queue) = s
        .get("/api/v1/reports?community=nursing", Some(&mira))
        .await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 1, "{queue}");
}

/// Sends the same POST `n` times at once; every answer, in the order they came back.
async fn at_once(
    s: &TestServer,
    path: &str,
    token: &str,
    body: Value,
    n: usize,
) -> Vec<(StatusCode, Value)> {
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (url, token, body) = (s.url(path), token.to_string(), body.clone());
        calls.spawn(async move {
            let res = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = calls.join_next().await {
        answers.push(answer.unwrap());
    }
    answers
}

/// Each answer is a success or the refusal a request sent a moment later would get: never a
/// server error, never "concurrent change".
fn as_if_one_after_another(what: &str, answers: &[(StatusCode, Value)], refusal: Option<&str>) {
    for (status, body) in answers {
        let ok = status.is_success() || refusal.is_some_and(|code| body["error"]["code"] == code);
        assert!(ok, "{what}: {status} {body}");
    }
}

#[tokio::test]
async fn identical_applications_bans_credentials_votes_and_follows_at_once_make_one_record() {
    let (s, mira) = with_nursing(json!({"join_policy": "approval"})).await;
    for name in ["ana", "bob"] {
        s.create_user(name, false).await;
    }
    let (ana, bob) = (s.login("ana").await, s.login("bob").await);

    let answers = at_once(
        &s,
        "/api/v1/memberships",
        &ana,
        json!({"community": "nursing"}),
        20,
    )
    .await;
    as_if_one_after_another("applications", &answers, Some("application_pending"));
    assert_eq!(
        answers.iter().filter(|(st, _)| st.is_success()).count(),
        1,
        "{answers:?}"
    );

    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    let application = pending[0]["id"].as_i64().expect("one application");
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    let (status, body) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{application}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");

    let path = format!("/api/v1/communities/nursing/members/{application}/credentials");
    let answers = at_once(&s, &path, &mira, json!({"name": "Registered nurse"}), 20).await;
    as_if_one_after_another("credentials", &answers, None);
    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&mira))
        .await;
    let ana_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"].as_i64() == Some(application))
        .cloned()
        .unwrap();
    assert_eq!(
        ana_row["credentials"].as_array().unwrap().len(),
        1,
        "{ana_row}"
    );

    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Handover checklists"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let path = format!("/api/v1/posts/{}/vote", post["id"]);
    let answers = at_once(&s, &path, &ana, json!({"value": 1}), 20).await;
    as_if_one_after_another("votes", &answers, None);
    let (_, tally) = s.post(&path, Some(&ana), json!({"value": 1})).await;
    assert!(
        answers
            .iter()
            .all(|(_, t)| t["upvotes"] == tally["upvotes"]),
        "{answers:?}"
    );

    let target = format!("!nursing@{}", s.app.config.domain);
    let answers = at_once(&s, "/api/v1/follows", &bob, json!({"target": target}), 20).await;
    as_if_one_after_another("follows", &answers, None);
    let (_, follows) = s.get("/api/v1/follows", Some(&bob)).await;
    assert_eq!(follows.as_array().unwrap().len(), 1, "{follows}");

    let answers = at_once(
        &s,
        "/api/v1/communities/nursing/bans",
        &mira,
        json!({"person": "bob", "reason": "spam"}),
        20,
    )
    .await;
    as_if_one_after_another("bans", &answers, None);
    let (_, bans) = s.get("/api/v1/communities/nursing/bans", Some(&mira)).await;
    assert_eq!(bans.as_array().unwrap().len(), 1, "{bans}");
}
