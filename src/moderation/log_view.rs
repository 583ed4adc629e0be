//! Reading the moderation log: the public record of what moderators and admins did.
//!
//! Anyone may read it, as a community's members read its rules: what was removed, who was
//! banned, which reports were settled, and why. A private community's entries are for its
//! members. Moderators are not named unless the instance chooses so
//! (`moderation.show_moderator_names`), to spare them retaliation; a community's own
//! moderators see each other's names in its entries, and admins see every name. Refused
//! attempts are for admins only.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::accounts::User;
use crate::app::App;
use crate::db::memberships::{self, Member};
use crate::db::mod_log::{self, LogFilter, ModLogRow};
use crate::db::{DbConnection, communities, remote_actors, users};
use crate::error::{Error, ErrorCode, Result};
use crate::federation::urls::Urls;
use crate::membership::{Role, access};
use crate::time::rfc3339;

/// What a page of the log shows.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// A local community's name (or `!name@host`, also for a community elsewhere).
    pub community: Option<String>,
    /// Entries older than this id.
    pub before: Option<i64>,
    pub limit: i64,
    /// Refused attempts too (admins only).
    pub refused: bool,
    /// Only one kind of decision (see [`KINDS`]).
    pub kind: Option<String>,
}

/// The kinds of decision the log can be narrowed to, and the actions of each.
pub const KINDS: &[(&str, &[&str])] = &[
    (
        "content",
        &[
            "remove_post",
            "restore_post",
            "remove_comment",
            "restore_comment",
            "lock_post",
            "unlock_post",
            "pin_post",
            "unpin_post",
            "purge_post",
            "purge_comment",
        ],
    ),
    (
        "bans",
        &[
            "ban_from_community",
            "unban_from_community",
            "ban_from_instance",
            "unban_from_instance",
            "purge_person",
        ],
    ),
    (
        "reports",
        &["resolve_report", "dismiss_report", "forward_report"],
    ),
    (
        "servers",
        &[
            "block_domain",
            "limit_domain",
            "unblock_domain",
            "allow_domain",
            "disallow_domain",
            "federation_mode",
            "import_blocklist",
            "community_block_domain",
            "community_unblock_domain",
        ],
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct LogTarget {
    /// `post`, `comment`, `person`, `domain`, `report` or `instance`.
    pub kind: String,
    /// Its ActivityPub id (or the domain), when it has one.
    pub id: Option<String>,
    /// A title or name, kept after the target is purged.
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntryView {
    pub id: i64,
    pub action: String,
    /// `!name@host`; `None` for the instance's own actions.
    pub community: Option<String>,
    pub target: LogTarget,
    pub reason: Option<String>,
    pub expires_at: Option<String>,
    pub created_at: String,
    /// `@name@host` of who acted, only for those allowed to know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderator: Option<String>,
    /// An attempt that was refused (listed for admins who ask for them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogPage {
    pub items: Vec<LogEntryView>,
    pub next_before: Option<i64>,
}

/// What the reader is to the communities here.
struct Reader {
    admin: bool,
    moderates: HashSet<i64>,
    member_of: Vec<i64>,
}

/// A page of the log, newest first, as `viewer` (None: anyone) may read it.
pub async fn page(app: &App, viewer: Option<&User>, query: LogQuery) -> Result<LogPage> {
    let admin = viewer.is_some_and(|u| u.is_admin);
    if query.refused && !admin {
        return Err(Error::new(
            ErrorCode::Forbidden,
            "refused attempts are listed for admins only",
        ));
    }
    let limit = query.limit.clamp(1, 200);
    let urls = Urls::new(&app.config);
    let domain = app.config.domain.clone();
    let show_names = app.settings.get().show_moderator_names;
    let viewer = viewer.cloned();
    app.db
        .run(move |c| {
            let reader = reader(c, viewer.as_ref())?;
            let actions = match query.kind.as_deref() {
                None => None,
                Some(kind) => Some(
                    KINDS
                        .iter()
                        .find(|(k, _)| *k == kind)
                        .map(|(_, actions)| actions.to_vec())
                        .ok_or_else(|| {
                            Error::new(
                                ErrorCode::InvalidRequest,
                                "kind is content, bans, reports or servers",
                            )
                        })?,
                ),
            };
            let mut filter = LogFilter {
                include_refused: query.refused,
                before: query.before,
                actions,
                ..LogFilter::default()
            };
            match &query.community {
                Some(name) => scope_to(c, &domain, viewer.as_ref(), name, &mut filter)?,
                None if reader.admin => {}
                None => filter.private_visible = Some(reader.member_of.clone()),
            }
            let rows = mod_log::page(c, &filter, limit)?;
            let next_before = (rows.len() as i64 == limit)
                .then(|| rows.last().map(|r| r.id))
                .flatten();
            let mut names = Names::default();
            let items = rows
                .into_iter()
                .map(|row| {
                    let named = show_names
                        || reader.admin
                        || row
                            .community_id
                            .is_some_and(|id| reader.moderates.contains(&id));
                    entry_view(c, &urls, &domain, &mut names, row, named)
                })
                .collect::<Result<_>>()?;
            Ok(LogPage { items, next_before })
        })
        .await
}

fn reader(c: &mut DbConnection, viewer: Option<&User>) -> Result<Reader> {
    let Some(user) = viewer else {
        return Ok(Reader {
            admin: false,
            moderates: HashSet::new(),
            member_of: Vec::new(),
        });
    };
    let accepted: Vec<_> = memberships::of_user(c, user.id)?
        .into_iter()
        .filter(|m| m.state == "accepted")
        .filter_map(|m| m.community_id.map(|id| (id, m.role)))
        .collect();
    Ok(Reader {
        admin: user.is_admin,
        moderates: accepted
            .iter()
            .filter(|(_, role)| Role::parse(role).is_ok_and(Role::moderates))
            .map(|(id, _)| *id)
            .collect(),
        member_of: accepted.into_iter().map(|(id, _)| id).collect(),
    })
}

/// Narrows the filter to one community, refusing a private one to outsiders.
fn scope_to(
    c: &mut DbConnection,
    domain: &str,
    viewer: Option<&User>,
    name: &str,
    filter: &mut LogFilter,
) -> Result<()> {
    let handle = name.trim().trim_start_matches('!');
    let (name, host) = match handle.split_once('@') {
        Some((name, host)) => (name, Some(host)),
        None => (handle, None),
    };
    let unknown = || Error::new(ErrorCode::NotFound, format!("no community '{handle}'"));
    match host {
        Some(host) if host != domain => {
            let actor = remote_actors::find_by_handle(c, name, host)?
                .filter(|a| a.is_group())
                .ok_or_else(unknown)?;
            filter.community_ap_id = Some(actor.ap_id);
        }
        _ => {
            let community = communities::find_by_name(c, name)?.ok_or_else(unknown)?;
            let standing = access::standing(
                c,
                community.id,
                viewer.map(|u| Member::Local(u.id)),
                viewer.is_some_and(|u| u.is_admin),
            )?;
            if !access::can_see_community(&community, &standing) {
                return Err(Error::new(
                    ErrorCode::Forbidden,
                    "the moderation log of a private community is for its members",
                ));
            }
            filter.community_id = Some(community.id);
        }
    }
    Ok(())
}

/// Handles already looked up for one page.
#[derive(Default)]
struct Names {
    communities: HashMap<(Option<i64>, Option<String>), Option<String>>,
    moderators: HashMap<(Option<i64>, String), String>,
}

fn entry_view(
    c: &mut DbConnection,
    urls: &Urls,
    domain: &str,
    names: &mut Names,
    row: ModLogRow,
    named: bool,
) -> Result<LogEntryView> {
    let key = (row.community_id, row.community_ap_id.clone());
    let community = match names.communities.get(&key) {
        Some(handle) => handle.clone(),
        None => {
            let handle = community_handle(c, domain, row.community_id, row.community_ap_id)?;
            names.communities.insert(key, handle.clone());
            handle
        }
    };
    let moderator = if named {
        let key = (row.moderator_user_id, row.moderator_ap_id.clone());
        Some(match names.moderators.get(&key) {
            Some(handle) => handle.clone(),
            None => {
                let handle = moderator_handle(c, urls, domain, &key.0, &row.moderator_ap_id)?;
                names.moderators.insert(key, handle.clone());
                handle
            }
        })
    } else {
        None
    };
    Ok(LogEntryView {
        id: row.id,
        action: row.action,
        community,
        target: LogTarget {
            kind: row.target_kind,
            id: row.target_ap_id,
            label: row.target_label,
        },
        reason: row.reason,
        expires_at: row.expires_at.map(rfc3339),
        created_at: rfc3339(row.created_at),
        moderator,
        refused: row.refused,
    })
}

fn community_handle(
    c: &mut DbConnection,
    domain: &str,
    community_id: Option<i64>,
    community_ap_id: Option<String>,
) -> Result<Option<String>> {
    if let Some(community) = community_id
        .map(|id| communities::find(c, id))
        .transpose()?
        .flatten()
    {
        return Ok(Some(format!("!{}@{domain}", community.name)));
    }
    let Some(ap_id) = community_ap_id else {
        return Ok(None);
    };
    Ok(Some(match remote_actors::find_by_ap_id(c, &ap_id)? {
        Some(actor) => format!("!{}@{}", actor.username, actor.domain),
        None => ap_id,
    }))
}

fn moderator_handle(
    c: &mut DbConnection,
    urls: &Urls,
    domain: &str,
    user_id: &Option<i64>,
    ap_id: &str,
) -> Result<String> {
    if let Some(user) = user_id.map(|id| users::find(c, id)).transpose()?.flatten() {
        return Ok(format!("@{}@{domain}", user.username));
    }
    if ap_id == urls.instance_actor() {
        return Ok(domain.to_string());
    }
    Ok(match remote_actors::find_by_ap_id(c, ap_id)? {
        Some(actor) => format!("@{}@{}", actor.username, actor.domain),
        None => ap_id.to_string(),
    })
}
