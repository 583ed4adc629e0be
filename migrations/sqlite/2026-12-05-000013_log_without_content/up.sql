-- The moderation log no longer keeps what posts and comments said (a title can identify a
-- patient, and the log is public): labels of posts and comments already logged are cleared.
UPDATE mod_log SET target_label = NULL WHERE target_kind IN ('post', 'comment');
