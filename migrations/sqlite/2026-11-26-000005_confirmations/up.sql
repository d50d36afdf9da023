-- § 5 (1): a duty without figures is met by a confirmation in words, revised and reviewed like figures.
ALTER TABLE submission_revisions ADD COLUMN confirmation TEXT;
