//! Pages as a person sees them, in headless Chromium: a community's page on a phone and on
//! a desktop, checked with axe-core and captured under `target/screenshots/`; and checks
//! that the harness itself notices inaccessible pages and follows keyboard focus.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::TestServer;
use crate::support::browser::{Browser, assert_no_serious, data_url, keys};

#[tokio::test]
async fn a_community_page_reads_well_on_a_phone_and_a_desktop() {
    let s = TestServer::start().await;
    s.create_user("mira", false).await;
    let token = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Nursing practice",
                   "summary": "Handovers, night shifts and what works on the ward."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let url = s.url("/c/nursing");

    let browser = Browser::start(360, 800).await;
    for (width, height) in [(360, 800), (1280, 900)] {
        browser.set_size(width, height).await;
        browser.goto(&url).await;
        let viewport = browser
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await;
        assert_eq!(viewport, json!([width, height]), "the viewport's size");
        // The title may gain the site's name after the community's; the heading is the
        // community's own.
        let title = browser.title().await;
        assert!(title.starts_with("Nursing practice"), "{title}");
        assert_eq!(browser.find("h1").await.text().await, "Nursing practice");
        let main = browser.find("main").await.text().await;
        assert!(main.contains("what works on the ward"), "{main}");
        browser
            .assert_accessible(&format!("the community page at {width}px"))
            .await;
        let shot = browser.screenshot(&format!("community-{width}")).await;
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", shot.display());
        // The IHDR chunk holds the image's size: the viewport, at one pixel per CSS pixel.
        let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
        assert_eq!((size(16), size(20)), (width, height), "{}", shot.display());
    }
}

#[tokio::test]
async fn axe_finds_what_is_wrong_with_a_bad_page() {
    let browser = Browser::start(800, 600).await;
    browser
        .goto(&data_url(
            "<!doctype html><html lang=\"en\"><head><title>Bad form</title></head>\
             <body><main><h1>Bad form</h1>\
             <img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">\
             <input type=\"text\" name=\"q\"></main></body></html>",
        ))
        .await;
    let violations = browser.axe().await;
    let ids: Vec<&str> = violations.iter().map(|v| v.id.as_str()).collect();
    for expected in ["image-alt", "label"] {
        let v = violations
            .iter()
            .find(|v| v.id == expected)
            .unwrap_or_else(|| panic!("axe should report {expected}; it reported {ids:?}"));
        assert!(v.is_serious(), "{v:?}");
        assert!(!v.nodes.is_empty(), "{v:?}");
    }
    let img = &violations
        .iter()
        .find(|v| v.id == "image-alt")
        .unwrap()
        .nodes[0];
    assert_eq!(img.target, ["img"], "{img:?}");
    assert!(img.html.starts_with("<img"), "{img:?}");

    // assert_accessible's check fails on this page, and its message names each rule and
    // element.
    let failure = std::panic::catch_unwind(|| assert_no_serious("the bad form", &violations))
        .expect_err("a page with serious violations must fail");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    for expected in ["the bad form", "image-alt", "label", "<img", "<input"] {
        assert!(message.contains(expected), "{expected} in:\n{message}");
    }
}

#[tokio::test]
async fn tab_moves_focus_from_link_to_link() {
    let browser = Browser::start(800, 600).await;
    browser
        .goto(&data_url(
            "<!doctype html><html lang=\"en\"><head><title>Links</title></head><body><main>\
             <h1>Links</h1><p>Plain text first.</p>\
             <a href=\"#first\" onclick=\"document.title = 'First followed'\">First link</a> <a href=\"#second\">Second link</a>\
             </main></body></html>",
        ))
        .await;
    assert_eq!(browser.active_element().await.tag, "body");

    browser.press(keys::TAB).await;
    let focused = browser.active_element().await;
    assert_eq!(
        (
            focused.tag.as_str(),
            focused.text.as_str(),
            focused.attr("href")
        ),
        ("a", "First link", Some("#first"))
    );
    assert_eq!(focused.element, browser.find("a[href='#first']").await);

    browser.press(keys::TAB).await;
    let focused = browser.active_element().await;
    assert_eq!(
        (
            focused.tag.as_str(),
            focused.text.as_str(),
            focused.attr("href")
        ),
        ("a", "Second link", Some("#second"))
    );

    // Shift+Tab goes back, and Enter follows the focused link.
    browser.chord(&[keys::SHIFT, keys::TAB]).await;
    assert_eq!(browser.active_element().await.text, "First link");
    browser.press(keys::ENTER).await;
    assert_eq!(browser.title().await, "First followed");
}
