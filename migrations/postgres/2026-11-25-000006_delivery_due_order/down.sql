CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at);
DROP INDEX deliveries_due_order_idx;
ALTER TABLE deliveries RESET (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor);
