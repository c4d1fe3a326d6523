#!/usr/bin/env bash
# Triage through the product (issue 16): the stored-model load and the suggestion API, release build.
#   1. a fresh installation (SQLite), `aduan demo generate --complaints N` (default 100,000), `aduan triage train
#      --jurisdiction 63`: wall time and peak RSS of training and storing the model (with its evaluation);
#   2. `aduan serve`; the first suggestion after start-up reads and decodes the stored model (cold), the next ones
#      use the copy in memory after one "newest version?" query;
#   3. in the same run: the ceiling, an authenticated GET /api/v1/me (bearer token lookup and one query), then
#      POST /api/v1/triage/suggest with rotating report texts; p50/p99 from wrk --latency, as ratios to the ceiling
#      and to the issue's 5 ms target (which is for the suggestion itself; see bench/triage.sh for the engine alone).
# Reports; never asserts. env: N=100000 DURATION=15 CONNECTIONS=4 THREADS=2 SKIP_BUILD=1 BIN=…
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-4}
THREADS=${THREADS:-2}
for tool in wrk python3 curl /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
if [[ -z "${SKIP_BUILD:-}" ]]; then swift build -c release --product aduan >&2; fi
BIN=${BIN:-$(swift build -c release --product aduan --show-bin-path)/aduan}
DATA=$(mktemp -d /tmp/aduan-triage-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
PID=""
cleanup() { if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi; rm -rf "$DATA"; }
trap cleanup EXIT
export ADUAN_DATA_DIR="$DATA" ADUAN_SUBMIT_RATE_LIMIT=0 ADUAN_BASE_URL="$URL" ADUAN_MAX_REQUESTS_PER_ADDRESS=0
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); binary $BIN"

echo "== generate $N complaints"
t0=$(date +%s)
"$BIN" demo generate --complaints "$N" >/dev/null 2>"$DATA/generate.log"
echo "   $(( $(date +%s) - t0 )) s"
"$BIN" user create --username koord.bench --password koord-bench-pass-1 --role coordinator --scope 63 >/dev/null 2>&1

echo "== train and store the model of jurisdiction 63"
/usr/bin/time -v "$BIN" triage train --jurisdiction 63 2>"$DATA/train.time" | sed 's/^/   /'
TRAIN_S=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$DATA/train.time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
TRAIN_RSS=$(awk '/Maximum resident set size/ {print $NF/1024}' "$DATA/train.time")
echo "   wall ${TRAIN_S} s (including reading the history, the evaluation and storing), peak RSS ${TRAIN_RSS} MB"

"$BIN" serve --hostname 127.0.0.1 --port "$PORT" >>"$DATA/server.log" 2>&1 &
PID=$!
until curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$DATA/server.log" >&2; exit 1; }
  sleep 0.05
done
TOKEN=$(curl -fsS -X POST "$URL/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"koord.bench","password":"koord-bench-pass-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
BODY='{"title":"Jalan berlubang di depan sekolah","body":"Lubang besar di jalan, berbahaya bagi pengendara motor.","jurisdiction":"63"}'
COLD=$(curl -fsS -o "$DATA/first.json" -w '%{time_total}' -X POST "$URL/api/v1/triage/suggest" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d "$BODY")
WARM=$(curl -fsS -o /dev/null -w '%{time_total}' -X POST "$URL/api/v1/triage/suggest" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d "$BODY")
python3 - "$DATA/first.json" "$COLD" "$WARM" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
print(f"== first suggestion after start-up (reads and decodes the stored model): {float(sys.argv[2])*1000:.1f} ms; the second: {float(sys.argv[3])*1000:.1f} ms")
print(f"   status {a['status']}, model {a['model']}, first unit {a['units'][0]['unit'] if a['units'] else None}")
PY

cat >"$DATA/suggest.lua" <<LUA
local texts = {
  {"Jalan berlubang di depan sekolah", "Lubang besar di jalan, berbahaya bagi pengendara motor."},
  {"Antrean puskesmas lama", "Sejak pagi menunggu di puskesmas, dokter belum datang dan obat habis."},
  {"Lampu lalu lintas mati", "Lampu lalu lintas di simpang empat mati sejak kemarin, macet panjang."},
  {"Sampah menumpuk", "Sampah di pasar tidak diangkut seminggu, bau dan banyak lalat."},
  {"Guru jarang masuk", "Guru kelas lima jarang masuk, murid dibiarkan belajar sendiri."},
  {"KTP belum jadi", "Sudah tiga bulan KTP elektronik belum jadi, petugas dukcapil tidak memberi kepastian."},
}
local i = 0
request = function()
  i = i % #texts + 1
  local body = string.format('{"title":"%s","body":"%s","jurisdiction":"63"}', texts[i][1], texts[i][2])
  return wrk.format("POST", "/api/v1/triage/suggest", {["content-type"] = "application/json", ["authorization"] = "Bearer $TOKEN"}, body)
end
LUA
cat >"$DATA/me.lua" <<LUA
wrk.headers["authorization"] = "Bearer $TOKEN"
LUA
pct() { awk -v p="$1" '$1==p {print $2}' | awk '{ v=$1; if (v ~ /us$/) { sub(/us$/, "", v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v*=1000 } printf "%.2f", v }'; }
rps() { awk '/^Requests\/sec:/ {print $2}'; }
echo "== ceiling: GET /api/v1/me with a bearer token, ${DURATION} s, $CONNECTIONS connections"
ME=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$DATA/me.lua" "$URL/api/v1/me")
echo "== POST /api/v1/triage/suggest, ${DURATION} s, $CONNECTIONS connections"
SG=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$DATA/suggest.lua" "$URL")
echo "$SG" | grep -E "Non-2xx|Socket errors" || true
RSS=$(awk '/VmHWM:/ {print $2/1024}' /proc/$PID/status)
python3 - "$(echo "$ME" | pct 50%)" "$(echo "$ME" | pct 99%)" "$(echo "$ME" | rps)" "$(echo "$SG" | pct 50%)" "$(echo "$SG" | pct 99%)" "$(echo "$SG" | rps)" "$RSS" <<'PY'
import sys
me50, me99, merps, s50, s99, srps, rss = map(float, sys.argv[1:8])
print(f"ceiling GET /api/v1/me: p50 {me50:.2f} ms, p99 {me99:.2f} ms, {merps:.0f} req/s")
print(f"suggest: p50 {s50:.2f} ms, p99 {s99:.2f} ms, {srps:.0f} req/s")
print(f"suggest p99 = {s99/me99:.2f} × the ceiling's p99; p99 beyond the ceiling {max(s99-me99,0):.2f} ms; target 5 ms: ratio {s99/5:.2f}")
print(f"server peak RSS {rss:.0f} MB")
PY
