DROP TABLE followed_notes;
