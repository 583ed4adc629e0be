-- The delivery queue shared by workers: which rows are in flight and until when, and what
-- is known of each destination server's health.

-- Set while a worker is sending the row; rows leased and not yet expired count against
-- their server's in-flight cap, whichever process holds them.
ALTER TABLE deliveries ADD COLUMN leased_until TIMESTAMP;
CREATE INDEX deliveries_leased_until_idx ON deliveries (leased_until);
CREATE INDEX deliveries_domain_idx ON deliveries (domain, next_attempt_at);

-- One row per server copse has delivered to (or tried to), keyed by its host[:port] as in
-- `deliveries.domain`. A server failing for days is marked unreachable: its deliveries are
-- parked until it sends a verified activity again.
CREATE TABLE instances (
    domain TEXT NOT NULL PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since TIMESTAMP,
    last_failure_at TIMESTAMP,
    last_error TEXT,
    last_success_at TIMESTAMP,
    unreachable BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX instances_unreachable_idx ON instances (unreachable);
