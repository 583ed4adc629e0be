//! Web pages under load: a community's page with 50 posts and a thread with 200 comments,
//! served by the release binary, measured with wrk beside `/healthz` in the same run.
//!
//! Run with `cargo bench --bench pages` (needs `wrk`: `apt-get install wrk`). Set
//! `COPSE_BENCH_POSTGRES_URL` (a server on which a database may be created) to include
//! PostgreSQL; `COPSE_BENCH_SECONDS` sets each wrk run's length (default 10).
//!
//! For each backend: a server with a community of 50 posts, one of which holds 200
//! comments (every fourth a reply to the one before), is started; then wrk runs for each
//! address with 2 threads and 16 connections, and its requests per second and 99th
//! percentile latency are printed, with their ratio to `/healthz` (the cheapest answer the
//! server gives: what no page can beat on this machine).

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Command, Stdio};

use support::server::{free_port, http, wait_healthy};
use support::{PgBench, cores, cpu_model};

struct Figures {
    rps: f64,
    p99_ms: f64,
}

fn main() {
    let wrk = Command::new("wrk").arg("--version").output();
    if wrk.is_err() {
        eprintln!("wrk is not installed: apt-get install wrk");
        std::process::exit(2);
    }
    let seconds: u32 = std::env::var("COPSE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    println!("copse pages benchmark");
    println!("machine: {} cores, {}", cores(), cpu_model());
    println!("wrk: 2 threads, 16 connections, {seconds} s per address");
    let mut backends: Vec<(&str, Option<PgBench>)> = vec![("SQLite", None)];
    match std::env::var("COPSE_BENCH_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => backends.push((
            "PostgreSQL",
            Some(PgBench::create(&url, "copse_bench_pages")),
        )),
        _ => println!("PostgreSQL skipped: set COPSE_BENCH_POSTGRES_URL to include it"),
    }
    for (name, pg) in &backends {
        run(name, pg.as_ref().map(|p| p.url.as_str()), seconds);
    }
}

fn run(backend: &str, database_url: Option<&str>, seconds: u32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_copse"));
    cmd.current_dir(dir.path())
        .env("COPSE_DATA_DIR", dir.path().join("data"))
        .env("COPSE_BIND", format!("127.0.0.1:{port}"))
        .env("COPSE_DOMAIN", format!("127.0.0.1:{port}"))
        .env("COPSE_DEV", "true")
        .env("COPSE_LOG", "warn")
        .env("COPSE_REGISTRATION_MODE", "open")
        .env("COPSE_RATE_LIMIT_ENABLED", "false")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(url) = database_url {
        cmd.env("COPSE_DATABASE_URL", url);
    }
    let mut child = cmd.arg("serve").spawn().expect("copse serve starts");
    wait_healthy(port, &mut child);
    let (thread, community) = seed(port);

    println!();
    println!("{backend}:");
    let healthz = wrk(port, "/healthz", seconds);
    report("/healthz (baseline)", &healthz, &healthz);
    let page = wrk(port, &community, seconds);
    report("community page, 50 posts", &page, &healthz);
    let thread_page = wrk(port, &thread, seconds);
    report("thread, 200 comments", &thread_page, &healthz);

    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
}

/// A user, a community of 50 posts and a thread of 200 comments; the thread's and the
/// community's addresses.
fn seed(port: u16) -> (String, String) {
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/accounts",
        None,
        r#"{"username":"bench","email":"bench@example.org","password":"a long bench password"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/auth/login",
        None,
        r#"{"username":"bench","password":"a long bench password"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let token = body
        .split("\"token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a token")
        .to_string();
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/communities",
        Some(&token),
        r#"{"name":"nursing","title":"Nursing practice","summary":"Handovers and **night shifts**."}"#,
    );
    assert_eq!(status, 201, "{body}");
    let mut first = 0i64;
    for n in 0..50 {
        let post = format!(
            r#"{{"community":"nursing","title":"Post {n} about handovers","body":"{}"}}"#,
            "Some **Markdown** with a [link](https://example.org). ".repeat(10)
        );
        let (status, body) = http(port, "POST", "/api/v1/posts", Some(&token), &post);
        assert_eq!(status, 201, "{body}");
        if n == 0 {
            first = id_of(&body);
        }
    }
    let mut last = None;
    for n in 0..200 {
        let parent = match last {
            Some(id) if n % 4 == 3 => format!(r#","parent_id":{id}"#),
            _ => String::new(),
        };
        let comment = format!(r#"{{"body":"Comment {n}: *what worked* for us"{parent}}}"#);
        let (status, body) = http(
            port,
            "POST",
            &format!("/api/v1/posts/{first}/comments"),
            Some(&token),
            &comment,
        );
        assert_eq!(status, 201, "{body}");
        last = Some(id_of(&body));
    }
    (format!("/post/{first}"), "/c/nursing".to_string())
}

fn id_of(body: &str) -> i64 {
    body.split("\"id\":")
        .nth(1)
        .and_then(|rest| rest.split([',', '}']).next())
        .and_then(|n| n.trim().parse().ok())
        .expect("an id")
}

/// Runs wrk against one address, as a browser asks for it.
fn wrk(port: u16, path: &str, seconds: u32) -> Figures {
    let out = Command::new("wrk")
        .args([
            "-t2",
            "-c16",
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
            "Accept: text/html",
            &format!("http://127.0.0.1:{port}{path}"),
        ])
        .output()
        .expect("wrk runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("Non-2xx"),
        "{path} answered errors under load:\n{text}"
    );
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"));
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| parse_latency(v.trim()))
        .unwrap_or_else(|| panic!("no 99% latency in wrk's output:\n{text}"));
    Figures { rps, p99_ms: p99 }
}

/// wrk's `1.23ms`, `456.00us`, `1.02s` in milliseconds.
fn parse_latency(v: &str) -> f64 {
    let (number, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = number.parse().unwrap_or(f64::NAN);
    match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => f64::NAN,
    }
}

fn report(what: &str, f: &Figures, base: &Figures) {
    println!(
        "  {what:28} {:9.0} req/s ({:.2}x /healthz)   p99 {:7.2} ms ({:.1}x /healthz)",
        f.rps,
        f.rps / base.rps,
        f.p99_ms,
        f.p99_ms / base.p99_ms
    );
}
