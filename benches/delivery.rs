//! Outgoing delivery and discussion federation, on SQLite and PostgreSQL.
//!
//! Run with `cargo bench --bench delivery`; set `COPSE_BENCH_POSTGRES_URL` (a server on
//! which databases may be created, e.g. `postgres://postgres@127.0.0.1:5432/postgres`) to
//! include PostgreSQL, `COPSE_BENCH_BACKLOG` to change the size of the backlog drained in 4
//! (default 100000), and `COPSE_BENCH_ACTIVITIES` the number of activities per ingest run in
//! 3 (default 2000).
//!
//! 1. Fan-out: one community Announce queued for 1,000 inboxes, then the delivery worker
//!    started; the time until every inbox has received it. The inboxes are loopback servers
//!    that check every request's HTTP signature with copse's verifier (key loaded once) and
//!    answer 202. Two layouts: 1,000 inboxes on 50 servers (20 each) and 1,000 servers with
//!    one inbox each. The baseline is `openssl speed -seconds 3 rsa2048`, run in the same
//!    process tree: every delivery costs one RSA-2048 signature.
//! 2. Latency: two copse servers on loopback, B following a community of A through the API.
//!    Posts are created on A through the API one after another; for each, the time until
//!    B's API lists it (B is polled every millisecond).
//! 3. Inbox ingest: `inbox::receive` on pre-signed `Create(Note)` comments to a post of a
//!    local community with 10 remote followers on 10 servers (so each comment also queues
//!    10 Announces), from cached remote actors (no network), one at a time and 8 at a time.
//! 4. Backlog: a large queue drained to 10 loopback servers that answer 202 at once; the
//!    rate, and the resident memory of the process sampled every second.
//!
//! The receiving servers run on a runtime (and threads) of their own, so the CPU time of
//! copse's threads is reported apart from theirs. PostgreSQL's own processes are not counted.

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{PgBench, cores, cpu_model};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use chrono::Utc;
use copse::App;
use copse::accounts::{self, NewAccount, User};
use copse::communities::{self, NewCommunity};
use copse::config::Config;
use copse::db::remote_actors::{self, ActorRecord};
use copse::discussions::posts::{self as discussion_posts, PostInput};
use copse::federation::delivery::{self, worker};
use copse::federation::inbox::{self, InboxRequest, Received};
use copse::federation::keys::{self, KeyPair};
use copse::federation::publish;
use copse::federation::signatures::{IncomingRequest, RequestSigner, Scheme, VerifyingKey, parse};
use copse::federation::urls::Urls;
use copse::server::Server;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use tokio::runtime::Handle;
use tokio::sync::{Notify, watch};
use url::Url;

/// The public domain of the single-process benchmarks (1, 3, 4): nothing fetches from it.
const DOMAIN: &str = "127.0.0.1:1";
const COMMUNITY: &str = "bench";
const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const ACTIVITY_JSON: &str = "application/activity+json";
const INBOX_PATH: &str = "/inbox";

const FANOUT_INBOXES: usize = 1000;
const LATENCY_POSTS: usize = 100;
const LATENCY_WARMUP: usize = 3;
const LATENCY_GOAL_MS: f64 = 50.0;
const FANOUT_GOAL: f64 = 0.6;
const REMOTE_ACTORS: usize = 50;
const REMOTE_HOSTS: usize = 10;
const CONCURRENCY: usize = 8;
const BACKLOG_SINKS: usize = 10;
/// Inboxes per queued activity in the backlog (one `enqueue` call each).
const BACKLOG_FANOUT: usize = 1000;

