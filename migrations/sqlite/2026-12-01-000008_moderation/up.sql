-- Moderation and federation policy: removed content, reports, bans, the moderation log,
-- the instance's domain policies and each community's blocked domains, deleted accounts.

-- Removed by a moderator (not deleted by the author): hidden from everyone but moderators,
-- restorable.
ALTER TABLE posts ADD COLUMN removed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE comments ADD COLUMN removed BOOLEAN NOT NULL DEFAULT FALSE;
-- A deleted account keeps its row (its name is never given again) but nothing else.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP;

-- Reports of posts, comments and people, from local users or other servers (Flag).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The Flag's id: received from another server, or sent when forwarded.
    ap_id TEXT,
    reporter_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    reporter_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE SET NULL,
    -- The local community whose moderators handle it; NULL: the instance's admins.
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    comment_id BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    person_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    person_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE SET NULL,
    -- JSON array of the ActivityPub ids the report names, kept after a purge.
    object_ap_ids TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The reporter asked for the report to go to the origin server too.
    forward BOOLEAN NOT NULL DEFAULT FALSE,
    forwarded_at TIMESTAMP,
    -- open, resolved or dismissed.
    status TEXT NOT NULL DEFAULT 'open',
    resolution_note TEXT,
    resolved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT reports_ap_id_key UNIQUE (ap_id)
);
CREATE INDEX reports_queue_idx ON reports (community_id, status, id);

-- A person banned from a community (local or remote) or from this whole instance.
CREATE TABLE bans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The actor id of the community (here or elsewhere), `instance` for a ban from this
    -- instance, or another instance's actor id for a ban received from it.
    scope TEXT NOT NULL,
    -- Set for a local community's ban (the scope is then that community).
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    person_ap_id TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    remote_actor_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    reason TEXT,
    -- NULL: until lifted.
    expires_at TIMESTAMP,
    banned_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- The Block sent or received, which an Undo names.
    activity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT bans_key UNIQUE (scope, person_ap_id)
);
CREATE INDEX bans_person_idx ON bans (person_ap_id);

-- Every moderator and admin action: who, what, on what, why, when.
CREATE TABLE mod_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    moderator_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- The moderator's actor id (a local person, or a remote community's moderator).
    moderator_ap_id TEXT NOT NULL,
    action TEXT NOT NULL,
    -- The local community acted in; NULL for instance actions and remote communities.
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    -- The community's actor id (local or remote), NULL for instance actions.
    community_ap_id TEXT,
    -- post, comment, person, domain, report or instance.
    target_kind TEXT NOT NULL,
    target_ap_id TEXT,
    -- A title or name to show, kept after the target is purged.
    target_label TEXT,
    reason TEXT,
    expires_at TIMESTAMP,
    -- Refused attempts are kept for admins and never shown in the public log.
    refused BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mod_log_community_idx ON mod_log (community_id, id);

-- The instance's policy toward other servers, one row per domain (subdomains included).
CREATE TABLE domain_policies (
    domain TEXT PRIMARY KEY NOT NULL,
    -- none, limit or block.
    severity TEXT NOT NULL DEFAULT 'none',
    reject_media BOOLEAN NOT NULL DEFAULT FALSE,
    reject_reports BOOLEAN NOT NULL DEFAULT FALSE,
    -- Listed in allowlist mode.
    allowed BOOLEAN NOT NULL DEFAULT FALSE,
    public_comment TEXT,
    private_comment TEXT,
    obfuscate BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Settings admins change at run time (the federation mode), one value per key.
CREATE TABLE instance_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Domains a community's moderators refuse in that community.
CREATE TABLE community_domain_blocks (
    community_id BIGINT NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, domain)
);
