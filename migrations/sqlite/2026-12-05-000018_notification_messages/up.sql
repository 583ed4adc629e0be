-- A notification is kept as a message of the catalogue and its variables, so that each
-- reader sees it in their own language; `message` keeps the English text (for the API,
-- and for notifications written before).
ALTER TABLE notifications ADD COLUMN message_key TEXT;
ALTER TABLE notifications ADD COLUMN message_args TEXT;
