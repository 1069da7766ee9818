"""Probe rows about magnet:/ed2k:/.torrent handlers -> Handler facts (pure).

None means the snapshot has no handler probe at all (an older checker): the check then judges
on names alone, as that checker did. A probe that ran and failed is Unknown.
"""

from __future__ import annotations

import re
from typing import Mapping

from envcheck.facts._common import Missing, value
from envcheck.facts.model import Handler, Unknown
from envcheck.probes import ProbeResult

PROBE_IDS = {"windows": "win.handlers", "darwin": "mac.handlers", "linux": "linux.handlers"}
TYPES = ("magnet", "ed2k", "torrent")
# The program a Windows command line starts: a quoted path, or the first word ending in .exe.
_QUOTED = re.compile(r'^\s*"([^"]+)"')
_BARE = re.compile(r"^\s*(.+?\.exe)\b", re.I)  # unquoted, spaces allowed: C:\Program Files\Deluge\deluge.exe


def command_program(command: str | None) -> str | None:
    """'"C:\\Program Files\\qBittorrent\\qbittorrent.exe" "%1"' -> "qbittorrent.exe" (never the folder:
    it may hold the user's name)."""
    if not command:
        return None
    m = _QUOTED.match(command) or _BARE.match(command)
    path = m.group(1) if m else command.strip().split(" ")[0]
    name = re.split(r"[\\/]", path)[-1].strip()
    return name[:120] or None


def _windows(rows: list) -> list[Handler]:
    out = []
    for r in rows:
        if not isinstance(r, dict) or r.get("type") not in TYPES:
            continue
        exe = command_program(r.get("command") if isinstance(r.get("command"), str) else None)
        progid = str(r.get("progid") or "")[:120]
        if exe is None and r.get("via") == "openwith":
            continue  # a stale OpenWithProgids entry whose program is gone opens nothing
        out.append(Handler(kind=r["type"], program=exe or progid, exe=exe, ident=progid or None,
                           how=str(r.get("via") or "")))
    return out


def _darwin(rows: list) -> list[Handler]:
    return [Handler(kind=t, program=str(r.get("bundle", "")).removesuffix(".app") or str(r.get("CFBundleName", "")),
                    exe=None, ident=str(r.get("CFBundleIdentifier") or "") or None, how="Info.plist")
            for r in rows if isinstance(r, dict) for t in r.get("handles") or [] if t in TYPES]


def _linux(rows: list) -> list[Handler]:
    return [Handler(kind=t, program=str(r.get("name") or r.get("file", "")), exe=str(r.get("exec") or "") or None,
                    ident=str(r.get("file") or "").removesuffix(".desktop") or None, how=f"desktop ({r.get('dir')})")
            for r in rows if isinstance(r, dict) for t in r.get("handles") or [] if t in TYPES]


def handlers(results: Mapping[str, ProbeResult], platform: str) -> tuple[Handler, ...] | Unknown | None:
    pid = PROBE_IDS[platform]
    if pid not in results:
        return None
    try:
        rows = value(results, pid, list)
    except Missing as exc:
        return Unknown(str(exc))
    convert = {"windows": _windows, "darwin": _darwin, "linux": _linux}[platform]
    # One program registered several ways is one handler per type.
    seen, out = set(), []
    for h in convert(rows):
        key = (h.kind, (h.exe or h.program).lower())
        if key not in seen:
            seen.add(key)
            out.append(h)
    return tuple(out)
