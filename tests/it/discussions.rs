//! Posts, comments and votes: locally, and across three servers through a community's
//! Announce (FEP-1b12).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestServer, eventually, follow_accepted};

// Long enough for one delivery retry (about 30 s) on a loaded machine.
const WAIT: Duration = Duration::from_secs(75);

async fn server_with_community() -> (TestServer, String) {
    let a = TestServer::federating(&[]).await;
    a.create_user("mira", false).await;
    let token = a.login("mira").await;
    let (status, body) = a
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Nursing practice"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (a, token)
}

async fn post(s: &TestServer, token: &str, body: Value) -> (StatusCode, Value) {
    s.post("/api/v1/posts", Some(token), body).await
}

#[tokio::test]
async fn members_post_comment_vote_and_sort_in_a_local_community() {
    let (a, mira) = server_with_community().await;
    let (status, first) = post(
        &a,
        &mira,
        json!({"community": "nursing", "title": "Handover checklists", "body": "Do you use **SBAR**?<script>alert(1)</script>"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let html = first["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>SBAR</strong>"), "{html}");
    assert!(!html.contains("script"), "{html}");
    assert_eq!(first["community"], format!("!nursing@{}", a.domain()));
    assert_eq!(first["author"]["handle"], format!("@mira@{}", a.domain()));

    let (_, second) = post(
        &a,
        &mira,
        json!({"community": "nursing", "title": "Night shifts"}),
    )
    .await;
    let first_id = first["id"].as_i64().unwrap();
    let second_id = second["id"].as_i64().unwrap();

    // A vote lifts the older post to the top of "top".
    let (status, tally) = a
        .post(
            &format!("/api/v1/posts/{first_id}/vote"),
            Some(&mira),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    assert_eq!(tally["score"], 1);
    let ids = |list: &Value| -> Vec<i64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let (_, new) = a
        .get("/api/v1/posts?community=nursing&sort=new", None)
        .await;
    assert_eq!(ids(&new), vec![second_id, first_id]);
    let (_, top) = a
        .get("/api/v1/posts?community=nursing&sort=top", None)
        .await;
    assert_eq!(ids(&top), vec![first_id, second_id]);
    let (_, page) = a
        .get(
            &format!("/api/v1/posts?community=nursing&sort=new&limit=1&after={second_id}"),
            None,
        )
        .await;
    assert_eq!(ids(&page), vec![first_id]);

    // A thread: a reply under a comment comes right after it.
    let (status, c1) = a
        .post(
            &format!("/api/v1/posts/{first_id}/comments"),
            Some(&mira),
            json!({"body": "Yes, every shift"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c1}");
    let (_, c2) = a
        .post(
            &format!("/api/v1/posts/{first_id}/comments"),
            Some(&mira),
            json!({"body": "Second thought"}),
        )
        .await;
    let (_, reply) = a
        .post(
            &format!("/api/v1/posts/{first_id}/comments"),
            Some(&mira),
            json!({"body": "Agreed", "parent_id": c1["id"]}),
        )
        .await;
    assert_eq!(reply["depth"], 1);
    let (_, thread) = a
        .get(&format!("/api/v1/posts/{first_id}/comments"), None)
        .await;
    assert_eq!(
        ids(&thread),
        vec![
            c1["id"].as_i64().unwrap(),
            reply["id"].as_i64().unwrap(),
            c2["id"].as_i64().unwrap()
        ]
    );
    let (_, shown) = a.get(&format!("/api/v1/posts/{first_id}"), None).await;
    assert_eq!(shown["comment_count"], 3);

    // Edit and delete.
    let (status, edited) = a
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{second_id}"),
            Some(&mira),
            Some(json!({"title": "Night shifts, revisited"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "Night shifts, revisited");
    assert!(edited["edited_at"].is_string());
    let (status, _) = a
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{second_id}"),
            Some(&mira),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, new) = a.get("/api/v1/posts?community=nursing", None).await;
    assert_eq!(ids(&new), vec![first_id]);

    // The post is a Page at its id, with its thread as its context.
    let page = a
        .client
        .get(a.url(&format!("/post/{first_id}")))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(page["type"], "Page");
    assert_eq!(page["source"]["mediaType"], "text/markdown");
    let context = a.get(&format!("/post/{first_id}/context"), None).await.1;
    assert_eq!(context["totalItems"], 4);
}

#[tokio::test]
async fn bad_posts_comments_and_votes_are_refused_with_their_codes() {
    let (a, mira) = server_with_community().await;
    a.create_user("ana", false).await;
    let ana = a.login("ana").await;
    let cases = [
        (
            json!({"community": "nursing", "title": "  "}),
            "post_title_invalid",
        ),
        (
            json!({"community": "nursing", "title": "x".repeat(201)}),
            "post_title_invalid",
        ),
        (
            json!({"community": "nursing", "title": "ok", "url": "javascript:alert(1)"}),
            "post_url_invalid",
        ),
        (
            json!({"community": "nursing", "title": "ok", "body": "x".repeat(50_001)}),
            "post_body_too_long",
        ),
        (
            json!({"community": format!("@mira@{}", a.domain()), "title": "ok"}),
            "not_a_community",
        ),
    ];
    for (body, code) in cases {
        let (status, answer) = post(&a, &mira, body).await;
        assert!(status.is_client_error(), "{answer}");
        assert_eq!(answer["error"]["code"], code);
    }
    let (_, p) = post(&a, &mira, json!({"community": "nursing", "title": "ok"})).await;
    let id = p["id"].as_i64().unwrap();
    let (status, answer) = a
        .post(
            &format!("/api/v1/posts/{id}/vote"),
            Some(&ana),
            json!({"value": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"]["code"], "vote_invalid");
    let (_, answer) = a
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&ana),
            json!({"body": " "}),
        )
        .await;
    assert_eq!(answer["error"]["code"], "comment_body_invalid");
    // Only the author edits or deletes.
    let (status, _) = a
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{id}"),
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = a.get("/api/v1/posts?community=nursing", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing else was stored");
}

/// The posts of `!nursing@a` as server `s` shows them.
async fn posts_on(s: &TestServer, community: &str) -> Vec<Value> {
    let (status, list) = s
        .get(
            &format!("/api/v1/posts?community={}", urlencode(community)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_post_made_on_one_server_reaches_another_through_the_communitys_announce() {
    let (a, mira) = server_with_community().await;
    let community = format!("!nursing@{}", a.domain());
    let b = TestServer::federating(&[]).await;
    b.create_user("ana", false).await;
    let ana = b.login("ana").await;
    let c = TestServer::federating(&[]).await;
    c.create_user("bob", false).await;
    let bob = c.login("bob").await;
    follow_accepted(&b, &ana, &community).await;
    follow_accepted(&c, &bob, &community).await;

    // ana posts from B; A accepts it and announces it to B and C.
    let (status, created) = post(
        &b,
        &ana,
        json!({"community": community, "title": "Falls prevention", "body": "What works on your ward?"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ap_id = created["ap_id"].as_str().unwrap().to_string();
    let on_c = eventually(WAIT, "the post to reach C", || async {
        posts_on(&c, &community)
            .await
            .into_iter()
            .find(|p| p["ap_id"] == ap_id.as_str())
    })
    .await;
    assert_eq!(on_c["title"], "Falls prevention");
    assert_eq!(on_c["author"]["handle"], format!("@ana@{}", b.domain()));
    let on_a = eventually(WAIT, "the post on A", || async {
        posts_on(&a, "nursing")
            .await
            .into_iter()
            .find(|p| p["ap_id"] == ap_id.as_str())
    })
    .await;
    eventually(WAIT, "B to show its own post once announced", || async {
        posts_on(&b, &community)
            .await
            .into_iter()
            .find(|p| p["ap_id"] == ap_id.as_str())
    })
    .await;
    // Both of A's announces (the Create and the bare Page) were taken by B, neither refused.
    eventually(WAIT, "A's queue to drain", || async {
        let pending = a
            .app
            .db
            .run(|c| Ok(copse::db::deliveries::backlog(c)?.0))
            .await
            .unwrap();
        (pending == 0).then_some(())
    })
    .await;
    let metrics = a
        .client
        .get(a.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !metrics.contains("copse_deliveries_total{outcome=\"failed\"}"),
        "{metrics}"
    );

    // bob comments from C; the comment reaches A and B.
    let c_post = on_c["id"].as_i64().unwrap();
    let (status, comment) = c
        .post(
            &format!("/api/v1/posts/{c_post}/comments"),
            Some(&bob),
            json!({"body": "Hourly rounding"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let a_post = on_a["id"].as_i64().unwrap();
    eventually(WAIT, "the comment on A", || async {
        let (_, thread) = a
            .get(&format!("/api/v1/posts/{a_post}/comments"), None)
            .await;
        thread
            .as_array()?
            .iter()
            .find(|x| x["ap_id"] == comment["ap_id"])
            .cloned()
    })
    .await;
    let b_post = created["id"].as_i64().unwrap();
    eventually(WAIT, "the comment on B", || async {
        let (_, thread) = b
            .get(&format!("/api/v1/posts/{b_post}/comments"), None)
            .await;
        thread
            .as_array()?
            .iter()
            .find(|x| x["ap_id"] == comment["ap_id"])
            .cloned()
    })
    .await;

    // ana's upvote on B reaches A, and C through A's Announce (checked at B, its origin).
    let (status, _) = b
        .post(
            &format!("/api/v1/posts/{b_post}/vote"),
            Some(&ana),
            json!({"value": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually(WAIT, "the vote counted on C", || async {
        let (_, p) = c.get(&format!("/api/v1/posts/{c_post}"), None).await;
        (p["score"] == 1).then_some(())
    })
    .await;

    // A moderator on A pins the post; followers see it pinned, and A's featured lists it.
    let (status, pinned) = a
        .post(
            &format!("/api/v1/posts/{a_post}/pin"),
            Some(&mira),
            json!({"pinned": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pinned}");
    assert_eq!(pinned["pinned"], true);
    let (_, featured) = a.get("/c/nursing/featured", None).await;
    assert_eq!(featured["totalItems"], 1);
    eventually(WAIT, "the pin on C", || async {
        let (_, p) = c.get(&format!("/api/v1/posts/{c_post}"), None).await;
        (p["pinned"] == true).then_some(())
    })
    .await;
    let (status, _) = b
        .post(
            &format!("/api/v1/posts/{b_post}/pin"),
            Some(&ana),
            json!({"pinned": true}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the community's moderators pin"
    );

    // Edits and deletions propagate.
    let (status, _) = b
        .call(
            Method::PATCH,
            &format!("/api/v1/posts/{b_post}"),
            Some(&ana),
            Some(json!({"title": "Falls prevention (updated)"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually(WAIT, "the edit on C", || async {
        let (_, p) = c.get(&format!("/api/v1/posts/{c_post}"), None).await;
        (p["title"] == "Falls prevention (updated)").then_some(())
    })
    .await;
    let (status, _) = b
        .call(
            Method::DELETE,
            &format!("/api/v1/posts/{b_post}"),
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually(WAIT, "the deletion on C", || async {
        posts_on(&c, &community).await.is_empty().then_some(())
    })
    .await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_server_that_starts_following_a_community_imports_its_latest_posts() {
    let (a, mira) = server_with_community().await;
    for title in ["Older case", "Newer case"] {
        let (status, _) = post(&a, &mira, json!({"community": "nursing", "title": title})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, outbox) = a.get("/c/nursing/outbox", None).await;
    assert_eq!(outbox["totalItems"], 2);
    assert_eq!(outbox["orderedItems"][0]["type"], "Announce");
    assert_eq!(
        outbox["orderedItems"][0]["object"]["object"]["name"],
        "Newer case"
    );
    let (_, page) = a.get("/c/nursing/outbox?page=1", None).await;
    assert_eq!(page["type"], "OrderedCollectionPage");

    let b = TestServer::federating(&[]).await;
    b.create_user("ana", false).await;
    let ana = b.login("ana").await;
    let community = format!("!nursing@{}", a.domain());
    follow_accepted(&b, &ana, &community).await;
    let titles = eventually(WAIT, "the backfill", || async {
        let list = posts_on(&b, &community).await;
        (list.len() == 2).then_some(list)
    })
    .await;
    assert_eq!(titles[0]["title"], "Newer case");
    assert_eq!(titles[1]["title"], "Older case");
}

#[tokio::test]
async fn a_follower_server_that_was_down_receives_everything_once_it_is_back() {
    let (a, mira) = server_with_community().await;
    let community = format!("!nursing@{}", a.domain());
    let mut c = TestServer::federating(&[]).await;
    c.create_user("bob", false).await;
    let bob = c.login("bob").await;
    follow_accepted(&c, &bob, &community).await;

    c.stop().await;
    let (status, p) = post(
        &a,
        &mira,
        json!({"community": "nursing", "title": "While you were away"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (status, _) = a
        .post(
            &format!("/api/v1/posts/{id}/comments"),
            Some(&mira),
            json!({"body": "and a comment"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // A tried, failed and scheduled retries.
    eventually(WAIT, "A's first attempts to fail", || async {
        let attempts: Vec<i32> = a
            .app
            .db
            .run(|conn| {
                use copse::db::schema::deliveries::dsl::*;
                use diesel::prelude::*;
                Ok(deliveries.select(attempts).load(conn)?)
            })
            .await
            .unwrap();
        (!attempts.is_empty() && attempts.iter().all(|n| *n >= 1)).then_some(())
    })
    .await;

    c.resume().await;
    // Let the retry fall due now rather than in half a minute.
    a.app
        .db
        .run(|conn| {
            use copse::db::schema::deliveries::dsl::*;
            use diesel::prelude::*;
            diesel::update(deliveries)
                .set(next_attempt_at.eq(copse::time::now()))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    copse::federation::delivery::wake(&a.app);
    let on_c = eventually(WAIT, "the post on C after its return", || async {
        posts_on(&c, &community).await.into_iter().next()
    })
    .await;
    assert_eq!(on_c["title"], "While you were away");
    let c_post = on_c["id"].as_i64().unwrap();
    eventually(WAIT, "the comment on C", || async {
        let (_, thread) = c
            .get(&format!("/api/v1/posts/{c_post}/comments"), None)
            .await;
        (thread.as_array()?.len() == 1).then_some(())
    })
    .await;
}

#[tokio::test]
async fn upkeep_forgets_old_activity_ids_and_lets_hot_ranks_decay() {
    use copse::db::schema::{posts, received_activities};
    use diesel::prelude::*;
    let (a, mira) = server_with_community().await;
    let (_, p) = post(
        &a,
        &mira,
        json!({"community": "nursing", "title": "Aging post"}),
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let (rank_before, old, recent) = a
        .app
        .db
        .run(move |c| {
            let now = copse::time::now();
            // The post was published two days ago; one id is a month old, one is fresh.
            diesel::update(posts::table.find(id))
                .set(posts::published_at.eq(now - chrono::TimeDelta::days(2)))
                .execute(c)?;
            for (ap_id, at) in [
                ("https://x.example/old", now - chrono::TimeDelta::days(30)),
                ("https://x.example/new", now),
            ] {
                diesel::insert_into(received_activities::table)
                    .values((
                        received_activities::ap_id.eq(ap_id),
                        received_activities::received_at.eq(at),
                    ))
                    .execute(c)?;
            }
            let rank: f64 = posts::table.find(id).select(posts::hot_rank).first(c)?;
            Ok((rank, "https://x.example/old", "https://x.example/new"))
        })
        .await
        .unwrap();
    copse::housekeeping::run_once(&a.app).await.unwrap();
    let (rank_after, kept) = a
        .app
        .db
        .run(move |c| {
            let rank: f64 = posts::table.find(id).select(posts::hot_rank).first(c)?;
            let kept: Vec<String> = received_activities::table
                .select(received_activities::ap_id)
                .filter(received_activities::ap_id.eq_any([old, recent]))
                .load(c)?;
            Ok((rank, kept))
        })
        .await
        .unwrap();
    assert!(rank_after < rank_before, "{rank_after} < {rank_before}");
    assert_eq!(kept, vec![recent.to_string()]);
}
