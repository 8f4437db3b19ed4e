#!/usr/bin/env bash
# Sync benchmark: caducee sync against mbsync + notmuch new, same mailbox,
# same private Dovecot over TLS on 127.0.0.1.
#
#   bench/sync.sh [N]      N messages (default 10000; ~170 KB each on average)
#
# Needs: dovecot-imapd, isync (mbsync), notmuch, openssl, python3, GNU time.
# Times: initial full sync (+ notmuch new for mbsync), headers-only listing,
# no-change resync, and 100 new messages; peak RSS of each run.
set -euo pipefail

N=${1:-10000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GEN=${GEN_CORPUS:-/work/shared/tools/gen_corpus.py}
WORK=$(mktemp -d /tmp/caducee-bench.XXXXXX)
chmod 755 "$WORK"
DOVECOT_PID=""
cleanup() {
  if [ -n "$DOVECOT_PID" ]; then kill "$DOVECOT_PID" 2>/dev/null || true; fi
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== building caducee (release)"
(cd "$ROOT" && cargo build --release --quiet)
BIN=$ROOT/target/release/caducee

if [ "$(id -u)" = 0 ]; then
  MAIL_USER=dovecot; LOGIN_USER=dovenull
else
  MAIL_USER=$(id -un); LOGIN_USER=$MAIL_USER
fi
MAIL_GROUP=$(id -gn "$MAIL_USER")
OWNER="$(id -u "$MAIL_USER"):$(id -g "$MAIL_USER")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)

echo "== TLS: a private CA and a certificate for localhost"
mkdir -p "$WORK"/{tls,run,state,log,mail/bench}
(
  cd "$WORK/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout ca.key -out ca.crt -subj "/CN=Bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
    -out server.csr -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
    -extfile ext -out server.crt 2>/dev/null
)

echo "== corpus: $N messages"
T0=$(date +%s.%N)
python3 "$GEN" "$N" "$WORK/mail/bench/Maildir" --chown "$OWNER" >/dev/null
chown -R "$OWNER" "$WORK/mail"
echo "   $(du -sh "$WORK/mail/bench/Maildir" | cut -f1) in $(python3 -c "print(round($(date +%s.%N)-$T0,1))") s"
echo 'bench:{PLAIN}bench-password::::::' > "$WORK/users"

cat > "$WORK/dovecot.conf" <<EOF
instance_name = caducee-bench
base_dir = $WORK/run
state_dir = $WORK/state
log_path = $WORK/log/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = $LOGIN_USER
default_internal_user = $MAIL_USER
default_internal_group = $MAIL_GROUP
first_valid_uid = 0
first_valid_gid = 0
ssl = required
ssl_cert = <$WORK/tls/server.crt
ssl_key = <$WORK/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $WORK/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $WORK/users
  default_fields = uid=$MAIL_USER gid=$MAIL_GROUP home=$WORK/mail/%n mail=maildir:~/Maildir
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
protocol imap {
  mail_max_userip_connections = 50
}
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
EOF
dovecot -c "$WORK/dovecot.conf"
for _ in $(seq 100); do [ -s "$WORK/run/master.pid" ] && break; sleep 0.1; done
DOVECOT_PID=$(cat "$WORK/run/master.pid")
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

echo "== warming Dovecot's index and the page cache (not timed)"
doveadm -c "$WORK/dovecot.conf" fetch -u bench "uid flags date.received size.virtual imap.bodystructure hdr text" mailbox INBOX > /dev/null

# --- runners: print "seconds peak_rss_kib"
timed() { /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2> "$WORK/err" || { cat "$WORK/err" >&2; return 1; }; cat "$WORK/time" | tail -1; }

mkdir -p "$WORK/mbsync/INBOX"
cat > "$WORK/mbsyncrc" <<EOF
IMAPAccount bench
Host localhost
Port $PORT
User bench
Pass bench-password
SSLType IMAPS
CertificateFile $WORK/tls/ca.crt

IMAPStore remote
Account bench

MaildirStore local
Path $WORK/mbsync/
Inbox $WORK/mbsync/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns *
Create Near
SyncState *
EOF
cat > "$WORK/notmuch-config" <<EOF
[database]
path=$WORK/mbsync
[user]
name=Bench
primary_email=bench@localhost
[new]
tags=unread;inbox;
ignore=.mbsyncstate;.uidvalidity;.mbsyncstate.journal;.mbsyncstate.new;.mbsyncstate.lock
[maildir]
synchronize_flags=true
EOF
export NOTMUCH_CONFIG=$WORK/notmuch-config
MBSYNC=(mbsync -c "$WORK/mbsyncrc" -a -q)

export CADUCEE_DATA_DIR=$WORK/caducee
export CADUCEE_STORE_KEY=$(openssl rand -hex 32)
export CADUCEE_PASSWORD=bench-password
"$BIN" account add --name Bench --address bench@localhost --imap-host localhost \
  --imap-port "$PORT" --imap-security tls --smtp-host localhost --smtp-port 587 \
  --smtp-security starttls --auth password --username bench --extra-ca "$WORK/tls/ca.crt" > /dev/null

echo "== initial sync"
read -r MB_T MB_M <<< "$(timed "${MBSYNC[@]}")"
echo "   mbsync:                 ${MB_T} s  (peak RSS $((MB_M/1024)) MB)"
read -r NM_T NM_M <<< "$(timed notmuch new)"
echo "   notmuch new:            ${NM_T} s  (peak RSS $((NM_M/1024)) MB)"
read -r CA_T CA_M <<< "$(timed "$BIN" sync)"
echo "   caducee sync:           ${CA_T} s  (peak RSS $((CA_M/1024)) MB)   [$(cat "$WORK/out")]"

echo "== headers only, into an empty store"
HDR_DIR=$WORK/caducee-headers
read -r H_T H_M <<< "$(CADUCEE_DATA_DIR=$HDR_DIR bash -c '"$0" account add --name B --address bench@localhost --imap-host localhost --imap-port '"$PORT"' --imap-security tls --smtp-host localhost --smtp-port 587 --smtp-security starttls --auth password --username bench --extra-ca '"$WORK/tls/ca.crt"' >/dev/null' "$BIN"; CADUCEE_DATA_DIR=$HDR_DIR timed "$BIN" sync --headers-only)"
echo "   caducee sync --headers-only: ${H_T} s  (peak RSS $((H_M/1024)) MB)"

echo "== no-change resync"
read -r MB0_T _ <<< "$(timed "${MBSYNC[@]}")"
read -r NM0_T _ <<< "$(timed notmuch new)"
read -r CA0_T CA0_M <<< "$(timed "$BIN" sync)"
echo "   mbsync: ${MB0_T} s   notmuch new: ${NM0_T} s   caducee: ${CA0_T} s"

echo "== 100 new messages"
python3 "$GEN" 100 "$WORK/mail/bench/Maildir" --start "$N" --deliver-new --chown "$OWNER" > /dev/null
read -r MB1_T _ <<< "$(timed "${MBSYNC[@]}")"
read -r NM1_T _ <<< "$(timed notmuch new)"
read -r CA1_T CA1_M <<< "$(timed "$BIN" sync)"
echo "   mbsync: ${MB1_T} s   notmuch new: ${NM1_T} s   caducee: ${CA1_T} s"

STORE_SIZE=$(du -sh "$WORK/caducee" | cut -f1)
MAILDIR_SIZE=$(du -sh "$WORK/mbsync" | cut -f1)
python3 - "$N" "$MB_T" "$NM_T" "$CA_T" "$H_T" "$MB0_T" "$NM0_T" "$CA0_T" "$MB1_T" "$NM1_T" "$CA1_T" \
  "$CA_M" "$H_M" "$CA0_M" "$CA1_M" "$STORE_SIZE" "$MAILDIR_SIZE" <<'EOF'
import sys
a = sys.argv[1:]
n = int(a[0]); mb, nm, ca, hd, mb0, nm0, ca0, mb1, nm1, ca1 = map(float, a[1:11])
rss = max(map(int, a[11:15])) / 1024
print()
print(f"== results for {n} messages")
print(f"full sync+index: caducee {ca:.2f} s vs mbsync+notmuch {mb+nm:.2f} s -> ratio {ca/(mb+nm):.2f} (target <= 0.5)")
print(f"headers listed:  {hd:.2f} s (target <= 2 s for 10k)")
print(f"no-change:       caducee {ca0:.2f} s vs mbsync {mb0:.2f} s -> ratio {ca0/max(mb0,0.001):.2f} (target <= 1); with notmuch {mb0+nm0:.2f} s")
print(f"100 new:         caducee {ca1:.2f} s vs mbsync+notmuch {mb1+nm1:.2f} s -> ratio {ca1/max(mb1+nm1,0.001):.2f}")
print(f"peak RSS caducee: {rss:.0f} MB (target <= 200 MB)")
print(f"disk: caducee store {a[15]}, mbsync Maildir+notmuch {a[16]}")
EOF
