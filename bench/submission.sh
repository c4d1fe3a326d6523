#!/usr/bin/env bash
# Submission benchmark (SPEC §11): builds the release binary, starts `aduan serve` on a fresh data folder and
# measures, in the same run, the framework ceiling, a raw durable-insert ceiling, submission throughput and
# latency, p99 at a fixed 100 req/s, RSS and start-up time. It reports; it does not assert. Needs wrk, sqlite3, python3.
#
# usage: bench/submission.sh            (env: DURATION=20 RATE=100 CONNECTIONS=32 THREADS=2 RAW_N=2000 SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
RATE=${RATE:-100}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
RAW_N=${RAW_N:-2000}

for tool in wrk sqlite3 python3 curl; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
if [[ -z "${SKIP_BUILD:-}" ]]; then swift build -c release --product aduan >&2; fi
BIN=${BIN:-$(swift build -c release --product aduan --show-bin-path)/aduan}

DATA=$(mktemp -d /tmp/aduan-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
PID=""
cleanup() { if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi; rm -rf "$DATA"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }
kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status"; }
mb() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }

# Starts the server, returns once /healthz answers; sets PID and START_MS.
start_server() {
  local t0; t0=$(now_ms)
  ADUAN_DATA_DIR="$DATA" ADUAN_SUBMIT_RATE_LIMIT=0 ADUAN_BASE_URL="$URL" \
    "$BIN" serve --hostname 127.0.0.1 --port "$PORT" >>"$DATA/server.log" 2>&1 &
  PID=$!
  until curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null; do
    kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$DATA/server.log" >&2; exit 1; }
    sleep 0.01
  done
  START_MS=$(( $(now_ms) - t0 ))
}
stop_server() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

echo "== machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo), $(uname -sr)"
echo "== binary: $BIN, data: $DATA, port: $PORT"

start_server; FIRST_START_MS=$START_MS     # fresh folder: creates the schema, seeds reference data, first sysadmin
stop_server
start_server; WARM_START_MS=$START_MS      # the normal case: an existing installation
sleep 2
IDLE_RSS_KB=$(kb "$PID" VmRSS); IDLE_HWM_KB=$(kb "$PID" VmHWM)
echo "start-up: first run ${FIRST_START_MS} ms, restart ${WARM_START_MS} ms; idle RSS $(mb "$IDLE_RSS_KB") MB (peak so far $(mb "$IDLE_HWM_KB") MB)"

wrk_rps() { awk '/^Requests\/sec:/ {print $2}'; }
wrk_pct() { awk -v p="$1" '$1==p {print $2}'; }
to_ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/, "", v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v*=1000 } printf "%.2f", v }'; }

echo; echo "== (a) framework ceiling: GET /api/v1/jurisdictions (cached reference data, no database)"
curl -fsS -o /dev/null "$URL/api/v1/jurisdictions"
CEIL_OUT=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d10s --latency "$URL/api/v1/jurisdictions")
echo "$CEIL_OUT"
CEIL_RPS=$(echo "$CEIL_OUT" | wrk_rps)

echo; echo "== (b) raw insert ceiling: sqlite3, one durable transaction per row (WAL, synchronous=FULL), $RAW_N rows"
RAW_DB="$DATA/raw.sqlite"
raw_schema="PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
CREATE TABLE c (id INTEGER PRIMARY KEY, tracking_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, channel TEXT NOT NULL,
  state TEXT NOT NULL, jurisdiction_code TEXT NOT NULL, category_code TEXT, title TEXT NOT NULL, body TEXT NOT NULL,
  address TEXT, lat REAL, lng REAL, language TEXT NOT NULL, secret_hash TEXT NOT NULL, pin_hash TEXT NOT NULL,
  submitted_at REAL NOT NULL, updated_at REAL NOT NULL, verification_due REAL, event_count INTEGER NOT NULL, head_hash TEXT NOT NULL);
CREATE INDEX c_queue ON c (jurisdiction_code, state, submitted_at);
CREATE TABLE e (id INTEGER PRIMARY KEY, complaint_id INTEGER NOT NULL, seq INTEGER NOT NULL, at REAL NOT NULL, action TEXT NOT NULL,
  to_state TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (complaint_id, seq));"
row_sql() { # $1 = n: one complaint-shaped row
  printf "INSERT INTO c VALUES (%d,'T%08d','pengaduan','api','baru','63','infrastruktur.jalan','Jalan berlubang di Jl. A. Yani (%d)','Kejadian ini sudah berlangsung sekitar dua minggu dan sangat mengganggu warga sekitar. Mohon segera ditindaklanjuti.','Jl. Lambung Mangkurat No. 12',-3.3186,114.5944,'id','%064d','%064d',1767225600.%d,1767225600.%d,1767484800,1,'%064d');\n" "$1" "$1" "$1" "$1" "$1" "$1" "$1" "$1"
}
sqlite3 "$RAW_DB" "$raw_schema" >/dev/null
for ((i = 1; i <= RAW_N; i++)); do row_sql "$i"; done >"$DATA/raw1.sql"
t0=$(now_ms); sqlite3 "$RAW_DB" "PRAGMA synchronous=FULL;" ".read $DATA/raw1.sql"; RAW1_MS=$(( $(now_ms) - t0 ))
RAW1_RPS=$(awk -v n="$RAW_N" -v ms="$RAW1_MS" 'BEGIN { printf "%.0f", n * 1000 / ms }')
echo "one row per transaction: $RAW_N in ${RAW1_MS} ms = ${RAW1_RPS}/s"
# A submission writes a complaint, its first event and stage and two outbox rows in one transaction: 5 rows.
for ((i = 1; i <= RAW_N; i++)); do
  echo "BEGIN;"; row_sql $((i + RAW_N))
  printf "INSERT INTO e VALUES (NULL,%d,1,1767225600,'submit','baru','{}','%064d','%064d');\n" $((i + RAW_N)) 0 "$i"
  printf "INSERT INTO e VALUES (NULL,%d,2,1767225600,'stage','baru','{}','%064d','%064d');\n" $((i + RAW_N)) 0 "$i"
  printf "INSERT INTO e VALUES (NULL,%d,3,1767225600,'outbox','baru','{}','%064d','%064d');\n" $((i + RAW_N)) 0 "$i"
  printf "INSERT INTO e VALUES (NULL,%d,4,1767225600,'outbox','baru','{}','%064d','%064d');\n" $((i + RAW_N)) 0 "$i"
  echo "COMMIT;"
