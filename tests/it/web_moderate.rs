//! The moderators' pages over HTTP: what waits is counted in their header, applications are
//! decided and reports handled from forms, each decision's reason reaches the person it
//! concerns; members, outsiders and visitors never see a moderator's page nor act through it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::web::{WebClient, logged_in};

/// `!nursing` by mira, admitting by application with one question; ana and bob applied.
async fn ward() -> (TestServer, String) {
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
            Some(json!({"join_policy": "approval",
                "questions": [{"question": "Where do you practise?", "required": true}]})),
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
                json!({"community": "nursing", "answers": [answer]}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    (s, mira)
}

async fn notifications(s: &TestServer, name: &str) -> Value {
    let token = s.login(name).await;
    s.get("/api/v1/notifications", Some(&token)).await.1
}

/// The id of `who`'s pending application, from the queue's page.
fn application_id(body: &str, who: &str) -> String {
    let at = body
        .find(&format!(">@{who}@"))
        .expect("the applicant is listed");
    let before = &body[..at];
    let start = before.rfind("id=\"application-").expect("its id") + "id=\"application-".len();
    before[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_moderator_decides_applications_from_the_queue_with_reasons() {
    let (s, _) = ward().await;
    let mira = logged_in(&s, "mira").await;
    // What waits is counted in her header, and listed on her moderation page.
    let page = mira.get("/").await;
    assert!(page.body.contains("href=\"/moderate\""), "{}", page.body);
    assert!(
        page.body.contains("Moderation <span class=\"badge\">2<"),
        "{}",
        page.body
    );
    let hub = mira.get("/moderate").await;
    assert_eq!(hub.status, StatusCode::OK);
    assert!(
        hub.body
            .contains("href=\"/c/nursing/moderate/applications\">2<"),
        "{}",
        hub.body
    );

    let queue = mira.get("/c/nursing/moderate/applications").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Where do you practise?"));
    assert!(queue.body.contains("Leeds General, ICU"));
    let ana = application_id(&queue.body, "ana");
    let bob = application_id(&queue.body, "bob");

    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/applications/{ana}"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = mira.get(&done.location()).await;
    assert!(
        after.body.contains("they are a member now"),
        "{}",
        after.body
    );
    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/applications/{bob}"),
            &[
                ("decision", "reject"),
                ("reason", "We admit practising nurses only"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // Each was told; the queue is empty, and so is the count.
    let told = notifications(&s, "ana").await;
    assert!(
        told.to_string()
            .contains("You are now a member of !nursing"),
        "{told}"
    );
    let told = notifications(&s, "bob").await;
    assert!(
        told.to_string()
            .contains("declined: We admit practising nurses only"),
        "{told}"
    );
    let queue = mira.get("/c/nursing/moderate/applications").await;
    assert!(
        queue.body.contains("No application waits."),
        "{}",
        queue.body
    );
    assert!(
        !queue.body.contains("Moderation <span class=\"badge\">"),
        "{}",
        queue.body
    );

    // A decision already made cannot be made again.
    let again = mira
        .post_form(
            &format!("/c/nursing/moderate/applications/{bob}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let nonsense = mira
        .post_form(
            &format!("/c/nursing/moderate/applications/{bob}"),
            &[("decision", "maybe")],
        )
        .await;
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn members_outsiders_and_visitors_never_see_nor_use_a_moderators_page() {
    let (s, mira_token) = ward().await;
    let mira = logged_in(&s, "mira").await;
    let queue = mira.get("/c/nursing/moderate/applications").await;
    let bob_id = application_id(&queue.body, "bob");
    let ana_id = application_id(&queue.body, "ana");
    let approved = mira
        .post_form(
            &format!("/c/nursing/moderate/applications/{ana_id}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    s.create_user("olga", false).await;

    let ana = logged_in(&s, "ana").await; // a member
    let olga = logged_in(&s, "olga").await; // an outsider
    let visitor = WebClient::new(&s);
    for path in [
        "/moderate",
        "/c/nursing/moderate/applications",
        "/c/nursing/moderate/reports",
    ] {
        for (who, web, expected) in [
            ("member", &ana, StatusCode::FORBIDDEN),
            ("outsider", &olga, StatusCode::FORBIDDEN),
            ("visitor", &visitor, StatusCode::UNAUTHORIZED),
        ] {
            let page = web.get(path).await;
            assert_eq!(page.status, expected, "{who} at {path}");
            assert!(page.is_html());
            assert!(!page.body.contains("I sell supplements"), "{who} at {path}");
        }
    }
    // Nor does a member's header link to moderation, nor the community page.
    let page = ana.get("/c/nursing").await;
    assert!(!page.body.contains("/moderate"), "{}", page.body);
    let page = mira.get("/c/nursing").await;
    assert!(page.body.contains("/c/nursing/moderate/applications"));

    // A member's forged decision is refused, and the application still waits.
    let forged = ana
        .post_form(
            &format!("/c/nursing/moderate/applications/{bob_id}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira_token),
        )
        .await;
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
}

#[tokio::test]
async fn a_moderator_handles_a_report_with_its_target_in_context() {
    let (s, mira_token) = ward().await;
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira_token),
            json!({"community": "nursing", "title": "Cheap supplements here", "body": "Buy now"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let post_id = post["id"].as_i64().unwrap();
    let bob = s.login("bob").await;
    let (status, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": post_id, "reason": "Advertising"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let report_id = report["id"].as_i64().unwrap();

    let mira = logged_in(&s, "mira").await;
    let queue = mira.get("/c/nursing/moderate/reports").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("Advertising"), "{}", queue.body);
    assert!(queue.body.contains(&format!("href=\"/post/{post_id}\"")));
    assert!(queue.body.contains("Cheap supplements here"));

    // A report of this community cannot be decided through another's address.
    let (status, _) = s
        .post(
            "/api/v1/communities",
            Some(&mira_token),
            json!({"name": "midwives", "title": "Midwives"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let elsewhere = mira
        .post_form(
            &format!("/c/midwives/moderate/reports/{report_id}"),
            &[("decision", "dismiss")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/reports/{report_id}"),
            &[("decision", "resolve"), ("reason", "Removed, thanks")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let queue = mira.get("/c/nursing/moderate/reports").await;
    assert!(queue.body.contains("No report is open."), "{}", queue.body);
    let told = notifications(&s, "bob").await;
    assert!(
        told.to_string()
            .contains(&format!("Your report #{report_id} was resolved")),
        "{told}"
    );
}

#[tokio::test]
async fn an_admin_approves_and_rejects_sign_ups_and_no_one_else_can() {
    let s = TestServer::federating(&[("COPSE_REGISTRATION_MODE", "approval")]).await;
    s.create_user("root_admin", true).await;
    for (name, reason) in [("ana", "ICU nurse at Leeds"), ("spam", "cheap pills")] {
        let (status, body) = s
            .post(
                "/api/v1/accounts",
                None,
                json!({"username": name, "email": format!("{name}@example.org"),
                       "password": crate::support::server::password_of(name), "reason": reason}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    s.create_user("olga", false).await;
    let olga = logged_in(&s, "olga").await;
    assert_eq!(
        olga.get("/admin/signups").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        WebClient::new(&s).get("/admin/signups").await.status,
        StatusCode::UNAUTHORIZED
    );

    let admin = logged_in(&s, "root_admin").await;
    let page = admin.get("/").await;
    assert!(
        page.body.contains("Moderation <span class=\"badge\">2<"),
        "{}",
        page.body
    );
    let page = admin.get("/admin/signups").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ICU nurse at Leeds"));
    let id_of = |body: &str, name: &str| {
        let at = body.find(&format!(">{name}</h2>")).unwrap();
        let before = &body[..at];
        let start = before.rfind("id=\"signup-").unwrap() + "id=\"signup-".len();
        before[start..].split('"').next().unwrap().to_string()
    };
    let (ana, spam) = (id_of(&page.body, "ana"), id_of(&page.body, "spam"));
    // Olga cannot decide, even with a valid form.
    let forged = olga
        .post_form(
            &format!("/admin/signups/{spam}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let done = admin
        .post_form(&format!("/admin/signups/{ana}"), &[("decision", "approve")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = admin
        .post_form(&format!("/admin/signups/{spam}"), &[("decision", "reject")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get("/admin/signups").await;
    assert!(page.body.contains("No sign-up waits."), "{}", page.body);
    // Ana logs in; the rejected name is free again.
    let ana = logged_in(&s, "ana").await;
    assert!(ana.cookie("copse_session").is_some());
    let (status, _) = s
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "spam", "email": "other@example.org",
                   "password": "a-long-enough-password", "reason": "again"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_moderator_changes_the_settings_from_a_form_and_a_contradiction_saves_nothing() {
    let (s, mira_token) = ward().await;
    let mira = logged_in(&s, "mira").await;
    let page = mira.get("/c/nursing/moderate/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("value=\"Where do you practise?\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("<option value=\"approval\" selected>"));

    let form = |title: &'static str, visibility: &'static str, join: &'static str| {
        vec![
            ("title", title),
            ("summary", "For **ward** nurses."),
            ("language", "en"),
            ("visibility", visibility),
            ("join_policy", join),
            ("posting_policy", "members"),
            ("member_list_public", "yes"),
            ("rules", "No patient identifiers\n\nBe kind\n"),
            ("question_1", "Where do you practise?"),
            ("required_1", "yes"),
            ("question_2", "Your registration number?"),
            ("welcome_message", "Welcome to the ward!"),
        ]
    };
    // A preview shows the change as members will see it, and saves nothing.
    let mut previewed = form("Ward nurses", "public", "approval");
    previewed.push(("step", "preview"));
    let preview = mira
        .post_form("/c/nursing/moderate/settings", &previewed)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("As members will see it"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("For <strong>ward</strong> nurses."));
    assert!(
        preview.body.contains("<li>Your registration number?</li>"),
        "{}",
        preview.body
    );
    let (_, c) = s
        .get("/api/v1/communities/nursing", Some(&mira_token))
        .await;
    assert!(!c.to_string().contains("Ward nurses"), "nothing saved: {c}");

    let done = mira
        .post_form(
            "/c/nursing/moderate/settings",
            &form("Ward nurses", "public", "approval"),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, c) = s
        .get("/api/v1/communities/nursing", Some(&mira_token))
        .await;
    let c = c.to_string();
    assert!(c.contains("Ward nurses"), "{c}");
    assert!(
        c.contains("Be kind") && c.contains("Your registration number?"),
        "{c}"
    );
    assert!(c.contains("Welcome to the ward!"), "{c}");
    let page = mira.get(&done.location()).await;
    assert!(page.body.contains("Saved."), "{}", page.body);
    assert!(
        page.body.contains("No patient identifiers\nBe kind"),
        "{}",
        page.body
    );

    // A private community anyone may join is a contradiction: refused, shown, not saved.
    let refused = mira
        .post_form(
            "/c/nursing/moderate/settings",
            &form("Renamed meanwhile", "private", "open"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
    assert!(refused.body.contains("value=\"Renamed meanwhile\""));
    let (_, c) = s
        .get("/api/v1/communities/nursing", Some(&mira_token))
        .await;
    assert!(!c.to_string().contains("Renamed meanwhile"));

    // A member cannot, even with a valid form.
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira_token),
        )
        .await;
    let ana_id = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["member"]
                .as_str()
                .unwrap_or_default()
                .starts_with("@ana@")
        })
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{ana_id}/approve"),
            Some(&mira_token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ana = logged_in(&s, "ana").await;
    assert_eq!(
        ana.get("/c/nursing/moderate/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let forged = ana
        .post_form(
            "/c/nursing/moderate/settings",
            &form("Taken over", "public", "open"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let (_, c) = s
        .get("/api/v1/communities/nursing", Some(&mira_token))
        .await;
    assert!(!c.to_string().contains("Taken over"));
}

#[tokio::test]
async fn moderators_remove_restore_lock_and_pin_where_the_content_is() {
    let (s, mira_token) = ward().await;
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira_token),
        )
        .await;
    for m in pending.as_array().unwrap() {
        let id = m["id"].as_i64().unwrap();
        let (status, _) = s
            .post(
                &format!("/api/v1/communities/nursing/members/{id}/approve"),
                Some(&mira_token),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira_token),
            json!({"community": "nursing", "title": "Night handover", "body": "How?"}),
        )
        .await;
    let post_id = post["id"].as_i64().unwrap();
    let bob = s.login("bob").await;
    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&bob),
            json!({"body": "Buy my supplements"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let comment_id = comment["id"].as_i64().unwrap();
    let thread = format!("/post/{post_id}");

    let mira = logged_in(&s, "mira").await;
    let ana = logged_in(&s, "ana").await;
    assert!(mira.get(&thread).await.body.contains("/moderate\""));
    assert!(!ana.get(&thread).await.body.contains("/moderate\""));

    // A member's forged removal is refused and changes nothing.
    let forged = ana
        .post_form(&format!("{thread}/moderate"), &[("action", "remove")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(WebClient::new(&s).get(&thread).await.status, StatusCode::OK);

    // The comment, removed with a reason that the log shows.
    let done = mira
        .post_form(
            &format!("/comment/{comment_id}/moderate"),
            &[("action", "remove"), ("reason", "Advertising")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("{thread}#comment-{comment_id}"));
    let page = WebClient::new(&s).get(&thread).await;
    assert!(!page.body.contains("Buy my supplements"), "{}", page.body);
    let log = WebClient::new(&s).get("/modlog").await;
    assert!(log.body.contains("Advertising"), "{}", log.body);
    // The log narrows to a kind of decision.
    let log = WebClient::new(&s).get("/modlog?kind=content").await;
    assert!(log.body.contains("Advertising"), "{}", log.body);
    let log = WebClient::new(&s).get("/modlog?kind=bans").await;
    assert!(!log.body.contains("Advertising"), "{}", log.body);
    let log = WebClient::new(&s).get("/modlog?kind=everything").await;
    assert_eq!(log.status, StatusCode::BAD_REQUEST);

    // Lock and pin the thread, then unlock it.
    for (action, check) in [("lock", "locked"), ("pin", "pinned"), ("unlock", "locked")] {
        let done = mira
            .post_form(&format!("{thread}/moderate"), &[("action", action)])
            .await;
        assert_eq!(
            done.status,
            StatusCode::SEE_OTHER,
            "{action}: {}",
            done.body
        );
        let (_, p) = s.get(&format!("/api/v1/posts/{post_id}"), None).await;
        assert_eq!(p[check], action != "unlock", "{action}: {p}");
    }

    // The post removed: gone for readers, kept for moderators, who restore it.
    let done = mira
        .post_form(
            &format!("{thread}/moderate"),
            &[("action", "remove"), ("reason", "Duplicate")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        WebClient::new(&s).get(&thread).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(ana.get(&thread).await.status, StatusCode::NOT_FOUND);
    let page = mira.get(&thread).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"restore\""), "{}", page.body);
    let done = mira
        .post_form(&format!("{thread}/moderate"), &[("action", "restore")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(WebClient::new(&s).get(&thread).await.status, StatusCode::OK);

    let nonsense = mira
        .post_form(&format!("{thread}/moderate"), &[("action", "explode")])
        .await;
    assert_eq!(nonsense.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn moderators_record_credentials_appoint_ban_and_lift_from_the_member_list() {
    let (s, mira_token) = ward().await;
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira_token),
        )
        .await;
    let mut ids = std::collections::HashMap::new();
    for m in pending.as_array().unwrap() {
        let id = m["id"].as_i64().unwrap();
        let who = m["member"]
            .as_str()
            .unwrap()
            .split('@')
            .nth(1)
            .unwrap()
            .to_string();
        ids.insert(who, id.to_string());
        let (status, _) = s
            .post(
                &format!("/api/v1/communities/nursing/members/{id}/approve"),
                Some(&mira_token),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (ana, bob) = (ids["ana"].clone(), ids["bob"].clone());
    let mira = logged_in(&s, "mira").await;
    let page = mira.get("/c/nursing/moderate/members").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("id=\"member-{ana}\"")));

    // A credential recorded, shown, then withdrawn.
    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/members/{ana}/credential"),
            &[("action", "grant"), ("credential", "Registered nurse")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get("/c/nursing/moderate/members").await;
    assert!(page.body.contains("Registered nurse"), "{}", page.body);
    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/members/{ana}/credential"),
            &[("action", "withdraw"), ("credential", "Registered nurse")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get("/c/nursing/moderate/members").await;
    assert!(!page.body.contains("Registered nurse ("), "{}", page.body);

    // The owner appoints Ana; Ana, a moderator now, sees the list but appoints no one.
    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/members/{ana}/role"),
            &[("role", "moderator")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let ana_web = logged_in(&s, "ana").await;
    let page = ana_web.get("/c/nursing/moderate/members").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/role\""), "{}", page.body);
    let refused = ana_web
        .post_form(
            &format!("/c/nursing/moderate/members/{bob}/role"),
            &[("role", "moderator")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Before banning, the page says what it will take away.
    let bob_token = s.login("bob").await;
    let (status, _) = s
        .post(
            "/api/v1/posts",
            Some(&bob_token),
            json!({"community": "nursing", "title": "Buy supplements"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let confirm = ana_web
        .get(&format!("/c/nursing/moderate/members/{bob}/ban"))
        .await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(
        confirm.body.contains("They have 1 posts and 0 comments"),
        "{}",
        confirm.body
    );
    let bob_web = logged_in(&s, "bob").await;
    assert_eq!(
        bob_web
            .get(&format!("/c/nursing/moderate/members/{bob}/ban"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Bob is banned for a week with his content removed, then the ban is lifted.
    let bob_id = format!("{}/u/bob", s.app.config.public_url());
    let done = ana_web
        .post_form(
            "/c/nursing/moderate/bans",
            &[
                ("person", &bob_id),
                ("days", "7"),
                ("reason", "Advertising"),
                ("remove_data", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = ana_web.get("/c/nursing/moderate/bans").await;
    assert!(page.body.contains("Advertising"), "{}", page.body);
    let (status, _) = s
        .post(
            "/api/v1/posts",
            Some(&bob_token),
            json!({"community": "nursing", "title": "Still here"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let bad = ana_web
        .post_form(
            "/c/nursing/moderate/bans",
            &[("person", &bob_id), ("days", "a week")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let ban_id = {
        let at = page.body.find("id=\"ban-").unwrap() + "id=\"ban-".len();
        page.body[at..].split('"').next().unwrap().to_string()
    };
    // Bob cannot lift his own ban.
    let forged = bob_web
        .post_form(&format!("/c/nursing/moderate/bans/{ban_id}/lift"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = ana_web
        .post_form(
            &format!("/c/nursing/moderate/bans/{ban_id}/lift"),
            &[("reason", "Apologised")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = ana_web.get("/c/nursing/moderate/bans").await;
    assert!(page.body.contains("No one is banned."), "{}", page.body);
}

#[tokio::test]
async fn moderators_open_a_credential_space_and_hand_out_invite_links() {
    let (s, mira_token) = ward().await;
    let mira = logged_in(&s, "mira").await;
    let done = mira
        .post_form(
            "/c/nursing/moderate/spaces",
            &[
                ("title", "Clinical cases"),
                ("slug", "clinical"),
                ("audience", "credential"),
                ("credential", "Registered nurse"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get(&done.location()).await;
    assert!(page.body.contains("Clinical cases"), "{}", page.body);
    assert!(page.body.contains("Registered nurse"));
    let (_, spaces) = s
        .get("/api/v1/communities/nursing/spaces", Some(&mira_token))
        .await;
    assert!(
        spaces
            .to_string()
            .contains("\"credential\":\"Registered nurse\""),
        "{spaces}"
    );
    // A bad short name is refused and creates nothing.
    let bad = mira
        .post_form(
            "/c/nursing/moderate/spaces",
            &[
                ("title", "X"),
                ("slug", "Not A Slug!"),
                ("audience", "members"),
            ],
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    let (_, after) = s
        .get("/api/v1/communities/nursing/spaces", Some(&mira_token))
        .await;
    assert_eq!(
        after.as_array().map(Vec::len),
        spaces.as_array().map(Vec::len)
    );

    // An invite link for two people, a week long; then revoked.
    let done = mira
        .post_form(
            "/c/nursing/moderate/invites",
            &[("max_uses", "2"), ("days", "7")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get(&done.location()).await;
    let prefix = format!("{}/c/nursing?invite=", s.app.config.public_url());
    let at = page.body.find(&prefix).expect("the link is shown") + prefix.len();
    let code: String = page.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    assert!(page.body.contains("Used 0 / 2"), "{}", page.body);
    // The link opens the community's door.
    s.create_user("olga", false).await;
    let olga = logged_in(&s, "olga").await;
    let door = olga.get(&format!("/c/nursing?invite={code}")).await;
    assert!(door.body.contains(&code), "{}", door.body);
    let id = {
        let at = page.body.find("/moderate/invites/").unwrap() + "/moderate/invites/".len();
        page.body[at..].split('/').next().unwrap().to_string()
    };
    let ana = logged_in(&s, "ana").await;
    let forged = ana
        .post_form(&format!("/c/nursing/moderate/invites/{id}/revoke"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        ana.get("/c/nursing/moderate/invites").await.status,
        StatusCode::FORBIDDEN
    );
    let done = mira
        .post_form(&format!("/c/nursing/moderate/invites/{id}/revoke"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get("/c/nursing/moderate/invites").await;
    assert!(page.body.contains("revoked"), "{}", page.body);
    let bad = mira
        .post_form("/c/nursing/moderate/invites", &[("max_uses", "lots")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_sets_the_federation_policy_from_a_page_with_an_import_preview() {
    let s = TestServer::federating(&[]).await;
    s.create_user("root_admin", true).await;
    s.create_user("olga", false).await;
    let olga = logged_in(&s, "olga").await;
    assert_eq!(
        olga.get("/admin/federation").await.status,
        StatusCode::FORBIDDEN
    );
    let forged = olga
        .post_form(
            "/admin/federation/rules",
            &[("domain", "spam.example"), ("severity", "block")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let admin = logged_in(&s, "root_admin").await;
    let page = admin.get("/admin/federation").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No server has a rule"));
    let done = admin
        .post_form(
            "/admin/federation/rules",
            &[
                ("domain", "spam.example"),
                ("severity", "block"),
                ("public_comment", "Spam"),
                ("private_comment", "Ticket 12"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get(&done.location()).await;
    assert!(page.body.contains("spam.example") && page.body.contains("Ticket 12"));
    // The public list shows it, without the private comment.
    let (_, public) = s.get("/api/v1/instance/blocked-domains", None).await;
    assert!(public.to_string().contains("spam.example"), "{public}");
    assert!(!public.to_string().contains("Ticket 12"));

    // An import is previewed before anything changes.
    let csv = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
               spam.example,limit,false,false,Spam,false\n\
               trolls.example,suspend,true,true,Harassment,false\n";
    let preview = admin
        .post_form(
            "/admin/federation/import",
            &[("csv", csv), ("step", "preview")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("rule changed") && preview.body.contains("new rule"));
    let (_, rules) = s
        .get("/api/v1/admin/domains", Some(&s.login("root_admin").await))
        .await;
    assert!(
        !rules.to_string().contains("trolls.example"),
        "not yet applied"
    );
    let bad = admin
        .post_form(
            "/admin/federation/import",
            &[("csv", "not,a\nblocklist"), ("step", "preview")],
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    let applied = admin
        .post_form(
            "/admin/federation/import",
            &[("csv", csv), ("step", "apply")],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let export = admin.get("/admin/federation/export").await;
    assert!(export.header("content-type").starts_with("text/csv"));
    assert!(
        export.body.contains("trolls.example,suspend"),
        "{}",
        export.body
    );
    assert!(
        export.body.contains("spam.example,silence"),
        "{}",
        export.body
    );

    // Removing a rule, and retrying a server's deliveries, from the page.
    let done = admin
        .post_form("/admin/federation/rules/trolls.example/remove", &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = admin
        .post_form("/admin/federation/retry/spam.example", &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get("/admin/federation").await;
    assert!(!page.body.contains(">trolls.example<"), "{}", page.body);
}

#[tokio::test]
async fn an_admin_bans_lifts_purges_and_handles_the_servers_reports() {
    let (s, mira_token) = ward().await;
    s.create_user("root_admin", true).await;
    let admin = logged_in(&s, "root_admin").await;
    let ana = logged_in(&s, "ana").await;
    for path in ["/admin/people", "/admin/reports"] {
        assert_eq!(ana.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }

    // A report of a person goes to the server's own queue.
    let bob = s.login("bob").await;
    let (status, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"person": format!("@ana@{}", s.domain()), "reason": "Impersonation"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let page = admin.get("/admin/reports").await;
    assert!(page.body.contains("Impersonation"), "{}", page.body);
    let done = admin
        .post_form(
            &format!("/admin/reports/{}", report["id"]),
            &[("decision", "dismiss"), ("reason", "She is who she says")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(
        admin
            .get("/admin/reports")
            .await
            .body
            .contains("No report is open.")
    );

    // Bob is banned from the server: his session no longer works; then it is lifted.
    let forged = ana
        .post_form("/admin/people/bans", &[("person", "bob")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = admin
        .post_form(
            "/admin/people/bans",
            &[("person", "bob"), ("days", "3"), ("reason", "Spam")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (status, _) = s.get("/api/v1/accounts/me", Some(&bob)).await;
    assert_ne!(
        status,
        StatusCode::OK,
        "a banned person's session stops working"
    );
    let page = admin.get("/admin/people").await;
    assert!(page.body.contains("Spam"), "{}", page.body);
    let ban_id = {
        let at = page.body.find("/admin/people/bans/").unwrap() + "/admin/people/bans/".len();
        page.body[at..].split('/').next().unwrap().to_string()
    };
    let done = admin
        .post_form(&format!("/admin/people/bans/{ban_id}/lift"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // A purge asks for confirmation, then deletes for good.
    let (_, post) = s
        .post(
            "/api/v1/posts",
            Some(&mira_token),
            json!({"community": "nursing", "title": "To be purged"}),
        )
        .await;
    let unconfirmed = admin
        .post_form("/admin/people/purge", &[("person", "mira")])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
    let (status, _) = s.get(&format!("/api/v1/posts/{}", post["id"]), None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "nothing purged without confirmation"
    );
    let done = admin
        .post_form(
            "/admin/people/purge",
            &[("person", "mira"), ("confirm", "yes"), ("reason", "Test")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = admin.get(&done.location()).await;
    assert!(page.body.contains("Purged: 1 posts"), "{}", page.body);
    let (status, _) = s.get(&format!("/api/v1/posts/{}", post["id"]), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn moderators_answer_private_messages_and_refuse_servers_for_their_community() {
    let (s, _) = ward().await;
    let ana_token = s.login("ana").await;
    let (status, body) = s
        .post(
            "/api/v1/communities/nursing/conversation",
            Some(&ana_token),
            json!({"body": "Is a **student** nurse welcome?"}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let mira = logged_in(&s, "mira").await;
    let list = mira.get("/c/nursing/moderate/conversations").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let at = list.body.find("/moderate/conversations/").unwrap() + "/moderate/conversations/".len();
    let id: String = list.body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let open = mira
        .get(&format!("/c/nursing/moderate/conversations/{id}"))
        .await;
    assert!(
        open.body.contains("<strong>student</strong>"),
        "{}",
        open.body
    );
    let done = mira
        .post_form(
            &format!("/c/nursing/moderate/conversations/{id}"),
            &[("body", "Yes, students are welcome.")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, mine) = s
        .get("/api/v1/communities/nursing/conversation", Some(&ana_token))
        .await;
    assert!(mine.to_string().contains("students are welcome"), "{mine}");
    // Ana, not a moderator, sees no one's messages and cannot answer as the community.
    let ana = logged_in(&s, "ana").await;
    assert_eq!(
        ana.get("/c/nursing/moderate/conversations").await.status,
        StatusCode::FORBIDDEN
    );
    let forged = ana
        .post_form(
            &format!("/c/nursing/moderate/conversations/{id}"),
            &[("body", "Forged")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // A server refused by the community, then allowed again.
    let done = mira
        .post_form("/c/nursing/moderate/servers", &[("domain", "spam.example")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get("/c/nursing/moderate/servers").await;
    assert!(page.body.contains("spam.example"), "{}", page.body);
    let forged = ana
        .post_form(
            "/c/nursing/moderate/servers/unblock",
            &[("domain", "spam.example")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = mira
        .post_form(
            "/c/nursing/moderate/servers/unblock",
            &[("domain", "spam.example")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = mira.get("/c/nursing/moderate/servers").await;
    assert!(page.body.contains("refuses no server"), "{}", page.body);
}

#[tokio::test]
async fn an_admin_changes_the_servers_settings_and_they_apply_at_once() {
    let s = TestServer::federating(&[]).await;
    s.create_user("root_admin", true).await;
    s.create_user("olga", false).await;
    let olga = logged_in(&s, "olga").await;
    assert_eq!(
        olga.get("/admin/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let forged = olga
        .post_form("/admin/settings", &[("name", "Hijacked"), ("mode", "open")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Registration is closed by default.
    let signup = json!({"username": "ana", "email": "ana@example.org",
                        "password": "ana-long-password"});
    let (status, _) = s.post("/api/v1/accounts", None, signup.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = logged_in(&s, "root_admin").await;
    let done = admin
        .post_form(
            "/admin/settings",
            &[
                ("name", "Nursing Commons"),
                ("description", "A home for **nurses**."),
                ("rules", "Be kind\nNo patient identifiers\n"),
                ("contact", "admins@example.org"),
                ("mode", "open"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let home = WebClient::new(&s).get("/").await;
    assert!(home.body.contains("Nursing Commons"), "{}", home.body);
    assert!(home.body.contains("<strong>nurses</strong>"));
    assert!(
        home.body.contains("<li>No patient identifiers</li>"),
        "{}",
        home.body
    );
    let (status, body) = s.post("/api/v1/accounts", None, signup).await;
    assert_eq!(status, StatusCode::CREATED, "open now: {body}");
    let (_, nodeinfo) = s.get("/nodeinfo/2.1", None).await;
    assert_eq!(nodeinfo["openRegistrations"], true);

    // A bad value is refused, shown with what was typed, and nothing changes.
    let long = "x".repeat(101);
    let refused = admin
        .post_form("/admin/settings", &[("name", &long), ("mode", "closed")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, instance) = s.get("/api/v1/instance", None).await;
    assert_eq!(instance["registration_mode"], "open");
}
