#!/bin/sh
# Screenshots of the real window under Xvfb (software rendering, no GPU), over
# the embedded demo mailbox as a first-time user sees it:
#   assets/screenshots/mailbox.png          the three panes (an IHE XDM message open)
#   assets/screenshots/composer.png         the composer: a directory completion list
#                                           open, a refused recipient in red
#   assets/screenshots/directory.png        the directory window
#   assets/screenshots/mailbox-en-150.png   English, 150 %
# The directory is a small fictional extraction file
# (tests/fixtures/directory/demo-extraction.txt) imported first.
#
# Needs the Debian packages xvfb, xdotool and imagemagick. Usage:
#   cargo build --release && tests/screenshots.sh [path/to/caducee]
# WAIT (seconds, default 2) is the pause after each action: raise it on a busy
# machine or with a debug build.
set -eu
BIN=${1:-target/release/caducee}
OUT=assets/screenshots
WAIT=${WAIT:-2}
DISPLAY_NUM=${CADUCEE_XVFB_DISPLAY:-97}
WORK=$(mktemp -d)
mkdir -p "$OUT"

# shellcheck source=tests/xvfb.sh
. "$(dirname "$0")/xvfb.sh"
sleep 1

# The fictional directory (the demo mailbox itself is embedded).
"$BIN" --data-dir "$WORK/data" directory import tests/fixtures/directory/demo-extraction.txt >/dev/null

pause() { sleep "$WAIT"; }
key() { xdotool key "$@"; pause; }
click() { xdotool mousemove "$1" "$2" click 1; pause; }
typed() { xdotool type --delay 40 "$1"; pause; }
shot() {
    xdotool mousemove 1279 799
    # A size change redraws the whole window (the software renderer only
    # repaints what changed, and can leave a stale line behind).
    xdotool windowsize "$WID" 1280 799
    pause
    xdotool windowsize "$WID" 1280 800
    pause
    import -window root "$WORK/shot.png"
    # 64 colours keep the flat interface exact and the file small.
    convert "$WORK/shot.png" -strip -colors 64 -define png:compression-level=9 "$OUT/$1"
    echo "wrote $OUT/$1"
}

"$BIN" --data-dir "$WORK/data" --demo >"$WORK/app.log" 2>&1 &
APP_PID=$!
until WID=$(xdotool search --name 'Caduc' 2>/dev/null | head -n 1) && [ -n "$WID" ]; do
    sleep 0.05
done
xdotool windowfocus --sync "$WID"
pause
pause

# 1. Three panes: open the IHE XDM message (second row) with the mouse; the
#    others stay unread (bold).
click 450 158
shot mailbox.png

# 2. Composer: Ctrl+N, a subject, a recipient outside the MSSanté space
#    (refused, red), then "mar" in the To field: the directory's completions.
key ctrl+n
click 1000 307
typed 'Avis cardiologique - M. FONTAINE'
click 1000 170
typed 'j.martin@gmail.com'
key Return
typed 'mar'
shot composer.png
key Escape

# 3. The directory window, searched for professionals in Lyon.
click 1114 24
typed 'lyon'
shot directory.png
key Escape

# 4. Settings: 150 %, English; then the mailbox again.
click 1218 24
click 189 281
click 435 226
click 85 477
key j
shot mailbox-en-150.png
