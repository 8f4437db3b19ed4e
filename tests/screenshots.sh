#!/bin/sh
# Screenshots of the real window under Xvfb (software rendering, no GPU):
#   assets/screenshots/mailbox.png          the three panes over the demo mailbox
#                                           (an IHE XDM message open)
#   assets/screenshots/composer.png         the composer with a refused recipient
#   assets/screenshots/mailbox-dark-150.png dark theme, 150 %, English
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

# The demo mailbox, with a few more fictional messages.
"$BIN" --data-dir "$WORK/data" --demo import tests/fixtures/gui --folder INBOX >/dev/null

pause() { sleep "$WAIT"; }
key() { xdotool key "$@"; pause; }
click() { xdotool mousemove "$1" "$2" click 1; pause; }
shot() {
    xdotool mousemove 1279 799
    pause
    import -window root "$WORK/shot.png"
    # 64 colours keep the flat interface exact and the file small.
    convert "$WORK/shot.png" -strip -colors 64 -define png:compression-level=9 "$OUT/$1"
    echo "wrote $OUT/$1"
}

"$BIN" --data-dir "$WORK/data" --demo >"$WORK/app.log" 2>&1 &
APP_PID=$!
WID=$(xdotool search --sync --name 'Caduc' | head -n 1)
xdotool windowfocus --sync "$WID"
pause
pause

# 1. Three panes: open the XDM message (the oldest, sixth row) with the mouse;
#    the others stay unread (bold).
click 450 382
shot mailbox.png

# 2. Composer: Ctrl+N, a subject, then a malformed recipient (refused, red)
#    and an address that cannot be verified while no whitelist is loaded (amber).
key ctrl+n
click 1000 286
xdotool type --delay 30 'Compte rendu de consultation'
click 1000 124
xdotool type --delay 30 'dupont.chu-lyon'
key Return
xdotool type --delay 30 'j.martin@gmail.com'
key Return
shot composer.png
key Escape

# 3. Settings: dark theme, 150 %, English; then the mailbox again.
click 1218 24
click 114 216
click 189 281
click 435 226
click 85 477
key j
shot mailbox-dark-150.png