fn main() {
    let backlog: usize = env_count("COPSE_BENCH_BACKLOG", 100_000);
    let activities: usize = env_count("COPSE_BENCH_ACTIVITIES", 2000);
    // `COPSE_BENCH_ONLY=1,4` runs those parts alone (to profile one, say).
    let only: Option<Vec<String>> = std::env::var("COPSE_BENCH_ONLY")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| s.split(',').map(|p| p.trim().to_string()).collect());
    let part = |n: &str| only.as_ref().is_none_or(|o| o.iter().any(|p| p == n));
    let backends: Vec<Backend> = std::iter::once(Backend::Sqlite)
        .chain(
            std::env::var("COPSE_BENCH_POSTGRES_URL")
                .ok()
                .filter(|s| !s.is_empty())
                .map(Backend::Postgres),
        )
        .collect();
    let started = Instant::now();
    println!("copse delivery benchmark");
    println!("machine: {} cores, {}", cores(), cpu_model());
    println!("load average at start: {}", load_average());
    if backends.len() == 1 {
        println!("PostgreSQL skipped: set COPSE_BENCH_POSTGRES_URL to include it");
    }

    let before = openssl_speed();
    match &before {
        Some((version, sign, verify)) => println!(
            "baseline `openssl speed -seconds 3 rsa2048` ({version}): {sign:.0} sign/s, {verify:.0} verify/s (one core, per CPU-second)"
        ),
        None => println!(
            "baseline: the openssl command is missing or its output was not understood; no ratios"
        ),
    }
    let sign_rate = before.as_ref().map(|b| b.1);
    println!();

    let copse_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(|| register_thread(Role::Copse))
        .build()
        .expect("copse runtime");
    let sink_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .on_thread_start(|| register_thread(Role::Sink))
        .build()
        .expect("receivers' runtime");
    let sinks = sink_rt.handle().clone();

    let mut summary: Vec<(String, Rates)> = Vec::new();
    copse_rt.block_on(async {
        if part("1") {
        println!(
            "1. Fan-out of one Announce ({} B) to {FANOUT_INBOXES} inboxes that verify every signature",
            announce_body_len()
        );
        println!(
            "   worker defaults: delivery_concurrency 32, delivery_per_instance 4; copse runtime {} threads, receivers 1 thread",
            cores()
        );
        for backend in &backends {
            for (servers, per_server) in [(50, 20), (FANOUT_INBOXES, 1)] {
                let rates = fanout(backend, servers, per_server, &sinks, sign_rate).await;
                summary.push((
                    format!(
                        "fan-out, {} servers x {} inboxes, {}",
                        servers,
                        per_server,
                        backend.name()
                    ),
                    rates,
                ));
            }
        }
        println!();
        }

        if part("2") {
        println!(
            "2. Latency from a post created on A (API) to listed on B (API), {LATENCY_POSTS} posts after {LATENCY_WARMUP} warm-up, B polled every 1 ms"
        );
        for backend in &backends {
            latency(backend).await;
        }
        println!();
        }

        if part("3") {
        println!(
            "3. Inbox ingest of signed Create(Note) replies to a local post; the community has 10 remote followers on 10 servers"
        );
        ingest(&backends, activities).await;
        println!();
        }

        if part("4") {
        println!(
            "4. Backlog drain: {backlog} deliveries ({BACKLOG_FANOUT} inboxes per activity) to {BACKLOG_SINKS} loopback servers answering 202, no verification"
        );
        for backend in &backends {
            let rates = drain(backend, backlog, &sinks, sign_rate).await;
            summary.push((format!("backlog drain, {}", backend.name()), rates));
        }
        }
    });
    println!();

    let after = openssl_speed();
    let baseline = match (&before, &after) {
        (Some(b), Some(a)) => Some((b.1 + a.1) / 2.0),
        (Some(b), None) => Some(b.1),
        _ => None,
    };
    println!(
        "Summary: deliveries per second against one core's RSA-2048 signs (goal: wall rate >= {FANOUT_GOAL}x)"
    );
    if let (Some(b), Some(a)) = (&before, &after) {
        println!(
            "  `openssl speed -seconds 3 rsa2048`: {:.0} sign/s before, {:.0} sign/s after; ratios use the mean, {:.0}/s",
            b.1,
            a.1,
            (b.1 + a.1) / 2.0
        );
    }
    println!(
        "  {:<44} {:>20} {:>26}",
        "", "per second of wall", "per CPU-second of copse"
    );
    for (label, rates) in &summary {
        let cell = |rate: f64| match baseline {
            Some(base) => format!("{rate:>8.0}/s {:>6.2}x", rate / base),
            None => format!("{rate:>8.0}/s {:>7}", ""),
        };
        println!(
            "  {label:<44} {:>20} {:>26}",
            cell(rates.wall),
            cell(rates.per_cpu)
        );
    }
    println!("load average at end: {}", load_average());
    println!("total time: {:.0} s", started.elapsed().as_secs_f64());
    // Receivers may still hold connections; the runtimes go without waiting for them.
    copse_rt.shutdown_background();
    sink_rt.shutdown_background();
}

