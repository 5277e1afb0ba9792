#!/usr/bin/env bash
# bench/exporters.sh: how well nianbao reads the exporter matrix
# (tests/fixtures/exporters, made by tools/exporters): files read exactly and
# cells right, per tool and per source, and the count of wrong or silently
# missing cells (which must be 0: a cell is read right or said not read).
# The table closing notes quote.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test exporters matrix_table -- --nocapture 2>&1 \
    | grep -v -E '^(running|test |$)|test result'
