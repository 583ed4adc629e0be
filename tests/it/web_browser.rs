//! People's journeys in headless Chromium: a visitor finds a community and reads a thread,
//! a newcomer signs up, applies, posts, replies and votes. Every page type on the way is
//! checked with axe-core at a phone's and a desktop's width, walked by keyboard, and
//! captured under `target/screenshots/` for a person to look at.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::TestServer;
use crate::support::browser::{Browser, DESKTOP, PHONE, keys, look};

/// A server with `!nursing` (rules, a question, approval to join), a discussion with a
/// nested reply, and `mira` its moderator; with her token and the post's id.
async fn ward() -> (TestServer, String, i64) {
    let s = TestServer::federating(&[
        ("COPSE_REGISTRATION_MODE", "open"),
        ("COPSE_INSTANCE_NAME", "Nursing Commons"),
        (
            "COPSE_INSTANCE_DESCRIPTION",
            "Communities of practice for **nurses** of the region.",
        ),
    ])
    .await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice",
                   "summary": "Handovers, night shifts and what works on the ward."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(json!({"join_policy": "approval",
                        "rules": ["Be kind", "No patient identifiers"],
                        "questions": [{"question": "Where do you practise?", "required": true}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Handover checklists that work",
                   "body": "We use **SBAR**. What do you use?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let id = post["id"].as_i64().unwrap();
    let (_, first) = s
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&mira),
            json!({"body": "A printed card at each bed."}),
        )
        .await;
    s.post(
        &format!("/api/v1/posts/{id}/comments"),
        Some(&mira),
        json!({"body": "Laminated, so it survives the shift.", "parent_id": first["id"]}),
    )
    .await;
    (s, mira, id)
}

#[tokio::test]
async fn a_visitor_finds_a_community_and_reads_a_thread() {
    let (s, _, id) = ward().await;
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser.goto(&s.url("/")).await;
    assert_eq!(browser.find("h1").await.text().await, "Nursing Commons");
    look(&browser, "home").await;

    // By keyboard: the first stop is the link that skips to the content.
    browser.press(keys::TAB).await;
    let focused = browser.active_element().await;
    assert_eq!(focused.attr("href"), Some("#main"), "{focused:?}");

    // A search by topic finds the community.
    let search = browser.find("#community-search").await;
    search.send_keys("night shifts").await;
    browser.press(keys::ENTER).await;
    crate::support::eventually(Duration::from_secs(10), "the search's results", || async {
        browser
            .current_url()
            .await
            .contains("q=night+shifts")
            .then_some(())
    })
    .await;
    browser
        .wait_for("ol.posts a[href='/c/nursing']", Duration::from_secs(10))
        .await
        .click()
        .await;
    crate::support::eventually(Duration::from_secs(10), "the community's page", || async {
        (text_of(&browser, "h1").await == "Nursing practice").then_some(())
    })
    .await;
    let aside = browser.find("aside").await.text().await;
    assert!(aside.contains("No patient identifiers"), "{aside}");
    assert!(aside.contains("mira"), "{aside}");
    look(&browser, "community").await;

    browser
        .find(&format!("a[href='/post/{id}']"))
        .await
        .click()
        .await;
    browser
        .wait_for("#post-title", Duration::from_secs(10))
        .await;
    let main = browser.find("main").await.text().await;
    assert!(main.contains("SBAR"), "{main}");
    assert!(main.contains("Laminated"), "{main}");
    look(&browser, "thread").await;

    for (path, name) in [
        ("/modlog", "modlog"),
        ("/login", "login"),
        ("/signup", "signup"),
        ("/c/no-such-community", "not-found"),
    ] {
        browser.goto(&s.url(path)).await;
        look(&browser, name).await;
    }
}

#[tokio::test]
async fn a_newcomer_signs_up_applies_and_takes_part() {
    let (s, mira, id) = ward().await;
    let browser = Browser::start(PHONE.0, PHONE.1).await;
    browser.goto(&s.url("/signup")).await;
    browser.find("#username").await.send_keys("ana").await;
    browser
        .find("#email")
        .await
        .send_keys("ana@example.org")
        .await;
    browser
        .find("#password")
        .await
        .send_keys("a-long-enough-password")
        .await;
    browser.find("form.stack button").await.click().await;
    // An open server logs her in and shows her name in the header.
    browser
        .wait_for("header.site a[href='/u/ana']", Duration::from_secs(10))
        .await;

    browser.goto(&s.url("/c/nursing")).await;
    browser
        .find("#answer-1")
        .await
        .send_keys("Leeds General, ICU")
        .await;
    browser.find("#accept-rules").await.click().await;
    look(&browser, "apply").await;
    browser
        .find("form[action='/c/nursing/join'] button")
        .await
        .click()
        .await;
    crate::support::eventually(Duration::from_secs(10), "the application", || async {
        text_of(&browser, "aside")
            .await
            .contains("waiting for the moderators")
            .then_some(())
    })
    .await;

    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    assert_eq!(pending[0]["answers"][0]["answer"], "Leeds General, ICU");
    let member = pending[0]["id"].as_i64().unwrap();
    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{member}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A member now: she writes her first post.
    browser.goto(&s.url("/c/nursing")).await;
    browser
        .find("a[href='/c/nursing/submit']")
        .await
        .click()
        .await;
    browser.wait_for("#title", Duration::from_secs(10)).await;
    look(&browser, "new-post").await;
    browser
        .find("#title")
        .await
        .send_keys("First night shift on ICU")
        .await;
    browser
        .find("#body")
        .await
        .send_keys("Any advice for *staying awake*?")
        .await;
    // The preview shows the Markdown as it will read.
    browser
        .find("button[aria-controls='preview-0']")
        .await
        .click()
        .await;
    let preview = browser
        .wait_for("#preview-0 em", Duration::from_secs(10))
        .await;
    assert_eq!(preview.text().await, "staying awake");
    browser
        .find("form.stack button:not([type=button])")
        .await
        .click()
        .await;
    browser
        .wait_for("#post-title", Duration::from_secs(10))
        .await;
    assert_eq!(
        browser.find("#post-title").await.text().await,
        "First night shift on ICU"
    );
    assert_eq!(
        browser.find(".post-body em").await.text().await,
        "staying awake"
    );

    // She replies to Mira's thread, under a comment, and upvotes the post.
    browser.goto(&s.url(&format!("/post/{id}"))).await;
    let reply = browser.find(".comment details.reply summary").await;
    reply.click().await;
    let field = browser.find(".comment details.reply textarea").await;
    field.send_keys("We tried these too.").await;
    browser
        .find(".comment details.reply button")
        .await
        .click()
        .await;
    crate::support::eventually(Duration::from_secs(10), "the reply", || async {
        text_of(&browser, "#comments")
            .await
            .contains("We tried these too.")
            .then_some(())
    })
    .await;
    browser
        .find("form[action$='/vote'] button")
        .await
        .click()
        .await;
    // The vote is recorded once the form's answer has come back.
    crate::support::eventually(Duration::from_secs(10), "the upvote", || async {
        let (_, post) = s.get(&format!("/api/v1/posts/{id}"), None).await;
        (post["upvotes"] == 1).then_some(())
    })
    .await;

    // Her feed holds the community's posts, hers included.
    browser.goto(&s.url("/feed")).await;
    let main = browser.find("main").await.text().await;
    assert!(main.contains("First night shift on ICU"), "{main}");
    assert!(main.contains("Handover checklists that work"), "{main}");
    look(&browser, "feed").await;

    // Her notifications (the approval) and her settings.
    browser.goto(&s.url("/notifications")).await;
    let main = browser.find("main").await.text().await;
    assert!(main.contains("nursing"), "{main}");
    look(&browser, "notifications").await;
    browser.goto(&s.url("/settings")).await;
    look(&browser, "settings").await;
}

/// The text of the first element matching `css` on whatever page is showing now (empty
/// while none does): safe to poll while a form's answer loads.
async fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Presses Tab until the focused element matches `id`, at most `limit` times; fails the
/// test if it is never reached (a control a keyboard cannot reach).
pub(crate) async fn tab_to(browser: &Browser, id: &str, limit: usize) {
    for _ in 0..limit {
        browser.press(keys::TAB).await;
        if browser.active_element().await.attr("id") == Some(id) {
            return;
        }
    }
    panic!("#{id} cannot be reached by Tab within {limit} presses");
}

#[tokio::test]
async fn a_member_logs_in_joins_and_replies_by_keyboard_alone() {
    let (s, mira, id) = ward().await;
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(json!({"join_policy": "open", "questions": []})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    s.create_user("ana", false).await;
    let password = crate::support::server::password_of("ana");
    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;

    browser.goto(&s.url("/login?next=/c/nursing")).await;
    tab_to(&browser, "username", 10).await;
    browser.press("ana").await;
    browser.press(keys::TAB).await;
    browser.press(&password).await;
    browser.press(keys::ENTER).await;
    browser
        .wait_for("header.site a[href='/u/ana']", Duration::from_secs(10))
        .await;

    // Joining: the rules box is ticked with Space, the button pressed with Enter.
    tab_to(&browser, "accept-rules", 40).await;
    browser.press(keys::SPACE).await;
    browser.press(keys::TAB).await;
    browser.press(keys::ENTER).await;
    crate::support::eventually(Duration::from_secs(10), "the join", || async {
        text_of(&browser, "aside")
            .await
            .contains("You are a member")
            .then_some(())
    })
    .await;

    // Replying to the thread from the keyboard.
    browser.goto(&s.url(&format!("/post/{id}"))).await;
    tab_to(&browser, "reply-post", 40).await;
    browser.press("Thanks, printing these now.").await;
    browser.press(keys::TAB).await;
    browser.press(keys::ENTER).await;
    crate::support::eventually(Duration::from_secs(10), "the reply", || async {
        text_of(&browser, "#comments")
            .await
            .contains("Thanks, printing these now.")
            .then_some(())
    })
    .await;
}
