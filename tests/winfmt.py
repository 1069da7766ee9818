"""Test-side converter: real Windows command outputs (text) -> the JSON values the probes produce.

The real outputs we can find are what people paste: PowerShell Format-List /
Format-Table text, `reg query` text, `pnputil /enum-devices`, `tasklist`. The
probes instead read the registry through winreg and run ONE PowerShell script
that prints JSON (envcheck/probes/_windows.py). These pure functions bridge the
two, so a fixture folder can keep the verbatim outputs (raw/) and a small
raw/compose.json saying which file feeds which probe or PowerShell section.

Every conversion mirrors what the live probe would have emitted: the same
properties (Select-Object lists of SECURITY_SCRIPT), the same types (bool/int
as ConvertTo-Json writes them, REG_DWORD as int, REG_SZ as str), the same
filters (-Class Camera,Image, -Class AudioEndpoint).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from envcheck.probes._windows import CV_VALUES

# The properties SECURITY_SCRIPT selects for each section (keep in step with it).
SECTION_PROPERTIES = {
    "AntiVirusProduct": ("displayName", "productState", "timestamp"),
    "FirewallProduct": ("displayName", "productState", "timestamp"),
    "MpComputerStatus": ("AMRunningMode", "AMServiceEnabled", "AntivirusEnabled", "RealTimeProtectionEnabled",
                         "AntivirusSignatureAge", "DefenderSignaturesOutOfDate", "AntivirusSignatureLastUpdated",
                         "AntivirusSignatureVersion"),
    "MpThreat": ("ThreatName", "IsActive"),
    "NetFirewallProfile": ("Name", "Enabled"),
    "Camera": ("FriendlyName", "Status", "Class"),
    "AudioEndpoint": ("FriendlyName", "Status", "InstanceId"),
}
#: Sections that are one object (Get-MpComputerStatus), not an @(...) array.
SINGLE_OBJECT = {"MpComputerStatus"}

_KV = re.compile(r"^\s*>?\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(?:\s(.*))?$")


def coerce(text: str | None) -> Any:
    """A Format-List/Table cell as ConvertTo-Json would have typed it: bool, int, None or str."""
    if text is None:
        return None
    t = text.strip()
    if t == "":
        return None
    if t in ("True", "False"):
        return t == "True"
    if re.fullmatch(r"-?\d+", t):
        return int(t)
    return t


def parse_format_list(text: str) -> list[dict[str, Any]]:
    """PowerShell Format-List output (`Key : Value` blocks separated by blank lines) -> records.

    Prompt lines ("PS C:\\> …", "> Get-…") and notes ("<SNIP>") are skipped: a key
    is one identifier, so "PS C" never matches.
    """
    records: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                records.append(current)
                current = {}
            continue
        m = _KV.match(line)
        if m and not line.lstrip().startswith("PS "):
            current[m.group(1)] = coerce(m.group(2))
    if current:
        records.append(current)
    return records


def parse_format_table(text: str) -> list[dict[str, Any]]:
    """PowerShell Format-Table output -> records, columns located by the dashes line.

    Works for left-aligned text columns and right-aligned bool/number columns.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if i > 0 and re.fullmatch(r"\s*-+(\s+-+)*\s*", line):
            spans = [m.span() for m in re.finditer(r"-+", line)]
            header = lines[i - 1]
            break
    else:
        raise ValueError("no Format-Table dashes line found")
    starts = [s for s, _ in spans]
    names = [header[s:(starts[k + 1] if k + 1 < len(starts) else None)].strip() for k, s in enumerate(starts)]
    rows = []
    for line in lines[i + 1:]:
        if not line.strip():
            if rows:
                break
            continue
        # Each column runs from its dashes to the next column's: left-aligned text may be
        # wider than its dashes, right-aligned bools/numbers end at them.
        cells = [line[s:(starts[k + 1] if k + 1 < len(starts) else None)] for k, s in enumerate(starts)]
        rows.append({n: coerce(c) for n, c in zip(names, cells, strict=True)})
    return rows


def parse_reg_query(text: str) -> dict[str, dict[str, Any]]:
    """`reg query` output -> {key path: {value name: value}}; REG_DWORD/QWORD as int, others as str."""
    out: dict[str, dict[str, Any]] = {}
    key = None
    for line in text.splitlines():
        if line.startswith("HKEY_"):
            key = line.strip()
            out.setdefault(key, {})
            continue
        m = re.match(r"^ {4}(\S.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?\s*$", line)
        if m and key is not None:
            name, kind, data = m.group(1), m.group(2), m.group(3) or ""
            out[key][name] = int(data, 16) if kind in ("REG_DWORD", "REG_QWORD") else data
    return out


def current_version(reg_text: str, ver_banner: str | None = None) -> dict[str, Any]:
    """win.current_version from `reg query "HKLM\\...\\CurrentVersion"` text, plus UBR from a `ver` banner.

    `reg query … /t REG_SZ` filters out the REG_DWORD UBR; a cmd.exe banner
    "Microsoft Windows [Version 10.0.22631.6199]" carries it.
    """
    keys = parse_reg_query(reg_text)
    values: dict[str, Any] = {}
    for path, vals in keys.items():
        if path.endswith(r"\Windows NT\CurrentVersion"):
            values.update(vals)
    cv = {k: values[k] for k in CV_VALUES if k in values}
    if ver_banner is not None:
        m = re.search(r"\[Version (\d+)\.(\d+)\.(\d+)\.(\d+)\]", ver_banner)
        if not m:
            raise ValueError("no [Version a.b.c.d] in the banner")
        if cv.get("CurrentBuild") and cv["CurrentBuild"] != m.group(3):
            raise ValueError(f"banner build {m.group(3)} differs from CurrentBuild {cv['CurrentBuild']}")
        cv["UBR"] = int(m.group(4))
    return cv


