#!/usr/bin/env bash
# Export benchmark (SPEC §11: CSV/XLSX export of 1 M complaints streams in constant memory, peak RSS ≤ 150 MB).
# Generates N complaints with `aduan demo generate` into a fresh SQLite data folder (or reuses DATA), then measures
# with /usr/bin/time -v the peak RSS and the time of:
#   - `aduan export complaints --format csv|xlsx --out FILE` (the command line), and
#   - GET /api/v1/export/complaints.csv|.xlsx on `aduan serve` as the province's inspector (who reads every
#     jurisdiction), with the server's peak RSS (VmHWM) since its start after each download.
# It reports; it does not assert. Needs python3, curl and /usr/bin/time (GNU time).
#
# usage: bench/export.sh [N]        (default N=100000; env: BIN=path/to/aduan SKIP_BUILD=1 DATA=dir KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}

for tool in python3 curl /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
if [[ -z "${SKIP_BUILD:-}" && -z "${BIN:-}" ]]; then swift build -c release --product aduan >&2; fi
BIN=${BIN:-$(swift build -c release --product aduan --show-bin-path)/aduan}

FRESH=""
if [[ -z "${DATA:-}" ]]; then DATA=$(mktemp -d /tmp/aduan-export-bench.XXXXXX); FRESH=1; fi
OUT=$(mktemp -d /tmp/aduan-export-out.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$OUT"
  if [[ -n "$FRESH" && -z "${KEEP:-}" ]]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT
export ADUAN_DATA_DIR="$DATA" ADUAN_SUBMIT_RATE_LIMIT=0 ADUAN_BASE_URL="$URL"

rss() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.1f", $2 / 1024 }' "$1"; }
wall() { awk '/Elapsed \(wall clock\)/ { print $NF }' "$1"; }
size() { python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1048576:.1f}')" "$1"; }

have=$(python3 - "$DATA/aduan.sqlite" <<'PY' 2>/dev/null || echo 0
import sqlite3, sys
try:
    print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM complaints").fetchone()[0])
except Exception:
    print(0)
PY
)
if (( have < N )); then
  echo "generating $((N - have)) complaints into $DATA" >&2
  "$BIN" demo generate --complaints $((N - have)) >&2
fi
total=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM complaints').fetchone()[0])" "$DATA/aduan.sqlite")

printf '\nexport of %s complaints (SQLite, %s)\n' "$total" "$BIN"
printf '%-28s %10s %12s %10s %8s\n' "path" "rows" "peak RSS MB" "wall" "MB out"

for format in csv xlsx; do
  /usr/bin/time -v -o "$OUT/cli-$format.time" "$BIN" export complaints --format "$format" --out "$OUT/cli.$format" >"$OUT/cli-$format.log" 2>&1
  rows=$(grep -o 'exported [0-9]*' "$OUT/cli-$format.log" | awk '{print $2}')
  printf '%-28s %10s %12s %10s %8s\n' "aduan export ($format)" "$rows" "$(rss "$OUT/cli-$format.time")" "$(wall "$OUT/cli-$format.time")" "$(size "$OUT/cli.$format")"
done

# The province's inspector reads the whole tree (the province and its kabupaten/kota), so the API exports every row.
"$BIN" user create --username bench.inspektur --password bench-password-1 --role inspector --scope 63 >/dev/null 2>&1 || true
"$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$OUT/serve.log" 2>&1 &
PID=$!
until curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { echo "server died:" >&2; tail -20 "$OUT/serve.log" >&2; exit 1; }
  sleep 0.05
done
kb() { awk -v k="$2:" '$1==k {print $2}' "/proc/$1/status"; }
mb() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }'; }
TOKEN=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{"username":"bench.inspektur","password":"bench-password-1"}' \
  "$URL/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
sleep 2 # the worker's first sweep
printf '%-28s %10s %12s %10s %8s\n' "aduan serve, before" "-" "$(mb "$(kb "$PID" VmHWM)")" "-" "-"
for format in csv xlsx; do
  start=$(date +%s.%N)
  curl -fsS -H "Authorization: Bearer $TOKEN" -o "$OUT/http.$format" "$URL/api/v1/export/complaints.$format"
  secs=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}s')" "$start" "$(date +%s.%N)")
  if [[ $format == csv ]]; then
    rows=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding='utf-8-sig', newline=''))) - 1)" "$OUT/http.csv")
  else
    rows=$(python3 - "$OUT/http.xlsx" <<'PY'
import sys, zipfile
# Counts the sheet's rows while decompressing (openpyxl would hold the whole workbook in memory).
count, tail = 0, b""
with zipfile.ZipFile(sys.argv[1]).open("xl/worksheets/sheet1.xml") as f:
    while chunk := f.read(1 << 20):
        data = tail + chunk
        count += data.count(b"</row>")
        tail = data[-5:]
print(count - 1)
PY
)
  fi
  # VmHWM: the server's peak RSS since it started, so far.
  printf '%-28s %10s %12s %10s %8s\n' "GET complaints.$format" "$rows" "$(mb "$(kb "$PID" VmHWM)")" "$secs" "$(size "$OUT/http.$format")"
done
echo "target: peak RSS <= 150 MB (SPEC §11)"
