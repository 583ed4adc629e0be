//! What the follow API shows.

use serde::Serialize;

/// The state of a follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FollowState {
    /// Sent; the followed actor has not answered yet.
    Pending,
    Accepted,
    Rejected,
}

impl FollowState {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowState::Pending => "pending",
            FollowState::Accepted => "accepted",
            FollowState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> FollowState {
        match s {
            "accepted" => FollowState::Accepted,
            "rejected" => FollowState::Rejected,
            _ => FollowState::Pending,
        }
    }
}

/// An actor, local or remote, as a client shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ActorView {
    /// `community`, `person` or `service` (bots, instance actors).
    pub kind: &'static str,
    /// The ActivityPub id.
    pub actor_id: String,
    /// `!name@host` for communities, `@name@host` for people.
    pub handle: String,
    pub name: String,
    pub display_name: Option<String>,
    pub local: bool,
    /// Accepted followers, when known (always for local actors).
    pub followers: Option<i64>,
    pub manually_approves_followers: bool,
}

/// One follow of the signed-in user.
#[derive(Debug, Clone, Serialize)]
pub struct FollowView {
    pub id: i64,
    pub state: FollowState,
    pub target: ActorView,
    pub created_at: String,
}
