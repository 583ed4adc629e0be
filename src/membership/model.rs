//! The words of membership: who may see, join and post, and what a membership is.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Stored strings of the enums below: one spelling for the database, the API and docs.
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// Reads a stored value; an unknown one (written by a newer version) is an error.
            pub fn parse(s: &str) -> Result<Self> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(Error::internal(format!(
                        concat!("unknown ", stringify!($name), " '{}' in the database"),
                        other
                    ))),
                }
            }
        }
    };
}

stored_enum! {
    /// Who can see a community at all.
    Visibility {
        /// Listed and readable by anyone.
        Public => "public",
        /// Readable by anyone with the link, left out of directories.
        Unlisted => "unlisted",
        /// Members only: content, member list and outbox.
        Private => "private",
    }
}

stored_enum! {
    /// How one becomes a member.
    JoinPolicy {
        Open => "open",
        /// An application (with answers) that moderators approve or reject.
        Approval => "approval",
        /// Only with an invite.
        Invite => "invite",
    }
}

stored_enum! {
    /// Who may start posts in the community's spaces (comments follow the same rule).
    PostingPolicy {
        /// Anyone following or belonging (anyone at all for an open, public community).
        Followers => "followers",
        Members => "members",
        Moderators => "moderators",
    }
}

stored_enum! {
    /// A member's standing.
    Role {
        Owner => "owner",
        Moderator => "moderator",
        Member => "member",
    }
}

stored_enum! {
    /// Where a membership stands.
    MembershipState {
        /// An application waiting for the moderators (or a request waiting for the remote
        /// community's answer).
        Pending => "pending",
        Accepted => "accepted",
        Rejected => "rejected",
    }
}

stored_enum! {
    /// Who a space is for.
    Audience {
        Everyone => "everyone",
        Members => "members",
        /// Members holding the space's credential.
        Credential => "credential",
    }
}

impl Role {
    /// Owners and moderators moderate.
    pub fn moderates(self) -> bool {
        matches!(self, Role::Owner | Role::Moderator)
    }
}

/// An application question written by the moderators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub question: String,
    #[serde(default)]
    pub required: bool,
}

/// An applicant's answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

pub const MAX_QUESTIONS: usize = 5;
pub const MAX_QUESTION_CHARS: usize = 500;
pub const MAX_ANSWER_CHARS: usize = 2_000;
pub const MAX_RULES: usize = 30;
pub const MAX_RULE_CHARS: usize = 1_000;
pub const MAX_WELCOME_CHARS: usize = 5_000;
pub const MAX_REASON_CHARS: usize = 1_000;

/// Decodes a JSON list column; a corrupt value is an internal error, not an empty list.
pub fn decode_list<T: for<'de> Deserialize<'de>>(json: &str) -> Result<Vec<T>> {
    serde_json::from_str(json).map_err(Error::internal)
}

/// Encodes a JSON list column.
pub fn encode_list<T: Serialize>(items: &[T]) -> Result<String> {
    serde_json::to_string(items).map_err(Error::internal)
}
