//! The soak driver: a steady mixed load against the real `copse` binary, then checks that
//! nothing was lost.
//!
//! Shared by the short test (`tests/it/soak.rs`, the debug binary, about 40 s) and the long
//! benchmark (`benches/soak.rs`, the release binary, 30 minutes per backend). It:
//!
//! - starts `copse serve` as a child process on a free loopback port, with a `copse.toml` in a
//!   temporary directory (development federation, rate limits off), on SQLite or on a
//!   PostgreSQL database the caller made; the admin and four users come from
//!   `copse admin create-user`, three communities from the API;
//! - starts five fake servers in this process, each publishing actors with keys (WebFinger,
//!   NodeInfo saying Lemmy) whose actors follow communities through signed `Follow`s: three
//!   answer at once, one (`slow`) answers every inbox POST after a delay, one (`down`) is
//!   stopped once its follow is accepted, so deliveries to it fail and wait in the queue;
//! - runs, for the given time and at a moderate steady rate, readers (API reads with every
//!   sort, threads, people, ActivityPub actors, outboxes and objects, WebFinger, NodeInfo,
//!   web pages), writers (each user posts, comments, votes and edits through the API) and the
//!   peers' inbox traffic (signed `Create(Note)` replies, `Like`/`Dislike`, `Follow`/`Undo`);
//! - samples the child's resident memory (`VmRSS`) throughout;
//! - then checks: no answer 5xx and no request without an answer; every write answered 2xx
//!   is readable as written (posts, comments, edits, scores, follower counts, listings); every
//!   activity meant for a healthy peer reached it, and the queue holds nothing but the down
//!   peer's deliveries.
//!
//! Everything it talks to is on 127.0.0.1, and every loop is bounded by a deadline.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use copse::federation::keys::{self, KeyPair};
use copse::federation::signatures::{RequestSigner, Scheme};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use url::Url;

const ACTIVITY_JSON: &str = "application/activity+json";
const AS: &str = "https://www.w3.org/ns/activitystreams";
const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const PASSWORD: &str = "soak-test-password";
const ADMIN: &str = "keeper";
const USERS: [&str; 4] = ["ana", "ben", "cleo", "dara"];

/// The communities and the share of the load each gets: `quiet` is followed by the slow
/// peer, so what it must carry stays under what four deliveries at a time can take.
const COMMUNITIES: [(&str, &str, u32); 3] = [
    ("nursing", "Nursing practice", 60),
    ("medicine", "Emergency medicine", 35),
    ("quiet", "A quiet corner", 5),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Health {
    Fast,
    Slow,
    Down,
}

/// A fake server: its actors and the community each follows (index into COMMUNITIES), the
/// community its `churn` actor follows and leaves over and over, whether it sends traffic.
struct PeerPlan {
    name: &'static str,
    health: Health,
    follows: &'static [(&'static str, usize)],
    churn: Option<usize>,
    sends: bool,
}

static PEERS: [PeerPlan; 5] = [
    PeerPlan {
        name: "p1",
        health: Health::Fast,
        follows: &[("alice", 0), ("bob", 1)],
        churn: Some(0),
        sends: true,
    },
    PeerPlan {
        name: "p2",
        health: Health::Fast,
        follows: &[("alice", 0), ("bob", 2)],
        churn: Some(1),
        sends: true,
    },
    PeerPlan {
        name: "p3",
        health: Health::Fast,
        follows: &[("alice", 1), ("bob", 1)],
        churn: Some(2),
        sends: true,
    },
    PeerPlan {
        name: "slow",
        health: Health::Slow,
        follows: &[("alice", 2)],
        churn: None,
        sends: true,
    },
    PeerPlan {
        name: "down",
        health: Health::Down,
        follows: &[("alice", 0)],
        churn: None,
        sends: false,
    },
];

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// `SQLite` or `PostgreSQL`, for the report.
    pub label: String,
    /// A PostgreSQL database for copse (it must exist and be empty); `None`: SQLite in the
    /// data directory.
    pub database_url: Option<String>,
    /// How long the load runs.
    pub duration: Duration,
    /// Requests per second, all kinds together (readers 60 %, writers 20 %, inboxes 20 %).
    pub rate: f64,
    /// How often the resident memory is sampled.
    pub rss_every: Duration,
    /// How long the slow peer takes to answer an inbox POST.
    pub slow_delay: Duration,
    /// How long, after the load, the queue may take to reach every healthy peer.
    pub drain_deadline: Duration,
    /// The share of the run after which memory counts as warmed up.
    pub warm_up_fraction: f64,
}

impl Options {
    pub fn new(label: &str, database_url: Option<String>, duration: Duration) -> Options {
        Options {
            label: label.to_string(),
            database_url,
            duration,
            rate: 30.0,
            rss_every: Duration::from_secs(5),
            slow_delay: Duration::from_secs(3),
            drain_deadline: Duration::from_secs(180),
            warm_up_fraction: 0.1,
        }
    }
}

/// Latency and answers of one kind of request.
#[derive(Debug, Clone)]
pub struct KindFigures {
    pub kind: &'static str,
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Answers 4xx (not failures by themselves: some writes may be refused on purpose).
    pub client_errors: u64,
    pub server_errors: u64,
    pub unanswered: u64,
}

/// What a run measured and found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub label: String,
    pub target_rate: f64,
    /// How long the load actually ran.
    pub load_seconds: f64,
    pub kinds: Vec<KindFigures>,
    pub requests: u64,
    pub server_errors: u64,
    pub unanswered: u64,
    pub client_errors: u64,
    /// The first few 5xx answers, unanswered requests and 4xx answers, described.
    pub first_server_errors: Vec<String>,
    pub first_unanswered: Vec<String>,
    pub first_client_errors: Vec<String>,
    /// 5xx answers counted by copse itself (`copse_http_requests_total`), over the whole run.
    pub metrics_server_errors: Option<u64>,
    /// Everything that should be there and is not.
    pub losses: Vec<String>,
    /// How much was checked.
    pub checked: BTreeMap<&'static str, u64>,
    /// (seconds since the load began, VmRSS in kB).
    pub rss: Vec<(f64, u64)>,
    pub rss_warm_kb: u64,
    pub rss_end_kb: u64,
    pub rss_max_kb: u64,
    /// Activities each peer received (answered), by peer.
    pub received: Vec<(String, u64)>,
    /// Seconds from the end of the load until every healthy peer had all it should.
    pub drain_seconds: Option<f64>,
    /// Deliveries left in the queue for the down peer at the end.
    pub parked_for_down: i64,
    /// CPU seconds (user + system) the copse process used, from its start.
    pub cpu_seconds: f64,
    /// Exit code of copse after SIGTERM.
    pub exit_code: Option<i32>,
    /// Lines of copse's log at WARN or ERROR, and the first few of them.
    pub log_warnings: u64,
    pub first_log_warnings: Vec<String>,
}

