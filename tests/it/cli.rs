//! The `copse` binary as an operator meets it: help, version, start-up failures that name
//! the problem, account creation, migration and a shutdown that drains requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::support::TestDb;
use crate::support::binary::{Running, copse, run, stderr, stdout};

/// A `copse` command on a fresh database of this run's backend.
fn copse_on(db: &TestDb) -> std::process::Command {
    let mut cmd = copse(db.dir.path());
    cmd.env("COPSE_DATA_DIR", db.dir.path().join("data"))
        .env("COPSE_DATABASE_URL", db.url_string())
        .env("COPSE_BIND", "127.0.0.1:0");
    cmd
}

#[test]
fn version_and_help_speak_to_a_newcomer() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(copse(dir.path()).arg("--version"));
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim(),
        format!("copse {}", env!("CARGO_PKG_VERSION"))
    );
    let out = run(copse(dir.path()).arg("--help"));
    assert!(out.status.success());
    let help = stdout(&out);
    for word in [
        "serve",
        "migrate",
        "admin",
        "communities of practice",
        "create-user",
    ] {
        assert!(help.contains(word), "help lacks {word}: {help}");
    }
    let out = run(copse(dir.path()).args(["admin", "create-user", "--help"]));
    assert!(stdout(&out).contains("COPSE_PASSWORD"));
    let out = run(copse(dir.path()).arg("frobnicate"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_invalid_setting_stops_the_start_with_the_key_named_and_exit_code_2() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(copse(dir.path())
        .arg("serve")
        .env("COPSE_BIND", "not-an-address"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: COPSE_BIND:"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");

    std::fs::write(
        dir.path().join("copse.toml"),
        "[registration]\nmode = \"sometimes\"\n",
    )
    .expect("write");
    let out = run(copse(dir.path()).arg("serve"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("registration.mode (in copse.toml)"),
        "{}",
        stderr(&out)
    );

    let out = run(copse(dir.path()).args(["--config", "missing.toml", "serve"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read config file missing.toml"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("data").exists(), "nothing was created");
}

#[test]
fn an_unusable_data_dir_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let out = run(copse(dir.path())
        .arg("serve")
        .env("COPSE_DATA_DIR", file.join("data")));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("data_dir") && err.contains("cannot create it"),
        "{err}"
    );
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let dir = tempfile::tempdir().expect("dir");
    let out = run(copse(dir.path()).arg("serve").env(
        "COPSE_DATABASE_URL",
        "postgres://copse:hunter22@127.0.0.1:1/copse",
    ));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cannot connect to the database") && err.contains("127.0.0.1:1"),
        "{err}"
    );
    assert!(!err.contains("hunter22"), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir(dir.path().join("data")).expect("dir");
    std::fs::write(dir.path().join("data/copse.db"), vec![b'x'; 8192]).expect("write");
    let out = run(copse(dir.path()).arg("migrate"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not a database"), "{}", stderr(&out));
}

#[test]
fn a_port_in_use_is_named() {
    let db = TestDb::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = run(copse_on(&db).arg("serve").env("COPSE_BIND", &addr));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot listen on {addr}")) && err.contains("already in use"),
        "{err}"
    );
}

#[test]
fn migrate_then_create_the_first_admin_from_the_cli() {
    let db = TestDb::new();
    let out = run(copse_on(&db).arg("migrate"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("applied ") && stdout(&out).contains("now at version"),
        "{}",
        stdout(&out)
    );
    let out = run(copse_on(&db).arg("migrate"));
    assert!(stdout(&out).contains("up to date"), "{}", stdout(&out));

    let out = run(copse_on(&db)
        .args([
            "admin",
            "create-user",
            "maria",
            "--email",
            "maria@example.org",
            "--admin",
        ])
        .env("COPSE_PASSWORD", "a long admin password"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("created admin 'maria'"),
        "{}",
        stdout(&out)
    );

    let pwfile = db.dir.path().join("pw");
    std::fs::write(&pwfile, "another long password\n").expect("write");
    let out = run(copse_on(&db)
        .args([
            "admin",
            "create-user",
            "nils",
            "--email",
            "nils@example.org",
            "--password-file",
        ])
        .arg(&pwfile));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("created user 'nils'"));

    let out = run(copse_on(&db)
        .args([
            "admin",
            "create-user",
            "maria",
            "--email",
            "other@example.org",
        ])
        .env("COPSE_PASSWORD", "a long admin password"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the username 'maria' is taken"),
        "{}",
        stderr(&out)
    );

    let out = run(copse_on(&db)
        .args([
            "admin",
            "create-user",
            "Bad Name",
            "--email",
            "x@example.org",
        ])
        .env("COPSE_PASSWORD", "a long admin password"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("username"), "{}", stderr(&out));

    // No terminal, no variable, no file: told how to give a password.
    let out = run(copse_on(&db).args([
        "admin",
        "create-user",
        "olga",
        "--email",
        "olga@example.org",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("COPSE_PASSWORD"), "{}", stderr(&out));
}

/// SIGTERM stops new connections but lets a request already being received finish, then
/// the process exits 0.
#[test]
fn sigterm_drains_in_flight_requests_then_exits_0() {
    let db = TestDb::new();
    let (mut server, addr) = Running::start(copse_on(&db).arg("serve"));

    let body = br#"{"username":"nobody","password":"whatever-password"}"#;
    let mut slow = TcpStream::connect(&addr).expect("connect");
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        slow,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("head");
    slow.write_all(&body[..10]).expect("first part of the body");

    // Wait until the server is inside that request (the scrape itself is the other one).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let metrics = http_get(&addr, "/metrics");
        if metrics.contains("copse_http_requests_in_flight 2") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "request never in flight: {metrics}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    server.signal("TERM");
    server.wait_for_line("shutting down", Duration::from_secs(10));
    assert!(
        server.child.try_wait().expect("wait").is_none(),
        "still draining"
    );

    slow.write_all(&body[10..]).expect("rest of the body");
    let mut response = String::new();
    slow.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.contains("invalid_credentials"), "{response}");

    assert_eq!(server.wait_exit(Duration::from_secs(20)), Some(0));
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn healthcheck_reports_a_live_server_and_a_dead_one() {
    let db = TestDb::new();
    let (_server, addr) = Running::start(copse_on(&db).arg("serve"));
    let out =
        run(copse(db.dir.path()).args(["healthcheck", "--url", &format!("http://{addr}/healthz")]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "ok");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = closed.local_addr().expect("addr");
    drop(closed);
    let out =
        run(copse(db.dir.path()).args(["healthcheck", "--url", &format!("http://{dead}/healthz")]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&dead.to_string()), "{}", stderr(&out));
}

#[test]
fn an_admin_creates_a_community_from_the_cli() {
    let db = TestDb::new();
    let out = run(copse_on(&db)
        .args([
            "admin",
            "create-user",
            "owner",
            "--email",
            "owner@example.org",
        ])
        .env("COPSE_PASSWORD", "a long owner password"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(copse_on(&db).args([
        "admin",
        "create-community",
        "palliative",
        "--owner",
        "owner",
        "--title",
        "Palliative care",
    ]));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("created community 'palliative'"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("moderator: owner"));
    let out = run(copse_on(&db).args([
        "admin",
        "create-community",
        "other",
        "--owner",
        "ghost",
        "--title",
        "T",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no user 'ghost'"), "{}", stderr(&out));
    let out = run(copse_on(&db).args([
        "admin",
        "create-community",
        "palliative",
        "--owner",
        "owner",
        "--title",
        "Again",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("taken"), "{}", stderr(&out));
}

#[test]
fn logs_written_to_a_file_or_pipe_carry_no_colour_codes() {
    let db = TestDb::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    // Serving fails (the port is taken) after the start-up has logged at debug level.
    let out = run(copse_on(&db)
        .arg("serve")
        .env("COPSE_BIND", &addr)
        .env("COPSE_LOG", "debug"));
    let err = stderr(&out);
    assert!(err.lines().count() > 1, "something was logged: {err}");
    assert!(!err.contains('\u{1b}'), "no escape codes: {err:?}");
}
