//! A loopback HTTP server that stands in for other servers' inboxes: it records every POST
//! and answers as told, per path (a status, a `Retry-After`, a delay, or never), and counts
//! the requests it is serving at once.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// How the sink answers a path.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
    /// Waits this long before answering.
    pub delay: Duration,
    /// Never answers (the client gives up).
    pub hang: bool,
}

impl Default for Answer {
    fn default() -> Self {
        Answer {
            status: 202,
            retry_after: None,
            delay: Duration::ZERO,
            hang: false,
        }
    }
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            ..Answer::default()
        }
    }

    pub fn delayed(delay: Duration) -> Answer {
        Answer {
            delay,
            ..Answer::default()
        }
    }

    pub fn hang() -> Answer {
        Answer {
            hang: true,
            ..Answer::default()
        }
    }
}

/// One POST the sink received (recorded on arrival, before any delay).
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
    pub at: Instant,
    /// The status it was (or will be) answered; 0 when it is never answered.
    pub status: u16,
}

impl Received {
    /// The `id` of the JSON body, if any.
    pub fn activity_id(&self) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()?
            .get("id")?
            .as_str()
            .map(str::to_string)
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    answers: Mutex<HashMap<String, Answer>>,
    default: Mutex<Answer>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running sink on `127.0.0.1:port`; stops when dropped.
pub struct Sink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    /// A sink answering 202 to everything.
    pub async fn start() -> Sink {
        Self::answering(Answer::default()).await
    }

    /// A sink answering `answer` to every path not given its own.
    pub async fn answering(answer: Answer) -> Sink {
        let shared = Arc::new(Shared::default());
        *shared.default.lock().unwrap() = answer;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let addr = listener.local_addr().expect("bound address");
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Sink { addr, shared, task }
    }

    /// Its authority, as `deliveries.domain` spells it.
    pub fn domain(&self) -> String {
        self.addr.to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The URL of `/inbox`.
    pub fn inbox(&self) -> String {
        self.url("/inbox")
    }

    /// Answers `path` this way from now on.
    pub fn set(&self, path: &str, answer: Answer) {
        self.shared
            .answers
            .lock()
            .unwrap()
            .insert(path.to_string(), answer);
    }

    /// Answers every path without its own answer this way from now on.
    pub fn set_default(&self, answer: Answer) {
        *self.shared.default.lock().unwrap() = answer;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// POSTs received so far.
    pub fn count(&self) -> usize {
        self.shared.received.lock().unwrap().len()
    }

    /// POSTs received so far on `path`.
    pub fn count_on(&self, path: &str) -> usize {
        self.shared
            .received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// Activity ids received with a 2xx answer, in arrival order (repeats included).
    pub fn accepted_ids(&self) -> Vec<String> {
        self.shared
            .received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .filter_map(Received::activity_id)
            .collect()
    }

    /// Requests being served now.
    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    /// The most requests it ever served at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Counts a request in flight for as long as its handler lives, even when the client gives
/// up and the handler is dropped mid-way.
struct InFlight(Arc<Shared>);

impl InFlight {
    fn enter(shared: &Arc<Shared>) -> InFlight {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let path = uri.path().to_string();
    let answer = shared
        .answers
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| shared.default.lock().unwrap().clone());
    shared.received.lock().unwrap().push(Received {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
        status: if answer.hang { 0 } else { answer.status },
    });
    if answer.hang {
        std::future::pending::<()>().await;
    }
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = status.into_response();
    if let Some(secs) = answer.retry_after {
        response
            .headers_mut()
            .insert("retry-after", secs.to_string().parse().unwrap());
    }
    response
}
