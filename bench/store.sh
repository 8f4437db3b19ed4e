#!/usr/bin/env bash
# Store benchmark: import of the generated corpus (messages/s, peak RSS), then search
# latency (median, p99) over 10k and 100k messages.
#
#   bench/store.sh [N]     (N = corpus size, default 10000; work dir $BENCH_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
BENCH_DIR=${BENCH_DIR:-/tmp/caducee-bench}
SHARED=${SHARED:-../shared}
CORPUS="$BENCH_DIR/corpus-$N"
export CADUCEE_STORE_KEY=${CADUCEE_STORE_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export CADUCEE_BENCH_CORPUS="$CORPUS"
mkdir -p "$BENCH_DIR"

[ -d "$CORPUS/cur" ] || python3 "$SHARED/tools/gen_corpus.py" "$N" "$CORPUS" --jobs "$(nproc)" >/dev/null
cargo build --release --quiet --bin caducee --example bench_search
BIN=target/release/caducee

echo "== import of $N messages ($(du -shL "$CORPUS" | cut -f1)) =="
rm -rf "$BENCH_DIR/data"
sync
start=$(date +%s.%N)
/usr/bin/time -f "peak RSS %M KB" "$BIN" --data-dir "$BENCH_DIR/data" import "$CORPUS" --folder Corpus
end=$(date +%s.%N)
python3 -c "print(f'import: {$N/($end-$start):.0f} messages/s ({$end-$start:.1f} s)')"

echo "== search over $N messages =="
target/release/examples/bench_search "$BENCH_DIR/data" 1
echo "== search over $((N * 10)) messages (the corpus indexed ten times) =="
target/release/examples/bench_search "$BENCH_DIR/data" 10
