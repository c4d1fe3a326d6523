#!/usr/bin/env bash
# SP4N-LAPOR! import benchmark (issue 15: the real 1,284-row export in ≤ 10 s; 50,000 rows in ≤ 2 minutes with flat
# memory). Synthesises exports in the layout LAPOR writes (bench/lapor_export.py: XLSX, title block, inline strings)
# of 1,284 and N rows, loads the units their agency names map to (`aduan org from-lapor` + `aduan org import`) into a
# fresh SQLite data folder, and measures with /usr/bin/time -v the wall time and peak RSS of:
#   - the ceilings, on the same file: `unzip -p` of the sheet (decompression alone) and a trivial streaming parse of it
#     (Python's xml.etree.iterparse counting rows), so the import is read as a ratio to them on this machine, now;
#   - `aduan import lapor FILE --dry-run` (read, map and count every row, write nothing);
#   - `aduan import lapor FILE` (the import: one submit event per complaint, hash-chained, monev counters);
#   - and, when ../shared holds it, the real Kabupaten Bandung export (1,284 rows).
# Flat memory: the peak RSS of the N-row import against the 1,284-row one. It reports; it does not assert.
# Needs python3, unzip and /usr/bin/time (GNU time).
#
# usage: bench/lapor-import.sh [N]        (default N=50000; env: BIN=path/to/aduan SKIP_BUILD=1 KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50000}

for tool in python3 unzip /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }; done
if [[ -z "${SKIP_BUILD:-}" && -z "${BIN:-}" ]]; then swift build -c release --product aduan >&2; fi
BIN=${BIN:-$(swift build -c release --product aduan --show-bin-path)/aduan}
WORK=$(mktemp -d /tmp/aduan-lapor-bench.XXXXXX)
cleanup() { if [[ -z "${KEEP:-}" ]]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
REAL=../shared/data/lapor-sample/laporan-ringkas-kab-bandung-2021-2023.xlsx

rss() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.1f", $2 / 1024 }' "$1"; }
secs() { awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$1"; }
timed() { local name=$1; shift; /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.log" 2>&1 || { tail -20 "$WORK/$name.log" >&2; exit 1; }; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

echo "synthesising exports of 1284 and $N rows" >&2
python3 bench/lapor_export.py "$WORK/small.xlsx" 1284 --first 7000000
python3 bench/lapor_export.py "$WORK/large.xlsx" "$N" --first 8000000

parse() {  # the trivial streaming parse: count the rows of the sheet
  python3 - "$1" <<'PY'
import sys, zipfile, xml.etree.ElementTree as ET
rows = 0
with zipfile.ZipFile(sys.argv[1]) as z, z.open("xl/worksheets/sheet1.xml") as f:
    for _, e in ET.iterparse(f):
        if e.tag.endswith("}row"):
            rows += 1
        e.clear()
print(rows)
PY
}
export -f parse

printf '\nSP4N-LAPOR! import (SQLite, %s; %s cores, load %s)\n' "$BIN" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %9s %10s %12s %14s\n' "step" "rows" "wall s" "peak RSS MB" "× parse ceiling"
for size in small large; do
  file="$WORK/$size.xlsx"
  rows=$([[ $size == small ]] && echo 1284 || echo "$N")
  data="$WORK/data-$size"
  mkdir -p "$data"
  export ADUAN_DATA_DIR="$data"
  "$BIN" migrate >/dev/null 2>&1 && "$BIN" seed >/dev/null 2>&1
  "$BIN" org from-lapor "$file" --jurisdiction 63.03 --out "$WORK/org-$size.csv" >/dev/null 2>&1
  "$BIN" org import "$WORK/org-$size.csv" >/dev/null
  timed "unzip-$size" unzip -p "$file" xl/worksheets/sheet1.xml
  timed "parse-$size" bash -c "parse '$file'"
  timed "dry-$size" "$BIN" import lapor "$file" --jurisdiction 63.03 --dry-run
  timed "import-$size" "$BIN" import lapor "$file" --jurisdiction 63.03
  made=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM complaints').fetchone()[0])" "$data/aduan.sqlite")
  [[ "$made" == "$rows" ]] || { echo "expected $rows complaints, found $made" >&2; exit 1; }
  ceiling=$(secs "$WORK/parse-$size.time")
  printf '%-44s %9s %10s %12s %14s\n' "ceiling: unzip -p the sheet ($size)" "-" "$(secs "$WORK/unzip-$size.time")" "$(rss "$WORK/unzip-$size.time")" "-"
  printf '%-44s %9s %10s %12s %14s\n' "ceiling: python iterparse ($size)" "$(tail -1 "$WORK/parse-$size.log")" "$ceiling" "$(rss "$WORK/parse-$size.time")" "1.0"
  printf '%-44s %9s %10s %12s %14s\n' "aduan import lapor --dry-run ($size)" "$rows" "$(secs "$WORK/dry-$size.time")" "$(rss "$WORK/dry-$size.time")" "$(ratio "$(secs "$WORK/dry-$size.time")" "$ceiling")"
  printf '%-44s %9s %10s %12s %14s\n' "aduan import lapor ($size)" "$made" "$(secs "$WORK/import-$size.time")" "$(rss "$WORK/import-$size.time")" "$(ratio "$(secs "$WORK/import-$size.time")" "$ceiling")"
done

if [[ -f "$REAL" ]]; then
  data="$WORK/data-real"; mkdir -p "$data"; export ADUAN_DATA_DIR="$data"
  "$BIN" migrate >/dev/null 2>&1 && "$BIN" seed >/dev/null 2>&1
  "$BIN" org from-lapor "$REAL" --jurisdiction 63.03 --out "$WORK/org-real.csv" >/dev/null 2>&1
  "$BIN" org import "$WORK/org-real.csv" >/dev/null
  timed parse-real bash -c "parse '$REAL'"
  timed import-real "$BIN" import lapor "$REAL" --jurisdiction 63.03
  printf '%-44s %9s %10s %12s %14s\n' "ceiling: python iterparse (real sample)" "$(tail -1 "$WORK/parse-real.log")" "$(secs "$WORK/parse-real.time")" "$(rss "$WORK/parse-real.time")" "1.0"
  printf '%-44s %9s %10s %12s %14s\n' "aduan import lapor (real sample, 1284 rows)" "1284" "$(secs "$WORK/import-real.time")" "$(rss "$WORK/import-real.time")" "$(ratio "$(secs "$WORK/import-real.time")" "$(secs "$WORK/parse-real.time")")"
fi
printf '\nflat memory: peak RSS of the %s-row import is %s × that of the 1,284-row one\n' "$N" \
  "$(ratio "$(rss "$WORK/import-large.time")" "$(rss "$WORK/import-small.time")")"
