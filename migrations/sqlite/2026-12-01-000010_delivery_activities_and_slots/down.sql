DROP TABLE delivery_slots;
CREATE TABLE deliveries_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id TEXT NOT NULL,
    signer_ap_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    domain TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    leased_until TIMESTAMP
);
INSERT INTO deliveries_old (id, activity_id, signer_ap_id, inbox, domain, body, attempts, next_attempt_at, last_error, created_at)
SELECT d.id, a.activity_id, a.signer_ap_id, d.inbox, d.domain, a.body, d.attempts, d.next_attempt_at, d.last_error, d.created_at
FROM deliveries d JOIN outgoing_activities a ON a.id = d.activity;
DROP TABLE deliveries;
ALTER TABLE deliveries_old RENAME TO deliveries;
CREATE INDEX deliveries_due_domain_idx ON deliveries (next_attempt_at, id, domain);
CREATE INDEX deliveries_domain_idx ON deliveries (domain, next_attempt_at);
CREATE INDEX deliveries_leased_until_idx ON deliveries (leased_until);
DROP TABLE outgoing_activities;
