//! `/c/{name}` for browsers: a community's page (what it is, its rules and moderators, how
//! to follow or join it, its posts), and the join form's target.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Deserialize;

use super::{safe_next, see_other, when};
use crate::communities::{self, CommunityDetails, Venue};
use crate::db::memberships::Member;
use crate::db::posts::Sort;
use crate::discussions::{PostView, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::membership::spaces::SpaceView;
use crate::membership::{JoinInput, JoinPolicy, MembershipState, Question, access};
use crate::web::form::Submitted;
use crate::web::page::{Ctx, Feed, Meta, Page};

/// Posts per page.
const PER_PAGE: i64 = 25;

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    after: Option<i64>,
    /// An invite link's code.
    #[serde(default)]
    invite: Option<String>,
}

/// Where the reader stands, for the join box.
pub enum Standing {
    Visitor,
    Outsider,
    Pending,
    Member,
    Banned,
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    page: Page,
    d: CommunityDetails,
    handle: String,
    actor_id: String,
    summary_html: Option<String>,
    rules: Vec<String>,
    questions: Vec<Question>,
    policy: JoinPolicy,
    standing: Standing,
    /// The reader moderates it: the page links to its moderation.
    moderates: bool,
    can_read: bool,
    spaces: Vec<SpaceView>,
    pinned: Vec<PostView>,
    posts: Vec<PostView>,
    sort: &'static str,
    next: Option<String>,
    welcome: Option<String>,
    /// The code of the invite link the reader came by.
    invite: Option<String>,
}

impl CommunityPage {
    fn invite_next(&self) -> String {
        let code = self.invite.as_deref().unwrap_or("");
        let here = format!("/c/{}?invite={code}", self.d.community.name);
        url::form_urlencoded::byte_serialize(here.as_bytes()).collect()
    }
}

impl CommunityPage {
    fn count(&self, key: &str, n: &i64) -> String {
        self.page.lang.count(key, *n)
    }

    fn when(&self, t: &str) -> String {
        when(t)
    }

    fn comments(&self, n: &i32) -> String {
        self.page.lang.count("post-comments", i64::from(*n))
    }

    fn sort_link(&self, sort: &str) -> String {
        format!("/c/{}?sort={sort}", self.d.community.name)
    }
}

fn parse_sort(sort: Option<&str>) -> Result<(Sort, &'static str)> {
    match sort.unwrap_or("hot") {
        "hot" => Ok((Sort::Hot, "hot")),
        "new" => Ok((Sort::New, "new")),
        "top" => Ok((Sort::Top, "top")),
        other => Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("sort is hot, new or top, not {other:?}"),
        )),
    }
}

