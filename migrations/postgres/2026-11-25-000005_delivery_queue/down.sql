DROP TABLE instances;
DROP INDEX deliveries_domain_idx;
DROP INDEX deliveries_leased_until_idx;
ALTER TABLE deliveries DROP COLUMN leased_until;
