//! The HTTP server's behaviour for every route: health, metrics, error shapes, limits.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use crate::support::TestServer;

async fn error_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        ct.starts_with("application/json"),
        "error with content type {ct:?}"
    );
    let body: Value = res.json().await.expect("JSON error body");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    (status, body)
}

#[tokio::test]
async fn healthz_answers_while_the_database_does_and_503_after() {
    let s = TestServer::start().await;
    let (status, body) = s.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    // The run really uses the backend it was asked for.
    let expected = if s.db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
    s.app.db.close();
    let res = s
        .client
        .get(s.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    let (status, body) = error_of(res).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "database_unavailable");
}

#[tokio::test]
async fn metrics_count_requests_by_route_in_prometheus_format() {
    let s = TestServer::start().await;
    s.get("/healthz", None).await;
    s.get("/healthz", None).await;
    s.get("/api/v1/nothing/here", None).await;
    s.create_user("hal", false).await;
    let res = s
        .client
        .get(s.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = res.text().await.expect("text");
    assert!(
        text.contains(
            "copse_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ),
        "{text}"
    );
    assert!(text.contains("status=\"404\""), "{text}");
    assert!(text.contains("copse_users{status=\"active\"} 1"), "{text}");
    assert!(
        text.contains("copse_db_pool_connections{state=\"max\"} 4"),
        "{text}"
    );
    // Every sample line is `name{labels} value` or `name value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().expect("value");
        assert!(value.parse::<f64>().is_ok(), "bad sample line: {line}");
    }
}

#[tokio::test]
async fn metrics_can_require_a_bearer_token() {
    let s = TestServer::start_with(&[("COPSE_METRICS_BEARER_TOKEN", "a-long-metrics-token")]).await;
    let res = s
        .client
        .get(s.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(error_of(res).await.0, StatusCode::UNAUTHORIZED);
    let res = s
        .client
        .get(s.url("/metrics"))
        .bearer_auth("wrong-metrics-token!")
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = s
        .client
        .get(s.url("/metrics"))
        .bearer_auth("a-long-metrics-token")
        .send()
        .await
        .expect("metrics");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_failure_has_the_one_error_shape() {
    let s = TestServer::start_with(&[("COPSE_HTTP_MAX_BODY_BYTES", "2048")]).await;
    let c = &s.client;

    let res = c
        .get(s.url("/api/v1/no/such/thing"))
        .send()
        .await
        .expect("send");
    assert_eq!(error_of(res).await.1["error"]["code"], "not_found");
    let res = c.get(s.url("/no-such-page")).send().await.expect("send");
    assert_eq!(error_of(res).await.1["error"]["code"], "not_found");

    let res = c
        .delete(s.url("/api/v1/accounts"))
        .send()
        .await
        .expect("send");
    let (status, body) = error_of(res).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed".into())
    );

    let res = c
        .post(s.url("/api/v1/auth/login"))
        .header(CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    let (status, body) = error_of(res).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, "invalid_json".into())
    );

    let res = c
        .post(s.url("/api/v1/auth/login"))
        .header(CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await
        .expect("send");
    let (status, body) = error_of(res).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".into()
        )
    );

    // Too large, announced by Content-Length and streamed without one.
    let big = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(4096)
    );
    let res = c
        .post(s.url("/api/v1/auth/login"))
        .header(CONTENT_TYPE, "application/json")
        .body(big.clone())
        .send()
        .await
        .expect("send");
    let (status, body) = error_of(res).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    let raw = chunked_post(s.addr, "/api/v1/auth/login", big.as_bytes()).await;
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("\"code\":\"payload_too_large\""), "{raw}");

    s.create_user("ida", true).await;
    let token = s.login("ida").await;
    let res = c
        .post(s.url("/api/v1/admin/accounts/not-a-number/approve"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    let (status, body) = error_of(res).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, "invalid_request".into())
    );
    let res = c
        .get(s.url("/api/v1/admin/accounts?limit=lots"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(error_of(res).await.0, StatusCode::BAD_REQUEST);
}

/// Sends a body with chunked encoding (no Content-Length), as a streaming client would,
/// and returns the raw response.
async fn chunked_post(addr: std::net::SocketAddr, path: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    for chunk in body.chunks(512) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() {
            break; // the server may answer and close before the whole body is sent
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut out),
    )
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn responses_carry_a_request_id_and_are_compressed_on_request() {
    let s = TestServer::start().await;
    let res = s
        .client
        .get(s.url("/metrics"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("send");
    assert!(res.headers().get("x-request-id").is_some());
    assert_eq!(
        res.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[tokio::test]
async fn instance_info_tells_clients_how_to_join() {
    let s = TestServer::start_with(&[
        ("COPSE_REGISTRATION_MODE", "approval"),
        ("COPSE_DOMAIN", "cop.example.org"),
    ])
    .await;
    let (status, body) = s.get("/api/v1/instance", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["domain"], "cop.example.org");
    assert_eq!(body["software"], "copse");
    assert_eq!(body["registration_mode"], "approval");
}

/// A client that starts a request and stalls (a slow-loris) is cut off at the request
/// timeout with the usual error shape, instead of holding a worker forever.
#[tokio::test]
async fn a_stalled_request_is_cut_off_at_the_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start_with(&[("COPSE_HTTP_REQUEST_TIMEOUT_SECONDS", "1")]).await;
    let mut stream = tokio::net::TcpStream::connect(s.addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"user",
        s.addr
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(15),
        stream.read_to_end(&mut out),
    )
    .await
    .expect("answered before the test's own deadline")
    .expect("read");
    let raw = String::from_utf8_lossy(&out);
    assert!(raw.starts_with("HTTP/1.1 503"), "{raw}");
    assert!(raw.contains("\"code\":\"request_timeout\""), "{raw}");
}
