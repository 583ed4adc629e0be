-- Claims read due rows in (next_attempt_at, id) order; with id in the index the order
-- comes straight from it, with no sort of every due row when a large backlog is waiting.
CREATE INDEX deliveries_due_order_idx ON deliveries (next_attempt_at, id);
DROP INDEX deliveries_due_idx;

-- Every delivery is updated when leased and deleted when done, so the table turns over
-- quickly; vacuum it after 2 % of it has changed rather than the default 20 %, or a large
-- fan-out leaves claims scanning past dead rows.
ALTER TABLE deliveries SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
