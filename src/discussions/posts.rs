//! Posts: writing, editing, deleting and listing them.

use super::model::PostView;
use super::participant::{self, Participant};
use super::views::{self, Here};
use super::write::{self, Origin, PostDraft};
use crate::accounts::User;
use crate::app::App;
use crate::communities::Venue;
use crate::content;
use crate::db::memberships::Member;
use crate::db::posts::{self, CommunityRef, PostRow, Reader, Sort};
use crate::db::{DbConnection, communities};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{Event, PostEvent};
use crate::federation::local::LocalActor;
use crate::federation::policy::FederationPolicy;
use crate::federation::urls::Urls;
use crate::follows::{self, Target};
use crate::membership::access;

const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 50_000;
const MAX_CW: usize = 200;

/// What a member writes.
#[derive(Debug, Clone, Default)]
pub struct PostInput {
    pub title: String,
    /// Markdown.
    pub body: Option<String>,
    pub url: Option<String>,
    pub language: Option<String>,
    pub sensitive: bool,
    pub content_warning: Option<String>,
    /// The slug of the space in a local community (its default space when absent).
    pub space: Option<String>,
}

/// A member's input, checked and rendered, and the space it names.
fn check(input: PostInput) -> Result<(PostDraft, Option<String>)> {
    let title = input.title.trim().to_string();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(Error::new(
            ErrorCode::PostTitleInvalid,
            format!("a title is 1 to {MAX_TITLE} characters"),
        ));
    }
    let body = input.body.filter(|b| !b.trim().is_empty());
    if body.as_ref().is_some_and(|b| b.chars().count() > MAX_BODY) {
        return Err(Error::new(
            ErrorCode::PostBodyTooLong,
            format!("a post is at most {MAX_BODY} characters"),
        ));
    }
    let url = match input.url.filter(|u| !u.trim().is_empty()) {
        Some(u) => {
            let parsed = url::Url::parse(u.trim()).map_err(|_| url_invalid())?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(url_invalid());
            }
            Some(parsed.to_string())
        }
        None => None,
    };
    let language = input
        .language
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| {
            !l.is_empty()
                && l.len() <= 16
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    let content_warning = input
        .content_warning
        .map(|c| c.trim().chars().take(MAX_CW).collect::<String>())
        .filter(|c| !c.is_empty());
    let draft = PostDraft {
        title,
        body_html: body.as_deref().map(content::render_markdown),
        body_source: body,
        url,
        language,
        sensitive: input.sensitive || content_warning.is_some(),
        content_warning,
    };
    Ok((draft, input.space.filter(|s| !s.trim().is_empty())))
}

fn url_invalid() -> Error {
    Error::new(
        ErrorCode::PostUrlInvalid,
        "a post's link must be an http(s) URL",
    )
}

pub(crate) fn here(app: &App) -> Here {
    Here {
        urls: Urls::new(&app.config),
        domain: app.config.domain.clone(),
    }
}

/// Where a community named by the user lives: `nursing` (here), `!name@host` or a URL.
pub async fn venue(app: &App, community: &str) -> Result<Venue> {
    let urls = Urls::new(&app.config);
    // A community of this server is looked up by its name, without resolving a handle.
    if let Some(name) = local_name(community, &app.config.domain) {
        let name = name.to_string();
        let found = app
            .db
            .run(move |c| Ok(communities::find_by_name(c, &name)?))
            .await?;
        if let Some(c) = found {
            return Ok(Venue::Local {
                id: c.id,
                ap_id: urls.community(&c.name),
            });
        }
    }
    let query = if community.contains('@') || community.contains("://") {
        community.to_string()
    } else {
        format!("!{community}@{}", app.config.domain)
    };
    match follows::resolve(app, &query).await? {
        Target::Local(LocalActor::Community(c)) => Ok(Venue::Local {
            id: c.id,
            ap_id: urls.community(&c.name),
        }),
        Target::Remote(actor) if actor.is_group() => Ok(Venue::Remote(Box::new(actor))),
        _ => Err(Error::new(
            ErrorCode::NotACommunity,
            format!("{community} is not a community"),
        )),
    }
}

/// The name in `nursing`, `!nursing@here` or `nursing@here`, when it names this server.
fn local_name<'a>(community: &'a str, domain: &str) -> Option<&'a str> {
    let bare = community.strip_prefix('!').unwrap_or(community);
    let name = match bare.split_once('@') {
        Some((name, host)) if host.eq_ignore_ascii_case(domain) => name,
        Some(_) => return None,
        None if community.contains("://") => return None,
        None => bare,
    };
    (!name.is_empty()).then_some(name)
}

