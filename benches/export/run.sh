#!/usr/bin/env bash
# Export benchmark: ~10 M fact rows of synthetic history, exported through
# GET /api/v1/exports/facts (CSV, NDJSON, and a year as XLSX) against the database's own dump of the same rows
# (PostgreSQL: COPY … TO STDOUT; SQLite: the sqlite3 shell's CSV mode), with the service's
# peak memory for one year (~0.4 M rows) and for everything.
#
#   bash benches/export/run.sh                 # PostgreSQL, YEARS=22 BODIES=7 by default
#   BACKEND=sqlite bash benches/export/run.sh  # the same on SQLite (needs the sqlite3 shell)
#   YEARS=2 bash benches/export/run.sh         # a quick run
#   REUSE=1 bash benches/export/run.sh         # keep the database and use it again next time
set -euo pipefail
cd "$(dirname "$0")/../.."

BACKEND=${BACKEND:-postgres}
DB=zv_bench_export
FILE=${ZV_BENCH_SQLITE:-$PWD/target/bench-export.sqlite3}
YEARS=${YEARS:-22}
BODIES=${BODIES:-7}
TRAEGER=${TRAEGER:-274}
PORT=${PORT:-18081}
source benches/common.sh

sql() { # one statement, its result unaligned
  case $BACKEND in
    postgres) psql "$PG/$DB" -qAtc "$1" ;;
    sqlite) sqlite3 "$FILE" "$1" ;;
  esac
}
generate() {
  case $BACKEND in
    postgres)
      psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
      $BIN migrate 2>/dev/null
      psql "$PG/$DB" -q -v ON_ERROR_STOP=1 -v traeger="$TRAEGER" -v years="$YEARS" -v indicators=200 \
        -v bodies="$BODIES" -f benches/export/generate-postgres.sql >/dev/null ;;
    sqlite)
      $BIN migrate 2>/dev/null
      sqlite3 -bail "$FILE" ".parameter set :traeger $TRAEGER" ".parameter set :years $YEARS" \
        ".parameter set :indicators 200" ".parameter set :bodies $BODIES" \
        ".read benches/export/generate-sqlite.sql" >/dev/null ;;
  esac
}

trap '[ -n "$PID" ] && kill $PID 2>/dev/null; [ -n "${REUSE:-}" ] || drop_database' EXIT
if [ -n "${REUSE:-}" ] && [ "$(sql "SELECT count(*) > 0 FROM submission_values" 2>/dev/null)" = "$([ "$BACKEND" = postgres ] && echo t || echo 1)" ]; then
  echo "reusing the $BACKEND database"
else
  drop_database
  start=$(date +%s.%N)
  generate
  echo "generated in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"
fi
rows=$(sql "SELECT count(*) FROM submission_values")

TOKEN=$($BIN token --role hmsi --scope read)

# Prints seconds to first byte, seconds in all, the service's peak RSS in MiB, and its peak
# before the export (start-up and the first run of the deadline job).
export_once() { # query
  local timing before
  sleep 1; before=$(peak_rss)
  timing=$(curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -w '%{time_starttransfer} %{time_total}' \
    "http://127.0.0.1:$PORT/api/v1/exports/facts?$1")
  echo "$timing $(peak_rss) $before"
}

year_rows=$(sql "SELECT count(*) FROM submission_values v JOIN submissions s ON s.id = v.submission_id WHERE s.year = 2005")
serve; read -r f1 t1 rss1 idle1 <<<"$(export_once 'source=traeger&format=csv&year=2005')"; stop
# A workbook is written whole (to a temporary file) before its first byte goes out.
serve; read -r fx tx rssx idlex <<<"$(export_once 'source=traeger&format=xlsx&year=2005')"; stop
serve; read -r fc tc rssc idlec <<<"$(export_once 'source=traeger&format=csv')"; stop
serve; read -r fn tn rssn idlen <<<"$(export_once 'source=traeger&format=ndjson')"; stop

same_rows="SELECT s.year, s.traeger, t.name, s.section, v.indicator_code, v.unit, v.reporting_body,
    v.value_int, s.id, v.revision, s.status, s.updated_at
  FROM submission_values v
  JOIN submissions s ON s.id = v.submission_id AND v.revision = s.accepted_revision
  JOIN traeger t ON t.ags = s.traeger
  ORDER BY s.id, v.position"
dump_start=$(date +%s.%N)
case $BACKEND in
  postgres) psql "$PG/$DB" -qc "COPY ($same_rows) TO STDOUT WITH CSV" >/dev/null; dump="PostgreSQL COPY" ;;
  sqlite) sqlite3 -csv "$FILE" "$same_rows" >/dev/null; dump="sqlite3 -csv" ;;
esac
dump_s=$(echo "$(date +%s.%N) - $dump_start" | bc)

rate() { echo "$1 / $2" | bc; }
ms() { echo "$1 * 1000 / 1" | bc; }
echo
echo "| $BACKEND | rows | seconds | rows/s | first byte | peak RSS (before) |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| export CSV, one year | $year_rows | $(echo "$t1" | cut -c1-5) | $(rate "$year_rows" "$t1") | $(ms "$f1") ms | $rss1 MiB ($idle1) |"
echo "| export XLSX, one year | $year_rows | $(echo "$tx" | cut -c1-5) | $(rate "$year_rows" "$tx") | $(ms "$fx") ms | $rssx MiB ($idlex) |"
echo "| export CSV, all | $rows | $(echo "$tc" | cut -c1-5) | $(rate "$rows" "$tc") | $(ms "$fc") ms | $rssc MiB ($idlec) |"
echo "| export NDJSON, all | $rows | $(echo "$tn" | cut -c1-5) | $(rate "$rows" "$tn") | $(ms "$fn") ms | $rssn MiB ($idlen) |"
echo "| $dump of the same rows | $rows | $(echo "$dump_s" | cut -c1-5) | $(rate "$rows" "$dump_s") | | |"
echo
echo "machine: $(machine), $(
  case $BACKEND in postgres) echo "PostgreSQL $(psql "$PG/postgres" -qAtc 'SHOW server_version')" ;;
                   sqlite) echo "SQLite $(sqlite3 --version | cut -d' ' -f1) (shell), bundled in the service" ;; esac)"
