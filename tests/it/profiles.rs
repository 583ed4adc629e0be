//! A person's profile: a display name and a biography set from the settings page or the
//! API, shown on their page and in their actor, and sent to the servers that know them.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::web::{WebClient, logged_in};
use crate::support::{TestServer, eventually};

const WAIT: Duration = Duration::from_secs(20);

async fn actor(s: &TestServer, name: &str) -> Value {
    let res = s
        .client
        .get(s.url(&format!("/u/{name}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn stored(s: &TestServer, name: &str) -> (Option<String>, Option<String>) {
    let name = name.to_string();
    s.app
        .db
        .run(move |c| {
            let u = copse::db::users::find_by_username(c, &name)?.expect("user");
            Ok((u.display_name, u.bio))
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_member_sets_a_display_name_and_bio_shown_on_the_page_and_in_the_actor() {
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    let ana = logged_in(&s, "ana").await;

    let page = ana.get("/settings").await;
    assert!(page.body.contains("name=\"display_name\""), "{}", page.body);
    let page = ana
        .post_form(
            "/settings/profile",
            &[
                ("display_name", "  Ana Lima, RN  "),
                (
                    "bio",
                    "Night nurse at **St Anne's**.\r\n\r\n<script>alert(1)</script>",
                ),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        ana.get(&page.location())
            .await
            .body
            .contains("Your profile is saved.")
    );

    // The page shows the name and the rendered, sanitized biography.
    let page = WebClient::new(&s).get("/u/ana").await;
    assert!(page.body.contains("<h1>Ana Lima, RN</h1>"), "{}", page.body);
    assert!(
        page.body.contains("<strong>St Anne&#39;s</strong>")
            || page.body.contains("<strong>St Anne's</strong>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert"), "{}", page.body);

    // The actor carries them, with the Markdown as its source.
    let person = actor(&s, "ana").await;
    assert_eq!(person["name"], "Ana Lima, RN");
    assert_eq!(person["preferredUsername"], "ana");
    let summary = person["summary"].as_str().unwrap();
    assert!(summary.contains("<strong>St Anne"), "{summary}");
    assert!(!summary.contains("<script"), "{summary}");
    assert_eq!(person["source"]["mediaType"], "text/markdown");
    assert!(
        person["source"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Night nurse")
    );

    // Clearing both shows the username again.
    let page = ana
        .post_form("/settings/profile", &[("display_name", ""), ("bio", " ")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(stored(&s, "ana").await, (None, None));
    let person = actor(&s, "ana").await;
    assert_eq!(person["name"], "ana");
    assert!(person.get("summary").is_none(), "{person}");
}

#[tokio::test]
async fn a_refused_profile_keeps_what_was_typed_and_stores_nothing() {
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    let ana = logged_in(&s, "ana").await;
    let long = "x".repeat(65);
    let page = ana
        .post_form(
            "/settings/profile",
            &[("display_name", &long), ("bio", "kept bio text")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.is_html());
    assert!(page.body.contains("over 64 characters"), "{}", page.body);
    assert!(page.body.contains("kept bio text"), "{}", page.body);
    assert_eq!(stored(&s, "ana").await, (None, None));

    let long_bio = "y".repeat(2001);
    let page = ana
        .post_form(
            "/settings/profile",
            &[("display_name", "Ana"), ("bio", &long_bio)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(&s, "ana").await, (None, None));

    // A display name is one line; control characters are refused everywhere.
    for (name, bio) in [("Ana\nLima", ""), ("Ana", "bell \u{7}")] {
        let token = s.login("ana").await;
        let (status, body) = s
            .call(
                Method::PATCH,
                "/api/v1/accounts/me",
                Some(&token),
                Some(json!({"display_name": name, "bio": bio})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "profile_invalid", "{body}");
    }
    assert_eq!(stored(&s, "ana").await, (None, None));

    // Without this browser's form token, nothing is saved.
    let page = WebClient::new(&s)
        .post_form("/settings/profile", &[("display_name", "Mallory")])
        .await;
    assert_ne!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&s, "ana").await, (None, None));
}

#[tokio::test]
async fn the_api_changes_only_the_fields_it_is_given() {
    let s = TestServer::federating(&[]).await;
    s.create_user("ana", false).await;
    let token = s.login("ana").await;
    let patch = |body: Value| {
        let token = token.clone();
        let s = &s;
        async move {
            s.call(
                Method::PATCH,
                "/api/v1/accounts/me",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (status, me) = patch(json!({"display_name": "Ana Lima", "bio": "ICU"})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["display_name"], "Ana Lima");
    let (_, me) = patch(json!({"bio": "Theatre"})).await;
    assert_eq!(me["display_name"], "Ana Lima");
    assert_eq!(me["bio"], "Theatre");
    let (_, me) = patch(json!({"display_name": null})).await;
    assert_eq!(me["display_name"], Value::Null);
    assert_eq!(me["bio"], "Theatre");
    // Nothing else of the account is changed this way.
    let (status, body) = patch(json!({"username": "root"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_request", "{body}");
    let (_, me) = s.get("/api/v1/accounts/me", Some(&token)).await;
    assert_eq!(me["bio"], "Theatre");
    assert_eq!(me["username"], "ana");
    // Without a session, nothing changes.
    let (status, _) = s
        .call(
            Method::PATCH,
            "/api/v1/accounts/me",
            None,
            Some(json!({"bio": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn cached(s: &TestServer, id: &str) -> Option<copse::db::remote_actors::CachedActor> {
    let id = id.to_string();
    s.app
        .db
        .run(move |c| Ok(copse::db::remote_actors::find_by_ap_id(c, &id)?))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_display_name_reaches_the_servers_that_know_the_person() {
    let there = TestServer::federating(&[]).await;
    there.create_user("mira", false).await;
    let mira = there.login("mira").await;
    let (status, body) = there
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let here = TestServer::federating(&[]).await;
    here.create_user("ana", false).await;
    let ana = here.login("ana").await;
    let community = format!("!nursing@{}", there.domain());
    let (status, body) = here
        .post("/api/v1/follows", Some(&ana), json!({"target": community}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ana_id = format!("http://{}/u/ana", here.domain());
    eventually(WAIT, "ana known on the community's server", || async {
        cached(&there, &ana_id).await.map(|_| ())
    })
    .await;

    let (status, body) = here
        .call(
            Method::PATCH,
            "/api/v1/accounts/me",
            Some(&ana),
            Some(json!({"display_name": "Ana Lima, RN", "bio": "Night nurse"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let actor = eventually(WAIT, "the new name on the community's server", || async {
        cached(&there, &ana_id)
            .await
            .filter(|a| a.display_name.as_deref() == Some("Ana Lima, RN"))
    })
    .await;
    assert!(
        actor
            .summary
            .as_deref()
            .is_some_and(|s| s.contains("Night nurse")),
        "{:?}",
        actor.summary
    );
}
