#!/usr/bin/env bash
# Check an AppDir made by make-appdir.sh: desktop file (desktop-file-validate),
# AppStream metadata (appstreamcli, when installed), icons, AppRun, libraries, and
# that the bundled binary starts through AppRun.
#   check-appdir.sh APPDIR
set -euo pipefail
appdir="${1:?usage: check-appdir.sh APPDIR}"
fail() { echo "check-appdir: $*" >&2; exit 1; }

[ -x "$appdir/AppRun" ] || fail "AppRun missing or not executable"
[ -x "$appdir/usr/bin/caducee" ] || fail "usr/bin/caducee missing"
desktop-file-validate "$appdir/caducee.desktop"
grep -qx 'Exec=caducee' "$appdir/caducee.desktop" || fail "the desktop file must run caducee"
grep -qx 'Icon=caducee' "$appdir/caducee.desktop" || fail "the desktop file must name the caducee icon"
[ -e "$appdir/.DirIcon" ] && [ -s "$appdir/caducee.png" ] || fail "top-level icon or .DirIcon missing"
for size in 16 24 32 48 64 128 256 512; do
  png="$appdir/usr/share/icons/hicolor/${size}x${size}/apps/caducee.png"
  [ -s "$png" ] || fail "icon $png missing"
  # A PNG's width and height are the big-endian words at bytes 16..23.
  dims="$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $3*256+$4 "x" $7*256+$8 }')"
  [ "$dims" = "${size}x${size}" ] || fail "icon $png is $dims, not ${size}x${size}"
done
[ -s "$appdir/usr/share/icons/hicolor/scalable/apps/caducee.svg" ] || fail "scalable icon missing"
metainfo="$appdir/usr/share/metainfo/fr.caducee.Caducee.metainfo.xml"
[ -s "$metainfo" ] || fail "AppStream metainfo missing"
grep -q '<launchable type="desktop-id">caducee.desktop</launchable>' "$metainfo" \
  || fail "the metainfo must launch caducee.desktop"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$metainfo"
else
  echo "appstreamcli not installed: AppStream metadata not validated" >&2
fi
if LD_LIBRARY_PATH="$appdir/usr/lib" ldd "$appdir/usr/bin/caducee" | grep -q 'not found'; then
  fail "a library is missing: $(LD_LIBRARY_PATH="$appdir/usr/lib" ldd "$appdir/usr/bin/caducee" | grep 'not found')"
fi
version="$(env -u DISPLAY -u WAYLAND_DISPLAY "$appdir/AppRun" --version)"
echo "AppRun --version: $version"
[[ "$version" == "caducee "* ]] || fail "AppRun --version printed '$version'"
echo "AppDir ok: $appdir"
