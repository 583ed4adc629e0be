-- Claims read due rows in (next_attempt_at, id) order; with id in the index the order
-- comes straight from it, with no sort of every due row when a large backlog is waiting.
CREATE INDEX deliveries_due_order_idx ON deliveries (next_attempt_at, id);
DROP INDEX deliveries_due_idx;