/// A delivery rate per second of wall time, and per second of CPU time of copse's threads.
struct Rates {
    wall: f64,
    per_cpu: f64,
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------
// Backends and servers

enum Backend {
    Sqlite,
    /// The administrative URL of a PostgreSQL server.
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

/// A database for one App: a SQLite file in `dir`, or a fresh PostgreSQL database.
struct Store {
    url: String,
    dir: tempfile::TempDir,
    _pg: Option<PgBench>,
}

impl Store {
    fn new(backend: &Backend, tag: &str) -> Store {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => Store {
                url: format!("sqlite://{}", dir.path().join("copse.db").display()),
                dir,
                _pg: None,
            },
            Backend::Postgres(admin) => {
                let name = format!("copse_bench_delivery_{}_{tag}", std::process::id());
                let pg = PgBench::create(admin, &name);
                Store {
                    url: pg.url.clone(),
                    dir,
                    _pg: Some(pg),
                }
            }
        }
    }
}

fn config(store: &Store, domain: &str) -> Config {
    let vars = [
        (
            "COPSE_DATA_DIR",
            store.dir.path().to_string_lossy().to_string(),
        ),
        ("COPSE_DATABASE_URL", store.url.clone()),
        ("COPSE_DEV", "true".to_string()),
        ("COPSE_DOMAIN", domain.to_string()),
        // A benchmark floods on purpose; it measures copse, not its rate limits.
        ("COPSE_RATE_LIMIT_ENABLED", "false".to_string()),
    ];
    Config::from_env(&|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("benchmark configuration is valid")
}

async fn create_user(app: &App, name: &str) -> User {
    accounts::create_by_admin(
        &app.db,
        NewAccount {
            username: name.into(),
            email: format!("{name}@example.org"),
            password: password_of(name),
            reason: None,
        },
        false,
    )
    .await
    .expect("user created")
}

fn password_of(name: &str) -> String {
    format!("{name}-long-password")
}

/// An App on `DOMAIN` with a user `owner` and a community `bench`: its id, actor id and
/// public key.
async fn app_with_community(store: &Store) -> (App, User, i64, String, String) {
    let app = App::open(config(store, DOMAIN)).await.expect("app opens");
    let owner = create_user(&app, "owner").await;
    let details = communities::create(
        &app.db,
        &owner,
        NewCommunity {
            name: COMMUNITY.into(),
            title: "Benchmark".into(),
            summary: None,
            language: None,
        },
    )
    .await
    .expect("community created");
    let ap_id = Urls::new(&app.config).community(COMMUNITY);
    (
        app,
        owner,
        details.community.id,
        ap_id,
        details.community.public_key_pem,
    )
}

/// A Create of a Page as a community member's server sends it, about 1.5 kB once announced.
fn create_page(author: &str, community: &str, n: usize) -> Value {
    let body = "Our ward moved handover to the bedside last spring. Falls dropped, but handover \
                takes longer and night staff say the patients wake. Has anyone measured the \
                effect on sleep, or found a way to keep it short? We use SBAR with a printed \
                checklist; the checklist is attached to the wiki page of the unit.";
    json!({
        "@context": AS_CONTEXT,
        "id": format!("http://{DOMAIN}/activities/create/{n}"),
        "type": "Create",
        "actor": author,
        "to": [PUBLIC, community],
        "cc": [format!("{community}/followers")],
        "audience": community,
        "object": {
            "id": format!("http://{DOMAIN}/post/{n}"),
            "type": "Page",
            "attributedTo": author,
            "name": format!("Bedside handover, case {n}"),
            "content": format!("<p>{body}</p>"),
            "mediaType": "text/html",
            "source": {"content": body, "mediaType": "text/markdown"},
            "to": [PUBLIC, community],
            "audience": community,
            "published": "2026-11-25T10:00:00Z",
            "sensitive": false,
        },
    })
}

fn announce_body_len() -> usize {
    let community = format!("http://{DOMAIN}/c/{COMMUNITY}");
    let announce = json!({
        "@context": AS_CONTEXT,
        "id": format!("http://{DOMAIN}/activities/announce/00000000-0000-0000-0000-000000000000"),
        "type": "Announce",
        "actor": community,
        "to": [PUBLIC],
        "cc": [format!("{community}/followers")],
        "object": create_page(&format!("http://{DOMAIN}/u/owner"), &community, 0),
    });
    serde_json::to_string(&announce).unwrap().len()
}

// ---------------------------------------------------------------------------------------
// Thread CPU accounting

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Copse,
    Sink,
}

static THREADS: Mutex<Vec<(Role, String)>> = Mutex::new(Vec::new());

fn register_thread(role: Role) {
    // `/proc/thread-self` links to `<pid>/task/<tid>`.
    if let Ok(link) = std::fs::read_link("/proc/thread-self") {
        let tid = link
            .to_string_lossy()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        THREADS.lock().unwrap().push((role, tid));
    }
}

/// Run and wait nanoseconds of each live thread of a role.
struct CpuSnapshot(HashMap<String, (u64, u64)>);

impl CpuSnapshot {
    fn take(role: Role) -> CpuSnapshot {
        let tids: Vec<String> = THREADS
            .lock()
            .unwrap()
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, t)| t.clone())
            .collect();
        let mut map = HashMap::new();
        for tid in tids {
            if let Ok(text) = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")) {
                let mut f = text
                    .split_whitespace()
                    .map(|v| v.parse::<u64>().unwrap_or(0));
                map.insert(tid, (f.next().unwrap_or(0), f.next().unwrap_or(0)));
            }
        }
        CpuSnapshot(map)
    }

    /// Seconds on a CPU and seconds waiting for one since `before` (threads started since
    /// count from zero; threads that ended are lost).
    fn since(&self, before: &CpuSnapshot) -> (f64, f64) {
        let (mut run, mut wait) = (0u64, 0u64);
        for (tid, (r, w)) in &self.0 {
            let (r0, w0) = before.0.get(tid).copied().unwrap_or((0, 0));
            run += r.saturating_sub(r0);
            wait += w.saturating_sub(w0);
        }
        (run as f64 / 1e9, wait as f64 / 1e9)
    }
}

/// CPU time (user + system clock ticks) of the PostgreSQL backends serving this benchmark's
/// databases, when the server runs on this machine (its shared background processes, such
/// as the WAL writer, are left out: other users' work shows there too).
fn postgres_ticks() -> HashMap<u32, u64> {
    let ours = format!("copse_bench_delivery_{}_", std::process::id());
    let mut map = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return map;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if &stat[open + 1..close] != "postgres" {
            continue;
        }
        // A backend's title names its database: `postgres: user db 127.0.0.1(port) idle`.
        let title = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&title).contains(&ours) {
            continue;
        }
        // After the command: state, ppid, … utime and stime are the 12th and 13th.
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        map.insert(pid, ticks(11) + ticks(12));
    }
    map
}

/// CPU use over one measurement.
struct Cpu {
    /// Seconds copse's threads ran.
    run: f64,
    /// Seconds they were runnable but waited for a CPU (other processes had it).
    wait: f64,
    /// Seconds the receiving servers' thread ran.
    sink: f64,
    /// Seconds the PostgreSQL backends of this benchmark ran (0 on SQLite).
    db: f64,
}

impl Cpu {
    /// What one delivery (of `n`) cost, in words.
    fn describe(&self, n: usize, sign_rate: Option<f64>) -> String {
        let per_us = 1e6 * self.run / n as f64;
        let mut text = format!(
            "copse CPU {:.2} s ({per_us:.0} µs per delivery{}), waiting for a CPU {:.0}% of its runnable time",
            self.run,
            match sign_rate {
                Some(s) => format!(", {:.2} RSA signs' worth", per_us * s / 1e6),
                None => String::new(),
            },
            100.0 * self.wait / (self.run + self.wait).max(f64::EPSILON)
        );
        if self.db > 0.0 {
            text.push_str(&format!(
                "; PostgreSQL backends' CPU {:.2} s ({:.0} µs per delivery)",
                self.db,
                1e6 * self.db / n as f64
            ));
        }
        text.push_str(&format!("; receivers' CPU {:.2} s", self.sink));
        text
    }
}

/// CPU use of copse's threads, the receivers' threads and PostgreSQL over one measurement.
struct CpuWindow {
    copse: CpuSnapshot,
    sink: CpuSnapshot,
    postgres: HashMap<u32, u64>,
}

impl CpuWindow {
    fn start() -> CpuWindow {
        CpuWindow {
            copse: CpuSnapshot::take(Role::Copse),
            sink: CpuSnapshot::take(Role::Sink),
            postgres: postgres_ticks(),
        }
    }

