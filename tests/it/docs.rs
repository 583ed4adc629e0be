//! The documentation stays true to the code: every key and every error code is written.

#[test]
fn configuration_docs_list_every_key_with_its_variable_and_default() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/configuration.md"
    ))
    .expect("docs/configuration.md");
    for key in copse::config::KEYS {
        assert!(
            doc.contains(&format!("`{}`", key.key)),
            "docs/configuration.md lacks key {}",
            key.key
        );
        assert!(
            doc.contains(&format!("`{}`", key.env)),
            "docs/configuration.md lacks {}",
            key.env
        );
        if let Some(default) = key.default {
            assert!(
                doc.contains(&format!("`{default}`")),
                "docs/configuration.md lacks the default of {}",
                key.key
            );
        }
    }
}

#[test]
fn api_docs_list_every_error_code() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md"))
        .expect("docs/api.md");
    for code in copse::ErrorCode::ALL {
        assert!(
            doc.contains(&format!("`{}`", code.as_str())),
            "docs/api.md lacks error code {}",
            code.as_str()
        );
    }
}

#[test]
fn account_docs_state_the_username_rules() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/accounts.md"))
        .expect("docs/accounts.md");
    for name in copse::accounts::RESERVED_USERNAMES {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/accounts.md lacks reserved name {name}"
        );
    }
    assert!(doc.contains(&format!(
        "{} to {} characters",
        copse::accounts::MIN_USERNAME_CHARS,
        copse::accounts::MAX_USERNAME_CHARS
    )));
    assert!(doc.contains(&format!(
        "{} to {} characters",
        copse::accounts::MIN_PASSWORD_CHARS,
        copse::accounts::MAX_PASSWORD_CHARS
    )));
}
