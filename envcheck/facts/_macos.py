"""macOS: probe values -> Facts, with the pure parsers for each source."""

from __future__ import annotations

import re
from typing import Any, Mapping

from envcheck.facts._handlers import handlers
from envcheck.facts._common import Missing, endpoints, parse_time, processes, value, walk
from envcheck.facts.model import AvProduct, Facts, Firewall, NoWifi, OsInfo, Software, Unknown, UpdateAgent, Wifi
from envcheck.facts.wifi import connected_network, wifi_fact  # noqa: F401 - connected_network re-exported
from envcheck.probes import ProbeResult

# Build prefixes by major, to see through the 10.16 compatibility shim.
_BUILD_MAJOR = {"20": "11", "21": "12", "22": "13", "23": "14", "24": "15", "25": "26", "26": "27"}


def parse_sw_vers(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(?:sw_vers:\s*)?(ProductName|ProductVersion|ProductVersionExtra|BuildVersion):\s*(.+)$",
                     line.strip())
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def os_info(r: Mapping[str, ProbeResult]) -> OsInfo | Unknown:
    try:
        sv = parse_sw_vers(value(r, "mac.sw_vers", str))
    except Missing as exc:
        return exc.unknown()
    version = sv.get("ProductVersion")
    if not version or not re.fullmatch(r"\d+(\.\d+){0,2}", version):
        return Unknown("sw_vers printed no readable ProductVersion")
    build = sv.get("BuildVersion")
    if version.startswith("10.16") and build and build[:2] in _BUILD_MAJOR:
        return Unknown(f"sw_vers reported the compatibility version 10.16 (build {build})")
    name = f"{sv.get('ProductName', 'macOS')} {version}"
    if sv.get("ProductVersionExtra"):
        name += " " + sv["ProductVersionExtra"]
    return OsInfo(family="macos", name=name, product="macOS", version=version, build=build)


def parse_alf(text: str) -> int | None:
    """socketfilterfw --getglobalstate -> State = N (0 off, 1 on, 2 block all); wording varies by release."""
    m = re.search(r"\(State = (\d+)\)", text)
    if m:
        return int(m.group(1))
    if re.search(r"Firewall is (enabled|blocking)", text):
        return 1
    if "Firewall is disabled" in text:
        return 0
    return None


def firewalls(r: Mapping[str, ProbeResult]) -> tuple[Firewall, ...] | Unknown:
    try:
        state = parse_alf(value(r, "mac.alf", str))
    except Missing as exc:
        return exc.unknown()
    if state is None:
        return Unknown("socketfilterfw printed no firewall state")
    return (Firewall("macOS Application Firewall", state >= 1, detail=(("state", state >= 1),),
                     note=f"State = {state}"),)


def software(r: Mapping[str, ProbeResult]) -> tuple[Software, ...] | Unknown:
    try:
        rows = value(r, "mac.apps", list)
    except Missing as exc:
        return exc.unknown()
    out = []
    for a in rows:
        if not isinstance(a, dict) or not a.get("bundle"):
            continue
        version = a.get("CFBundleShortVersionString") or a.get("CFBundleVersion")
        out.append(Software(name=str(a["bundle"]).removesuffix(".app"),
                            version=str(version).split(" ")[0] if version else None,
                            kind="app", ident=a["CFBundleIdentifier"] if isinstance(a.get("CFBundleIdentifier"), str)
                            else None))
    return tuple(out)


def antivirus(r: Mapping[str, ProbeResult]) -> tuple[AvProduct, ...] | Unknown:
    try:
        xp = value(r, "mac.xprotect", dict)
    except Missing as exc:
        return exc.unknown()
    when = parse_time(xp.get("modified"))
    hist = r.get("mac.install_history")
    if hist and hist.ok and isinstance(hist.value, list):
        for row in hist.value:
            if isinstance(row, dict) and "xprotect" in str(row.get("_name", "")).lower():
                t = parse_time(row.get("install_date"))
                if t and (when is None or t > when):
                    when = t
    # XProtect is built in and always on; there is no switch for a user to turn it off.
    # Third-party products are found among the apps by the rules' signatures (checks layer).
    return (AvProduct(name="XProtect", state="on", up_to_date=None, definitions=when, source="xprotect"),)


def _profiler_items(r: Mapping[str, ProbeResult], pid: str, key: str) -> list:
    doc = value(r, pid, dict)
    items = doc.get(key)
    if not isinstance(items, list):
        raise Missing(f"{pid}: no {key}")
    return items


