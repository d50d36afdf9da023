-- The paragraph as the agreement words it, so the agreement reads (and prints) whole.
ALTER TABLE obligations ADD COLUMN text_de TEXT;
