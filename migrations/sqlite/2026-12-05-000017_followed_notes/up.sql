-- What people of other servers that someone here follows post outside any community (a
-- Mastodon status): shown in their followers' home feeds. Only what addresses the public
-- is kept; it goes when its author deletes it, or when no one here follows them any more.
CREATE TABLE followed_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ap_id TEXT NOT NULL,
    author_remote_id BIGINT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    -- Sanitized HTML.
    content_html TEXT NOT NULL,
    -- The page of the note on its server.
    url TEXT,
    -- A content warning: the note is shown folded behind it.
    summary TEXT,
    sensitive BOOLEAN NOT NULL,
    language TEXT,
    published_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX followed_notes_ap_id_idx ON followed_notes (ap_id);
CREATE INDEX followed_notes_author_idx ON followed_notes (author_remote_id, published_at);
