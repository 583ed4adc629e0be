ALTER TABLE notifications DROP COLUMN message_args;
ALTER TABLE notifications DROP COLUMN message_key;
