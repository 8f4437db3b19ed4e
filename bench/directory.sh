#!/usr/bin/env bash
# Directory benchmark: generate a 536,000-row Extraction_Correspondance_MSSante
# file, import it (time and peak memory with /usr/bin/time -v), import it again
# (a re-import replacing the data), then generate and import a PS_LibreAcces
# file describing the same professionals (RPPS enrichment), then measure
# search and autocomplete latency over 1,000 varied queries.
#
#   bench/directory.sh [ROWS] [QUERIES] [PS_ROWS]     (PS_ROWS 0: no PS_LibreAcces)
#
# Targets: import <= 10 s and <= 300 MB RSS; p99 <= 5 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-536000}
QUERIES=${2:-1000}
PS_ROWS=${3:-2000000}

cargo build --release --quiet --bin caducee --example gen_directory --example bench_directory

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FILE="$WORK/Extraction_Correspondance_MSSante_202611230455.txt"
PS="$WORK/PS_LibreAcces_Personne_activite_202611230455.txt"
DATA="$WORK/data"

target/release/examples/gen_directory "$FILE" "$ROWS"
echo "file: $(du -h "$FILE" | cut -f1)"

measure() {
    /usr/bin/time -v target/release/caducee --data-dir "$DATA" directory import "$1" \
        >"$WORK/out.txt" 2>"$WORK/time.txt"
    head -3 "$WORK/out.txt"
    grep -E "Elapsed \(wall clock\)|Maximum resident set size" "$WORK/time.txt"
}
files() {
    echo "directory files: $(cd "$DATA" && du -bc directory* | tail -1 | cut -f1) bytes ($(cd "$DATA" && ls directory* | tr '\n' ' '))"
}

echo "== first import"
measure "$FILE"
files
echo "== re-import (a new data file swapped in, the old one deleted)"
measure "$FILE"
files
if [ "$PS_ROWS" -gt 0 ]; then
    target/release/examples/gen_directory --ps-libreacces "$PS" "$FILE" "$PS_ROWS"
    echo "PS_LibreAcces file: $(du -h "$PS" | cut -f1)"
    echo "== PS_LibreAcces import (RPPS enrichment)"
    measure "$PS"
    files
fi

echo "== search latency"
target/release/examples/bench_directory "$DATA" "$QUERIES" 7 ${SLOW:+--slow}
