//! Cold start and idle memory of `copse serve` on an empty data directory (SQLite).
//!
//! Run with `cargo bench --bench startup`. For each of RUNS starts it measures the time
//! from spawning the process to the first 200 from `/healthz` (creating the SQLite file and
//! running every migration on the way), then the resident memory after the server has sat
//! idle. Then, on USED_RUNS servers, the resident memory after use: a burst of logins
//! (each a password hash), posts, listings, WebFinger and blocklist imports, then
//! IDLE_AFTER_USE of quiet, with the peak during the burst. Baselines measured in the same
//! run: the time of `copse --version` (process start, dynamic linking, argument parsing:
//! what no server can avoid) and the RSS of `sleep`. `COPSE_BENCH_BINARY` measures another
//! build of copse instead (a baseline for a change).

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::server::{free_port, http, wait_healthy};
use support::{cores, cpu_model};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const USED_RUNS: usize = 3;
/// Idle time before reading the memory of a used server: the server returns freed memory
/// after about ten seconds without requests.
const IDLE_AFTER_USE: Duration = Duration::from_secs(15);
const GOAL_START_MS: f64 = 500.0;
const GOAL_RSS_MB: f64 = 25.0;

fn main() {
    // Another build of copse may be measured instead, as a baseline for a change.
    let bin_override = std::env::var("COPSE_BENCH_BINARY").ok();
    let bin = bin_override
        .as_deref()
        .unwrap_or(env!("CARGO_BIN_EXE_copse"));
    let mut version_ms = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let status = Command::new(bin)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .expect("copse --version runs");
        assert!(status.success());
        version_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }

    let mut start_ms = Vec::new();
    let mut rss_mb = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let t = Instant::now();
        let mut child = Command::new(bin)
            .arg("serve")
            .current_dir(dir.path())
            .env("COPSE_DATA_DIR", dir.path().join("data"))
            .env("COPSE_BIND", format!("127.0.0.1:{port}"))
            .env("COPSE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("copse serve starts");
        wait_healthy(port, &mut child);
        start_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_secs(1));
        rss_mb.push(rss_kb(child.id()) as f64 / 1024.0);
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let _ = child.wait();
    }

    let mut used_mb = Vec::new();
    let mut peak_mb = Vec::new();
    for _ in 0..USED_RUNS {
        let (used, peak) = rss_after_use(bin);
        used_mb.push(used);
        peak_mb.push(peak);
    }

    let mut sleeper = Command::new("sleep").arg("5").spawn().expect("sleep runs");
    std::thread::sleep(Duration::from_millis(200));
    let sleep_rss_mb = rss_kb(sleeper.id()) as f64 / 1024.0;
    let _ = sleeper.kill();
    let _ = sleeper.wait();

    let v = median(&mut version_ms);
    let s = median(&mut start_ms);
    let r = median(&mut rss_mb);
    println!("copse startup benchmark ({RUNS} runs, empty data dir, SQLite)");
    println!("machine: {} cores, {}", cores(), cpu_model());
    println!("baseline `copse --version`:      median {v:8.1} ms");
    println!(
        "cold start to first /healthz 200: median {s:8.1} ms  (min {:.1}, max {:.1})  = {:.1}x baseline, {:.0}% of the {GOAL_START_MS} ms goal",
        start_ms[0],
        start_ms[start_ms.len() - 1],
        s / v,
        100.0 * s / GOAL_START_MS
    );
    println!(
        "idle RSS after 1 s:               median {r:8.1} MB  (min {:.1}, max {:.1})  = {:.1}x `sleep` ({sleep_rss_mb:.1} MB), {:.0}% of the {GOAL_RSS_MB} MB goal",
        rss_mb[0],
        rss_mb[rss_mb.len() - 1],
        r / sleep_rss_mb,
        100.0 * r / GOAL_RSS_MB
    );
    let u = median(&mut used_mb);
    let p = median(&mut peak_mb);
    println!(
        "idle RSS after use ({USED_RUNS} runs):     median {u:8.1} MB  (min {:.1}, max {:.1}; peak during use {p:.1} MB)  = {:.1}x `sleep`, {:.0}% of the {GOAL_RSS_MB} MB goal",
        used_mb[0],
        used_mb[used_mb.len() - 1],
        u / sleep_rss_mb,
        100.0 * u / GOAL_RSS_MB
    );
}