def firewall_policy(local_text: str | None, gpo_text: str | None = None) -> dict[str, dict[str, int | None]]:
    """win.firewall_policy from `reg query …\\FirewallPolicy /s /v EnableFirewall` (and the GPO key, if any)."""
    def per_profile(text: str | None, profiles: tuple[str, ...]) -> dict[str, int | None]:
        found = {}
        for path, vals in parse_reg_query(text or "").items():
            found[path.rsplit("\\", 1)[-1]] = vals.get("EnableFirewall")
        return {p: found.get(p) for p in profiles}

    return {"local": per_profile(local_text, ("DomainProfile", "StandardProfile", "PublicProfile")),
            "gpo": per_profile(gpo_text, ("DomainProfile", "PrivateProfile", "PublicProfile"))}


def parse_tasklist(text: str) -> list[str]:
    """`tasklist` table -> sorted unique image names (what proc.names holds)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^=+ ", line):
            width = len(line.split(" ")[0])
            return sorted({row[:width].strip() for row in lines[i + 1:] if row[:width].strip()})
    raise ValueError("no tasklist ==== line found")


def parse_pnputil(text: str) -> list[dict[str, Any]]:
    """`pnputil /enum-devices` blocks -> Get-PnpDevice-like rows.

    pnputil says Status "Started" where Get-PnpDevice says "OK" (device started,
    no problem code); other statuses are kept as pnputil printed them.
    """
    rows, cur = [], {}
    for line in text.splitlines() + [""]:
        m = re.match(r"^\s*([A-Za-z][A-Za-z ]*?):\s+(.*?)\s*$", line)
        if m:
            cur[m.group(1)] = m.group(2)
        elif not line.strip() and cur:
            status = cur.get("Status")
            rows.append({"FriendlyName": cur.get("Device Description"), "Class": cur.get("Class Name"),
                         "InstanceId": cur.get("Instance ID"), "Status": "OK" if status == "Started" else status})
            cur = {}
    return rows


def ps_error(text: str) -> dict[str, str]:
    """A PowerShell error record as the script's Try-Get stores it: {"error": $_.Exception.Message}."""
    for line in text.splitlines():
        m = re.match(r"^\S[^:]*? : (.+)$", line)
        if m and not line.startswith("#"):
            return {"error": m.group(1).strip()}
    raise ValueError("no 'Cmdlet : message' line found")


def us_datetime_to_iso(text: str, utc_offset: str | None = None) -> str:
    """"5/6/2024 1:09:46 AM" (en-US) -> ISO-8601 UTC, as the script's ToUniversalTime().ToString('o').

    Without `utc_offset` the capture's time zone is unknown and the local time is
    written as if it were UTC (parse_time reads an offset-less time as UTC).
    """
    when = datetime.strptime(text.strip(), "%m/%d/%Y %I:%M:%S %p")
    if utc_offset is None:
        return when.isoformat()
    sign = -1 if utc_offset.startswith("-") else 1
    hh, mm = utc_offset.lstrip("+-").split(":")
    local = when.replace(tzinfo=timezone(sign * timedelta(hours=int(hh), minutes=int(mm))))
    return local.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


PARSERS = {"format_list": parse_format_list, "format_table": parse_format_table, "pnputil": parse_pnputil}


def section(name: str, spec: dict, read) -> Any:
    """One win.security section from its compose spec; `read(path) -> str` reads a fixture file."""
    if "value" in spec:
        return spec["value"]
    text = read(spec["file"])
    if spec["format"] == "ps_error":
        return ps_error(text)
    rows = PARSERS[spec["format"]](text)
    for prop, allowed in (spec.get("where") or {}).items():
        rows = [r for r in rows if r.get(prop) in allowed]
    props = SECTION_PROPERTIES[name]
    rows = [{p: r.get(p) for p in props if p in r} for r in rows]
    if name == "MpComputerStatus":
        for r in rows:
            if isinstance(r.get("AntivirusSignatureLastUpdated"), str):
                r["AntivirusSignatureLastUpdated"] = us_datetime_to_iso(r["AntivirusSignatureLastUpdated"],
                                                                        spec.get("utc_offset"))
    if name in SINGLE_OBJECT:
        if len(rows) != 1:
            raise ValueError(f"{name}: expected one object, found {len(rows)}")
        return rows[0]
    return rows


def compose(folder: Path) -> dict[str, dict]:
    """Probe entries {id: {"value", "error"}} built from folder/raw/compose.json."""
    spec = json.loads((folder / "raw" / "compose.json").read_text(encoding="utf-8"))

    def read(rel: str) -> str:
        return (folder / rel).read_text(encoding="utf-8")

    out: dict[str, dict] = {}
    for pid, p in spec["probes"].items():
        if pid == "win.security":
            value: Any = {name: section(name, s, read) for name, s in p["sections"].items()}
        elif p["format"] == "text":
            value = read(p["file"])
        elif p["format"] == "reg_query_currentversion":
            value = current_version(read(p["file"]), read(p["ubr_from_ver"]) if p.get("ubr_from_ver") else None)
        elif p["format"] == "reg_query_firewall":
            value = firewall_policy(read(p["file"]), read(p["gpo_file"]) if p.get("gpo_file") else None)
        elif p["format"] == "tasklist":
            value = parse_tasklist(read(p["file"]))
        else:
            raise ValueError(f"{pid}: unknown format {p['format']!r}")
        out[pid] = {"value": value, "error": None}
    return out
