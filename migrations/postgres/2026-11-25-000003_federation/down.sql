DROP TABLE deliveries;
DROP TABLE follows;
DROP TABLE received_activities;
DROP TABLE remote_actors;
