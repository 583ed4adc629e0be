//! The outgoing delivery queue: per-server caps, no head-of-line blocking, retries and final
//! refusals, unreachable servers parked and revived, several workers on one database, the
//! admins' view, and surviving `kill -9`. Destinations are loopback sinks.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use copse::db::deliveries::{self, DeliveryRow};
use copse::federation::delivery;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::binary::{Running, copse};
use crate::support::sink::{Answer, Sink};
use crate::support::{TestServer, eventually};

/// A federating server with a user `ana` to sign deliveries.
async fn sender(env: &[(&str, &str)]) -> TestServer {
    let server = TestServer::federating(env).await;
    server.create_user("ana", false).await;
    server
}

fn signer_of(server: &TestServer) -> String {
    format!("http://{}/u/ana", server.domain())
}

/// Queues `n` Likes signed by ana to `inbox`, as the rest of copse does, and wakes the
/// worker. Returns the activity ids.
async fn enqueue(server: &TestServer, inbox: &str, n: usize, tag: &str) -> Vec<String> {
    let signer = signer_of(server);
    let ids: Vec<String> = (0..n)
        .map(|i| format!("http://{}/activities/{tag}-{i}", server.domain()))
        .collect();
    let inbox = inbox.to_string();
    let queued = ids.clone();
    server
        .app
        .db
        .transaction(move |c| {
            for id in &queued {
                let activity = json!({
                    "id": id,
                    "type": "Like",
                    "actor": signer,
                    "object": "http://example.org/objects/1",
                });
                delivery::enqueue(c, &activity, &signer, std::slice::from_ref(&inbox))?;
            }
            Ok(())
        })
        .await
        .expect("queued");
    delivery::wake(&server.app);
    ids
}

async fn rows(app: &copse::App) -> Vec<DeliveryRow> {
    app.db
        .run(|c| Ok(deliveries::queued(c, copse::time::now())?))
        .await
        .expect("read the queue")
}

async fn rows_for(app: &copse::App, domain: &str) -> Vec<DeliveryRow> {
    rows(app)
        .await
        .into_iter()
        .filter(|r| r.domain == domain)
        .collect()
}

async fn instance(app: &copse::App, domain: &str) -> Option<copse::db::instances::InstanceRow> {
    let domain = domain.to_string();
    app.db
        .run(move |c| Ok(copse::db::instances::find(c, &domain)?))
        .await
        .expect("read instances")
}

fn set_of(ids: &[String]) -> HashSet<String> {
    ids.iter().cloned().collect()
}

