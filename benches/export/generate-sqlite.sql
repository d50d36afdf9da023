-- Synthetic history for the export benchmark, straight into the tables (SQLite); the same
-- rows as generate-postgres.sql. Parameters as sqlite3's `.parameter set :traeger 274` etc.
-- Rows of facts: traeger × years × indicators × (1 + bodies).
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :indicators)
INSERT INTO indicators
SELECT 'bench_' || printf('%03d', i), 2005, '§ 9 (1)', 'Benchmark-Kennzahl ' || i, NULL,
       'count', 'stock', 'traeger', 'stock 12-31', NULL, 1, 0, 1, datetime('now'), datetime('now')
FROM n;

-- Bench Träger take the free AGS codes 064xx–066xx next to the 26 real ones.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
INSERT INTO traeger
SELECT ags, 'Bench-Kreis ' || ags, 'landkreis', 'jc-b' || ags, 'Bench-Jobcenter ' || ags, 'zkt', 1,
       datetime('now'), datetime('now')
FROM (SELECT '06' || (4 + i / 100) || printf('%02d', i % 100) AS ags FROM n)
WHERE ags NOT IN (SELECT ags FROM traeger)
ORDER BY ags
LIMIT :traeger;

WITH RECURSIVE y(year) AS (SELECT 2005 UNION ALL SELECT year + 1 FROM y WHERE year < 2004 + :years)
INSERT INTO agreements
SELECT 'zv-' || y.year || '-' || t.ags || '-1', t.ags, y.year, 'reporting', 'bench', 'bench', '[]', '[]',
       'in_force', NULL, 1, datetime('now'), datetime('now')
FROM traeger t CROSS JOIN y
WHERE t.name LIKE 'Bench-Kreis %';

INSERT INTO obligations
SELECT a.id || '.1', a.id, 0, '§ 9 (1)', 'Bench', 'traeger', 'jobcenter hmsi', (a.year + 1) || '-02-15', NULL
FROM agreements a WHERE a.legal_basis = 'bench';

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :indicators)
INSERT INTO obligation_indicators
SELECT o.id, i - 1, 'bench_' || printf('%03d', i)
FROM obligations o CROSS JOIN n WHERE o.title_de = 'Bench';

INSERT INTO submissions
SELECT 'sub-' || o.id, o.id, o.agreement_id, a.traeger, a.year, '§ 9 (1)', o.due, 'jobcenter hmsi',
       'accepted', 1, 1, 2, datetime('now'), datetime('now')
FROM obligations o JOIN agreements a ON a.id = o.agreement_id WHERE o.title_de = 'Bench';

INSERT INTO submission_revisions
SELECT s.id, 1, 'accepted', 'bench', datetime('now'), 'bench', datetime('now'), NULL, 'bench',
       datetime('now'), NULL
FROM submissions s WHERE s.section = '§ 9 (1)';

WITH RECURSIVE i(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM i WHERE i < :indicators),
     b(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM b WHERE b < :bodies)
INSERT INTO submission_values
SELECT s.id, 1, (i - 1) * (:bodies + 1) + b, 'bench_' || printf('%03d', i),
       CASE WHEN b = 0 THEN '' ELSE 'Beratungsstelle ' || b END, 'count',
       CASE WHEN b = 0 THEN :bodies * 10 ELSE 10 END, NULL, NULL
FROM submissions s CROSS JOIN i CROSS JOIN b
WHERE s.section = '§ 9 (1)'
-- A submission's values are written together, so they lie together on disk as real ones do.
ORDER BY s.id, i, b;
COMMIT;
ANALYZE;
