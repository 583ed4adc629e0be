//! Content that is not for everyone: posts in members-only spaces and in private
//! communities, and everything said under them.
//!
//! Such an activity is never addressed to the public. The community announces it to its
//! members collection, and only to the servers that host a member of the audience; each of
//! those servers gets a copy that also names, in `cc`, its own members who may read it, so
//! it can show the post to them and to nobody else. A server hosting no member of the
//! audience receives nothing ([`audience`]). Whether incoming content is public is read from
//! its addressing (the wire model's `Addressing`); fetches of restricted content are let
//! through only for the servers that may read it ([`fetch`]).

mod audience;
mod fetch;

pub use audience::{announce, members_collection, reach_of_object};
pub use fetch::{check_fetch, server_may_read};
