-- Each outgoing activity is stored once, however many inboxes it goes to: a delivery row
-- names its activity instead of carrying a copy of the body (a fan-out to 1,000 servers
-- held 1,000 copies, and a long queue was mostly copies).
CREATE TABLE outgoing_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id TEXT NOT NULL,
    signer_ap_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outgoing_activities_signer_idx ON outgoing_activities (signer_ap_id);

INSERT INTO outgoing_activities (activity_id, signer_ap_id, body, created_at)
SELECT activity_id, signer_ap_id, body, MIN(created_at)
FROM deliveries
GROUP BY activity_id, signer_ap_id, body;

-- A delivery row is now written once and deleted once: leases live in `delivery_slots`.
-- A row that was leased when the server stopped is due again at once.
CREATE TABLE deliveries_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity BIGINT NOT NULL REFERENCES outgoing_activities (id),
    inbox TEXT NOT NULL,
    domain TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO deliveries_new (id, activity, inbox, domain, attempts, next_attempt_at, last_error, created_at)
SELECT d.id, a.id, d.inbox, d.domain, d.attempts,
       CASE WHEN d.leased_until IS NULL THEN d.next_attempt_at ELSE d.created_at END,
       d.last_error, d.created_at
FROM deliveries d
JOIN outgoing_activities a
  ON a.activity_id = d.activity_id AND a.signer_ap_id = d.signer_ap_id AND a.body = d.body;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_due_domain_idx ON deliveries (next_attempt_at, id, domain);
CREATE INDEX deliveries_domain_idx ON deliveries (domain, next_attempt_at);
CREATE INDEX deliveries_activity_idx ON deliveries (activity);

-- The requests a delivery worker has in flight: one row per slot of its concurrency,
-- rewritten in place as the slot takes one delivery after another. A slot whose lease has
-- not run out counts against its server's cap, whichever process holds it; one that ran
-- out was left by a process that died. `worker` is drawn at random when a worker starts.
CREATE TABLE delivery_slots (
    worker BIGINT NOT NULL,
    slot INTEGER NOT NULL,
    delivery_id BIGINT,
    domain TEXT,
    leased_until TIMESTAMP,
    PRIMARY KEY (worker, slot)
);
