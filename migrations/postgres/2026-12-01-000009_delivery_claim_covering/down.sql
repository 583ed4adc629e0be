ALTER TABLE deliveries RESET (parallel_workers);
CREATE INDEX deliveries_due_order_idx ON deliveries (next_attempt_at, id);
DROP INDEX deliveries_due_domain_idx;
