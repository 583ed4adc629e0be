//! A person's home feed: the posts of the communities they belong to or follow (here and
//! elsewhere) and of the people they follow, with the statuses followed people of other
//! servers post outside any community, newest first, as far as they may read them.

use chrono::NaiveDateTime;

use super::model::{Author, PostView};
use super::posts::here;
use super::views;
use crate::accounts::User;
use crate::app::App;
use crate::db::memberships::Member;
use crate::db::posts::FeedSources;
use crate::db::{DbConnection, communities, followed_notes, follows, memberships, posts};
use crate::error::{Error, ErrorCode, Result};
use crate::membership::{MembershipState, access};
use crate::time::rfc3339;

/// One entry of a feed: a post in a community, or a followed person's status.
#[derive(Debug, Clone)]
pub enum FeedItem {
    Post(PostView),
    Note(NoteView),
}

/// A followed person's status, as the feed shows it.
#[derive(Debug, Clone)]
pub struct NoteView {
    pub ap_id: String,
    /// Its page on its server, where it is answered.
    pub url: Option<String>,
    pub author: Author,
    /// The author's display name, if they have one.
    pub author_name: Option<String>,
    /// Sanitized HTML.
    pub html: String,
    pub content_warning: Option<String>,
    pub sensitive: bool,
    pub language: Option<String>,
    pub published_at: String,
    pub edited: bool,
}

/// Where a page of the feed starts: after the item last shown. Items are ordered by time,
/// newest first; at the same time, posts come before notes, and each by id, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: NaiveDateTime,
    pub note: bool,
    pub id: i64,
}

impl Cursor {
    /// As it travels in a link: `p` or `n`, the time in microseconds, and the id.
    pub fn encode(&self) -> String {
        let kind = if self.note { 'n' } else { 'p' };
        format!("{kind}{}-{}", self.at.and_utc().timestamp_micros(), self.id)
    }

    pub fn parse(s: &str) -> Result<Cursor> {
        let bad = || {
            Error::new(
                ErrorCode::InvalidRequest,
                "the feed's page marker is not valid",
            )
        };
        let note = match s.chars().next() {
            Some('n') => true,
            Some('p') => false,
            _ => return Err(bad()),
        };
        let (micros, id) = s[1..].split_once('-').ok_or_else(bad)?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        let at = chrono::DateTime::from_timestamp_micros(micros)
            .ok_or_else(bad)?
            .naive_utc();
        Ok(Cursor { at, note, id })
    }

    /// Where the posts of this page start: posts of the cursor's very time come before its
    /// notes, so after a note none of them is left.
    fn for_posts(&self) -> (NaiveDateTime, i64) {
        (self.at, if self.note { i64::MIN } else { self.id })
    }

    fn for_notes(&self) -> (NaiveDateTime, i64) {
        (self.at, if self.note { self.id } else { i64::MAX })
    }
}

/// A page of `user`'s feed, and the cursor of the next page if there may be one.
pub async fn page(
    app: &App,
    user: &User,
    before: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<FeedItem>, Option<Cursor>)> {
    let here = here(app);
    let user = user.clone();
    let limit = limit.clamp(1, 100);
    app.db
        .run(move |c| {
            let sources = sources(c, &user)?;
            let (rows, names): (Vec<_>, Vec<_>) =
                posts::feed(c, &sources, before.map(|b| b.for_posts()), limit)?
                    .into_iter()
                    .unzip();
            let handles = views::communities_of(c, &here, &rows)?;
            let mut items: Vec<(Cursor, FeedItem)> = rows
                .iter()
                .zip(handles)
                .zip(names)
                .map(|((post, handle), names)| {
                    let view =
                        views::view_of_post(post, handle, views::joined_author(&here, names));
                    let at = Cursor {
                        at: post.published_at,
                        note: false,
                        id: post.id,
                    };
                    (at, FeedItem::Post(view))
                })
                .collect();
            let notes = followed_notes::of_authors(
                c,
                &sources.remote_people,
                before.map(|b| b.for_notes()),
                limit,
            )?;
            items.extend(
                notes
                    .into_iter()
                    .map(|(note, (username, domain, name, ap_id))| {
                        let at = Cursor {
                            at: note.published_at,
                            note: true,
                            id: note.id,
                        };
                        let view = NoteView {
                            ap_id: note.ap_id,
                            url: note.url,
                            author: Author {
                                handle: format!("@{username}@{domain}"),
                                actor_id: ap_id,
                                local: false,
                            },
                            author_name: name,
                            html: note.content_html,
                            content_warning: note.summary,
                            sensitive: note.sensitive,
                            language: note.language,
                            published_at: rfc3339(note.published_at),
                            edited: note.updated_at.is_some(),
                        };
                        (at, FeedItem::Note(view))
                    }),
            );
            // Newest first; at the same time posts first, then by id, newest first.
            items.sort_by(|(a, _), (b, _)| {
                b.at.cmp(&a.at)
                    .then(a.note.cmp(&b.note))
                    .then(b.id.cmp(&a.id))
            });
            items.truncate(usize::try_from(limit).unwrap_or(25));
            let next = (items.len() as i64 == limit)
                .then(|| items.last().map(|(at, _)| *at))
                .flatten();
            Ok((items.into_iter().map(|(_, item)| item).collect(), next))
        })
        .await
}

/// Where the feed draws from, and which restricted spaces its reader may see.
fn sources(c: &mut DbConnection, user: &User) -> Result<FeedSources> {
    let mut sources = FeedSources {
        user_id: user.id,
        ..FeedSources::default()
    };
    for m in memberships::of_user(c, user.id)? {
        if m.state != MembershipState::Accepted.as_str() {
            continue;
        }
        if let Some(id) = m.community_id {
            sources.communities.push(id);
        }
        if let Some(id) = m.remote_community_id {
            sources.remote_communities.push(id);
        }
    }
    // Spaces are decided per community, by the same rules as everywhere else.
    for id in sources.communities.clone() {
        if let Some(community) = communities::find(c, id)? {
            let standing = access::standing(c, id, Some(Member::Local(user.id)), user.is_admin)?;
            sources
                .spaces
                .extend(access::visible_spaces(c, &community, &standing)?);
        }
    }
    for (community, person, remote) in follows::accepted_targets_of_user(c, user.id)? {
        if let Some(id) = community {
            sources.communities.push(id);
        }
        if let Some(id) = person {
            sources.people.push(id);
        }
        // A remote actor followed is a community or a person: posts match it as either.
        if let Some(id) = remote {
            sources.remote_communities.push(id);
            sources.remote_people.push(id);
        }
    }
    Ok(sources)
}
