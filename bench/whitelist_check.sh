#!/usr/bin/env bash
# Time `caducee whitelist check` on 10,000 recipients (about 60 % allowed, 40 %
# refused for many reasons) with the release binary, against the shipped list.
# Usage: bench/whitelist_check.sh [runs]   (default 5 runs; prints each, then min and median)
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS="${1:-5}"
BIN=target/release/caducee
LIST=assets/whitelist/listeblanchemssante_full_6554_20250313.xml

cargo build --release --quiet
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export CADUCEE_DATA_DIR="$WORK/data"
CADUCEE_STORE_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export CADUCEE_STORE_KEY
export CADUCEE_LOG=error

# 10,000 inputs: listed domains typed in the usual forms, and refusals.
grep -o '<Nom>[^<]*</Nom>' "$LIST" | sed 's/<[^>]*>//g' | grep -v '@' | sort -u > "$WORK/domains"
awk -v n=10000 '
  { d[NR] = $0 }
  END {
    for (i = 0; i < n; i++) {
      x = d[(i * 7919) % NR + 1]
      k = i % 10
      if (k == 0)      print "jean.dupont" i "@" x
      else if (k == 1) print "Dr Jean Dupont <j.dupont" i "@" toupper(x) ">"
      else if (k == 2) print "\"Dupont, Jean\" <secretariat@" x ".>"
      else if (k == 3) print "cardio+" i "@" x
      else if (k == 4) print "<accueil@" x ">"
      else if (k == 5) print "x" i "@evil-" x
      else if (k == 6) print "\"a@" x "\" <x" i "@gmail.com>"
      else if (k == 7) print "x%gmail.com@" x
      else if (k == 8) print "@relay.net,@" x ":x" i "@gmail.com"
      else             print "x" i "@" x ".evil.com"
    }
  }' "$WORK/domains" > "$WORK/addresses"
TOTAL=$(wc -l < "$WORK/addresses")

# First run: imports the shipped list into a fresh store (timed apart).
FIRST_START=$(date +%s%N)
"$BIN" whitelist info > /dev/null 2>&1
FIRST_MS=$(( ($(date +%s%N) - FIRST_START) / 1000000 ))

times=()
for _ in $(seq "$RUNS"); do
  start=$(date +%s%N)
  set +e
  "$BIN" whitelist check - < "$WORK/addresses" > "$WORK/out" 2> /dev/null
  rc=$?
  set -e
  end=$(date +%s%N)
  [ "$rc" = 1 ] || { echo "unexpected exit code $rc" >&2; exit 2; }
  times+=($(( (end - start) / 1000000 )))
done
ALLOWED=$(grep -c '^allowed' "$WORK/out" || true)
REFUSED=$(grep -c '^refused' "$WORK/out" || true)
SORTED=($(printf '%s\n' "${times[@]}" | sort -n))
MEDIAN=${SORTED[$(( ${#SORTED[@]} / 2 ))]}

echo "inputs:        $TOTAL ($ALLOWED allowed, $REFUSED refused)"
echo "first run:     ${FIRST_MS} ms (fresh store: shipped list imported)"
echo "check runs ms: ${times[*]}"
echo "min:           ${SORTED[0]} ms"
echo "median:        ${MEDIAN} ms (target: under 1000 ms)"
