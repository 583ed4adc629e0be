-- Local communities, actor keys, and the one namespace that people and communities share
-- (acct:name@domain must name exactly one actor).
CREATE TABLE local_names (
    name TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL
);
INSERT INTO local_names (name, kind) SELECT username, 'person' FROM users;

ALTER TABLE users ADD COLUMN public_key_pem TEXT;
ALTER TABLE users ADD COLUMN private_key_pem TEXT;

CREATE TABLE communities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    language TEXT,
    manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE,
    posting_restricted_to_mods BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable BOOLEAN NOT NULL DEFAULT TRUE,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT communities_name_key UNIQUE (name)
);

CREATE TABLE community_moderators (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX community_moderators_user_idx ON community_moderators (user_id);

-- The instance actor's key (one row, id 1): it signs fetches on the server's behalf.
CREATE TABLE instance_keys (
    id INTEGER PRIMARY KEY,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
