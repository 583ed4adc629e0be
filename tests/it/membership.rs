//! Membership on one server: settings, joining by each policy with its refusals, the
//! moderators' decisions, roles, credentials, spaces and posting rules.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::TestServer;

/// A server with `mira` owning `!nursing`, and her token.
async fn community() -> (TestServer, String) {
    let s = TestServer::start().await;
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
    (s, mira)
}

async fn user(s: &TestServer, name: &str) -> String {
    s.create_user(name, false).await;
    s.login(name).await
}

async fn settings(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::PATCH,
        "/api/v1/communities/nursing",
        Some(token),
        Some(body),
    )
    .await
}

async fn join(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.post("/api/v1/memberships", Some(token), body).await
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn applying_with_answers_is_decided_by_the_moderators() {
    let (s, mira) = community().await;
    let (status, view) = settings(
        &s,
        &mira,
        json!({
            "join_policy": "approval",
            "rules": ["Be kind", "No patient identifiers"],
            "questions": [
                {"question": "Where do you practise?", "required": true},
                {"question": "Anything else?", "required": false}
            ],
            "welcome_message": "Introduce yourself in the General space."
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["join_policy"], "approval");
    // Its posts are public: following it is open, becoming a member is what waits.
    assert_eq!(view["manually_approves_followers"], false);
    assert_eq!(view["rules"][1], "No patient identifiers");

    let ana = user(&s, "ana").await;
    let (status, body) = join(
        &s,
        &ana,
        json!({"community": "nursing", "answers": ["Leeds"]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "rules_not_accepted")
    );
    let (status, body) = join(
        &s,
        &ana,
        json!({"community": "nursing", "accept_rules": true}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "answers_required")
    );
    let (status, body) = join(
        &s,
        &ana,
        json!({"community": "nursing", "accept_rules": true, "answers": ["a", "b", "c"]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "answer_invalid")
    );

    let (status, app) = join(
        &s,
        &ana,
        json!({"community": "nursing", "accept_rules": true, "answers": ["Leeds General, ICU"]}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{app}");
    assert_eq!(app["state"], "pending");
    assert!(app["rules_accepted_at"].is_string());
    let (status, body) = join(
        &s,
        &ana,
        json!({"community": "nursing", "accept_rules": true, "answers": ["again"]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "application_pending")
    );

    // Moderators are told, and only they see applications, with the answers.
    let (_, notes) = s.get("/api/v1/notifications", Some(&mira)).await;
    assert_eq!(notes[0]["kind"], "application", "{notes}");
    let (status, _) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, pending) = s
        .get(
            "/api/v1/communities/nursing/members?state=pending",
            Some(&mira),
        )
        .await;
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["answers"][0]["answer"], "Leeds General, ICU");
    assert_eq!(
        pending[0]["answers"][0]["question"],
        "Where do you practise?"
    );
    let id = pending[0]["id"].as_i64().unwrap();

    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{id}/approve"),
            Some(&ana),
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an applicant cannot approve herself"
    );
    let (status, approved) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{id}/approve"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["state"], "accepted");
    assert_eq!(approved["newcomer"], true);
    let (status, body) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{id}/reject"),
            Some(&mira),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "application_not_pending")
    );
    let (status, body) = join(
        &s,
        &ana,
        json!({"community": "nursing", "accept_rules": true, "answers": ["x"]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "already_member")
    );
    let (_, notes) = s.get("/api/v1/notifications", Some(&ana)).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "welcome"
                && n["message"]
                    .as_str()
                    .unwrap()
                    .contains("Introduce yourself")),
        "{notes}"
    );

    // A rejection carries its reason to the applicant.
    let bo = user(&s, "bob").await;
    let (_, app) = join(
        &s,
        &bo,
        json!({"community": "nursing", "accept_rules": true, "answers": ["somewhere"]}),
    )
    .await;
    let id = app["id"].as_i64().unwrap();
    let (status, rejected) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{id}/reject"),
            Some(&mira),
            json!({"reason": "Please tell us your role"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["state"], "rejected");
    let (_, notes) = s.get("/api/v1/notifications", Some(&bo)).await;
    assert!(
        notes.to_string().contains("Please tell us your role"),
        "{notes}"
    );

    // The member list: members see it, outsiders see only the count.
    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&ana))
        .await;
    let handles: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member"].as_str().unwrap())
        .collect();
    assert_eq!(handles.len(), 2, "{members}");
    assert!(handles.contains(&format!("@ana@{}", s.domain()).as_str()));
    let (status, _) = s
        .get("/api/v1/communities/nursing/members", Some(&bo))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, shown) = s.get("/api/v1/communities/nursing", None).await;
    assert_eq!(shown["members"], 2);
}

