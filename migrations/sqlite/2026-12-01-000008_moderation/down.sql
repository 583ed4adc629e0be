DROP TABLE community_domain_blocks;
DROP TABLE instance_settings;
DROP TABLE domain_policies;
DROP TABLE mod_log;
DROP TABLE bans;
DROP TABLE reports;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE comments DROP COLUMN removed;
ALTER TABLE posts DROP COLUMN removed;
