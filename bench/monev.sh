#!/usr/bin/env bash
# Monev dashboard and ranking over N generated complaints (SPEC §11: province-wide dashboard ≤ 200 ms warm).
#
#   N=1000000 bench/monev.sh            # SQLite (the embedded default)
#   N=100000 DATABASE_URL=postgres://… bench/monev.sh   # PostgreSQL (the database is dropped and refilled)
#
# Builds the release binary (SKIP_BUILD=1 skips; BIN=… picks one), generates N complaints over one year with
# `aduan demo generate`, starts `aduan serve`, and times with curl, as an inspector of the province:
#   ceiling  GET /api/v1/me                                   (bearer check + one small query: the floor of any API call)
#   summary  GET /api/v1/monev/summary?scope=63&include_sub=true   (the province with every kabupaten/kota, the year)
#   units    GET /api/v1/monev/units?scope=63&include_sub=true     (the ranking)
#   page     GET /petugas/monev?sub=1                          (the whole dashboard page, with the browser session)
# each once cold (first request after start) and then REPEAT times warm; prints medians, the ratio of the warm
# median to the 200 ms target and to the ceiling, and the server's peak RSS. Reports; never asserts.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
REPEAT=${REPEAT:-5}
BIN=${BIN:-.build/release/aduan}
if [[ -z "${SKIP_BUILD:-}" && "$BIN" == ".build/release/aduan" ]]; then swift build -c release --product aduan >/dev/null; fi
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export ADUAN_DATA_DIR=$DATA ADUAN_SUBMIT_RATE_LIMIT=0 ADUAN_BASE_URL=http://127.0.0.1:$PORT
[[ -n "${DATABASE_URL:-}" ]] && export ADUAN_DATABASE_URL=$DATABASE_URL
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

echo "== generating $N complaints"
start=$(date +%s)
"$BIN" migrate >/dev/null 2>&1 || true
"$BIN" seed >/dev/null 2>&1 || true
"$BIN" demo generate --complaints "$N" >/dev/null
echo "generated in $(( $(date +%s) - start )) s"
"$BIN" user create --username irprov --password bench-password-1 --role inspector --scope 63 >/dev/null

"$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"irprov","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
JAR=$DATA/cookies
curl -s -c "$JAR" "http://127.0.0.1:$PORT/petugas/masuk" -o "$DATA/signin.html"
CSRF=$(grep -o 'name="_csrf" value="[^"]*"' "$DATA/signin.html" | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$JAR" -c "$JAR" -o /dev/null -X POST "http://127.0.0.1:$PORT/petugas/masuk" \
  --data-urlencode "_csrf=$CSRF" -d username=irprov -d password=bench-password-1

time_ms() {  # prints milliseconds of one request
  local url=$1; shift
  curl -s -o /dev/null -w '%{time_total}\n' "$@" "http://127.0.0.1:$PORT$url" | python3 -c 'import sys; print(round(float(sys.stdin.read())*1000, 1))'
}
measure() {  # name url curl-args… → "name cold median"
  local name=$1 url=$2; shift 2
  local cold; cold=$(time_ms "$url" "$@")
  local runs=()
  for _ in $(seq 1 "$REPEAT"); do runs+=("$(time_ms "$url" "$@")"); done
  local median; median=$(printf '%s\n' "${runs[@]}" | sort -n | python3 -c 'import sys; v=[float(x) for x in sys.stdin]; print(v[len(v)//2])')
  echo "$name $cold $median"
}
AUTH=(-H "Authorization: Bearer $TOKEN")
results=$(
  measure ceiling "/api/v1/me" "${AUTH[@]}"
  measure summary "/api/v1/monev/summary?scope=63&include_sub=true" "${AUTH[@]}"
  measure units "/api/v1/monev/units?scope=63&include_sub=true" "${AUTH[@]}"
  measure page "/petugas/monev?sub=1" -b "$JAR"
)
peak=$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')
echo
echo "== monev over $N complaints ($([[ -n "${DATABASE_URL:-}" ]] && echo PostgreSQL || echo SQLite)), ms"
ceiling=$(echo "$results" | awk '$1=="ceiling"{print $3}')
echo "$results" | while read -r name cold warm; do
  python3 - "$name" "$cold" "$warm" "$ceiling" <<'PY'
import sys
name, cold, warm, ceiling = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"{name:8} cold {cold:9.1f}  warm median {warm:9.1f}  ratio to 200 ms target {warm/200:6.2f}  ratio to ceiling {warm/max(ceiling,0.1):8.1f}")
PY
done
echo "server peak RSS: $((peak / 1024)) MB"
