//! Reading a page of posts: queries per page and the time of a 100-post page, on SQLite and
//! PostgreSQL.
//!
//! Run with `cargo bench --bench reads`; set `COPSE_BENCH_POSTGRES_URL` (a server on which a
//! database may be created, e.g. `postgres://postgres@127.0.0.1:5432/postgres`) to include
//! PostgreSQL.
//!
//! A community holds 300 posts by 100 authors (20 people of this server, 80 of others). Two
//! ways of building the newest page of 100 are timed on one connection, each with a counter
//! of the statements it sends (diesel's instrumentation):
//! - baseline, as the page was built before joined reads: the page's rows, then for each
//!   row its community and its author (`views::post_view`, still used for a single post);
//! - joined: `discussions::posts::page`, the rows with their authors in one query and the
//!   community named once.
//!
//! Both count the same reader queries (the community's visibility, the viewer's standing);
//! the figures to compare are the ratio of times and the statements per page.

// A benchmark may panic on a broken precondition; src may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{PgBench, cores, cpu_model};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use copse::App;
use copse::communities::{self, NewCommunity, Venue};
use copse::config::Config;
use copse::db::DbConnection;
use copse::db::posts::{self, CommunityRef, NewPost, Reader, Sort};
use copse::db::remote_actors::{self, ActorRecord};
use copse::discussions::posts::{PageRequest, page};
use copse::discussions::views::{self, Here};
use copse::federation::urls::Urls;
use diesel::connection::InstrumentationEvent;
use diesel::{Connection, RunQueryDsl};

const DOMAIN: &str = "127.0.0.1:1";
const POSTS: usize = 300;
const LOCAL_AUTHORS: usize = 20;
const REMOTE_AUTHORS: usize = 80;
const PAGE: i64 = 100;
const ROUNDS: usize = 200;

fn main() {
    println!(
        "reads: a page of {PAGE} posts, {POSTS} posts by {} authors; {} cores, {}",
        LOCAL_AUTHORS + REMOTE_AUTHORS,
        cores(),
        cpu_model()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sqlite_dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!(
        "sqlite://{}",
        sqlite_dir.path().join("bench.sqlite").display()
    );
    runtime.block_on(run_backend("SQLite", &sqlite_url, sqlite_dir.path()));
    match std::env::var("COPSE_BENCH_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(admin) => {
            let db = PgBench::create(&admin, &format!("copse_bench_reads_{}", std::process::id()));
            let data_dir = tempfile::tempdir().expect("temp dir");
            runtime.block_on(run_backend("PostgreSQL", &db.url, data_dir.path()));
        }
        None => println!("  PostgreSQL  skipped: set COPSE_BENCH_POSTGRES_URL to include it"),
    }
}

async fn run_backend(backend: &str, database_url: &str, data_dir: &std::path::Path) {
    let vars = [
        ("COPSE_DATA_DIR", data_dir.to_string_lossy().to_string()),
        ("COPSE_DATABASE_URL", database_url.to_string()),
        ("COPSE_DEV", "true".to_string()),
        ("COPSE_DOMAIN", DOMAIN.to_string()),
    ];
    let config = Config::from_env(&|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("benchmark configuration is valid");
    let app = App::open(config.clone()).await.expect("app opens");
    let owner = copse::accounts::create_by_admin(
        &app.db,
        copse::accounts::NewAccount {
            username: "owner".into(),
            email: "owner@example.org".into(),
            password: "owner-long-password".into(),
            reason: None,
        },
        true,
    )
    .await
    .expect("user created");
    let community = communities::create(
        &app.db,
        &owner,
        NewCommunity {
            name: "bench".into(),
            title: "Bench".into(),
            summary: None,
            language: None,
        },
    )
    .await
    .expect("community created");
    let community_id = community.community.id;
    let urls = Urls::new(&config);
    app.db
        .run(move |c| {
            seed(c, community_id);
            Ok(())
        })
        .await
        .expect("posts written");
    let policy = app.policy.current().await;
    let here = Here {
        urls: urls.clone(),
        domain: DOMAIN.to_string(),
    };
    let venue = Venue::Local {
        id: community_id,
        ap_id: urls.community("bench"),
    };

    let statements = Arc::new(AtomicUsize::new(0));
    let mut conn = copse::db::connect(&config.database_url).expect("a connection of its own");
    let counter = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });

    let request = PageRequest {
        sort: Sort::New,
        after: None,
        limit: PAGE,
    };
    let baseline = |c: &mut DbConnection| {
        let reader = Reader {
            spaces: Vec::new(),
            user_id: None,
            hidden_domains: Vec::new(),
        };
        let rows = posts::list(
            c,
            CommunityRef::Local(community_id),
            Sort::New,
            None,
            PAGE,
            &reader,
        )
        .expect("rows");
        let views: Vec<_> = rows
            .iter()
            .map(|(row, _)| views::post_view(c, &here, row).expect("view"))
            .collect();
        views.len()
    };
    let joined = |c: &mut DbConnection| {
        page(c, &here, &venue, None, &policy, request)
            .expect("page")
            .len()
    };

    // One page each, counted.
    statements.store(0, Ordering::Relaxed);
    assert_eq!(baseline(&mut conn), PAGE as usize);
    let baseline_statements = statements.swap(0, Ordering::Relaxed);
    assert_eq!(joined(&mut conn), PAGE as usize);
    let joined_statements = statements.swap(0, Ordering::Relaxed);

    let baseline_ms = time(&mut conn, baseline);
    let joined_ms = time(&mut conn, joined);
    println!(
        "  {backend:<10}  baseline {baseline_ms:>7.3} ms/page ({baseline_statements} statements)   \
         joined {joined_ms:>7.3} ms/page ({joined_statements} statements)   \
         joined/baseline {:.2}x time",
        joined_ms / baseline_ms
    );
    app.db.close();
}

