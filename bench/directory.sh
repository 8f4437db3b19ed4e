#!/usr/bin/env bash
# Directory benchmark: generate a 536,000-row Extraction_Correspondance_MSSante
# file, import it (time and peak memory with /usr/bin/time -v), import it again
# (a re-import replacing the data), then measure search and autocomplete
# latency over 1,000 varied queries.
#
#   bench/directory.sh [ROWS] [QUERIES]
#
# Targets: import <= 10 s and <= 300 MB RSS; p99 <= 5 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-536000}
QUERIES=${2:-1000}

cargo build --release --quiet --bin caducee --example gen_directory --example bench_directory

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FILE="$WORK/Extraction_Correspondance_MSSante_202611230455.txt"
DATA="$WORK/data"

target/release/examples/gen_directory "$FILE" "$ROWS"
echo "file: $(du -h "$FILE" | cut -f1)"

measure() {
    /usr/bin/time -v target/release/caducee --data-dir "$DATA" directory import "$1" \
        >"$WORK/out.txt" 2>"$WORK/time.txt"
    head -3 "$WORK/out.txt"
    grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$WORK/time.txt"
}

echo "== first import"
measure "$FILE"
echo "== re-import (replaces the data atomically)"
measure "$FILE"
echo "directory.db: $(du -h "$DATA/directory.db" | cut -f1)"

echo "== search latency"
target/release/examples/bench_directory "$DATA" "$QUERIES"
