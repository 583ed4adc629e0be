//! Rate limits as clients meet them: a budget per address on the API, per account across
//! addresses, tighter ones for login and sign-up, per address and per remote actor on the
//! inboxes; 429 with `Retry-After`, and the budget back once time has passed.
//!
//! Every test turns the limits on with tiny budgets. Time is moved on with the limiter's
//! clock (`advance_clock`) rather than waited for.

use std::time::Duration;

use copse::config::RateLimits;
use copse::metrics::Metrics;
use copse::ratelimit::{Key, Limit, Limiter};
use reqwest::header::RETRY_AFTER;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::peer::Peer;

const AS: &str = "https://www.w3.org/ns/activitystreams";

/// A server with rate limits on and these budgets (`COPSE_RATE_LIMIT_*` suffix, value).
async fn limited(budgets: &[(&str, &str)]) -> TestServer {
    let vars: Vec<(String, String)> = budgets
        .iter()
        .map(|(k, v)| (format!("COPSE_RATE_LIMIT_{k}"), v.to_string()))
        .chain([("COPSE_RATE_LIMIT_ENABLED".to_string(), "true".to_string())])
        .collect();
    let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestServer::federating(&refs).await
}

/// What one request got back.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

/// A request as it would arrive through a proxy on 127.0.0.1 that says the client is
/// `forwarded_for` (or directly, when `None`).
async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    forwarded_for: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut req = s.client.request(method, s.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let retry_after = res
        .headers()
        .get(RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        retry_after,
        body,
    }
}

async fn get(s: &TestServer, path: &str, token: Option<&str>, xff: Option<&str>) -> Answer {
    send(s, Method::GET, path, token, xff, None).await
}

fn assert_limited(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{what}: {}",
        answer.body
    );
    assert_eq!(answer.body["error"]["code"], "rate_limited", "{what}");
    let retry = answer.retry_after.expect("a Retry-After header");
    assert!(retry >= 1, "{what}: Retry-After {retry}");
}

