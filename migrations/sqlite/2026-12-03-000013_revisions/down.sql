DROP TRIGGER indicators_revision_insert;
DROP TRIGGER indicators_revision_update;
DROP TRIGGER indicators_revision_delete;
DROP TABLE revisions;
