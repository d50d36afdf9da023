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
DB=zv_bench_changes
FILE=$PWD/target/bench-changes.sqlite3
EVENTS=${EVENTS:-200000}
PORT=${PORT:-18082}
source benches/common.sh
cargo bench --quiet --bench changes --no-run 2>/dev/null
BENCH=$(ls -t target/release/deps/changes-* | grep -v '\.d$' | head -1)

trap '[ -n "$PID" ] && kill $PID 2>/dev/null; drop_database' EXIT
drop_database
[ "$BACKEND" = postgres ] && psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
$BIN migrate 2>/dev/null
"$BENCH" generate "$DATABASE_URL" "$EVENTS"

serve
TOKEN=$($BIN token --role hmsi --scope read)
read -r events seconds rate mbs <<<"$("$BENCH" follow "http://127.0.0.1:$PORT" "$TOKEN")"
rss=$(peak_rss)
verify=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/audit-events/verify")

echo
echo "| $BACKEND | events | seconds | events/s | MB/s | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| /changes from 0, limit=1000 | $events | $seconds | $rate | $mbs | $rss MiB |"
echo
echo "ledger check after generating: $verify"
echo "machine: $(machine)"
