//! The moderation log: who did what, on what, why and when.
//!
//! Entries are written by the code that performs an action, inside its transaction. An
//! attempt that was refused (someone who is not a moderator trying a moderator's action,
//! from this server or another) is written too, marked `refused`: admins see those, the
//! public log never does.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::db::mod_log::{self, NewModLogEntry};
use crate::error::Result;

macro_rules! names {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),* }

        impl $name {
            /// The stored and wire form, e.g. `remove_post`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// The value for a stored name, if it is one.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }

            /// Every value, for documentation tests.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
        }
    };
}

names! {
    /// What a moderator or admin did.
    Action {
        RemovePost => "remove_post",
        RestorePost => "restore_post",
        RemoveComment => "remove_comment",
        RestoreComment => "restore_comment",
        LockPost => "lock_post",
        UnlockPost => "unlock_post",
        PinPost => "pin_post",
        UnpinPost => "unpin_post",
        BanFromCommunity => "ban_from_community",
        UnbanFromCommunity => "unban_from_community",
        BanFromInstance => "ban_from_instance",
        UnbanFromInstance => "unban_from_instance",
        PurgePost => "purge_post",
        PurgeComment => "purge_comment",
        PurgePerson => "purge_person",
        ResolveReport => "resolve_report",
        DismissReport => "dismiss_report",
        ForwardReport => "forward_report",
        BlockDomain => "block_domain",
        LimitDomain => "limit_domain",
        UnblockDomain => "unblock_domain",
        AllowDomain => "allow_domain",
        DisallowDomain => "disallow_domain",
        FederationMode => "federation_mode",
        ImportBlocklist => "import_blocklist",
        CommunityBlockDomain => "community_block_domain",
        CommunityUnblockDomain => "community_unblock_domain",
    }
}

names! {
    /// What an action was done to.
    TargetKind {
        Post => "post",
        Comment => "comment",
        Person => "person",
        Domain => "domain",
        Report => "report",
        Instance => "instance",
    }
}

/// Who acted: a local person, or a remote moderator known by actor id.
#[derive(Debug, Clone)]
pub struct Moderator {
    pub user_id: Option<i64>,
    pub ap_id: String,
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub moderator: Moderator,
    pub action: Action,
    /// The local community acted in, if it is one here.
    pub community_id: Option<i64>,
    /// The community's actor id (here or elsewhere); `None` for instance actions.
    pub community_ap_id: Option<String>,
    pub target_kind: TargetKind,
    pub target_ap_id: Option<String>,
    /// A title or name to show, kept when the target is purged.
    pub target_label: Option<String>,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
}

impl LogEntry {
    /// An entry with no community, target id, label, reason or expiry; set those fields.
    pub fn new(moderator: Moderator, action: Action, target_kind: TargetKind) -> Self {
        LogEntry {
            moderator,
            action,
            community_id: None,
            community_ap_id: None,
            target_kind,
            target_ap_id: None,
            target_label: None,
            reason: None,
            expires_at: None,
        }
    }
}

/// Longest reason kept in the log; longer ones (from other servers) are cut.
pub const MAX_REASON_CHARS: usize = 2_000;

/// Records an action that was carried out.
pub fn record(conn: &mut DbConnection, entry: LogEntry) -> Result<()> {
    write(conn, entry, false)
}

/// Records an attempt that was refused, for admins.
pub fn record_refused(conn: &mut DbConnection, entry: LogEntry) -> Result<()> {
    tracing::warn!(
        moderator = entry.moderator.ap_id,
        action = entry.action.as_str(),
        target = entry.target_ap_id.as_deref().unwrap_or_default(),
        "a moderator's action by someone who may not take it was refused"
    );
    write(conn, entry, true)
}

fn write(conn: &mut DbConnection, entry: LogEntry, refused: bool) -> Result<()> {
    let reason = entry
        .reason
        .map(|r| r.trim().chars().take(MAX_REASON_CHARS).collect::<String>())
        .filter(|r| !r.is_empty());
    mod_log::insert(
        conn,
        &NewModLogEntry {
            moderator_user_id: entry.moderator.user_id,
            moderator_ap_id: entry.moderator.ap_id,
            action: entry.action.as_str().to_string(),
            community_id: entry.community_id,
            community_ap_id: entry.community_ap_id,
            target_kind: entry.target_kind.as_str().to_string(),
            target_ap_id: entry.target_ap_id,
            // What was written is never kept in the log: a title can identify a patient, and
            // the log is public. A post or comment is named by its id; people, domains and
            // communities by their names.
            target_label: entry
                .target_label
                .filter(|_| !matches!(entry.target_kind, TargetKind::Post | TargetKind::Comment)),
            reason,
            expires_at: entry.expires_at,
            refused,
            created_at: crate::time::now(),
        },
    )?;
    Ok(())
}
