#!/bin/sh
# Frame times of the desktop client while the message list of a 100,000-message
# store is scrolled, under Xvfb with the tiny-skia renderer. The window runs with
# CADUCEE_FRAME_STATS=1: it redraws continuously and logs, each second, the
# median, 95th and 99th percentile and longest time between two frames.
# Scrolled: 3,000 mouse-wheel steps, then 1,000 presses of J (next message,
# which also opens it in the reader), then 300 of Page Down.
# Needs the Debian packages xvfb and xdotool, and python3. Usage:
#   cargo build --release && bench/gui_scroll.sh [path/to/caducee] [messages]
set -eu

BIN=${1:-target/release/caducee}
N=${2:-100000}
DISPLAY_NUM=${CADUCEE_XVFB_DISPLAY:-97}
WORK=$(mktemp -d)
CADUCEE_STORE_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export CADUCEE_STORE_KEY

# shellcheck source=tests/xvfb.sh
. "$(dirname "$0")/../tests/xvfb.sh"

python3 "$(dirname "$0")/make_mbox.py" "$N" >"$WORK/big.mbox"
"$BIN" --data-dir "$WORK/data" import "$WORK/big.mbox" --folder INBOX >/dev/null
rm "$WORK/big.mbox"

CADUCEE_FRAME_STATS=1 CADUCEE_LOG=caducee=info "$BIN" --data-dir "$WORK/data" >"$WORK/app.log" 2>&1 &
APP_PID=$!
until WID=$(xdotool search --name 'Caduc' 2>/dev/null | head -n 1) && [ -n "$WID" ]; do
    sleep 0.05
done
i=0
until grep -q "first page of the message list ready" "$WORK/app.log"; do
    i=$((i + 1))
    [ "$i" -gt 600 ] && { echo "no first page after 60 s"; cat "$WORK/app.log"; exit 1; }
    sleep 0.1
done
sleep 2
xdotool windowfocus --sync "$WID"
xdotool mousemove 450 400

# The summaries logged between two marks (one line per second of frames).
marks() { grep -c "frame times" "$WORK/app.log" || true; }
report() {
    from=$1
    to=$(marks)
    sed 's/\x1b\[[0-9;]*m//g' "$WORK/app.log" | grep "frame times" | sed -n "$((from + 1)),${to}p" |
        sed -n 's/.*frames=\([0-9]*\) p50_ms="\{0,1\}\([0-9.]*\)"\{0,1\} p95_ms="\{0,1\}\([0-9.]*\)"\{0,1\} p99_ms="\{0,1\}\([0-9.]*\)"\{0,1\} max_ms="\{0,1\}\([0-9.]*\)"\{0,1\}.*/\1 \2 \3 \4 \5/p' |
        awk -v what="$2" '{ n += $1; if ($2 > p50) p50 = $2; if ($4 > p99) p99 = $4; if ($5 > max) max = $5; s++ }
            END { printf "%s: %d frames over %d s; worst second: median %.1f ms, p99 %.1f ms; longest frame %.1f ms\n", what, n, s, p50, p99, max }'
}

sleep 2
m=$(marks)
sleep 3
report "$m" "idle (continuous redraw)"

m=$(marks)
xdotool click --repeat 3000 --delay 2 5
sleep 1.5
report "$m" "3000 wheel steps"

m=$(marks)
xdotool key --repeat 1000 --delay 5 j
sleep 1.5
report "$m" "1000 x J (next message, opened)"

m=$(marks)
xdotool key --repeat 300 --delay 20 Next
sleep 1.5
report "$m" "300 x Page Down"

awk '/^VmHWM/ {print "peak RSS: " $2 " kB"}' "/proc/$APP_PID/status"
