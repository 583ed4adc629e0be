//! Following: a local user subscribes to a community or a person, here or on another
//! server, and sees what they follow.
//!
//! A follow of something local is accepted at once. A follow of a remote actor is stored as
//! pending and a `Follow` is queued; it becomes accepted when the remote `Accept` arrives
//! (or rejected with its `Reject`). Until then it is re-sent on a widening schedule,
//! because a server that has never seen copse may drop the first activities it gets while
//! it fetches copse's actors (Lemmy does).

mod model;
pub mod notes;
mod requests;
mod resolve;
mod retry;
mod subscribe;

pub use model::{ActorView, FollowState, FollowView};
pub use requests::{FollowRequestView, answer as answer_request, pending as pending_requests};
pub use resolve::{Target, remote_followers, resolve, view_of};
pub use retry::{RETRY_SCHEDULE, retry_due, spawn_retries};
pub use subscribe::{follow, list, unfollow};
