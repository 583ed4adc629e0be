-- Private conversations between a person and a community's moderators: what someone writes
-- to a community without addressing the public (a Mastodon direct message to the group),
-- and the moderators' answers, sent back as direct messages by the community.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    -- The person on the other side: of another server, or of this one.
    remote_actor_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    -- Messages the moderators have not read yet.
    unread INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    -- When the last message was written: the queue's order.
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX conversations_remote_idx ON conversations (community_id, remote_actor_id);
CREATE UNIQUE INDEX conversations_user_idx ON conversations (community_id, user_id);
CREATE INDEX conversations_queue_idx ON conversations (community_id, updated_at);

CREATE TABLE conversation_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- The message's ActivityPub id: the person's note, or the community's answer.
    ap_id TEXT NOT NULL,
    -- Written by the community (a moderator's answer) rather than by the person.
    from_community BOOLEAN NOT NULL,
    -- The moderator who answered, kept for the other moderators, never shown outside.
    moderator_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    body_html TEXT NOT NULL,
    body_source TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX conversation_messages_ap_id_idx ON conversation_messages (ap_id);
CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, id);
