//! Request metrics in the Prometheus text format.
//!
//! Kept per server rather than in a process-wide registry, so several copse servers in one
//! test process (the federation tests) each report their own figures. Routes are labelled
//! by their pattern (`/api/v1/admin/accounts/{id}/approve`), never by the raw path, so the
//! number of series stays bounded whatever clients request.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the request-duration histogram, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct HttpStats {
    requests: BTreeMap<(String, String, u16), u64>,
    durations: BTreeMap<String, Histogram>,
}

/// Counters and histograms of one server.
#[derive(Default)]
pub struct Metrics {
    http: Mutex<HttpStats>,
    in_flight: AtomicI64,
    /// Requests answered since start: whether the server was busy lately.
    answered: AtomicU64,
    /// Federation counters by (metric, outcome label).
    federation: Mutex<BTreeMap<(&'static str, String), u64>>,
    /// Requests refused by a rate limit, by limit.
    rate_limited: Mutex<BTreeMap<&'static str, u64>>,
}

const INBOX_METRIC: &str = "copse_inbox_activities_total";
const DELIVERY_METRIC: &str = "copse_deliveries_total";

/// Figures read at scrape time from elsewhere (the database, the pool).
pub struct Gauges {
    pub backend: &'static str,
    pub pool_max: usize,
    pub pool_open: usize,
    pub pool_idle: usize,
    pub pool_waiting: usize,
    pub users_by_status: Vec<(String, i64)>,
    pub uptime: Duration,
    /// Outgoing deliveries waiting in the queue.
    pub deliveries_pending: i64,
    /// Age of the oldest waiting delivery.
    pub deliveries_oldest: Duration,
    /// Servers marked unreachable (their deliveries parked).
    pub instances_unreachable: i64,
}

impl Metrics {
    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub fn request_finished(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.answered.fetch_add(1, Ordering::Relaxed);
        let Ok(mut http) = self.http.lock() else {
            return;
        };
        *http
            .requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = http.durations.entry(route.to_string()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// Requests answered since start, and requests being served now.
    pub fn activity(&self) -> (u64, i64) {
        (
            self.answered.load(Ordering::Relaxed),
            self.in_flight.load(Ordering::Relaxed),
        )
    }

    /// An activity reached an inbox; `outcome` is `accepted`, `duplicate` or an error code.
    pub fn inbox_activity(&self, outcome: &str) {
        self.count(INBOX_METRIC, outcome);
    }

    /// A delivery attempt ended; `outcome` is `delivered`, `retry` or `failed`.
    pub fn delivery(&self, outcome: &str) {
        self.count(DELIVERY_METRIC, outcome);
    }

    /// A request was refused by the rate limit `limit` (`api_per_ip`, `inbox_per_actor`…).
    pub fn rate_limited(&self, limit: &'static str) {
        if let Ok(mut counts) = self.rate_limited.lock() {
            *counts.entry(limit).or_default() += 1;
        }
    }

    fn count(&self, metric: &'static str, label: &str) {
        if let Ok(mut f) = self.federation.lock() {
            *f.entry((metric, label.to_string())).or_default() += 1;
        }
    }

    /// The whole exposition, ready to serve as `text/plain; version=0.0.4`.
    pub fn render(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        let _ = self.write(&mut out, gauges);
        out
    }

    fn write(&self, out: &mut String, g: &Gauges) -> std::fmt::Result {
        writeln!(out, "# HELP copse_build_info Version of the running copse.")?;
        writeln!(out, "# TYPE copse_build_info gauge")?;
        writeln!(
            out,
            "copse_build_info{{version=\"{}\",backend=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            g.backend
        )?;
        writeln!(
            out,
            "# HELP copse_uptime_seconds Seconds since the server started."
        )?;
        writeln!(out, "# TYPE copse_uptime_seconds gauge")?;
        writeln!(out, "copse_uptime_seconds {:.3}", g.uptime.as_secs_f64())?;

        writeln!(
            out,
            "# HELP copse_http_requests_in_flight Requests being served now."
        )?;
        writeln!(out, "# TYPE copse_http_requests_in_flight gauge")?;
        writeln!(
            out,
            "copse_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        )?;

        if let Ok(http) = self.http.lock() {
            writeln!(
                out,
                "# HELP copse_http_requests_total Requests answered, by route and status."
            )?;
            writeln!(out, "# TYPE copse_http_requests_total counter")?;
            for ((method, route, status), n) in &http.requests {
                writeln!(
                    out,
                    "copse_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                )?;
            }
            writeln!(
                out,
                "# HELP copse_http_request_duration_seconds Time to answer a request, by route."
            )?;
            writeln!(out, "# TYPE copse_http_request_duration_seconds histogram")?;
            for (route, h) in &http.durations {
                let route = escape(route);
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    writeln!(
                        out,
                        "copse_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                    )?;
                }
                writeln!(
                    out,
                    "copse_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                )?;
                writeln!(
                    out,
                    "copse_http_request_duration_seconds_sum{{route=\"{route}\"}} {:.6}",
                    h.sum
                )?;
                writeln!(
                    out,
                    "copse_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                )?;
            }
        }

        writeln!(
            out,
            "# HELP copse_db_pool_connections Database connections by state."
        )?;
        writeln!(out, "# TYPE copse_db_pool_connections gauge")?;
        writeln!(
            out,
            "copse_db_pool_connections{{state=\"open\"}} {}",
            g.pool_open
        )?;
        writeln!(
            out,
            "copse_db_pool_connections{{state=\"idle\"}} {}",
            g.pool_idle
        )?;
        writeln!(
            out,
            "copse_db_pool_connections{{state=\"max\"}} {}",
            g.pool_max
        )?;
        writeln!(
            out,
            "# HELP copse_db_pool_waiting Requests waiting for a database connection."
        )?;
        writeln!(out, "# TYPE copse_db_pool_waiting gauge")?;
        writeln!(out, "copse_db_pool_waiting {}", g.pool_waiting)?;

        writeln!(out, "# HELP copse_users Local accounts, by status.")?;
        writeln!(out, "# TYPE copse_users gauge")?;
        for (status, n) in &g.users_by_status {
            writeln!(out, "copse_users{{status=\"{}\"}} {n}", escape(status))?;
        }
        writeln!(
            out,
            "# HELP {INBOX_METRIC} Activities received by the inboxes, by outcome."
        )?;
        writeln!(out, "# TYPE {INBOX_METRIC} counter")?;
        writeln!(
            out,
            "# HELP {DELIVERY_METRIC} Delivery attempts to other servers, by outcome."
        )?;
        writeln!(out, "# TYPE {DELIVERY_METRIC} counter")?;
        if let Ok(f) = self.federation.lock() {
            for ((metric, outcome), n) in f.iter() {
                writeln!(out, "{metric}{{outcome=\"{}\"}} {n}", escape(outcome))?;
            }
        }
        writeln!(
            out,
            "# HELP copse_rate_limited_total Requests refused by a rate limit, by limit."
        )?;
        writeln!(out, "# TYPE copse_rate_limited_total counter")?;
        if let Ok(counts) = self.rate_limited.lock() {
            for (limit, n) in counts.iter() {
                writeln!(out, "copse_rate_limited_total{{limit=\"{limit}\"}} {n}")?;
            }
        }
        writeln!(
            out,
            "# HELP copse_deliveries_pending Outgoing deliveries waiting in the queue."
        )?;
        writeln!(out, "# TYPE copse_deliveries_pending gauge")?;
        writeln!(out, "copse_deliveries_pending {}", g.deliveries_pending)?;
        writeln!(
            out,
            "# HELP copse_deliveries_oldest_seconds Age of the oldest waiting delivery."
        )?;
        writeln!(out, "# TYPE copse_deliveries_oldest_seconds gauge")?;
        writeln!(
            out,
            "copse_deliveries_oldest_seconds {:.3}",
            g.deliveries_oldest.as_secs_f64()
        )?;
        writeln!(
            out,
            "# HELP copse_instances_unreachable Servers failing for days whose deliveries are parked."
        )?;
        writeln!(out, "# TYPE copse_instances_unreachable gauge")?;
        writeln!(
            out,
            "copse_instances_unreachable {}",
            g.instances_unreachable
        )?;
        if let Some(rss) = resident_memory_bytes() {
            writeln!(
                out,
                "# HELP process_resident_memory_bytes Resident memory size in bytes."
            )?;
            writeln!(out, "# TYPE process_resident_memory_bytes gauge")?;
            writeln!(out, "process_resident_memory_bytes {rss}")?;
        }
        Ok(())
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Resident set size from `/proc/self/statm` (Linux only; elsewhere the metric is absent).
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_pattern() {
        let m = Metrics::default();
        m.request_started();
        m.request_finished("GET", "/healthz", 200, Duration::from_millis(3));
        m.request_started();
        m.request_finished("GET", "/healthz", 200, Duration::from_millis(30));
        let text = m.render(&Gauges {
            backend: "sqlite",
            pool_max: 8,
            pool_open: 1,
            pool_idle: 1,
            pool_waiting: 0,
            users_by_status: vec![("active".into(), 2)],
            uptime: Duration::from_secs(1),
            deliveries_pending: 3,
            deliveries_oldest: Duration::from_secs(2),
            instances_unreachable: 1,
        });
        m.delivery("delivered");
        assert!(text.contains(
            "copse_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "copse_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 1"
        ));
        assert!(text.contains("copse_http_request_duration_seconds_count{route=\"/healthz\"} 2"));
        assert!(text.contains("copse_http_requests_in_flight 0"));
        assert!(text.contains("copse_users{status=\"active\"} 2"));
        assert!(text.contains("copse_deliveries_pending 3"));
        assert!(text.contains("copse_instances_unreachable 1"));
        assert!(
            m.render(&Gauges {
                backend: "sqlite",
                pool_max: 8,
                pool_open: 1,
                pool_idle: 1,
                pool_waiting: 0,
                users_by_status: vec![],
                uptime: Duration::from_secs(1),
                deliveries_pending: 0,
                deliveries_oldest: Duration::ZERO,
                instances_unreachable: 0,
            })
            .contains("copse_deliveries_total{outcome=\"delivered\"} 1")
        );
    }
}
