"""`netsh wlan show interfaces`, read by its shape, never by its translated labels.

netsh is only the fallback behind the Native Wifi API (probes/_wlanapi.py). Its labels
and some values are translated into the display language, so this parser uses what
every language shares (real outputs in tests/fixtures/netsh/, each with its source):

- the first line carries the number of interfaces ("There is 1 interface on the system:",
  "Es ist 1 Schnittstelle …", "系统上有 1 个接口:"); the interface blocks that follow, one
  group of "label : value" lines each, must number exactly that many;
- a connected interface has a radio-type line whose value is an 802.11 PHY name
  ("802.11ax"), never translated; a block without one is not connected;
- the authentication line comes right after the radio type, the cipher right after that
  (when Windows prints one). Their values are read by protocol tokens (WPA2, WPA3, OWE,
  802.1X, WEP; CCMP, GCMP, TKIP), which are not translated. "Open" is: only the words seen
  in real outputs count, anything else is "unknown", never "open" and never "secured";
- a block without a radio line is "not connected" only when the adapter's physical address
  is its one MAC-shaped value (no access point BSSID) and it ends with the two-line radio
  status: a whole block, not a cut-off one.

A text this cannot account for gives None (unparsed), so the check says unknown.
"""

from __future__ import annotations

import re

from envcheck.probes._wlanapi import LOCATION_URI

_RADIO = re.compile(r"^802\.11[a-z0-9]*$", re.I)
_CIPHER = re.compile(r"^(ccmp|gcmp|tkip|wep|bip)[-0-9a-z ]*$", re.I)
#: "Open" as netsh prints it, by display language, only as seen in real outputs
#: (tests/fixtures/netsh/: en "Open", es "Abierta", fr "Ouvrir", zh-CN "开放"; ja "オープン" per
#: /work/shared research, unverified). Any other word is "unknown", which is never a pass.
OPEN_WORDS = {"open", "abierta", "ouvrir", "开放", "オープン"}
#: A physical address (hex pairs; "x" where the output was anonymised).
_MAC = re.compile(r"^([0-9a-fx]{2}[:-]){5}[0-9a-fx]{2}$", re.I)


def location_refused(text: str) -> bool:
    return LOCATION_URI in text


def _groups(lines: list[str]) -> list[list[tuple[str, str]]]:
    """Runs of "label : value" lines separated by blank lines; a line without a colon continues
    the value before it (Radio status prints "Hardware On" / "Software On" on two lines)."""
    groups: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in lines:
        if not line.strip():
            if current:
                groups.append(current)
            current = []
            continue
        label, sep, value = line.partition(":")
        if sep and label.strip():
            current.append((label.strip(), value.strip()))
        elif current:
            # The label of a continued value is marked with a trailing "+" (see parse_interfaces).
            current[-1] = (current[-1][0].rstrip("+") + "+", f"{current[-1][1]} {line.strip()}")
    if current:
        groups.append(current)
    return groups


def parse_interfaces(text: str) -> list[dict] | None:
    """[{"connected": bool, "auth": str, "cipher": str|None, "radio": str, "signal_percent": int|None}]
    for every interface, or None when the text's shape is not the one described above."""
    lines = text.lstrip("\ufeff").splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        return None
    counts = re.findall(r"\d+", lines[first])
    if len(counts) != 1:
        return None
    expected = int(counts[0])
    # Interface blocks have Name, Description, GUID, physical address, state …; the hosted
    # network block after them has a single line.
    blocks = [g for g in _groups(lines[first + 1:]) if len(g) >= 3]
    if expected < 1 or len(blocks) != expected:
        return None
    out: list[dict] = []
    for block in blocks:
        values = [v for _, v in block]
        radio_at = next((i for i, v in enumerate(values) if _RADIO.match(v)), None)
        if radio_at is None:
            # "Not connected" must come from a whole interface block, not a cut-off or trimmed
            # one: the adapter's physical address is its only MAC-shaped value (a connected block
            # also shows the access point's BSSID), and it has no 802.11 radio line.
            # Windows then ends the block with the two-line radio status ("Hardware On" /
            # "Software On"), the one value that continues on a second line: its presence shows
            # the block was not cut off before it.
            if sum(1 for v in values if _MAC.match(v)) != 1 or not any(lb.endswith("+") for lb, _ in block):
                return None
            out.append({"connected": False})
            continue
        if radio_at + 1 >= len(values):
            return None
        auth = values[radio_at + 1]
        nxt = values[radio_at + 2] if radio_at + 2 < len(values) else ""
        cipher = nxt if _CIPHER.match(nxt) else None
        signal = next((int(m.group(1)) for v in values if (m := re.fullmatch(r"(\d{1,3})\s*%", v))), None)
        out.append({"connected": True, "auth": auth, "cipher": cipher, "radio": values[radio_at],
                    "signal_percent": signal if signal is not None and signal <= 100 else None})
    return out


def security_of(auth: str, cipher: str | None) -> str:
    """open/wep/wpa/wpa2/wpa3/owe/enterprise/unknown from netsh's authentication value."""
    low = re.sub(r"\s+", "", auth.lower())
    if "wpa3" in low:
        return "wpa3"
    if "wpa2" in low or "rsna" in low:
        return "wpa2"
    if "owe" in low:
        return "owe"
    if "802.1x" in low:
        return "enterprise"
    if low.startswith("wpa"):
        return "wpa"
    if "wep" in low:
        return "wep"
    if auth.strip().lower() in OPEN_WORDS:
        # Windows shows WEP as Authentication "Open" with Cipher "WEP".
        return "wep" if cipher and cipher.lower().startswith("wep") else "open"
    return "unknown"