/// `user` posts in `venue`.
pub async fn create(app: &App, user: &User, venue: Venue, input: PostInput) -> Result<PostView> {
    let (draft, space) = check(input)?;
    let here = here(app);
    let author = here.urls.person(&user.username);
    let poster = user.clone();
    app.change(move |c, events| {
        let who = Participant::Local(&poster);
        let row = write::new_post(
            c,
            &here.urls,
            &venue,
            who,
            draft,
            space.as_deref(),
            Origin::Here,
        )?;
        let view = views::post_view(c, &here, &row)?;
        events.record(
            c,
            Event::PostCreated(PostEvent {
                post: row,
                author,
                venue,
            }),
        )?;
        Ok(view)
    })
    .await
}

/// The post with this id, if `viewer` may read it.
pub async fn get(app: &App, viewer: Option<&User>, id: i64) -> Result<PostView> {
    let here = here(app);
    let viewer = viewer.cloned();
    app.db
        .run(move |c| {
            let row = visible(c, id, viewer.as_ref())?;
            views::post_view(c, &here, &row)
        })
        .await
}

/// The post with this id if `viewer` (None: anyone) may read it; otherwise it does not
/// exist, as far as they are told.
pub(crate) fn visible(c: &mut DbConnection, id: i64, viewer: Option<&User>) -> Result<PostRow> {
    let row = posts::find(c, id)?
        .filter(|p| !p.pending || p.author_user_id.is_some())
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))?;
    let seen = match viewer {
        Some(user) => participant::may_see(c, &row, Participant::Local(user))?,
        None => !row.restricted && !row.removed,
    };
    if !seen {
        return Err(Error::new(ErrorCode::NotFound, "no such post"));
    }
    Ok(row)
}

/// What restricted posts of `community` the viewer may list.
fn reader(
    c: &mut DbConnection,
    local: Option<&crate::communities::Community>,
    viewer: Option<&User>,
    policy: &FederationPolicy,
) -> Result<Reader> {
    let mut member = false;
    let spaces = match local {
        Some(community) => {
            let standing = access::standing(
                c,
                community.id,
                viewer.map(|u| Member::Local(u.id)),
                viewer.is_some_and(|u| u.is_admin),
            )?;
            member = standing.is_member();
            access::visible_spaces(c, community, &standing)?
        }
        None => Vec::new(),
    };
    // Limited servers' posts stay out of listings, except for the community's members.
    let hidden_domains = if member {
        Vec::new()
    } else {
        crate::federation::policy::limited_actor_domains(c, policy)?
    };
    Ok(Reader {
        spaces,
        user_id: viewer.map(|u| u.id),
        hidden_domains,
    })
}

/// The author edits a post; the change is published as `Update`.
pub async fn edit(app: &App, user: &User, id: i64, input: PostInput) -> Result<PostView> {
    let (draft, _) = check(input)?;
    let here = here(app);
    let author = here.urls.person(&user.username);
    let user = user.clone();
    app.change(move |c, events| {
        let row = live_post(c, id)?;
        let venue = venue_of_row(c, &here.urls, &row)?;
        let row = write::edit_post(c, &row, Participant::Local(&user), draft)?;
        let view = views::post_view(c, &here, &row)?;
        events.record(
            c,
            Event::PostEdited(PostEvent {
                post: row,
                author,
                venue,
            }),
        )?;
        Ok(view)
    })
    .await
}

/// The author deletes a post; it becomes a Tombstone and the deletion is published.
pub async fn delete(app: &App, user: &User, id: i64) -> Result<()> {
    let here = here(app);
    let author = here.urls.person(&user.username);
    let user = user.clone();
    app.change(move |c, events| {
        let row = live_post(c, id)?;
        let venue = venue_of_row(c, &here.urls, &row)?;
        write::delete_post(c, &row, Participant::Local(&user))?;
        events.record(
            c,
            Event::PostDeleted(PostEvent {
                post: row,
                author,
                venue,
            }),
        )
    })
    .await
}

/// A post that is not deleted.
fn live_post(c: &mut DbConnection, id: i64) -> Result<PostRow> {
    posts::find(c, id)?
        .filter(|p| !p.deleted)
        .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such post"))
}

pub(crate) fn venue_of_row(c: &mut DbConnection, urls: &Urls, row: &PostRow) -> Result<Venue> {
    if let Some(id) = row.community_id {
        let community = communities::find(c, id)?
            .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
        return Ok(Venue::Local {
            id,
            ap_id: urls.community(&community.name),
        });
    }
    if let Some(id) = row.remote_community_id
        && let Some(actor) = crate::db::remote_actors::find(c, id)?
    {
        return Ok(Venue::Remote(Box::new(actor)));
    }
    Err(Error::new(
        ErrorCode::NotFound,
        "the post's community is gone",
    ))
}

