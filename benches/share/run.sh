#!/usr/bin/env bash
# How close the service comes to the database's own speed, call by call, in one run.
#
#   bash benches/share/run.sh              # the calls in benches/share/calls.txt
#   bash benches/share/run.sh my-calls.txt # one call per line: METHOD PATH TOKEN [JSON BODY]
#   CONNECTIONS=32 DURATION=15s bash benches/share/run.sh
#
# For each call it captures the SQL the service sends for one request from PostgreSQL's own
# statement log, replays exactly that SQL with pgbench (one request = one pgbench transaction,
# prepared statements as the service uses them), drives the call itself with wrk at the same
# connection count, and prints the service's share of the replay's rate with its latencies.
# A read whose first request after the start sent other SQL than the next (the service keeps
# the answer, `app::kept`) gets a second ceiling: the replay of that first request's SQL. On
# PostgreSQL a kept answer sends none at all once the service has heard its revision; then
# the first request's replay is the only ceiling.
# `/health/live` is the HTTP ceiling of the same binary. Then idle memory on both databases
# and the time from start to ready on a fresh SQLite file.
#
# Needs wrk and pgbench (Debian: apt-get install wrk postgresql-client), python3, and read access
# to the server's log (ZV_BENCH_PG_LOG, default: the server's current log file, else Debian's).
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-8s}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
CALLS=${1:-benches/share/calls.txt}
DB=zv_share
BACKEND=postgres
export PGOPTIONS="-c client_min_messages=warning" # no NOTICE of a database not there to drop
source benches/common.sh

for tool in wrk pgbench python3; do
  command -v $tool >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
LOG=${ZV_BENCH_PG_LOG:-$(psql "$PG/postgres" -qAtc 'SELECT pg_current_logfile()')}
[ -n "$LOG" ] || LOG=$(ls /var/log/postgresql/postgresql-*-main.log | tail -1)
[ -r "$LOG" ] || { echo "cannot read PostgreSQL's log $LOG: set ZV_BENCH_PG_LOG" >&2; exit 1; }

WORK=$(mktemp -d)
trap '[ -z "$PID" ] || kill $PID 2>/dev/null; rm -rf "$WORK"; drop_database
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS ${DB}_before WITH (FORCE)" >/dev/null' EXIT
# The capture logs every statement of the service's connections and of the markers' only.
LOGGED="$PG/$DB?options=-c%20log_statement%3Dall"
# Nothing in the background while the capture runs: its SQL would land between the markers.
export ZV_WEBHOOK_WORKERS=0 ZV_DEADLINE_INTERVAL=24h

declare -A TOKENS=(
  [traeger]=$($BIN token --role traeger --traeger 06633 --scope read)
  [hmsi]=$($BIN token --role hmsi --scope read)
  [hmsi-write]=$($BIN token --role hmsi --scope write)
)

# call METHOD PATH TOKEN BODY: one request with curl, failing unless it answers 2xx.
call() {
  local args=(-s -o /dev/null -w '%{http_code}' -X "$1" -H "Authorization: Bearer ${TOKENS[$3]}")
  [ -z "$4" ] || args+=(-H 'Content-Type: application/json' --data-binary "$4")
  local status
  status=$(curl "${args[@]}" "http://127.0.0.1:$PORT$2")
  [[ $status == 2* ]] || { echo "$1 $2 answered $status" >&2; exit 1; }
}

mark() { psql "$LOGGED" -qAtc "SELECT '$1'" >/dev/null; }

# wrk_call METHOD PATH TOKEN BODY: prints "req/s p50 p99".
wrk_call() {
  local lua=$WORK/call.lua header=()
  printf 'wrk.method = "%s"\n' "$1" >"$lua"
  if [ -n "$4" ]; then
    printf 'wrk.body = [==[%s]==]\nwrk.headers["Content-Type"] = "application/json"\n' "$4" >>"$lua"
  fi
  [ "$3" = none ] || header=(-H "Authorization: Bearer ${TOKENS[$3]}")
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" "${header[@]}" \
    "http://127.0.0.1:$PORT$2")
  if grep -q "Non-2xx" <<<"$out"; then echo "$1 $2: wrk saw errors" >&2; echo "$out" >&2; fi
  awk '/Requests\/sec/ {r=$2} $1 == "50%" {p50=$2} $1 == "99%" {p99=$2} END {print r, p50, p99}' <<<"$out"
}

# pgbench_script FILE: prints the replay's transactions per second.
pgbench_script() {
  local out
  out=$(pgbench -n -M prepared -f "$1" -c "$CONNECTIONS" -j "$THREADS" -T "${DURATION%s}" "$PG/$DB" 2>&1) ||
    { echo "pgbench failed on $1:" >&2; echo "$out" >&2; exit 1; }
  awk '/^tps = / {print $3}' <<<"$out"
}

drop_database
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
mapfile -t LINES < <(grep -v '^\s*\(#\|$\)' "$CALLS")

