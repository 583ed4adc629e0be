//! What happened: the domain's record of every change other servers may need to hear of.
//!
//! A domain function that changes something records an [`Event`] through the [`Recorder`]
//! it is handed, inside the transaction of the change. What an event means on the wire is
//! not the domain's business: the [`Outbox`] installed in the running server (federation's)
//! turns it into activities and queues them in that same transaction, so a change and its
//! consequences are written together or not at all. Once the transaction has committed, the
//! outbox is told once ([`Outbox::committed`]), which wakes whatever sends.
//!
//! Events name what happened in the community's language and carry the facts the outbox
//! needs (the rows written, the community, who acted), so that it never has to guess.

mod event;
mod outbox;

pub use event::{
    BanEnded, BanMade, CommentEvent, ConversationAnswer, Event, FollowAnswer, MembershipAnswer,
    PostEvent, VoteChange,
};
pub use outbox::{Outbox, Recorder};
