DROP TABLE sent_activities;
DROP TABLE votes;
DROP TABLE comments;
DROP TABLE posts;
