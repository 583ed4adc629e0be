//! Communities and people as actors others can find: WebFinger, NodeInfo, host-meta, actor
//! documents with content negotiation, and the one namespace of names.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::support::TestServer;

const AP: &str = "application/activity+json";
const LD: &str = "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

async fn server() -> TestServer {
    TestServer::start_with(&[
        ("COPSE_DOMAIN", "cop.example.org"),
        ("COPSE_REGISTRATION_MODE", "open"),
    ])
    .await
}

async fn get_as(s: &TestServer, path: &str, accept: &str) -> (StatusCode, String, String) {
    let res = s
        .client
        .get(s.url(path))
        .header(ACCEPT, accept)
        .send()
        .await
        .expect("get");
    let status = res.status();
    let ct = res
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, res.text().await.expect("body"))
}

async fn nursing(s: &TestServer) -> String {
    s.create_user("ward_lead", false).await;
    let token = s.login("ward_lead").await;
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Nursing <practice>", "summary": "Cases and questions.\n\nBe kind.", "language": "en"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["handle"], "!nursing@cop.example.org");
    assert_eq!(body["actor_id"], "https://cop.example.org/c/nursing");
    assert_eq!(body["moderators"], json!(["ward_lead"]));
    token
}

#[tokio::test]
async fn a_community_is_a_group_with_the_fields_lemmy_sends() {
    let s = server().await;
    nursing(&s).await;
    for accept in [AP, LD] {
        let (status, ct, body) = get_as(&s, "/c/nursing", accept).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ct.starts_with(AP), "{ct}");
        let g: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(g["type"], "Group");
        assert_eq!(g["id"], "https://cop.example.org/c/nursing");
        assert_eq!(g["preferredUsername"], "nursing");
        assert_eq!(g["name"], "Nursing <practice>");
        assert_eq!(
            g["summary"],
            "<p>Cases and questions.</p>\n<p>Be kind.</p>\n"
        );
        assert_eq!(g["source"]["mediaType"], "text/markdown");
        assert_eq!(
            g["attributedTo"],
            "https://cop.example.org/c/nursing/moderators"
        );
        assert_eq!(
            g["endpoints"]["sharedInbox"],
            "https://cop.example.org/inbox"
        );
        assert_eq!(
            g["publicKey"]["id"],
            "https://cop.example.org/c/nursing#main-key"
        );
        assert_eq!(g["publicKey"]["owner"], g["id"]);
        assert_eq!(g["manuallyApprovesFollowers"], false);
        assert_eq!(g["postingRestrictedToMods"], false);
        assert_eq!(g["language"][0]["identifier"], "en");
        // Every field of a real Lemmy group is present in ours.
        let lemmy: Value = serde_json::from_str(include_str!(
            "../fixtures/lemmy-0.19-live/alpha_group_actor.json"
        ))
        .expect("fixture");
        for key in lemmy.as_object().expect("object").keys() {
            assert!(g.get(key).is_some(), "our Group lacks {key}");
        }
        let pem = g["publicKey"]["publicKeyPem"].as_str().expect("pem");
        let key =
            openssl::pkey::PKey::public_key_from_pem(pem.as_bytes()).expect("a PEM public key");
        assert_eq!(key.bits(), 2048);
    }
}

