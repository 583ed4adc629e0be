-- Federation state: actors of other servers as last fetched, activities already processed,
-- who follows whom across servers, and the durable queue of outgoing deliveries.

-- An actor of another server (Person, Group, Application, Service, Organization), cached so
-- that signatures can be checked and deliveries addressed without fetching it every time.
CREATE TABLE remote_actors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    domain TEXT NOT NULL,
    username TEXT NOT NULL,
    display_name TEXT,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    followers_url TEXT,
    outbox_url TEXT,
    public_key_id TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE,
    fetched_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT remote_actors_ap_id_key UNIQUE (ap_id)
);
CREATE INDEX remote_actors_public_key_id_idx ON remote_actors (public_key_id);
CREATE INDEX remote_actors_domain_username_idx ON remote_actors (domain, username);

-- Ids of activities already processed: a redelivered activity is acknowledged and ignored.
CREATE TABLE received_activities (
    ap_id TEXT NOT NULL PRIMARY KEY,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX received_activities_received_at_idx ON received_activities (received_at);

-- One row per follow relation. The follower is a local user or a remote actor; the target a
-- local community, a local user or a remote actor. Both ends are also kept as ActivityPub
-- ids, which makes "does A follow B" one unique key whichever sides are local.
CREATE TABLE follows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    follower_ap_id TEXT NOT NULL,
    target_ap_id TEXT NOT NULL,
    follower_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    follower_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    target_community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    target_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    target_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT follows_pair_key UNIQUE (follower_ap_id, target_ap_id)
);
CREATE INDEX follows_target_idx ON follows (target_ap_id, state);
CREATE INDEX follows_follower_user_idx ON follows (follower_user_id);
CREATE INDEX follows_retry_idx ON follows (state, next_attempt_at);

-- Outgoing activities waiting to reach an inbox. A row is written before the action that
-- caused it is answered, and removed once the inbox took it (or refused it for good).
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id TEXT NOT NULL,
    signer_ap_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    domain TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at);
