//! HTTP-signature throughput and inbox ingest on SQLite and PostgreSQL.
//!
//! Run with `cargo bench --bench federation`; set `COPSE_BENCH_POSTGRES_URL` (a server on
//! which a database may be created, e.g. `postgres://postgres@127.0.0.1:5432/postgres`) to
//! include PostgreSQL, and `COPSE_BENCH_ACTIVITIES` to change the number of activities per
//! ingest run (default 2000).
//!
//! 1. Signatures, one thread: `openssl speed rsa2048` as the baseline, run in the same
//!    process tree, then copse signing a Follow POST (draft-cavage, as deliveries are signed)
//!    and checking it (parse, digest and date rules, RSA verification), both with the public
//!    key already loaded and from its PEM each time (the inbox keeps loaded keys).
//! 2. Inbox ingest: `inbox::receive` on pre-signed activities from cached remote actors (no
//!    network), one at a time and 8 at a time, for an activity copse only records (`Like`)
//!    and one it applies (`Follow` of a local community: a follower row and a queued
//!    Accept). Then the same requests' signature checks alone, to give their share of the
//!    ingest time. Neither the HTTP server nor the delivery worker runs.

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{PgBench, cores, cpu_model};

use std::hint::black_box;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Method};
use chrono::Utc;
use copse::App;
use copse::accounts::{self, NewAccount};
use copse::communities::{self, NewCommunity};
use copse::config::Config;
use copse::db::remote_actors::{self, ActorRecord};
use copse::federation::inbox::{self, InboxRequest, Received};
use copse::federation::keys::{self, KeyPair};
use copse::federation::signatures::{
    Algorithm, IncomingRequest, RequestSigner, Scheme, SigningKey, VerifyingKey, parse,
};
use url::Url;

/// Seconds each signature loop runs at least.
const MICRO_SECONDS: f64 = 3.0;
const REMOTE_ACTORS: usize = 50;
const REMOTE_HOSTS: usize = 10;
const CONCURRENCY: usize = 8;
const DOMAIN: &str = "127.0.0.1:1";
const INBOX_PATH: &str = "/inbox";
const COMMUNITY: &str = "bench";
const AS_CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const ACTIVITY_JSON: &str = "application/activity+json";