async fn metrics(s: &TestServer) -> String {
    s.client
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_client_past_its_budget_is_told_to_wait_and_is_served_again_later() {
    let s = limited(&[("API_PER_IP_PER_MINUTE", "3")]).await;
    for n in 0..3 {
        let ok = get(&s, "/api/v1/instance", None, None).await;
        assert_eq!(ok.status, StatusCode::OK, "request {n}: {}", ok.body);
    }
    let refused = get(&s, "/api/v1/instance", None, None).await;
    assert_limited(&refused, "the fourth request");
    // One request's worth of a minute is 20 seconds.
    let wait = refused.retry_after.unwrap();
    assert!((15..=20).contains(&wait), "Retry-After {wait}");
    let unknown = get(&s, "/api/v1/no-such-thing", None, None).await;
    assert_limited(&unknown, "any API path counts");

    // Pages outside the API and the operator's endpoints are not counted.
    let health = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(
        metrics(&s)
            .await
            .contains("copse_rate_limited_total{limit=\"api_per_ip\"} 2")
    );

    s.app.limiter.advance_clock(Duration::from_secs(20));
    let again = get(&s, "/api/v1/instance", None, None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_limited(&get(&s, "/api/v1/instance", None, None).await, "one only");
    s.app.limiter.advance_clock(Duration::from_secs(60));
    for _ in 0..3 {
        assert_eq!(
            get(&s, "/api/v1/instance", None, None).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn an_account_has_one_budget_whatever_address_it_calls_from() {
    let s = limited(&[
        ("API_PER_IP_PER_MINUTE", "100"),
        ("API_PER_ACCOUNT_PER_MINUTE", "3"),
    ])
    .await;
    s.create_user("mira", false).await;
    s.create_user("noor", false).await;
    let mira = s.login("mira").await;
    let noor = s.login("noor").await;
    let home = Some("203.0.113.1");
    let phone = Some("198.51.100.7");
    for xff in [home, phone, home] {
        let ok = get(&s, "/api/v1/accounts/me", Some(&mira), xff).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    }
    let refused = get(&s, "/api/v1/accounts/me", Some(&mira), phone).await;
    assert_limited(&refused, "the account's fourth request");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("account")
    );
    // Another account on the same address, and the same address anonymously, still pass.
    let other = get(&s, "/api/v1/accounts/me", Some(&noor), phone).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    let anonymous = get(&s, "/api/v1/instance", None, phone).await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert!(
        metrics(&s)
            .await
            .contains("copse_rate_limited_total{limit=\"api_per_account\"} 1")
    );
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_have_their_own_budgets_and_cannot_forge_others() {
    let s = limited(&[("API_PER_IP_PER_MINUTE", "2")]).await;
    // 127.0.0.1 is a trusted proxy by default: the address it forwards counts.
    for client in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        for _ in 0..2 {
            let ok = get(&s, "/api/v1/instance", None, Some(client)).await;
            assert_eq!(ok.status, StatusCode::OK, "{client}: {}", ok.body);
        }
    }
    // What the client wrote left of the proxy's own entry is not believed.
    for forged in ["1.1.1.1", "1.1.1.2"] {
        let xff = format!("{forged}, 203.0.113.1");
        assert_limited(&get(&s, "/api/v1/instance", None, Some(&xff)).await, forged);
    }
    // IPv6 clients are one client per /64.
    let ok = get(&s, "/api/v1/instance", None, Some("2001:db8:5:6::1")).await;
    assert_eq!(ok.status, StatusCode::OK);
    let ok = get(&s, "/api/v1/instance", None, Some("2001:db8:5:6::2")).await;
    assert_eq!(ok.status, StatusCode::OK);
    let same_64 = get(&s, "/api/v1/instance", None, Some("2001:db8:5:6:ffff::3")).await;
    assert_limited(&same_64, "another address of the same /64");
    let next_64 = get(&s, "/api/v1/instance", None, Some("2001:db8:5:7::1")).await;
    assert_eq!(next_64.status, StatusCode::OK);
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
    let s = TestServer::federating(&[
        ("COPSE_RATE_LIMIT_ENABLED", "true"),
        ("COPSE_RATE_LIMIT_API_PER_IP_PER_MINUTE", "2"),
        ("COPSE_HTTP_TRUSTED_PROXIES", "10.0.0.0/8"),
    ])
    .await;
    // The connection is from 127.0.0.1, not a trusted proxy: whatever the header says,
    // every request is 127.0.0.1's.
    for (n, claim) in ["203.0.113.1", "203.0.113.2"].iter().enumerate() {
        let ok = get(&s, "/api/v1/instance", None, Some(claim)).await;
        assert_eq!(ok.status, StatusCode::OK, "request {n}");
    }
    let refused = get(&s, "/api/v1/instance", None, Some("203.0.113.3")).await;
    assert_limited(&refused, "a fresh forged address");
}

#[tokio::test]
async fn a_bad_trusted_proxies_setting_is_refused_at_start_by_name() {
    let db = crate::support::TestDb::new();
    let vars = [
        (
            "COPSE_DATA_DIR".to_string(),
            db.dir.path().to_string_lossy().to_string(),
        ),
        (
            "COPSE_HTTP_TRUSTED_PROXIES".to_string(),
            "127.0.0.1, nginx".to_string(),
        ),
    ];
    let err = copse::Config::from_env(&|name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .unwrap_err();
    assert!(
        err.message().contains("COPSE_HTTP_TRUSTED_PROXIES"),
        "{}",
        err.message()
    );
    assert!(err.message().contains("'nginx'"), "{}", err.message());
}

#[tokio::test]
async fn login_attempts_have_a_tighter_budget_than_the_rest_of_the_api() {
    let s = limited(&[("LOGIN_PER_IP_PER_MINUTE", "2")]).await;
    s.create_user("mira", false).await;
    let guess = |password: &str| json!({"username": "mira", "password": password});
    let attacker = Some("203.0.113.66");
    for n in 0..2 {
        let wrong = send(
            &s,
            Method::POST,
            "/api/v1/auth/login",
            None,
            attacker,
            Some(guess(&format!("guess-number-{n}"))),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
        assert_eq!(wrong.body["error"]["code"], "invalid_credentials");
    }
    // Even the right password is not tried once the budget is spent.
    let right = crate::support::server::password_of("mira");
    let refused = send(
        &s,
        Method::POST,
        "/api/v1/auth/login",
        None,
        attacker,
        Some(guess(&right)),
    )
    .await;
    assert_limited(&refused, "the third login");
    let wait = refused.retry_after.unwrap();
    assert!((25..=30).contains(&wait), "Retry-After {wait}");
    // The rest of the API still answers that address, and mira logs in from her own.
    assert_eq!(
        get(&s, "/api/v1/instance", None, attacker).await.status,
        StatusCode::OK
    );
    let mira = send(
        &s,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some("198.51.100.2"),
        Some(guess(&right)),
    )
    .await;
    assert_eq!(mira.status, StatusCode::CREATED, "{}", mira.body);
}

#[tokio::test]
async fn sign_ups_are_counted_per_hour_and_a_refused_one_stores_nothing() {
    let s = TestServer::federating(&[
        ("COPSE_RATE_LIMIT_ENABLED", "true"),
        ("COPSE_RATE_LIMIT_REGISTRATION_PER_IP_PER_HOUR", "1"),
        ("COPSE_REGISTRATION_MODE", "open"),
    ])
    .await;
    let sign_up = |name: &str| json!({"username": name, "email": format!("{name}@example.org"), "password": "a long enough password"});
    let first = send(
        &s,
        Method::POST,
        "/api/v1/accounts",
        None,
        None,
        Some(sign_up("first")),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let before = s.user_count().await;
    let second = send(
        &s,
        Method::POST,
        "/api/v1/accounts",
        None,
        None,
        Some(sign_up("second")),
    )
    .await;
    assert_limited(&second, "the second sign-up");
    // About an hour: the first sign-up's hashing took a moment of it.
    let wait = second.retry_after.unwrap();
    assert!((3500..=3600).contains(&wait), "Retry-After {wait}");
    assert_eq!(s.user_count().await, before, "nothing was stored");
    // Logging in is another budget.
    let login = json!({"username": "first", "password": "a long enough password"});
    let logged_in = send(
        &s,
        Method::POST,
        "/api/v1/auth/login",
        None,
        None,
        Some(login),
    )
    .await;
    assert_eq!(logged_in.status, StatusCode::CREATED, "{}", logged_in.body);
    s.app.limiter.advance_clock(Duration::from_secs(3600));
    let later = send(
        &s,
        Method::POST,
        "/api/v1/accounts",
        None,
        None,
        Some(sign_up("second")),
    )
    .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
}

fn wiggle(peer: &Peer, who: &str) -> Value {
    json!({
        "@context": AS,
        "id": peer.activity_id("wiggle"),
        "type": "Wiggle",
        "actor": peer.actor_id(who),
        "object": peer.actor_id(who),
    })
}

#[tokio::test]
async fn a_flooding_actor_is_refused_without_hurting_its_neighbours_or_other_servers() {
    // One a minute: the refusals below must all come before real time frees the next
    // slot, and a budget of one leaves the whole minute for them on a loaded machine.
    let s = limited(&[
        ("INBOX_PER_ACTOR_PER_MINUTE", "1"),
        ("INBOX_PER_IP_PER_MINUTE", "1000"),
    ])
    .await;
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
    let busy = Peer::start().await;
    busy.add_actor("flood", "Person").await;
    busy.add_actor("bob", "Person").await;
    let quiet = Peer::start().await;
    quiet.add_actor("carol", "Person").await;

    let got = busy
        .deliver(&s, "/inbox", &wiggle(&busy, "flood"), "flood")
        .await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    let mut refused = 0;
    for _ in 0..20 {
        let got = busy
            .deliver(&s, "/inbox", &wiggle(&busy, "flood"), "flood")
            .await;
        assert_eq!(got.0, StatusCode::TOO_MANY_REQUESTS, "{}", got.1);
        assert_eq!(got.1["error"]["code"], "rate_limited");
        refused += 1;
    }
    // Refused before the signature is even looked at.
    let unsigned = busy
        .post(
            &s,
            "/inbox",
            serde_json::to_vec(&wiggle(&busy, "flood")).unwrap(),
        )
        .unsigned()
        .send()
        .await;
    assert_eq!(unsigned.0, StatusCode::TOO_MANY_REQUESTS, "{}", unsigned.1);
    refused += 1;

    // Activities merely claiming to be bob's (unsigned, or signed by the flooder) are
    // refused for their signature and do not spend bob's budget.
    for n in 0..5 {
        let claim = busy
            .post(
                &s,
                "/inbox",
                serde_json::to_vec(&wiggle(&busy, "bob")).unwrap(),
            )
            .unsigned()
            .send()
            .await;
        assert_eq!(
            claim.0,
            StatusCode::UNAUTHORIZED,
            "forged claim {n}: {}",
            claim.1
        );
        let keys = busy.keys("flood");
        let claim = busy
            .post(
                &s,
                "/inbox",
                serde_json::to_vec(&wiggle(&busy, "bob")).unwrap(),
            )
            .signed_with(&busy.key_id("bob"), &keys.private_pem)
            .send()
            .await;
        assert!(claim.0.is_client_error(), "forged claim {n}: {}", claim.1);
        assert_ne!(claim.0, StatusCode::TOO_MANY_REQUESTS, "{}", claim.1);
    }

    // Bob, on the flooder's own server, and carol, on another, are served as usual.
    let nursing = format!("http://{}/c/nursing", s.domain());
    for (peer, who) in [(&busy, "bob"), (&quiet, "carol")] {
        let follow = json!({
            "@context": AS,
            "id": peer.activity_id("follow"),
            "type": "Follow",
            "actor": peer.actor_id(who),
            "object": nursing,
        });
        let got = peer.deliver(&s, "/c/nursing/inbox", &follow, who).await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{who}: {}", got.1);
    }
    let (_, group) = s.get("/api/v1/communities/nursing", None).await;
    assert_eq!(group["followers"], 2, "{group}");
    assert!(metrics(&s).await.contains(&format!(
        "copse_rate_limited_total{{limit=\"inbox_per_actor\"}} {}",
        refused
    )));

    // A minute later the flooder may speak again.
    s.app.limiter.advance_clock(Duration::from_secs(60));
    let got = busy
        .deliver(&s, "/inbox", &wiggle(&busy, "flood"), "flood")
        .await;
    assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
}

#[tokio::test]
async fn a_server_flooding_from_one_address_meets_the_inbox_budget_per_address() {
    let s = limited(&[
        ("INBOX_PER_ACTOR_PER_MINUTE", "1000"),
        ("INBOX_PER_IP_PER_MINUTE", "2"),
    ])
    .await;
    let peer = Peer::start().await;
    peer.add_actor("alice", "Person").await;
    for _ in 0..2 {
        let got = peer
            .deliver(&s, "/inbox", &wiggle(&peer, "alice"), "alice")
            .await;
        assert_eq!(got.0, StatusCode::ACCEPTED, "{}", got.1);
    }
    let got = peer
        .deliver(&s, "/inbox", &wiggle(&peer, "alice"), "alice")
        .await;
    assert_eq!(got.0, StatusCode::TOO_MANY_REQUESTS, "{}", got.1);
    // Even an inbox that does not exist is counted first.
    let got = peer
        .deliver(&s, "/c/nobody/inbox", &wiggle(&peer, "alice"), "alice")
        .await;
    assert_eq!(got.0, StatusCode::TOO_MANY_REQUESTS, "{}", got.1);
}

#[test]
fn a_flood_of_distinct_keys_does_not_grow_the_table_past_its_cap() {
    let limits = RateLimits {
        enabled: true,
        api_per_ip_per_minute: 5,
        api_per_account_per_minute: 5,
        login_per_ip_per_minute: 5,
        login_per_account_per_hour: 5,
        registration_per_ip_per_hour: 5,
        inbox_per_ip_per_minute: 5,
        inbox_per_actor_per_minute: 5,
    };
    let limiter = Limiter::with_capacity(limits, std::sync::Arc::new(Metrics::default()), 2_000);
    assert_eq!(limiter.capacity(), 2_000);
    for n in 0..50_000u32 {
        let actor = format!("https://forged{n}.example/users/{n}");
        limiter
            .check(Limit::InboxPerActor, Key::Actor(&actor))
            .unwrap();
        let ip = std::net::IpAddr::from(n.to_be_bytes());
        limiter.check(Limit::ApiPerIp, Key::Ip(ip)).unwrap();
        assert!(
            limiter.keys_held() <= limiter.capacity(),
            "{} keys",
            limiter.keys_held()
        );
    }
    // The default cap is documented in docs/configuration.md.
    let default = Limiter::new(limits, std::sync::Arc::new(Metrics::default()));
    assert_eq!(default.capacity(), copse::ratelimit::MAX_KEYS);
}

#[tokio::test]
async fn disabled_limits_count_nothing() {
    let s = TestServer::federating(&[("COPSE_RATE_LIMIT_API_PER_IP_PER_MINUTE", "1")]).await;
    for _ in 0..5 {
        assert_eq!(
            get(&s, "/api/v1/instance", None, None).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(s.app.limiter.keys_held(), 0);
}

#[tokio::test]
async fn guesses_at_one_account_from_many_addresses_are_slowed_all_the_same() {
    // The per-address budget is wide open; the per-account one is two tries an hour.
    let s = TestServer::start_with(&[
        ("COPSE_RATE_LIMIT_ENABLED", "true"),
        ("COPSE_RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE", "1000"),
        ("COPSE_RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_HOUR", "2"),
    ])
    .await;
    s.create_user("mira", false).await;
    let wrong = json!({"username": "mira", "password": "not-her-password"});
    for _ in 0..2 {
        let (status, _) = s.post("/api/v1/auth/login", None, wrong.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = s.post("/api/v1/auth/login", None, wrong.clone()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // A name no account has is counted the same, so the refusal tells nothing.
    let ghost = json!({"username": "nobody-here", "password": "x"});
    for _ in 0..2 {
        s.post("/api/v1/auth/login", None, ghost.clone()).await;
    }
    let (status, _) = s.post("/api/v1/auth/login", None, ghost).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
