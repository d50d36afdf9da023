#!/usr/bin/env bash
# Export benchmark on PostgreSQL: ~10 M fact rows of synthetic history, exported through
# GET /api/v1/exports/facts (CSV and NDJSON) against PostgreSQL's own COPY of the same rows,
# with the service's peak memory for one year (~0.4 M rows) and for everything.
#
#   bash benches/export/run.sh                 # YEARS=22 BODIES=7 by default
#   YEARS=2 bash benches/export/run.sh         # a quick run
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${ZV_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
DB=zv_bench_export
YEARS=${YEARS:-22}
BODIES=${BODIES:-7}
TRAEGER=${TRAEGER:-274}
PORT=${PORT:-18081}

cargo build --release --quiet
BIN=$PWD/target/release/zv-monitor
export DATABASE_URL=$PG/$DB ZV_LISTEN=127.0.0.1:$PORT ZV_LOG_FORMAT=json RUST_LOG=warn
export ZV_JWT_SECRET=bench-secret-bench-secret-bench-secret-0123
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null' EXIT

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
$BIN migrate 2>/dev/null
start=$(date +%s.%N)
psql "$PG/$DB" -q -v ON_ERROR_STOP=1 -v traeger="$TRAEGER" -v years="$YEARS" -v indicators=200 -v bodies="$BODIES" \
  -f benches/export/generate-postgres.sql >/dev/null
rows=$(psql "$PG/$DB" -qAtc "SELECT count(*) FROM submission_values")
echo "generated $rows value rows in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"

serve() {
  $BIN serve >/dev/null 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && return; sleep 0.1; done
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=; }
TOKEN=$($BIN token --role hmsi --scope read)

# Prints seconds to first byte, seconds in all, and the service's peak RSS in MiB.
export_once() { # query
  local timing
  timing=$(curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -w '%{time_starttransfer} %{time_total}' \
    "http://127.0.0.1:$PORT/api/v1/exports/facts?$1")
  echo "$timing $(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$PID/status)"
}

year_rows=$(psql "$PG/$DB" -qAtc "SELECT count(*) FROM submission_values v JOIN submissions s ON s.id = v.submission_id WHERE s.year = 2005")
serve; read -r f1 t1 rss1 <<<"$(export_once 'source=traeger&format=csv&year=2005')"; stop
serve; read -r fc tc rssc <<<"$(export_once 'source=traeger&format=csv')"; stop
serve; read -r fn tn rssn <<<"$(export_once 'source=traeger&format=ndjson')"; stop

copy_start=$(date +%s.%N)
psql "$PG/$DB" -qc "COPY (SELECT s.year, s.traeger, t.name, s.section, v.indicator_code, v.unit, v.reporting_body,
    v.value_int, s.id, v.revision, s.status, s.updated_at
  FROM submission_values v
  JOIN submissions s ON s.id = v.submission_id AND v.revision = s.accepted_revision
  JOIN traeger t ON t.ags = s.traeger
  ORDER BY s.id, v.position) TO STDOUT WITH CSV" >/dev/null
copy_s=$(echo "$(date +%s.%N) - $copy_start" | bc)

rate() { echo "$1 / $2" | bc; }
echo
echo "| what | rows | seconds | rows/s | first byte | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| export CSV, one year | $year_rows | $t1 | $(rate "$year_rows" "$t1") | $f1 s | $rss1 MiB |"
echo "| export CSV, all | $rows | $tc | $(rate "$rows" "$tc") | $fc s | $rssc MiB |"
echo "| export NDJSON, all | $rows | $tn | $(rate "$rows" "$tn") | $fn s | $rssn MiB |"
echo "| PostgreSQL COPY of the same rows | $rows | $(echo "$copy_s" | cut -c1-6) | $(rate "$rows" "$copy_s") | | |"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), PostgreSQL $(psql "$PG/postgres" -qAtc 'SHOW server_version')"