    fn end(&self) -> Cpu {
        let (run, wait) = CpuSnapshot::take(Role::Copse).since(&self.copse);
        let (sink, _) = CpuSnapshot::take(Role::Sink).since(&self.sink);
        let db_ticks: u64 = postgres_ticks()
            .iter()
            .map(|(pid, t)| t.saturating_sub(self.postgres.get(pid).copied().unwrap_or(0)))
            .sum();
        Cpu {
            run,
            wait,
            sink,
            // Linux reports process times in 1/100 s.
            db: db_ticks as f64 / 100.0,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Receiving servers

/// What every receiving server of one run shares.
struct SinkShared {
    /// The key to verify with and the key id expected; `None`: answer without checking.
    key: Option<(VerifyingKey, String)>,
    ok: AtomicUsize,
    bad: AtomicUsize,
    target: usize,
    finished_at: Mutex<Option<Instant>>,
    done: Notify,
    first_error: Mutex<Option<String>>,
}

/// Loopback servers on the receivers' runtime; stopped when dropped.
struct Sinks {
    shared: Arc<SinkShared>,
    addrs: Vec<SocketAddr>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Sinks {
    fn start(
        rt: &Handle,
        servers: usize,
        target: usize,
        key: Option<(VerifyingKey, String)>,
    ) -> Sinks {
        let shared = Arc::new(SinkShared {
            key,
            ok: AtomicUsize::new(0),
            bad: AtomicUsize::new(0),
            target,
            finished_at: Mutex::new(None),
            done: Notify::new(),
            first_error: Mutex::new(None),
        });
        let mut addrs = Vec::with_capacity(servers);
        let mut tasks = Vec::with_capacity(servers);
        for _ in 0..servers {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback port");
            listener.set_nonblocking(true).unwrap();
            addrs.push(listener.local_addr().unwrap());
            let router = Router::new()
                .fallback(receive_post)
                .with_state(shared.clone());
            tasks.push(rt.spawn(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let _ = axum::serve(listener, router).await;
            }));
        }
        Sinks {
            shared,
            addrs,
            tasks,
        }
    }

    fn received(&self) -> usize {
        self.shared.ok.load(Ordering::SeqCst) + self.shared.bad.load(Ordering::SeqCst)
    }

    /// Waits until the target is reached; the instant it was, or `None` on time-out.
    async fn wait(&self, timeout: Duration) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.received() >= self.shared.target {
                return *self.shared.finished_at.lock().unwrap();
            }
            let notified = self.shared.done.notified();
            if self.received() >= self.shared.target {
                continue;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    fn check_all_verified(&self) {
        let bad = self.shared.bad.load(Ordering::SeqCst);
        assert_eq!(
            bad,
            0,
            "{bad} requests failed verification; first: {:?}",
            self.shared.first_error.lock().unwrap()
        );
    }
}

impl Drop for Sinks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn receive_post(
    State(shared): State<Arc<SinkShared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let verdict = match &shared.key {
        None => Ok(()),
        Some((key, key_id)) => {
            let path = uri.path_and_query().map_or("/", |p| p.as_str());
            let incoming = IncomingRequest::new(&method, path, &headers, &body).with_scheme("http");
            parse(&incoming, Utc::now())
                .and_then(|pending| pending.verify_with(key))
                .map_err(|e| e.to_string())
                .and_then(|v| {
                    if &v.key_id == key_id {
                        Ok(())
                    } else {
                        Err(format!("signed by {}", v.key_id))
                    }
                })
        }
    };
    let (counter, status) = match &verdict {
        Ok(()) => (&shared.ok, StatusCode::ACCEPTED),
        Err(e) => {
            shared.first_error.lock().unwrap().get_or_insert(e.clone());
            (&shared.bad, StatusCode::UNAUTHORIZED)
        }
    };
    counter.fetch_add(1, Ordering::SeqCst);
    let total = shared.ok.load(Ordering::SeqCst) + shared.bad.load(Ordering::SeqCst);
    if total == shared.target {
        *shared.finished_at.lock().unwrap() = Some(Instant::now());
        shared.done.notify_one();
    }
    status
}

async fn queue_len(app: &App) -> i64 {
    use copse::db::schema::deliveries;
    use diesel::QueryDsl;
    app.db
        .run(|c| Ok(deliveries::table.count().get_result::<i64>(c)?))
        .await
        .expect("count the queue")
}

/// Waits (up to 30 s) for the worker to settle every row it sent.
async fn wait_queue_empty(app: &App) -> Duration {
    let t = Instant::now();
    while queue_len(app).await > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the queue did not empty"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    t.elapsed()
}

// ---------------------------------------------------------------------------------------
// 1. Fan-out

async fn fanout(
    backend: &Backend,
    servers: usize,
    per_server: usize,
    sink_rt: &Handle,
    sign_rate: Option<f64>,
) -> Rates {
    let store = Store::new(backend, &format!("fanout{servers}"));
    let (app, _owner, _id, community, public_pem) = app_with_community(&store).await;
    let key = VerifyingKey::from_pem(&public_pem).unwrap();
    let key_id = Urls::key_id(&community);
    let inboxes_total = servers * per_server;
    let sinks = Sinks::start(sink_rt, servers, inboxes_total, Some((key, key_id)));
    let inboxes: Vec<String> = (0..per_server)
        .flat_map(|p| {
            sinks
                .addrs
                .iter()
                .map(move |a| format!("http://{a}/u/r{p}/inbox"))
        })
        .collect();

    let author = Urls::new(&app.config).person("owner");
    let create = create_page(&author, &community, 1);
    let urls = Urls::new(&app.config);
    let t = Instant::now();
    {
        let community = community.clone();
        app.db
            .transaction(move |c| publish::announce_to(c, &urls, &community, &create, &inboxes))
            .await
            .expect("queued");
    }
    let enqueue_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(queue_len(&app).await as usize, inboxes_total);

    let (stop_tx, stop_rx) = watch::channel(false);
    let cpu = CpuWindow::start();
    let t = Instant::now();
    let handle = worker::spawn(app.clone(), stop_rx);
    let finished = sinks
        .wait(Duration::from_secs(120))
        .await
        .expect("every inbox received the activity within 2 minutes");
    let secs = finished.duration_since(t).as_secs_f64();
    let cpu = cpu.end();
    let settle = wait_queue_empty(&app).await;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
    sinks.check_all_verified();
    app.db.close();

    let rate = inboxes_total as f64 / secs;
    println!(
        "   {:<10} {:>4} servers x {:>2} inboxes: {:>6.0} ms, {:>6.0} deliveries/s{}",
        backend.name(),
        servers,
        per_server,
        secs * 1e3,
        rate,
        match sign_rate {
            Some(s) => format!("  = {:.2}x one core's sign rate", rate / s),
            None => String::new(),
        }
    );
    println!(
        "   {:<10} {}; enqueue {:.0} ms; last rows settled {:.0} ms after the last receipt",
        "",
        cpu.describe(inboxes_total, sign_rate),
        enqueue_ms,
        settle.as_secs_f64() * 1e3
    );
    Rates {
        wall: rate,
        per_cpu: inboxes_total as f64 / (cpu.run + cpu.db),
    }
}

// ---------------------------------------------------------------------------------------
// 2. Latency between two servers

/// A copse server in this process, federating on loopback.
struct Instance {
    app: App,
    base: String,
    domain: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<copse::Result<()>>,
    _store: Store,
}

impl Instance {
    async fn start(backend: &Backend, tag: &str) -> Instance {
        let store = Store::new(backend, tag);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let addr = listener.local_addr().unwrap();
        let domain = addr.to_string();
        let app = App::open(config(&store, &domain)).await.expect("app opens");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(
            Server::with_listener(app.clone(), listener).run(async move {
                let _ = stopped.await;
            }),
        );
        Instance {
            app,
            base: format!("http://{addr}"),
            domain,
            stop: Some(stop),
            task,
            _store: store,
        }
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), &mut self.task).await;
        self.task.abort();
        self.app.db.close();
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (reqwest::StatusCode, Value) {
    let mut req = client.request(method, url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request sent");
    let status = res.status();
    let text = res.text().await.expect("body read");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    };
    (status, json)
}

async fn login(client: &reqwest::Client, s: &Instance, name: &str) -> String {
    let (status, body) = call(
        client,
        reqwest::Method::POST,
        format!("{}/api/v1/auth/login", s.base),
        None,
        Some(json!({"username": name, "password": password_of(name)})),
    )
    .await;
    assert!(status.is_success(), "{body}");
    body["token"].as_str().expect("token").to_string()
}

async fn latency(backend: &Backend) {
    let client = reqwest::Client::new();
    let a = Instance::start(backend, "latency_a").await;
    let b = Instance::start(backend, "latency_b").await;
    create_user(&a.app, "mira").await;
    create_user(&b.app, "ana").await;
    let mira = login(&client, &a, "mira").await;
    let ana = login(&client, &b, "ana").await;
    let (status, body) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/communities", a.base),
        Some(&mira),
        Some(json!({"name": "nursing", "title": "Nursing practice"})),
    )
    .await;
    assert!(status.is_success(), "{body}");
    let community = format!("!nursing@{}", a.domain);
    let (status, follow) = call(
        &client,
        reqwest::Method::POST,
        format!("{}/api/v1/follows", b.base),
        Some(&ana),
        Some(json!({"target": community})),
    )
    .await;
    assert!(status.is_success(), "{follow}");
    let follow_id = follow["id"].as_i64().unwrap();
    let t = Instant::now();
    loop {
        let (_, list) = call(
            &client,
            reqwest::Method::GET,
            format!("{}/api/v1/follows", b.base),
            Some(&ana),
            None,
        )
        .await;
        let accepted = list.as_array().is_some_and(|l| {
            l.iter()
                .any(|f| f["id"].as_i64() == Some(follow_id) && f["state"] == "accepted")
        });
        if accepted {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the follow was not accepted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let follow_ms = t.elapsed().as_secs_f64() * 1e3;
    let list_url = format!(
        "{}/api/v1/posts?community={}&sort=new&limit=5",
        b.base,
        url::form_urlencoded::byte_serialize(community.as_bytes()).collect::<String>()
    );

    let cpu = CpuWindow::start();
    let mut visible_ms = Vec::with_capacity(LATENCY_POSTS);
    let mut create_ms = Vec::with_capacity(LATENCY_POSTS);
    let mut polls = 0usize;
    let mut first_ms = 0.0;
    let started = Instant::now();
    for i in 0..LATENCY_WARMUP + LATENCY_POSTS {
        let t = Instant::now();
        let (status, created) = call(
            &client,
            reqwest::Method::POST,
            format!("{}/api/v1/posts", a.base),
            Some(&mira),
            Some(json!({
                "community": "nursing",
                "title": format!("Handover case {i}"),
                "body": "Bedside handover with **SBAR**: does it keep patients awake?",
            })),
        )
        .await;
        assert!(status.is_success(), "{created}");
        let created_at = t.elapsed();
        let ap_id = created["ap_id"].as_str().unwrap().to_string();
        loop {
            let (status, list) =
                call(&client, reqwest::Method::GET, list_url.clone(), None, None).await;
            polls += 1;
            assert!(status.is_success(), "{list}");
            if list
                .as_array()
                .is_some_and(|l| l.iter().any(|p| p["ap_id"] == ap_id.as_str()))
            {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "post {i} did not reach B within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if i == 0 {
            first_ms = t.elapsed().as_secs_f64() * 1e3;
        }
        if i >= LATENCY_WARMUP {
            visible_ms.push(t.elapsed().as_secs_f64() * 1e3);
            create_ms.push(created_at.as_secs_f64() * 1e3);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let Cpu { run, wait, db, .. } = cpu.end();
    visible_ms.sort_by(f64::total_cmp);
    create_ms.sort_by(f64::total_cmp);
    let p50 = percentile(&visible_ms, 0.50);
    println!(
        "   {:<10} create->listed on B: p50 {:>5.1} ms  p90 {:>5.1} ms  p99 {:>5.1} ms  max {:>5.1} ms  ({:.0}% of the {LATENCY_GOAL_MS:.0} ms goal at p50)",
        backend.name(),
        p50,
        percentile(&visible_ms, 0.90),
        percentile(&visible_ms, 0.99),
        visible_ms.last().copied().unwrap_or_default(),
        100.0 * p50 / LATENCY_GOAL_MS
    );
    println!(
        "   {:<10} of which the create call on A: p50 {:.1} ms, p99 {:.1} ms; first (warm-up) post {:.1} ms; follow accepted in {:.0} ms",
        "",
        percentile(&create_ms, 0.50),
        percentile(&create_ms, 0.99),
        first_ms,
        follow_ms,
    );
    println!(
        "   {:<10} {} polls of B; copse CPU {:.0}% of {:.1} s wall (both servers and the client), waiting for a CPU {:.0}% of its runnable time{}",
        "",
        polls,
        100.0 * run / wall,
        wall,
        100.0 * wait / (run + wait).max(f64::EPSILON),
        if db > 0.0 {
            format!(
                "; PostgreSQL backends' CPU {:.0}% of the wall time",
                100.0 * db / wall
            )
        } else {
            String::new()
        }
    );
    a.shutdown().await;
    b.shutdown().await;
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

// ---------------------------------------------------------------------------------------
// 3. Inbox ingest of Create(Note)

/// One remote actor, cached on the receiving side, with its key ready to sign.
struct Remote {
    ap_id: String,
    host: String,
    pair: KeyPair,
    signer: RequestSigner,
}

/// A request as it would arrive at the inbox, signed before any timing starts.
struct Signed {
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn ingest(backends: &[Backend], n: usize) {
    let t = Instant::now();
    let remotes: Arc<Vec<Remote>> = Arc::new(
        tokio::task::spawn_blocking(|| {
            parallel_map(REMOTE_ACTORS, |i| {
                let host = format!("remote{}.example", i % REMOTE_HOSTS);
                let ap_id = format!("http://{host}/users/a{i}");
                let pair = keys::generate().expect("key pair");
                let signer =
                    RequestSigner::from_pem(format!("{ap_id}#main-key"), &pair.private_pem)
                        .expect("signer");
                Remote {
                    ap_id,
                    host,
                    pair,
                    signer,
                }
            })
        })
        .await
        .unwrap(),
    );
    let keygen = t.elapsed().as_secs_f64();
    // The post's id is the same on every backend: the first post of a fresh database.
    let post = format!("http://{DOMAIN}/post/1");
    let community = format!("http://{DOMAIN}/c/{COMMUNITY}");
    let t = Instant::now();
    let (follows, warmup, seq, conc) = {
        let remotes = remotes.clone();
        let (post, community) = (post.clone(), community.clone());
        tokio::task::spawn_blocking(move || {
            let build = |label: &str, count: usize| -> Vec<Signed> {
                parallel_map(count, |i| {
                    let remote = &remotes[i % remotes.len()];
                    sign(remote, note_body(remote, label, i, &post, &community))
                })
            };
            let follows: Vec<Signed> = (0..REMOTE_HOSTS)
                .map(|i| {
                    let remote = &remotes[i];
                    let id = format!("http://{}/activities/follow-{i}", remote.host);
                    sign(remote, follow_body(&remote.ap_id, &id, &community))
                })
                .collect();
            (
                follows,
                build("warmup", 32),
                build("seq", n),
                Arc::new(build("conc", n)),
            )
        })
        .await
        .unwrap()
    };
    println!(
        "   ({REMOTE_ACTORS} remote actors on {REMOTE_HOSTS} hosts, keys made in {keygen:.1} s; {} requests signed in {:.1} s, before any timing; {n} per run)",
        follows.len() + warmup.len() + 2 * n,
        t.elapsed().as_secs_f64()
    );
    println!(
        "   {:<10} {:>16} {:>20} {:>9} {:>20}",
        "backend",
        "sequential",
        format!("{CONCURRENCY} concurrent"),
        "speedup",
        "Announces queued/s"
    );
    for backend in backends {
        let store = Store::new(backend, "ingest");
        let (app, owner, _id, _community, _pem) = app_with_community(&store).await;
        let venue = discussion_posts::venue(&app, COMMUNITY)
            .await
            .expect("venue");
        let view = discussion_posts::create(
            &app,
            &owner,
            venue,
            PostInput {
                title: "Bedside handover".into(),
                body: Some("Does it keep patients awake?".into()),
                ..PostInput::default()
            },
        )
        .await
        .expect("post created");
        assert_eq!(view.ap_id, post, "the post has the expected id");
        for remote in remotes.iter() {
            let record = ActorRecord {
                ap_id: remote.ap_id.clone(),
                kind: "Person".into(),
                domain: remote.host.clone(),
                username: remote.ap_id.rsplit('/').next().unwrap().to_string(),
                display_name: None,
                inbox: format!("{}/inbox", remote.ap_id),
                shared_inbox: Some(format!("http://{}/inbox", remote.host)),
                followers_url: Some(format!("{}/followers", remote.ap_id)),
                outbox_url: Some(format!("{}/outbox", remote.ap_id)),
                public_key_id: format!("{}#main-key", remote.ap_id),
                public_key_pem: remote.pair.public_pem.clone(),
                manually_approves_followers: false,
                fetched_at: copse::time::now(),
                summary: None,
            };
            app.db
                .run(move |c| Ok(remote_actors::upsert(c, &record)?))
                .await
                .expect("actor cached");
        }
        for req in &follows {
            check(receive(&app, req).await);
        }
        for req in &warmup {
            check(receive(&app, req).await);
        }
        let queued_before = queue_len(&app).await;
        assert_eq!(
            queued_before as usize,
            REMOTE_HOSTS + warmup.len() * REMOTE_HOSTS,
            "10 Accepts, then 10 Announces per comment"
        );

        let t = Instant::now();
        for req in &seq {
            check(receive(&app, req).await);
        }
        let seq_secs = t.elapsed().as_secs_f64();
        let conc_secs = concurrently(&app, &conc).await;
        let queued = queue_len(&app).await - queued_before;
        assert_eq!(queued as usize, 2 * n * REMOTE_HOSTS);
        let seq_rate = n as f64 / seq_secs;
        let conc_rate = n as f64 / conc_secs;
        println!(
            "   {:<10} {:>14.0}/s {:>18.0}/s {:>8.2}x {:>18.0}/s",
            backend.name(),
            seq_rate,
            conc_rate,
            conc_rate / seq_rate,
            conc_rate * REMOTE_HOSTS as f64
        );
        println!(
            "   {:<10} {:>13.0} µs {:>17.0} µs",
            "",
            1e6 * seq_secs / n as f64,
            1e6 * conc_secs / n as f64
        );
        app.db.close();
    }
}

/// Ingests `requests` with [`CONCURRENCY`] tasks taking the next one in turn; seconds taken.
async fn concurrently(app: &App, requests: &Arc<Vec<Signed>>) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let t = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let app = app.clone();
            let requests = Arc::clone(requests);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(req) = requests.get(i) else { break };
                    check(receive(&app, req).await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("ingest task");
    }
    t.elapsed().as_secs_f64()
}

async fn receive(app: &App, req: &Signed) -> copse::Result<Received> {
    inbox::receive(
        app,
        InboxRequest {
            method: &Method::POST,
            path_and_query: INBOX_PATH,
            headers: &req.headers,
            body: &req.body,
        },
    )
    .await
}

fn check(outcome: copse::Result<Received>) {
    match outcome {
        Ok(Received::Applied) => {}
        Ok(Received::Duplicate) => panic!("an activity was taken for a duplicate"),
        Err(e) => panic!("an activity was refused: {e}"),
    }
}

fn sign(remote: &Remote, body: Vec<u8>) -> Signed {
    let url = Url::parse(&format!("http://{DOMAIN}{INBOX_PATH}")).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON));
    remote
        .signer
        .sign(
            Scheme::DraftCavage,
            &Method::POST,
            &url,
            &mut headers,
            Some(&body),
            Utc::now(),
        )
        .expect("signed");
    Signed { headers, body }
}

fn follow_body(actor: &str, id: &str, community: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "Follow",
        "actor": actor,
        "object": community,
        "to": [community],
    }))
    .unwrap()
}

/// A Mastodon-like reply to `post`, addressed to its community.
fn note_body(remote: &Remote, label: &str, i: usize, post: &str, community: &str) -> Vec<u8> {
    let actor = &remote.ap_id;
    let text = format!(
        "We tried bedside handover on two wards ({i}). Sleep scores did not change, but \
         handover took four minutes longer per patient until the checklist was shortened."
    );
    serde_json::to_vec(&json!({
        "@context": AS_CONTEXT,
        "id": format!("http://{}/activities/create-{label}-{i}", remote.host),
        "type": "Create",
        "actor": actor,
        "to": [PUBLIC],
        "cc": [community, format!("{actor}/followers")],
        "audience": community,
        "object": {
            "id": format!("http://{}/notes/{label}-{i}", remote.host),
            "type": "Note",
            "attributedTo": actor,
            "inReplyTo": post,
            "content": format!("<p>{text}</p>"),
            "mediaType": "text/html",
            "source": {"content": text, "mediaType": "text/markdown"},
            "to": [PUBLIC],
            "cc": [community],
            "audience": community,
            "published": "2026-11-25T10:00:00Z",
        },
    }))
    .unwrap()
}

/// `f(0..count)` on every core, in order.
fn parallel_map<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = cores().min(count.max(1));
    let chunk = count.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                s.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(count))
                        .map(f)
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------
// 4. Backlog drain

async fn drain(backend: &Backend, n: usize, sink_rt: &Handle, sign_rate: Option<f64>) -> Rates {
    let store = Store::new(backend, "backlog");
    let (app, _owner, _id, community, _pem) = app_with_community(&store).await;
    let sinks = Sinks::start(sink_rt, BACKLOG_SINKS, n, None);
    let inboxes: Arc<Vec<String>> = Arc::new(
        (0..BACKLOG_FANOUT)
            .map(|i| {
                format!(
                    "http://{}/u/r{}/inbox",
                    sinks.addrs[i % BACKLOG_SINKS],
                    i / BACKLOG_SINKS
                )
            })
            .collect(),
    );
    let author = Urls::new(&app.config).person("owner");
    let rss_before = rss_kb(Path::new("/proc/self/status")) as f64 / 1024.0;
    let t = Instant::now();
    let activities = n.div_ceil(BACKLOG_FANOUT);
    // Ten activities (10,000 rows) per transaction.
    for first in (0..activities).step_by(10) {
        let last = (first + 10).min(activities);
        let urls = Urls::new(&app.config);
        let community = community.clone();
        let author = author.clone();
        let inboxes = inboxes.clone();
        app.db
            .transaction(move |c| {
                for a in first..last {
                    let count = (n - a * BACKLOG_FANOUT).min(BACKLOG_FANOUT);
                    let create = create_page(&author, &community, a);
                    publish::announce_to(c, &urls, &community, &create, &inboxes[..count])?;
                }
                Ok(())
            })
            .await
            .expect("queued");
    }
    let enqueue_secs = t.elapsed().as_secs_f64();
    assert_eq!(queue_len(&app).await as usize, n);

    let sampler = RssSampler::start(Duration::from_secs(1));
    let progress = Arc::new(Mutex::new(Vec::<(f64, usize)>::new()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let cpu = CpuWindow::start();
    let t = Instant::now();
    let handle = worker::spawn(app.clone(), stop_rx);
    delivery::wake(&app);
    // The received count once a second, to compare the rate early and late in the drain.
    let counter = {
        let progress = progress.clone();
        let shared = sinks.shared.clone();
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let got = shared.ok.load(Ordering::SeqCst);
                progress
                    .lock()
                    .unwrap()
                    .push((start.elapsed().as_secs_f64(), got));
                if got >= shared.target {
                    break;
                }
            }
        })
    };
    let finished = sinks
        .wait(Duration::from_secs(1800))
        .await
        .expect("the backlog drained within 30 minutes");
    let secs = finished.duration_since(t).as_secs_f64();
    let cpu = cpu.end();
    counter.abort();
    let settle = wait_queue_empty(&app).await;
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
    let samples = sampler.stop();
    app.db.close();

    let rate = n as f64 / secs;
    println!(
        "   {:<10} enqueue {:.1} s ({:.0} rows/s); drain {:.1} s: {:>6.0} deliveries/s{}",
        backend.name(),
        enqueue_secs,
        n as f64 / enqueue_secs,
        secs,
        rate,
        match sign_rate {
            Some(s) => format!("  = {:.2}x one core's sign rate", rate / s),
            None => String::new(),
        }
    );
    let progress = progress.lock().unwrap().clone();
    let window = |from: f64, to: f64| -> Option<f64> {
        let at = |x: f64| {
            progress
                .iter()
                .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
                .copied()
        };
        let (a, b) = (at(from)?, at(to)?);
        (b.0 > a.0).then(|| (b.1 - a.1) as f64 / (b.0 - a.0))
    };
    let third = secs / 3.0;
    if let (Some(early), Some(late)) = (window(0.0, third), window(2.0 * third, secs)) {
        println!(
            "   {:<10} rate in the first third {early:.0}/s, in the last third {late:.0}/s",
            ""
        );
    }
    println!(
        "   {:<10} {}; queue empty {:.0} ms after the last receipt",
        "",
        cpu.describe(n, sign_rate),
        settle.as_secs_f64() * 1e3
    );
    if let (Some(first), Some(last)) = (samples.first(), samples.last()) {
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = samples.iter().copied().fold(0.0, f64::max);
        println!(
            "   {:<10} RSS every 1 s ({} samples): first {first:.1} MB, min {min:.1} MB, max {max:.1} MB, last {last:.1} MB; {rss_before:.1} MB before the enqueue",
            "",
            samples.len()
        );
        let step = samples.len().div_ceil(12).max(1);
        let series: Vec<String> = samples
            .iter()
            .step_by(step)
            .map(|mb| format!("{mb:.0}"))
            .collect();
        println!("   {:<10} RSS MB every {step} s: {}", "", series.join(" "));
    }
    Rates {
        wall: rate,
        per_cpu: n as f64 / (cpu.run + cpu.db),
    }
}

/// Samples this process's `VmRSS` on a thread of its own.
struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<f64>>,
}

impl RssSampler {
    fn start(every: Duration) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut next = Instant::now();
            while !flag.load(Ordering::SeqCst) {
                if Instant::now() >= next {
                    samples.push(rss_kb(Path::new("/proc/self/status")) as f64 / 1024.0);
                    next += every;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            samples
        });
        RssSampler { stop, thread }
    }