/// A page of a community's posts. `after` is the id of the last post of the previous page.
pub async fn list(
    app: &App,
    viewer: Option<&User>,
    venue: &Venue,
    sort: Sort,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<PostView>> {
    let here = here(app);
    let viewer = viewer.cloned();
    let policy = app.policy.current().await;
    let venue = venue.clone();
    app.db
        .run(move |c| {
            let request = PageRequest { sort, after, limit };
            page(c, &here, &venue, viewer.as_ref(), &policy, request)
        })
        .await
}

/// Which page of a community's posts.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub sort: Sort,
    /// The id of the last post of the previous page.
    pub after: Option<i64>,
    /// At most 100.
    pub limit: i64,
}

/// A page of the posts of `venue` that `viewer` may see. The posts and their authors are
/// read in one query; the community is named once for the page.
pub fn page(
    c: &mut DbConnection,
    here: &Here,
    venue: &Venue,
    viewer: Option<&User>,
    policy: &FederationPolicy,
    request: PageRequest,
) -> Result<Vec<PostView>> {
    let (community, handle, local) = match venue {
        Venue::Local { id, .. } => {
            let local = communities::find(c, *id)?
                .ok_or_else(|| Error::new(ErrorCode::NotFound, "no such community"))?;
            let handle = format!("!{}@{}", local.name, here.domain);
            (CommunityRef::Local(*id), handle, Some(local))
        }
        Venue::Remote(actor) => (
            CommunityRef::Remote(actor.id),
            format!("!{}@{}", actor.username, actor.domain),
            None,
        ),
    };
    let cursor = match request.after {
        Some(id) => posts::find(c, id)?,
        None => None,
    };
    let reader = reader(c, local.as_ref(), viewer, policy)?;
    let limit = request.limit.clamp(1, 100);
    let rows = posts::list(c, community, request.sort, cursor.as_ref(), limit, &reader)?;
    Ok(rows
        .into_iter()
        .map(|(post, names)| {
            let author = views::joined_author(here, names);
            views::view_of_post(&post, handle.clone(), author)
        })
        .collect())
}

/// A remote community this server already knows (by handle or URL), without fetching.
pub async fn venue_known(app: &App, community: &str) -> Result<Venue> {
    let handle = crate::federation::remote::webfinger::Handle::parse(community);
    let query = community.to_string();
    let found = app
        .db
        .run(move |c| {
            Ok(match handle {
                Some(h) => crate::db::remote_actors::find_by_handle(c, &h.name, &h.host)?,
                None => crate::db::remote_actors::find_by_ap_id(c, &query)?,
            })
        })
        .await?;
    match found {
        Some(actor) if actor.is_group() => Ok(Venue::Remote(Box::new(actor))),
        Some(_) => Err(Error::new(
            ErrorCode::NotACommunity,
            format!("{community} is not a community"),
        )),
        None if community.ends_with(&format!("@{}", app.config.domain)) => {
            venue(app, community).await
        }
        None => Err(Error::new(
            ErrorCode::NotFound,
            format!("{community} is not known here; follow it first"),
        )),
    }
}

/// A local person's latest posts, newest first: public ones, and for the person themself
/// their restricted ones too.
pub async fn by_person(
    app: &App,
    viewer: Option<&User>,
    username: &str,
    limit: i64,
) -> Result<Vec<PostView>> {
    let viewer_id = viewer.map(|u| u.id);
    let here = here(app);
    let name = username.to_string();
    let limit = limit.clamp(1, 100);
    app.db
        .run(move |c| {
            let user = crate::db::users::find_by_username(c, &name)?
                .filter(|u| u.status() == crate::accounts::AccountStatus::Active)
                .ok_or_else(|| Error::new(ErrorCode::NotFound, format!("no person '{name}'")))?;
            let rows: Vec<_> = posts::by_author(c, user.id, limit, viewer_id == Some(user.id))?
                .into_iter()
                .filter(|r| !r.pending)
                .collect();
            // One author, and the communities in one go: a constant number of queries.
            let author = views::author(c, &here, Some(user.id), None)?;
            let handles = views::communities_of(c, &here, &rows)?;
            Ok(rows
                .iter()
                .zip(handles)
                .map(|(r, handle)| views::view_of_post(r, handle, author.clone()))
                .collect())
        })
        .await
}
