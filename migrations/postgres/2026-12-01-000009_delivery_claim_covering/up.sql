-- A claim walks due rows in (next_attempt_at, id) order and skips those of servers already
-- at their cap. With the domain in the index, the rows it skips are judged from the index
-- alone: without it, every skipped row's whole record (the activity body too) was read.
CREATE INDEX deliveries_due_domain_idx ON deliveries (next_attempt_at, id, domain);
DROP INDEX deliveries_due_order_idx;

-- A claim reads a handful of rows at the head of the queue, many times a second. Without
-- locks in it, the planner may choose a parallel plan for a large backlog, and starting
-- workers costs more than the whole read: claims never run in parallel.
ALTER TABLE deliveries SET (parallel_workers = 0);
