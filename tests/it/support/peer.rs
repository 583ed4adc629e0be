//! A fake fediverse server on loopback: it publishes actors (with WebFinger), records every
//! request it receives, answers inbox POSTs with 202, and signs activities it sends to a
//! copse inbox — correctly, or broken on purpose.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use copse::federation::keys::{self, KeyPair};
use copse::federation::signatures::{RequestSigner, Scheme};
use serde_json::{Value, json};
use url::Url;

use super::TestServer;

const ACTIVITY_JSON: &str = "application/activity+json";

/// One request the peer received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    /// Path and query.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The activity's `type`, for a POST of one.
    pub fn kind(&self) -> Option<String> {
        self.json()?.get("type")?.as_str().map(str::to_string)
    }
}

#[derive(Clone)]
struct PeerActor {
    kind: String,
    keys: KeyPair,
    gone: bool,
}

struct PeerState {
    base: String,
    actors: Mutex<HashMap<String, PeerActor>>,
    requests: Mutex<Vec<Recorded>>,
    /// Documents served at their paths, besides the actors (see [`Peer::serve`]).
    documents: Mutex<HashMap<String, Value>>,
}

/// A remote server `http://127.0.0.1:<port>` inside the test process.
pub struct Peer {
    pub addr: SocketAddr,
    state: Arc<PeerState>,
    client: reqwest::Client,
    counter: AtomicU64,
}

impl Peer {
    pub async fn start() -> Peer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let addr = listener.local_addr().expect("bound address");
        let state = Arc::new(PeerState {
            base: format!("http://{addr}"),
            actors: Mutex::default(),
            requests: Mutex::default(),
            documents: Mutex::default(),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Peer {
            addr,
            state,
            client: reqwest::Client::new(),
            counter: AtomicU64::new(0),
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn domain(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        self.state.base.clone()
    }

    /// Adds an actor (`Person`, `Group`…) with a fresh key pair; returns its id.
    pub async fn add_actor(&self, name: &str, kind: &str) -> String {
        let keys = keys::generate_async().await.expect("key pair");
        self.state.actors.lock().unwrap().insert(
            name.to_string(),
            PeerActor {
                kind: kind.to_string(),
                keys,
                gone: false,
            },
        );
        self.actor_id(name)
    }

    /// From now on the actor's document answers 410 Gone (its key still signs).
    pub fn make_gone(&self, name: &str) {
        self.state
            .actors
            .lock()
            .unwrap()
            .get_mut(name)
            .expect("known actor")
            .gone = true;
    }

    pub fn actor_id(&self, name: &str) -> String {
        format!("{}/users/{name}", self.state.base)
    }

    pub fn key_id(&self, name: &str) -> String {
        format!("{}#main-key", self.actor_id(name))
    }

    pub fn inbox(&self, name: &str) -> String {
        format!("{}/inbox", self.actor_id(name))
    }

    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.state.base)
    }

    /// The actor's key pair.
    pub fn keys(&self, name: &str) -> KeyPair {
        self.state.actors.lock().unwrap()[name].keys.clone()
    }

    /// A fresh activity id on this peer, such as `http://127.0.0.1:4001/activities/follow/3`.
    pub fn activity_id(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}/activities/{kind}/{n}", self.state.base)
    }

    /// From now on a GET of `id` (an id on this peer) answers `document` as
    /// `application/activity+json`: an activity or object its origin serves.
    pub fn serve(&self, id: &str, document: Value) {
        let path = id
            .strip_prefix(&self.state.base)
            .expect("an id on this peer")
            .to_string();
        self.state.documents.lock().unwrap().insert(path, document);
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The GETs received so far: what copse fetched.
    pub fn fetches(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == Method::GET)
            .collect()
    }

    /// The activities of type `kind` POSTed to any inbox of the peer, in order.
    pub fn received(&self, kind: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == Method::POST && r.kind().as_deref() == Some(kind))
            .collect()
    }

    /// A POST of `body` to `path` on `server`, to be signed (by default as `alice`) or
    /// broken before it is sent.
    pub fn post<'a>(
        &'a self,
        server: &TestServer,
        path: &str,
        body: impl Into<Vec<u8>>,
    ) -> Post<'a> {
        Post {
            peer: self,
            url: Url::parse(&server.url(path)).expect("url"),
            body: body.into(),
            signer: Signer::Actor("alice".into()),
            date: Utc::now(),
            replacement: None,
        }
    }

    /// POSTs `activity` to `path` on `server`, signed with `signed_by`'s key.
    pub async fn deliver(
        &self,
        server: &TestServer,
        path: &str,
        activity: &Value,
        signed_by: &str,
    ) -> (StatusCode, Value) {
        self.post(server, path, serde_json::to_vec(activity).unwrap())
            .signed_by(signed_by)
            .send()
            .await
    }
}