    fn stop(self) -> Vec<f64> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("sampler")
    }
}

fn rss_kb(status: &Path) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Baseline and machine

/// Runs `openssl speed -seconds 3 rsa2048`: its version, signs and verifies per second.
fn openssl_speed() -> Option<(String, f64, f64)> {
    let version = Command::new("openssl").arg("version").output().ok()?;
    let version = String::from_utf8_lossy(&version.stdout)
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let out = Command::new("openssl")
        .args(["speed", "-seconds", "3", "rsa2048"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let (sign, verify) = parse_openssl_speed(&String::from_utf8_lossy(&out.stdout))?;
    Some((version, sign, verify))
}

/// Reads sign/s and verify/s for RSA 2048 from `openssl speed` output, whose columns differ
/// between OpenSSL 3.1 and 3.2; the column header names the positions.
fn parse_openssl_speed(output: &str) -> Option<(f64, f64)> {
    let lines: Vec<&str> = output.lines().collect();
    let row = lines.iter().position(|l| {
        let t: Vec<&str> = l.split_whitespace().collect();
        t.first() == Some(&"rsa") && t.get(1) == Some(&"2048") && t.get(2) == Some(&"bits")
    })?;
    let header: Vec<&str> = lines[..row]
        .iter()
        .rev()
        .find(|l| l.contains("sign/s") && l.contains("verify/s"))?
        .split_whitespace()
        .collect();
    let values: Vec<f64> = lines[row]
        .split_whitespace()
        .skip(3)
        .map(|v| v.trim_end_matches('s').parse::<f64>())
        .collect::<Result<_, _>>()
        .ok()?;
    if values.len() != header.len() {
        return None;
    }
    let at = |name: &str| header.iter().position(|h| *h == name).map(|i| values[i]);
    Some((at("sign/s")?, at("verify/s")?))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
