#!/usr/bin/env bash
# bench/corpus.sh N [SEED]: time `nianbao check` on N generated reports as a whole process.
#
# Builds the release binaries, generates N synthetic reports (crates/corpus) into a
# temporary directory, runs `nianbao check DIR --format json -o FILE` under
# /usr/bin/time -v and prints reports/s, MB/s and peak RSS; where ripgrep is installed,
# times `rg -c 总计 DIR` over the same files as the bound of simply reading them; then
# compares check's findings with the corpus manifest (recall, false positives).
#
# Environment: KEEP=1 keeps the corpus and the JSON output; DEFECT_RATE (default 0.1);
# NO_BUILD=1 uses the release binaries as they are; RUNS (default 3) check/rg pairs,
# medians reported.
# Exit status: 0 when recall is 100 % with no false positive, 1 otherwise, 2 on misuse.
set -euo pipefail

usage() {
    echo "usage: $0 N [SEED]   (N reports, SEED default 1)" >&2
    exit 2
}
[[ $# -ge 1 && $# -le 2 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
N=$1
SEED=${2:-1}
[[ $SEED =~ ^[0-9]+$ ]] || usage
DEFECT_RATE=${DEFECT_RATE:-0.1}

cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (for /usr/bin/time -v)…" >&2
    (apt-get update -qq && apt-get install -y -qq time) >/dev/null \
        || { echo "error: /usr/bin/time is missing and could not be installed" >&2; exit 2; }
fi

if [[ "${NO_BUILD:-0}" != 1 ]]; then
    echo "building release binaries…" >&2
    cargo build --release --quiet -p nianbao -p nianbao-corpus --bins --example floor
fi
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
NIANBAO="$TARGET_DIR/release/nianbao"
CORPUS="$TARGET_DIR/release/nianbao-corpus"
FLOOR="$TARGET_DIR/release/examples/floor"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nianbao-corpus.XXXXXX")
if [[ "${KEEP:-0}" != 1 ]]; then
    trap 'rm -rf "$WORK"' EXIT
fi
DIR="$WORK/reports"
OUT="$WORK/check.json"

gen_start=$(date +%s.%N)
"$CORPUS" --seed "$SEED" --count "$N" --defect-rate "$DEFECT_RATE" --out "$DIR"
gen_end=$(date +%s.%N)
BYTES=$(find "$DIR" -name '*.txt' -printf '%s\n' | awk '{s += $1} END {print s + 0}')

# Warm the page cache so that both check and rg read from memory.
find "$DIR" -name '*.txt' -exec cat {} + >/dev/null

# Wall times on a shared machine move by ±20 % from run to run, rg's as much as
# check's: RUNS pairs of runs (default 3), check and rg alternating, and the
# medians compared.
RUNS=${RUNS:-3}
[[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || { echo "error: RUNS must be a positive number" >&2; exit 2; }
TIME_LOG="$WORK/time.log"
checks=()   # "wall user sys rss_kb" per run
rgs=()      # wall per run
# Floors (crates/corpus/examples/floor.rs): wall per run of each mode.
FLOOR_MODES=(heads labels)
declare -A floors=()
# Seconds since START (a `date +%s.%N`), at least a millisecond.
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {t = b - a; if (t <= 0) t = 0.001; printf "%.3f", t}'; }
for ((run = 1; run <= RUNS; run++)); do
    set +e
    /usr/bin/time -v "$NIANBAO" check "$DIR" --format json -o "$OUT" 2>"$TIME_LOG"
    status=$?
    set -e
    if [[ $status -gt 1 ]]; then
        echo "error: nianbao check exited with $status" >&2
        tail -n 40 "$TIME_LOG" >&2
        exit 1
    fi
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TIME_LOG" \
        | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    checks+=("$wall $(sed -n 's/.*User time (seconds): //p' "$TIME_LOG") \
$(sed -n 's/.*System time (seconds): //p' "$TIME_LOG") \
$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TIME_LOG")")
    if command -v rg >/dev/null 2>&1; then
        rg_start=$(date +%s.%N)
        rg -c 总计 "$DIR" >/dev/null || true
        rgs+=("$(seconds_since "$rg_start")")
    fi
    if [[ -x "$FLOOR" ]]; then
        for mode in "${FLOOR_MODES[@]}"; do
            floor_start=$(date +%s.%N)
            "$FLOOR" "$mode" "$DIR" "$WORK/floor.tsv"
            floors[$mode]+="$(seconds_since "$floor_start") "
        done
    fi
done

# The median (the lower middle for an even count) of the numbers on stdin.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
column_of() { printf '%s\n' "${checks[@]}" | awk -v k="$1" '{print $k}'; }
wall=$(column_of 1 | median)
user=$(column_of 2 | median)
sys=$(column_of 3 | median)
rss_kb=$(column_of 4 | sort -g | tail -n 1)
walls=$(column_of 1 | sort -g | tr '\n' ' ')

echo
echo "corpus:   $N reports, $(awk -v b="$BYTES" 'BEGIN {printf "%.1f MB", b / 1e6}'), seed $SEED, defect rate $DEFECT_RATE"
echo "          generated in $(awk -v a="$gen_start" -v b="$gen_end" 'BEGIN {printf "%.2f s", b - a}')"
awk -v n="$N" -v b="$BYTES" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" -v runs="$RUNS" -v all="$walls" 'BEGIN {
    if (w <= 0) w = 0.001;
    printf "check:    %.2f s wall, median of %d runs (user %.2f s, sys %.2f s); all runs: %ss\n", w, runs, u, s, all;
    printf "          %.0f reports/s, %.1f MB/s, peak RSS %.1f MB (largest of the runs)\n", n / w, b / 1e6 / w, r / 1024;
}'

if [[ ${#rgs[@]} -gt 0 ]]; then
    rg_wall=$(printf '%s\n' "${rgs[@]}" | median)
    awk -v t="$rg_wall" -v w="$wall" -v by="$BYTES" -v all="$(printf '%s\n' "${rgs[@]}" | sort -g | tr '\n' ' ')" 'BEGIN {
        printf "rg -c 总计: %.2f s median (%.1f MB/s; all runs: %ss); check takes %.2f× ripgrep'"'"'s time (target ≤ 3.3×)\n", t, by / 1e6 / t, all, w / t;
    }'
else
    echo "rg -c 总计: ripgrep not installed (apt-get install ripgrep) — no reading bound"
fi
if [[ ${#floors[@]} -gt 0 ]]; then
    echo "floors (crates/corpus/examples/floor.rs: each report read, then only"
    echo "          heads:  each line's text before its digits looked up among the template's wordings, its numbers parsed;"
    echo "          labels: every template wording found with one Aho-Corasick DFA, the numbers after each parsed):"
    for mode in "${FLOOR_MODES[@]}"; do
        runs=$(printf '%s\n' ${floors[$mode]})
        floor_wall=$(printf '%s\n' "$runs" | median)
        awk -v m="$mode" -v t="$floor_wall" -v w="$wall" -v r="${rg_wall:-0}" -v all="$(printf '%s\n' "$runs" | sort -g | tr '\n' ' ')" 'BEGIN {
            printf "          %-7s %.2f s median (all runs: %ss)", m ":", t, all;
            if (r > 0) printf ", %.2f× ripgrep'"'"'s time", t / r;
            printf "; check takes %.2f× it\n", w / t;
        }'
    done
fi

echo
set +e
"$CORPUS" --verify "$OUT" --manifest "$DIR/manifest.jsonl"
verified=$?
set -e
if [[ "${KEEP:-0}" == 1 ]]; then
    echo "kept: $DIR and $OUT"
fi
exit "$verified"
