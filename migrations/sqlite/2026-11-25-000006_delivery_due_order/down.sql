CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at);
DROP INDEX deliveries_due_order_idx;
