//! Text people write and other servers send: Markdown rendered to HTML, HTML sanitized,
//! and the plain-text and media-stripping helpers that run on remote HTML.
//!
//! Invariants: nothing panics; neither the sanitizer's nor the renderer's output holds a
//! `<script` tag, whatever the case; sanitizing sanitized HTML changes nothing.

#![no_main]

use copse::content::{plain_text, render_markdown, sanitize, without_media};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    let clean = sanitize(&text);
    assert!(
        !has_script(&clean),
        "sanitize let a script through: {clean:?}"
    );
    let twice = sanitize(&clean);
    assert_eq!(twice, clean, "sanitize is not stable on its own output");

    let rendered = render_markdown(&text);
    assert!(
        !has_script(&rendered),
        "render_markdown let a script through: {rendered:?}"
    );

    let _ = plain_text(&text);
    let _ = without_media(&clean);
});

fn has_script(html: &str) -> bool {
    html.to_ascii_lowercase().contains("<script")
}
