-- Blocklist imports, applied in the background in batches: a list of 100,000 lines takes
-- longer than a request may, and a restart in the middle must resume rather than lose it.
CREATE TABLE blocklist_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The admin who imported it (NULL for `copse admin`, or once the account is gone).
    by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- SHA-256 of the list, and the same only while it is being applied: the same list sent
    -- again meanwhile (a retry after a timeout) is this import, not a second one.
    content_sha256 TEXT NOT NULL,
    running_key TEXT,
    -- The list itself, kept until it is applied so a restart can finish it.
    body TEXT NOT NULL,
    -- running, done or failed.
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    -- Lines applied so far (in list order), saved with each batch.
    written INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE UNIQUE INDEX blocklist_imports_running_idx ON blocklist_imports (running_key);
