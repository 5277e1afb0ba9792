#!/usr/bin/env bash
# bench/instructions.sh [N] [SEED]: instructions per report of `nianbao check`, split
# into reading and rule evaluation, counted by valgrind's callgrind.
#
# Wall-clock figures on a shared 2-core machine move with whatever else runs;
# instruction counts do not (same binary, same inputs → same count), so this is
# the figure to compare before and after a change to the reader or the engine.
# Generates N reports (default 200) with crates/corpus (all layouts, 10 % with
# one defect), runs `check --jobs 1` under callgrind on a build with line tables,
# and prints the total and the inclusive counts of the reader and the evaluation
# per report (one-time costs such as compiling the rules are in the total only).
#
# Environment: TARGET_DIR (default target/instructions: a separate build, since
# line tables change the binary).
set -euo pipefail

N=${1:-200}
SEED=${2:-1}
[[ $N =~ ^[0-9]+$ && $N -gt 0 && $SEED =~ ^[0-9]+$ ]] || {
    echo "usage: $0 [N] [SEED]" >&2
    exit 2
}
command -v valgrind >/dev/null || { echo "error: valgrind is not installed" >&2; exit 2; }

cd "$(dirname "$0")/.."
TARGET_DIR=${TARGET_DIR:-target/instructions}
echo "building (release with line tables) into $TARGET_DIR…" >&2
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release --quiet \
    --target-dir "$TARGET_DIR" -p nianbao -p nianbao-corpus

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nianbao-instr.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$TARGET_DIR/release/nianbao-corpus" --seed "$SEED" --count "$N" --out "$WORK/reports" >/dev/null 2>&1

valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
    "$TARGET_DIR/release/nianbao" check "$WORK/reports" --format json -o "$WORK/check.json" --jobs 1 \
    2>"$WORK/valgrind.log" || true
total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$WORK/valgrind.log")
[[ -n $total ]] || { cat "$WORK/valgrind.log" >&2; exit 2; }

# Inclusive count of the first function whose name matches $1 (0 when none
# does). The release profile uses LTO, so a function may be inlined into its
# caller: each part names the functions that can stand for it, outermost first.
inclusive() {
    callgrind_annotate --inclusive=yes "$WORK/cg.out" 2>/dev/null \
        | { grep -E "$1" || true; } | head -1 | awk '{gsub(",", "", $1); print $1 + 0}'
}
read=$(inclusive 'nianbao_reader::(formats::read_bytes_as|read_text) \[')
eval=$(inclusive 'nianbao_engine::eval::(CompiledRules::evaluate|evaluate_planned) \[')
[[ -n $read && -n $eval && $read -gt 0 && $eval -gt 0 ]] || {
    echo "error: the reader's or the evaluation's entry point is not in the profile (inlined?)" >&2
    exit 2
}

awk -v n="$N" -v t="$total" -v r="$read" -v e="$eval" 'BEGIN {
    printf "reports:                 %d\n", n
    printf "instructions in all:     %.0f (%.2f M per report)\n", t, t / n / 1e6
    printf "  reading per report:    %.2f M\n", r / n / 1e6
    printf "  evaluation per report: %.2f M\n", e / n / 1e6
    printf "  the rest per report:   %.2f M (process start, rules compiled and planned once, files, output)\n", (t - r - e) / n / 1e6
}'
