#!/usr/bin/env bash
# Change-feed catch-up benchmark: a ledger of EVENTS events (default 200 000), written by the
# service's own ledger code with a submission-sized state before and after each change, read
# through GET /api/v1/changes from 0 to the end with limit=1000, as a data warehouse catching
# up does. Prints events/s, MB/s and the service's peak RSS.
#
#   bash benches/changes/run.sh                   # PostgreSQL
#   BACKEND=sqlite bash benches/changes/run.sh    # SQLite
#   EVENTS=20000 bash benches/changes/run.sh      # a quick run
set -euo pipefail
cd "$(dirname "$0")/../.."

BACKEND=${BACKEND:-postgres}
PG=${ZV_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
DB=zv_bench_changes
FILE=$PWD/target/bench-changes.sqlite3
EVENTS=${EVENTS:-200000}
PORT=${PORT:-18082}

cargo build --release --quiet
cargo bench --quiet --bench changes --no-run 2>/dev/null
BIN=$PWD/target/release/zv-monitor
BENCH=$(ls -t target/release/deps/changes-* | grep -v '\.d$' | head -1)
case $BACKEND in
  postgres) export DATABASE_URL=$PG/$DB ;;
  sqlite) export DATABASE_URL=$FILE ;;
  *) echo "BACKEND is postgres or sqlite" >&2; exit 2 ;;
esac
export ZV_LISTEN=127.0.0.1:$PORT ZV_LOG_FORMAT=json RUST_LOG=warn
export ZV_JWT_SECRET=bench-secret-bench-secret-bench-secret-0123

drop() {
  case $BACKEND in
    postgres) psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null ;;
    sqlite) rm -f "$FILE" "$FILE-wal" "$FILE-shm" ;;
  esac
}
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; drop' EXIT
drop
[ "$BACKEND" = postgres ] && psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
$BIN migrate 2>/dev/null
"$BENCH" generate "$DATABASE_URL" "$EVENTS"

$BIN serve >/dev/null 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
TOKEN=$($BIN token --role hmsi --scope read)
read -r events seconds rate mbs <<<"$("$BENCH" follow "http://127.0.0.1:$PORT" "$TOKEN")"
rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$PID/status)
verify=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/audit-events/verify")

echo
echo "| $BACKEND | events | seconds | events/s | MB/s | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| /changes from 0, limit=1000 | $events | $seconds | $rate | $mbs | $rss MiB |"
echo
echo "ledger check after generating: $verify"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
