ALTER TABLE submission_revisions DROP COLUMN confirmation;
