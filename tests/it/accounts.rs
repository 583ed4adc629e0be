//! Accounts through the API: sign-up under each registration mode, approval, login with a
//! bearer token and a cookie, logout, and the refusals.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::json;

use crate::support::TestServer;

fn signup(name: &str) -> serde_json::Value {
    json!({"username": name, "email": format!("{name}@example.org"), "password": format!("{name}-long-password")})
}

#[tokio::test]
async fn with_open_registration_a_person_signs_up_logs_in_and_out() {
    let s = TestServer::start_with(&[("COPSE_REGISTRATION_MODE", "open")]).await;
    let (status, body) = s.post("/api/v1/accounts", None, signup("ana")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["account"]["username"], "ana");
    assert_eq!(body["account"]["status"], "active");

    let token = s.login("ana").await;
    let (status, me) = s.get("/api/v1/accounts/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ana");
    assert_eq!(me["is_admin"], false);

    let (status, _) = s.post("/api/v1/auth/logout", Some(&token), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s.get("/api/v1/accounts/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn login_sets_a_session_cookie_that_logout_revokes() {
    // A public domain: its addresses are https, so its cookies are Secure.
    let s = TestServer::start_with(&[("COPSE_DOMAIN", "cop.example.org")]).await;
    s.create_user("ben", false).await;
    let res = s
        .client
        .post(s.url("/api/v1/auth/login"))
        .json(&json!({"username": "ben", "password": "ben-long-password"}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Secure"),
        "on an https server the cookie is Secure: {cookie}"
    );
    let pair = cookie.split(';').next().expect("name=value").to_string();

    let me = s
        .client
        .get(s.url("/api/v1/accounts/me"))
        .header(COOKIE, &pair)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK);

    let out = s
        .client
        .post(s.url("/api/v1/auth/logout"))
        .header(COOKIE, &pair)
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let cleared = out
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let me = s
        .client
        .get(s.url("/api/v1/accounts/me"))
        .header(COOKIE, &pair)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn with_approval_an_admin_admits_or_refuses_each_sign_up() {
    let s = TestServer::start_with(&[("COPSE_REGISTRATION_MODE", "approval")]).await;
    s.create_user("root_admin", true).await;
    s.create_user("plain", false).await;
    let admin = s.login("root_admin").await;
    let plain = s.login("plain").await;

    let mut body = signup("cara");
    body["reason"] = json!("I run the ward's teaching rota");
    let (status, res) = s.post("/api/v1/accounts", None, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{res}");
    assert_eq!(res["account"]["status"], "pending");
    let (status, _) = s.post("/api/v1/accounts", None, signup("dev_null")).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    // A pending account with the right password is told why it cannot log in.
    let (status, res) = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "cara", "password": "cara-long-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(res["error"]["code"], "account_pending");
    // With the wrong password it learns nothing about the account.
    let (status, res) = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "cara", "password": "wrong-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(res["error"]["code"], "invalid_credentials");

    let (status, res) = s
        .get("/api/v1/admin/accounts?status=pending", Some(&plain))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(res["error"]["code"], "forbidden");

    let (status, list) = s
        .get("/api/v1/admin/accounts?status=pending", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["username"], "cara");
    assert_eq!(
        items[0]["registration_reason"],
        "I run the ward's teaching rota"
    );
    let cara = items[0]["id"].as_i64().expect("id");
    let other = items[1]["id"].as_i64().expect("id");

    let (status, res) = s
        .post(
            &format!("/api/v1/admin/accounts/{cara}/approve"),
            Some(&plain),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, res["error"]["code"].clone()),
        (StatusCode::FORBIDDEN, json!("forbidden"))
    );
    let (status, res) = s
        .post(
            &format!("/api/v1/admin/accounts/{cara}/approve"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_eq!(res["status"], "active");
    s.login("cara").await;
    let (status, res) = s
        .post(
            &format!("/api/v1/admin/accounts/{cara}/approve"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, res["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("account_not_pending"))
    );

    let (status, _) = s
        .post(
            &format!("/api/v1/admin/accounts/{other}/reject"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The refused name is free again.
    let (status, _) = s.post("/api/v1/accounts", None, signup("dev_null")).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let (status, res) = s
        .post(
            "/api/v1/admin/accounts/999999/approve",
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, res["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    let (status, res) = s
        .get("/api/v1/admin/accounts?status=weird", Some(&admin))
        .await;
    assert_eq!(
        (status, res["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
}

#[tokio::test]
async fn with_closed_registration_nobody_signs_up() {
    let s = TestServer::start().await;
    let (status, body) = s.post("/api/v1/accounts", None, signup("eve")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "registrations_closed");
    assert_eq!(s.user_count().await, 0);
}

#[tokio::test]
async fn bad_sign_ups_get_a_code_and_store_nothing() {
    let s = TestServer::start_with(&[("COPSE_REGISTRATION_MODE", "open")]).await;
    s.create_user("taken", false).await;
    let cases = [
        (
            json!({"username": "Ana", "email": "a@example.org", "password": "long-enough-pw"}),
            422,
            "username_invalid",
        ),
        (
            json!({"username": "an", "email": "a@example.org", "password": "long-enough-pw"}),
            422,
            "username_invalid",
        ),
        (
            json!({"username": "<script>", "email": "a@example.org", "password": "long-enough-pw"}),
            422,
            "username_invalid",
        ),
        (
            json!({"username": "admin", "email": "a@example.org", "password": "long-enough-pw"}),
            422,
            "username_reserved",
        ),
        (
            json!({"username": "taken", "email": "a@example.org", "password": "long-enough-pw"}),
            409,
            "username_taken",
        ),
        (
            json!({"username": "fresh", "email": "TAKEN@example.org", "password": "long-enough-pw"}),
            409,
            "email_taken",
        ),
        (
            json!({"username": "fresh", "email": "not-an-email", "password": "long-enough-pw"}),
            422,
            "email_invalid",
        ),
        (
            json!({"username": "fresh", "email": "a@example.org", "password": "short"}),
            422,
            "password_too_short",
        ),
        (
            json!({"username": "fresh", "email": "a@example.org", "password": "x".repeat(300)}),
            422,
            "password_too_long",
        ),
        (
            json!({"username": "fresh", "email": "a@example.org", "password": "long-enough-pw", "reason": "r".repeat(1001)}),
            422,
            "reason_too_long",
        ),
        (
            json!({"username": "fresh", "email": "a@example.org"}),
            400,
            "invalid_request",
        ),
        (
            json!({"username": "fresh", "email": "a@example.org", "password": "long-enough-pw", "admin": true}),
            400,
            "invalid_request",
        ),
        (
            json!({"username": 5, "email": "a@example.org", "password": "long-enough-pw"}),
            400,
            "invalid_request",
        ),
    ];
    for (body, status, code) in cases {
        let (got, res) = s.post("/api/v1/accounts", None, body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body} -> {res}");
        assert_eq!(res["error"]["code"], code, "{body}");
        assert!(
            res["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    assert_eq!(s.user_count().await, 1, "no failed sign-up stored anything");
}

#[tokio::test]
async fn two_sign_ups_racing_for_one_name_give_one_account() {
    let s = TestServer::start_with(&[("COPSE_REGISTRATION_MODE", "open")]).await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let client = s.client.clone();
        let url = s.url("/api/v1/accounts");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"username": "same", "email": format!("same{i}@example.org"), "password": "long-enough-pw"}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.expect("task").expect("response") {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(s.user_count().await, 1);
}

#[tokio::test]
async fn wrong_credentials_and_bad_tokens_are_refused_alike() {
    let s = TestServer::start().await;
    s.create_user("fay", false).await;
    for (login, password) in [
        ("fay", "not-her-password"),
        ("nobody", "whatever-password"),
        ("FAY@EXAMPLE.ORG", "nope-nope-nope"),
    ] {
        let (status, body) = s
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": login, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
    // Login by email, in any case, works.
    let (status, _) = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "FAY@example.org", "password": "fay-long-password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    for token in ["garbage", "copse_forged", &"copse_".repeat(40)] {
        let res = s
            .client
            .get(s.url("/api/v1/accounts/me"))
            .bearer_auth(token)
            .send()
            .await
            .expect("me");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers().get("www-authenticate").is_some());
    }
    let (status, body) = s.get("/api/v1/accounts/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn an_expired_session_is_refused() {
    use diesel::prelude::*;
    let s = TestServer::start().await;
    s.create_user("gil", false).await;
    let token = s.login("gil").await;
    s.app
        .db
        .run(|c| {
            use copse::db::schema::sessions::dsl::*;
            let past = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .expect("date");
            diesel::update(sessions)
                .set(expires_at.eq(past))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("expire");
    let (status, body) = s.get("/api/v1/accounts/me", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
}
