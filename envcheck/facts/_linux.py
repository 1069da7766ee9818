"""Linux: probe values -> Facts."""

from __future__ import annotations

import json
from typing import Mapping

from envcheck.facts import _linux_parse as p
from envcheck.facts._handlers import handlers
from envcheck.facts._common import Missing, absent, endpoints, error_of, parse_time, processes, value
from envcheck.facts.model import AvProduct, Facts, Firewall, LinuxUpdates, NoWifi, OsInfo, Software, Unknown, Wifi
from envcheck.facts.wifi import wifi_fact
from envcheck.probes import ProbeResult


def os_info(r: Mapping[str, ProbeResult]) -> OsInfo | Unknown:
    try:
        rel = p.parse_os_release(value(r, "linux.os_release", str))
    except Missing as exc:
        return exc.unknown()
    if not rel.get("ID"):
        return Unknown("os-release has no ID")
    distro = rel["ID"].lower()
    version = rel.get("VERSION_ID") or None
    # Linux Mint's own os-release says ID=linuxmint, but derivatives of it may say ubuntu;
    # /etc/lsb-release keeps the real name (python-distro does the same).
    lsb = r.get("linux.lsb_release")
    if lsb and lsb.ok and isinstance(lsb.value, str):
        lsb_fields = p.parse_os_release(lsb.value)
        if lsb_fields.get("DISTRIB_ID", "").lower() == "linuxmint" and distro != "linuxmint":
            distro, version = "linuxmint", lsb_fields.get("DISTRIB_RELEASE") or version
    return OsInfo(family="linux", name=rel.get("PRETTY_NAME") or rel.get("NAME") or distro,
                  product=distro, version=version,
                  id_like=tuple(rel.get("ID_LIKE", "").split()))


def software(r: Mapping[str, ProbeResult]) -> tuple[Software, ...] | Unknown:
    try:
        pk = value(r, "linux.packages", dict)
        rows = pk.get("packages")
        if not isinstance(rows, list):
            raise Missing("linux.packages: no package list")
    except Missing as exc:
        return exc.unknown()
    out = [Software(name=str(row[0]), version=str(row[1]) if len(row) > 1 else None, kind="package")
           for row in rows if isinstance(row, list) and row and isinstance(row[0], str)]
    for pid, kind in (("linux.flatpak", "flatpak"), ("linux.snap", "snap")):
        res = r.get(pid)
        if res and res.ok and isinstance(res.value, list):
            out += [Software(name=str(x), version=None, kind=kind, ident=str(x)) for x in res.value]
    return tuple(out)


def _ufw(r: Mapping[str, ProbeResult], states: dict) -> Firewall | None:
    # ufw: `ufw status` (root) is the truth; otherwise its configuration plus the service state.
    status = r.get("linux.ufw_status")
    conf = r.get("linux.ufw_conf")
    if status and status.ok and isinstance(status.value, str) and p.parse_ufw_status(status.value) is not None:
        return Firewall("ufw", p.parse_ufw_status(status.value), note="ufw status")
    if conf and conf.ok and isinstance(conf.value, str):
        enabled = p.parse_ufw_conf(conf.value)
        svc = states.get("ufw")
        on: bool | None
        if enabled is False or (enabled and svc in ("inactive", "failed")):
            on = False
        elif enabled and svc == "active":
            on = True
        else:
            on = None
        return Firewall("ufw", on, detail=(("configured", enabled), ("service", svc == "active")),
                        note="ufw.conf ENABLED and the ufw service (ufw status needs administrator rights)")
    return None


def _firewalld(r: Mapping[str, ProbeResult], states: dict) -> Firewall | None:
    fw_state = r.get("linux.firewalld_state")
    if fw_state and fw_state.ok and isinstance(fw_state.value, str) and fw_state.value.strip() in (
            "running", "not running"):
        return Firewall("firewalld", fw_state.value.strip() == "running", note="firewall-cmd --state")
    if states.get("firewalld") in ("active", "inactive", "failed") and not (
            states.get("firewalld") == "inactive" and absent(r, "linux.firewalld_state")):
        # `systemctl is-active` says "inactive" for a unit that does not exist too: without
        # firewall-cmd that is no firewalld at all, not a firewalld that is off.
        return Firewall("firewalld", states["firewalld"] == "active", note="systemctl is-active firewalld")
    return None


def _nftables(r: Mapping[str, ProbeResult], states: dict) -> Firewall | None:
    nft = r.get("linux.nft_ruleset")
    if nft and nft.ok and isinstance(nft.value, str):
        try:
            doc = json.loads(nft.value)
        except (ValueError, RecursionError):  # RecursionError: absurdly nested text must not crash
            doc = None
        policy = p.nft_input_policy(doc)
        if policy is not None:
            return Firewall("nftables", policy == "drop", detail=(("input policy drop", policy == "drop"),),
                            note=f"nft input chain policy {policy}")
        if isinstance(doc, dict) and isinstance(doc.get("nftables"), list):
            # The ruleset was read and no chain filters input: nothing drops incoming
            # traffic. That is a fact ("off"), not an unreadable state; before, a root
            # run on a stock Debian (nftables installed, empty ruleset) came out unknown.
            return Firewall("nftables", False, detail=(("input policy drop", False),),
                            note="no input filter chain in the nft ruleset")
        return None
    if states.get("nftables") == "active":
        return Firewall("nftables", None,
                        note="the nftables service is active; its ruleset needs administrator rights to read")
    return None


