//! The events the domain records. One variant per thing that happened; each carries the
//! facts as the domain established them (rows written, the community, who acted).

use chrono::NaiveDateTime;

use crate::communities::{Reach, Venue};
use crate::db::bans::BanRow;
use crate::db::comments::CommentRow;
use crate::db::posts::PostRow;
use crate::membership::Answer;

/// Something that happened that other servers may need to hear of.
#[derive(Debug, Clone)]
pub enum Event {
    /// A local person wrote a post (in a community here or elsewhere).
    PostCreated(PostEvent),
    /// Its author edited a post.
    PostEdited(PostEvent),
    /// Its author deleted a post.
    PostDeleted(PostEvent),
    /// A local person commented.
    CommentCreated(CommentEvent),
    CommentEdited(CommentEvent),
    CommentDeleted(CommentEvent),
    /// A local person voted on a post or comment, or withdrew a vote.
    Voted {
        voter: String,
        /// The post's or comment's id.
        object: String,
        venue: Venue,
        reach: Reach,
        change: VoteChange,
    },
    /// A moderator pinned (or unpinned) a post of a local community.
    PinChanged {
        moderator: String,
        post: String,
        venue: Venue,
        reach: Reach,
        pinned: bool,
    },
    /// A moderator removed (`removed`) or restored a post or comment (`object`, its id).
    /// Purged content of a local community is removed this way on the servers following it.
    RemovalChanged {
        moderator: String,
        object: String,
        venue: Venue,
        reach: Reach,
        reason: Option<String>,
        removed: bool,
    },
    /// A moderator locked (`locked`) or reopened a thread.
    LockChanged {
        moderator: String,
        post: String,
        venue: Venue,
        reach: Reach,
        reason: Option<String>,
        locked: bool,
    },
    /// A person was banned from a local community or from the instance.
    Banned(BanMade),
    /// A ban was lifted.
    BanLifted(BanEnded),
    /// A local person asked to follow a remote actor (or asked again): `activity` is the
    /// id of this attempt's `Follow`.
    FollowSent {
        follower: String,
        target: String,
        inbox: String,
        activity: String,
    },
    /// A local person stopped following a remote actor, whose follow was `activity`.
    Unfollowed {
        follower: String,
        target: String,
        inbox: String,
        activity: String,
    },
    /// A local person answered a remote follower's request.
    FollowAnswered(FollowAnswer),
    /// A local person applied to (or joined) a community on another server.
    JoinSent {
        member: String,
        community: String,
        inbox: String,
        /// The id of the `Join`, as stored with the membership.
        activity: String,
        answers: Vec<Answer>,
        rules_accepted: bool,
        invite: Option<String>,
    },
    /// A local person left a community on another server.
    LeftRemote {
        member: String,
        community: String,
        inbox: String,
    },
    /// A local community answered a remote person's request to join or follow it.
    MembershipAnswered(MembershipAnswer),
    /// A moderator invited a remote person, with an invite code.
    Invited {
        inviter: String,
        community: String,
        invitee: String,
        inbox: String,
        code: String,
    },
    /// A remote person became a member of a community that greets newcomers with `text`
    /// (Markdown).
    Welcomed {
        community: String,
        member: String,
        inbox: String,
        text: String,
    },
    /// A member of a local community became a moderator (`added`) or stopped being one.
    ModeratorChanged {
        community_id: i64,
        community: String,
        by: String,
        member: String,
        added: bool,
    },
    /// A local community's settings (name, rules, approval…) changed.
    CommunityUpdated {
        name: String,
    },
    /// A report was forwarded to the server of what it is about, by `sender` (an actor of
    /// the instance: the reporter is not named) to `to` at `inbox`.
    ReportForwarded {
        /// The id of the `Flag`, as stored with the report.
        flag: String,
        sender: String,
        objects: Vec<String>,
        reason: String,
        to: String,
        inbox: String,
    },
    /// A local person changed their display name or biography; `inboxes` are the servers
    /// that know them.
    ProfileUpdated {
        username: String,
        inboxes: Vec<String>,
    },
    /// A local person deleted their account; `inboxes` are the servers that know them.
    AccountDeleted {
        person: String,
        inboxes: Vec<String>,
    },
    /// A moderator answered a person of another server who wrote to the community
    /// privately: the community writes back to them alone.
    ConversationAnswered(ConversationAnswer),
    /// An activity from another server was applied in a local community, which passes it
    /// on to those it is for (FEP-1b12). Recorded by the inbox, which holds the activity
    /// as received (and, for a new public post, its bare object).
    Relayed {
        community_id: i64,
        community: String,
        reach: Reach,
        activity: serde_json::Value,
        page: Option<serde_json::Value>,
    },
}

/// A community's private answer to a person of another server.
#[derive(Debug, Clone)]
pub struct ConversationAnswer {
    /// The community's actor id, which writes the answer.
    pub community: String,
    /// The person's actor id, handle (`@name@host`) and inbox.
    pub person: String,
    pub handle: String,
    pub inbox: String,
    /// The answer's id, its HTML and when it was written.
    pub note: String,
    pub html: String,
    pub published: chrono::NaiveDateTime,
    /// The person's last message, which it answers.
    pub in_reply_to: Option<String>,
}

/// A community's answer to a request to join it.
#[derive(Debug, Clone)]
pub struct MembershipAnswer {
    pub community: String,
    pub applicant: String,
    pub inbox: String,
    /// What was asked (`Join` or `Follow`) and the id of that request.
    pub request_kind: String,
    pub request: String,
    pub accepted: bool,
}

/// A follow request answered.
#[derive(Debug, Clone)]
pub struct FollowAnswer {
    /// The `Follow` as it was received: its id and both actors.
    pub follow: String,
    pub follower: String,
    pub target: String,
    /// Where the follower's server takes it.
    pub inbox: String,
    pub accepted: bool,
}

/// A ban as it was made.
#[derive(Debug, Clone)]
pub struct BanMade {
    pub moderator: String,
    /// The banned person's actor id.
    pub person: String,
    /// A remote person's inbox, to tell their server directly.
    pub person_inbox: Option<String>,
    /// The community; None for a ban from the instance.
    pub venue: Option<Venue>,
    /// Who hears of it in the community: a private community's bans are its members' business.
    pub reach: Reach,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub remove_data: bool,
    /// The id of the activity announcing the ban, as stored with it.
    pub activity: String,
}

/// A ban lifted, and why.
#[derive(Debug, Clone)]
pub struct BanEnded {
    pub moderator: String,
    pub ban: BanRow,
    /// The community; None for a ban from the instance.
    pub venue: Option<Venue>,
    pub reach: Reach,
    pub reason: Option<String>,
}

/// A post and where it is; who it is for is the post's ([`Reach::of_post`]).
#[derive(Debug, Clone)]
pub struct PostEvent {
    pub post: PostRow,
    /// The author's actor id.
    pub author: String,
    pub venue: Venue,
}

/// A comment and what it answers.
#[derive(Debug, Clone)]
pub struct CommentEvent {
    pub comment: CommentRow,
    /// The author's actor id.
    pub author: String,
    pub venue: Venue,
    /// Who it is for: the post's audience.
    pub reach: Reach,
    /// The id of the post or comment it replies to.
    pub in_reply_to: String,
    /// The id of the post it is under.
    pub post: String,
}

/// What a vote did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoteChange {
    /// A vote of `value` (+1 or -1), recorded under the id of the activity that carries it.
    Cast { value: i32, activity: String },
    /// The previous vote of `value` was withdrawn.
    Withdrawn { value: i32 },
}
