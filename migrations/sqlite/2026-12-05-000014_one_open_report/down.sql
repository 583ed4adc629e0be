DROP INDEX reports_open_key_idx;
ALTER TABLE reports DROP COLUMN open_key;