fn main() {
    let n: usize = std::env::var("COPSE_BENCH_ACTIVITIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(2000);
    println!("copse federation benchmark");
    println!("machine: {} cores, {}", cores(), cpu_model());
    println!();

    signatures();
    println!();
    ingest(n);
}

// ---------------------------------------------------------------------------------------
// 1. Signatures

fn signatures() {
    println!(
        "HTTP signatures: RSA-2048, PKCS#1 v1.5 with SHA-256, one thread, >= {MICRO_SECONDS:.0} CPU-seconds per figure"
    );
    let before = openssl_speed();
    let mut load = Load::default();

    let pair = keys::generate().expect("key pair");
    let actor = "http://remote0.example/users/a0";
    let signer =
        RequestSigner::from_pem(format!("{actor}#main-key"), &pair.private_pem).expect("signer");
    let inbox_url = Url::parse(&format!("http://{DOMAIN}{INBOX_PATH}")).unwrap();
    let body = follow_body(actor, "http://remote0.example/activities/follow-micro");
    let sign_follow = |headers: &mut HeaderMap| {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(ACTIVITY_JSON));
        signer
            .sign(
                Scheme::DraftCavage,
                &Method::POST,
                &inbox_url,
                headers,
                Some(&body),
                Utc::now(),
            )
            .unwrap();
    };
    let mut headers = HeaderMap::new();
    sign_follow(&mut headers);
    let key = VerifyingKey::from_pem(&pair.public_pem).unwrap();
    let incoming =
        || IncomingRequest::new(&Method::POST, INBOX_PATH, &headers, &body).with_scheme("http");

    // The RSA operation alone, through copse's key types, on this request's signing string.
    let base = parse(&incoming(), Utc::now())
        .unwrap()
        .signature_base()
        .to_string();
    let signing_key = SigningKey::from_pem(&pair.private_pem).unwrap();
    let signature = signing_key.sign_rsa_sha256(base.as_bytes()).unwrap();
    let rsa_sign = rate(&mut load, || {
        black_box(signing_key.sign_rsa_sha256(base.as_bytes()).unwrap());
    });
    let rsa_verify = rate(&mut load, || {
        assert!(key.verify(Algorithm::RsaSha256, base.as_bytes(), &signature));
    });

    // The whole HTTP signature: headers, digest, signing string, RSA, header value.
    let http_sign = rate(&mut load, || {
        let mut headers = HeaderMap::new();
        sign_follow(&mut headers);
        black_box(headers);
    });
    let http_verify = rate(&mut load, || {
        black_box(
            parse(&incoming(), Utc::now())
                .unwrap()
                .verify_with(&key)
                .unwrap(),
        );
    });
    let http_verify_pem = rate(&mut load, || {
        black_box(
            parse(&incoming(), Utc::now())
                .unwrap()
                .verify_with(&VerifyingKey::from_pem(&pair.public_pem).unwrap())
                .unwrap(),
        );
    });

    let after = openssl_speed();
    let baseline = match (&before, &after) {
        (Some(b), Some(a)) => Some(((b.1 + a.1) / 2.0, (b.2 + a.2) / 2.0)),
        _ => None,
    };
    let cell = |rate: Option<f64>, base: Option<f64>| match (rate, base) {
        (None, _) => format!("{:>21}", "-"),
        (Some(r), Some(b)) => format!("{r:>9.0}/s  {:>6.2}x", r / b),
        (Some(r), None) => format!("{r:>9.0}/s  {:>7}", ""),
    };
    let row = |name: &str, sign: Option<f64>, verify: Option<f64>| {
        println!(
            "  {name:<60} {}  {}",
            cell(sign, baseline.map(|b| b.0)),
            cell(verify, baseline.map(|b| b.1))
        );
    };
    println!("  {:<60} {:>21}  {:>21}", "", "sign", "verify");
    match (&before, &after) {
        (Some(b), Some(a)) => {
            row(
                &format!("`openssl speed -seconds 3 rsa2048` ({}), before", b.0),
                Some(b.1),
                Some(b.2),
            );
            row(
                "`openssl speed`, after the copse figures",
                Some(a.1),
                Some(a.2),
            );
            println!("  (ratios are against the mean of the two openssl runs)");
        }
        _ => println!(
            "  `openssl speed`: the openssl command is missing or its output was not understood; no baseline"
        ),
    }
    row(
        &format!("copse RSA alone ({} B signing string)", base.len()),
        Some(rsa_sign),
        Some(rsa_verify),
    );
    row(
        &format!(
            "copse HTTP signature, Follow POST ({} B body), key loaded",
            body.len()
        ),
        Some(http_sign),
        Some(http_verify),
    );
    row(
        "copse HTTP signature, public key read from PEM each time",
        None,
        Some(http_verify_pem),
    );
    println!(
        "  reading the public key from PEM: {:.0} µs; the rest of a check with the key loaded: {:.0} µs",
        1e6 * (1.0 / http_verify_pem - 1.0 / http_verify),
        1e6 / http_verify
    );
    println!(
        "  rates are per second of CPU time, as `openssl speed` counts; the copse loops took {:.1} s, \
         {:.0}% of it waiting for a CPU",
        load.wall,
        100.0 * load.waiting / load.wall.max(f64::EPSILON)
    );
    println!(
        "  activitypub_federation: not compared (its signing and verification are crate-private)"
    );
}

/// Wall time of the signature loops, and how much of it their thread spent waiting for a
/// CPU (busy with other processes).
#[derive(Default)]
struct Load {
    wall: f64,
    waiting: f64,
}

/// Calls `f` for at least [`MICRO_SECONDS`] of CPU time and returns the calls per second of
/// the thread's CPU time, the divisor `openssl speed` uses too (wall time where the kernel
/// does not report it).
fn rate(load: &mut Load, mut f: impl FnMut()) -> f64 {
    for _ in 0..32 {
        f();
    }
    let start = Instant::now();
    let start_cpu = schedstat();
    let mut calls = 0u64;
    loop {
        for _ in 0..32 {
            f();
        }
        calls += 32;
        let wall = start.elapsed().as_secs_f64();
        let (spent, waiting) = match (start_cpu, schedstat()) {
            (Some((run0, wait0)), Some((run1, wait1))) => {
                ((run1 - run0) as f64 / 1e9, (wait1 - wait0) as f64 / 1e9)
            }
            _ => (wall, 0.0),
        };
        if spent >= MICRO_SECONDS {
            load.wall += wall;
            load.waiting += waiting;
            return calls as f64 / spent;
        }
    }
}

