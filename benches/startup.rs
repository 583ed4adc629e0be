//! Cold start and idle memory of `copse serve` on an empty data directory (SQLite).
//!
//! Run with `cargo bench --bench startup`. For each of RUNS starts it measures the time
//! from spawning the process to the first 200 from `/healthz` (creating the SQLite file and
//! running every migration on the way), then the resident memory after the server has sat
//! idle. Baselines measured in the same run: the time of `copse --version` (process start,
//! dynamic linking, argument parsing: what no server can avoid) and the RSS of `sleep`.

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{cores, cpu_model};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 15;
const GOAL_START_MS: f64 = 500.0;
const GOAL_RSS_MB: f64 = 25.0;

fn main() {
    let bin = env!("CARGO_BIN_EXE_copse");
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
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_healthy(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = write!(
                s,
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            );
            let mut buf = [0u8; 12];
            if s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1 200") {
                return;
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("copse exited during start: {status}");
        }
        assert!(Instant::now() < deadline, "no /healthz 200 within 30 s");
        std::thread::sleep(Duration::from_micros(500));
    }
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
