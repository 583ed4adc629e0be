DROP TABLE delivery_slots;
ALTER TABLE deliveries
    ADD COLUMN activity_id TEXT,
    ADD COLUMN signer_ap_id TEXT,
    ADD COLUMN body TEXT,
    ADD COLUMN leased_until TIMESTAMP;
UPDATE deliveries d SET activity_id = a.activity_id, signer_ap_id = a.signer_ap_id, body = a.body
FROM outgoing_activities a WHERE a.id = d.activity;
ALTER TABLE deliveries
    ALTER COLUMN activity_id SET NOT NULL,
    ALTER COLUMN signer_ap_id SET NOT NULL,
    ALTER COLUMN body SET NOT NULL,
    DROP COLUMN activity;
CREATE INDEX deliveries_leased_until_idx ON deliveries (leased_until);
DROP TABLE outgoing_activities;
