#!/usr/bin/env bash
# Build Caducée's DMG on macOS: assemble the .app, sign it, pack it with hdiutil,
# notarise and staple it. Signing and notarisation are settings, skipped when unset:
#   MACOS_SIGN_IDENTITY   codesign identity, e.g. "Developer ID Application: NAME (TEAMID)"
#   MACOS_ENTITLEMENTS    optional entitlements plist for codesign
#   MACOS_NOTARY_PROFILE  notarytool keychain profile (xcrun notarytool store-credentials)
# Usage: build-dmg.sh BINARY [OUT_DIR]   (BINARY: target/release/caducee or a lipo'd universal one)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:?usage: build-dmg.sh BINARY [OUT_DIR]}"
out="${2:-$root/target/packaging/macos}"
[ "$(uname -s)" = Darwin ] || { echo "build-dmg.sh needs macOS (hdiutil, codesign)" >&2; exit 2; }
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1)"

stage="$out/dmg-root"
rm -rf "$stage"
mkdir -p "$stage"
app="$("$here/make-bundle.sh" "$binary" "$stage")"
python3 "$here/check-bundle.py" "$app"
plutil -lint "$app/Contents/Info.plist"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  sign=(codesign --force --timestamp --options runtime --sign "$MACOS_SIGN_IDENTITY")
  [ -z "${MACOS_ENTITLEMENTS:-}" ] || sign+=(--entitlements "$MACOS_ENTITLEMENTS")
  "${sign[@]}" "$app"
  codesign --verify --strict --verbose=2 "$app"
else
  echo "MACOS_SIGN_IDENTITY unset: the app is not signed (Gatekeeper will warn)" >&2
fi

ln -s /Applications "$stage/Applications"
dmg="$out/Caducee-$version.dmg"
rm -f "$dmg"
hdiutil create -volname "Caducée" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
else
  echo "MACOS_NOTARY_PROFILE unset: the DMG is not notarised" >&2
fi
hdiutil verify "$dmg"
echo "$dmg"