def cameras(r: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        items = _profiler_items(r, "mac.sp_camera", "SPCameraDataType")
    except Missing as exc:
        return exc.unknown()
    return tuple(sorted({str(c.get("_name")) for c in items if isinstance(c, dict) and c.get("_name")
                         and not re.search(r"virtual|obs", str(c.get("_name")), re.I)}))


_SOFTWARE_AUDIO = ("coreaudio_device_type_virtual", "coreaudio_device_type_aggregate")


def microphones(r: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        items = _profiler_items(r, "mac.sp_audio", "SPAudioDataType")
    except Missing as exc:
        return exc.unknown()
    # A virtual or aggregate input (Microsoft Teams Audio, BlackHole, Loopback) is software, not a
    # microphone: a real capture lists "Microsoft Teams Audio" with coreaudio_device_input 1 and
    # transport coreaudio_device_type_virtual. Counting it would pass device.microphone on a Mac
    # that has none (cameras drop virtual ones for the same reason).
    return tuple(sorted({str(d.get("_name")) for d in walk(items)
                         if d.get("_name") and ("coreaudio_device_input" in d or "coreaudio_input_source" in d)
                         and d.get("coreaudio_device_input") != 0
                         and d.get("coreaudio_device_transport") not in _SOFTWARE_AUDIO}))


def wifi(r: Mapping[str, ProbeResult]) -> Wifi | NoWifi | Unknown:
    """system_profiler SPAirPortDataType: facts/wifi.py (shared with the diagnostics)."""
    return wifi_fact("darwin", r)


def _lead(text: Any) -> tuple[int, ...] | None:
    m = re.match(r"^\s*(\d+(?:\.\d+){0,3})", str(text or ""))
    return tuple(int(x) for x in m.group(1).split(".")) + (0,) * (3 - m.group(1).count(".")) if m else None


def _major(v: tuple[int, ...]) -> tuple[int, ...]:
    return v[:2] if v[0] == 10 else v[:1]


def _is_macos(u: dict) -> bool:
    return (u.get("MobileSoftwareUpdate") in (True, 1, "1") or str(u.get("Identifier") or "").startswith("MSU_UPDATE")
            or str(u.get("Display Name") or "").startswith(("macOS", "OS X")))


def _is_os_update(u: dict) -> bool:
    """macOS itself, a Rapid/Background Security Response or Safari; not Xcode tools or printer drivers."""
    ident = str(u.get("Identifier") or "")
    name = str(u.get("Display Name") or "")
    return (u.get("MobileSoftwareUpdate") in (True, 1, "1") or ident.startswith("MSU_UPDATE")
            or bool(re.search(r"^(macOS|Safari)\b|Security (Update|Response)", name)))


def update_agent(r: Mapping[str, ProbeResult], installed: str | None = None) -> UpdateAgent | Unknown:
    try:
        su = value(r, "mac.softwareupdate", dict)
    except Missing as exc:
        return Unknown(str(exc))
    checks = [t for t in (parse_time(su.get(k)) for k in ("LastSuccessfulDate", "LastFullSuccessfulDate",
                                                            "LastBackgroundSuccessfulDate")) if t]
    recs = su.get("RecommendedUpdates")
    if not isinstance(recs, list):
        # LastRecommendedUpdatesAvailable alone is not used: it has been seen stuck at 1 on an up-to-date Mac.
        return UpdateAgent(source="softwareupdate", last_check=max(checks, default=None),
                           pending_security=Unknown("com.apple.SoftwareUpdate.plist has no RecommendedUpdates list"))
    here = _lead(installed)
    pending = []
    for u in recs:
        if not isinstance(u, dict) or not _is_os_update(u):
            continue
        offered = _lead(u.get("Display Version"))
        # An upgrade to the next major (offered to every Mac that can run it) is not a missing fix;
        # and the list is only rewritten at the next scan: at or below the running version it is in.
        if (here is not None and offered is not None and _is_macos(u)
                and (_major(offered) != _major(here) or offered <= here)):
            continue
        pending.append(str(u.get("Display Name") or u.get("Identifier") or "?")[:120])
    return UpdateAgent(source="softwareupdate", last_check=max(checks, default=None),
                       pending_security=len(pending), pending_names=tuple(pending))


def collect(r: Mapping[str, ProbeResult]) -> Facts:
    osi = os_info(r)
    return Facts(platform="darwin", os=osi, firewalls=firewalls(r), antivirus=antivirus(r),
                 software=software(r), processes=processes(r), wifi=wifi(r), cameras=cameras(r),
                 microphones=microphones(r), endpoints=endpoints(r),
                 update_agent=update_agent(r, osi.version if isinstance(osi, OsInfo) else None),
                 handlers=handlers(r, "darwin"))
