"""Keep personal data off everything that leaves the machine (articles 7 and 8 of the terms).

Reports carry only evidence (versions, states, dates, matched names). This module
is the safety net under that, and the filter for support snapshots, which keep raw
outputs: user name, host name, home folder, IP and MAC addresses, Wi-Fi network
names, and every installed or running program that no rule names are removed.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from dataclasses import dataclass
from typing import Any

from envcheck.checks._base import matches_item, matches_process
from envcheck.ruleset.loader import Rules

_MAC = re.compile(r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b")
REMOVED = "(removed)"


@dataclass(frozen=True)
class Identity:
    """What identifies this machine or person, to be removed from outgoing text."""

    user: str
    hosts: tuple[str, ...]
    home: str
    ips: tuple[str, ...]

    @classmethod
    def of_this_machine(cls) -> "Identity":
        try:
            user = getpass.getuser()
        except (OSError, KeyError):
            user = ""
        host = socket.gethostname()
        hosts = tuple(sorted({h for h in (host, host.split(".")[0]) if len(h) >= 2}, key=len, reverse=True))
        ips: set[str] = set()
        try:
            import psutil
            for addrs in psutil.net_if_addrs().values():
                for a in addrs:
                    ip = a.address.split("%")[0]
                    if a.family in (socket.AF_INET, socket.AF_INET6) and ip not in ("127.0.0.1", "::1"):
                        ips.add(ip)
        except (ImportError, OSError):
            pass
        return cls(user=user, hosts=hosts, home=os.path.expanduser("~"),
                   ips=tuple(sorted(ips, key=len, reverse=True)))

    def scrub(self, text: str) -> str:
        if self.home and len(self.home) > 1:
            text = text.replace(self.home, "~")
        for ip in self.ips:
            text = text.replace(ip, "<ip>")
        text = _MAC.sub("<mac>", text)
        for host in self.hosts:
            text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", "<host>", text, flags=re.I)
        if len(self.user) >= 2:
            text = re.sub(rf"(?<![\w]){re.escape(self.user)}(?![\w])", "<user>", text)
        return text


def scrub_tree(node: Any, ident: Identity) -> Any:
    if isinstance(node, str):
        return ident.scrub(node)
    if isinstance(node, list):
        return [scrub_tree(v, ident) for v in node]
    if isinstance(node, dict):
        return {ident.scrub(k) if isinstance(k, str) else k: scrub_tree(v, ident) for k, v in node.items()}
    return node


_POSSESSIVE = re.compile(r"^.{1,40}?(?:'s|’s|の)\s*")


def scrub_report(report: dict, ident: Identity) -> dict:
    """The report with machine identity removed from its evidence and diagnostics.

    Device names like "Taro's AirPods" or "太郎のAirPods" lose their owner's name.
    """
    checks = []
    for c in report["checks"]:
        ev = scrub_tree(c["evidence"], ident)
        if c["id"] in ("device.camera", "device.microphone") and isinstance(ev.get("names"), list):
            ev["names"] = [_POSSESSIVE.sub("", str(n)) for n in ev["names"]]
        checks.append({**c, "evidence": ev})
    return {**report, "checks": checks, "diagnostics": scrub_tree(report.get("diagnostics") or {}, ident)}


def _relevant_sigs(rules: Rules):
    return (*rules.p2p, *rules.recording, *rules.antivirus, *rules.browsers, rules.zoom)


def _keep_item(rules: Rules, platform: str, name: str, kind: str, ident: str | None) -> bool:
    return any(matches_item(s, name, kind, ident, platform) for s in _relevant_sigs(rules))


def scrub_snapshot(snapshot: dict, rules: Rules, ident: Identity) -> dict:
    """A support snapshot fit to leave the machine; says what it removed under "privacy"."""
    platform = snapshot["platform"]
    kept: dict[str, str] = {}
    probes = {}
    for pid, entry in snapshot["probes"].items():
        value = entry.get("value")
        if pid == "win.uninstall" and isinstance(value, list):
            new = [e for e in value if isinstance(e, dict) and _keep_item(
                rules, platform, str(e.get("DisplayName", "")), "installed", e.get("hive"))]
            kept[pid] = f"{len(new)} of {len(value)}"
            value = new
        elif pid == "mac.apps" and isinstance(value, list):
            new = [a for a in value if isinstance(a, dict) and _keep_item(
                rules, platform, str(a.get("bundle", "")).removesuffix(".app"), "app", a.get("CFBundleIdentifier"))]
            kept[pid] = f"{len(new)} of {len(value)}"
            value = new
        elif pid == "linux.packages" and isinstance(value, dict) and isinstance(value.get("packages"), list):
            rows = value["packages"]
            packages = [r for r in rows if isinstance(r, list) and r and _keep_item(rules, platform, str(r[0]),
                                                                                      "package", None)]
            kept[pid] = f"{len(packages)} of {len(rows)}"
            value = {**value, "packages": packages}
        elif pid in ("linux.flatpak", "linux.snap") and isinstance(value, list):
            kind = pid.split(".")[1]
            new = [x for x in value if _keep_item(rules, platform, str(x), kind, str(x))]
            kept[pid] = f"{len(new)} of {len(value)}"
            value = new
        elif pid == "proc.names" and isinstance(value, list):
            sigs = (*rules.p2p, *rules.recording)
            new = [p for p in value if any(matches_process(s, str(p), platform) for s in sigs)]
            kept[pid] = f"{len(new)} of {len(value)}"
            value = new
        elif pid == "win.wlan" and isinstance(value, str):
            value = _scrub_netsh(value)
        elif pid == "mac.sp_airport" and value is not None:
            value = _scrub_airport(value)
        probes[pid] = {"value": scrub_tree(value, ident), "error": ident.scrub(entry["error"])
                       if isinstance(entry.get("error"), str) else entry.get("error"),
                       **({"kind": entry["kind"]} if isinstance(entry.get("kind"), str) else {})}
    return {**snapshot, "probes": probes, "privacy": {
        "note": "Scrubbed before writing: user name, host name, home folder, IP and MAC addresses and Wi-Fi "
                "network names removed; software and process lists cut to the entries the rules name.",
        "kept": kept}}


_NETSH_MAC = re.compile(r"^([0-9a-fx]{2}[:-]){5}[0-9a-fx]{2}$", re.I)


def _scrub_netsh(text: str) -> str:
    """netsh in ANY display language: keep only what facts/_netsh.py reads by shape (numbers, the
    802.11 radio line and the two values after it, MAC-shaped values as a placeholder); every other
    value (network, profile and adapter names, in whatever language their label is) is removed."""
    if "ms-settings:privacy-location" in text:
        return text  # the refusal paragraph names no network
    out, keep = [], 0
    for line in text.splitlines():
        label, sep, value = line.partition(":")
        v = value.strip()
        if not sep or not label.strip() or not v or re.fullmatch(r"[\d\s%:.,()/-]*", v) or keep > 0:
            keep -= 1 if keep > 0 and sep and v else 0
            out.append(line)
        elif re.fullmatch(r"802\.11[a-z0-9]*", v, re.I):
            keep = 2  # authentication and cipher follow the radio type
            out.append(line)
        elif _NETSH_MAC.match(v):
            out.append(f"{label}{sep} xx:xx:xx:xx:xx:xx")
        else:
            out.append(f"{label}{sep} {REMOVED}")
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _scrub_airport(node: Any) -> Any:
    if isinstance(node, list):
        return [_scrub_airport(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("spairport_airport_other_local_wireless_networks", "spairport_wireless_mac_address",
                 "spairport_network_bssid"):
            continue
        if k == "spairport_current_network_information" and isinstance(v, dict):
            v = {**v, "_name": REMOVED} if "_name" in v else v
        out[k] = _scrub_airport(v)
    return out
