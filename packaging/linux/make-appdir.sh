#!/usr/bin/env bash
# Assemble and check Caducée's AppDir (what appimagetool squashes into an AppImage).
#   make-appdir.sh BINARY APPDIR
# Bundles the shared libraries the binary links that are not part of every desktop
# system (glibc and the display stack are taken from the host, as AppImages do).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:?usage: make-appdir.sh BINARY APPDIR}"
appdir="${2:?usage: make-appdir.sh BINARY APPDIR}"
meta="$root/assets/metadata"
icons="$root/assets/icons"

rm -rf "$appdir"
mkdir -p "$appdir/usr/bin" "$appdir/usr/lib" "$appdir/usr/share/applications" \
  "$appdir/usr/share/metainfo" "$appdir/usr/share/icons/hicolor/scalable/apps"
install -m 755 "$here/AppRun" "$appdir/AppRun"
install -m 755 "$binary" "$appdir/usr/bin/caducee"
strip "$appdir/usr/bin/caducee" 2>/dev/null || true
install -m 644 "$meta/caducee.desktop" "$appdir/caducee.desktop"
install -m 644 "$meta/caducee.desktop" "$appdir/usr/share/applications/caducee.desktop"
install -m 644 "$meta/fr.caducee.Caducee.metainfo.xml" "$appdir/usr/share/metainfo/"
install -m 644 "$icons/caducee.svg" "$appdir/usr/share/icons/hicolor/scalable/apps/"
for dir in "$icons"/hicolor/*x*; do
  size="$(basename "$dir")"
  mkdir -p "$appdir/usr/share/icons/hicolor/$size/apps"
  install -m 644 "$dir/caducee.png" "$appdir/usr/share/icons/hicolor/$size/apps/"
done
install -m 644 "$icons/hicolor/256x256/caducee.png" "$appdir/caducee.png"
ln -s caducee.png "$appdir/.DirIcon"

# Libraries every desktop distribution has (glibc, the C++ runtime, the display and
# D-Bus stack): never bundled.
base='^(ld-linux.*|linux-vdso.*|libc|libm|libdl|libpthread|librt|libresolv|libutil|libgcc_s|libstdc\+\+|libdbus-1|libX.*|libxcb.*|libxkbcommon.*|libwayland-.*|libGL.*|libEGL.*|libfontconfig|libfreetype|libz)\.so'
bundled=0
while read -r name path; do
  [ -n "$path" ] || continue
  if ! [[ "$name" =~ $base ]]; then
    install -m 644 "$path" "$appdir/usr/lib/"
    bundled=$((bundled + 1))
  fi
done < <(ldd "$binary" | awk '/=> \// { print $1, $3 }')
echo "AppDir $appdir: $bundled bundled libraries"
