DROP TABLE submission_receipts;
DROP TABLE submission_values;
DROP TABLE submission_revisions;
DROP TABLE submissions;