/// The mean time of one page over [`ROUNDS`] pages, after a warm-up.
fn time(conn: &mut DbConnection, mut f: impl FnMut(&mut DbConnection) -> usize) -> f64 {
    for _ in 0..10 {
        std::hint::black_box(f(conn));
    }
    let start = Instant::now();
    for _ in 0..ROUNDS {
        std::hint::black_box(f(conn));
    }
    start.elapsed().as_secs_f64() * 1000.0 / ROUNDS as f64
}

/// Authors and posts, written straight to the tables.
fn seed(c: &mut DbConnection, community_id: i64) {
    let now = chrono::Utc::now().naive_utc();
    let mut local = Vec::new();
    for i in 0..LOCAL_AUTHORS {
        diesel::sql_query(format!(
            "INSERT INTO users (username, email, password_hash, is_admin, status, created_at, \
             updated_at) VALUES ('author{i}', 'author{i}@example.org', 'x', false, 'active', \
             CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
        .execute(c)
        .expect("a local author");
        local.push(
            copse::db::users::find_by_username(c, &format!("author{i}"))
                .expect("query")
                .expect("the author")
                .id,
        );
    }
    let mut remote = Vec::new();
    for i in 0..REMOTE_AUTHORS {
        let host = format!("server{}.example", i % 10);
        let actor = remote_actors::upsert(
            c,
            &ActorRecord {
                ap_id: format!("https://{host}/u/person{i}"),
                kind: "Person".into(),
                domain: host.clone(),
                username: format!("person{i}"),
                display_name: None,
                inbox: format!("https://{host}/u/person{i}/inbox"),
                shared_inbox: Some(format!("https://{host}/inbox")),
                followers_url: None,
                outbox_url: None,
                public_key_id: format!("https://{host}/u/person{i}#main-key"),
                public_key_pem: String::new(),
                manually_approves_followers: false,
                fetched_at: now,
                summary: None,
            },
        )
        .expect("a remote author");
        remote.push(actor.id);
    }
    for i in 0..POSTS {
        let (author_user_id, author_remote_id) = if i % 5 == 0 {
            (Some(local[i % LOCAL_AUTHORS]), None)
        } else {
            (None, Some(remote[i % REMOTE_AUTHORS]))
        };
        let at = now - chrono::TimeDelta::seconds(i as i64);
        posts::insert(
            c,
            &NewPost {
                id: None,
                ap_id: format!("https://{DOMAIN}/post/seed-{i}"),
                community_id: Some(community_id),
                remote_community_id: None,
                author_user_id,
                author_remote_id,
                title: format!("Post {i}"),
                body_source: Some("text".into()),
                body_html: Some("<p>text</p>".into()),
                url: None,
                language: None,
                sensitive: false,
                content_warning: None,
                pending: false,
                hot_rank: 0.0,
                published_at: at,
                created_at: at,
                space_id: None,
                restricted: false,
            },
        )
        .expect("a post");
    }
}
