-- What was cleared cannot come back.
SELECT 1;
