//! `copse admin block-domain` and the other federation policy commands, run as the real
//! binary on this run's database backend.

use crate::support::TestDb;
use crate::support::binary::{copse, run, stderr, stdout};

fn copse_on(db: &TestDb) -> std::process::Command {
    let mut cmd = copse(db.dir.path());
    cmd.env("COPSE_DATA_DIR", db.dir.path().join("data"))
        .env("COPSE_DATABASE_URL", db.url_string())
        .env("COPSE_BIND", "127.0.0.1:0");
    cmd
}

fn ok(db: &TestDb, args: &[&str]) -> (String, String) {
    let out = run(copse_on(db).args(args));
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    (stdout(&out), stderr(&out))
}

#[test]
fn an_admin_blocks_limits_allows_lists_and_moves_blocklists_from_the_command_line() {
    let db = TestDb::new();
    let (out, _) = ok(
        &db,
        &[
            "admin",
            "block-domain",
            "*.Spam.Example",
            "--reject-media",
            "--comment",
            "spam",
        ],
    );
    assert!(out.starts_with("blocked spam.example"), "{out}");
    ok(&db, &["admin", "limit-domain", "loud.example"]);
    let (out, err) = ok(&db, &["admin", "federation-mode", "allowlist"]);
    assert!(out.contains("federation mode: allowlist"), "{out}");
    assert!(err.contains("federates with nobody"), "a warning: {err}");
    ok(&db, &["admin", "allow-domain", "friend.example"]);
    let (out, _) = ok(&db, &["admin", "list-domains"]);
    assert!(out.contains("federation mode: allowlist"), "{out}");
    assert!(
        out.contains("spam.example\tblock,reject-media\tspam"),
        "{out}"
    );
    assert!(out.contains("loud.example\tlimit"), "{out}");
    assert!(out.contains("friend.example\tnone,allowed"), "{out}");

    let (csv, _) = ok(&db, &["admin", "export-blocklist"]);
    assert!(
        csv.starts_with(
            "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("spam.example,suspend,true,false,spam,false"),
        "{csv}"
    );
    assert!(
        !csv.contains("friend.example"),
        "allowlist entries are not a blocklist"
    );

    ok(
        &db,
        &["admin", "allow-domain", "friend.example", "--remove"],
    );
    ok(&db, &["admin", "unblock-domain", "loud.example"]);
    ok(&db, &["admin", "federation-mode", "blocklist"]);
    let (out, _) = ok(&db, &["admin", "list-domains"]);
    assert!(
        !out.contains("friend.example") && !out.contains("loud.example"),
        "{out}"
    );

    let file = db.dir.path().join("blocklist.csv");
    std::fs::write(&file, "one.example\ntwo.example,silence\n").unwrap();
    let (out, _) = ok(&db, &["admin", "import-blocklist", file.to_str().unwrap()]);
    assert!(out.contains("2 added, 0 updated"), "{out}");
}

#[test]
fn bad_domains_bad_files_and_unknown_rules_fail_with_a_clear_line() {
    let db = TestDb::new();
    let out = run(copse_on(&db).args(["admin", "block-domain", "https://spam.example/x"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: \"https://spam.example/x\" is not a domain"),
        "{}",
        stderr(&out)
    );

    let file = db.dir.path().join("bad.csv");
    std::fs::write(&file, "fine.example\nnot a domain\n").unwrap();
    let out = run(copse_on(&db).args(["admin", "import-blocklist", file.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
    let out = run(copse_on(&db).args(["admin", "import-blocklist", "missing.csv"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read missing.csv"),
        "{}",
        stderr(&out)
    );
    let (out, _) = ok(&db, &["admin", "list-domains"]);
    assert!(out.contains("no domain rules"), "nothing imported: {out}");

    let out = run(copse_on(&db).args(["admin", "unblock-domain", "never.example"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("never.example has no policy"),
        "{}",
        stderr(&out)
    );
    let out = run(copse_on(&db).args(["admin", "federation-mode", "sometimes"]));
    assert_eq!(out.status.code(), Some(2));
}
