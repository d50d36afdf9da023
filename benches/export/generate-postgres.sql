-- Synthetic history for the export benchmark, straight into the tables (PostgreSQL).
-- psql -v traeger=274 -v years=22 -v indicators=200 -v bodies=7 -f generate-postgres.sql
-- Rows of facts: traeger × years × indicators × (1 + bodies); the defaults give 9.6 M.
-- Bench Träger take the free AGS codes 064xx–066xx next to the 26 real ones.
BEGIN;
INSERT INTO indicators
SELECT 'bench_' || lpad(i::text, 3, '0'), 2005, '§ 9 (1)', 'Benchmark-Kennzahl ' || i, NULL,
       'count', 'stock', 'traeger', 'stock 12-31', NULL, true, false, 1, now(), now()
FROM generate_series(1, :indicators) i;

INSERT INTO traeger
SELECT ags, 'Bench-Kreis ' || ags, 'landkreis', 'jc-b' || ags, 'Bench-Jobcenter ' || ags, 'zkt', 1, now(), now()
FROM (SELECT '06' || (4 + n / 100)::text || lpad((n % 100)::text, 2, '0') AS ags FROM generate_series(0, 299) n) codes
WHERE ags NOT IN (SELECT ags FROM traeger)
ORDER BY ags
LIMIT :traeger;

INSERT INTO agreements
SELECT 'zv-' || y || '-' || t.ags || '-1', t.ags, y, 'reporting', 'bench', 'bench', '[]', '[]', 'in_force', NULL, 1, now(), now()
FROM traeger t CROSS JOIN generate_series(2005, 2004 + :years) y
WHERE t.name LIKE 'Bench-Kreis %';

INSERT INTO obligations
SELECT a.id || '.1', a.id, 0, '§ 9 (1)', 'Bench', 'traeger', 'jobcenter hmsi', make_date(a.year + 1, 2, 15), NULL
FROM agreements a WHERE a.legal_basis = 'bench';

INSERT INTO obligation_indicators
SELECT o.id, i - 1, 'bench_' || lpad(i::text, 3, '0')
FROM obligations o CROSS JOIN generate_series(1, :indicators) i WHERE o.title_de = 'Bench';

INSERT INTO submissions
SELECT 'sub-' || o.id, o.id, o.agreement_id, a.traeger, a.year, '§ 9 (1)', o.due, 'jobcenter hmsi',
       'accepted', 1, 1, 2, now(), now()
FROM obligations o JOIN agreements a ON a.id = o.agreement_id WHERE o.title_de = 'Bench';

INSERT INTO submission_revisions
SELECT s.id, 1, 'accepted', 'bench', now(), 'bench', now(), NULL, 'bench', now(), NULL
FROM submissions s WHERE s.section = '§ 9 (1)';

INSERT INTO submission_values
SELECT s.id, 1, (i - 1) * (:bodies + 1) + b, 'bench_' || lpad(i::text, 3, '0'),
       CASE WHEN b = 0 THEN '' ELSE 'Beratungsstelle ' || b END, 'count',
       CASE WHEN b = 0 THEN :bodies * 10 ELSE 10 END, NULL, NULL
FROM submissions s CROSS JOIN generate_series(1, :indicators) i CROSS JOIN generate_series(0, :bodies) b
WHERE s.section = '§ 9 (1)'
-- A submission's values are written together, so they lie together on disk as real ones do.
ORDER BY s.id, i, b;
COMMIT;
ANALYZE;
