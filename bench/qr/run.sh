#!/usr/bin/env bash
# bench/qr/run.sh: QR encoding speed of Aduan's encoder (`qrtool bench`) against libqrencode
# (bench/qr/libqrencode_bench.c) on the same payloads, in the same run (issue 4; target: ratio
# Aduan ÷ libqrencode ≤ 1.0). libqrencode is the ceiling the ratios are taken against.
#
#   bench/qr/run.sh                 # from anywhere; about a minute on 2 cores
#
# 1. builds qrtool in release (`swift build -c release --product qrtool`, retried while the
#    shared build folder is busy or someone else's half-written file breaks the build);
# 2. compiles the C harness with `cc -O2` against libqrencode (installs Debian's
#    libqrencode-dev if the header is missing and we are root);
# 3. writes each payload set to a file (bench/qr/make_payloads.py: the same generator and seed as
#    `qrtool bench`, checked by comparing checksums) and has both tools encode that file;
# 4. checks both choose the same symbol version for every payload (qrtool batch vs the
#    harness's --list), so both do the same amount of work;
# 5. runs both RUNS times (default 5) per set, interleaved (the order alternates between runs),
#    and prints the medians and the ratios.
# It reports and exits 0 whatever the ratios; it exits 1 only if it cannot build or run.
#
# Knobs (environment): RUNS (5), SKIP_BUILD=1 (use the existing binary), QRTOOL (binary path,
# default .build/release/qrtool), CC (cc), BUILD_RETRIES (10), BUILD_WAIT seconds (30).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RUNS="${RUNS:-5}"
CC="${CC:-cc}"
QRTOOL="${QRTOOL:-$ROOT/.build/release/qrtool}"
BUILD_RETRIES="${BUILD_RETRIES:-10}"
BUILD_WAIT="${BUILD_WAIT:-30}"

# name count level length(- = URLs)
SETS=(
    "url-M      10000 M -"
    "url-H      10000 H -"
    "text100-M   1000 M 100"
    "text1500-M  1000 M 1500"
    "text2300-M  1000 M 2300"
)

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/qrbench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# 1. qrtool, release.
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    attempt=1
    until (cd "$ROOT" && swift build -c release --product qrtool) >"$WORK/build.log" 2>&1; do
        if (( attempt >= BUILD_RETRIES )); then
            tail -30 "$WORK/build.log" >&2
            die "swift build failed $attempt times"
        fi
        say "swift build failed (attempt $attempt/$BUILD_RETRIES, shared build folder busy or broken); retrying in ${BUILD_WAIT}s"
        grep -E 'error:' "$WORK/build.log" | head -3 >&2 || true
        sleep "$BUILD_WAIT"
        attempt=$((attempt + 1))
    done
fi
[[ -x "$QRTOOL" ]] || die "no qrtool binary at $QRTOOL"

# 2. the libqrencode harness.
if ! echo '#include <qrencode.h>' | "$CC" -E -x c - >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "installing libqrencode-dev"
        DEBIAN_FRONTEND=noninteractive apt-get install -y libqrencode-dev >&2 \
            || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y libqrencode-dev >&2; }
    else
        die "qrencode.h not found: apt-get install libqrencode-dev"
    fi
fi
LIBQR="$WORK/libqrencode_bench"
"$CC" -O2 -o "$LIBQR" "$HERE/libqrencode_bench.c" -lqrencode || die "cannot compile the harness"
LIBQR_VERSION="$(dpkg-query -W -f='${Version}' libqrencode4 2>/dev/null || pkg-config --modversion libqrencode 2>/dev/null || echo '?')"

