DROP TRIGGER traeger_revision ON traeger;
DROP TRIGGER agreements_revision ON agreements;
DROP TRIGGER obligations_revision ON obligations;
DROP TRIGGER obligation_indicators_revision ON obligation_indicators;
DROP TRIGGER signatures_revision ON signatures;
DROP TRIGGER submissions_revision ON submissions;
DROP TRIGGER submission_revisions_revision ON submission_revisions;
DROP TRIGGER submission_values_revision ON submission_values;
DROP TRIGGER submission_receipts_revision ON submission_receipts;
DROP TRIGGER transmissions_revision ON transmissions;
DROP TRIGGER transmission_indicators_revision ON transmission_indicators;
DROP TRIGGER transmission_versions_revision ON transmission_versions;
DROP TRIGGER transmission_rows_revision ON transmission_rows;
DROP TRIGGER transmission_acknowledgements_revision ON transmission_acknowledgements;
DELETE FROM revisions WHERE subject IN ('traeger', 'agreements', 'submissions', 'transmissions');
CREATE OR REPLACE FUNCTION raise_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = TG_TABLE_NAME;
    RETURN NULL;
END
$$;
