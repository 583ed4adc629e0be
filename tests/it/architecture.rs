//! The layers stay apart: the domain records what happened and never reaches for what
//! federation sends; the worker is woken in one place.

use std::path::{Path, PathBuf};

/// The folders that hold the domain's rules.
const DOMAIN: &[&str] = &[
    "accounts",
    "communities",
    "content",
    "discussions",
    "events",
    "follows",
    "membership",
    "moderation",
];

/// The parts of federation that build or send activities. The domain may name things by
/// their ids (`federation::urls`), resolve and fetch actors, but never build or queue what
/// goes on the wire.
const SENDING_SIDE: &[&str] = &[
    "activities",
    "delivery",
    "inbox",
    "objects",
    "publish",
    "restricted",
    "send",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules of `federation` a source text names: `federation::x` paths, and the items
/// of grouped imports such as `federation::{x, y::z}`.
fn federation_modules_named(text: &str) -> Vec<String> {
    let mut named = Vec::new();
    for (i, _) in text.match_indices("federation::") {
        let rest = &text[i + "federation::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let module = item.trim().split("::").next().unwrap_or("").trim();
                let module = module.split_whitespace().next().unwrap_or("");
                if !module.is_empty() {
                    named.push(module.to_string());
                }
            }
        } else {
            let module: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            named.push(module);
        }
    }
    named
}

#[test]
fn the_reader_of_imports_sees_paths_and_groups() {
    let text =
        "use crate::federation::{delivery, urls::Urls};\nlet x = crate::federation::send::y;";
    assert_eq!(
        federation_modules_named(text),
        ["delivery", "urls", "send"],
        "the check below would miss imports it cannot read"
    );
}

#[test]
fn no_domain_folder_imports_the_sending_side_of_federation() {
    let mut offences = Vec::new();
    for folder in DOMAIN {
        let mut files = Vec::new();
        rust_files(&src().join(folder), &mut files);
        assert!(!files.is_empty(), "src/{folder} holds no Rust file");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read a source file");
            for module in federation_modules_named(&text) {
                if SENDING_SIDE.contains(&module.as_str()) {
                    offences.push(format!(
                        "{} names federation::{module}",
                        file.strip_prefix(src()).unwrap_or(&file).display()
                    ));
                }
            }
            if text.contains("delivery::wake") || text.contains("deliveries_queued") {
                offences.push(format!(
                    "{} wakes the delivery worker itself",
                    file.display()
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the domain records events; federation sends (src/federation/send/):\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_delivery_worker_is_woken_from_the_outbox_and_the_delivery_layer_only() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let allowed = ["federation/send/mod.rs", "federation/delivery/", "app.rs"];
    let mut wakers = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src())
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&file).expect("read a source file");
        let wakes = text.contains("delivery::wake(") || text.contains("deliveries_queued.notify");
        if wakes && !allowed.iter().any(|a| rel.starts_with(a)) {
            wakers.push(rel);
        }
    }
    assert!(
        wakers.is_empty(),
        "these files wake the delivery worker by hand; record an event instead: {wakers:?}"
    );
}

#[test]
fn the_database_layer_imports_neither_federation_nor_the_domain() {
    let mut files = Vec::new();
    rust_files(&src().join("db"), &mut files);
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for layer in DOMAIN.iter().chain(&["federation", "api", "web", "server"]) {
            if text.contains(&format!("crate::{layer}::")) {
                offences.push(format!("{} names crate::{layer}", file.display()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "db/ is below every other layer:\n{}",
        offences.join("\n")
    );
}

#[test]
fn federation_outside_its_routes_speaks_http_not_axum() {
    let mut files = Vec::new();
    rust_files(&src().join("federation"), &mut files);
    let routes = src().join("federation").join("routes");
    let offenders: Vec<String> = files
        .into_iter()
        .filter(|f| !f.starts_with(&routes))
        .filter(|f| {
            std::fs::read_to_string(f)
                .expect("read a source file")
                .contains("axum::")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "only federation/routes/ is written against the web framework: {offenders:?}"
    );
}

#[test]
fn posts_comments_and_votes_are_written_by_the_domain_whatever_their_origin() {
    // The statements that create content, and who may call them: one place each, used by
    // the API and the inbox alike (src/discussions/write.rs, src/discussions/votes.rs).
    let writers = [
        ("posts::insert(", "discussions/write.rs"),
        ("comments::insert(", "discussions/write.rs"),
        ("votes::set(", "discussions/votes.rs"),
    ];
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut offences = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(src())
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("db/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for (call, owner) in writers {
            if text.contains(call) && rel != owner {
                offences.push(format!("{rel} calls {call} (only {owner} may)"));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "content is created by one domain path for local and remote authors:\n{}",
        offences.join("\n")
    );
}
