//! Membership of communities of practice: following is reading, membership is belonging.
//!
//! A community's settings say who may see it (public, unlisted, private), how one joins
//! (open, approval with questions, invite only) and who may post (followers, members,
//! moderators, optionally only verified members). Members hold a role (owner, moderator,
//! member); applications wait for the moderators with their answers; spaces inside a
//! community have audiences; moderators record verified credentials. The rules of who
//! may see and do what live in [`access`]; the rest of copse asks there.

pub mod access;
mod incoming;
pub mod invites;
mod join;
mod model;
pub mod moderate;
pub mod settings;
pub mod spaces;
pub mod view;
pub mod welcome;

pub(crate) use incoming::end_remote_membership;
pub use incoming::{RemoteRequest, receive_answer, receive_leave, receive_request};
pub use join::{JoinInput, join, leave, mine};
pub use model::{
    Answer, Audience, JoinPolicy, MAX_QUESTIONS, MAX_RULES, MembershipState, PostingPolicy,
    Question, Role, Visibility,
};