#[tokio::test]
async fn invite_only_communities_take_valid_invites_only() {
    let (s, mira) = community().await;
    settings(&s, &mira, json!({"join_policy": "invite"})).await;
    let ana = user(&s, "ana").await;
    let (status, body) = join(&s, &ana, json!({"community": "nursing"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "invite_required")
    );
    let (status, body) = join(
        &s,
        &ana,
        json!({"community": "nursing", "invite": "nonsense"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "invite_invalid")
    );

    let (status, invite) = s
        .post(
            "/api/v1/communities/nursing/invites",
            Some(&mira),
            json!({"max_uses": 1, "expires_in_days": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let code_one = invite["code"].as_str().unwrap().to_string();
    assert!(invite["link"].as_str().unwrap().contains(&code_one));
    let (status, joined) = join(
        &s,
        &ana,
        json!({"community": "nursing", "invite": code_one}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    assert_eq!(joined["via"], "invite");
    let bo = user(&s, "bob").await;
    let (status, body) = join(&s, &bo, json!({"community": "nursing", "invite": code_one})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "invite_invalid"),
        "used up"
    );

    // An expired invite.
    let (_, invite) = s
        .post(
            "/api/v1/communities/nursing/invites",
            Some(&mira),
            json!({"expires_in_days": 1}),
        )
        .await;
    let code_two = invite["code"].as_str().unwrap().to_string();
    let expire = code_two.clone();
    s.app
        .db
        .run(move |c| {
            use copse::db::schema::invites;
            use diesel::prelude::*;
            let past = chrono::Utc::now().naive_utc() - chrono::TimeDelta::hours(1);
            diesel::update(invites::table.filter(invites::code.eq(expire)))
                .set(invites::expires_at.eq(past))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, body) = join(&s, &bo, json!({"community": "nursing", "invite": code_two})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "invite_expired")
    );

    // A revoked invite, and invites are for moderators only.
    let (status, _) = s
        .post("/api/v1/communities/nursing/invites", Some(&ana), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, invite) = s
        .post(
            "/api/v1/communities/nursing/invites",
            Some(&mira),
            json!({}),
        )
        .await;
    let id = invite["id"].as_i64().unwrap();
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/communities/nursing/invites/{id}"),
            Some(&mira),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = join(
        &s,
        &bo,
        json!({"community": "nursing", "invite": invite["code"]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "invite_invalid")
    );
}

#[tokio::test]
async fn posting_follows_the_role_and_verification_rules() {
    let (s, mira) = community().await;
    let ana = user(&s, "ana").await;
    let post = |token: String, body: Value| {
        let s = &s;
        async move { s.post("/api/v1/posts", Some(&token), body).await }
    };
    settings(&s, &mira, json!({"posting_policy": "members"})).await;
    let (status, body) = post(ana.clone(), json!({"community": "nursing", "title": "Hi"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "posting_not_allowed")
    );

    let (status, m) = join(&s, &ana, json!({"community": "nursing"})).await;
    assert_eq!(status, StatusCode::CREATED, "{m}");
    let membership = m["id"].as_i64().unwrap();
    let (status, body) = post(ana.clone(), json!({"community": "nursing", "title": "Hi"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post_id = body["id"].as_i64().unwrap();

    settings(&s, &mira, json!({"posting_policy": "moderators"})).await;
    let (status, body) = post(
        ana.clone(),
        json!({"community": "nursing", "title": "Again"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "posting_not_allowed")
    );
    // Comments stay open to members under a moderators-only posting policy.
    let (status, body) = s
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&ana),
            json!({"body": "Thanks"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    settings(
        &s,
        &mira,
        json!({"posting_policy": "members", "verified_posting_only": true}),
    )
    .await;
    let (status, body) = post(
        ana.clone(),
        json!({"community": "nursing", "title": "Again"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "verification_required")
    );
    let (status, body) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{membership}/credentials"),
            Some(&ana),
            json!({"name": "Registered nurse"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "members cannot verify themselves: {body}"
    );
    let (status, verified) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{membership}/credentials"),
            Some(&mira),
            json!({"name": "Registered nurse"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["credentials"][0]["name"], "Registered nurse");
    // Shown on ana's actor once the member list is public, as a profile field.
    let actor = |s: &TestServer| {
        let url = s.url("/u/ana");
        async move {
            reqwest::Client::new()
                .get(url)
                .header("accept", "application/activity+json")
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert!(actor(&s).await.get("attachment").is_none());
    settings(&s, &mira, json!({"member_list_public": true})).await;
    let field = &actor(&s).await["attachment"][0];
    assert_eq!(field["type"], "PropertyValue");
    assert_eq!(field["name"], "Registered nurse");
    assert!(
        field["value"]
            .as_str()
            .unwrap()
            .starts_with("verified by @mira@")
    );
    assert_eq!(
        verified["credentials"][0]["verified_by"],
        format!("@mira@{}", s.domain())
    );
    let (status, body) = post(
        ana.clone(),
        json!({"community": "nursing", "title": "Again"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The owner appoints a moderator; members cannot.
    let (status, _) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{membership}/role"),
            Some(&ana),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, promoted) = s
        .post(
            &format!("/api/v1/communities/nursing/members/{membership}/role"),
            Some(&mira),
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    let (_, shown) = s.get("/api/v1/communities/nursing", None).await;
    assert_eq!(shown["moderators"], json!(["mira", "ana"]));

    // The owner cannot leave; a member can, and is then no member.
    let (status, body) = s
        .call(
            Method::DELETE,
            "/api/v1/memberships?community=nursing",
            Some(&mira),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "owner_cannot_leave")
    );
    let (status, _) = s
        .call(
            Method::DELETE,
            "/api/v1/memberships?community=nursing",
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = s
        .call(
            Method::DELETE,
            "/api/v1/memberships?community=nursing",
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "not_a_member")
    );
}

#[tokio::test]
async fn settings_are_for_moderators_and_checked() {
    let (s, mira) = community().await;
    let ana = user(&s, "ana").await;
    let (status, _) = settings(&s, &ana, json!({"join_policy": "approval"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = settings(&s, &mira, json!({"visibility": "private"})).await;
    assert_eq!(
        (status, code(&body)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "community_settings_invalid"
        ),
        "private needs approval or invites"
    );
    let six: Vec<Value> = (0..6)
        .map(|i| json!({"question": format!("q{i}"), "required": false}))
        .collect();
    let (status, body) = settings(&s, &mira, json!({"questions": six})).await;
    assert_eq!(code(&body), "community_settings_invalid", "{status}");
    let (status, body) = settings(&s, &mira, json!({"join_policy": "sometimes"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
}

#[tokio::test]
async fn members_only_spaces_and_private_communities_hide_their_posts() {
    let (s, mira) = community().await;
    let ana = user(&s, "ana").await;
    let out = user(&s, "outsider").await;
    join(&s, &ana, json!({"community": "nursing"})).await;
    let (status, space) = s
        .post(
            "/api/v1/communities/nursing/spaces",
            Some(&mira),
            json!({"slug": "cases", "title": "Clinical cases", "audience": "credential", "credential": "Registered nurse"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{space}");
    let (status, body) = s
        .post(
            "/api/v1/communities/nursing/spaces",
            Some(&mira),
            json!({"slug": "bad", "title": "No credential named", "audience": "credential"}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "space_invalid")
    );
    let (status, secret) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "space": "cases", "title": "Case 12: sepsis", "body": "details"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let id = secret["id"].as_i64().unwrap();
    let ap_id = secret["ap_id"].as_str().unwrap().to_string();

    // A member without the credential cannot post there, and nobody outside sees it.
    let (status, body) = s
        .post(
            "/api/v1/posts",
            Some(&ana),
            json!({"community": "nursing", "space": "cases", "title": "Mine"}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "space_invalid"),
        "a space one cannot see is not there"
    );
    for token in [None, Some(ana.as_str()), Some(out.as_str())] {
        let (status, _) = s.get(&format!("/api/v1/posts/{id}"), token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = s.get("/api/v1/posts?community=nursing", token).await;
        assert!(!list.to_string().contains("sepsis"), "{list}");
        let (status, _) = s.get(&format!("/api/v1/posts/{id}/comments"), token).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (_, list) = s.get("/api/v1/posts?community=nursing", Some(&mira)).await;
    assert!(list.to_string().contains("sepsis"));
    let (_, spaces) = s
        .get("/api/v1/communities/nursing/spaces", Some(&ana))
        .await;
    assert_eq!(
        spaces.as_array().unwrap().len(),
        1,
        "ana sees General only: {spaces}"
    );
    let (_, spaces) = s
        .get("/api/v1/communities/nursing/spaces", Some(&mira))
        .await;
    assert_eq!(spaces.as_array().unwrap().len(), 2, "{spaces}");

    // Unsigned fetches, the outbox and the author's public posts leave it out.
    let client = reqwest::Client::new();
    assert!(ap_id.ends_with(&format!("/post/{id}")));
    let res = client
        .get(s.url(&format!("/post/{id}")))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let outbox = client
        .get(s.url("/c/nursing/outbox?page=1"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!outbox.contains("sepsis"), "{outbox}");
    let (_, by_mira) = s.get("/api/v1/people/mira/posts", None).await;
    assert!(!by_mira.to_string().contains("sepsis"));

    // Verified, ana reads it.
    let (_, members) = s
        .get("/api/v1/communities/nursing/members", Some(&mira))
        .await;
    let ana_membership = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member"].as_str().unwrap().starts_with("@ana@"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    s.post(
        &format!("/api/v1/communities/nursing/members/{ana_membership}/credentials"),
        Some(&mira),
        json!({"name": "Registered nurse"}),
    )
    .await;
    let (status, _) = s.get(&format!("/api/v1/posts/{id}"), Some(&ana)).await;
    assert_eq!(status, StatusCode::OK);

    // A private community hides even its General space from outsiders.
    let (_, open_post) = s
        .post(
            "/api/v1/posts",
            Some(&mira),
            json!({"community": "nursing", "title": "Welcome all"}),
        )
        .await;
    let open_id = open_post["id"].as_i64().unwrap();
    let (status, _) = s.get(&format!("/api/v1/posts/{open_id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = settings(
        &s,
        &mira,
        json!({"visibility": "private", "join_policy": "approval"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = s.get(&format!("/api/v1/posts/{open_id}"), Some(&out)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.get(&format!("/api/v1/posts/{open_id}"), Some(&ana)).await;
    assert_eq!(status, StatusCode::OK);
}