# µs each from a line "encoded N payloads at level L in T s (U µs each, checksum C)".
micros() { sed -n 's/.*(\([0-9.]*\) µs each.*/\1/p' <<<"$1"; }
checksum() { sed -n 's/.*checksum \(-\?[0-9]*\)).*/\1/p' <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# 3. + 4. payload files, checked against qrtool's own generator; same versions in both tools.
declare -A VERSIONS
for set in "${SETS[@]}"; do
    read -r name count level length <<<"$set"
    file="$WORK/$name.txt"
    gen=(--count "$count" --level "$level")
    if [[ "$length" == - ]]; then
        python3 "$HERE/make_payloads.py" "$count" >"$file"
    else
        python3 "$HERE/make_payloads.py" "$count" "$length" >"$file"
        gen+=(--length "$length")
    fi
    builtin="$(checksum "$("$QRTOOL" bench "${gen[@]}" | head -1)")"
    fromfile="$(checksum "$("$QRTOOL" bench --payloads "$file" --level "$level")")"
    [[ -n "$builtin" && "$builtin" == "$fromfile" ]] \
        || die "$name: payload file differs from qrtool's generator (checksum $fromfile vs $builtin)"
    python3 -c '
import json, sys
level = sys.argv[1]
for line in sys.stdin.buffer.read().decode("latin-1").split("\n")[:-1]:
    print(json.dumps({"text": line, "level": level}))' "$level" <"$file" \
        | "$QRTOOL" batch \
        | python3 -c 'import json, sys; [print(json.loads(l)["version"]) for l in sys.stdin]' >"$WORK/$name.aduan.v"
    "$LIBQR" --list --payloads "$file" --level "$level" | awk '{ print $1 }' >"$WORK/$name.libqr.v"
    same="$(paste "$WORK/$name.aduan.v" "$WORK/$name.libqr.v" | awk '$1 == $2' | wc -l)"
    versions="$(sort -n "$WORK/$name.aduan.v" | uniq | paste -sd/)"
    VERSIONS[$name]="v$versions, same version $same/$count"
    say "$name: payloads = qrtool bench ${gen[*]} (checksum $builtin); ${VERSIONS[$name]}"
done

# 5. interleaved timed runs.
for ((run = 1; run <= RUNS; run++)); do
    for set in "${SETS[@]}"; do
        read -r name count level length <<<"$set"
        file="$WORK/$name.txt"
        order=(aduan libqr)
        (( run % 2 == 0 )) && order=(libqr aduan)
        for tool in "${order[@]}"; do
            if [[ $tool == aduan ]]; then
                line="$("$QRTOOL" bench --payloads "$file" --level "$level")"
            else
                line="$("$LIBQR" --payloads "$file" --level "$level")"
            fi
            micros "$line" >>"$WORK/$name.$tool.times"
        done
        say "run $run/$RUNS $name: Aduan $(tail -1 "$WORK/$name.aduan.times") µs, libqrencode $(tail -1 "$WORK/$name.libqr.times") µs"
    done
done

echo
echo "QR encoding, Aduan (qrtool bench, release) vs libqrencode $LIBQR_VERSION (QRcode_encodeString, cc -O2)"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS interleaved runs"
echo
echo "| payload set | symbols | Aduan µs/symbol | libqrencode µs/symbol | ratio (target ≤ 1.0) | runs Aduan / libqrencode (µs) |"
echo "|---|---|---|---|---|---|"
for set in "${SETS[@]}"; do
    read -r name count level length <<<"$set"
    a="$(median <"$WORK/$name.aduan.times")"
    l="$(median <"$WORK/$name.libqr.times")"
    ratio="$(awk -v a="$a" -v l="$l" 'BEGIN { r = a / l; printf "%.2f %s", r, (r <= 1.0 ? "meets" : "misses") }')"
    what="$count URLs"
    [[ "$length" != - ]] && what="$count × $length bytes"
    printf '| %s (%s, level %s) | %s | %s | %s | %s | %s / %s |\n' "$name" "$what" "$level" "${VERSIONS[$name]}" \
        "$a" "$l" "$ratio" "$(paste -sd' ' "$WORK/$name.aduan.times")" "$(paste -sd' ' "$WORK/$name.libqr.times")"
done
exit 0
