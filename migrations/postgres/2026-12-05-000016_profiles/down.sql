ALTER TABLE remote_actors DROP COLUMN summary;
ALTER TABLE users DROP COLUMN language;
ALTER TABLE users DROP COLUMN bio;
ALTER TABLE users DROP COLUMN display_name;
