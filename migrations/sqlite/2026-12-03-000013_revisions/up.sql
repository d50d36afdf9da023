-- A number per table that grows with every write to it, by whomever: this service, another
-- process on the file, a migration, an operator's SQL. The service may keep what it read of
-- such a table as long as the number it read with it is still the database's; see `app::kept`.
CREATE TABLE revisions (
    subject  TEXT NOT NULL PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO revisions (subject, revision) VALUES ('indicators', 1);

CREATE TRIGGER indicators_revision_insert AFTER INSERT ON indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'indicators';
END;
CREATE TRIGGER indicators_revision_update AFTER UPDATE ON indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'indicators';
END;
CREATE TRIGGER indicators_revision_delete AFTER DELETE ON indicators
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = 'indicators';
END;
