#!/usr/bin/env python3
"""Check a Caducée.app bundle: Info.plist (plistlib), layout, icon, version.

Usage: check-bundle.py APP [--placeholder]
--placeholder: the binary is a stand-in (built off macOS): do not require Mach-O.
"""
import os
import plistlib
import re
import sys

MACHO_MAGICS = {
    b"\xcf\xfa\xed\xfe",  # 64-bit little-endian
    b"\xca\xfe\xba\xbe",  # universal (fat)
}


def fail(msg):
    print(f"check-bundle: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    placeholder = "--placeholder" in sys.argv[1:]
    if len(args) != 1:
        fail(__doc__.strip())
    app = args[0]
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    contents = os.path.join(app, "Contents")

    with open(os.path.join(contents, "Info.plist"), "rb") as f:
        info = plistlib.load(f)

    required = [
        "CFBundleIdentifier", "CFBundleName", "CFBundleDisplayName", "CFBundleExecutable",
        "CFBundleIconFile", "CFBundlePackageType", "CFBundleShortVersionString",
        "CFBundleVersion", "CFBundleInfoDictionaryVersion", "LSMinimumSystemVersion",
    ]
    missing = [k for k in required if k not in info]
    if missing:
        fail(f"Info.plist lacks {', '.join(missing)}")
    if info["CFBundlePackageType"] != "APPL":
        fail("CFBundlePackageType must be APPL")

    # The bundle identifier is also the data folder named in the README.
    with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    m = re.search(r"~/Library/Application Support/([A-Za-z0-9.\-]+)", readme)
    if not m:
        fail("README.md names no macOS data folder")
    if info["CFBundleIdentifier"] != m.group(1):
        fail(f"CFBundleIdentifier {info['CFBundleIdentifier']} is not the data folder {m.group(1)}")

    with open(os.path.join(root, "Cargo.toml"), encoding="utf-8") as f:
        version = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
    for key in ("CFBundleShortVersionString", "CFBundleVersion"):
        if info[key] != version:
            fail(f"{key} is {info[key]!r}, Cargo.toml says {version}")

    exe = os.path.join(contents, "MacOS", info["CFBundleExecutable"])
    if not os.path.isfile(exe) or not os.access(exe, os.X_OK):
        fail(f"executable {exe} missing or not executable")
    if not placeholder:
        with open(exe, "rb") as f:
            if f.read(4) not in MACHO_MAGICS:
                fail(f"{exe} is not a 64-bit or universal Mach-O binary")

    icon = info["CFBundleIconFile"]
    if not icon.endswith(".icns"):
        icon += ".icns"
    icon_path = os.path.join(contents, "Resources", icon)
    with open(icon_path, "rb") as f:
        head = f.read(8)
    if head[:4] != b"icns" or int.from_bytes(head[4:8], "big") != os.path.getsize(icon_path):
        fail(f"{icon_path} is not an icns file")

    with open(os.path.join(contents, "PkgInfo"), "rb") as f:
        if f.read() != b"APPL????":
            fail("PkgInfo must be APPL????")

    print(f"bundle ok: {info['CFBundleIdentifier']} {version}, {len(info)} Info.plist keys")


if __name__ == "__main__":
    main()
