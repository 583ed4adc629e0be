-- Membership for communities of practice: settings, members with roles and applications,
-- spaces with audiences, invites, verified credentials and notifications.

-- Who may see, join and post. `manually_approves_followers` follows from the join policy
-- and `posting_restricted_to_mods` from the posting policy, so both columns go.
ALTER TABLE communities ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE communities ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'open';
ALTER TABLE communities ADD COLUMN posting_policy TEXT NOT NULL DEFAULT 'followers';
ALTER TABLE communities ADD COLUMN verified_posting_only BOOLEAN NOT NULL DEFAULT FALSE;
-- JSON arrays: the numbered rules, and the application questions ({"question", "required"}).
ALTER TABLE communities ADD COLUMN rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE communities ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE communities ADD COLUMN welcome_message TEXT;
ALTER TABLE communities ADD COLUMN member_list_public BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE communities SET join_policy = 'approval' WHERE manually_approves_followers;
UPDATE communities SET posting_policy = 'moderators' WHERE posting_restricted_to_mods;
ALTER TABLE communities DROP COLUMN manually_approves_followers;
ALTER TABLE communities DROP COLUMN posting_restricted_to_mods;

-- Invite links and invitations of a fediverse handle.
CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- Set when the invite was made for one person (their actor id).
    invitee_ap_id TEXT,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT invites_code_key UNIQUE (code)
);
CREATE INDEX invites_community_idx ON invites (community_id);

-- Belonging to a community: a local or remote person in a local community (with role,
-- application answers and the moderators' decision), or a local person in a remote
-- community (with what that community answered). Exactly one community column and one
-- member column are set; each pair appears once.
CREATE TABLE memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    remote_community_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    remote_actor_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    -- owner, moderator or member.
    role TEXT NOT NULL DEFAULT 'member',
    -- pending (an application), accepted, or rejected.
    state TEXT NOT NULL,
    -- JSON array of {"question", "answer"}; NULL when the applicant's server sent none.
    answers TEXT,
    rules_accepted_at TIMESTAMP,
    -- How the request came: api, follow, join or invite.
    via TEXT NOT NULL,
    invite_id BIGINT REFERENCES invites (id) ON DELETE SET NULL,
    -- The remote Follow or Join to answer, or the Join sent to a remote community.
    activity_id TEXT,
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decision_reason TEXT,
    decided_at TIMESTAMP,
    joined_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX memberships_local_user_key ON memberships (community_id, user_id);
CREATE UNIQUE INDEX memberships_local_remote_key ON memberships (community_id, remote_actor_id);
CREATE UNIQUE INDEX memberships_remote_user_key ON memberships (remote_community_id, user_id);
CREATE INDEX memberships_state_idx ON memberships (community_id, state);
CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE INDEX memberships_remote_actor_idx ON memberships (remote_actor_id);

-- A community's moderators become members with a role; the creator is the owner.
INSERT INTO memberships (community_id, user_id, role, state, via, joined_at, created_at,
                         updated_at)
SELECT m.community_id, m.user_id,
       CASE WHEN c.created_by = m.user_id THEN 'owner' ELSE 'moderator' END,
       'accepted', 'api', m.created_at, m.created_at, m.created_at
FROM community_moderators m JOIN communities c ON c.id = m.community_id;
DROP TABLE community_moderators;

-- Spaces inside a community, each with an audience: everyone, members, or members holding
-- the credential named in `credential`. Every community has one default space.
CREATE TABLE spaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    audience TEXT NOT NULL,
    credential TEXT,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT spaces_slug_key UNIQUE (community_id, slug)
);
INSERT INTO spaces (community_id, slug, title, audience, is_default, created_at)
SELECT id, 'general', 'General', 'everyone', TRUE, created_at FROM communities;

-- A credential a moderator verified for a member of a local community; it lapses when the
-- membership ends.
CREATE TABLE credentials (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    membership_id BIGINT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    verified_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    verified_by_name TEXT NOT NULL,
    verified_at TIMESTAMP NOT NULL,
    CONSTRAINT credentials_member_name_key UNIQUE (membership_id, name)
);

-- Posts in a space that is not public. `restricted` marks any post not for everyone
-- (whatever its origin), so public listings filter on one column; a restricted post from
-- another server is shown to the local people it was addressed to, listed here.
ALTER TABLE posts ADD COLUMN space_id BIGINT REFERENCES spaces (id) ON DELETE SET NULL;
ALTER TABLE posts ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE post_recipients (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_recipients_user_idx ON post_recipients (user_id);

-- What a local person is told: an application decided, a welcome, an invitation.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    community_ap_id TEXT,
    -- Plain text shown to the person.
    message TEXT NOT NULL,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
