//! The web pages over HTTP: the same addresses serve pages to browsers and ActivityPub to
//! servers; forms are protected against forgery; members-only content stays with members
//! on every page and feed; errors are pages; the reader's language is used.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::web::{WebClient, logged_in};

/// A server with `mira` owning `!nursing` (with a rule and a question), and her token.
async fn nursing(env: &[(&str, &str)]) -> (TestServer, String) {
    let s = TestServer::federating(env).await;
    s.create_user("mira", false).await;
    let mira = s.login("mira").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice", "summary": "Shift work, **wound care** and more."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (s, mira)
}

async fn settings(s: &TestServer, token: &str, body: Value) {
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn post(s: &TestServer, token: &str, title: &str) -> i64 {
    let (status, body) = s
        .post(
            "/api/v1/posts",
            Some(token),
            json!({"community": "nursing", "title": title, "body": "Body of *the* post"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_browser_gets_pages_and_a_server_gets_activity_json_at_the_same_address() {
    let (s, mira) = nursing(&[]).await;
    let id = post(&s, &mira, "Night shifts & <sleep>").await;
    let web = WebClient::new(&s);
    for path in ["/", "/c/nursing", "/u/mira", &format!("/post/{id}")] {
        let page = web.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.is_html(), "{path}");
        assert!(
            page.header("content-security-policy")
                .contains("frame-ancestors 'none'")
        );
        assert!(page.header("vary").contains("Accept"), "{path}");
        assert!(page.body.starts_with("<!doctype html>"), "{path}");
        let json = web.get_accepting(path, "application/activity+json").await;
        assert_eq!(json.status, StatusCode::OK, "{path}");
        assert!(
            json.header("content-type")
                .starts_with("application/activity+json")
        );
        let v: Value = serde_json::from_str(&json.body).unwrap();
        assert!(v["id"].is_string(), "{path}: {v}");
    }
    let page = web.get("/c/nursing").await;
    assert!(page.body.contains("<h1>Nursing practice</h1>"));
    assert!(page.body.contains(&format!("!nursing@{}", s.domain())));
    // The description is Markdown; a title is text, escaped.
    assert!(page.body.contains("<strong>wound care</strong>"));
    assert!(
        page.body.contains("Night shifts &#38; &#60;sleep&#62;"),
        "the title is escaped"
    );
    assert!(!page.body.contains("<sleep>"));
    // Fediverse software finds the actor, feed readers the feed.
    assert!(page.body.contains(&format!(
        "<link rel=\"alternate\" type=\"application/activity+json\" href=\"{}/c/nursing\">",
        s.app.config.public_url()
    )));
    assert!(page.body.contains("/c/nursing/feed.atom"));
    let thread = web.get(&format!("/post/{id}")).await;
    assert!(thread.body.contains("Body of <em>the</em> post"));
    assert!(
        thread
            .body
            .contains("property=\"og:type\" content=\"article\"")
    );
}

#[tokio::test]
async fn a_private_community_shows_its_discussions_to_members_only() {
    let (s, mira) = nursing(&[]).await;
    settings(&s, &mira, json!({"visibility": "private", "join_policy": "approval", "welcome_message": "Welcome to the ward"})).await;
    let id = post(&s, &mira, "Patient handover notes").await;
    s.create_user("olga", false).await;
    let visitor = WebClient::new(&s);
    let outsider = logged_in(&s, "olga").await;
    let member = logged_in(&s, "mira").await;

    for (who, web) in [("visitor", &visitor), ("outsider", &outsider)] {
        let page = web.get("/c/nursing").await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        assert!(
            !page.body.contains("Patient handover notes"),
            "{who} saw a post title"
        );
        assert!(
            !page.body.contains("Welcome to the ward"),
            "{who} saw the welcome"
        );
        let thread = web.get(&format!("/post/{id}")).await;
        assert_eq!(thread.status, StatusCode::NOT_FOUND, "{who}");
        assert!(!thread.body.contains("handover"), "{who}");
        let feed = web.get("/c/nursing/feed.atom").await;
        assert_eq!(feed.status, StatusCode::NOT_FOUND, "{who}");
        let person = web.get("/u/mira").await;
        assert!(
            !person.body.contains("handover"),
            "{who} saw it on the author's page"
        );
    }
    let page = member.get("/c/nursing").await;
    assert!(page.body.contains("Patient handover notes"));
    assert!(page.body.contains("Welcome to the ward"));
    let thread = member.get(&format!("/post/{id}")).await;
    assert_eq!(thread.status, StatusCode::OK);
    // Nothing of a member's page is kept by shared caches.
    assert!(thread.header("cache-control").contains("private"));
}

#[tokio::test]
async fn forms_without_this_browsers_token_or_from_another_site_are_refused() {
    let (s, _) = nursing(&[]).await;
    let web = WebClient::new(&s);
    let password = crate::support::server::password_of("mira");
    // No token at all (a forged form, or the browser's first visit).
    let page = web
        .post_raw(
            "/login",
            &[
                ("username".into(), "mira".into()),
                ("password".into(), password.clone()),
            ],
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.is_html());
    assert!(page.body.contains("form_expired"));
    assert!(web.cookie("copse_session").is_none());
    // A token that is not this browser's.
    web.get("/login").await;
    let page = web
        .post_form(
            "/login",
            &[
                ("username", "mira"),
                ("password", &password),
                ("csrf", "A".repeat(43).as_str()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // The right token, sent from another site.
    let token = web.cookie("copse_csrf").unwrap();
    let page = web
        .post_raw(
            "/login",
            &[
                ("username".into(), "mira".into()),
                ("password".into(), password.clone()),
                ("csrf".into(), token.clone()),
            ],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(web.cookie("copse_session").is_none());
    // Control characters in a form are refused, not stored.
    let page = web
        .post_form(
            "/login",
            &[("username", "mi\u{0}ra"), ("password", &password)],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // And the real thing works, returning only to a page of this server.
    let page = web
        .post_form(
            "/login",
            &[
                ("username", "mira"),
                ("password", &password),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/");
    let session = page.header("set-cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
}

#[tokio::test]
async fn a_newcomer_signs_up_applies_posts_replies_and_votes_with_forms() {
    let (s, mira) = nursing(&[("COPSE_REGISTRATION_MODE", "open")]).await;
    settings(
        &s,
        &mira,
        json!({"join_policy": "approval", "rules": ["No patient identifiers"],
               "questions": [{"question": "Where do you practise?", "required": true}]}),
    )
    .await;
    let ana = WebClient::new(&s);
    let page = ana.get("/signup").await;
    assert!(page.body.contains("name=\"username\""));
    // A mistake is shown by its field, and what was typed is kept.
    let page = ana
        .post_form(
            "/signup",
            &[
                ("username", "ana"),
                ("email", "not an address"),
                ("password", "long-enough-pass"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"email-error\""));
    assert!(page.body.contains("value=\"ana\""));
    assert_eq!(s.user_count().await, 1);
    let page = ana
        .post_form(
            "/signup",
            &[
                ("username", "ana"),
                ("email", "ana@example.org"),
                ("password", "long-enough-pass"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        ana.cookie("copse_session").is_some(),
        "an open server logs the newcomer in"
    );

    // She applies with her answer and the rules accepted.
    let page = ana.get("/c/nursing").await;
    assert!(page.body.contains("Where do you practise?"));
    let page = ana
        .post_form(
            "/c/nursing/join",
            &[("answer_1", "Leeds General, ICU"), ("accept_rules", "yes")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = ana.get("/c/nursing").await;
    assert!(page.body.contains("Your application is waiting"));
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    assert_eq!(pending[0]["answers"][0]["answer"], "Leeds General, ICU");
    let id = pending[0]["id"].as_i64().unwrap();
    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{id}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A member now: she posts, replies to her post and votes on it.
    let page = ana.get("/c/nursing/submit").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = ana
        .post_form(
            "/c/nursing/submit",
            &[
                ("title", "First night shift"),
                ("body", "Any *tips*?"),
                ("content_warning", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let thread = page.location();
    assert!(thread.starts_with("/post/"), "{thread}");
    let post_id: i64 = thread.trim_start_matches("/post/").parse().unwrap();
    let page = ana
        .post_form(
            &format!("/post/{post_id}/reply"),
            &[("body", "Drink water")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let comment: i64 = page
        .location()
        .rsplit("#comment-")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let page = ana
        .post_form(
            &format!("/post/{post_id}/reply"),
            &[("body", "And eat well"), ("parent", &comment.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = ana
        .post_form(&format!("/comment/{comment}/vote"), &[("value", "1")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = ana.get(&thread).await;
    assert!(page.body.contains("<em>tips</em>"));
    assert!(page.body.contains("Drink water"));
    // The reply to the reply is nested inside it.
    let outer = page.body.find("Drink water").unwrap();
    let inner = page.body.find("And eat well").unwrap();
    assert!(inner > outer);
    assert!(
        page.body[outer..inner].contains("<ul>"),
        "the reply is nested"
    );
    let (_, comments) = s
        .get(&format!("/api/v1/posts/{post_id}/comments"), None)
        .await;
    assert_eq!(comments[0]["score"], 1, "{comments}");

    // Logging out ends the session.
    let page = ana.post_form("/logout", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = ana.get("/c/nursing/submit").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn errors_are_pages_for_browsers_and_json_for_clients() {
    let (s, _) = nursing(&[]).await;
    let web = WebClient::new(&s);
    let page = web.get("/c/nobody-here").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.is_html());
    assert!(page.body.contains("Page not found"));
    let page = web.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.is_html());
    let page = web.get("/c/nursing?sort=sideways").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.is_html());
    let api = web.get("/api/v1/communities/nobody-here").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.header("content-type").starts_with("application/json"));
    assert!(page.body.contains("action=\"/login") || page.body.contains("href=\"/login"));

    // Someone logged in keeps their header on an error page, and can log out from it.
    let mira = logged_in(&s, "mira").await;
    let page = mira.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("action=\"/logout\""), "{}", page.body);
    assert!(!page.body.contains("href=\"/login"), "{}", page.body);
    let logout = mira.post_form("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER, "{}", logout.body);
}

#[tokio::test]
async fn pages_speak_the_readers_language() {
    let (s, _) = nursing(&[]).await;
    let mut web = WebClient::new(&s);
    web.accept_language = Some("fr-CA,fr;q=0.9,en;q=0.5".into());
    let page = web.get("/c/nursing").await;
    assert!(page.body.contains("<html lang=\"fr\">"));
    assert!(page.body.contains("À propos"));
    assert_eq!(page.header("content-language"), "fr");
    let page = web.get("/nowhere").await;
    assert!(page.body.contains("Page introuvable"));
    // A choice made in the footer wins over the browser's.
    let page = web
        .post_form("/language", &[("lang", "en"), ("next", "/c/nursing")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/c/nursing");
    let page = web.get("/c/nursing").await;
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("About"));
}

#[tokio::test]
async fn follow_from_your_own_server_sends_the_visitor_there() {
    let (s, _) = nursing(&[]).await;
    let web = WebClient::new(&s);
    let actor = format!("{}/c/nursing", s.app.config.public_url());
    let page = web
        .get(&format!(
            "/interact?uri={}&server=%40me%40Toot.Example",
            urlencode(&actor)
        ))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        format!(
            "https://toot.example/authorize_interaction?uri={}",
            urlencode(&actor)
        )
    );
    let page = web
        .get(&format!(
            "/interact?uri={}&server=javascript:alert(1)",
            urlencode(&actor)
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // A server on this machine (a development setup) is reached over plain http.
    let page = web
        .get(&format!(
            "/interact?uri={}&server=localhost:8080",
            urlencode(&actor)
        ))
        .await;
    assert_eq!(
        page.location(),
        format!(
            "http://localhost:8080/authorize_interaction?uri={}",
            urlencode(&actor)
        )
    );

    // This server is a home server too: its people follow what they saw elsewhere.
    let remote = "https://lemmy.example/c/wounds";
    let page = web
        .get(&format!("/authorize_interaction?uri={}", urlencode(remote)))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let search = format!("/search?q={}", urlencode(remote));
    assert_eq!(
        page.location(),
        format!("/login?next={}", urlencode(&search))
    );
    let mira = logged_in(&s, "mira").await;
    let page = mira
        .get(&format!("/authorize_interaction?uri={}", urlencode(remote)))
        .await;
    assert_eq!(page.location(), search);
    let page = mira.get("/authorize_interaction?uri=").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // WebFinger names the page as each person's subscribe template, as Mastodon does.
    let (_, jrd) = s
        .get(
            &format!("/.well-known/webfinger?resource=acct:mira@{}", s.domain()),
            None,
        )
        .await;
    let template = jrd["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "http://ostatus.org/schema/1.0/subscribe")
        .map(|l| l["template"].clone());
    assert_eq!(
        template,
        Some(json!(format!(
            "{}/authorize_interaction?uri={{uri}}",
            s.app.config.public_url()
        )))
    );
}

#[tokio::test]
async fn removed_posts_leave_the_pages_and_the_feed() {
    let (s, mira) = nursing(&[]).await;
    let id = post(&s, &mira, "Wrong ward name").await;
    let web = WebClient::new(&s);
    let feed = web.get("/c/nursing/feed.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.header("content-type")
            .starts_with("application/atom+xml")
    );
    assert!(feed.body.contains("<title>Wrong ward name</title>"));
    let (status, body) = s
        .post(
            &format!("/api/v1/posts/{id}/remove"),
            Some(&mira),
            json!({"reason": "identifies a patient"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for path in ["/c/nursing", "/c/nursing/feed.atom", "/u/mira", "/modlog"] {
        let page = web.get(path).await;
        assert!(
            !page.body.contains("Wrong ward name"),
            "{path} still shows it"
        );
    }
    assert_eq!(
        web.get(&format!("/post/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn notifications_are_counted_in_the_header_and_read_when_opened() {
    let (s, mira) = nursing(&[]).await;
    settings(&s, &mira, json!({"join_policy": "approval"})).await;
    s.create_user("ana", false).await;
    let ana = s.login("ana").await;
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": "nursing", "accept_rules": true}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let web = logged_in(&s, "mira").await;
    let page = web.get("/c/nursing").await;
    assert!(
        page.body.contains("Notifications <span class=\"badge\">1<"),
        "the header counts one unread"
    );
    let page = web.get("/notifications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("class=\"unread\""), "{}", page.body);
    let handle = format!("@ana@{}", s.domain());
    assert!(
        page.body
            .contains(&format!("{handle} applied to join !nursing")),
        "{}",
        page.body
    );
    // Opened once, they are read: the header counts none.
    let page = web.get("/notifications").await;
    assert!(!page.body.contains("class=\"unread\""));
    assert!(!page.body.contains("Notifications <span class=\"badge\">"));
    // The same notification reads in the reader's language.
    let chosen = web
        .post_form("/language", &[("lang", "fr"), ("next", "/notifications")])
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    let page = web.get("/notifications").await;
    assert!(
        page.body
            .contains(&format!("{handle} demande à rejoindre !nursing")),
        "{}",
        page.body
    );
    // The choice is the account's: another browser, logged in as mira, reads French.
    let elsewhere = logged_in(&s, "mira").await;
    let page = elsewhere.get("/notifications").await;
    assert!(page.body.contains("<html lang=\"fr\">"), "{}", page.body);
    assert!(page.body.contains("demande à rejoindre"), "{}", page.body);
    // The API keeps the English words.
    let (_, list) = s.get("/api/v1/notifications", Some(&mira)).await;
    assert_eq!(
        list[0]["message"],
        format!("{handle} applied to join !nursing")
    );
    // Nobody else's notifications, and none for a visitor.
    let visitor = WebClient::new(&s);
    assert_eq!(
        visitor.get("/notifications").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_member_manages_sessions_password_data_and_deletion_from_settings() {
    let (s, mira) = nursing(&[]).await;
    post(&s, &mira, "Mira's post").await;
    let web = logged_in(&s, "mira").await;
    let page = web.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    // Two sessions: this browser and the API token; ending the token's locks it out.
    let marker = "action=\"/settings/sessions/";
    let ids: Vec<String> = page
        .body
        .match_indices(marker)
        .map(|(i, _)| {
            page.body[i + marker.len()..]
                .split('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 2, "{}", page.body);
    assert!(page.body.contains("this browser"));
    let (status, _) = s.get("/api/v1/accounts/me", Some(&mira)).await;
    assert_eq!(status, StatusCode::OK);
    for id in &ids {
        let this = page
            .body
            .split(&format!("/settings/sessions/{id}/revoke"))
            .next()
            .unwrap();
        if this.rsplit("<tr>").next().unwrap().contains("this browser") {
            continue;
        }
        let done = web
            .post_form(&format!("/settings/sessions/{id}/revoke"), &[])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    let (status, _) = s.get("/api/v1/accounts/me", Some(&mira)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the revoked token no longer works"
    );
    // Someone else's session cannot be ended from here.
    s.create_user("olga", false).await;
    let olga = s.login("olga").await;
    let page = web.post_form("/settings/sessions/999999/revoke", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get("/api/v1/accounts/me", Some(&olga)).await.0,
        StatusCode::OK
    );

    // The password: the current one is checked; a new one ends the other sessions.
    let other = s.login("mira").await;
    let page = web
        .post_form(
            "/settings/password",
            &[
                ("current", "wrong-password"),
                ("new", "another-long-password"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let current = crate::support::server::password_of("mira");
    let page = web
        .post_form(
            "/settings/password",
            &[("current", &current), ("new", "another-long-password")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        s.get("/api/v1/accounts/me", Some(&other)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        web.get("/settings").await.status,
        StatusCode::OK,
        "this browser stays in"
    );

    // Her data, as a download.
    let page = web.get("/settings/export").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-disposition").contains("attachment"));
    let data: Value = serde_json::from_str(&page.body).unwrap();
    assert!(data.to_string().contains("Mira's post"));

    // Deleting takes the password and the box ticked.
    let page = web
        .post_form("/settings/delete", &[("password", "another-long-password")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = web
        .post_form(
            "/settings/delete",
            &[("password", &current), ("confirm", "yes")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the old password no longer works"
    );
    let page = web
        .post_form(
            "/settings/delete",
            &[("password", "another-long-password"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(web.get("/u/mira").await.status, StatusCode::GONE);
}

#[tokio::test]
async fn an_invite_link_opens_the_door_of_an_invite_only_community() {
    let (s, mira) = nursing(&[]).await;
    settings(
        &s,
        &mira,
        json!({"join_policy": "invite", "rules": ["Be kind"]}),
    )
    .await;
    let (status, invite) = s
        .post(
            "/api/v1/communities/nursing/invites",
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let link = invite["link"].as_str().unwrap();
    let path = &link[link.find("/c/").unwrap()..];
    // A visitor is asked to log in, and sent back to the same link.
    let visitor = WebClient::new(&s);
    let page = visitor.get(path).await;
    assert!(page.body.contains("You were invited"));
    assert!(page.body.contains("/login?next=%2Fc%2Fnursing%3Finvite%3D"));
    s.create_user("ana", false).await;
    let ana = logged_in(&s, "ana").await;
    // Without the link, the community is closed to her.
    let page = ana.get("/c/nursing").await;
    assert!(page.body.contains("admits members by invitation"));
    assert!(!page.body.contains("name=\"invite\""));
    let page = ana.get(path).await;
    let code = invite["code"].as_str().unwrap();
    assert!(
        page.body
            .contains(&format!("name=\"invite\" value=\"{code}\""))
    );
    let page = ana
        .post_form(
            "/c/nursing/join",
            &[("invite", code), ("accept_rules", "yes")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = ana.get("/c/nursing").await;
    assert!(page.body.contains("You are a member"), "{}", page.body);
    // A forged code is refused.
    s.create_user("olga", false).await;
    let olga = logged_in(&s, "olga").await;
    let page = olga
        .post_form(
            "/c/nursing/join",
            &[("invite", "not-a-code"), ("accept_rules", "yes")],
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    // She can leave again.
    let page = ana.post_form("/c/nursing/leave", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        ana.get("/c/nursing")
            .await
            .body
            .contains("admits members by invitation")
    );
}

#[tokio::test]
async fn authors_edit_and_delete_their_own_words_and_others_report_them() {
    let (s, mira) = nursing(&[]).await;
    let id = post(&s, &mira, "Shift swap etiquette").await;
    let (_, comment) = s
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&mira),
            json!({"body": "First thoughts"}),
        )
        .await;
    let comment = comment["id"].as_i64().unwrap();
    let author = logged_in(&s, "mira").await;
    s.create_user("olga", false).await;
    let other = logged_in(&s, "olga").await;

    // Only the author is offered editing, and only the author may edit.
    assert!(
        author
            .get(&format!("/post/{id}"))
            .await
            .body
            .contains(&format!("/post/{id}/edit"))
    );
    let page = other.get(&format!("/post/{id}")).await;
    assert!(!page.body.contains(&format!("/post/{id}/edit")));
    assert!(page.body.contains(&format!("/post/{id}/report")));
    assert_eq!(
        other.get(&format!("/post/{id}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let page = other
        .post_form(&format!("/comment/{comment}/edit"), &[("body", "Hijacked")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let page = author.get(&format!("/post/{id}/edit")).await;
    assert!(
        page.body.contains("Body of *the* post"),
        "the form holds the Markdown"
    );
    let page = author
        .post_form(
            &format!("/post/{id}/edit"),
            &[
                ("title", "Shift swap etiquette (updated)"),
                ("body", "Ask **early**"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = author
        .post_form(
            &format!("/comment/{comment}/edit"),
            &[("body", "Second thoughts")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = other.get(&format!("/post/{id}")).await;
    assert!(page.body.contains("(updated)") && page.body.contains("<strong>early</strong>"));
    assert!(page.body.contains("Second thoughts") && !page.body.contains("First thoughts"));

    // A report reaches the moderators.
    let page = other
        .post_form(&format!("/post/{id}/report"), &[("reason", "Off topic")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        other
            .get(&page.location())
            .await
            .body
            .contains("the moderators have your report")
    );
    let (_, queue) = s
        .get("/api/v1/reports?community=nursing", Some(&mira))
        .await;
    assert!(queue.to_string().contains("Off topic"), "{queue}");

    // Deleting: the comment, then the post.
    let page = author
        .post_form(&format!("/comment/{comment}/delete"), &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        !other
            .get(&format!("/post/{id}"))
            .await
            .body
            .contains("Second thoughts")
    );
    assert_eq!(
        other
            .post_form(&format!("/post/{id}/delete"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = author.post_form(&format!("/post/{id}/delete"), &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        other.get(&format!("/post/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_member_follows_a_community_on_another_server_and_posts_there_from_here() {
    let wait = std::time::Duration::from_secs(20);
    let (there, mira) = nursing(&[]).await;
    let here = TestServer::federating(&[]).await;
    here.create_user("ana", false).await;
    let ana = logged_in(&here, "ana").await;
    let remote = format!("nursing@{}", there.domain());

    // Found by its handle, it has a page here.
    let page = ana.get(&format!("/search?q=%21{remote}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), format!("/c/{remote}"));
    let page = ana.get(&format!("/c/{remote}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("lives on another server"));
    // What the community says of itself, as its server renders it.
    assert!(
        page.body.contains("<strong>wound care</strong>"),
        "{}",
        page.body
    );
    // A visitor may not make this server fetch from others.
    let visitor = WebClient::new(&here);
    assert_eq!(
        visitor.get(&format!("/search?q=%21{remote}")).await.status,
        StatusCode::UNAUTHORIZED
    );

    let page = ana.post_form(&format!("/c/{remote}/follow"), &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    crate::support::eventually(wait, "the follow to be accepted", || async {
        let page = ana.get(&format!("/c/{remote}")).await;
        page.body
            .contains("You follow this community")
            .then_some(())
    })
    .await;

    // Mira's new post there reaches Ana's feed here.
    post(&there, &mira, "Rota changes for January").await;
    let feed = crate::support::eventually(wait, "mira's post in ana's feed", || async {
        let page = ana.get("/feed").await;
        page.body
            .contains("Rota changes for January")
            .then_some(page)
    })
    .await;
    // Each post says where it is, and leads to that community's page here.
    assert!(
        feed.body
            .contains(&format!("href=\"/c/{remote}\">!{remote}</a>")),
        "{}",
        feed.body
    );

    // Ana posts to it from here; it arrives there.
    let page = ana
        .post_form(
            &format!("/c/{remote}/submit"),
            &[("title", "Swapping a January night"), ("body", "Anyone?")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    crate::support::eventually(wait, "ana's post on the community's server", || async {
        let (_, posts) = there.get("/api/v1/posts?community=nursing", None).await;
        posts
            .to_string()
            .contains("Swapping a January night")
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_preview_renders_markdown_sanitized_for_members_only() {
    let (s, _) = nursing(&[]).await;
    let web = logged_in(&s, "mira").await;
    let page = web
        .post_form("/preview", &[("body", "*hi* <script>alert(1)</script>")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<em>hi</em>"));
    assert!(!page.body.contains("<script"), "{}", page.body);
    let visitor = WebClient::new(&s);
    let page = visitor.post_form("/preview", &[("body", "*hi*")]).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_space_open_to_everyone_has_a_feed_and_a_members_space_has_none() {
    let (s, mira) = nursing(&[]).await;
    for (slug, audience) in [("cases", "members"), ("news", "everyone")] {
        let (status, body) = s
            .post(
                "/api/v1/communities/nursing/spaces",
                Some(&mira),
                json!({"slug": slug, "title": slug, "audience": audience}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    for (space, title) in [("cases", "Bed 4 handover"), ("news", "Ward reopens Monday")] {
        let (status, body) = s
            .post(
                "/api/v1/posts",
                Some(&mira),
                json!({"community": "nursing", "title": title, "space": space}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let web = WebClient::new(&s);
    let page = web.get("/c/nursing").await;
    assert!(page.body.contains("/c/nursing/s/news/feed.atom"));
    assert!(!page.body.contains("/c/nursing/s/cases/feed.atom"));
    let feed = web.get("/c/nursing/s/news/feed.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.contains("Ward reopens Monday"));
    assert!(!feed.body.contains("Bed 4"));
    assert_eq!(
        web.get("/c/nursing/s/cases/feed.atom").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!web.get("/c/nursing/feed.atom").await.body.contains("Bed 4"));
    // A private community's spaces have no feed, even those open to its members all.
    settings(
        &s,
        &mira,
        json!({"visibility": "private", "join_policy": "approval"}),
    )
    .await;
    assert_eq!(
        web.get("/c/nursing/s/news/feed.atom").await.status,
        StatusCode::NOT_FOUND
    );
}
