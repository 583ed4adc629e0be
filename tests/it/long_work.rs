//! Long work under a running server: a blocklist of 100,000 lines imported in the
//! background while others write, a stop in the middle of it that is prompt and loses
//! nothing, writers held up by a long transaction answered 503 with `Retry-After`, and a
//! transaction past its bound rolled back rather than committed after its answer.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::binary::{Running, copse, run, stderr};
use crate::support::{TestDb, TestServer, eventually};

const LINES: usize = 100_000;

/// A merged blocklist as servers share them: Mastodon's CSV with a public comment on every
/// line, about 7 MB (well above the 1 MB limit of other requests).
fn big_blocklist() -> String {
    let mut csv = String::from(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n",
    );
    for n in 0..LINES {
        csv.push_str(&format!(
            "spam{n}.example,suspend,false,false,\"merged from three lists, reviewed\",false\n"
        ));
    }
    csv
}

async fn post_list(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    csv: &str,
) -> (StatusCode, Value) {
    let res = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn a_blocklist_of_100000_lines_imports_in_the_background_while_others_write() {
    let s = TestServer::federating(&[("COPSE_HTTP_REQUEST_TIMEOUT_SECONDS", "8")]).await;
    s.create_user("rosa", true).await;
    s.create_user("mira", false).await;
    let root = s.login("rosa").await;
    let mira = s.login("mira").await;
    let csv = big_blocklist();
    assert!(csv.len() > 5 * 1024 * 1024, "{} bytes", csv.len());
    let url = s.url("/api/v1/admin/domains/import");

    let (status, first) = post_list(&s.client, &url, &root, &csv).await;
    assert!(
        status == StatusCode::ACCEPTED || status == StatusCode::OK,
        "{status} {first}"
    );
    let id = first["id"].as_i64().expect("an import id");
    assert_eq!(first["total"], LINES, "{first}");

    // Sent again while it is applied (an admin retrying), it is the same import.
    let (_, again) = post_list(&s.client, &url, &root, &csv).await;
    if again["state"] == "running" {
        assert_eq!(again["id"], id, "{again}");
    }

    // Others go on writing meanwhile, and progress is visible.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut seen_between = false;
    let mut n = 0;
    let view = loop {
        n += 1;
        let (status, body) = s
            .post(
                "/api/v1/communities",
                Some(&mira),
                json!({"name": format!("during{n}"), "title": "During the import"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "a write during the import: {body}"
        );
        let (status, view) = s
            .get(&format!("/api/v1/admin/domains/imports/{id}"), Some(&root))
            .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        if view["state"] != "running" {
            break view;
        }
        let written = view["written"].as_u64().unwrap();
        seen_between |= written > 0 && written < LINES as u64;
        assert!(
            Instant::now() < deadline,
            "the import did not finish: {view}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(view["written"], LINES, "{view}");
    assert_eq!(view["added"], LINES, "each line applied once: {view}");
    if first["state"] == "running" {
        assert!(seen_between, "progress was visible while it ran");
    }
    let (_, rules) = s.get("/api/v1/admin/domains", Some(&root)).await;
    assert_eq!(rules["domains"].as_array().unwrap().len(), LINES);
    let (_, list) = s.get("/api/v1/admin/domains/imports", Some(&root)).await;
    assert!(
        list.as_array().unwrap().iter().any(|i| i["id"] == id),
        "{list}"
    );
    let (status, _) = s
        .get(&format!("/api/v1/admin/domains/imports/{id}"), Some(&mira))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "imports are for admins");
}

#[tokio::test]
async fn sigterm_in_the_middle_of_an_import_exits_within_10_seconds_and_the_next_start_finishes_it()
{
    let db = TestDb::new();
    let on_db = || {
        let mut cmd = copse(db.dir.path());
        cmd.env("COPSE_DATA_DIR", db.dir.path().join("data"))
            .env("COPSE_DATABASE_URL", db.url_string())
            .env("COPSE_BIND", "127.0.0.1:0")
            .env("COPSE_HTTP_REQUEST_TIMEOUT_SECONDS", "8")
            .env("COPSE_RATE_LIMIT_ENABLED", "false");
        cmd
    };
    let out = run(on_db()
        .args([
            "admin",
            "create-user",
            "rosa",
            "--email",
            "rosa@example.org",
            "--admin",
        ])
        .env("COPSE_PASSWORD", "a long admin password"));
    assert!(out.status.success(), "{}", stderr(&out));

    let (mut server, addr) = Running::start(on_db().arg("serve"));
    let client = reqwest::Client::new();
    let login = |addr: String| {
        let client = client.clone();
        async move {
            let res: Value = client
                .post(format!("http://{addr}/api/v1/auth/login"))
                .json(&json!({"username": "rosa", "password": "a long admin password"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            res["token"].as_str().expect("a token").to_string()
        }
    };
    let token = login(addr.clone()).await;
    let (status, started) = post_list(
        &client,
        &format!("http://{addr}/api/v1/admin/domains/import"),
        &token,
        &big_blocklist(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let id = started["id"].as_i64().unwrap();
    let status_of = |addr: String, token: String| {
        let client = client.clone();
        async move {
            client
                .get(format!("http://{addr}/api/v1/admin/domains/imports/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let midway = eventually(
        Duration::from_secs(120),
        "some batches to be written",
        || {
            let (addr, token) = (addr.clone(), token.clone());
            let status_of = &status_of;
            async move {
                let view = status_of(addr, token).await;
                (view["written"].as_u64().unwrap() > 0).then_some(view)
            }
        },
    )
    .await;
    assert_eq!(
        midway["state"], "running",
        "the list is long enough to stop midway: {midway}"
    );

    let asked = Instant::now();
    server.signal("TERM");
    assert_eq!(server.wait_exit(Duration::from_secs(30)), Some(0));
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(10), "stopped in {took:?}");

    let (_server, addr) = Running::start(on_db().arg("serve"));
    let token = login(addr.clone()).await;
    let done = eventually(
        Duration::from_secs(600),
        "the import to be finished",
        || {
            let (addr, token) = (addr.clone(), token.clone());
            let status_of = &status_of;
            async move {
                let view = status_of(addr, token).await;
                (view["state"] != "running").then_some(view)
            }
        },
    )
    .await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        (
            done["written"].as_u64(),
            done["added"].as_u64(),
            done["updated"].as_u64()
        ),
        (Some(LINES as u64), Some(LINES as u64), Some(0)),
        "every line applied exactly once across the stop: {done}"
    );
}

#[tokio::test]
async fn a_writer_held_up_by_a_long_transaction_is_answered_503_with_retry_after() {
    let s = TestServer::start().await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    let postgres = s.app.db.backend() == copse::db::Backend::Postgres;
    let (held_tx, held_rx) = tokio::sync::oneshot::channel();
    let holder = tokio::spawn({
        let db = s.app.db.clone();
        async move {
            db.transaction(move |c| {
                use diesel::RunQueryDsl;
                // SQLite's immediate transaction holds the write lock already.
                if postgres {
                    diesel::sql_query("LOCK TABLE communities IN EXCLUSIVE MODE").execute(c)?;
                }
                let _ = held_tx.send(());
                std::thread::sleep(Duration::from_secs(8));
                Ok(())
            })
            .await
        }
    });
    held_rx.await.expect("the lock is held");
    let asked = Instant::now();
    let res = s
        .client
        .post(s.url("/api/v1/communities"))
        .bearer_auth(&mira)
        .json(&json!({"name": "nursing", "title": "Nursing practice"}))
        .send()
        .await
        .unwrap();
    let waited = asked.elapsed();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry = res.headers().get("retry-after").cloned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "database_busy", "{body}");
    assert!(retry.is_some(), "Retry-After is sent");
    assert!(waited < Duration::from_secs(8), "it waited {waited:?}");
    holder.await.unwrap().unwrap();
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "once the lock is let go: {body}"
    );
}

#[tokio::test]
async fn a_transaction_past_its_bound_is_rolled_back_not_committed() {
    let s = TestServer::start().await;
    let bounded = s
        .app
        .db
        .clone()
        .with_transaction_bound(Duration::from_millis(200));
    let now = chrono::Utc::now().naive_utc();
    let err = bounded
        .transaction(move |c| {
            copse::db::peer_software::put(c, "late.example", "mastodon", "4.3.0", now)?;
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        })
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "database_busy");
    let kept = s
        .app
        .db
        .run(|c| Ok(copse::db::peer_software::find(c, "late.example")?))
        .await
        .unwrap();
    assert!(kept.is_none(), "nothing of it was written");
    bounded
        .transaction(move |c| {
            Ok(copse::db::peer_software::put(
                c,
                "soon.example",
                "lemmy",
                "0.19",
                now,
            )?)
        })
        .await
        .expect("a quick one commits");
}
