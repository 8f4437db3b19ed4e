#!/usr/bin/env bash
# Compare two builds of the directory import and search on the same file,
# run in turn so that the load of a shared machine weighs on both alike.
#
#   bench/directory_compare.sh REF_DIR NEW_DIR [ROWS] [RUNS] [QUERIES]
#
# REF_DIR and NEW_DIR each hold a `caducee` binary and the `bench_directory`
# and `gen_directory` examples of one build (copy target/release/caducee and
# target/release/examples/{bench,gen}_directory aside before a change). Each
# build imports into its own data directory (its data file format may
# differ): a first import, then re-imports (a new file swapped in, with the
# change report). Printed per run: wall, user and system CPU (s), max RSS
# (KB); then the latency table of each build over the same queries.
set -euo pipefail
REF=$(realpath "$1")
NEW=$(realpath "$2")
ROWS=${3:-536000}
RUNS=${4:-2}
QUERIES=${5:-1000}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FILE="$WORK/Extraction_Correspondance_MSSante_202611230455.txt"
"$NEW/gen_directory" "$FILE" "$ROWS" >/dev/null
echo "file: $ROWS rows, $(du -h "$FILE" | cut -f1); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "| run | build | import | wall (s) | user (s) | sys (s) | user+sys (s) | max RSS (KB) |"
echo "|---|---|---|---|---|---|---|---|"
for run in $(seq 1 "$RUNS"); do
    for build in ref new; do
        bin=$REF
        [ "$build" = new ] && bin=$NEW
        data="$WORK/data-$build"
        what=re-import
        [ -e "$data/directory.db" ] || what=first
        /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
            "$bin/caducee" --data-dir "$data" directory import "$FILE" >/dev/null
        read -r wall user sys rss <"$WORK/time"
        cpu=$(echo "$user + $sys" | bc)
        echo "| $run | $build | $what | $wall | $user | $sys | $cpu | $rss |"
    done
done
echo "load average after the imports: $(cut -d' ' -f1-3 /proc/loadavg)"
for build in ref new; do
    bin=$REF
    [ "$build" = new ] && bin=$NEW
    echo "== search latency, $build build"
    "$bin/bench_directory" "$WORK/data-$build" "$QUERIES" 7 ${SLOW:+--slow}
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
