DROP TRIGGER indicators_revision ON indicators;
DROP FUNCTION raise_revision();
DROP TABLE revisions;
