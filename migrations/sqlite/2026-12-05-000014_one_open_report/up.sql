-- One open report per person and what they report, even when the same report is sent many
-- times at once: a key that only open reports by local people carry, unique.
ALTER TABLE reports ADD COLUMN open_key TEXT;
UPDATE reports SET open_key =
    CAST(reporter_user_id AS TEXT) || ':' ||
    COALESCE(CAST(post_id AS TEXT), '') || ':' ||
    COALESCE(CAST(comment_id AS TEXT), '') || ':' ||
    COALESCE(CAST(person_user_id AS TEXT), '') || ':' ||
    COALESCE(CAST(person_remote_id AS TEXT), '')
WHERE id IN (
    SELECT MIN(id) FROM reports
    WHERE status = 'open' AND reporter_user_id IS NOT NULL
    GROUP BY reporter_user_id, post_id, comment_id, person_user_id, person_remote_id
);
CREATE UNIQUE INDEX reports_open_key_idx ON reports (open_key);
