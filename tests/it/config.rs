//! Configuration: file, environment, defaults and refusals that name the key.

use std::collections::HashMap;
use std::path::Path;

use copse::config::{Config, DatabaseUrl, RegistrationMode};

fn load(file: Option<&Path>, env: &[(&str, &str)]) -> copse::Result<Config> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::load_with(file, &|k| env.get(k).cloned())
}

#[test]
fn defaults_are_safe_for_a_newcomer() {
    let c = load(None, &[]).expect("defaults load");
    assert_eq!(c.domain, "localhost:8080");
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(c.data_dir, Path::new("./data"));
    assert_eq!(
        c.database_url,
        DatabaseUrl::Sqlite("./data/copse.db".into())
    );
    assert!(!c.dev, "development federation is never a default");
    assert_eq!(c.registration_mode, RegistrationMode::Closed);
    assert_eq!(c.http_max_body_bytes, 1 << 20);
}

#[test]
fn the_environment_overrides_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("copse.toml");
    std::fs::write(
        &file,
        "domain = \"file.example.org\"\nbind = \"127.0.0.1:9000\"\n[registration]\nmode = \"approval\"\n[http]\nmax_body_bytes = 2048\n",
    )
    .expect("write");
    let c = load(
        Some(&file),
        &[("COPSE_DOMAIN", "env.example.org"), ("COPSE_DEV", "true")],
    )
    .expect("loads");
    assert_eq!(c.domain, "env.example.org");
    assert_eq!(c.bind.port(), 9000);
    assert_eq!(c.registration_mode, RegistrationMode::Approval);
    assert_eq!(c.http_max_body_bytes, 2048);
    assert!(c.dev);
    assert_eq!(c.public_url(), "http://env.example.org");
}

#[test]
fn the_data_dir_moves_the_default_sqlite_database() {
    let c = load(None, &[("COPSE_DATA_DIR", "/srv/copse")]).expect("loads");
    assert_eq!(
        c.database_url,
        DatabaseUrl::Sqlite("/srv/copse/copse.db".into())
    );
    let c = load(None, &[("COPSE_DATABASE_URL", "postgres://copse@db/copse")]).expect("loads");
    assert_eq!(c.database_url.backend_name(), "postgres");
}

fn refused(file_text: Option<&str>, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("copse.toml");
    if let Some(text) = file_text {
        std::fs::write(&file, text).expect("write");
    }
    let err = load(file_text.map(|_| file.as_path()), env).expect_err("refused");
    assert_eq!(err.code().as_str(), "config_invalid");
    err.message().to_string()
}

#[test]
fn bad_values_are_refused_naming_the_key() {
    assert!(refused(None, &[("COPSE_BIND", "everywhere")]).starts_with("COPSE_BIND:"));
    assert!(refused(None, &[("COPSE_DOMAIN", "https://x.org")]).starts_with("COPSE_DOMAIN:"));
    assert!(refused(None, &[("COPSE_DEV", "maybe")]).starts_with("COPSE_DEV:"));
    assert!(
        refused(None, &[("COPSE_DATABASE_URL", "mysql://x")]).starts_with("COPSE_DATABASE_URL:")
    );
    assert!(
        refused(None, &[("COPSE_REGISTRATION_MODE", "invite")])
            .starts_with("COPSE_REGISTRATION_MODE:")
    );
    assert!(
        refused(None, &[("COPSE_HTTP_MAX_BODY_BYTES", "-1")])
            .starts_with("COPSE_HTTP_MAX_BODY_BYTES:")
    );
    assert!(
        refused(None, &[("COPSE_METRICS_BEARER_TOKEN", "short")])
            .starts_with("COPSE_METRICS_BEARER_TOKEN:")
    );
    let m = refused(Some("bind = 8080\n"), &[]);
    assert!(m.starts_with("bind (in "), "{m}");
    let m = refused(Some("[http]\nmax_body_bytes = \"big\"\n"), &[]);
    assert!(m.starts_with("http.max_body_bytes (in "), "{m}");
}

#[test]
fn unknown_keys_and_broken_files_are_refused() {
    let m = refused(Some("domian = \"typo.example.org\"\n"), &[]);
    assert!(
        m.starts_with("domian (in ") && m.contains("unknown configuration key"),
        "{m}"
    );
    let m = refused(Some("[registration]\nmod = \"open\"\n"), &[]);
    assert!(m.starts_with("registration.mod (in "), "{m}");
    let m = refused(Some("domain = \n"), &[]);
    assert!(m.contains("not valid TOML"), "{m}");
    // The line is named, so a long file need not be read through.
    let m = refused(Some("domain = \"a.example\"\n\n[http]\nbind = = 1\n"), &[]);
    assert!(m.contains("(line 4)"), "{m}");
    let err = load(Some(Path::new("/nonexistent/copse.toml")), &[]).expect_err("missing file");
    assert!(
        err.message()
            .contains("cannot read config file /nonexistent/copse.toml")
    );
}
