#!/usr/bin/env bash
# Triage model speed and memory (issue 16), the core alone, on generated complaints (release build):
#   1. ceiling: generate and tokenise N_TRAIN complaints (what any training must at least do);
#   2. training on N_TRAIN generated complaints (default 1,000,000): wall time and peak RSS (/usr/bin/time -v);
#   3. suggestions over a model trained on N_MODEL complaints (default 100,000): p50/p99 of Q suggestions (default
#      2,000), beside the time to tokenise the same texts.
# Prints ratios to the ceilings and the targets (suggestion p99 ≤ 5 ms, training ≤ 60 s, peak RSS ≤ 512 MB), and
# beside each wall time the CPU seconds (user + sys) and the load average, since the machine may be shared: training
# uses every core (TriageTrainer.defaultThreads), so on an idle machine its wall time is below its CPU time.
# Reports; never asserts. SKIP_BUILD=1 skips the release build; BIN=… picks another triagebench.
set -euo pipefail
cd "$(dirname "$0")/.."
N_TRAIN=${N_TRAIN:-1000000}
N_MODEL=${N_MODEL:-100000}
Q=${Q:-2000}
BIN=${BIN:-.build/release/triagebench}
if [[ -z "${SKIP_BUILD:-}" && "$BIN" == ".build/release/triagebench" ]]; then swift build -c release --product triagebench >/dev/null; fi
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (Debian: apt-get install time)"; exit 1; }
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
run() {  # prints the program's line, then wall seconds, CPU seconds and peak RSS MB from /usr/bin/time -v
  local out; out=$( { /usr/bin/time -v "$BIN" "$@" 2>/tmp/triage-bench-time.$$; } )
  echo "$out"
  local wall rss cpu
  wall=$(grep "Elapsed (wall clock)" /tmp/triage-bench-time.$$ | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" /tmp/triage-bench-time.$$ | awk '{print $NF/1024}')
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {print s}' /tmp/triage-bench-time.$$)
  rm -f /tmp/triage-bench-time.$$
  echo "   wall ${wall} s, CPU (user+sys) ${cpu} s, peak RSS ${rss} MB; load now $(cut -d' ' -f1-3 /proc/loadavg)"
  LAST_WALL=$wall; LAST_RSS=$rss; LAST_CPU=$cpu
}
echo "== ceiling: generate and tokenise $N_TRAIN complaints"
run tokenise-synthetic "$N_TRAIN"; CEIL=$LAST_WALL; CEIL_CPU=$LAST_CPU
echo "== training on $N_TRAIN complaints"
run train-synthetic "$N_TRAIN"; TRAIN=$LAST_WALL; TRAIN_RSS=$LAST_RSS; TRAIN_CPU=$LAST_CPU
echo "== suggestions over a model of $N_MODEL complaints ($Q queries)"
run suggest-synthetic "$N_MODEL" "$Q"
python3 - "$TRAIN" "$CEIL" "$TRAIN_RSS" "$TRAIN_CPU" "$CEIL_CPU" <<'PY'
import sys
train, ceil, rss, train_cpu, ceil_cpu = map(float, sys.argv[1:6])
print(f"\ntraining {train:.1f} s = {train/ceil:.2f} × the tokenise ceiling ({ceil:.1f} s); target 60 s: ratio {train/60:.2f}")
print(f"training CPU {train_cpu:.1f} s = {train_cpu/ceil_cpu:.2f} × the ceiling's CPU ({ceil_cpu:.1f} s, one thread)")
print(f"training peak RSS {rss:.0f} MB; target 512 MB: ratio {rss/512:.2f}")
PY
