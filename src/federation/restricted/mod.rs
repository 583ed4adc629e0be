//! Content that is not for everyone: posts in members-only spaces and in private
//! communities, and everything said under them.
//!
//! Such an activity is never addressed to the public. The community announces it to its
//! members collection, and only to the servers that host a member of the audience; each of
//! those servers gets a copy that also names, in `cc`, its own members who may read it, so
//! it can show the post to them and to nobody else. A server hosting no member of the
//! audience receives nothing ([`audience`]). Incoming content is read for whether it is
//! public and whom it names ([`addressing`]); fetches of restricted content are let through
//! only for the servers that may read it ([`fetch`]).

mod addressing;
mod audience;
mod fetch;

pub use addressing::Addressing;
pub use audience::{announce, members_collection, reach_of_object};
pub use fetch::{check_fetch, server_may_read};