def firewalls(r: Mapping[str, ProbeResult]) -> tuple[Firewall, ...] | Unknown:
    units = r.get("linux.units")
    states = units.value if units and units.ok and isinstance(units.value, dict) else {}
    found = [fw for fw in (_ufw(r, states), _firewalld(r, states), _nftables(r, states)) if fw is not None]

    if found:
        return tuple(found)
    # Nothing found: that is "no firewall" only if every firewall is known to be absent.
    if all(absent(r, pid) for pid in ("linux.ufw_conf", "linux.firewalld_state", "linux.nft_ruleset")):
        return ()
    reasons = "; ".join(f"{pid}: {error_of(r, pid)}" for pid in ("linux.units", "linux.nft_ruleset",
                                                                  "linux.firewalld_state") if error_of(r, pid))
    return Unknown(f"no firewall state could be read ({reasons or 'no answer'})")


def antivirus(r: Mapping[str, ProbeResult]) -> tuple[AvProduct, ...] | Unknown:
    try:
        headers = value(r, "linux.clamav_db", dict)
    except Missing as exc:
        return () if absent(r, "linux.clamav_db") else exc.unknown()
    dates = [d for d in (p.parse_cvd_header(str(h)) for h in headers.values()) if d]
    units = r.get("linux.units")
    states = units.value if units and units.ok and isinstance(units.value, dict) else {}
    daemon = states.get("clamav-daemon") or states.get("clamav-clamonacc")
    # ClamAV scans on demand; the daemon or freshclam running counts as "on".
    active = states.get("clamav-daemon") == "active" or states.get("clamav-freshclam") == "active"
    state = "on" if active else ("off" if daemon is not None else "unknown")
    return (AvProduct(name="ClamAV", state=state, up_to_date=None, definitions=max(dates) if dates else None,
                      source="clamav"),)


def updates(r: Mapping[str, ProbeResult]) -> LinuxUpdates | Unknown:
    times = r.get("linux.update_times")
    t = times.value if times and times.ok and isinstance(times.value, dict) else {}
    pending: int | Unknown = Unknown("no package manager answered")
    apt, dnf = r.get("linux.apt_upgradable"), r.get("linux.dnf_security")
    if apt and apt.ok and isinstance(apt.value, str):
        n = p.parse_apt_upgradable(apt.value)
        pending = n if n is not None else Unknown("apt list --upgradable printed nothing readable")
    elif dnf and dnf.ok and isinstance(dnf.value, str):
        n_dnf = p.parse_dnf_security(dnf.value)
        pending = n_dnf if n_dnf is not None else Unknown("dnf updateinfo printed nothing readable", "unparsed")
    elif apt and apt.error and apt.failure != "not_installed":
        pending = Unknown(f"apt: {apt.error}", apt.failure)
    elif dnf and dnf.error and dnf.failure != "not_installed":
        pending = Unknown(f"dnf: {dnf.error}", dnf.failure)
    last = parse_time(t.get("apt_history")) or parse_time(t.get("dnf_history"))
    if last is None:  # no log: the package database's own change time is the next best record
        last = parse_time(t.get("dpkg_status")) or parse_time(t.get("rpm_db"))
    refreshed = parse_time(t.get("apt_update_stamp")) or parse_time(t.get("apt_lists"))
    if refreshed is None:  # dnf systems: when the repositories' metadata was last fetched
        refreshed = parse_time(t.get("dnf_metadata"))
    if last is None and isinstance(pending, Unknown):
        return Unknown(pending.reason)
    return LinuxUpdates(last_upgrade=last, pending_security=pending, lists_refreshed=refreshed)


def wifi(r: Mapping[str, ProbeResult]) -> Wifi | NoWifi | Unknown:
    """nmcli and /sys/class/net: facts/wifi.py (shared with the diagnostics)."""
    return wifi_fact("linux", r)


def cameras(r: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        nodes = value(r, "linux.video", dict)
    except Missing as exc:
        return exc.unknown()
    # One webcam makes two nodes (capture + metadata); index 0 is the capture node.
    return tuple(sorted({str(n.get("name", "")) for n in nodes.values()
                         if isinstance(n, dict) and n.get("index") in (0, None) and n.get("name")}))


def microphones(r: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        return tuple(p.parse_asound_pcm(value(r, "linux.asound_pcm", str)))
    except Missing as exc:
        return exc.unknown()


def collect(r: Mapping[str, ProbeResult]) -> Facts:
    return Facts(platform="linux", os=os_info(r), firewalls=firewalls(r), antivirus=antivirus(r),
                 software=software(r), processes=processes(r), wifi=wifi(r), cameras=cameras(r),
                 microphones=microphones(r), linux_updates=updates(r), endpoints=endpoints(r),
                 handlers=handlers(r, "linux"))