#[tokio::test]
async fn a_hanging_or_failing_instance_does_not_delay_the_others() {
    let server = sender(&[]).await;
    let hanging = Sink::answering(Answer::hang()).await;
    let failing = Sink::answering(Answer::status(500)).await;
    let healthy = Sink::start().await;
    // The troubled servers' rows are queued first: they are at the head of the queue.
    enqueue(&server, &hanging.inbox(), 50, "hang").await;
    enqueue(&server, &failing.inbox(), 50, "fail").await;
    let expected = enqueue(&server, &healthy.inbox(), 50, "ok").await;

    let started = Instant::now();
    eventually(
        Duration::from_secs(10),
        "every delivery to the healthy sink",
        || async { (healthy.accepted_ids().len() >= 50).then_some(()) },
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let got = healthy.accepted_ids();
    assert_eq!(got.len(), 50, "each delivered once");
    assert_eq!(set_of(&got), set_of(&expected));

    // The hanging server holds only its own slots: at most the per-instance cap, all still
    // waiting for an answer.
    assert!(hanging.count() <= 4, "{} requests", hanging.count());
    assert!(hanging.max_in_flight() <= 4);
    assert!(hanging.accepted_ids().is_empty());

    // Every delivery to the failing server was tried once, never more than 4 at once, and
    // waits for a retry.
    eventually(
        Duration::from_secs(10),
        "each failing delivery rescheduled",
        || async {
            let rows = rows_for(&server.app, &failing.domain()).await;
            (rows.len() == 50 && rows.iter().all(|r| r.attempts == 1)).then_some(rows)
        },
    )
    .await;
    assert_eq!(failing.count(), 50);
    assert!(failing.max_in_flight() <= 4);
    let now = copse::time::now();
    for row in rows_for(&server.app, &failing.domain()).await {
        assert!(row.next_attempt_at > now, "backing off");
        assert!(row.leased_until.is_none());
        assert!(row.last_error.as_deref().unwrap_or("").contains("500"));
    }
    let health = instance(&server.app, &failing.domain()).await.unwrap();
    assert_eq!(health.consecutive_failures, 50);
    assert!(health.failing_since.is_some());
    assert!(!health.unreachable);
    let healthy_row = instance(&server.app, &healthy.domain()).await.unwrap();
    assert_eq!(healthy_row.consecutive_failures, 0);
    assert!(healthy_row.last_success_at.is_some());
}

#[tokio::test]
async fn no_instance_gets_more_than_its_cap_at_once() {
    let server = sender(&[("COPSE_FEDERATION_DELIVERY_PER_INSTANCE", "2")]).await;
    let sink = Sink::answering(Answer::delayed(Duration::from_millis(100))).await;
    let expected = enqueue(&server, &sink.inbox(), 20, "capped").await;
    eventually(Duration::from_secs(20), "all 20 deliveries", || async {
        (sink.accepted_ids().len() >= 20).then_some(())
    })
    .await;
    assert_eq!(set_of(&sink.accepted_ids()), set_of(&expected));
    assert_eq!(sink.accepted_ids().len(), 20);
    assert_eq!(sink.max_in_flight(), 2, "the cap is used, and never passed");
}

#[tokio::test]
async fn one_activity_reaches_twelve_thousand_inboxes_each_once() {
    // More rows than one PostgreSQL statement can bind, with repeats to drop. Port 1 refuses
    // connections, so the rows stay queued for counting.
    let server = sender(&[]).await;
    let signer = signer_of(&server);
    let mut inboxes: Vec<String> = (0..12_000)
        .map(|i| format!("http://127.0.0.1:1/u/{i}/inbox"))
        .collect();
    inboxes.extend(inboxes[..100].to_vec());
    let id = format!("http://{}/activities/wide", server.domain());
    let activity =
        json!({"id": id, "type": "Like", "actor": signer, "object": "http://example.org/o"});
    let queued = server
        .app
        .db
        .transaction(move |c| delivery::enqueue(c, &activity, &signer, &inboxes))
        .await
        .expect("a wide fan-out is queued");
    assert_eq!(queued, 12_000);
    let stored: Vec<String> = rows(&server.app)
        .await
        .into_iter()
        .filter(|r| r.activity_id == id)
        .map(|r| r.inbox)
        .collect();
    assert_eq!(stored.len(), 12_000);
    assert_eq!(stored.iter().collect::<HashSet<_>>().len(), 12_000);
}

#[tokio::test]
async fn the_process_wide_cap_bounds_all_instances_together() {
    let server = sender(&[
        ("COPSE_FEDERATION_DELIVERY_CONCURRENCY", "2"),
        ("COPSE_FEDERATION_DELIVERY_PER_INSTANCE", "4"),
    ])
    .await;
    let sink = Sink::answering(Answer::delayed(Duration::from_millis(100))).await;
    enqueue(&server, &sink.inbox(), 10, "global").await;
    eventually(Duration::from_secs(20), "all 10 deliveries", || async {
        (sink.accepted_ids().len() >= 10).then_some(())
    })
    .await;
    assert_eq!(sink.max_in_flight(), 2);
}

#[tokio::test]
async fn refusals_are_final_rate_limits_and_errors_are_retried_later() {
    let server = sender(&[]).await;
    let sink = Sink::start().await;
    sink.set("/gone", Answer::status(404));
    sink.set(
        "/busy",
        Answer {
            status: 429,
            retry_after: Some(3600),
            ..Answer::default()
        },
    );
    sink.set("/broken", Answer::status(500));
    let before = copse::time::now();
    enqueue(&server, &sink.url("/gone"), 1, "gone").await;
    enqueue(&server, &sink.url("/busy"), 1, "busy").await;
    enqueue(&server, &sink.url("/broken"), 1, "broken").await;

    let settled = eventually(
        Duration::from_secs(10),
        "three attempts settled",
        || async {
            let rows = rows(&server.app).await;
            (rows.len() == 2 && rows.iter().all(|r| r.attempts == 1)).then_some(rows)
        },
    )
    .await;
    let by_inbox: HashMap<String, DeliveryRow> =
        settled.into_iter().map(|r| (r.inbox.clone(), r)).collect();
    assert!(!by_inbox.contains_key(&sink.url("/gone")), "404 is final");
    assert_eq!(sink.count_on("/gone"), 1);

    let busy = &by_inbox[&sink.url("/busy")];
    assert!(
        busy.next_attempt_at >= before + TimeDelta::seconds(3600),
        "Retry-After honoured: next attempt at {}",
        busy.next_attempt_at
    );
    assert!(busy.last_error.as_deref().unwrap().contains("429"));

    let broken = &by_inbox[&sink.url("/broken")];
    let delay = broken.next_attempt_at - before;
    assert!(
        delay >= TimeDelta::seconds(20) && delay <= TimeDelta::seconds(60),
        "first backoff about 30 s, got {delay}"
    );
    assert!(broken.last_error.as_deref().unwrap().contains("500"));
    assert!(broken.leased_until.is_none());
}

#[tokio::test]
async fn a_server_failing_for_days_is_marked_unreachable_and_parked() {
    let server = sender(&[]).await;
    let dead = Sink::answering(Answer::status(503)).await;
    let other = Sink::start().await;
    // Its failures began four days ago.
    let domain = dead.domain();
    let long_ago = copse::time::now() - TimeDelta::days(4);
    server
        .app
        .db
        .run(move |c| {
            copse::db::instances::record_failure(c, &domain, long_ago, "down", TimeDelta::days(3))?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(
        !instance(&server.app, &dead.domain())
            .await
            .unwrap()
            .unreachable
    );

    enqueue(&server, &dead.inbox(), 10, "dead").await;
    eventually(
        Duration::from_secs(10),
        "the server marked unreachable",
        || async {
            instance(&server.app, &dead.domain())
                .await
                .filter(|i| i.unreachable)
        },
    )
    .await;
    eventually(
        Duration::from_secs(10),
        "attempts in flight settled",
        || async {
            let rows = rows_for(&server.app, &dead.domain()).await;
            (dead.in_flight() == 0 && rows.iter().all(|r| r.leased_until.is_none())).then_some(())
        },
    )
    .await;
    let tried = dead.count();
    assert!(tried <= 4, "{tried} attempts");

    // Rows queued after it are served, and the parked ones are left alone.
    enqueue(&server, &other.inbox(), 1, "other").await;
    eventually(
        Duration::from_secs(10),
        "the other server's delivery",
        || async { (other.accepted_ids().len() == 1).then_some(()) },
    )
    .await;
    assert_eq!(dead.count(), tried);
    assert_eq!(rows_for(&server.app, &dead.domain()).await.len(), 10);

    let metrics = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("copse_instances_unreachable 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unreachable_instance_gets_nothing_until_it_is_heard_from() {
    let server = sender(&[]).await;
    let parked = Sink::start().await;
    let other = Sink::start().await;
    let domain = parked.domain();
    let now = copse::time::now();
    server
        .app
        .db
        .run(move |c| Ok(copse::db::instances::mark_unreachable(c, &domain, now)?))
        .await
        .unwrap();

    let expected = enqueue(&server, &parked.inbox(), 5, "parked").await;
    // Queued later, so a claim that took this row would have taken the parked ones first.
    enqueue(&server, &other.inbox(), 1, "other").await;
    eventually(
        Duration::from_secs(10),
        "the other server's delivery",
        || async { (other.accepted_ids().len() == 1).then_some(()) },
    )
    .await;
    assert_eq!(
        parked.count(),
        0,
        "nothing is sent to an unreachable server"
    );
    let waiting = rows_for(&server.app, &parked.domain()).await;
    assert_eq!(waiting.len(), 5);
    assert!(waiting.iter().all(|r| r.attempts == 0));

    delivery::instances::heard_from(&server.app, &parked.domain()).await;
    eventually(Duration::from_secs(10), "the parked deliveries", || async {
        (parked.accepted_ids().len() >= 5).then_some(())
    })
    .await;
    assert_eq!(set_of(&parked.accepted_ids()), set_of(&expected));
    let revived = instance(&server.app, &parked.domain()).await.unwrap();
    assert!(!revived.unreachable);
    assert!(revived.last_success_at.is_some());
    eventually(Duration::from_secs(10), "the queue drained", || async {
        rows(&server.app).await.is_empty().then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_verified_activity_from_an_unreachable_instance_revives_it() {
    let a = sender(&[]).await;
    let b = TestServer::federating(&[]).await;
    b.create_user("bea", false).await;
    let token = b.login("bea").await;
    let other = Sink::start().await;

    let domain = b.domain();
    let now = copse::time::now();
    a.app
        .db
        .run(move |c| Ok(copse::db::instances::mark_unreachable(c, &domain, now)?))
        .await
        .unwrap();
    // B answers 404 here: once attempted, the row is gone.
    enqueue(&a, &b.url("/parked-test-inbox"), 1, "for-b").await;
    enqueue(&a, &other.inbox(), 1, "other").await;
    eventually(
        Duration::from_secs(10),
        "the other server's delivery",
        || async { (other.accepted_ids().len() == 1).then_some(()) },
    )
    .await;
    assert_eq!(rows_for(&a.app, &b.domain()).await.len(), 1, "parked");

    // bea on B follows ana on A: A's inbox verifies B's signed Follow.
    let (status, follow) = b
        .post(
            "/api/v1/follows",
            Some(&token),
            json!({"target": format!("@ana@{}", a.domain())}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{follow}");
    eventually(
        Duration::from_secs(15),
        "B revived and its queue drained",
        || async {
            let revived = instance(&a.app, &b.domain())
                .await
                .is_some_and(|i| !i.unreachable);
            (revived && rows_for(&a.app, &b.domain()).await.is_empty()).then_some(())
        },
    )
    .await;
}

/// Two processes' workers on one database deliver each row once. On PostgreSQL they share
/// the queue (`FOR UPDATE SKIP LOCKED`); on SQLite the second waits for the first's lock.
#[tokio::test]
async fn two_workers_on_one_database_deliver_each_activity_once() {
    let first = sender(&[]).await;
    let second = copse::App::open((*first.app.config).clone())
        .await
        .expect("second app");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = delivery::worker::spawn(second.clone(), stop_rx);

    let sinks = [
        Sink::answering(Answer::delayed(Duration::from_millis(5))).await,
        Sink::answering(Answer::delayed(Duration::from_millis(5))).await,
        Sink::answering(Answer::delayed(Duration::from_millis(5))).await,
        Sink::answering(Answer::delayed(Duration::from_millis(5))).await,
    ];
    let mut expected = Vec::new();
    for (i, sink) in sinks.iter().enumerate() {
        expected.extend(enqueue(&first, &sink.inbox(), 50, &format!("twice-{i}")).await);
    }
    delivery::wake(&second);
    eventually(Duration::from_secs(60), "200 deliveries", || async {
        let n: usize = sinks.iter().map(|s| s.accepted_ids().len()).sum();
        (n >= 200).then_some(())
    })
    .await;
    eventually(Duration::from_secs(10), "the queue drained", || async {
        rows(&first.app).await.is_empty().then_some(())
    })
    .await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for sink in &sinks {
        for id in sink.accepted_ids() {
            *seen.entry(id).or_default() += 1;
        }
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(seen.len(), 200);
    assert_eq!(
        set_of(&seen.into_keys().collect::<Vec<_>>()),
        set_of(&expected)
    );
    for sink in &sinks {
        assert!(sink.max_in_flight() <= 4, "the cap holds across processes");
    }
    let delivered = |app: &copse::App| {
        let text = app.metrics.render(&copse::metrics::Gauges {
            backend: "",
            pool_max: 0,
            pool_open: 0,
            pool_idle: 0,
            pool_waiting: 0,
            users_by_status: vec![],
            uptime: Duration::ZERO,
            deliveries_pending: 0,
            deliveries_oldest: Duration::ZERO,
            instances_unreachable: 0,
        });
        text.lines()
            .find_map(|l| l.strip_prefix("copse_deliveries_total{outcome=\"delivered\"} "))
            .map(|n| n.parse::<u64>().unwrap())
            .unwrap_or(0)
    };
    let (by_first, by_second) = (delivered(&first.app), delivered(&second));
    assert_eq!(by_first + by_second, 200, "{by_first} + {by_second}");
    if first.db.is_postgres() {
        eprintln!("deliveries by the first process: {by_first}, by the second: {by_second}");
    } else {
        assert_eq!(by_second, 0, "on SQLite one process delivers");
    }
    let _ = stop_tx.send(true);
    worker.abort();
    second.db.close();
}

#[tokio::test]
async fn admins_see_the_backlog_and_the_failing_instances() {
    let server = sender(&[]).await;
    server.create_user("olga", true).await;
    let admin = server.login("olga").await;
    let user = server.login("ana").await;
    let failing = Sink::answering(Answer::status(500)).await;
    enqueue(&server, &failing.inbox(), 3, "admin").await;

    let path = "/api/v1/admin/federation/deliveries";
    let body = eventually(
        Duration::from_secs(10),
        "the failing instance listed",
        || async {
            let (status, body) = server.get(path, Some(&admin)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let listed = body["instances"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["consecutive_failures"].as_i64().unwrap_or(0) >= 3);
            listed.then_some(body)
        },
    )
    .await;
    assert_eq!(body["pending"], 3);
    assert!(body["oldest_age_seconds"].as_f64().unwrap() >= 0.0);
    let instances = body["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 1, "{body}");
    let listed = &instances[0];
    assert_eq!(listed["domain"], failing.domain());
    assert_eq!(listed["pending"], 3);
    assert_eq!(listed["consecutive_failures"], 3);
    assert!(listed["failing_since"].as_str().unwrap().ends_with('Z'));
    assert_eq!(listed["last_success_at"], serde_json::Value::Null);
    assert_eq!(listed["unreachable"], false);
    assert!(listed["last_error"].as_str().unwrap().contains("500"));

    let (status, body) = server.get(path, Some(&user)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, _) = server.get(path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The real binary, killed with SIGKILL in the middle of its backlog and started again,
/// delivers everything at least once and empties the queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_nothing() {
    const N: usize = 300;
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let sink = Sink::answering(Answer::delayed(Duration::from_millis(30))).await;
    let env: Vec<(String, String)> = vec![
        ("COPSE_DATA_DIR".into(), data.to_string_lossy().into_owned()),
        ("COPSE_BIND".into(), "127.0.0.1:0".into()),
        ("COPSE_DEV".into(), "true".into()),
        ("COPSE_DOMAIN".into(), "copse.test".into()),
        ("COPSE_DATABASE_POOL_SIZE".into(), "4".into()),
        ("COPSE_RATE_LIMIT_ENABLED".into(), "false".into()),
    ];

    // Queue the backlog with the server down, as a crash would have left it.
    let vars = env.clone();
    let config = copse::Config::from_env(&|name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .expect("config");
    let app = copse::App::open(config).await.expect("app");
    copse::accounts::create_by_admin(
        &app.db,
        copse::accounts::NewAccount {
            username: "ana".into(),
            email: "ana@example.org".into(),
            password: "ana-long-password".into(),
            reason: None,
        },
        false,
    )
    .await
    .expect("user");
    let inbox = sink.inbox();
    let expected: Vec<String> = (0..N)
        .map(|i| format!("http://copse.test/activities/k9-{i}"))
        .collect();
    let queued = expected.clone();
    app.db
        .transaction(move |c| {
            for id in &queued {
                let activity =
                    json!({"id": id, "type": "Like", "actor": "http://copse.test/u/ana"});
                delivery::enqueue(
                    c,
                    &activity,
                    "http://copse.test/u/ana",
                    std::slice::from_ref(&inbox),
                )?;
            }
            Ok(())
        })
        .await
        .expect("queued");
    app.db.close();
    drop(app);
    // Connections close on blocking threads; the last one checkpoints and removes the WAL
    // file. Starting copse before that could find the database locked.
    let wal = data.join("copse.db-wal");
    eventually(
        Duration::from_secs(10),
        "the test's connections closed",
        || async { (!wal.exists()).then_some(()) },
    )
    .await;

    let start = |env: &[(String, String)]| {
        let mut cmd = copse(dir.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.arg("serve");
        Running::start(&mut cmd)
    };
    let started = Instant::now();
    let (mut first, _) = tokio::task::block_in_place(|| start(&env));
    eventually(
        Duration::from_secs(15),
        "a third of the backlog",
        || async { (sink.accepted_ids().len() >= N / 3).then_some(()) },
    )
    .await;
    first.child.kill().expect("SIGKILL");
    let _ = first.child.wait();
    let before_restart = set_of(&sink.accepted_ids());
    assert!(before_restart.len() < N, "killed mid-way");

    let (_second, second_addr) = tokio::task::block_in_place(|| start(&env));
    eventually(Duration::from_secs(20), "every delivery", || async {
        (set_of(&sink.accepted_ids()).len() == N).then_some(())
    })
    .await;
    assert_eq!(set_of(&sink.accepted_ids()), set_of(&expected));

    let metrics = format!("http://{second_addr}/metrics");
    eventually(Duration::from_secs(10), "the queue drained", || async {
        let text = reqwest::get(&metrics).await.ok()?.text().await.ok()?;
        text.contains("\ncopse_deliveries_pending 0\n")
            .then_some(())
    })
    .await;
    let redelivered = sink.accepted_ids().len() - N;
    eprintln!(
        "kill -9 test: {} before the kill, {redelivered} sent twice, {:?} in all",
        before_restart.len(),
        started.elapsed()
    );
    assert!(
        redelivered <= 4,
        "only rows in flight at the kill are sent again"
    );
}

#[tokio::test]
async fn settling_a_batch_records_each_servers_health_once() {
    let server = sender(&[]).await;
    let t0 = copse::time::now();
    let later = t0 + TimeDelta::seconds(10);
    let much_later = t0 + TimeDelta::minutes(5);
    server
        .app
        .db
        .run(move |c| {
            use copse::db::instances;
            // failing.example failed twice; healthy.example answered just now.
            instances::record_failure(c, "failing.example", t0, "timeout", TimeDelta::days(2))?;
            instances::record_failure(c, "failing.example", t0, "timeout", TimeDelta::days(2))?;
            instances::record_success(c, "healthy.example", t0)?;
            instances::mark_unreachable(c, "parked.example", t0)?;
            let batch = [
                "new.example",
                "failing.example",
                "healthy.example",
                "parked.example",
            ]
            .map(String::from);
            instances::record_successes(c, &batch, later)?;
            Ok(())
        })
        .await
        .unwrap();

    let new = instance(&server.app, "new.example")
        .await
        .expect("a new server is recorded");
    assert_eq!(new.last_success_at, Some(later));
    assert_eq!(new.consecutive_failures, 0);
    let failing = instance(&server.app, "failing.example").await.unwrap();
    assert_eq!(
        failing.consecutive_failures, 0,
        "an answer ends a failing streak"
    );
    assert_eq!(failing.failing_since, None);
    assert_eq!(failing.last_success_at, Some(later));
    let parked = instance(&server.app, "parked.example").await.unwrap();
    assert!(!parked.unreachable, "an answer revives a parked server");
    let healthy = instance(&server.app, "healthy.example").await.unwrap();
    assert_eq!(
        healthy.last_success_at,
        Some(t0),
        "a success within the minute is not written again"
    );

    server
        .app
        .db
        .run(move |c| {
            let batch = ["healthy.example".to_string()];
            Ok(copse::db::instances::record_successes(
                c, &batch, much_later,
            )?)
        })
        .await
        .unwrap();
    let healthy = instance(&server.app, "healthy.example").await.unwrap();
    assert_eq!(healthy.last_success_at, Some(much_later));
}

#[tokio::test]
async fn an_activity_is_stored_once_and_removed_once_its_last_delivery_is_settled() {
    const WAIT: Duration = Duration::from_secs(20);
    let server = sender(&[]).await;
    let sink = Sink::start().await;
    let signer = signer_of(&server);
    // One activity to three inboxes of the sink (delivered), one to a closed port (kept).
    let delivered = format!("http://{}/activities/kept-once", server.domain());
    let pending = format!("http://{}/activities/still-going", server.domain());
    let inboxes: Vec<String> = (0..3).map(|i| format!("{}/{i}", sink.inbox())).collect();
    {
        let (delivered, pending, signer) = (delivered.clone(), pending.clone(), signer.clone());
        server
            .app
            .db
            .transaction(move |c| {
                let like = |id: &str| json!({"id": id, "type": "Like", "actor": signer, "object": "http://example.org/o"});
                delivery::enqueue(c, &like(&delivered), &signer, &inboxes)?;
                delivery::enqueue(
                    c,
                    &like(&pending),
                    &signer,
                    &["http://127.0.0.1:1/inbox".to_string()],
                )?;
                Ok(())
            })
            .await
            .expect("queued");
    }
    let stored = |app: copse::App| async move {
        app.db
            .run(|c| {
                use copse::db::schema::outgoing_activities as a;
                use diesel::prelude::*;
                Ok(a::table
                    .select(a::activity_id)
                    .order(a::activity_id.asc())
                    .load::<String>(c)?)
            })
            .await
            .expect("read activities")
    };
    // Three deliveries, one stored copy of the activity.
    let mut both = vec![delivered.clone(), pending.clone()];
    both.sort();
    assert_eq!(stored(server.app.clone()).await, both);
    delivery::wake(&server.app);
    eventually(WAIT, "the three deliveries", || async {
        (sink.accepted_ids().len() >= 3).then_some(())
    })
    .await;
    eventually(WAIT, "the delivered rows to be settled", || async {
        let left = rows(&server.app).await;
        left.iter().all(|r| r.activity_id == pending).then_some(())
    })
    .await;
    let removed = server
        .app
        .db
        .run(|c| Ok(deliveries::drop_finished_activities(c)?))
        .await
        .expect("sweep");
    assert_eq!(removed, 1);
    assert_eq!(stored(server.app.clone()).await, vec![pending.clone()]);
    assert_eq!(sink.accepted_ids(), vec![delivered.clone(); 3]);
}