/// This thread's time on a CPU and time waiting for one, in nanoseconds.
fn schedstat() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    let (run, wait) = (fields.next()??, fields.next()??);
    (run > 0).then_some((run, wait))
}

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

/// Reads sign/s and verify/s for RSA 2048 from `openssl speed` output. OpenSSL up to 3.1
/// prints `sign verify sign/s verify/s`; 3.2 and later add encrypt and decrypt columns
/// (`sign verify encrypt decrypt sign/s verify/s encr./s decr./s`). The column header names
/// the positions, so both are read the same way.
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

// ---------------------------------------------------------------------------------------
// 2. Inbox ingest

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
    public_pem: String,
}

#[derive(Clone, Copy)]
enum Kind {
    Like,
    Follow,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Like => "Like",
            Kind::Follow => "Follow",
        }
    }
}

/// The request sets: warm-up, then sequential and concurrent runs of each kind.
struct Workload {
    warmup: Vec<Signed>,
    runs: Vec<Run>,
}

/// One kind's requests: distinct ids for the sequential and the concurrent run.
struct Run {
    kind: Kind,
    seq: Vec<Signed>,
    conc: Arc<Vec<Signed>>,
}

fn ingest(n: usize) {
    println!(
        "Inbox ingest: {n} distinct signed activities per run from {REMOTE_ACTORS} cached remote actors on {REMOTE_HOSTS} hosts"
    );
    let t = Instant::now();
    // One key pair per host, shared by its actors: generating keys is not what is measured,
    // and a check costs the same whichever key it uses.
    let pairs: Vec<KeyPair> = parallel_map(REMOTE_HOSTS, |_| keys::generate().expect("key pair"));
    let remotes: Vec<Remote> = parallel_map(REMOTE_ACTORS, |i| {
        let host = format!("remote{}.example", i % REMOTE_HOSTS);
        let ap_id = format!("http://{host}/users/a{i}");
        let pair = pairs[i % REMOTE_HOSTS].clone();
        let signer = RequestSigner::from_pem(format!("{ap_id}#main-key"), &pair.private_pem)
            .expect("signer");
        Remote {
            ap_id,
            host,
            pair,
            signer,
        }
    });
    let keygen_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let build = |label: &str, kind: Kind, count: usize| -> Vec<Signed> {
        parallel_map(count, |i| {
            let remote = &remotes[i % remotes.len()];
            let id = format!("http://{}/activities/{label}-{i}", remote.host);
            let body = match kind {
                Kind::Like => like_body(&remote.ap_id, &id, i),
                Kind::Follow => follow_body(&remote.ap_id, &id),
            };
            sign(remote, body)
        })
    };
    let workload = Workload {
        warmup: build("warmup", Kind::Like, 32),
        runs: [Kind::Like, Kind::Follow]
            .into_iter()
            .map(|kind| {
                let seq = build(&format!("{}-seq", kind.name()), kind, n);
                let conc = build(&format!("{}-conc", kind.name()), kind, n);
                Run {
                    kind,
                    seq,
                    conc: Arc::new(conc),
                }
            })
            .collect(),
    };
    println!(
        "  ({REMOTE_HOSTS} key pairs (one per host) made in {keygen_secs:.1} s and {} requests signed in {:.1} s, before any timing)",
        workload.warmup.len() + 4 * n,
        t.elapsed().as_secs_f64()
    );

    // Signature checks alone, once per request set: the same for every backend.
    let verify_secs: Vec<f64> = workload
        .runs
        .iter()
        .map(|run| verify_all(&run.seq))
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "  {:<11} {:<7} {:>14} {:>18} {:>9} {:>14} {:>10}",
        "backend",
        "kind",
        "sequential",
        format!("{CONCURRENCY} concurrent"),
        "speedup",
        "sig. checks",
        "sig. share"
    );

    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}", sqlite_dir.path().join("copse.db").display());
    runtime.block_on(run_backend(
        "SQLite",
        &sqlite_url,
        sqlite_dir.path(),
        &remotes,
        &workload,
        &verify_secs,
    ));

    match std::env::var("COPSE_BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin) => {
            let db = PgBench::create(&admin, &format!("copse_bench_{}", std::process::id()));
            let data_dir = tempfile::tempdir().expect("temp dir");
            runtime.block_on(run_backend(
                "PostgreSQL",
                &db.url,
                data_dir.path(),
                &remotes,
                &workload,
                &verify_secs,
            ));
        }
        None => println!("  PostgreSQL  skipped: set COPSE_BENCH_POSTGRES_URL to include it"),
    }
    println!(
        "  sig. checks: parse + verify with the key cache the inbox uses, one thread, for the sequential run's requests; \
         sig. share = their time / the sequential ingest time"
    );
}

