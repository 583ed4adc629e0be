DROP TABLE notifications;
DROP TABLE post_recipients;
ALTER TABLE posts DROP COLUMN restricted;
ALTER TABLE posts DROP COLUMN space_id;
DROP TABLE credentials;
DROP TABLE spaces;
CREATE TABLE community_moderators (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX community_moderators_user_idx ON community_moderators (user_id);
INSERT INTO community_moderators (community_id, user_id, created_at)
SELECT community_id, user_id, created_at FROM memberships
WHERE community_id IS NOT NULL AND user_id IS NOT NULL AND role IN ('owner', 'moderator');
DROP TABLE memberships;
DROP TABLE invites;
ALTER TABLE communities ADD COLUMN manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE communities ADD COLUMN posting_restricted_to_mods BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE communities SET manually_approves_followers = (join_policy <> 'open');
UPDATE communities SET posting_restricted_to_mods = (posting_policy = 'moderators');
ALTER TABLE communities DROP COLUMN member_list_public;
ALTER TABLE communities DROP COLUMN welcome_message;
ALTER TABLE communities DROP COLUMN questions;
ALTER TABLE communities DROP COLUMN rules;
ALTER TABLE communities DROP COLUMN verified_posting_only;
ALTER TABLE communities DROP COLUMN posting_policy;
ALTER TABLE communities DROP COLUMN join_policy;
ALTER TABLE communities DROP COLUMN visibility;
