#!/usr/bin/env bash
# Build and check Caducée's installers on Debian/Ubuntu:
#   - the .deb (cargo-deb), installed with apt and started (`caducee --version`);
#   - the AppDir for the AppImage (validated; appimagetool squashes it in the release workflow);
#   - an .msi built by wixl from packaging/windows/caducee.wxs around a placeholder
#     caducee.exe (no Windows target can be fetched here), its tables checked with msiinfo;
#   - the macOS .app layout and Info.plist (the DMG itself needs macOS: macos/build-dmg.sh).
# Everything goes to target/packaging/. One release build, reused by every step.
# KEEP_INSTALLED=1 leaves the .deb installed after its check. PACKAGING_RELEASE=1
# compresses the .deb fully (the default, for checks, compresses fast).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$root/target/packaging"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
start=$(date +%s)
step() { echo "== $* ($(($(date +%s) - start)) s)"; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_get() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 "$@"; }
low=(nice -n 19)
command -v ionice >/dev/null && low+=(ionice -c3)

# Debian packages this script needs (cargo-deb's `$auto` depends need dpkg-shlibdeps).
PACKAGES=(dpkg-dev binutils python3 wixl msitools desktop-file-utils appstream)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  step "installing ${missing[*]}"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${missing[@]}"
fi

CARGO_DEB_VERSION=3.8.0
if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  step "installing cargo-deb $CARGO_DEB_VERSION"
  "${low[@]}" cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
fi

step "release build"
"${low[@]}" cargo build --release --locked
binary="$root/target/release/caducee"
rm -rf "$out"
mkdir -p "$out"

# ---- .deb --------------------------------------------------------------------
step ".deb"
arch="$(dpkg --print-architecture)"
deb="$out/caducee_${version}-1_${arch}.deb"
deb_flags=(--no-build --output "$deb")
[ -n "${PACKAGING_RELEASE:-}" ] || deb_flags+=(--fast)
"${low[@]}" cargo deb "${deb_flags[@]}"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
[[ "$depends" == *libc6* ]] || { echo "the computed depends lack libc6: $depends" >&2; exit 1; }
contents="$(dpkg-deb -c "$deb")"
for f in ./usr/bin/caducee ./usr/share/applications/caducee.desktop \
  ./usr/share/metainfo/fr.caducee.Caducee.metainfo.xml \
  ./usr/share/icons/hicolor/scalable/apps/caducee.svg \
  ./usr/share/icons/hicolor/32x32/apps/caducee.png ./usr/share/icons/hicolor/512x512/apps/caducee.png; do
  grep -q " $f\$" <<<"$contents" || { echo "$deb lacks $f" >&2; exit 1; }
done
if ! apt_get install -y -qq --no-install-recommends "$deb"; then
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "$deb"
fi
installed="$(env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/caducee --version)"
echo "installed: $installed"
[ "$installed" = "caducee $version" ] || { echo "expected 'caducee $version'" >&2; exit 1; }
desktop-file-validate /usr/share/applications/caducee.desktop
[ -n "${KEEP_INSTALLED:-}" ] || apt_get remove -y -qq caducee

# ---- AppDir (AppImage) ---------------------------------------------------------
step "AppDir"
appdir="$out/Caducee.AppDir"
packaging/linux/make-appdir.sh "$binary" "$appdir"
packaging/linux/check-appdir.sh "$appdir"

# ---- MSI (wixl) ----------------------------------------------------------------
step "MSI"
win="$out/windows"
mkdir -p "$win/bin"
# wixl takes source paths relative to the current folder (it refuses absolute ones).
# No Windows target can be fetched here: the MSI wraps a stand-in caducee.exe. The
# release workflow builds the real one on Windows and packs it with the WiX toolset.
printf 'Placeholder for caducee.exe %s, built by packaging/build.sh\r\n' "$version" >"$win/bin/caducee.exe"
msi="$win/caducee-$version-x64-placeholder.msi"
wixl -a x64 -D Wixl=1 -D "Version=$version" -D "SourceDir=target/packaging/windows/bin" \
  -D "IconFile=assets/icons/caducee.ico" -o "$msi" packaging/windows/caducee.wxs
msiinfo tables "$msi" | sort | tr '\n' ' '
echo
for t in Property Upgrade Shortcut Directory Component Registry AppSearch RegLocator LaunchCondition; do
  msiinfo export "$msi" "$t" >"$win/$t.idt"
done
python3 packaging/windows/check-msi.py "$msi" packaging/windows/caducee.wxs "$version"

# ---- macOS bundle layout -------------------------------------------------------
step "macOS bundle"
mac="$out/macos"
mkdir -p "$mac"
printf 'placeholder for the macOS binary\n' >"$mac/caducee"
app="$(packaging/macos/make-bundle.sh "$mac/caducee" "$mac")"
python3 packaging/macos/check-bundle.py "$app" --placeholder

step "done"
echo "  $deb (installed and started)"
echo "  $appdir (validated; squash with appimagetool)"
echo "  $msi (tables checked; placeholder binary)"
echo "  $app (layout checked; DMG built on macOS)"