done >"$DATA/raw5.sql"
t0=$(now_ms); sqlite3 "$RAW_DB" "PRAGMA synchronous=FULL;" ".read $DATA/raw5.sql"; RAW5_MS=$(( $(now_ms) - t0 ))
RAW5_RPS=$(awk -v n="$RAW_N" -v ms="$RAW5_MS" 'BEGIN { printf "%.0f", n * 1000 / ms }')
echo "five rows per transaction (submission-shaped): $RAW_N in ${RAW5_MS} ms = ${RAW5_RPS}/s"

echo; echo "== (c) submissions at maximum throughput: POST /api/v1/complaints, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
BEFORE=$(sqlite3 "$DATA/aduan.sqlite" "SELECT COUNT(*) FROM complaints")
SUB_OUT=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/submit.lua "$URL")
echo "$SUB_OUT"
AFTER=$(sqlite3 "$DATA/aduan.sqlite" "SELECT COUNT(*) FROM complaints")
SUB_RPS=$(echo "$SUB_OUT" | wrk_rps)
SUB_P50=$(echo "$SUB_OUT" | wrk_pct 50% | to_ms); SUB_P99=$(echo "$SUB_OUT" | wrk_pct 99% | to_ms)
SUB_ERR=$(echo "$SUB_OUT" | awk '/Non-2xx/ {print $NF}'); SUB_ERR=${SUB_ERR:-0}
LOAD_RSS_KB=$(kb "$PID" VmRSS); LOAD_HWM_KB=$(kb "$PID" VmHWM)
echo "stored complaints: $((AFTER - BEFORE)) new (non-2xx answers: $SUB_ERR); RSS now $(mb "$LOAD_RSS_KB") MB, peak $(mb "$LOAD_HWM_KB") MB"

echo; echo "== (d) fixed rate: $RATE req/s for ${DURATION}s (bench/rate.py, open loop)"
RATE_OUT=$(python3 bench/rate.py 127.0.0.1 "$PORT" "$RATE" "$DURATION")
echo "$RATE_OUT"
RATE_P99=$(echo "$RATE_OUT" | sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p')
FINAL_HWM_KB=$(kb "$PID" VmHWM); FINAL_RSS_KB=$(kb "$PID" VmRSS)
stop_server

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "meets"; else echo "MISSES"; fi; }
echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
printf "%-44s %14s %22s %8s\n" "measure" "value" "target (SPEC §11)" "status"
printf "%-44s %14s %22s %8s\n" "framework ceiling GET /api/v1/jurisdictions" "${CEIL_RPS}/s" "-" "-"
printf "%-44s %14s %22s %8s\n" "raw insert ceiling, 1 row/txn (sqlite3)" "${RAW1_RPS}/s" "-" "-"
printf "%-44s %14s %22s %8s\n" "raw insert ceiling, 5 rows/txn (sqlite3)" "${RAW5_RPS}/s" "-" "-"
printf "%-44s %14s %22s %8s\n" "submissions/s (durable, max throughput)" "${SUB_RPS}/s" ">= 500/s" "$(verdict "$SUB_RPS >= 500")"
printf "%-44s %14s %22s %8s\n" "  / framework ceiling" "$(ratio "$SUB_RPS" "$CEIL_RPS")" "-" "-"
printf "%-44s %14s %22s %8s\n" "  / raw insert ceiling (1 row/txn)" "$(ratio "$SUB_RPS" "$RAW1_RPS")" "-" "-"
printf "%-44s %14s %22s %8s\n" "  / raw insert ceiling (5 rows/txn)" "$(ratio "$SUB_RPS" "$RAW5_RPS")" "-" "-"
printf "%-44s %14s %22s %8s\n" "submission latency p50 / p99 at max (ms)" "$SUB_P50 / $SUB_P99" "-" "-"
printf "%-44s %14s %22s %8s\n" "submission p99 at $RATE/s (ms)" "$RATE_P99" "< 100 ms at 100/s" "$(verdict "$RATE_P99 < 100")"
printf "%-44s %14s %22s %8s\n" "idle RSS (MB)" "$(mb "$IDLE_RSS_KB")" "<= 64 MB" "$(verdict "$IDLE_RSS_KB <= 65536")"
printf "%-44s %14s %22s %8s\n" "peak RSS under load, VmHWM (MB)" "$(mb "$FINAL_HWM_KB")" "<= 256 MB" "$(verdict "$FINAL_HWM_KB <= 262144")"
printf "%-44s %14s %22s %8s\n" "RSS after load (MB)" "$(mb "$FINAL_RSS_KB")" "-" "-"
printf "%-44s %14s %22s %8s\n" "start-up, existing installation (ms)" "$WARM_START_MS" "<= 1000 ms" "$(verdict "$WARM_START_MS <= 1000")"
printf "%-44s %14s %22s %8s\n" "start-up, first run incl. migrate+seed (ms)" "$FIRST_START_MS" "-" "-"
exit 0
