#!/usr/bin/env bash
# Run Caducée's whole test suite on a fresh Debian/Ubuntu machine: install the
# servers the integration tests start (as private instances on loopback), then
# run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need (servers run from private configs, never as services).
PACKAGES=(
  pkg-config perl make                      # SQLCipher and its vendored OpenSSL
  dovecot-core dovecot-imapd                # IMAP server (sync, send, documents tests)
  dovecot-submissiond dovecot-lmtpd         # SMTP submission relaying to LMTP delivery
  fontconfig fonts-dejavu-core              # the headless interface tests render text
  softhsm2 opensc openssl                   # a PKCS#11 token standing in for the CPS card; PKCS#12 files
  pcscd vsmartcard-vpcd                     # PC/SC service with a virtual reader (card tests)
  dnsmasq-base                              # a private DNS server for SRV discovery tests
  gnome-keyring dbus-daemon libsecret-tools curl  # a private Secret Service; curl as the browser (PSC CLI test)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # Do not start packaged daemons while installing: the tests start their own.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ -z "$policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

cargo test --all-targets --no-fail-fast -- --test-threads="${CADUCEE_TEST_THREADS:-2}"
