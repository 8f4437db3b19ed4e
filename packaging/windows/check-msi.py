#!/usr/bin/env python3
"""Check Caducée's MSI tables with msitools' msiinfo.

Usage: check-msi.py MSI WXS VERSION
Checks: per-machine install, the fixed UpgradeCode with a major upgrade (and a
downgrade refused), the Start-menu shortcut, the Add/Remove Programs entries, the
Cryptolib CPS search and its opt-in launch condition, the file under Program Files.
"""
import re
import subprocess
import sys


def fail(msg):
    print(f"check-msi: {msg}", file=sys.stderr)
    sys.exit(1)


def msiinfo(*args):
    return subprocess.run(["msiinfo", *args], check=True, capture_output=True, text=True).stdout


def table(msi, name):
    """Rows of one table as dicts (msiinfo export: header, types, key line, rows)."""
    lines = msiinfo("export", msi, name).splitlines()
    cols = lines[0].split("\t")
    return [dict(zip(cols, line.split("\t"))) for line in lines[3:] if line]


def main():
    if len(sys.argv) != 4:
        fail(__doc__.strip())
    msi, wxs, version = sys.argv[1:]
    with open(wxs, encoding="utf-8") as f:
        upgrade_code = "{" + re.search(r'UpgradeCode="([0-9A-Fa-f-]{36})"', f.read()).group(1).upper() + "}"

    tables = set(msiinfo("tables", msi).split())
    for t in ("Property", "Upgrade", "Shortcut", "File", "Directory", "Component",
              "Registry", "AppSearch", "RegLocator", "LaunchCondition", "Icon",
              "InstallExecuteSequence"):
        if t not in tables:
            fail(f"table {t} missing")

    props = {r["Property"]: r["Value"] for r in table(msi, "Property")}
    expect = {"ALLUSERS": "1", "UpgradeCode": upgrade_code, "ProductVersion": version,
              "ProductName": "Caducée", "ARPPRODUCTICON": "caducee.ico", "ARPNOMODIFY": "1"}
    for key, value in expect.items():
        if props.get(key) != value:
            fail(f"property {key} is {props.get(key)!r}, expected {value!r}")
    for key in ("ARPCOMMENTS", "ARPCONTACT", "ProductCode", "Manufacturer"):
        if not props.get(key):
            fail(f"property {key} missing")

    upgrades = table(msi, "Upgrade")
    actions = {r["ActionProperty"] for r in upgrades if r["UpgradeCode"] == upgrade_code}
    if actions != {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}:
        fail(f"major upgrade rows missing: {upgrades}")
    sequence = {r["Action"] for r in table(msi, "InstallExecuteSequence")}
    for action in ("FindRelatedProducts", "RemoveExistingProducts", "AppSearch", "LaunchConditions"):
        if action not in sequence:
            fail(f"action {action} not in InstallExecuteSequence")

    shortcuts = [r for r in table(msi, "Shortcut") if r["Directory_"] == "ProgramMenuFolder"]
    if not shortcuts or shortcuts[0]["Target"] != "[INSTALLDIR]caducee.exe":
        fail("no Start-menu shortcut to caducee.exe")

    dirs = {r["Directory"]: r for r in table(msi, "Directory")}
    if dirs.get("INSTALLDIR", {}).get("Directory_Parent") != "ProgramFiles64Folder":
        fail("INSTALLDIR is not under Program Files (64-bit)")
    if not any(r["FileName"].endswith("caducee.exe") for r in table(msi, "File")):
        fail("caducee.exe not in the File table")

    searches = {r["Property"] for r in table(msi, "AppSearch")}
    if not any(p.startswith("CPS_CRYPTOLIB") for p in searches):
        fail("no search for the Cryptolib CPS")
    locators = table(msi, "RegLocator")
    if not any("ASIP Sante" in r["Key"] for r in locators):
        fail("no registry search for the Cryptolib CPS settings")
    conditions = [r["Condition"] for r in table(msi, "LaunchCondition")]
    if not any("REQUIRE_CPS_CRYPTOLIB" in c for c in conditions):
        fail("no opt-in launch condition on the Cryptolib CPS")
    if not any("WIX_DOWNGRADE_DETECTED" in c for c in conditions):
        fail("downgrades are not refused")
    if not any(r["Name"] == "CpsCryptolibSettings" for r in table(msi, "Registry")):
        fail("the Cryptolib detection is not recorded in the registry")

    summary = msiinfo("suminfo", msi)
    if not re.search(r"^Template: x64;", summary, re.M):
        fail("summary Template is not x64")
    print(f"MSI ok: per-machine, UpgradeCode {upgrade_code}, version {version}, "
          f"{len(tables)} tables, Start-menu shortcut '{shortcuts[0]['Name']}'")


if __name__ == "__main__":
    main()
