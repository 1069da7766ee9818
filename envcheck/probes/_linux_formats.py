"""File formats the Linux probes read to keep only what the checks need (pure, no OS access).

They live with the probes because the probes use them to shrink what they record (the installed
package list, the last upgrade); facts/_linux_parse.py re-exports them for its callers.
"""

from __future__ import annotations

import re
import struct


def parse_dpkg_status(text: str) -> list[list[str]]:
    """[name, version] of every package whose Status is 'install ok installed'."""
    out = []
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            k, _, v = line.partition(":")
            if k in ("Package", "Version", "Status"):
                fields[k] = v.strip()
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            out.append([fields["Package"], fields.get("Version", "")])
    return sorted(out)


_RPM_NAME, _RPM_VERSION, _RPM_RELEASE = 1000, 1001, 1002


def parse_rpm_header(blob: bytes) -> list[str] | None:
    """[name, version-release] from an rpm header blob as stored in rpmdb.sqlite, or None."""
    try:
        il, dl = struct.unpack(">II", blob[:8])
        if il > 100000 or 8 + il * 16 + dl > len(blob):
            return None
        store = blob[8 + il * 16: 8 + il * 16 + dl]
        tags = {}
        for i in range(il):
            tag, typ, off, _cnt = struct.unpack(">IIII", blob[8 + i * 16: 24 + i * 16])
            if tag in (_RPM_NAME, _RPM_VERSION, _RPM_RELEASE) and typ == 6 and off < len(store):
                end = store.index(b"\0", off)
                tags[tag] = store[off:end].decode("utf-8", "replace")
        if _RPM_NAME not in tags:
            return None
        version = tags.get(_RPM_VERSION, "")
        if _RPM_RELEASE in tags:
            version += "-" + tags[_RPM_RELEASE]
        return [tags[_RPM_NAME], version]
    except (struct.error, ValueError):
        return None


def last_apt_upgrade(text: str) -> str | None:
    """End-Date of the newest apt history entry that upgraded or installed packages.

    Returned as it is written, "YYYY-MM-DDTHH:MM:SS" with no zone: apt writes
    history.log in the machine's local time, so only the probe, which knows the
    local zone, can turn it into UTC. (It used to be labelled UTC, which put a
    Japanese machine's upgrades nine hours in the future.)
    """
    newest = None
    for block in text.split("\n\n"):
        if not re.search(r"^(Upgrade|Install):", block, re.M):
            continue
        m = re.search(r"^End-Date: (\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}:\d{2})", block, re.M)
        if m:
            stamp = f"{m.group(1)}T{m.group(2)}"
            newest = max(newest or stamp, stamp)
    return newest
