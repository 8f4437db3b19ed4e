#!/usr/bin/env bash
# Render the icon set from its SVG source: hicolor PNGs (Linux), caducee.ico
# (Windows, icoutils) and caducee.icns (macOS, icnsutils). The results are
# committed in assets/icons/, so packaging needs none of these tools; run this
# after changing assets/icons/caducee.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
icons=assets/icons
for tool in rsvg-convert icotool png2icns; do
  command -v "$tool" >/dev/null || { echo "missing $tool (Debian: librsvg2-bin icoutils icnsutils)" >&2; exit 2; }
done
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$icons/hicolor/${size}x${size}"
  rsvg-convert -w "$size" -h "$size" "$icons/caducee.svg" -o "$icons/hicolor/${size}x${size}/caducee.png"
done
p="$icons/hicolor"
icotool -c -o "$icons/caducee.ico" "$p/16x16/caducee.png" "$p/24x24/caducee.png" \
  "$p/32x32/caducee.png" "$p/48x48/caducee.png" "$p/64x64/caducee.png" -r "$p/256x256/caducee.png"
png2icns "$icons/caducee.icns" "$p/16x16/caducee.png" "$p/32x32/caducee.png" \
  "$p/48x48/caducee.png" "$p/128x128/caducee.png" "$p/256x256/caducee.png" "$p/512x512/caducee.png" >/dev/null
echo "icons written to $icons"
