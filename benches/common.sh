# Shared by export/run.sh and changes/run.sh; sourced from the repository root after BACKEND,
# DB (PostgreSQL database name), FILE (SQLite file) and PORT are set.
PG=${ZV_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}

cargo build --release --quiet
BIN=$PWD/target/release/zv-monitor
case $BACKEND in
  postgres) export DATABASE_URL=$PG/$DB ;;
  sqlite) export DATABASE_URL=$FILE ;;
  *) echo "BACKEND is postgres or sqlite" >&2; exit 2 ;;
esac
export ZV_LISTEN=127.0.0.1:$PORT ZV_LOG_FORMAT=json RUST_LOG=warn
export ZV_JWT_SECRET=bench-secret-bench-secret-bench-secret-0123
# The load comes from one token and one address: the limits would measure themselves.
export ZV_RATE_LIMIT_PER_TOKEN=off ZV_RATE_LIMIT_PER_ADDRESS=off ZV_EXPORTS_PER_TOKEN=0
PID=

# Removes the bench database; creating it is the caller's (SQLite: `migrate` does).
drop_database() {
  case $BACKEND in
    postgres) psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null ;;
    sqlite) rm -f "$FILE" "$FILE-wal" "$FILE-shm" ;;
  esac
}

# Starts the release build in the background and waits until it is ready (up to about 10 s;
# it looks every 5 ms, so share/run.sh can time the start with it).
serve() {
  $BIN serve >/dev/null 2>&1 &
  PID=$!
  for _ in $(seq 1 2000); do curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null && return; sleep 0.005; done
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=; }

# The running service's peak resident memory in MiB.
peak_rss() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$PID/status; }
# Its resident memory in MiB now.
rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$PID/status; }

machine() { echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"; }
