"""Pure parsers for Linux sources. Text in, plain data out; no I/O.

Each returns None (or an empty result) for input it cannot read rather than
raising, so random or truncated text can never crash a check.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime, timezone

# Re-exported: parsers of files the probes read (they live below the facts, with the probes).
from envcheck.probes._linux_formats import last_apt_upgrade, parse_dpkg_status, parse_rpm_header  # noqa: F401


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines of os-release(5), shell-quoted values unquoted."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        if not re.fullmatch(r"[A-Z0-9_]+", key):
            continue
        try:
            parts = shlex.split(raw)
            value = parts[0] if parts else ""
        except ValueError:
            value = raw.strip().strip("\"'")
        out[key] = value
    return out


def parse_apt_upgradable(text: str) -> int | None:
    """Number of pending updates from a security suite in `apt list --upgradable`, None if unreadable."""
    count, seen_listing = 0, False
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Listing..."):
            seen_listing = True
            continue
        m = re.match(r"^(\S+)/(\S+) \S+ \S+ \[upgradable from: [^\]]+\]$", line)
        if m:
            seen_listing = True
            if any(s.endswith("-security") for s in m.group(2).split(",")):
                count += 1
    return count if seen_listing else None


#: Lines dnf/yum print besides advisory rows (the probe runs them with LC_ALL=C).
_DNF_CHATTER = ("Last metadata expiration check", "Updating Subscription Management", "Loaded plugins",
                "Security:", "Not root", "This system is")


def parse_dnf_security(text: str) -> int | None:
    """Number of packages with a pending security advisory (`dnf updateinfo list --security`);
    None when the text is neither advisory rows nor dnf's own status lines (not understood)."""
    count, rows, other = 0, 0, 0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) >= 3 and re.match(r"^[A-Z]+-\d{4}[-:]", parts[0]):
            rows += 1
            if parts[1].endswith("/Sec.") or parts[1] == "security":
                count += 1
        elif not line.strip().startswith(_DNF_CHATTER):
            other += 1
    # Advisory rows make the count; without any, only dnf's own chatter (or nothing) means "none
    # pending". Random text used to read as 0 and let os.patched pass.
    return count if rows or not other else None


def parse_ufw_conf(text: str) -> bool | None:
    """ENABLED=yes|no from /etc/ufw/ufw.conf, read the way ufw itself reads it.

    ufw (backend.py, pattern ^\\w+="?\\w+"?) accepts the value in double quotes
    and lets the last ENABLED line win; reading only the first, unquoted one
    misreported a hand-edited `ENABLED="yes"` as unreadable. Anything ufw would
    not read as exactly yes/no (a trailing comment, say) stays None.
    """
    found = re.findall(r'^ENABLED="?(\w+)"?[ \t]*$', text, re.M)
    if not found:
        return None
    return {"yes": True, "no": False}.get(found[-1].lower())


def parse_ufw_status(text: str) -> bool | None:
    m = re.search(r"^Status:\s*(active|inactive)\b", text, re.M)
    return None if not m else m.group(1) == "active"


def nft_input_policy(doc) -> str | None:
    """The strictest policy of the filter chains hooked on input in `nft -j list ruleset`.

    Returns "drop" when some input chain drops by default, "accept" when chains
    exist and all accept, None when there is no input chain (no filtering).
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("nftables"), list):
        return None
    policies = []
    for item in doc["nftables"]:
        chain = item.get("chain") if isinstance(item, dict) else None
        if isinstance(chain, dict) and chain.get("hook") == "input" and chain.get("type") == "filter":
            policies.append(str(chain.get("policy", "accept")))
    if not policies:
        return None
    return "drop" if any(p in ("drop", "reject") for p in policies) else "accept"


def parse_cvd_header(line: str) -> datetime | None:
    """Build time of a ClamAV database from its header (last field: epoch seconds)."""
    if not line.startswith("ClamAV-VDB:"):
        return None
    fields = line.split(":")
    try:
        return datetime.fromtimestamp(int(fields[-1].strip()), timezone.utc)
    except (ValueError, OverflowError, OSError):
        pass
    try:  # older builders left the epoch out; fall back to the human date field
        return datetime.strptime(fields[1], "%d %b %Y %H-%M %z").astimezone(timezone.utc)
    except (ValueError, IndexError):
        return None


def parse_asound_pcm(text: str) -> list[str]:
    """Names of PCM devices that can capture (microphones, line-in, webcam mics)."""
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(":")]
        if len(parts) >= 3 and any(p.startswith("capture") for p in parts[3:]):
            out.append(parts[1])
    return out


def _split_terse(line: str) -> list[str]:
    """Split one line of nmcli terse output on unescaped ':' and undo the escapes.

    Escapes are read left to right: a value ending in a backslash is written
    '\\\\' and the ':' after it is a separator. (A look-behind for a single
    backslash joined such a value with the next field and shifted every column.)
    """
    values, cur, i = [], [], 0
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line) and line[i + 1] in ":\\":
            cur.append(line[i + 1])
            i += 2
            continue
        if c == ":":
            values.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    values.append("".join(cur))
    return values


def parse_nmcli(fields: str, text: str) -> dict | None:
    """The active Wi-Fi row of terse nmcli output as {field: value}; None when none is active.

    Terse mode escapes ':' inside values as '\\:', so split on unescaped colons only.
    """
    names = [f.strip().upper() for f in fields.split(",")]
    if "ACTIVE" not in names:
        return None
    for line in text.splitlines():
        values = _split_terse(line)
        if len(values) != len(names):
            continue
        row = dict(zip(names, values, strict=True))
        if row["ACTIVE"].lower() in ("yes", "はい"):
            return row
    return None
