-- Discussions: posts in communities, comments threaded under them, and votes on both.
-- Local and remote content share these tables; the ActivityPub id is the identity of each.

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL,
    -- Exactly one of the two: a community of this server or of another.
    community_id BIGINT REFERENCES communities (id) ON DELETE CASCADE,
    remote_community_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    -- The author: a local user or a remote actor (NULL once the author is gone).
    author_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    body_source TEXT,
    body_html TEXT,
    url TEXT,
    language TEXT,
    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    content_warning TEXT,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    -- A local member's post in a remote community waits here until the community's
    -- Announce confirms it was accepted.
    pending BOOLEAN NOT NULL DEFAULT FALSE,
    upvotes INTEGER NOT NULL DEFAULT 0,
    downvotes INTEGER NOT NULL DEFAULT 0,
    score INTEGER NOT NULL DEFAULT 0,
    hot_rank DOUBLE PRECISION NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT posts_ap_id_key UNIQUE (ap_id)
);
CREATE INDEX posts_community_published_idx ON posts (community_id, published_at);
CREATE INDEX posts_remote_community_published_idx ON posts (remote_community_id, published_at);
CREATE INDEX posts_community_hot_idx ON posts (community_id, hot_rank);
CREATE INDEX posts_community_score_idx ON posts (community_id, score);
CREATE INDEX posts_author_user_idx ON posts (author_user_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    author_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE SET NULL,
    body_source TEXT,
    body_html TEXT NOT NULL,
    language TEXT,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    pending BOOLEAN NOT NULL DEFAULT FALSE,
    upvotes INTEGER NOT NULL DEFAULT 0,
    downvotes INTEGER NOT NULL DEFAULT 0,
    score INTEGER NOT NULL DEFAULT 0,
    depth INTEGER NOT NULL DEFAULT 0,
    published_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT comments_ap_id_key UNIQUE (ap_id)
);
CREATE INDEX comments_post_idx ON comments (post_id, published_at);
CREATE INDEX comments_author_user_idx ON comments (author_user_id);

-- One vote per voter and object: +1 or -1.
CREATE TABLE votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    voter_ap_id TEXT NOT NULL,
    voter_user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    voter_remote_id BIGINT REFERENCES remote_actors (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    value INTEGER NOT NULL,
    activity_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT votes_post_key UNIQUE (voter_ap_id, post_id),
    CONSTRAINT votes_comment_key UNIQUE (voter_ap_id, comment_id)
);
CREATE INDEX votes_post_idx ON votes (post_id);
CREATE INDEX votes_comment_idx ON votes (comment_id);

-- Activities this server published, served at their ids so that a server receiving them
-- through a community's Announce can check them at their origin.
CREATE TABLE sent_activities (
    ap_id TEXT NOT NULL PRIMARY KEY,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
