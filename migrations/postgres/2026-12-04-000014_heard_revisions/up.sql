-- The registry, the agreements, the submissions and the BA transmissions get a revision too
-- (the obligations' overview is read from all of them), and every raised revision is told on the
-- channel `zv_revisions` as `subject:revision` when its transaction commits. A replica that
-- listens (store::listen) then knows the database's revisions without asking, and answers what
-- it kept of them without a statement; one that has lost its ear asks, as before.
INSERT INTO revisions (subject, revision)
VALUES ('traeger', 1), ('agreements', 1), ('submissions', 1), ('transmissions', 1);

-- The subject is the trigger's argument, else its table: an aggregate has several tables.
CREATE OR REPLACE FUNCTION raise_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named TEXT := COALESCE(TG_ARGV[0], TG_TABLE_NAME);
    raised BIGINT;
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = named
        RETURNING revision INTO raised;
    PERFORM pg_notify('zv_revisions', named || ':' || raised);
    RETURN NULL;
END
$$;

CREATE TRIGGER traeger_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON traeger
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision();
CREATE TRIGGER agreements_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agreements
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision();
CREATE TRIGGER obligations_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligations
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('agreements');
CREATE TRIGGER obligation_indicators_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligation_indicators
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('agreements');
CREATE TRIGGER signatures_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON signatures
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('agreements');
CREATE TRIGGER submissions_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON submissions
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision();
CREATE TRIGGER submission_revisions_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON submission_revisions
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('submissions');
CREATE TRIGGER submission_values_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON submission_values
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('submissions');
CREATE TRIGGER submission_receipts_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON submission_receipts
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('submissions');
CREATE TRIGGER transmissions_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transmissions
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision();
CREATE TRIGGER transmission_indicators_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transmission_indicators
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('transmissions');
CREATE TRIGGER transmission_versions_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transmission_versions
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('transmissions');
CREATE TRIGGER transmission_rows_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transmission_rows
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('transmissions');
CREATE TRIGGER transmission_acknowledgements_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transmission_acknowledgements
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('transmissions');
