DROP TABLE peer_software;