impl Report {
    /// The correctness failures: 5xx, requests without an answer, anything lost, an unclean
    /// exit. Empty when the run passed.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.server_errors > 0 {
            out.push(format!(
                "{} answers 5xx, first: {:?}",
                self.server_errors, self.first_server_errors
            ));
        }
        if let Some(n) = self.metrics_server_errors
            && n > 0
        {
            out.push(format!("copse's /metrics counts {n} answers 5xx"));
        }
        if self.unanswered > 0 {
            out.push(format!(
                "{} requests without an answer, first: {:?}",
                self.unanswered, self.first_unanswered
            ));
        }
        if !self.losses.is_empty() {
            out.push(format!(
                "{} losses, first: {:?}",
                self.losses.len(),
                &self.losses[..self.losses.len().min(10)]
            ));
        }
        if self.exit_code != Some(0) {
            out.push(format!(
                "copse exited {:?} after SIGTERM, not 0",
                self.exit_code
            ));
        }
        out
    }

    /// The memory failure: RSS at the end above the RSS after warm-up by more than 10 % + 2 MB.
    pub fn rss_growth_failure(&self) -> Option<String> {
        let allowed = self.rss_warm_kb + self.rss_warm_kb / 10 + 2048;
        (self.rss_end_kb > allowed).then(|| {
            format!(
                "resident memory grew from {} kB after warm-up to {} kB at the end (allowed {allowed} kB)",
                self.rss_warm_kb, self.rss_end_kb
            )
        })
    }

    pub fn print(&self) {
        println!(
            "== {}: load {:.0} s at a target of {:.0} req/s",
            self.label, self.load_seconds, self.target_rate
        );
        println!(
            "requests {} ({:.1}/s); 5xx {}; unanswered {}; 4xx {}",
            self.requests,
            self.requests as f64 / self.load_seconds.max(1e-9),
            self.server_errors,
            self.unanswered,
            self.client_errors
        );
        println!(
            "  {:<22} {:>7} {:>9} {:>9} {:>9} {:>5} {:>5}",
            "kind", "count", "p50 ms", "p99 ms", "max ms", "4xx", "5xx"
        );
        for k in &self.kinds {
            println!(
                "  {:<22} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>5} {:>5}",
                k.kind, k.count, k.p50_ms, k.p99_ms, k.max_ms, k.client_errors, k.server_errors
            );
        }
        println!(
            "RSS: after warm-up {:.1} MB, end {:.1} MB, max {:.1} MB ({} samples)",
            self.rss_warm_kb as f64 / 1024.0,
            self.rss_end_kb as f64 / 1024.0,
            self.rss_max_kb as f64 / 1024.0,
            self.rss.len()
        );
        let step = (self.rss.len() / 10).max(1);
        let series: Vec<String> = self
            .rss
            .iter()
            .step_by(step)
            .map(|(t, kb)| format!("{t:.0}s {:.1}", *kb as f64 / 1024.0))
            .collect();
        println!("RSS over time (MB): {}", series.join(", "));
        println!(
            "copse CPU {:.1} s (user + system), {:.0} % of one core over the load",
            self.cpu_seconds,
            100.0 * self.cpu_seconds / self.load_seconds.max(1e-9)
        );
        let received: Vec<String> = self
            .received
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        println!("activities received by the peers: {}", received.join(", "));
        match self.drain_seconds {
            Some(s) => println!(
                "queue reached every healthy peer {s:.1} s after the load; {} deliveries wait for the down peer",
                self.parked_for_down
            ),
            None => println!("queue did NOT reach every healthy peer in time"),
        }
        let checked: Vec<String> = self
            .checked
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        println!("checked: {}", checked.join(", "));
        if let Some(n) = self.metrics_server_errors {
            println!("5xx counted by copse's /metrics: {n}");
        }
        println!(
            "copse log: {} lines at WARN or ERROR{}",
            self.log_warnings,
            if self.first_log_warnings.is_empty() {
                String::new()
            } else {
                format!(", first: {:?}", self.first_log_warnings)
            }
        );
        if !self.first_client_errors.is_empty() {
            println!("first 4xx: {:?}", self.first_client_errors);
        }
        println!("exit after SIGTERM: {:?}", self.exit_code);
        let failures = self.failures();
        if failures.is_empty() {
            println!("correctness: OK (no 5xx, nothing lost)");
        } else {
            for f in failures {
                println!("FAILED: {f}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Statistics of the requests sent.

#[derive(Default)]
struct KindStats {
    micros: Vec<u32>,
    client_errors: u64,
    server_errors: u64,
    unanswered: u64,
}

#[derive(Default)]
struct Stats {
    kinds: Mutex<BTreeMap<&'static str, KindStats>>,
    first_server_errors: Mutex<Vec<String>>,
    first_unanswered: Mutex<Vec<String>>,
    first_client_errors: Mutex<Vec<String>>,
}

const FIRST: usize = 10;

fn keep_first(list: &Mutex<Vec<String>>, what: String) {
    let mut list = list.lock().unwrap();
    if list.len() < FIRST {
        list.push(what);
    }
}

impl Stats {
    fn record(&self, kind: &'static str, took: Duration, answer: &Result<(u16, String), String>) {
        let label = |what: &str| format!("{kind}: {what}");
        {
            let mut kinds = self.kinds.lock().unwrap();
            let k = kinds.entry(kind).or_default();
            k.micros
                .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
            match answer {
                Ok((status, _)) if *status >= 500 => k.server_errors += 1,
                Ok((status, _)) if *status >= 400 => k.client_errors += 1,
                Ok(_) => {}
                Err(_) => k.unanswered += 1,
            }
        }
        match answer {
            Ok((status, body)) if *status >= 500 => {
                keep_first(
                    &self.first_server_errors,
                    label(&format!("{status} {body}")),
                );
            }
            Ok((status, body)) if *status >= 400 => {
                keep_first(
                    &self.first_client_errors,
                    label(&format!("{status} {body}")),
                );
            }
            Ok(_) => {}
            Err(e) => keep_first(&self.first_unanswered, label(e)),
        }
    }

    fn figures(&self) -> Vec<KindFigures> {
        let kinds = self.kinds.lock().unwrap();
        kinds
            .iter()
            .map(|(kind, k)| {
                let mut v = k.micros.clone();
                v.sort_unstable();
                let at = |p: f64| -> f64 {
                    if v.is_empty() {
                        return 0.0;
                    }
                    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
                    f64::from(v[i]) / 1000.0
                };
                KindFigures {
                    kind,
                    count: v.len(),
                    p50_ms: at(0.50),
                    p99_ms: at(0.99),
                    max_ms: v.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
                    client_errors: k.client_errors,
                    server_errors: k.server_errors,
                    unanswered: k.unanswered,
                }
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// The copse process.

struct Copse {
    child: Option<Child>,
    pid: u32,
    base: String,
    domain: String,
    log: PathBuf,
}

impl Copse {
    fn command(config: &Path) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_copse"));
        for (name, _) in std::env::vars() {
            if name.starts_with("COPSE_") {
                cmd.env_remove(name);
            }
        }
        cmd.arg("--config").arg(config).stdin(Stdio::null());
        cmd
    }

    /// Writes the configuration, creates the accounts with the CLI, starts `serve`.
    async fn start(dir: &Path, database_url: Option<&str>) -> Copse {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let domain = format!("127.0.0.1:{port}");
        let data = dir.join("data");
        let mut config = format!(
            "domain = {domain:?}\nbind = {domain:?}\ndata_dir = {:?}\ndev = true\nlog = \"warn\"\n",
            data.to_string_lossy()
        );
        if let Some(url) = database_url {
            config.push_str(&format!("database_url = {url:?}\n"));
        }
        config.push_str("\n[rate_limit]\nenabled = false\n");
        let config_path = dir.join("copse.toml");
        std::fs::write(&config_path, config).expect("write copse.toml");

        for (name, admin) in std::iter::once((ADMIN, true)).chain(USERS.map(|u| (u, false))) {
            let mut cmd = Self::command(&config_path);
            cmd.args(["admin", "create-user", name, "--email"])
                .arg(format!("{name}@example.org"))
                .env("COPSE_PASSWORD", PASSWORD);
            if admin {
                cmd.arg("--admin");
            }
            let out = tokio::task::spawn_blocking(move || cmd.output())
                .await
                .expect("join")
                .expect("copse admin create-user runs");
            assert!(
                out.status.success(),
                "copse admin create-user {name}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }

        let log = dir.join("copse.log");
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Self::command(&config_path)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("copse serve starts");
        let pid = child.id();
        let mut copse = Copse {
            child: Some(child),
            pid,
            base: format!("http://{domain}"),
            domain,
            log,
        };
        copse.wait_healthy().await;
        copse
    }

    async fn wait_healthy(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await
                && r.status() == reqwest::StatusCode::OK
            {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "copse serve exited with {status} before answering: {}",
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "copse did not answer /healthz within 90 s: {}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }

    /// User + system CPU seconds so far (clock ticks of 1/100 s, as on Linux).
    fn cpu_seconds(&self) -> f64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return 0.0;
        };
        // Fields after the command name (which is in parentheses and may hold spaces).
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        (ticks(11) + ticks(12)) as f64 / 100.0
    }

    /// SIGTERM, then the exit code (killed after 60 s).
    async fn stop(&mut self) -> Option<i32> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Lines at WARN or ERROR, and the first few.
    fn warnings(&self) -> (u64, Vec<String>) {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut n = 0;
        let mut first = Vec::new();
        for line in text.lines() {
            if line.contains(" WARN ") || line.contains(" ERROR ") {
                n += 1;
                if first.len() < 5 {
                    first.push(line.chars().take(300).collect());
                }
            }
        }
        (n, first)
    }
}

impl Drop for Copse {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Fake servers.

struct PeerShared {
    base: String,
    actors: Mutex<HashMap<String, KeyPair>>,
    delay: Duration,
    /// Keys of what was received (see [`keys_of`]), with how often.
    seen: Mutex<HashMap<String, u32>>,
    posts: AtomicU64,
}

struct FakePeer {
    plan: &'static PeerPlan,
    addr: SocketAddr,
    shared: Arc<PeerShared>,
    signers: HashMap<String, Arc<RequestSigner>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    counter: AtomicU64,
}

impl FakePeer {
    async fn start(plan: &'static PeerPlan, slow_delay: Duration) -> FakePeer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback port");
        let addr = listener.local_addr().expect("bound address");
        let shared = Arc::new(PeerShared {
            base: format!("http://{addr}"),
            actors: Mutex::default(),
            delay: if plan.health == Health::Slow {
                slow_delay
            } else {
                Duration::ZERO
            },
            seen: Mutex::default(),
            posts: AtomicU64::new(0),
        });
        let mut names: Vec<&str> = plan.follows.iter().map(|(a, _)| *a).collect();
        if plan.churn.is_some() {
            names.push("churn");
        }
        let mut signers = HashMap::new();
        for name in names {
            let pair = keys::generate_async().await.expect("key pair");
            let key_id = format!("{}/users/{name}#main-key", shared.base);
            let signer = RequestSigner::from_pem(key_id, &pair.private_pem).expect("signer");
            signers.insert(name.to_string(), Arc::new(signer));
            shared.actors.lock().unwrap().insert(name.to_string(), pair);
        }
        let app = Router::new()
            .fallback(peer_handle)
            .with_state(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        FakePeer {
            plan,
            addr,
            shared,
            signers,
            stop: Some(stop),
            task: Some(task),
            counter: AtomicU64::new(0),
        }
    }

    fn domain(&self) -> String {
        self.addr.to_string()
    }

    fn actor_id(&self, name: &str) -> String {
        format!("{}/users/{name}", self.shared.base)
    }

    fn fresh_id(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}/{kind}/{n}", self.shared.base)
    }

    fn has(&self, key: &str) -> u32 {
        self.shared
            .seen
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    /// Stops answering: the port closes and connections are refused.
    async fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
        {
            panic!("the down peer did not stop within 10 s");
        }
    }
}

impl Drop for FakePeer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// What a received activity is about, as keys: `Create|<object id>`, `Update|<object id>`,
/// `Accept|<follow id>`…; for an `Announce`, the announced activity's type and object.
fn keys_of(body: &Value) -> Vec<String> {
    fn id_of(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Object(_) => v["id"].as_str().unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }
    let kind = body["type"].as_str().unwrap_or_default();
    let object = &body["object"];
    if kind == "Announce" && object.is_object() {
        let inner = object["type"].as_str().unwrap_or_default();
        vec![format!("{inner}|{}", id_of(&object["object"]))]
    } else {
        vec![format!("{kind}|{}", id_of(object))]
    }
}

async fn peer_handle(State(state): State<Arc<PeerShared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 4 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    if parts.method == Method::POST {
        if !path.ends_with("/inbox") {
            return StatusCode::NOT_FOUND.into_response();
        }
        if !state.delay.is_zero() {
            tokio::time::sleep(state.delay).await;
        }
        // Counted when answered: a POST the client gave up on was not received.
        let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        {
            let mut seen = state.seen.lock().unwrap();
            for key in keys_of(&value) {
                *seen.entry(key).or_default() += 1;
            }
        }
        state.posts.fetch_add(1, Ordering::Relaxed);
        return StatusCode::ACCEPTED.into_response();
    }
    if parts.method != Method::GET {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let base = &state.base;
    let json_answer = |v: Value| ([(CONTENT_TYPE, ACTIVITY_JSON)], v.to_string()).into_response();
    match path.as_str() {
        "/.well-known/nodeinfo" => {
            return json_answer(json!({"links": [{
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": format!("{base}/nodeinfo/2.1")}]}));
        }
        "/nodeinfo/2.1" => {
            return json_answer(json!({"version": "2.1",
                "software": {"name": "lemmy", "version": "0.19.20"},
                "protocols": ["activitypub"], "openRegistrations": false,
                "usage": {"users": {"total": 3}}}));
        }
        "/.well-known/webfinger" => {
            let resource = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .find(|(k, _)| k == "resource")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let domain = base.trim_start_matches("http://");
            let name = resource
                .strip_prefix("acct:")
                .and_then(|r| r.strip_suffix(&format!("@{domain}")))
                .unwrap_or_default()
                .to_string();
            if !state.actors.lock().unwrap().contains_key(&name) {
                return StatusCode::NOT_FOUND.into_response();
            }
            return (
                [(CONTENT_TYPE, "application/jrd+json")],
                json!({"subject": resource, "links": [{"rel": "self",
                    "type": ACTIVITY_JSON, "href": format!("{base}/users/{name}")}]})
                .to_string(),
            )
                .into_response();
        }
        _ => {}
    }
    let Some(name) = path.strip_prefix("/users/") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(pair) = state.actors.lock().unwrap().get(name).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id = format!("{base}/users/{name}");
    json_answer(json!({
        "@context": [AS, "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": name,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{base}/inbox")},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id,
            "publicKeyPem": pair.public_pem},
    }))
}

// ---------------------------------------------------------------------------------------
// Requests to copse.

struct Http {
    client: reqwest::Client,
    base: String,
    stats: Stats,
}

/// An answer: status and body, or why there was none.
type Answer = Result<(u16, String), String>;

impl Http {
    async fn send(&self, kind: &'static str, request: reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                match res.text().await {
                    Ok(text) => Ok((status, text)),
                    Err(e) => Err(format!("body of a {status}: {e}")),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        self.stats.record(kind, started.elapsed(), &answer);
        answer
    }

    async fn api(
        &self,
        kind: &'static str,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        self.send(kind, req).await
    }

    async fn get(&self, kind: &'static str, path: &str, accept: &str) -> Answer {
        let req = self
            .client
            .get(format!("{}{path}", self.base))
            .header(ACCEPT, accept);
        self.send(kind, req).await
    }

    /// POSTs `activity` to `path`, signed by `signer` (draft-cavage, as Lemmy signs).
    async fn deliver(
        &self,
        kind: &'static str,
        path: &str,
        signer: &RequestSigner,
        activity: &Value,
    ) -> Answer {
        let url = Url::parse(&format!("{}{path}", self.base)).expect("inbox url");
        let body = serde_json::to_vec(activity).expect("json");
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON));
        signer
            .sign(
                Scheme::DraftCavage,
                &Method::POST,
                &url,
                &mut headers,
                Some(&body),
                chrono::Utc::now(),
            )
            .expect("request signed");
        let req = self.client.post(url).headers(headers).body(body);
        self.send(kind, req).await
    }
}

/// The JSON of a 2xx answer.
fn ok_json(answer: &Answer) -> Option<Value> {
    match answer {
        Ok((status, text)) if (200..300).contains(status) => serde_json::from_str(text).ok(),
        _ => None,
    }
}

fn is_2xx(answer: &Answer) -> bool {
    matches!(answer, Ok((status, _)) if (200..300).contains(status))
}

// ---------------------------------------------------------------------------------------
// What was written, to check afterwards.

struct PostRec {
    id: i64,
    ap_id: String,
    community: usize,
    author: usize,
    title: String,
    body: String,
    edits: u32,
    base_score: i64,
}

struct CommentRec {
    id: i64,
    ap_id: String,
    post_id: i64,
    community: usize,
    author: usize,
    body: String,
    edits: u32,
    base_score: i64,
}

struct RemoteComment {
    note_id: String,
    post_id: i64,
    community: usize,
    peer: usize,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Voter {
    Local(usize),
    Remote(String),
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Post(i64),
    Comment(i64),
}

struct Churn {
    peer: usize,
    community: usize,
    /// The standing Follow, while following.
    following: Option<Value>,
    /// A request went unanswered: the state is unknown.
    uncertain: bool,
}

#[derive(Default)]
struct Model {
    posts: Vec<PostRec>,
    posts_by_community: Vec<Vec<usize>>,
    posts_by_user: Vec<Vec<usize>>,
    post_index: HashMap<i64, usize>,
    comments: Vec<CommentRec>,
    comments_by_post: HashMap<i64, Vec<usize>>,
    comments_by_user: Vec<Vec<usize>>,
    remote_comments: Vec<RemoteComment>,
    votes: HashMap<(Voter, Target), i64>,
    uncertain_votes: HashSet<Target>,
    churn: Vec<Churn>,
    /// Follows by peers' actors answered 2xx: (peer, Follow id).
    follows: Vec<(usize, String)>,
    /// Counters for unique titles and bodies.
    seq: u64,
}

impl Model {
    fn next(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A post of community `c`, among its latest 50.
    fn pick_post(&self, rng: &mut StdRng, c: usize) -> Option<&PostRec> {
        let list = &self.posts_by_community[c];
        if list.is_empty() {
            return None;
        }
        let from = list.len().saturating_sub(50);
        Some(&self.posts[list[rng.gen_range(from..list.len())]])
    }

    fn pick_any_post(&self, rng: &mut StdRng) -> Option<&PostRec> {
        if self.posts.is_empty() {
            return None;
        }
        let from = self.posts.len().saturating_sub(200);
        Some(&self.posts[rng.gen_range(from..self.posts.len())])
    }

    fn pick_comment_of(&self, rng: &mut StdRng, post_id: i64) -> Option<&CommentRec> {
        let list = self.comments_by_post.get(&post_id)?;
        if list.is_empty() {
            return None;
        }
        Some(&self.comments[list[rng.gen_range(0..list.len())]])
    }

    fn pick_comment(&self, rng: &mut StdRng) -> Option<&CommentRec> {
        if self.comments.is_empty() {
            return None;
        }
        let from = self.comments.len().saturating_sub(200);
        Some(&self.comments[rng.gen_range(from..self.comments.len())])
    }
}

fn pick_community(rng: &mut StdRng) -> usize {
    let total: u32 = COMMUNITIES.iter().map(|c| c.2).sum();
    let mut r = rng.gen_range(0..total);
    for (i, c) in COMMUNITIES.iter().enumerate() {
        if r < c.2 {
            return i;
        }
        r -= c.2;
    }
    0
}

// ---------------------------------------------------------------------------------------
// The run.

struct Ctx {
    http: Http,
    domain: String,
    tokens: Vec<String>,
    admin_token: String,
    peers: Vec<FakePeer>,
    model: Mutex<Model>,
    end: Instant,
}

impl Ctx {
    fn community_actor(&self, c: usize) -> String {
        format!("http://{}/c/{}", self.domain, COMMUNITIES[c].0)
    }
}

/// Runs the soak and returns what it found. Panics only when the set-up itself fails.
pub async fn run(opts: &Options) -> Report {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut copse = Copse::start(dir.path(), opts.database_url.as_deref()).await;
    let http = Http {
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client"),
        base: copse.base.clone(),
        stats: Stats::default(),
    };

    // Accounts (made by the CLI) log in; the first user makes the communities.
    let login = |name: &'static str| {
        let http = &http;
        async move {
            let answer = http
                .api(
                    "setup",
                    reqwest::Method::POST,
                    "/api/v1/auth/login",
                    None,
                    Some(&json!({"username": name, "password": PASSWORD})),
                )
                .await;
            ok_json(&answer)
                .and_then(|b| b["token"].as_str().map(str::to_string))
                .unwrap_or_else(|| panic!("{name} logs in: {answer:?}"))
        }
    };
    let admin_token = login(ADMIN).await;
    let mut tokens = Vec::new();
    for user in USERS {
        tokens.push(login(user).await);
    }
    for (i, (name, title, _)) in COMMUNITIES.iter().enumerate() {
        let answer = http
            .api(
                "setup",
                reqwest::Method::POST,
                "/api/v1/communities",
                Some(&tokens[i % tokens.len()]),
                Some(&json!({"name": name, "title": title})),
            )
            .await;
        assert!(is_2xx(&answer), "community {name} made: {answer:?}");
    }

    let mut peers = Vec::new();
    for plan in &PEERS {
        peers.push(FakePeer::start(plan, opts.slow_delay).await);
    }
    let ctx_domain = copse.domain.clone();
    let community_actor = |c: usize| format!("http://{ctx_domain}/c/{}", COMMUNITIES[c].0);

    // Each peer's actors follow their community; each Follow must be accepted (its Accept
    // reaches the peer) before the load starts.
    let mut model = Model {
        posts_by_community: vec![Vec::new(); COMMUNITIES.len()],
        posts_by_user: vec![Vec::new(); USERS.len()],
        comments_by_user: vec![Vec::new(); USERS.len()],
        ..Model::default()
    };
    for (p, peer) in peers.iter().enumerate() {
        for (actor, c) in peer.plan.follows {
            let follow = json!({"@context": AS, "id": peer.fresh_id("activities/follow"),
                "type": "Follow", "actor": peer.actor_id(actor), "object": community_actor(*c)});
            let answer = http
                .deliver(
                    "setup",
                    &format!("/c/{}/inbox", COMMUNITIES[*c].0),
                    &peer.signers[*actor],
                    &follow,
                )
                .await;
            assert!(is_2xx(&answer), "{} follows: {answer:?}", peer.plan.name);
            model
                .follows
                .push((p, follow["id"].as_str().unwrap_or_default().to_string()));
        }
        if let Some(c) = peer.plan.churn {
            model.churn.push(Churn {
                peer: p,
                community: c,
                following: None,
                uncertain: false,
            });
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let waiting: Vec<&String> = model
            .follows
            .iter()
            .filter(|(p, id)| peers[*p].has(&format!("Accept|{id}")) == 0)
            .map(|(_, id)| id)
            .collect();
        if waiting.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "follows not accepted within 60 s: {waiting:?}; copse log: {}",
            copse.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let down = peers
        .iter()
        .position(|p| p.plan.health == Health::Down)
        .expect("a down peer");
    let down_domain = peers[down].domain();
    peers[down].shut_down().await;

    // Follower counts before the churn.
    let mut baseline_followers = Vec::new();
    for (name, _, _) in COMMUNITIES {
        let answer = http
            .api(
                "setup",
                reqwest::Method::GET,
                &format!("/api/v1/communities/{name}"),
                None,
                None,
            )
            .await;
        let body = ok_json(&answer).unwrap_or_else(|| panic!("community {name}: {answer:?}"));
        baseline_followers.push(body["followers"].as_i64().unwrap_or(-1));
    }

    let started = Instant::now();
    let ctx = Arc::new(Ctx {
        http,
        domain: copse.domain.clone(),
        tokens,
        admin_token,
        peers,
        model: Mutex::new(model),
        end: started + opts.duration,
    });

    // The load: closed loops, each at a steady rate of its own.
    let mut tasks = tokio::task::JoinSet::new();
    let readers = 3;
    let read_every = Duration::from_secs_f64(readers as f64 / (opts.rate * 0.6));
    for r in 0..readers {
        let ctx = ctx.clone();
        tasks.spawn(async move { reader(ctx, r, read_every).await });
    }
    let write_every = Duration::from_secs_f64(USERS.len() as f64 / (opts.rate * 0.2));
    for u in 0..USERS.len() {
        let ctx = ctx.clone();
        tasks.spawn(async move { writer(ctx, u, write_every).await });
    }
    let senders: Vec<usize> = (0..ctx.peers.len())
        .filter(|p| ctx.peers[*p].plan.sends)
        .collect();
    let send_every = Duration::from_secs_f64(senders.len() as f64 / (opts.rate * 0.2));
    for p in senders {
        let ctx = ctx.clone();
        tasks.spawn(async move { sender(ctx, p, send_every).await });
    }

    // Memory, sampled until the load ends.
    let mut rss: Vec<(f64, u64)> = Vec::new();
    let mut next = started;
    while Instant::now() < ctx.end {
        if let Some(kb) = copse.rss_kb() {
            rss.push((started.elapsed().as_secs_f64(), kb));
        }
        next += opts.rss_every;
        tokio::time::sleep_until(next.min(ctx.end).into()).await;
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("a load task panicked");
    }
    let load_seconds = started.elapsed().as_secs_f64();
    if let Some(kb) = copse.rss_kb() {
        rss.push((load_seconds, kb));
    }

    let mut report = Report {
        label: opts.label.clone(),
        target_rate: opts.rate,
        load_seconds,
        ..Report::default()
    };
    let warm_at = opts.duration.as_secs_f64() * opts.warm_up_fraction;
    report.rss_warm_kb = rss
        .iter()
        .find(|(t, _)| *t >= warm_at)
        .or(rss.last())
        .map_or(0, |s| s.1);
    report.rss_end_kb = rss.last().map_or(0, |s| s.1);
    report.rss_max_kb = rss.iter().map(|s| s.1).max().unwrap_or(0);
    report.rss = rss;

    // The queue must reach every healthy peer; what is left is the down peer's.
    let drain_started = Instant::now();
    let drain_deadline = drain_started + opts.drain_deadline;
    let (missing, queue) = loop {
        let missing = missing_deliveries(&ctx);
        let queue = queue_state(&ctx, &down_domain).await;
        if missing.is_empty() && queue.as_ref().is_ok_and(|q| q.others == 0) {
            report.drain_seconds = Some(drain_started.elapsed().as_secs_f64());
            break (missing, queue);
        }
        if Instant::now() > drain_deadline {
            break (missing, queue);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    report
        .checked
        .insert("deliveries to healthy peers", expected_deliveries(&ctx));
    for m in missing {
        report.losses.push(m);
    }
    match queue {
        Ok(q) => {
            report.parked_for_down = q.down;
            if q.others != 0 {
                report.losses.push(format!(
                    "{} deliveries to healthy peers still queued after {:.0} s: {}",
                    q.others,
                    opts.drain_deadline.as_secs_f64(),
                    q.detail
                ));
            }
        }
        Err(e) => report.losses.push(format!("queue status unreadable: {e}")),
    }
    report.received = ctx
        .peers
        .iter()
        .map(|p| {
            (
                format!(
                    "{}{}",
                    p.plan.name,
                    if p.plan.health == Health::Down {
                        " (before it stopped)"
                    } else {
                        ""
                    }
                ),
                p.shared.posts.load(Ordering::Relaxed),
            )
        })
        .collect();

    check_stored(&ctx, &baseline_followers, &mut report).await;

    // copse's own count of 5xx.
    if let Ok((200, text)) = ctx.http.get("check", "/metrics", "text/plain").await {
        let n: u64 = text
            .lines()
            .filter(|l| l.starts_with("copse_http_requests_total{") && l.contains("status=\"5"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum();
        report.metrics_server_errors = Some(n);
    }

    report.cpu_seconds = copse.cpu_seconds();
    report.kinds = ctx
        .http
        .stats
        .figures()
        .into_iter()
        .filter(|k| k.kind != "setup" && k.kind != "check")
        .collect();
    // Every request counts for 5xx and unanswered, set-up and checks included.
    for k in ctx.http.stats.figures() {
        report.server_errors += k.server_errors;
        report.unanswered += k.unanswered;
        report.client_errors += k.client_errors;
    }
    report.requests = report.kinds.iter().map(|k| k.count as u64).sum();
    report.first_server_errors = ctx.http.stats.first_server_errors.lock().unwrap().clone();
    report.first_unanswered = ctx.http.stats.first_unanswered.lock().unwrap().clone();
    report.first_client_errors = ctx.http.stats.first_client_errors.lock().unwrap().clone();

    report.exit_code = copse.stop().await;
    let (n, first) = copse.warnings();
    report.log_warnings = n;
    report.first_log_warnings = first;
    report
}

/// A steady ticker: a late tick delays the next ones rather than bunching them.
fn every(period: Duration) -> tokio::time::Interval {
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker
}

async fn reader(ctx: Arc<Ctx>, r: usize, period: Duration) {
    let mut rng = StdRng::from_entropy();
    let mut ticker = every(period);
    // Spread the readers' ticks over the period.
    tokio::time::sleep(period.mul_f64(r as f64 / 3.0)).await;
    loop {
        ticker.tick().await;
        if Instant::now() >= ctx.end {
            return;
        }
        read_once(&ctx, &mut rng).await;
    }
}

async fn read_once(ctx: &Ctx, rng: &mut StdRng) {
    let c = pick_community(rng);
    let community = COMMUNITIES[c].0;
    let user = USERS[rng.gen_range(0..USERS.len())];
    let (post, any_post) = {
        let model = ctx.model.lock().unwrap();
        (
            model.pick_post(rng, c).map(|p| p.id),
            model.pick_any_post(rng).map(|p| p.id),
        )
    };
    let json = "application/json";
    let (kind, path, accept): (&'static str, String, &str) = match (rng.gen_range(0..14), any_post)
    {
        (1..=3, _) => {
            let (kind, sort) = match rng.gen_range(0..3) {
                0 => ("read posts new", "new"),
                1 => ("read posts top", "top"),
                _ => ("read posts hot", "hot"),
            };
            let limit = [20, 50, 100][rng.gen_range(0..3)];
            let mut path = format!("/api/v1/posts?community={community}&sort={sort}&limit={limit}");
            if sort == "new"
                && rng.gen_bool(0.3)
                && let Some(id) = post
            {
                path.push_str(&format!("&after={id}"));
            }
            (kind, path, json)
        }
        (4 | 5, Some(id)) => ("read post", format!("/api/v1/posts/{id}"), json),
        (6 | 7, Some(id)) => ("read thread", format!("/api/v1/posts/{id}/comments"), json),
        (6..=8, _) => (
            "read person",
            format!("/api/v1/people/{user}/posts?limit=20"),
            json,
        ),
        (9, _) if rng.gen_bool(0.5) => ("ap actor", format!("/c/{community}"), ACTIVITY_JSON),
        (9, _) => ("ap actor", format!("/u/{user}"), ACTIVITY_JSON),
        (10, _) if rng.gen_bool(0.7) => {
            ("ap outbox", format!("/c/{community}/outbox"), ACTIVITY_JSON)
        }
        (10, _) => ("ap outbox", format!("/u/{user}/outbox"), ACTIVITY_JSON),
        (11, Some(id)) if rng.gen_bool(0.5) => ("ap object", format!("/post/{id}"), ACTIVITY_JSON),
        (11, Some(id)) => ("web page", format!("/post/{id}"), "text/html"),
        (11, None) => ("web page", format!("/c/{community}"), "text/html"),
        (12, _) => {
            let name = if rng.gen_bool(0.5) { community } else { user };
            (
                "webfinger",
                format!("/.well-known/webfinger?resource=acct:{name}@{}", ctx.domain),
                "application/jrd+json",
            )
        }
        (13, _) if rng.gen_bool(0.5) => ("nodeinfo", "/.well-known/nodeinfo".into(), json),
        (13, _) => ("nodeinfo", "/nodeinfo/2.1".into(), json),
        _ => (
            "read community",
            format!("/api/v1/communities/{community}"),
            json,
        ),
    };
    // Only the answer's status matters here; the stats keep it.
    let _ = ctx.http.get(kind, &path, accept).await;
}

async fn writer(ctx: Arc<Ctx>, u: usize, period: Duration) {
    let mut rng = StdRng::from_entropy();
    let mut ticker = every(period);
    tokio::time::sleep(period.mul_f64(u as f64 / USERS.len() as f64)).await;
    loop {
        ticker.tick().await;
        if Instant::now() >= ctx.end {
            return;
        }
        write_once(&ctx, u, &mut rng).await;
    }
}

enum Write {
    Post(usize),
    Comment {
        post: i64,
        community: usize,
        parent: Option<i64>,
    },
    Vote(Target, i64),
    EditPost(usize),
    EditComment(usize),
}

async fn write_once(ctx: &Ctx, u: usize, rng: &mut StdRng) {
    let c = pick_community(rng);
    let roll = rng.gen_range(0..100);
    let write = {
        let model = ctx.model.lock().unwrap();
        let post = model.pick_post(rng, c).map(|p| p.id);
        let own_post = {
            let mine = &model.posts_by_user[u];
            (!mine.is_empty())
                .then(|| mine[rng.gen_range(mine.len().saturating_sub(20)..mine.len())])
        };
        let own_comment = {
            let mine = &model.comments_by_user[u];
            (!mine.is_empty())
                .then(|| mine[rng.gen_range(mine.len().saturating_sub(20)..mine.len())])
        };
        let value = [1, 1, 1, -1, 0][rng.gen_range(0..5)];
        match (roll, post) {
            (_, None) => Write::Post(c),
            (0..15, _) => Write::Post(c),
            (15..50, Some(post)) => Write::Comment {
                post,
                community: c,
                parent: if rng.gen_bool(0.3) {
                    model.pick_comment_of(rng, post).map(|reply_to| reply_to.id)
                } else {
                    None
                },
            },
            (50..70, Some(post)) => Write::Vote(Target::Post(post), value),
            (70..80, _) => match model.pick_comment(rng) {
                Some(comment) => Write::Vote(Target::Comment(comment.id), value),
                None => Write::Post(c),
            },
            (80..90, _) => own_post.map_or(Write::Post(c), Write::EditPost),
            _ => own_comment.map_or(Write::Post(c), Write::EditComment),
        }
    };
    let token = Some(ctx.tokens[u].as_str());
    let http = &ctx.http;
    match write {
        Write::Post(c) => {
            let n = ctx.model.lock().unwrap().next();
            let title = format!("Post {n} by {}", USERS[u]);
            let body = format!(
                "Notes from shift {n}.\n\n- one\n- *two*\n\nSee <https://example.org/{n}>."
            );
            let answer = http
                .api(
                    "api post",
                    reqwest::Method::POST,
                    "/api/v1/posts",
                    token,
                    Some(&json!({"community": COMMUNITIES[c].0, "title": title, "body": body})),
                )
                .await;
            if let Some(v) = ok_json(&answer) {
                let mut model = ctx.model.lock().unwrap();
                let i = model.posts.len();
                let id = v["id"].as_i64().unwrap_or_default();
                model.posts.push(PostRec {
                    id,
                    ap_id: v["ap_id"].as_str().unwrap_or_default().to_string(),
                    community: c,
                    author: u,
                    title,
                    body,
                    edits: 0,
                    base_score: v["score"].as_i64().unwrap_or_default(),
                });
                model.posts_by_community[c].push(i);
                model.posts_by_user[u].push(i);
                model.post_index.insert(id, i);
            }
        }
        Write::Comment {
            post,
            community,
            parent,
        } => {
            let n = ctx.model.lock().unwrap().next();
            let body = format!("Comment {n} by {}: **agreed**.", USERS[u]);
            let mut payload = json!({"body": body});
            if let Some(parent) = parent {
                payload["parent_id"] = json!(parent);
            }
            let answer = http
                .api(
                    "api comment",
                    reqwest::Method::POST,
                    &format!("/api/v1/posts/{post}/comments"),
                    token,
                    Some(&payload),
                )
                .await;
            if let Some(v) = ok_json(&answer) {
                let mut model = ctx.model.lock().unwrap();
                let i = model.comments.len();
                model.comments.push(CommentRec {
                    id: v["id"].as_i64().unwrap_or_default(),
                    ap_id: v["ap_id"].as_str().unwrap_or_default().to_string(),
                    post_id: post,
                    community,
                    author: u,
                    body,
                    edits: 0,
                    base_score: v["score"].as_i64().unwrap_or_default(),
                });
                model.comments_by_post.entry(post).or_default().push(i);
                model.comments_by_user[u].push(i);
            }
        }
        Write::Vote(target, value) => {
            let path = match target {
                Target::Post(id) => format!("/api/v1/posts/{id}/vote"),
                Target::Comment(id) => format!("/api/v1/comments/{id}/vote"),
            };
            let answer = http
                .api(
                    "api vote",
                    reqwest::Method::POST,
                    &path,
                    token,
                    Some(&json!({"value": value})),
                )
                .await;
            record_vote(ctx, Voter::Local(u), target, value, &answer);
        }
        Write::EditPost(i) => {
            let (id, title) = {
                let model = ctx.model.lock().unwrap();
                let p = &model.posts[i];
                (p.id, format!("Post {} (edit {})", p.id, p.edits + 1))
            };
            let body = format!("Edited: {title}.");
            let answer = http
                .api(
                    "api edit post",
                    reqwest::Method::PATCH,
                    &format!("/api/v1/posts/{id}"),
                    token,
                    Some(&json!({"title": title, "body": body})),
                )
                .await;
            if is_2xx(&answer) {
                let mut model = ctx.model.lock().unwrap();
                let p = &mut model.posts[i];
                p.title = title;
                p.body = body;
                p.edits += 1;
            }
        }
        Write::EditComment(i) => {
            let (id, body) = {
                let model = ctx.model.lock().unwrap();
                let c = &model.comments[i];
                (c.id, format!("Comment {} (edit {}).", c.id, c.edits + 1))
            };
            let answer = http
                .api(
                    "api edit comment",
                    reqwest::Method::PATCH,
                    &format!("/api/v1/comments/{id}"),
                    token,
                    Some(&json!({"body": body})),
                )
                .await;
            if is_2xx(&answer) {
                let mut model = ctx.model.lock().unwrap();
                let c = &mut model.comments[i];
                c.body = body;
                c.edits += 1;
            }
        }
    }
}

fn record_vote(ctx: &Ctx, voter: Voter, target: Target, value: i64, answer: &Answer) {
    let mut model = ctx.model.lock().unwrap();
    match answer {
        Ok((status, _)) if (200..300).contains(status) => {
            model.votes.insert((voter, target), value);
        }
        // Refused: nothing changed.
        Ok((status, _)) if (400..500).contains(status) => {}
        _ => {
            model.uncertain_votes.insert(target);
        }
    }
}

async fn sender(ctx: Arc<Ctx>, p: usize, period: Duration) {
    let mut rng = StdRng::from_entropy();
    let mut ticker = every(period);
    tokio::time::sleep(period.mul_f64(p as f64 / PEERS.len() as f64)).await;
    loop {
        ticker.tick().await;
        if Instant::now() >= ctx.end {
            return;
        }
        send_once(&ctx, p, &mut rng).await;
    }
}

async fn send_once(ctx: &Ctx, p: usize, rng: &mut StdRng) {
    let peer = &ctx.peers[p];
    let actors = peer.plan.follows;
    let actor = actors[rng.gen_range(0..actors.len())].0;
    let actor_id = peer.actor_id(actor);
    let roll = rng.gen_range(0..100);
    let churn = ctx
        .model
        .lock()
        .unwrap()
        .churn
        .iter()
        .position(|ch| ch.peer == p);
    if roll >= 85
        && let Some(ch) = churn
    {
        return churn_once(ctx, ch).await;
    }
    let c = pick_community(rng);
    // What to answer or vote on: a post, or a comment of it.
    let target = {
        let model = ctx.model.lock().unwrap();
        model.pick_post(rng, c).map(|post| {
            let comment = rng
                .gen_bool(0.3)
                .then(|| model.pick_comment_of(rng, post.id))
                .flatten();
            match comment {
                Some(comment) => (post.id, comment.ap_id.clone(), Target::Comment(comment.id)),
                None => (post.id, post.ap_id.clone(), Target::Post(post.id)),
            }
        })
    };
    let Some((post_id, object, target)) = target else {
        return;
    };
    let group = ctx.community_actor(c);
    let path = if rng.gen_bool(0.5) {
        "/inbox".to_string()
    } else {
        format!("/c/{}/inbox", COMMUNITIES[c].0)
    };
    if roll < 50 {
        let note_id = peer.fresh_id("comment");
        let activity = json!({
            "@context": AS,
            "id": peer.fresh_id("activities/create"),
            "type": "Create",
            "actor": actor_id,
            "to": [PUBLIC], "cc": [group], "audience": group,
            "object": {
                "id": note_id, "type": "Note", "attributedTo": actor_id,
                "to": [PUBLIC], "cc": [group], "audience": group,
                "inReplyTo": object,
                "content": format!("<p>From {} on {}: noted.</p>", actor, peer.plan.name),
                "mediaType": "text/html",
                "published": chrono::Utc::now().to_rfc3339(),
            },
        });
        let answer = ctx
            .http
            .deliver("inbox create", &path, &peer.signers[actor], &activity)
            .await;
        if is_2xx(&answer) {
            ctx.model
                .lock()
                .unwrap()
                .remote_comments
                .push(RemoteComment {
                    note_id,
                    post_id,
                    community: c,
                    peer: p,
                });
        }
    } else {
        let (kind, value) = if rng.gen_bool(0.8) {
            ("Like", 1)
        } else {
            ("Dislike", -1)
        };
        let activity = json!({
            "@context": AS,
            "id": peer.fresh_id("activities/like"),
            "type": kind,
            "actor": actor_id,
            "object": object,
            "audience": group,
        });
        let answer = ctx
            .http
            .deliver("inbox like", &path, &peer.signers[actor], &activity)
            .await;
        record_vote(ctx, Voter::Remote(actor_id), target, value, &answer);
    }
}

/// The churn actor follows its community, or leaves it with an `Undo` of its standing Follow.
async fn churn_once(ctx: &Ctx, ch: usize) {
    let (p, c, following) = {
        let model = ctx.model.lock().unwrap();
        let churn = &model.churn[ch];
        (churn.peer, churn.community, churn.following.clone())
    };
    let peer = &ctx.peers[p];
    let actor_id = peer.actor_id("churn");
    let path = format!("/c/{}/inbox", COMMUNITIES[c].0);
    match following {
        None => {
            let follow = json!({"@context": AS, "id": peer.fresh_id("activities/follow"),
                "type": "Follow", "actor": actor_id, "object": ctx.community_actor(c)});
            let answer = ctx
                .http
                .deliver("inbox follow", &path, &peer.signers["churn"], &follow)
                .await;
            let mut model = ctx.model.lock().unwrap();
            if is_2xx(&answer) {
                let id = follow["id"].as_str().unwrap_or_default().to_string();
                model.follows.push((p, id));
                model.churn[ch].following = Some(follow);
            } else if answer.is_err() || matches!(answer, Ok((s, _)) if s >= 500) {
                model.churn[ch].uncertain = true;
            }
        }
        Some(follow) => {
            let undo = json!({"@context": AS, "id": peer.fresh_id("activities/undo"),
                "type": "Undo", "actor": actor_id, "object": follow});
            let answer = ctx
                .http
                .deliver("inbox undo", &path, &peer.signers["churn"], &undo)
                .await;
            let mut model = ctx.model.lock().unwrap();
            if is_2xx(&answer) {
                model.churn[ch].following = None;
            } else if answer.is_err() || matches!(answer, Ok((s, _)) if s >= 500) {
                model.churn[ch].uncertain = true;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Checks.

/// The keys each healthy peer must have received, with how often at least.
fn expectations(ctx: &Ctx) -> Vec<(usize, String, u32)> {
    let model = ctx.model.lock().unwrap();
    let mut out = Vec::new();
    for (p, peer) in ctx.peers.iter().enumerate() {
        if peer.plan.health == Health::Down {
            continue;
        }
        let follows = |c: usize| peer.plan.follows.iter().any(|(_, fc)| *fc == c);
        for post in model.posts.iter().filter(|x| follows(x.community)) {
            out.push((p, format!("Create|{}", post.ap_id), 1));
            if post.edits > 0 {
                out.push((p, format!("Update|{}", post.ap_id), post.edits));
            }
        }
        for comment in model.comments.iter().filter(|x| follows(x.community)) {
            out.push((p, format!("Create|{}", comment.ap_id), 1));
            if comment.edits > 0 {
                out.push((p, format!("Update|{}", comment.ap_id), comment.edits));
            }
        }
        for rc in model
            .remote_comments
            .iter()
            .filter(|x| x.peer != p && follows(x.community))
        {
            out.push((p, format!("Create|{}", rc.note_id), 1));
        }
        for (fp, id) in &model.follows {
            if *fp == p {
                out.push((p, format!("Accept|{id}"), 1));
            }
        }
    }
    out
}

fn expected_deliveries(ctx: &Ctx) -> u64 {
    expectations(ctx)
        .iter()
        .map(|(_, _, n)| u64::from(*n))
        .sum()
}

fn missing_deliveries(ctx: &Ctx) -> Vec<String> {
    expectations(ctx)
        .into_iter()
        .filter(|(p, key, n)| ctx.peers[*p].has(key) < *n)
        .map(|(p, key, n)| {
            format!(
                "peer {} received {key} {} times, not {n}",
                ctx.peers[p].plan.name,
                ctx.peers[p].has(&key)
            )
        })
        .collect()
}

struct Queue {
    down: i64,
    others: i64,
    detail: String,
}

async fn queue_state(ctx: &Ctx, down_domain: &str) -> Result<Queue, String> {
    let answer = ctx
        .http
        .api(
            "check",
            reqwest::Method::GET,
            "/api/v1/admin/federation/deliveries",
            Some(&ctx.admin_token),
            None,
        )
        .await;
    let body = ok_json(&answer).ok_or_else(|| format!("{answer:?}"))?;
    let total = body["pending"].as_i64().ok_or("no pending")?;
    let mut down = 0;
    let mut detail = Vec::new();
    for i in body["instances"].as_array().ok_or("no instances")? {
        let pending = i["pending"].as_i64().unwrap_or(0);
        if i["domain"] == down_domain {
            down = pending;
        } else if pending > 0 {
            detail.push(format!("{} {pending}", i["domain"]));
        }
    }
    Ok(Queue {
        down,
        others: total - down,
        detail: detail.join(", "),
    })
}

struct PostCheck {
    id: i64,
    community: usize,
    title: String,
    body: String,
    score: i64,
}

struct CommentCheck {
    id: i64,
    ap_id: String,
    body: String,
    score: i64,
}

/// What must be readable, taken from the model once the load is over.
struct Snapshot {
    posts: Vec<PostCheck>,
    /// Local comments by post id.
    comments: HashMap<i64, Vec<CommentCheck>>,
    /// Ids of the peers' notes by post id.
    remote: HashMap<i64, Vec<String>>,
    /// Posts and comments whose score is unknown (a vote went unanswered).
    uncertain: HashSet<Target>,
    /// Per churn actor: (community, following at the end, state unknown).
    churn: Vec<(usize, bool, bool)>,
}

impl Snapshot {
    fn take(ctx: &Ctx) -> Snapshot {
        let model = ctx.model.lock().unwrap();
        let mut scores: HashMap<Target, i64> = HashMap::new();
        for ((_, target), value) in &model.votes {
            *scores.entry(*target).or_default() += value;
        }
        let score_of = |t: Target| scores.get(&t).copied().unwrap_or(0);
        let posts = model
            .posts
            .iter()
            .map(|p| PostCheck {
                id: p.id,
                community: p.community,
                title: p.title.clone(),
                body: p.body.clone(),
                score: p.base_score + score_of(Target::Post(p.id)),
            })
            .collect();
        let mut comments: HashMap<i64, Vec<CommentCheck>> = HashMap::new();
        for c in &model.comments {
            comments.entry(c.post_id).or_default().push(CommentCheck {
                id: c.id,
                ap_id: c.ap_id.clone(),
                body: c.body.clone(),
                score: c.base_score + score_of(Target::Comment(c.id)),
            });
        }
        let mut remote: HashMap<i64, Vec<String>> = HashMap::new();
        for rc in &model.remote_comments {
            remote
                .entry(rc.post_id)
                .or_default()
                .push(rc.note_id.clone());
        }
        Snapshot {
            posts,
            comments,
            remote,
            uncertain: model.uncertain_votes.clone(),
            churn: model
                .churn
                .iter()
                .map(|ch| (ch.community, ch.following.is_some(), ch.uncertain))
                .collect(),
        }
    }
}

/// Reads back everything written, as the API serves it.
async fn check_stored(ctx: &Ctx, baseline_followers: &[i64], report: &mut Report) {
    let http = &ctx.http;
    let get = || reqwest::Method::GET;
    let snap = Snapshot::take(ctx);
    let mut lost = Vec::new();
    let mut n_posts = 0;
    let mut n_comments = 0;
    let mut n_remote = 0;
    let mut n_scores = 0;

    // Every post is listed in its community, paging through `new`.
    for (c, (name, _, _)) in COMMUNITIES.iter().enumerate() {
        let mut listed = HashSet::new();
        let mut after: Option<i64> = None;
        for _ in 0..10_000 {
            let mut path = format!("/api/v1/posts?community={name}&sort=new&limit=100");
            if let Some(a) = after {
                path.push_str(&format!("&after={a}"));
            }
            let answer = http.api("check", get(), &path, None, None).await;
            let Some(page) = ok_json(&answer).and_then(|v| v.as_array().cloned()) else {
                lost.push(format!("listing {name} failed: {answer:?}"));
                break;
            };
            if page.is_empty() {
                break;
            }
            for p in &page {
                listed.insert(p["id"].as_i64().unwrap_or_default());
            }
            after = page.last().and_then(|p| p["id"].as_i64());
        }
        for post in snap.posts.iter().filter(|p| p.community == c) {
            let id = post.id;
            if !listed.contains(&id) {
                lost.push(format!("post {id} is not listed in {name}"));
            }
        }
    }

    for post in &snap.posts {
        let (id, title, body, score) = (&post.id, &post.title, &post.body, &post.score);
        n_posts += 1;
        let answer = http
            .api("check", get(), &format!("/api/v1/posts/{id}"), None, None)
            .await;
        let Some(view) = ok_json(&answer) else {
            lost.push(format!("post {id} unreadable: {answer:?}"));
            continue;
        };
        if view["title"] != title.as_str() || view["body"] != body.as_str() {
            lost.push(format!(
                "post {id} reads {:?} / {:?}, written {title:?} / {body:?}",
                view["title"], view["body"]
            ));
        }
        if !snap.uncertain.contains(&Target::Post(*id)) {
            n_scores += 1;
            if view["score"].as_i64() != Some(*score) {
                lost.push(format!(
                    "post {id} scores {}, votes say {score}",
                    view["score"]
                ));
            }
        }
        let answer = http
            .api(
                "check",
                get(),
                &format!("/api/v1/posts/{id}/comments"),
                None,
                None,
            )
            .await;
        let Some(thread) = ok_json(&answer).and_then(|v| v.as_array().cloned()) else {
            lost.push(format!("comments of post {id} unreadable: {answer:?}"));
            continue;
        };
        let by_ap: HashMap<&str, &Value> = thread
            .iter()
            .filter_map(|c| Some((c["ap_id"].as_str()?, c)))
            .collect();
        let local = snap.comments.get(id).map_or(&[][..], |v| v.as_slice());
        let remote = snap.remote.get(id).map_or(&[][..], |v| v.as_slice());
        let expected_count = (local.len() + remote.len()) as i64;
        if view["comment_count"].as_i64() != Some(expected_count)
            || thread.len() as i64 != expected_count
        {
            lost.push(format!(
                "post {id}: comment_count {}, thread of {}, written {expected_count}",
                view["comment_count"],
                thread.len()
            ));
        }
        for comment in local {
            let (cid, body, score) = (&comment.id, &comment.body, &comment.score);
            n_comments += 1;
            match by_ap.get(comment.ap_id.as_str()) {
                None => lost.push(format!("comment {cid} missing from post {id}")),
                Some(c) => {
                    if c["body"] != body.as_str() {
                        lost.push(format!(
                            "comment {cid} reads {:?}, written {body:?}",
                            c["body"]
                        ));
                    }
                    if !snap.uncertain.contains(&Target::Comment(*cid)) {
                        n_scores += 1;
                        if c["score"].as_i64() != Some(*score) {
                            lost.push(format!(
                                "comment {cid} scores {}, votes say {score}",
                                c["score"]
                            ));
                        }
                    }
                }
            }
        }
        for note in remote {
            n_remote += 1;
            if !by_ap.contains_key(note.as_str()) {
                lost.push(format!("remote comment {note} missing from post {id}"));
            }
        }
    }

    // Follower counts: the baseline plus the churn actors following at the end.
    let mut n_follows = 0;
    for (c, (name, _, _)) in COMMUNITIES.iter().enumerate() {
        if snap.churn.iter().any(|ch| ch.0 == c && ch.2) {
            continue;
        }
        let standing = snap.churn.iter().filter(|ch| ch.0 == c && ch.1).count() as i64;
        let answer = http
            .api(
                "check",
                get(),
                &format!("/api/v1/communities/{name}"),
                None,
                None,
            )
            .await;
        let followers = ok_json(&answer).and_then(|v| v["followers"].as_i64());
        n_follows += 1;
        if followers != Some(baseline_followers[c] + standing) {
            lost.push(format!(
                "community {name} has {followers:?} followers, expected {}",
                baseline_followers[c] + standing
            ));
        }
    }

    report.losses.extend(lost);
    report.checked.insert("posts", n_posts);
    report.checked.insert("comments", n_comments);
    report.checked.insert("remote comments", n_remote);
    report.checked.insert("scores", n_scores);
    report.checked.insert("follower counts", n_follows);
}