enum Signer {
    None,
    Actor(String),
    Key { key_id: String, private_pem: String },
}

/// A request being prepared by [`Peer::post`].
pub struct Post<'a> {
    peer: &'a Peer,
    url: Url,
    body: Vec<u8>,
    signer: Signer,
    date: DateTime<Utc>,
    replacement: Option<Vec<u8>>,
}

impl Post<'_> {
    /// Signed with the key of the peer's actor `name`, under its key id.
    pub fn signed_by(mut self, name: &str) -> Self {
        self.signer = Signer::Actor(name.to_string());
        self
    }

    /// Signed with any private key under any key id.
    pub fn signed_with(mut self, key_id: &str, private_pem: &str) -> Self {
        self.signer = Signer::Key {
            key_id: key_id.to_string(),
            private_pem: private_pem.to_string(),
        };
        self
    }

    /// Not signed at all (no Signature, no Digest).
    pub fn unsigned(mut self) -> Self {
        self.signer = Signer::None;
        self
    }

    /// Signed as if at `date` (the Date header says so too).
    pub fn dated(mut self, date: DateTime<Utc>) -> Self {
        self.date = date;
        self
    }

    /// Signed over the original body, then sent with `body` instead.
    pub fn body_replaced_after_signing(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.replacement = Some(body.into());
        self
    }

    /// Sends it; returns the status and the body as JSON (Null if empty, a string if not
    /// JSON).
    pub async fn send(self) -> (StatusCode, Value) {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON));
        let signer = match self.signer {
            Signer::None => None,
            Signer::Actor(name) => Some(RequestSigner::from_pem(
                self.peer.key_id(&name),
                &self.peer.keys(&name).private_pem,
            )),
            Signer::Key {
                key_id,
                private_pem,
            } => Some(RequestSigner::from_pem(key_id, &private_pem)),
        };
        if let Some(signer) = signer {
            signer
                .expect("signing key")
                .sign(
                    Scheme::DraftCavage,
                    &Method::POST,
                    &self.url,
                    &mut headers,
                    Some(&self.body),
                    self.date,
                )
                .expect("request signed");
        }
        let body = self.replacement.unwrap_or(self.body);
        let res = self
            .peer
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(body)
            .send()
            .await
            .expect("request sent");
        let status = res.status();
        let text = res.text().await.expect("body read");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, json)
    }
}

async fn handle(State(state): State<Arc<PeerState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 4 << 20)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    state.requests.lock().unwrap().push(Recorded {
        method: parts.method.clone(),
        path: path.clone(),
        headers: parts.headers.clone(),
        body,
    });

    let route = parts.uri.path();
    if parts.method == Method::POST {
        return if route == "/inbox" || route.ends_with("/inbox") {
            StatusCode::ACCEPTED.into_response()
        } else {
            StatusCode::NOT_FOUND.into_response()
        };
    }
    if parts.method != Method::GET {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if route == "/.well-known/webfinger" {
        return webfinger(&state, parts.uri.query().unwrap_or_default());
    }
    let served = state.documents.lock().unwrap().get(path.as_str()).cloned();
    if let Some(document) = served {
        return ([(CONTENT_TYPE, ACTIVITY_JSON)], document.to_string()).into_response();
    }
    let Some(name) = route.strip_prefix("/users/") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let actor = state.actors.lock().unwrap().get(name).cloned();
    match actor {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(a) if a.gone => StatusCode::GONE.into_response(),
        Some(a) => {
            let id = format!("{}/users/{name}", state.base);
            let doc = json!({
                "@context": [
                    "https://www.w3.org/ns/activitystreams",
                    "https://w3id.org/security/v1"
                ],
                "id": id,
                "type": a.kind,
                "preferredUsername": name,
                "name": name,
                "inbox": format!("{id}/inbox"),
                "outbox": format!("{id}/outbox"),
                "followers": format!("{id}/followers"),
                "endpoints": {"sharedInbox": format!("{}/inbox", state.base)},
                "publicKey": {
                    "id": format!("{id}#main-key"),
                    "owner": id,
                    "publicKeyPem": a.keys.public_pem,
                },
            });
            ([(CONTENT_TYPE, ACTIVITY_JSON)], doc.to_string()).into_response()
        }
    }
}

fn webfinger(state: &PeerState, query: &str) -> Response {
    let resource = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "resource")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let domain = state.base.trim_start_matches("http://");
    let name = resource
        .strip_prefix("acct:")
        .and_then(|r| r.strip_suffix(&format!("@{domain}")))
        .unwrap_or_default();
    if !state.actors.lock().unwrap().contains_key(name) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let jrd = json!({
        "subject": resource,
        "links": [{
            "rel": "self",
            "type": ACTIVITY_JSON,
            "href": format!("{}/users/{name}", state.base),
        }],
    });
    ([(CONTENT_TYPE, "application/jrd+json")], jrd.to_string()).into_response()
}
