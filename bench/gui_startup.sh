#!/bin/sh
# Start-up of the desktop client over a 100,000-message store, under Xvfb:
#   - time to the window being mapped,
#   - time to the first page of the message list (logged by the client),
#   - resident memory then, and after scrolling far down the list.
# Needs the Debian packages xvfb and xdotool, and python3. Usage:
#   cargo build --release && bench/gui_startup.sh [path/to/caducee] [messages]
#
# Measured on the 2-core build machine (release build, Xvfb, tiny-skia,
# 100,000 messages, page cache dropped): import 25.7 s; window mapped 0.54 s;
# first page of the list 1357 ms after process start (store opening included);
# RSS 29.0 MB after the first page, 30.3 MB after 5,000 wheel steps (peak 30.3 MB).
set -eu

BIN=${1:-target/release/caducee}
N=${2:-100000}
DISPLAY_NUM=${CADUCEE_XVFB_DISPLAY:-96}
WORK=$(mktemp -d)
CADUCEE_STORE_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export CADUCEE_STORE_KEY

# shellcheck source=tests/xvfb.sh
. "$(dirname "$0")/../tests/xvfb.sh"

python3 "$(dirname "$0")/make_mbox.py" "$N" >"$WORK/big.mbox"
t0=$(date +%s.%N)
"$BIN" --data-dir "$WORK/data" import "$WORK/big.mbox" --folder INBOX
t1=$(date +%s.%N)
echo "import of $N messages: $(echo "$t1 - $t0" | bc) s"
ls -l "$WORK/data/caducee.db" | awk '{print "store size: " $5 " bytes"}'
# Drop the page cache of the store when allowed, for a cold start.
sync; (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null || echo "(page cache not dropped: not root)"

rss() { awk '/^VmRSS/ {print $2 " kB"}' "/proc/$APP_PID/status"; }

start=$(date +%s.%N)
CADUCEE_LOG=caducee=info "$BIN" --data-dir "$WORK/data" >"$WORK/app.log" 2>&1 &
APP_PID=$!
# Poll every 20 ms (xdotool's own --sync polls every half second).
until WID=$(xdotool search --name 'Caduc' 2>/dev/null | head -n 1) && [ -n "$WID" ]; do
    sleep 0.02
done
mapped=$(date +%s.%N)
echo "window mapped after: $(echo "$mapped - $start" | bc) s (polled every 20 ms)"
i=0
until grep -q "first frame drawn" "$WORK/app.log"; do
    i=$((i + 1))
    [ "$i" -gt 600 ] && { echo "no first frame after 60 s"; cat "$WORK/app.log"; exit 1; }
    sleep 0.05
done
sed 's/\x1b\[[0-9;]*m//g' "$WORK/app.log" |
    sed -n -e 's/.*first view built elapsed_ms=\([0-9]*\).*/first view built after: \1 ms (from process start, logged by the client)/p' \
        -e 's/.*first frame drawn elapsed_ms=\([0-9]*\).*/first frame drawn after: \1 ms (the first redraw of the window)/p' \
        -e 's/.*window open elapsed_ms=\([0-9]*\).*/window open event after: \1 ms/p'
i=0
until grep -q "first page of the message list ready" "$WORK/app.log"; do
    i=$((i + 1))
    [ "$i" -gt 600 ] && { echo "no first page after 60 s"; cat "$WORK/app.log"; exit 1; }
    sleep 0.1
done
sed 's/\x1b\[[0-9;]*m//g' "$WORK/app.log" |
    sed -n 's/.*first page of the message list ready elapsed_ms=\([0-9]*\).*/first page of the list after: \1 ms (from process start, logged by the client)/p'
sleep 1
echo "RSS after the first page: $(rss)"

# Scroll down the list with the mouse wheel (5,000 steps), then measure again.
xdotool windowfocus --sync "$WID"
xdotool mousemove 450 400
s0=$(date +%s.%N)
xdotool click --repeat 5000 --delay 1 5
s1=$(date +%s.%N)
sleep 2
echo "5000 wheel steps sent in $(echo "$s1 - $s0" | bc) s"
echo "RSS after scrolling: $(rss)"
awk '/^VmHWM/ {print "peak RSS: " $2 " kB"}' "/proc/$APP_PID/status"
