//! What a rate-limit check costs, and how it scales with the number of clients remembered
//! and with threads checking at once.
//!
//! Run with `cargo bench --bench rate_limit`. Each run counts 2,000,000 checks of the API's
//! per-address budget spread over a given number of distinct addresses (1: one client
//! hammering; 1,000,000: a flood of distinct addresses, ten times the table's cap, so the
//! table evicts as it goes), then the same with remote actor ids (long URLs, hashed), then
//! 2,000,000 checks split across 1, 2 and 4 threads.

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use copse::config::RateLimits;
use copse::metrics::Metrics;
use copse::ratelimit::{Key, Limit, Limiter};

const CHECKS: u32 = 2_000_000;

fn limits() -> RateLimits {
    RateLimits {
        enabled: true,
        api_per_ip_per_minute: 600,
        api_per_account_per_minute: 300,
        login_per_ip_per_minute: 10,
        login_per_account_per_hour: 30,
        registration_per_ip_per_hour: 5,
        inbox_per_ip_per_minute: 6000,
        inbox_per_actor_per_minute: 600,
    }
}

fn limiter() -> Arc<Limiter> {
    Arc::new(Limiter::new(limits(), Arc::new(Metrics::default())))
}

fn main() {
    println!("rate-limit checks ({CHECKS} per row, one thread)");
    for keys in [1u32, 1_000, 100_000, 1_000_000] {
        let l = limiter();
        let t = Instant::now();
        let mut refused = 0u32;
        for i in 0..CHECKS {
            let ip = IpAddr::from((i % keys).to_be_bytes());
            refused += u32::from(l.check(Limit::ApiPerIp, Key::Ip(ip)).is_err());
        }
        let ns = t.elapsed().as_nanos() as f64 / f64::from(CHECKS);
        println!(
            "  addresses {keys:>9}: {ns:>6.0} ns/check, {refused:>8} refused, {:>7} keys held (cap {})",
            l.keys_held(),
            l.capacity()
        );
    }
    for keys in [1_000u32, 1_000_000] {
        let l = limiter();
        let actors: Vec<String> = (0..keys.min(100_000))
            .map(|n| format!("https://server{}.example/users/member_number_{n}", n % 500))
            .collect();
        let t = Instant::now();
        for i in 0..CHECKS {
            let actor = &actors[(i % keys) as usize % actors.len()];
            let _ = l.check(Limit::InboxPerActor, Key::Actor(actor));
        }
        let ns = t.elapsed().as_nanos() as f64 / f64::from(CHECKS);
        println!(
            "  actors    {:>9}: {ns:>6.0} ns/check, {:>7} keys held",
            actors.len(),
            l.keys_held()
        );
    }
    println!("threads checking at once (100,000 addresses)");
    for threads in [1u32, 2, 4] {
        let l = limiter();
        let t = Instant::now();
        let handles: Vec<_> = (0..threads)
            .map(|n| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for i in 0..CHECKS / threads {
                        let ip = IpAddr::from(((i * threads + n) % 100_000).to_be_bytes());
                        let _ = l.check(Limit::ApiPerIp, Key::Ip(ip));
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  {threads} thread(s): {:>6.2} M checks/s",
            f64::from(CHECKS) / secs / 1e6
        );
    }
}
