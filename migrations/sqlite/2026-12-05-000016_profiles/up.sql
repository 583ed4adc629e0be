-- What a person says of themselves: the name shown instead of the username, and a short
-- biography in Markdown. Both are optional; a person who never sets them is shown by
-- username, as before.
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN bio TEXT;
-- The language the person chose for the interface (and, later, their mail); NULL follows
-- their browser.
ALTER TABLE users ADD COLUMN language TEXT;
-- What another server's person or community says of itself (its bio, or a community's
-- description and rules), sanitized HTML, shown on its page here.
ALTER TABLE remote_actors ADD COLUMN summary TEXT;
