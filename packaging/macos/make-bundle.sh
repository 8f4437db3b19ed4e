#!/usr/bin/env bash
# Assemble Caducée.app from a built macOS binary. Runs on macOS and Linux (the
# layout is checked on Linux by check-bundle.py; build-dmg.sh signs and packs it).
#   make-bundle.sh BINARY OUT_DIR
# Layout:
#   Caducée.app/Contents/Info.plist          (version from Cargo.toml)
#   Caducée.app/Contents/PkgInfo
#   Caducée.app/Contents/MacOS/caducee       (the binary)
#   Caducée.app/Contents/Resources/caducee.icns
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:?usage: make-bundle.sh BINARY OUT_DIR}"
out="${2:?usage: make-bundle.sh BINARY OUT_DIR}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"

app="$out/Caducée.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
sed "s/@VERSION@/$version/g" "$here/Info.plist" >"$app/Contents/Info.plist"
printf 'APPL????' >"$app/Contents/PkgInfo"
install -m 755 "$binary" "$app/Contents/MacOS/caducee"
install -m 644 "$root/assets/icons/caducee.icns" "$app/Contents/Resources/caducee.icns"
echo "$app"
