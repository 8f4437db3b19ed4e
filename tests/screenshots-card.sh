#!/bin/sh
# Screenshots of the CPS card login in the real window under Xvfb:
#   assets/screenshots/lock-screen.png   a card account, the card out: locked
#   assets/screenshots/pin-dialog.png    the card in: the PIN dialog, the holder
#                                        read from the card, the tries it reports
#   assets/screenshots/pin-refused.png   a wrong PIN: what the token tells of the
#                                        tries left
# The card is made of two halves, as in the test suite: a private pcscd with
# the vpcd virtual reader and a small virtual CPS3 (CPx application, PIN
# status 3 tries), and its keys and holder certificate on a SoftHSM2 token.
#
# Needs root (pcscd always uses /run/pcscd) and the Debian packages xvfb,
# xdotool, imagemagick, pcscd, vsmartcard-vpcd, softhsm2, opensc, openssl and
# python3. Usage:
#   cargo build --release && tests/screenshots-card.sh [path/to/caducee]
# WAIT (seconds, default 2) is the pause after each action.
set -eu
BIN=${1:-target/release/caducee}
OUT=assets/screenshots
WAIT=${WAIT:-2}
DISPLAY_NUM=${CADUCEE_XVFB_DISPLAY:-96}
WORK=$(mktemp -d)
MODULE=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$OUT"

# shellcheck source=tests/xvfb.sh
. "$(dirname "$0")/xvfb.sh"
PCSCD_PID=
CARD_PID=
stop_card() {
    if [ -n "$CARD_PID" ]; then kill "$CARD_PID" 2>/dev/null || true; fi
    if [ -n "$PCSCD_PID" ]; then kill "$PCSCD_PID" 2>/dev/null || true; fi
    cleanup
}
trap stop_card EXIT

# One pcscd at a time: the test suite's lock.
exec 9>"${TMPDIR:-/tmp}/caducee-test-pcscd.lock"
flock 9

# The token: the holder's authentication key and certificate (CKA_ID 0x0120).
export SOFTHSM2_CONF="$WORK/softhsm2.conf"
mkdir -p "$WORK/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label "CPS DUPONT" --so-pin 87654321 --pin 1234 >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout "$WORK/key.pem" \
    -subj "/C=FR/O=CABINET DU DR DUPONT/OU=10B0123456/title=Médecin/CN=810002813839+SN=DUPONT+GN=JEAN" \
    -multivalue-rdn -utf8 -outform DER -out "$WORK/cert.der" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$WORK/key.pem" -out "$WORK/key8.pem"
softhsm2-util --import "$WORK/key8.pem" --token "CPS DUPONT" --label auth --id 0120 --pin 1234 >/dev/null
pkcs11-tool --module "$MODULE" --login --pin 1234 --write-object "$WORK/cert.der" \
    --type cert --id 0120 --label "Certificat d'Authentification CPS" >/dev/null

# The reader: vpcd in a private pcscd.
PORT=35963
mkdir -p "$WORK/reader.conf.d"
printf 'FRIENDLYNAME "Lecteur CPS"\nDEVICENAME   /dev/null:0x%04X\nLIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    0x%04X\n' \
    "$PORT" "$PORT" >"$WORK/reader.conf.d/vpcd"
pcscd -f -a -d -c "$WORK/reader.conf.d" >"$WORK/pcscd.log" 2>&1 &
PCSCD_PID=$!
until grep -q "daemon ready" "$WORK/pcscd.log" 2>/dev/null; do sleep 0.1; done

# A CPS3 speaking vpcd's protocol: SELECT of the CPx application 9000, the
# PIN's state (VERIFY without data) 63C3.
cat >"$WORK/card.py" <<'EOF'
import socket, struct, sys, time
ATR = bytes.fromhex("3BAC00402A001225006480000310009000")
AID = bytes.fromhex("E828BD080F8025000001FF0010")
while True:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        break
    except OSError:
        time.sleep(0.1)
def read(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit(0)
        b += c
    return b
while True:
    msg = read(struct.unpack(">H", read(2))[0])
    if len(msg) == 1:
        if msg[0] != 4:
            continue
        out = ATR
    elif msg[:4] == b"\x00\xa4\x04\x00":
        out = b"\x90\x00" if msg[5:5 + msg[4]] == AID else b"\x6a\x82"
    elif msg[:2] == b"\x00\x20" and len(msg) == 4:
        out = b"\x63\xc3"
    else:
        out = b"\x6d\x00"
    s.sendall(struct.pack(">H", len(out)) + out)
EOF

# A card account in a fresh store (no server is reached: the window stays locked).
export CADUCEE_STORE_KEY=$(printf 'cd%.0s' $(seq 32))
"$BIN" --data-dir "$WORK/data" account add --name "Dr Dupont" \
    --address jean.dupont@medecin.mssante.fr --imap-host 127.0.0.1 --smtp-host 127.0.0.1 \
    --auth cps --pkcs11-module "$MODULE" >/dev/null

pause() { sleep "$WAIT"; }
typed() { xdotool type --delay 80 "$1"; pause; }
shot() {
    xdotool mousemove 1279 799
    xdotool windowsize "$WID" 1280 799
    pause
    xdotool windowsize "$WID" 1280 800
    pause
    import -window root "$WORK/shot.png"
    convert "$WORK/shot.png" -strip -colors 64 -define png:compression-level=9 "$OUT/$1"
    echo "wrote $OUT/$1"
}

"$BIN" --data-dir "$WORK/data" >"$WORK/app.log" 2>&1 &
APP_PID=$!
until WID=$(xdotool search --name 'Caduc' 2>/dev/null | head -n 1) && [ -n "$WID" ]; do
    sleep 0.05
done
xdotool windowfocus --sync "$WID"
pause
pause

# 1. No card: the lock screen.
shot lock-screen.png

# 2. The card in: the PIN dialog; two digits typed (masked).
python3 "$WORK/card.py" "$PORT" &
CARD_PID=$!
pause
pause
typed '12'
shot pin-dialog.png

# 3. A wrong PIN (the token's PIN is 1234).
typed '00'
xdotool key Return
pause
shot pin-refused.png