async fn run_backend(
    backend: &str,
    database_url: &str,
    data_dir: &std::path::Path,
    remotes: &[Remote],
    workload: &Workload,
    verify_secs: &[f64],
) {
    let vars = [
        ("COPSE_DATA_DIR", data_dir.to_string_lossy().to_string()),
        ("COPSE_DATABASE_URL", database_url.to_string()),
        ("COPSE_DEV", "true".to_string()),
        ("COPSE_DOMAIN", DOMAIN.to_string()),
        // A benchmark floods on purpose; it measures copse, not its rate limits.
        ("COPSE_RATE_LIMIT_ENABLED", "false".to_string()),
    ];
    let config = Config::from_env(&|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("benchmark configuration is valid");
    let app = App::open(config).await.expect("app opens");

    let owner = accounts::create_by_admin(
        &app.db,
        NewAccount {
            username: "owner".into(),
            email: "owner@example.org".into(),
            password: "owner-long-password".into(),
            reason: None,
        },
        true,
    )
    .await
    .expect("user created");
    communities::create(
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
    for remote in remotes {
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

    for req in &workload.warmup {
        check(receive(&app, req).await);
    }

    for (Run { kind, seq, conc }, verify) in workload.runs.iter().zip(verify_secs) {
        let t = Instant::now();
        for req in seq.iter() {
            check(receive(&app, req).await);
        }
        let seq_secs = t.elapsed().as_secs_f64();
        let conc_secs = concurrently(&app, conc).await;
        let seq_rate = seq.len() as f64 / seq_secs;
        let conc_rate = conc.len() as f64 / conc_secs;
        println!(
            "  {:<11} {:<7} {:>12.0}/s {:>16.0}/s {:>8.2}x {:>12.0}/s {:>9.1}%",
            backend,
            kind.name(),
            seq_rate,
            conc_rate,
            conc_rate / seq_rate,
            seq.len() as f64 / verify,
            100.0 * verify / seq_secs
        );
        println!(
            "  {:<11} {:<7} {:>11.0} µs {:>15.0} µs {:>9} {:>11.0} µs",
            "",
            "",
            1e6 * seq_secs / seq.len() as f64,
            1e6 * conc_secs / conc.len() as f64,
            "",
            1e6 * verify / seq.len() as f64
        );
    }
    app.db.close();
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

/// The signature checks of `requests` alone, as the inbox makes them; seconds taken.
fn verify_all(requests: &[Signed]) -> f64 {
    let t = Instant::now();
    for req in requests {
        let incoming = IncomingRequest::new(&Method::POST, INBOX_PATH, &req.headers, &req.body)
            .with_scheme("http");
        black_box(
            parse(&incoming, Utc::now())
                .unwrap()
                .verify(&req.public_pem)
                .unwrap(),
        );
    }
    t.elapsed().as_secs_f64()
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
    Signed {
        headers,
        body,
        public_pem: remote.pair.public_pem.clone(),
    }
}

fn follow_body(actor: &str, id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "Follow",
        "actor": actor,
        "object": format!("http://{DOMAIN}/c/{COMMUNITY}"),
        "to": [format!("http://{DOMAIN}/c/{COMMUNITY}")],
    }))
    .unwrap()
}

fn like_body(actor: &str, id: &str, i: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "@context": AS_CONTEXT,
        "id": id,
        "type": "Like",
        "actor": actor,
        "object": format!("http://elsewhere.example/notes/{i}"),
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
