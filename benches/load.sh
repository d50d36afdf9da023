#!/usr/bin/env bash
# Read load on the release build, on SQLite and on PostgreSQL: requests per second and latency
# of the calls Jobcenter IT and HMSI make most, and the service's peak memory.
#
#   bash benches/load.sh            # needs wrk (Debian: apt-get install wrk)
#   DURATION=30s CONNECTIONS=64 bash benches/load.sh
#
# PostgreSQL is used at $ZV_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432) when
# reachable; a database zv_bench is created and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PG=${ZV_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-18080}

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/zv-monitor
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

export ZV_JWT_SECRET=bench-secret-bench-secret-bench-secret-0123
# The load comes from one token and one address: the limits would measure themselves.
export ZV_RATE_LIMIT_PER_TOKEN=off ZV_RATE_LIMIT_PER_ADDRESS=off ZV_EXPORTS_PER_TOKEN=0
export ZV_LISTEN=127.0.0.1:$PORT ZV_LOG_FORMAT=json RUST_LOG=warn

run() { # backend database_url
  local backend=$1
  export DATABASE_URL=$2
  $BIN serve >"$WORK/$backend.out" 2>"$WORK/$backend.err" &
  PID=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
    sleep 0.1
  done
  local hmsi traeger
  hmsi=$($BIN token --role hmsi --scope read)
  traeger=$($BIN token --role traeger --traeger 06633 --scope read)
  echo "## $backend ($(nproc) cores, $CONNECTIONS connections, $DURATION each)"
  printf '| call | token | requests/s | p50 | p99 |\n| --- | --- | --- | --- | --- |\n'
  for call in \
    "/health/live|none" \
    "/api/v1/traeger/06633|$traeger" \
    "/api/v1/agreements/zv-2023-06633-1|$traeger" \
    "/api/v1/indicators?year=2023|$traeger" \
    "/api/v1/obligations?limit=1000|$hmsi"; do
    local path=${call%%|*} token=${call#*|} header=()
    [ "$token" = none ] || header=(-H "Authorization: Bearer $token")
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${header[@]}" "http://127.0.0.1:$PORT$path")
    local rps p50 p99 who
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    who=$([ "$token" = none ] && echo none || ([ "$token" = "$hmsi" ] && echo hmsi || echo traeger))
    if grep -q "Non-2xx" <<<"$out"; then rps="$rps (errors!)"; fi
    echo "| \`GET $path\` | $who | $rps | $p50 | $p99 |"
  done
  echo
  echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status)"
  echo
  kill $PID; wait $PID 2>/dev/null || true
}

run sqlite "$WORK/bench.sqlite3"
if psql "$PG/postgres" -qAtc 'select 1' >/dev/null 2>&1; then
  psql "$PG/postgres" -qc 'DROP DATABASE IF EXISTS zv_bench WITH (FORCE)' -c 'CREATE DATABASE zv_bench' >/dev/null
  run postgresql "$PG/zv_bench"
  psql "$PG/postgres" -qc 'DROP DATABASE zv_bench WITH (FORCE)' >/dev/null
else
  echo "PostgreSQL at $PG not reachable: skipped"
fi
