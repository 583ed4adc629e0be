//! Reports on one server: people report posts, comments and people; the community's
//! moderators or the instance's admins handle them; the moderation log records each
//! decision, without naming moderators to the public unless the instance wants it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// A server where `mira` owns `!nursing`, `ana` posted in it, and `bob` reads it; the
/// tokens of mira, ana and bob, and the post's id.
async fn community_with_post(env: &[(&str, &str)]) -> (TestServer, [String; 3], i64) {
    let s = TestServer::start_with(env).await;
    let mut tokens = Vec::new();
    for name in ["mira", "ana", "bob"] {
        s.create_user(name, false).await;
        tokens.push(s.login(name).await);
    }
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&tokens[0]),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, post) = s
        .post(
            "/api/v1/posts",
            Some(&tokens[1]),
            json!({"community": "nursing", "title": "Cheap pills here", "body": "Buy **now** at spam.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let id = post["id"].as_i64().unwrap();
    let [mira, ana, bob]: [String; 3] = tokens.try_into().unwrap();
    (s, [mira, ana, bob], id)
}

async fn report_count(s: &TestServer) -> i64 {
    use diesel::prelude::*;
    s.app
        .db
        .run(|c| {
            Ok(copse::db::schema::reports::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap()
}

async fn modlog(s: &TestServer, query: &str, token: Option<&str>) -> Vec<Value> {
    let (status, page) = s.get(&format!("/api/v1/modlog{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn notifications(s: &TestServer, token: &str, kind: &str) -> Vec<Value> {
    let (_, list) = s.get("/api/v1/notifications", Some(token)).await;
    list.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_reported_post_reaches_the_community_moderators_who_resolve_it_once() {
    let (s, [mira, ana, bob], post_id) = community_with_post(&[]).await;

    let (status, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": post_id, "reason": "  Spam, selling pills  "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["status"], "open");
    assert_eq!(report["reason"], "Spam, selling pills");
    assert_eq!(report["community"], format!("!nursing@{}", s.domain()));
    assert_eq!(report["target"]["kind"], "post");
    assert_eq!(report["target"]["id"], post_id);
    assert_eq!(report["target"]["label"], "Cheap pills here");
    let id = report["id"].as_i64().unwrap();

    // Reporting the same post again while the report is open is the same report.
    let (status, again) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": post_id, "reason": "still spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], id);
    assert_eq!(report_count(&s).await, 1);

    // The moderator is told, and sees reporter, target with a snippet, reason and status.
    let told = notifications(&s, &mira, "report").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]["message"]
            .as_str()
            .unwrap()
            .contains("Cheap pills here")
    );
    let (status, queue) = s
        .get("/api/v1/reports?community=nursing&status=open", Some(&mira))
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0]["reporter"]["handle"],
        format!("@bob@{}", s.domain())
    );
    assert_eq!(items[0]["target"]["snippet"], "Buy now at spam.example");
    assert_eq!(
        items[0]["target"]["person"]["handle"],
        format!("@ana@{}", s.domain())
    );
    // The reported author is told nothing, and may not look at the queue.
    assert!(notifications(&s, &ana, "report").await.is_empty());
    let (status, body) = s.get("/api/v1/reports?community=nursing", Some(&ana)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "not_a_moderator")
    );

    let (status, resolved) = s
        .post(
            &format!("/api/v1/reports/{id}/resolve"),
            Some(&mira),
            json!({"note": "Removed the post"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution_note"], "Removed the post");
    assert_eq!(resolved["resolved_by"], format!("@mira@{}", s.domain()));
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(notifications(&s, &bob, "report_decided").await.len(), 1);

    // The decision is in the log: what, where, on what, why; not by whom (by default).
    let log = modlog(&s, "?community=nursing", None).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["action"], "resolve_report");
    assert_eq!(log[0]["community"], format!("!nursing@{}", s.domain()));
    assert_eq!(log[0]["target"]["kind"], "report");
    assert_eq!(
        log[0]["target"]["id"],
        format!("{}/post/{post_id}", s.app.config.public_url())
    );
    assert!(
        log[0]["target"]["label"]
            .as_str()
            .unwrap()
            .contains(&format!("#{id}"))
    );
    assert_eq!(log[0]["reason"], "Removed the post");
    assert!(log[0].get("moderator").is_none(), "{}", log[0]);
    assert_eq!(modlog(&s, "", None).await.len(), 1);

    // Once decided, a report stays decided.
    for action in ["resolve", "dismiss"] {
        let (status, body) = s
            .post(
                &format!("/api/v1/reports/{id}/{action}"),
                Some(&mira),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::CONFLICT, "report_not_open")
        );
    }
    assert_eq!(modlog(&s, "", None).await.len(), 1);
    let (_, open) = s
        .get("/api/v1/reports?community=nursing", Some(&mira))
        .await;
    assert!(open["items"].as_array().unwrap().is_empty());
    let (_, all) = s
        .get("/api/v1/reports?community=nursing&status=all", Some(&mira))
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // A new report of the same post, now that the first is decided, is a new report.
    let (status, second) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": post_id, "reason": "back again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_ne!(second["id"], id);
}

#[tokio::test]
async fn someone_who_does_not_moderate_cannot_decide_and_nothing_changes() {
    let (s, [mira, _ana, bob], post_id) = community_with_post(&[]).await;
    s.create_user("odile", true).await;
    let root = s.login("odile").await;
    let (_, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": post_id, "reason": "spam"}),
        )
        .await;
    let id = report["id"].as_i64().unwrap();

    for action in ["resolve", "dismiss"] {
        let (status, body) = s
            .post(
                &format!("/api/v1/reports/{id}/{action}"),
                Some(&bob),
                json!({"note": "mine now"}),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, "not_a_moderator")
        );
    }
    let (status, body) = s
        .post("/api/v1/reports/999999/resolve", Some(&mira), json!({}))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (_, seen) = s.get(&format!("/api/v1/reports/{id}"), Some(&mira)).await;
    assert_eq!(seen["status"], "open");
    assert!(seen["resolution_note"].is_null());
    // The reporter may look at their own report.
    let (status, own) = s.get(&format!("/api/v1/reports/{id}"), Some(&bob)).await;
    assert_eq!(status, StatusCode::OK, "{own}");

    // The refused attempts are kept for admins only.
    assert!(modlog(&s, "", None).await.is_empty());
    assert!(modlog(&s, "", Some(&mira)).await.is_empty());
    let (status, body) = s.get("/api/v1/modlog?refused=true", Some(&bob)).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let refused = modlog(&s, "?refused=true", Some(&root)).await;
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert_eq!(refused[0]["refused"], true);
    assert_eq!(refused[0]["action"], "dismiss_report");
    assert_eq!(refused[0]["moderator"], format!("@bob@{}", s.domain()));

    // An admin handles any queue, and dismissing is recorded as such.
    let (status, dismissed) = s
        .post(
            &format!("/api/v1/reports/{id}/dismiss"),
            Some(&root),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{dismissed}");
    assert_eq!(dismissed["status"], "dismissed");
    let log = modlog(&s, "", None).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["action"], "dismiss_report");
    assert!(log[0]["reason"].is_null());
}

#[tokio::test]
async fn a_reported_person_goes_to_the_instance_queue_for_admins() {
    let (s, [mira, _ana, bob], _) = community_with_post(&[]).await;
    s.create_user("odile", true).await;
    let root = s.login("odile").await;

    let (status, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"person": format!("@ana@{}", s.domain()), "reason": "harasses people"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert!(report["community"].is_null());
    assert_eq!(report["target"]["kind"], "person");
    assert_eq!(report["target"]["label"], format!("@ana@{}", s.domain()));

    // Admins are told and see it in the instance queue; a community's moderator does not.
    assert_eq!(notifications(&s, &root, "report").await.len(), 1);
    assert!(notifications(&s, &mira, "report").await.is_empty());
    let (status, queue) = s.get("/api/v1/reports", Some(&root)).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue["items"][0]["id"], report["id"]);
    let (_, nursing) = s
        .get("/api/v1/reports?community=nursing", Some(&root))
        .await;
    assert!(nursing["items"].as_array().unwrap().is_empty());
    for path in ["/api/v1/reports", "/api/v1/reports?scope=all"] {
        let (status, body) = s.get(path, Some(&mira)).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, "not_a_moderator")
        );
    }
    let (status, body) = s
        .get(&format!("/api/v1/reports/{}", report["id"]), Some(&mira))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "not_a_moderator")
    );

    // A post report and the person report, both in every queue for admins.
    let (_, all) = s.get("/api/v1/reports?scope=all", Some(&root)).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let (status, resolved) = s
        .post(
            &format!("/api/v1/reports/{}/resolve", report["id"]),
            Some(&root),
            json!({"note": "warned"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    let log = modlog(&s, "", None).await;
    assert_eq!(log[0]["action"], "resolve_report");
    assert!(log[0]["community"].is_null());
    assert_eq!(
        log[0]["target"]["id"],
        format!("{}/u/ana", s.app.config.public_url())
    );
}

#[tokio::test]
async fn the_reported_moderator_does_not_learn_who_reported() {
    let (s, [mira, _ana, bob], _) = community_with_post(&[]).await;
    let (_, own_post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "House rules"}),
        )
        .await;
    let (status, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": own_post["id"], "reason": "unfair rules"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["reporter"]["handle"], format!("@bob@{}", s.domain()));
    let (_, queue) = s
        .get("/api/v1/reports?community=nursing", Some(&mira))
        .await;
    let seen = &queue["items"][0];
    assert_eq!(seen["id"], report["id"]);
    assert!(seen["reporter"].is_null(), "{seen}");
}

#[tokio::test]
async fn bad_reports_are_refused_and_nothing_is_stored() {
    let (s, [mira, _ana, bob], post_id) = community_with_post(&[]).await;
    // A post in a private community, which bob cannot see.
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&mira),
            json!({"name": "wardstaff", "title": "Ward staff"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/wardstaff",
            Some(&mira),
            Some(json!({"visibility": "private", "join_policy": "approval"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, hidden) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "wardstaff", "title": "Rota"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hidden}");

    let domain = s.domain();
    let cases = [
        json!({"post_id": post_id, "reason": ""}),
        json!({"post_id": post_id, "reason": "   "}),
        json!({"post_id": post_id, "reason": "x".repeat(2_001)}),
        json!({"post_id": 987654, "reason": "spam"}),
        json!({"comment_id": 987654, "reason": "spam"}),
        json!({"post_id": hidden["id"], "reason": "spam"}),
        json!({"reason": "spam"}),
        json!({"post_id": post_id, "person": format!("@ana@{domain}"), "reason": "spam"}),
        json!({"person": format!("@nobody@{domain}"), "reason": "spam"}),
        json!({"person": format!("!nursing@{domain}"), "reason": "spam"}),
        json!({"person": "not a handle", "reason": "spam"}),
    ];
    for case in cases {
        let (status, body) = s.post("/api/v1/reports", Some(&bob), case.clone()).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNPROCESSABLE_ENTITY, "report_invalid"),
            "{case} → {body}"
        );
    }
    let (status, body) = s
        .post(
            "/api/v1/reports",
            None,
            json!({"post_id": post_id, "reason": "spam"}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    assert_eq!(report_count(&s).await, 0);
    assert!(notifications(&s, &mira, "report").await.is_empty());

    // The longest reason is still fine; a note too long is refused without deciding.
    let (status, ok) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"post_id": post_id, "reason": "y".repeat(2_000)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ok}");
    let (status, body) = s
        .post(
            &format!("/api/v1/reports/{}/resolve", ok["id"]),
            Some(&mira),
            json!({"note": "z".repeat(2_001)}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "report_invalid")
    );
    let (_, seen) = s
        .get(&format!("/api/v1/reports/{}", ok["id"]), Some(&mira))
        .await;
    assert_eq!(seen["status"], "open");
    assert!(modlog(&s, "", None).await.is_empty());
}

#[tokio::test]
async fn a_comment_can_be_reported_to_its_community() {
    let (s, [mira, ana, bob], post_id) = community_with_post(&[]).await;
    let (status, comment) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&ana),
            json!({"body": "Also visit spam.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let (status, report) = s
        .post(
            "/api/v1/reports",
            Some(&bob),
            json!({"comment_id": comment["id"], "reason": "more spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["target"]["kind"], "comment");
    assert_eq!(report["target"]["snippet"], "Also visit spam.example");
    let (_, queue) = s
        .get("/api/v1/reports?community=nursing", Some(&mira))
        .await;
    assert_eq!(queue["items"][0]["id"], report["id"]);
}

/// Resolves one report in `!nursing` as mira; returns the server and the tokens.
async fn one_decision(env: &[(&str, &str)]) -> (TestServer, [String; 3]) {
    let (s, tokens, post_id) = community_with_post(env).await;
    let (_, report) = s
        .post(
            "/api/v1/reports",
            Some(&tokens[2]),
            json!({"post_id": post_id, "reason": "spam"}),
        )
        .await;
    let (status, body) = s
        .post(
            &format!("/api/v1/reports/{}/resolve", report["id"]),
            Some(&tokens[0]),
            json!({"note": "removed"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (s, tokens)
}

#[tokio::test]
async fn the_public_log_names_moderators_only_when_the_instance_says_so() {
    let (s, [mira, ana, _bob]) = one_decision(&[]).await;
    let mira_handle = format!("@mira@{}", s.domain());
    assert!(modlog(&s, "", None).await[0].get("moderator").is_none());
    assert!(
        modlog(&s, "", Some(&ana)).await[0]
            .get("moderator")
            .is_none()
    );
    // The community's own moderators and the admins see who acted.
    assert_eq!(
        modlog(&s, "", Some(&mira)).await[0]["moderator"],
        mira_handle
    );
    s.create_user("odile", true).await;
    let root = s.login("odile").await;
    assert_eq!(
        modlog(&s, "", Some(&root)).await[0]["moderator"],
        mira_handle
    );

    let (named, _) = one_decision(&[("COPSE_MODERATION_SHOW_MODERATOR_NAMES", "true")]).await;
    let log = modlog(&named, "?community=nursing", None).await;
    assert_eq!(log[0]["moderator"], format!("@mira@{}", named.domain()));
}

#[tokio::test]
async fn a_private_communitys_log_is_for_its_members() {
    let (s, [mira, ana, bob]) = one_decision(&[]).await;
    // ana joins (the community is open), then it becomes private.
    let (status, body) = s
        .post(
            "/api/v1/memberships",
            Some(&ana),
            json!({"community": "nursing"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/communities/nursing",
            Some(&mira),
            Some(json!({"visibility": "private", "join_policy": "approval"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = s.get("/api/v1/modlog?community=nursing", None).await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, _) = s.get("/api/v1/modlog?community=nursing", Some(&bob)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(modlog(&s, "", None).await.is_empty());
    assert!(modlog(&s, "", Some(&bob)).await.is_empty());
    assert_eq!(modlog(&s, "?community=nursing", Some(&ana)).await.len(), 1);
    assert_eq!(modlog(&s, "", Some(&ana)).await.len(), 1);
    let (status, body) = s.get("/api/v1/modlog?community=nowhere", None).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn the_log_pages_newest_first() {
    let (s, [mira, _ana, bob], post_id) = community_with_post(&[]).await;
    for n in 0..3 {
        let (_, comment) = s
            .post(
                &format!("/api/v1/posts/{post_id}/comments"),
                Some(&bob),
                json!({"body": format!("comment {n}")}),
            )
            .await;
        let (_, report) = s
            .post(
                "/api/v1/reports",
                Some(&bob),
                json!({"comment_id": comment["id"], "reason": "test"}),
            )
            .await;
        s.post(
            &format!("/api/v1/reports/{}/dismiss", report["id"]),
            Some(&mira),
            json!({"note": format!("n{n}")}),
        )
        .await;
    }
    let (_, first) = s.get("/api/v1/modlog?limit=2", None).await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["reason"], "n2");
    assert_eq!(items[1]["reason"], "n1");
    let next = first["next_before"].as_i64().unwrap();
    let (_, second) = s
        .get(&format!("/api/v1/modlog?limit=2&before={next}"), None)
        .await;
    let items = second["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["reason"], "n0");
    assert!(second["next_before"].is_null());
}
