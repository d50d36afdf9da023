-- The registry, the agreements, the submissions and the BA transmissions get a revision too,
-- as the catalogue has. SQLite has no one to tell: the service reads the revisions with every
-- use of what it kept (app::kept).
INSERT INTO revisions (subject, revision)
VALUES ('traeger', 1), ('agreements', 1), ('submissions', 1), ('transmissions', 1);
CREATE TRIGGER traeger_revision_insert AFTER INSERT ON traeger
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'traeger';
END;
CREATE TRIGGER traeger_revision_update AFTER UPDATE ON traeger
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'traeger';
END;
CREATE TRIGGER traeger_revision_delete AFTER DELETE ON traeger
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'traeger';
END;
CREATE TRIGGER agreements_revision_insert AFTER INSERT ON agreements
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER agreements_revision_update AFTER UPDATE ON agreements
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER agreements_revision_delete AFTER DELETE ON agreements
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER obligations_revision_insert AFTER INSERT ON obligations
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER obligations_revision_update AFTER UPDATE ON obligations
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER obligations_revision_delete AFTER DELETE ON obligations
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER obligation_indicators_revision_insert AFTER INSERT ON obligation_indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER obligation_indicators_revision_update AFTER UPDATE ON obligation_indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER obligation_indicators_revision_delete AFTER DELETE ON obligation_indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER signatures_revision_insert AFTER INSERT ON signatures
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER signatures_revision_update AFTER UPDATE ON signatures
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER signatures_revision_delete AFTER DELETE ON signatures
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'agreements';
END;
CREATE TRIGGER submissions_revision_insert AFTER INSERT ON submissions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submissions_revision_update AFTER UPDATE ON submissions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submissions_revision_delete AFTER DELETE ON submissions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_revisions_revision_insert AFTER INSERT ON submission_revisions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_revisions_revision_update AFTER UPDATE ON submission_revisions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_revisions_revision_delete AFTER DELETE ON submission_revisions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_values_revision_insert AFTER INSERT ON submission_values
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_values_revision_update AFTER UPDATE ON submission_values
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_values_revision_delete AFTER DELETE ON submission_values
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_receipts_revision_insert AFTER INSERT ON submission_receipts
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_receipts_revision_update AFTER UPDATE ON submission_receipts
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER submission_receipts_revision_delete AFTER DELETE ON submission_receipts
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'submissions';
END;
CREATE TRIGGER transmissions_revision_insert AFTER INSERT ON transmissions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmissions_revision_update AFTER UPDATE ON transmissions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmissions_revision_delete AFTER DELETE ON transmissions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_indicators_revision_insert AFTER INSERT ON transmission_indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_indicators_revision_update AFTER UPDATE ON transmission_indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_indicators_revision_delete AFTER DELETE ON transmission_indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_versions_revision_insert AFTER INSERT ON transmission_versions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_versions_revision_update AFTER UPDATE ON transmission_versions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_versions_revision_delete AFTER DELETE ON transmission_versions
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_rows_revision_insert AFTER INSERT ON transmission_rows
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_rows_revision_update AFTER UPDATE ON transmission_rows
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_rows_revision_delete AFTER DELETE ON transmission_rows
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_acknowledgements_revision_insert AFTER INSERT ON transmission_acknowledgements
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_acknowledgements_revision_update AFTER UPDATE ON transmission_acknowledgements
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
CREATE TRIGGER transmission_acknowledgements_revision_delete AFTER DELETE ON transmission_acknowledgements
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'transmissions';
END;
