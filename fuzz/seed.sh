#!/bin/sh
# Fill fuzz/corpus/<target>/ with seeds: the repository's fixtures (as
# UTF-8, GB18030 and UTF-16), their JSON reports, the built-in rule files,
# and the small hand-written seeds under fuzz/seeds/.
# NIANBAO=path/to/nianbao uses a built binary instead of `cargo run`.
set -eu
cd "$(dirname "$0")"
nianbao() {
    if [ -n "${NIANBAO:-}" ]; then "$NIANBAO" "$@"; else cargo run -q --manifest-path ../Cargo.toml -- "$@"; fi
}
mkdir -p corpus/read_text corpus/read_json corpus/compile_rules
for f in ../tests/fixtures/*.txt; do
    b=$(basename "$f" .txt)
    cp "$f" "corpus/read_text/$b.txt"
    iconv -f UTF-8 -t GB18030 "$f" >"corpus/read_text/$b.gb18030.txt"
    iconv -f UTF-8 -t UTF-16 "$f" >"corpus/read_text/$b.utf16.txt"
    nianbao extract --format json "$f" >"corpus/read_json/$b.json" 2>/dev/null
done
cp seeds/read_text/* corpus/read_text/
cp ../rules/*.rules seeds/compile_rules/* corpus/compile_rules/
