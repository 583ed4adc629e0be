//! Journeys across two copse servers in headless Chromium: a visitor on one server's
//! community uses "follow from your own server", lands on their own server, logs in,
//! follows the community there and posts to it from home; then sets up their profile,
//! reads their feed and looks at a person of the other server. Every page type on the way
//! is checked with axe-core at a phone's and a desktop's width.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::support::browser::{Browser, PHONE, look, main_text};
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_visitor_follows_from_their_own_server_and_takes_part_from_there() {
    // Mira's community on one server, Ana's account on another.
    let there = TestServer::federating(&[]).await;
    there.create_user("mira", false).await;
    let mira = there.login("mira").await;
    let (status, body) = there
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({
                "name": "nursing",
                "title": "Nursing practice",
                "summary": "Shift work, **wound care** and handovers.",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let here = TestServer::federating(&[]).await;
    here.create_user("ana", false).await;

    // On Mira's server, Ana names her own server.
    let browser = Browser::start(PHONE.0, PHONE.1).await;
    browser.goto(&there.url("/c/nursing")).await;
    browser
        .find("#home-server")
        .await
        .send_keys(&here.domain())
        .await;
    browser
        .find("form[action='/interact'] button")
        .await
        .click()
        .await;
    // Her server asks her to log in, then shows the community, ready to follow.
    browser.wait_for("#password", WAIT).await;
    assert!(
        browser.current_url().await.starts_with(&here.url("/login")),
        "{}",
        browser.current_url().await
    );
    browser.find("#username").await.send_keys("ana").await;
    browser
        .find("#password")
        .await
        .send_keys(&crate::support::server::password_of("ana"))
        .await;
    browser.find("form.stack button").await.click().await;
    let remote = format!("nursing@{}", there.domain());
    eventually(WAIT, "the community's page on her server", || async {
        let url = browser.current_url().await;
        url.ends_with(&format!("/c/{remote}")).then_some(())
    })
    .await;
    let main = main_text(&browser).await;
    assert!(main.contains("wound care"), "{main}");
    look(&browser, "remote-community").await;

    browser
        .find(&format!("form[action='/c/{remote}/follow'] button"))
        .await
        .click()
        .await;
    eventually(WAIT, "the follow accepted", || async {
        browser.goto(&here.url(&format!("/c/{remote}"))).await;
        main_text(&browser)
            .await
            .contains("You follow this community")
            .then_some(())
    })
    .await;

    // She posts to it from her server; it arrives on Mira's.
    browser
        .find(&format!("a[href='/c/{remote}/submit']"))
        .await
        .click()
        .await;
    browser.wait_for("#title", WAIT).await;
    browser
        .find("#title")
        .await
        .send_keys("Handover from a community elsewhere")
        .await;
    browser
        .find("#body")
        .await
        .send_keys("Posted from *my own* server.")
        .await;
    browser
        .find("form.stack button:not([type=button])")
        .await
        .click()
        .await;
    browser.wait_for("#post-title", WAIT).await;
    eventually(WAIT, "her post on the community's server", || async {
        let (_, posts) = there.get("/api/v1/posts?community=nursing", None).await;
        posts
            .to_string()
            .contains("Handover from a community elsewhere")
            .then_some(())
    })
    .await;

    // Mira's next post reaches Ana's feed at home.
    let (status, body) = there
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Rota for January", "body": "See the sheet."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    eventually(WAIT, "mira's post in ana's feed", || async {
        browser.goto(&here.url("/feed")).await;
        main_text(&browser)
            .await
            .contains("Rota for January")
            .then_some(())
    })
    .await;
    look(&browser, "feed-elsewhere").await;

    // Her profile: a display name and a few lines about her, shown on her page.
    browser.goto(&here.url("/settings")).await;
    browser
        .find("#display-name")
        .await
        .send_keys("Ana Lima, RN")
        .await;
    browser
        .find("#bio")
        .await
        .send_keys("Night nurse, **ICU**.")
        .await;
    browser
        .find("form[action='/settings/profile'] button")
        .await
        .click()
        .await;
    eventually(WAIT, "the profile saved", || async {
        main_text(&browser)
            .await
            .contains("Your profile is saved.")
            .then_some(())
    })
    .await;
    browser.goto(&here.url("/u/ana")).await;
    assert_eq!(browser.find("h1").await.text().await, "Ana Lima, RN");
    assert_eq!(browser.find("main strong").await.text().await, "ICU");
    look(&browser, "person").await;

    // A person of the other server has a page here too.
    browser
        .goto(&here.url(&format!("/search?q=%40mira%40{}", there.domain())))
        .await;
    eventually(WAIT, "mira's page on ana's server", || async {
        let url = browser.current_url().await;
        url.ends_with(&format!("/u/mira@{}", there.domain()))
            .then_some(())
    })
    .await;
    assert!(
        browser
            .try_find(&format!("form[action='/u/mira@{}/follow']", there.domain()))
            .await
            .is_some()
    );
    look(&browser, "remote-person").await;
}