#[tokio::test]
async fn a_browser_gets_a_page_with_everything_escaped() {
    let s = server().await;
    nursing(&s).await;
    let (status, ct, body) = get_as(&s, "/c/nursing", "text/html,application/xhtml+xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(body.contains("Nursing &#60;practice&#62;"), "{body}");
    assert!(!body.contains("<practice>"));
    assert!(body.contains("!nursing@cop.example.org"));
}

#[tokio::test]
async fn people_are_persons_with_their_own_keys() {
    let s = server().await;
    s.create_user("ana", false).await;
    s.create_user("ben", false).await;
    let (status, _, body) = get_as(&s, "/u/ana", AP).await;
    assert_eq!(status, StatusCode::OK);
    let ana: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(ana["type"], "Person");
    assert_eq!(ana["inbox"], "https://cop.example.org/u/ana/inbox");
    let (_, _, body) = get_as(&s, "/u/ben", AP).await;
    let ben: Value = serde_json::from_str(&body).expect("JSON");
    assert_ne!(
        ana["publicKey"]["publicKeyPem"],
        ben["publicKey"]["publicKeyPem"]
    );
    let (status, _, _) = get_as(&s, "/u/nobody", AP).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_pending_account_is_not_an_actor_yet() {
    let s = TestServer::start_with(&[
        ("COPSE_DOMAIN", "cop.example.org"),
        ("COPSE_REGISTRATION_MODE", "approval"),
    ])
    .await;
    let (status, _) = s
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "waiting", "email": "w@example.org", "password": "long-enough-pw"}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(get_as(&s, "/u/waiting", AP).await.0, StatusCode::NOT_FOUND);
    let (status, _) = s
        .get(
            "/.well-known/webfinger?resource=acct:waiting@cop.example.org",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn webfinger_finds_people_communities_and_the_instance() {
    let s = server().await;
    nursing(&s).await;
    let (status, jrd) = s
        .get(
            "/.well-known/webfinger?resource=acct:nursing@cop.example.org",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jrd["subject"], "acct:nursing@cop.example.org");
    let this = jrd["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["rel"] == "self")
        .expect("self link");
    assert_eq!(this["href"], "https://cop.example.org/c/nursing");
    assert_eq!(this["type"], AP);
    assert_eq!(
        this["properties"]["https://www.w3.org/ns/activitystreams#type"],
        "Group"
    );

    let (_, jrd) = s
        .get(
            "/.well-known/webfinger?resource=acct:ward_lead@cop.example.org",
            None,
        )
        .await;
    let this = jrd["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["rel"] == "self")
        .expect("self");
    assert_eq!(this["href"], "https://cop.example.org/u/ward_lead");
    // By actor URL, too.
    let (status, jrd) = s
        .get(
            "/.well-known/webfinger?resource=https://cop.example.org/c/nursing",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jrd["subject"], "acct:nursing@cop.example.org");

    // FEP-d556: the server's origin names the instance actor; so does acct:domain@domain.
    for resource in [
        "https://cop.example.org/",
        "acct:cop.example.org@cop.example.org",
    ] {
        let (status, jrd) = s
            .get(&format!("/.well-known/webfinger?resource={resource}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{resource}");
        let service = jrd["links"]
            .as_array()
            .expect("links")
            .iter()
            .find(|l| l["rel"] == "https://www.w3.org/ns/activitystreams#Service")
            .expect("service link");
        assert_eq!(service["href"], "https://cop.example.org/actor");
    }
    let (_, jrd) = s
        .get(
            "/.well-known/webfinger?resource=https://cop.example.org/&rel=self",
            None,
        )
        .await;
    assert_eq!(jrd["links"].as_array().expect("links").len(), 1);

    let (_, ct, body) = get_as(&s, "/actor", AP).await;
    assert!(ct.starts_with(AP));
    let actor: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(actor["type"], "Application");
    assert_eq!(actor["id"], "https://cop.example.org/actor");
    assert_eq!(actor["preferredUsername"], "cop.example.org");
    // The key is made once and kept.
    let (_, _, again) = get_as(&s, "/actor", AP).await;
    let again: Value = serde_json::from_str(&again).expect("JSON");
    assert_eq!(actor["publicKey"], again["publicKey"]);
}

#[tokio::test]
async fn webfinger_refuses_what_is_not_here() {
    let s = server().await;
    for (query, status) in [
        ("", 400),
        ("resource=", 400),
        ("resource=acct:nobody@cop.example.org", 404),
        ("resource=acct:ward_lead@elsewhere.example", 404),
        ("resource=https://elsewhere.example/u/x", 404),
        ("resource=acct:%3Cscript%3E@cop.example.org", 404),
    ] {
        let (got, body) = s
            .get(&format!("/.well-known/webfinger?{query}"), None)
            .await;
        assert_eq!(got.as_u16(), status, "{query}: {body}");
        assert!(body["error"]["code"].is_string());
    }
}

#[tokio::test]
async fn nodeinfo_and_host_meta_describe_the_server() {
    let s = server().await;
    nursing(&s).await;
    let (status, index) = s.get("/.well-known/nodeinfo", None).await;
    assert_eq!(status, StatusCode::OK);
    let links = index["links"].as_array().expect("links");
    let href = links
        .iter()
        .find(|l| l["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1")
        .and_then(|l| l["href"].as_str())
        .expect("2.1 link");
    assert_eq!(href, "https://cop.example.org/nodeinfo/2.1");
    assert!(links.iter().any(
        |l| l["rel"] == "https://www.w3.org/ns/activitystreams#Application"
            && l["href"] == "https://cop.example.org/actor"
    ));
    let (status, info) = s.get("/nodeinfo/2.1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "copse");
    assert_eq!(info["protocols"], json!(["activitypub"]));
    assert_eq!(info["openRegistrations"], true);
    assert_eq!(info["usage"]["users"]["total"], 1);
    assert_eq!(info["metadata"]["communities"], 1);

    let (status, ct, xml) = get_as(&s, "/.well-known/host-meta", "*/*").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/xrd+xml"));
    assert!(
        xml.contains("template=\"https://cop.example.org/.well-known/webfinger?resource={uri}\""),
        "{xml}"
    );
}

#[tokio::test]
async fn people_and_communities_share_one_namespace() {
    let s = server().await;
    let token = nursing(&s).await;
    let (status, body) = s
        .post(
            "/api/v1/accounts",
            None,
            json!({"username": "nursing", "email": "n@example.org", "password": "long-enough-pw"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("username_taken"))
    );
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "ward_lead", "title": "Taken"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("community_name_taken"))
    );
    let (status, body) = s
        .post(
            "/api/v1/communities",
            Some(&token),
            json!({"name": "nursing", "title": "Again"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("community_name_taken"))
    );
}

#[tokio::test]
async fn bad_communities_get_a_code_and_store_nothing() {
    let s = server().await;
    s.create_user("maker", false).await;
    let token = s.login("maker").await;
    for (body, code) in [
        (
            json!({"name": "Nursing", "title": "x"}),
            "community_name_invalid",
        ),
        (
            json!({"name": "n!", "title": "x"}),
            "community_name_invalid",
        ),
        (
            json!({"name": "admin", "title": "x"}),
            "community_name_reserved",
        ),
        (
            json!({"name": "fine_name", "title": "   "}),
            "community_title_invalid",
        ),
        (
            json!({"name": "fine_name", "title": "t".repeat(101)}),
            "community_title_invalid",
        ),
        (
            json!({"name": "fine_name", "title": "ok", "summary": "s".repeat(10_001)}),
            "community_summary_too_long",
        ),
        (json!({"name": "fine_name"}), "invalid_request"),
    ] {
        let (status, res) = s
            .post("/api/v1/communities", Some(&token), body.clone())
            .await;
        assert!(status.is_client_error(), "{body}");
        assert_eq!(res["error"]["code"], code, "{body}");
    }
    let (status, _) = s
        .post(
            "/api/v1/communities",
            None,
            json!({"name": "fine_name", "title": "ok"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s.get("/api/v1/communities/fine_name", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        get_as(&s, "/c/fine_name", AP).await.0,
        StatusCode::NOT_FOUND
    );
}
