DROP TABLE blocklist_imports;
