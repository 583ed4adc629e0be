//! A moderator's journey in headless Chromium: from the count in her header to her queues,
//! she approves one applicant, rejects another with a reason, and resolves a report. Each
//! moderation page is checked with axe-core at a phone's and a desktop's width.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::browser::{Browser, DESKTOP, PHONE, keys, look, main_text};
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn a_moderator_admits_one_applicant_rejects_another_and_resolves_a_report() {
    let s = TestServer::federating(&[]).await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(
                json!({"join_policy": "approval", "rules": ["No patient identifiers"],
                "questions": [{"question": "Where do you practise?", "required": true}]}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (name, answer) in [("ana", "Leeds General, ICU"), ("bob", "I sell supplements")] {
        s.create_user(name, false).await;
        let token = s.login(name).await;
        let (status, body) = s
            .post(
                "/api/v1/memberships",
                Some(&token),
                json!({"community": "nursing", "accept_rules": true, "answers": [answer]}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    // Carl, a member, advertises; Bob reports it.
    s.create_user("carl", false).await;
    let carl = s.login("carl").await;
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&carl),
            json!({"community": "nursing", "accept_rules": true, "answers": ["St Mary's"]}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    let carl_membership = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["member"]
                .as_str()
                .unwrap_or_default()
                .starts_with("@carl@")
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{carl_membership}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&carl),
            json!({"community": "nursing", "title": "Cheap supplements", "body": "Buy"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let (status, body) = s
        .post(
            "/api/v1/reports",
            Some(&s.login("bob").await),
            json!({"post_id": post["id"], "reason": "Advertising"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let browser = Browser::start(PHONE.0, PHONE.1).await;
    browser.goto(&s.url("/login")).await;
    browser.find("#username").await.send_keys("mira").await;
    browser
        .find("#password")
        .await
        .send_keys(&crate::support::server::password_of("mira"))
        .await;
    browser.find("form.stack button").await.click().await;
    let moderation = browser.wait_for("a[href='/moderate']", WAIT).await;
    assert!(
        moderation.text().await.contains('3'),
        "two applications and a report"
    );
    moderation.click().await;
    browser.wait_for("table.log", WAIT).await;
    look(&browser, "moderate").await;

    browser
        .find("a[href='/c/nursing/moderate/applications']")
        .await
        .click()
        .await;
    browser
        .wait_for("form[action^='/c/nursing/moderate/applications/']", WAIT)
        .await;
    let text = main_text(&browser).await;
    assert!(
        text.contains("Leeds General, ICU") && text.contains("I sell supplements"),
        "{text}"
    );
    look(&browser, "moderate-applications").await;

    // The first application listed is Ana's (oldest first): approve it.
    browser
        .find("form[action^='/c/nursing/moderate/applications/'] button[value='approve']")
        .await
        .click()
        .await;
    eventually(WAIT, "ana approved", || async {
        main_text(&browser)
            .await
            .contains("they are a member now")
            .then_some(())
    })
    .await;
    // Bob's, with a reason.
    browser
        .find("form[action^='/c/nursing/moderate/applications/'] input[name='reason']")
        .await
        .send_keys("We admit practising nurses only")
        .await;
    browser
        .find("form[action^='/c/nursing/moderate/applications/'] button[value='reject']")
        .await
        .click()
        .await;
    eventually(WAIT, "bob rejected", || async {
        main_text(&browser)
            .await
            .contains("No application waits.")
            .then_some(())
    })
    .await;

    browser
        .find("a[href='/c/nursing/moderate/reports']")
        .await
        .click()
        .await;
    browser
        .wait_for("form[action^='/c/nursing/moderate/reports/']", WAIT)
        .await;
    assert!(main_text(&browser).await.contains("Advertising"));
    look(&browser, "moderate-reports").await;

    // In context, she removes the post with a reason, then comes back to the report.
    browser.find("main a[href^='/post/']").await.click().await;
    browser
        .wait_for("details.mod-tools summary", WAIT)
        .await
        .click()
        .await;
    look(&browser, "thread-moderator").await;
    browser
        .find("#mod-reason-post")
        .await
        .send_keys("Advertising is not allowed")
        .await;
    browser
        .find("details.mod-tools button[value='remove']")
        .await
        .click()
        .await;
    eventually(WAIT, "the post removed", || async {
        main_text(&browser)
            .await
            .contains("Removed by the moderators")
            .then_some(())
    })
    .await;
    browser.goto(&s.url("/c/nursing/moderate/reports")).await;
    browser
        .wait_for("form[action^='/c/nursing/moderate/reports/']", WAIT)
        .await;
    browser
        .find("form[action^='/c/nursing/moderate/reports/'] button[value='resolve']")
        .await
        .click()
        .await;
    eventually(WAIT, "the report resolved", || async {
        main_text(&browser)
            .await
            .contains("No report is open.")
            .then_some(())
    })
    .await;

    // She records Ana's credential and bans Carl, his posts removed.
    browser.goto(&s.url("/c/nursing/moderate/members")).await;
    browser.wait_for("h2[id^='member-']", WAIT).await;
    let ana_membership = browser
        .execute(
            "return [...document.querySelectorAll('h2[id^=member-]')].find(h => h.textContent.startsWith('@ana@')).id.slice(7);",
            Vec::new(),
        )
        .await
        .as_str()
        .unwrap()
        .to_string();
    browser
        .find(&format!("#member-{ana_membership} ~ details summary"))
        .await
        .click()
        .await;
    browser
        .find(&format!("#credential-{ana_membership}"))
        .await
        .send_keys("Registered nurse")
        .await;
    browser
        .find(&format!(
            "form[action='/c/nursing/moderate/members/{ana_membership}/credential'] button[value='grant']"
        ))
        .await
        .click()
        .await;
    eventually(WAIT, "the credential recorded", || async {
        main_text(&browser)
            .await
            .contains("Registered nurse")
            .then_some(())
    })
    .await;
    look(&browser, "moderate-members").await;
    browser
        .find(&format!(
            "a[href='/c/nursing/moderate/members/{carl_membership}/ban']"
        ))
        .await
        .click()
        .await;
    browser
        .wait_for(&format!("#ban-reason-{carl_membership}"), WAIT)
        .await;
    let consequence = main_text(&browser).await;
    assert!(
        consequence.contains("0 posts and 0 comments"),
        "{consequence}"
    );
    look(&browser, "moderate-ban").await;
    browser
        .find(&format!("#ban-reason-{carl_membership}"))
        .await
        .send_keys("Advertising")
        .await;
    browser
        .find(&format!("#ban-remove-{carl_membership}"))
        .await
        .click()
        .await;
    browser
        .find(&format!(
            "form:has(#ban-remove-{carl_membership}) button.danger"
        ))
        .await
        .click()
        .await;
    eventually(WAIT, "carl banned", || async {
        main_text(&browser).await.contains("Banned.").then_some(())
    })
    .await;
    look(&browser, "moderate-bans").await;

    // A clinical space for registered nurses, and an invite link.
    browser.goto(&s.url("/c/nursing/moderate/spaces")).await;
    browser.wait_for("#space-title", WAIT).await;
    browser
        .find("#space-title")
        .await
        .send_keys("Clinical cases")
        .await;
    browser
        .find("#space-slug")
        .await
        .send_keys("clinical")
        .await;
    browser
        .execute(
            "document.getElementById('space-audience').value = 'credential';",
            Vec::new(),
        )
        .await;
    browser
        .find("#space-credential")
        .await
        .send_keys("Registered nurse")
        .await;
    browser
        .find("form[action='/c/nursing/moderate/spaces'] button")
        .await
        .click()
        .await;
    eventually(WAIT, "the space created", || async {
        main_text(&browser)
            .await
            .contains("The space is created.")
            .then_some(())
    })
    .await;
    look(&browser, "moderate-spaces").await;
    browser.goto(&s.url("/c/nursing/moderate/invites")).await;
    browser.wait_for("#invite-uses", WAIT).await;
    browser.find("#invite-uses").await.send_keys("5").await;
    browser
        .find("form[action='/c/nursing/moderate/invites'] button")
        .await
        .click()
        .await;
    browser.wait_for("input[id^='invite-link-']", WAIT).await;
    look(&browser, "moderate-invites").await;

    for (path, name) in [
        (
            "/c/nursing/moderate/conversations",
            "moderate-conversations",
        ),
        ("/c/nursing/moderate/servers", "moderate-servers"),
    ] {
        browser.goto(&s.url(path)).await;
        browser.wait_for("main h1", WAIT).await;
        look(&browser, name).await;
    }

    // The settings, as a form.
    browser.goto(&s.url("/c/nursing/moderate/settings")).await;
    browser.wait_for("#c-title", WAIT).await;
    look(&browser, "moderate-settings").await;
    browser
        .find("#c-summary")
        .await
        .send_keys("For **ward** nurses.")
        .await;
    browser
        .find("button[name='step'][value='preview']")
        .await
        .click()
        .await;
    browser.wait_for("#preview-heading", WAIT).await;
    assert_eq!(browser.find(".preview strong").await.text().await, "ward");
    look(&browser, "moderate-settings-preview").await;

    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&mira))
        .await;
    let names = members.to_string();
    assert!(
        names.contains("@ana@") && !names.contains("@bob@"),
        "{names}"
    );
}

#[tokio::test]
async fn an_admin_approves_a_sign_up_and_imports_a_blocklist_after_its_preview() {
    let s = TestServer::federating(&[("COPSE_REGISTRATION_MODE", "approval")]).await;
    s.create_user("root_admin", true).await;
    let (status, body) = s
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "ana", "email": "ana@example.org",
                   "password": "ana-long-password", "reason": "ICU nurse at Leeds"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let browser = Browser::start(PHONE.0, PHONE.1).await;
    browser.goto(&s.url("/login")).await;
    browser
        .find("#username")
        .await
        .send_keys("root_admin")
        .await;
    browser
        .find("#password")
        .await
        .send_keys(&crate::support::server::password_of("root_admin"))
        .await;
    browser.find("form.stack button").await.click().await;
    browser
        .wait_for("a[href='/moderate']", WAIT)
        .await
        .click()
        .await;
    browser
        .wait_for("a[href='/admin/signups']", WAIT)
        .await
        .click()
        .await;
    browser
        .wait_for("form[action^='/admin/signups/']", WAIT)
        .await;
    assert!(main_text(&browser).await.contains("ICU nurse at Leeds"));
    look(&browser, "admin-signups").await;
    browser
        .find("form[action^='/admin/signups/'] button[value='approve']")
        .await
        .click()
        .await;
    eventually(WAIT, "the sign-up approved", || async {
        main_text(&browser)
            .await
            .contains("No sign-up waits.")
            .then_some(())
    })
    .await;

    // A server that is down: an activity waits for it, and keeps failing.
    let dead = "127.0.0.1:9";
    let activity = json!({"id": format!("http://{}/activities/x/1", s.domain()), "type": "Note"});
    let signer = format!("http://{}/actor", s.domain());
    let queued = s
        .app
        .db
        .transaction(move |c| {
            copse::federation::delivery::enqueue(
                c,
                &activity,
                &signer,
                &[format!("http://{dead}/inbox")],
            )
        })
        .await
        .unwrap();
    assert_eq!(queued, 1);
    copse::federation::delivery::wake(&s.app);
    eventually(WAIT, "the dead server in the queue", || async {
        browser.goto(&s.url("/admin/federation")).await;
        main_text(&browser).await.contains(dead).then_some(())
    })
    .await;
    look(&browser, "admin-federation").await;

    // The admin's blocklist names it: after the preview and the import, nothing waits for it.
    browser
        .find("#import-csv")
        .await
        .send_keys(&format!(
            "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
             trolls.example,suspend,true,true,Harassment,false\n\
             {dead},suspend,false,false,Gone,false\n"
        ))
        .await;
    browser
        .find("form[action='/admin/federation/import'] button[value='preview']")
        .await
        .click()
        .await;
    browser.wait_for("#preview-heading", WAIT).await;
    assert!(main_text(&browser).await.contains("new rule"));
    look(&browser, "admin-import-preview").await;
    browser
        .find("#preview-heading ~ form button[value='apply']")
        .await
        .click()
        .await;
    eventually(WAIT, "the blocklist imported", || async {
        main_text(&browser)
            .await
            .contains("The blocklist is imported.")
            .then_some(())
    })
    .await;
    assert!(main_text(&browser).await.contains("trolls.example"));
    let (pending, _) = s
        .app
        .db
        .run(|c| Ok(copse::db::deliveries::backlog(c)?))
        .await
        .unwrap();
    assert_eq!(pending, 0, "the blocked server's deliveries are cancelled");
    let text = main_text(&browser).await;
    assert!(text.contains("Deliveries waiting: 0"), "{text}");
    for (path, name) in [
        ("/admin/people", "admin-people"),
        ("/admin/settings", "admin-settings"),
        ("/admin/reports", "admin-reports"),
    ] {
        browser.goto(&s.url(path)).await;
        browser.wait_for("main h1", WAIT).await;
        look(&browser, name).await;
    }
    let token = s.login("ana").await;
    assert!(!token.is_empty(), "ana logs in once approved");
}

#[tokio::test]
async fn a_moderator_decides_an_application_by_keyboard_alone() {
    let s = TestServer::federating(&[]).await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(json!({"join_policy": "approval"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    s.create_user("ana", false).await;
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&s.login("ana").await),
            json!({"community": "nursing"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    let id = pending[0]["id"].as_i64().unwrap();

    let browser = Browser::start(DESKTOP.0, DESKTOP.1).await;
    browser
        .goto(&s.url("/login?next=/c/nursing/moderate/applications"))
        .await;
    crate::web_browser::tab_to(&browser, "username", 10).await;
    browser.press("mira").await;
    browser.press(keys::TAB).await;
    browser
        .press(&crate::support::server::password_of("mira"))
        .await;
    browser.press(keys::ENTER).await;
    browser.wait_for(&format!("#reason-{id}"), WAIT).await;
    crate::web_browser::tab_to(&browser, &format!("reason-{id}"), 40).await;
    browser.press("Welcome to the ward").await;
    // The next stop is Approve; Enter presses it.
    browser.press(keys::TAB).await;
    assert_eq!(
        browser.active_element().await.attr("value"),
        Some("approve")
    );
    browser.press(keys::ENTER).await;
    eventually(WAIT, "the approval", || async {
        main_text(&browser)
            .await
            .contains("they are a member now")
            .then_some(())
    })
    .await;
    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&mira))
        .await;
    assert!(members.to_string().contains("@ana@"), "{members}");
}
