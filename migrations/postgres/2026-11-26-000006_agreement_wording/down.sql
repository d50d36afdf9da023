ALTER TABLE obligations DROP COLUMN text_de;
