//! Fetching remote objects: a remote server on loopback serves JSON, redirects, errors and
//! oversized bodies, and copse's fetcher must get what is allowed and refuse the rest —
//! without ever sending a request it refused.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Json, Redirect, Response};
use axum::routing::get;
use copse::ErrorCode;
use copse::federation::fetch::{ACCEPT_ACTIVITY, FetchPolicy, Fetcher};
use reqwest::header::HeaderValue;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

const MIB: usize = 1024 * 1024;
const UA: &str = "copse/test (+http://copse.test)";

/// A remote server on 127.0.0.1 that counts the requests reaching it.
struct Remote {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Remote {
    async fn start() -> Remote {
        let hits = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route(
                "/x",
                get(|| async { Json(json!({"type": "Note", "content": "hello"})) }),
            )
            .route("/headers", get(echo_headers))
            .route("/r/{n}", get(redirect_chain))
            .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
            .route("/gone", get(|| async { StatusCode::GONE }))
            .route(
                "/broken",
                get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
            )
            .route(
                "/html",
                get(|| async { Html("<!doctype html><p>not an object</p>") }),
            )
            .route(
                "/json/{len}",
                get(|Path(len): Path<usize>| async move { json_of_len(len) }),
            )
            .route(
                "/chunked/{len}",
                // A body of unknown size: sent chunked, without Content-Length.
                get(|Path(len): Path<usize>| async move {
                    Body::from_stream(Body::from(json_of_len(len).1).into_data_stream())
                }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            )
            .layer(middleware::from_fn_with_state(hits.clone(), count));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Remote { addr, hits }
    }

    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).expect("url")
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn count(State(hits): State<Arc<AtomicUsize>>, req: Request, next: Next) -> Response {
    hits.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

async fn echo_headers(headers: HeaderMap) -> Json<serde_json::Value> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    Json(json!({
        "user-agent": get("user-agent"),
        "accept": get("accept"),
        "x-signed-for": get("x-signed-for"),
    }))
}

/// `/r/0` is an object; `/r/N` redirects to `/r/N-1`.
async fn redirect_chain(Path(n): Path<u32>) -> Response {
    if n == 0 {
        Json(json!({"type": "Note", "hops": "done"})).into_response()
    } else {
        Redirect::temporary(&format!("/r/{}", n - 1)).into_response()
    }
}

/// A JSON document (one string) of exactly `len` bytes, with Content-Length.
fn json_of_len(len: usize) -> ([(header::HeaderName, &'static str); 1], Vec<u8>) {
    let mut body = vec![b'a'; len.max(2)];
    body[0] = b'"';
    body[len.max(2) - 1] = b'"';
    ([(header::CONTENT_TYPE, "application/json")], body)
}

fn production() -> Fetcher {
    Fetcher::new(FetchPolicy::production(), UA).expect("fetcher")
}

fn development() -> Fetcher {
    Fetcher::new(FetchPolicy::development(), UA).expect("fetcher")
}

async fn fetch_err(fetcher: &Fetcher, url: &Url) -> copse::Error {
    match fetcher
        .get_json(url, ACCEPT_ACTIVITY, HeaderMap::new())
        .await
    {
        Ok(got) => panic!("{url} was fetched: {:?}", got.json),
        Err(e) => e,
    }
}

#[tokio::test]
async fn production_refuses_a_loopback_server_without_sending_it_anything() {
    let remote = Remote::start().await;
    let fetcher = production();
    for url in [
        remote.url("/x"),
        Url::parse(&format!("https://127.0.0.1:{}/x", remote.addr.port())).expect("url"),
        Url::parse(&format!(
            "https://[::ffff:127.0.0.1]:{}/x",
            remote.addr.port()
        ))
        .expect("url"),
    ] {
        let err = fetch_err(&fetcher, &url).await;
        assert_eq!(err.code(), ErrorCode::FetchRefused, "{url}: {err}");
        assert!(
            err.message()
                .starts_with(&format!("refused to fetch {url}: ")),
            "{}",
            err.message()
        );
        assert!(err.message().contains("COPSE_DEV"), "{}", err.message());
    }
    assert_eq!(remote.hits(), 0, "a refused URL reached the server");
}

#[tokio::test]
async fn a_private_address_is_refused_at_once_without_connecting() {
    let fetcher = production();
    for raw in [
        "http://10.0.0.1/x",
        "https://10.0.0.1/x",
        "https://169.254.169.254/x",
    ] {
        let url = Url::parse(raw).expect("url");
        let started = Instant::now();
        let err = fetch_err(&fetcher, &url).await;
        // Connecting to 10.0.0.1 would hang until the connect timeout (5 s).
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{raw} took {:?}",
            started.elapsed()
        );
        assert_eq!(err.code(), ErrorCode::FetchRefused, "{raw}: {err}");
        let host = url.host_str().expect("host");
        assert!(
            err.message().contains(&format!("{host} is a ")),
            "{}",
            err.message()
        );
    }
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_by_the_dns_guard() {
    let fetcher = production();
    let url = Url::parse("https://localhost/users/ana").expect("url");
    let started = Instant::now();
    let err = fetch_err(&fetcher, &url).await;
    // Without the guard this would be a connection attempt to localhost:443 (fetch_failed).
    assert_eq!(err.code(), ErrorCode::FetchRefused, "{err}");
    assert!(
        err.message()
            .starts_with("refused to fetch https://localhost/users/ana: localhost resolves to "),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("loopback address"),
        "{}",
        err.message()
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn development_fetches_the_loopback_server_with_copses_headers() {
    let remote = Remote::start().await;
    let fetcher = development();
    let got = fetcher
        .get_json(&remote.url("/x"), ACCEPT_ACTIVITY, HeaderMap::new())
        .await
        .expect("fetch in development mode");
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.url, remote.url("/x"));
    assert_eq!(got.json, json!({"type": "Note", "content": "hello"}));

    let mut extra = HeaderMap::new();
    extra.insert("x-signed-for", HeaderValue::from_static("static"));
    let got = fetcher
        .get_json(&remote.url("/headers"), ACCEPT_ACTIVITY, extra)
        .await
        .expect("fetch headers");
    assert_eq!(
        got.json,
        json!({"user-agent": UA, "accept": ACCEPT_ACTIVITY, "x-signed-for": "static"})
    );
    assert_eq!(remote.hits(), 2);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_or_without_content_length() {
    let remote = Remote::start().await;
    let fetcher = development();
    for path in [
        format!("/json/{}", 2 * MIB),
        format!("/chunked/{}", 2 * MIB),
    ] {
        let url = remote.url(&path);
        let err = fetch_err(&fetcher, &url).await;
        assert_eq!(err.code(), ErrorCode::FetchTooLarge, "{path}: {err}");
        assert!(
            err.message().contains("larger than 1048576 bytes"),
            "{}",
            err.message()
        );
    }
    // The chunked answer really came without a length, so only counting could stop it.
    let plain = reqwest::get(remote.url(&format!("/chunked/{MIB}")))
        .await
        .expect("plain get");
    assert_eq!(plain.content_length(), None);
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not() {
    let remote = Remote::start().await;
    let policy = FetchPolicy {
        max_bytes: 1000,
        ..FetchPolicy::development()
    };
    let fetcher = Fetcher::new(policy, UA).expect("fetcher");
    for prefix in ["/json", "/chunked"] {
        let got = fetcher
            .get_json(
                &remote.url(&format!("{prefix}/1000")),
                ACCEPT_ACTIVITY,
                HeaderMap::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{prefix}/1000: {e}"));
        assert_eq!(got.json.as_str().map(str::len), Some(998));
        let err = fetch_err(&fetcher, &remote.url(&format!("{prefix}/1001"))).await;
        assert_eq!(err.code(), ErrorCode::FetchTooLarge, "{prefix}/1001: {err}");
    }
}

#[tokio::test]
async fn an_endless_body_is_abandoned_once_past_the_limit() {
    let addr = raw_server(Answer::Endless).await;
    let fetcher = development();
    let url = Url::parse(&format!("http://{addr}/endless")).expect("url");
    let started = Instant::now();
    let err = fetch_err(&fetcher, &url).await;
    // Reading to the end would only stop at the 15 s deadline, as fetch_failed.
    assert_eq!(err.code(), ErrorCode::FetchTooLarge, "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let addr = raw_server(Answer::DeclaresTwoMib).await;
    let policy = FetchPolicy {
        timeout: Duration::from_secs(5),
        ..FetchPolicy::development()
    };
    let fetcher = Fetcher::new(policy, UA).expect("fetcher");
    let url = Url::parse(&format!("http://{addr}/declared")).expect("url");
    let started = Instant::now();
    let err = fetch_err(&fetcher, &url).await;
    // The body never comes: only the Content-Length can have given the answer away.
    assert_eq!(err.code(), ErrorCode::FetchTooLarge, "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

enum Answer {
    /// A chunked body that never ends.
    Endless,
    /// `Content-Length: 2097152`, then a few bytes and silence.
    DeclaresTwoMib,
}

/// A raw HTTP server giving every request the same answer, which axum cannot be made to
/// give.
async fn raw_server(answer: Answer) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                match *answer {
                    Answer::Endless => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                                    transfer-encoding: chunked\r\n\r\n";
                        if socket.write_all(head.as_bytes()).await.is_err() {
                            return;
                        }
                        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
                    }
                    Answer::DeclaresTwoMib => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             content-length: {}\r\n\r\n\"",
                            2 * MIB
                        );
                        if socket.write_all(head.as_bytes()).await.is_ok() {
                            tokio::time::sleep(Duration::from_secs(30)).await;
                        }
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn three_redirects_are_followed_and_a_fourth_is_refused() {
    let remote = Remote::start().await;
    let fetcher = development();
    let got = fetcher
        .get_json(&remote.url("/r/3"), ACCEPT_ACTIVITY, HeaderMap::new())
        .await
        .expect("three redirects");
    assert_eq!(got.url, remote.url("/r/0"));
    assert_eq!(got.json["hops"], "done");
    assert_eq!(remote.hits(), 4);

    let err = fetch_err(&fetcher, &remote.url("/r/4")).await;
    assert_eq!(err.code(), ErrorCode::FetchRefused, "{err}");
    assert!(
        err.message().contains("more than 3 redirects"),
        "{}",
        err.message()
    );
    // /r/4 … /r/1 were requested; the fourth redirect's target /r/0 was not.
    assert_eq!(remote.hits(), 4 + 4);
}

#[tokio::test]
async fn every_redirect_hop_gets_headers_made_for_its_own_url() {
    let remote = Remote::start().await;
    let fetcher = development();
    let mut asked_for = Vec::new();
    let got = fetcher
        .get_json_with(&remote.url("/r/2"), ACCEPT_ACTIVITY, |url| {
            asked_for.push(url.path().to_string());
            let mut headers = HeaderMap::new();
            headers.insert(
                "x-signed-for",
                HeaderValue::from_str(url.path()).expect("header"),
            );
            Ok(headers)
        })
        .await
        .expect("fetch");
    assert_eq!(got.url, remote.url("/r/0"));
    assert_eq!(asked_for, ["/r/2", "/r/1", "/r/0"]);

    // A signer that fails stops the fetch before anything is sent.
    let before = remote.hits();
    let err = fetcher
        .get_json_with(&remote.url("/x"), ACCEPT_ACTIVITY, |_| {
            Err(copse::Error::new(ErrorCode::Internal, "no key"))
        })
        .await
        .expect_err("signer failed");
    assert_eq!(err.message(), "no key");
    assert_eq!(remote.hits(), before);
}

#[tokio::test]
async fn not_found_and_gone_are_told_apart_from_each_other_and_from_failures() {
    let remote = Remote::start().await;
    let fetcher = development();
    for (path, code, status) in [
        ("/missing", ErrorCode::FetchNotFound, "404"),
        ("/gone", ErrorCode::FetchGone, "410"),
        ("/broken", ErrorCode::FetchFailed, "500"),
    ] {
        let err = fetch_err(&fetcher, &remote.url(path)).await;
        assert_eq!(err.code(), code, "{path}: {err}");
        assert!(err.message().contains(status), "{}", err.message());
    }
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_a_clear_error() {
    let remote = Remote::start().await;
    let err = fetch_err(&development(), &remote.url("/html")).await;
    assert_eq!(err.code(), ErrorCode::FetchNotJson, "{err}");
    assert!(
        err.message().starts_with(&format!(
            "the answer from {} is not JSON",
            remote.url("/html")
        )),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on_at_the_deadline() {
    let remote = Remote::start().await;
    let policy = FetchPolicy {
        timeout: Duration::from_millis(300),
        ..FetchPolicy::development()
    };
    let fetcher = Fetcher::new(policy, UA).expect("fetcher");
    let started = Instant::now();
    let err = fetch_err(&fetcher, &remote.url("/slow")).await;
    assert_eq!(err.code(), ErrorCode::FetchFailed, "{err}");
    assert!(
        err.message().contains("took longer than"),
        "{}",
        err.message()
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}