pub async fn show(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    if name.contains('@') {
        return super::remote::show(ctx, name, q.after).await;
    }
    let (sort, sort_name) = parse_sort(q.sort.as_deref())?;
    let d = communities::find_local(&ctx.app.db, &name).await?;
    let c = &d.community;
    let id = c.id;
    let viewer = ctx.viewer.clone();
    let standing_row = ctx
        .app
        .db
        .run(move |conn| {
            let who = viewer.as_ref().map(|u| Member::Local(u.id));
            let admin = viewer.as_ref().is_some_and(|u| u.is_admin);
            access::standing(conn, id, who, admin)
        })
        .await?;
    let can_read = access::can_see_community(c, &standing_row);
    let moderates = standing_row.moderates();
    let standing = if standing_row.ban.is_some() {
        Standing::Banned
    } else if ctx.viewer.is_none() {
        Standing::Visitor
    } else if standing_row.is_member() {
        Standing::Member
    } else if standing_row
        .membership
        .as_ref()
        .is_some_and(|m| m.state == MembershipState::Pending.as_str())
    {
        Standing::Pending
    } else {
        Standing::Outsider
    };
    let venue = Venue::Local {
        id,
        ap_id: crate::federation::urls::Urls::new(&ctx.app.config).community(&c.name),
    };
    let (mut pinned, mut posts) = (Vec::new(), Vec::new());
    let mut next = None;
    if can_read {
        let page = posts::list(
            &ctx.app,
            ctx.viewer.as_ref(),
            &venue,
            sort,
            q.after,
            PER_PAGE,
        )
        .await?;
        if page.len() as i64 == PER_PAGE
            && let Some(last) = page.last()
        {
            next = Some(format!("/c/{}?sort={sort_name}&after={}", c.name, last.id));
        }
        // Pinned posts lead the first page.
        for post in page {
            if post.pinned && q.after.is_none() {
                pinned.push(post);
            } else {
                posts.push(post);
            }
        }
    }
    let spaces = if can_read {
        crate::membership::spaces::list(&ctx.app, ctx.viewer.as_ref(), &name)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let config = &ctx.app.config;
    let handle = format!("!{}@{}", c.name, config.domain);
    let actor_id = crate::federation::urls::Urls::new(config).community(&c.name);
    let feeds = if c.is_private() {
        Vec::new()
    } else {
        vec![Feed {
            kind: "application/atom+xml",
            title: c.title.clone(),
            href: format!("/c/{}/feed.atom", c.name),
        }]
    };
    let meta = Meta {
        description: c.summary.clone(),
        canonical: Some(actor_id.clone()),
        og_type: "profile",
        activity: Some(actor_id.clone()),
        feeds,
        noindex: c.is_private() || !c.discoverable,
    };
    let welcome = matches!(standing, Standing::Member)
        .then(|| c.welcome_message.clone())
        .flatten();
    let page = ctx.page(c.title.clone(), meta).await;
    let view = CommunityPage {
        page,
        handle,
        actor_id,
        summary_html: c.summary.as_deref().map(crate::content::render_markdown),
        rules: serde_json::from_str(&c.rules).map_err(Error::internal)?,
        questions: serde_json::from_str(&c.questions).map_err(Error::internal)?,
        policy: c.join_policy(),
        standing,
        moderates,
        can_read,
        spaces,
        pinned,
        posts,
        sort: sort_name,
        next,
        welcome,
        invite: q.invite.filter(|i| {
            !i.is_empty()
                && i.len() <= 64
                && i.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }),
        d,
    };
    Ok(ctx.ok(view.render()))
}

#[derive(Deserialize)]
pub struct JoinForm {
    // One field per question (`answer_1` …): forms send repeated names, which the form
    // reader does not gather into a list.
    #[serde(default)]
    answer_1: Option<String>,
    #[serde(default)]
    answer_2: Option<String>,
    #[serde(default)]
    answer_3: Option<String>,
    #[serde(default)]
    answer_4: Option<String>,
    #[serde(default)]
    answer_5: Option<String>,
    #[serde(default)]
    accept_rules: Option<String>,
    #[serde(default)]
    invite: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /c/{name}/join`: join, or apply with answers.
pub async fn join(Path(name): Path<String>, submitted: Submitted<JoinForm>) -> Result<Response> {
    let Submitted { ctx, form } = submitted;
    let user = ctx
        .viewer
        .as_ref()
        .ok_or_else(|| Error::new(ErrorCode::Unauthenticated, "log in to join a community"))?;
    let answers: Vec<String> = [
        form.answer_1,
        form.answer_2,
        form.answer_3,
        form.answer_4,
        form.answer_5,
    ]
    .into_iter()
    .map(Option::unwrap_or_default)
    .collect();
    let asked = crate::communities::find_local(&ctx.app.db, &name)
        .await
        .ok()
        .and_then(|d| serde_json::from_str::<Vec<Question>>(&d.community.questions).ok())
        .map_or(0, |q| q.len());
    let input = JoinInput {
        answers: answers.into_iter().take(asked).collect(),
        accept_rules: form.accept_rules.is_some(),
        invite: form.invite.filter(|i| !i.is_empty()),
    };
    crate::membership::join(&ctx.app, user, &name, input).await?;
    let back = match safe_next(form.next.as_deref()) {
        root if root == "/" => format!("/c/{name}"),
        other => other,
    };
    Ok(see_other(&back))
}

#[derive(Deserialize)]
pub struct InteractQuery {
    uri: String,
    server: String,
}

/// `GET /interact`: "follow from your own server". The visitor names their server (or
/// their handle there) and is sent to its page for interacting with a remote object, as
/// Mastodon offers at `/authorize_interaction`; they log in there and follow or reply.
pub async fn interact(Query(q): Query<InteractQuery>) -> Result<Response> {
    let server = home_server(&q.server).ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidRequest,
            "name your server as host name, such as mastodon.social",
        )
    })?;
    let uri = url::Url::parse(&q.uri)
        .map_err(|_| Error::new(ErrorCode::InvalidRequest, "not an address"))?;
    // A server on this very machine (a development setup) speaks plain http, as copse
    // does on loopback; every other server is reached over https.
    let scheme = if crate::config::is_loopback_domain(&server) {
        "http"
    } else {
        "https"
    };
    let mut to = url::Url::parse(&format!("{scheme}://{server}/authorize_interaction"))
        .map_err(|_| Error::new(ErrorCode::InvalidRequest, "not a server name"))?;
    to.query_pairs_mut().append_pair("uri", uri.as_str());
    Ok(see_other(to.as_str()))
}

/// The host a visitor means by `input`: `mastodon.social`, `https://mastodon.social/…`
/// or `@me@mastodon.social` all name `mastodon.social`.
pub fn home_server(input: &str) -> Option<String> {
    let input = input.trim();
    let input = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))
        .unwrap_or(input);
    let host = input
        .rsplit('@')
        .next()?
        .split('/')
        .next()?
        .to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.len() <= 253
        && (host.contains('.') || crate::config::is_loopback_domain(&host))
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !host.starts_with(['.', '-', ':']);
    valid.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::home_server;

    #[test]
    fn a_home_server_is_read_from_a_host_an_address_or_a_handle() {
        assert_eq!(
            home_server("mastodon.social").as_deref(),
            Some("mastodon.social")
        );
        assert_eq!(
            home_server(" https://Lemmy.World/u/me ").as_deref(),
            Some("lemmy.world")
        );
        assert_eq!(
            home_server("@me@toot.example").as_deref(),
            Some("toot.example")
        );
        assert_eq!(home_server("javascript:alert(1)"), None);
        assert_eq!(home_server("evil.example\"><script>"), None);
        assert_eq!(home_server(""), None);
        assert_eq!(home_server("intranet"), None);
        // A server on this machine, for a development setup.
        assert_eq!(
            home_server("localhost:8080").as_deref(),
            Some("localhost:8080")
        );
    }
}