/// Starts a server with one admin, uses it, lets it idle; its RSS then, and the peak.
fn rss_after_use(bin: &str) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let setup = |cmd: &mut Command| {
        cmd.current_dir(dir.path())
            .env("COPSE_DATA_DIR", dir.path().join("data"))
            .env("COPSE_BIND", format!("127.0.0.1:{port}"))
            .env("COPSE_LOG", "warn")
            .env("COPSE_RATE_LIMIT_ENABLED", "false")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    };
    let mut create = Command::new(bin);
    setup(&mut create);
    let status = create
        .args([
            "admin",
            "create-user",
            "bench",
            "--email",
            "bench@example.org",
            "--admin",
        ])
        .env("COPSE_PASSWORD", "a long bench password")
        .status()
        .expect("copse admin runs");
    assert!(status.success());
    let mut serve = Command::new(bin);
    setup(&mut serve);
    let mut child = serve.arg("serve").spawn().expect("copse serve starts");
    wait_healthy(port, &mut child);
    let mut peak = 0.0f64;
    let sample = |peak: &mut f64| *peak = peak.max(rss_kb(child.id()) as f64 / 1024.0);
    let login = r#"{"username":"bench","password":"a long bench password"}"#;
    let mut token = String::new();
    for _ in 0..20 {
        let (status, body) = http(port, "POST", "/api/v1/auth/login", None, login);
        assert!(status == 200 || status == 201, "{status} {body}");
        token = body
            .split("\"token\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a token")
            .to_string();
    }
    sample(&mut peak);
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/communities",
        Some(&token),
        r#"{"name":"benchmarks","title":"Bench"}"#,
    );
    assert_eq!(status, 201, "{body}");
    for n in 0..300 {
        let post = format!(
            r#"{{"community":"benchmarks","title":"Post {n}","body":"{}"}}"#,
            "Some **Markdown** with a [link](https://example.org). ".repeat(20)
        );
        let (status, body) = http(port, "POST", "/api/v1/posts", Some(&token), &post);
        assert_eq!(status, 201, "{body}");
    }
    sample(&mut peak);
    for sort in ["new", "top", "hot"].iter().cycle().take(300) {
        let path = format!("/api/v1/posts?community=benchmarks&sort={sort}&limit=50");
        let (status, _) = http(port, "GET", &path, Some(&token), "");
        assert_eq!(status, 200);
    }
    for n in 0..200 {
        let path = format!("/.well-known/webfinger?resource=acct:nobody{n}@127.0.0.1:{port}");
        let _ = http(port, "GET", &path, None, "");
    }
    sample(&mut peak);
    for round in 0..3 {
        let list: String = (0..20_000)
            .map(|n| format!("spam{round}x{n}.example\n"))
            .collect();
        let (status, body) = http(
            port,
            "POST",
            "/api/v1/admin/domains/import",
            Some(&token),
            &list,
        );
        assert!(status == 200 || status == 202, "{status} {body}");
        sample(&mut peak);
    }
    // Let the imports finish (an admin would wait too), then leave the server alone.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let (_, body) = http(
            port,
            "GET",
            "/api/v1/admin/domains/imports",
            Some(&token),
            "",
        );
        sample(&mut peak);
        if !body.contains("\"running\"") {
            break;
        }
        assert!(Instant::now() < deadline, "imports still running: {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(IDLE_AFTER_USE);
    let idle = rss_kb(child.id()) as f64 / 1024.0;
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    (idle, peak)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
