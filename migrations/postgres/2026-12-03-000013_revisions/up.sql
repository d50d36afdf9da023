-- A number per table that grows with every write to it, by whomever: this service, another
-- replica, a migration, an operator's SQL. A replica may keep what it read of such a table as
-- long as the number it read with it is still the database's (one short read per use instead
-- of the whole table); see `app::kept`.
CREATE TABLE revisions (
    subject  TEXT NOT NULL PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO revisions (subject, revision) VALUES ('indicators', 1);

CREATE FUNCTION raise_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET revision = revision + 1 WHERE subject = TG_TABLE_NAME;
    RETURN NULL;
END
$$;

-- Per statement: a write of many rows raises the number once, and TRUNCATE counts too.
CREATE TRIGGER indicators_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators
FOR EACH STATEMENT EXECUTE FUNCTION raise_revision();
