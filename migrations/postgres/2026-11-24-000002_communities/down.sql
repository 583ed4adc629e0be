DROP TABLE instance_keys;
DROP TABLE community_moderators;
DROP TABLE communities;
ALTER TABLE users DROP COLUMN private_key_pem;
ALTER TABLE users DROP COLUMN public_key_pem;
DROP TABLE local_names;