# Capture. A first round of requests warms the database and the service; the database is then
# copied, so that the replay of a write starts from the state the logged write met (its rows
# would collide with the logged write's own); after the restart the reads warm the service
# again, and a second round is logged between markers.
DATABASE_URL=$LOGGED serve
for line in "${LINES[@]}"; do
  read -r method path token body <<<"$line"
  call "$method" "$path" "$token" "${body:-}"
done
stop
psql "$PG/postgres" -qc "CREATE DATABASE ${DB}_before TEMPLATE $DB" >/dev/null
DATABASE_URL=$LOGGED serve
# A read's first request after the start finds nothing kept (`app::kept`): its SQL is what the
# answer costs the database, and its replay the second ceiling the table prints.
for i in "${!LINES[@]}"; do
  read -r method path token body <<<"${LINES[$i]}"
  [ "$method" = GET ] || continue
  mark "zv-share-first-$i-$$"
  call "$method" "$path" "$token" ""
  mark "zv-share-warm-$i-$$"
done
for i in "${!LINES[@]}"; do
  read -r method path token body <<<"${LINES[$i]}"
  mark "zv-share-begin-$i-$$"
  call "$method" "$path" "$token" "${body:-}"
  mark "zv-share-end-$i-$$"
done
stop
psql "$PG/postgres" -qc "DROP DATABASE $DB" -c "ALTER DATABASE ${DB}_before RENAME TO $DB" >/dev/null
sleep 0.2 # the server writes its log asynchronously to the service's exit

echo "## Share of the database's own speed ($(machine), $CONNECTIONS connections, $DURATION each, $(date -u +%F))"
echo
echo '| call | statements | pgbench tps | service req/s | share | p50 | p99 | first request: statements, tps, share |'
echo '| --- | --- | --- | --- | --- | --- | --- | --- |'
serve
for i in "${!LINES[@]}"; do
  read -r method path token body <<<"${LINES[$i]}"
  write=()
  [ "$method" = GET ] || write=(--write)
  n=$(python3 benches/share/replay.py "$LOG" "zv-share-begin-$i-$$" "zv-share-end-$i-$$" "$DB" \
    "${write[@]}" 2>&1 >"$WORK/$i.sql")
  # The replay first: a write's replay must meet the state its logged SQL met, before wrk
  # writes more. A kept answer whose revision the service has heard sends no SQL at all: no
  # replay then, and the first request's ceiling is the one to compare with.
  tps=
  [ "$n" -eq 0 ] || tps=$(pgbench_script "$WORK/$i.sql")
  read -r rps p50 p99 <<<"$(wrk_call "$method" "$path" "$token" "${body:-}")"
  share=—
  if [ -n "$tps" ]; then
    share=$(awk -v r="$rps" -v t="$tps" 'BEGIN {printf "%.0f %%", 100 * r / t}')
    tps=$(printf '%.0f' "$tps")
  fi
  first=same
  if [ "$method" = GET ]; then
    n1=$(python3 benches/share/replay.py "$LOG" "zv-share-first-$i-$$" "zv-share-warm-$i-$$" "$DB" \
      2>&1 >"$WORK/$i-first.sql")
    if ! cmp -s "$WORK/$i.sql" "$WORK/$i-first.sql"; then
      tps1=$(pgbench_script "$WORK/$i-first.sql")
      first=$(awk -v n="$n1" -v r="$rps" -v t="$tps1" 'BEGIN {printf "%d, %.0f, %.0f %%", n, t, 100 * r / t}')
    fi
  fi
  printf '| `%s %s` (%s) | %s | %s | %.0f | %s | %s | %s | %s |\n' \
    "$method" "$path" "$token" "$n" "${tps:-—}" "$rps" "$share" "$p50" "$p99" "$first"
  [ -z "${KEEP_SQL:-}" ] || cp "$WORK/$i.sql" "$KEEP_SQL-$i.sql"
  [ -z "${KEEP_SQL:-}" ] || [ ! -e "$WORK/$i-first.sql" ] || cp "$WORK/$i-first.sql" "$KEEP_SQL-$i-first.sql"
done
read -r rps p50 p99 <<<"$(wrk_call GET /health/live none '')"
printf '| `GET /health/live` | 0 | | %.0f | | %s | %s | |\n' "$rps" "$p50" "$p99"
stop

# Idle memory: resident set one second after ready, nothing asked.
echo
drop_database
psql "$PG/postgres" -qc "CREATE DATABASE $DB" >/dev/null
serve
sleep 1
echo "- idle RSS on PostgreSQL: $(rss) MiB"
stop
export DATABASE_URL=$WORK/fresh.sqlite3
start=$(date +%s%N)
serve
echo "- start to ready on a fresh SQLite file: $((($(date +%s%N) - start) / 1000000)) ms"
sleep 1
echo "- idle RSS on SQLite: $(rss) MiB"
stop
