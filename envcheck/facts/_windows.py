"""Windows: probe values -> Facts, with the pure parsers for each source."""

from __future__ import annotations

import re
from typing import Any, Mapping

from envcheck.facts._handlers import handlers
from envcheck.facts._common import Missing, endpoints, parse_time, processes, value
from envcheck.facts.model import AvProduct, Facts, Firewall, NoWifi, OsInfo, Software, Unknown, UpdateAgent, Wifi
from envcheck.facts.wifi import wifi_fact
from envcheck.probes import ProbeResult

WIN11_FIRST_BUILD = 22000


def os_info(r: Mapping[str, ProbeResult]) -> OsInfo | Unknown:
    try:
        cv = value(r, "win.current_version", dict)
    except Missing as exc:
        return exc.unknown()
    try:
        build = int(str(cv.get("CurrentBuild") or cv.get("CurrentBuildNumber")).strip())
    except ValueError:
        return Unknown("win.current_version: CurrentBuild is not a number")
    ubr = cv.get("UBR")
    # InstallationType is "Server" or "Server Core" (also "Nano Server"): all are servers,
    # never Windows 10/11 clients that share their build numbers (Server 2025 = 26100).
    server = "server" in str(cv.get("InstallationType", "")).lower()
    # ProductName still says "Windows 10" on Windows 11: the build number decides.
    product = "Windows Server" if server else ("Windows 11" if build >= WIN11_FIRST_BUILD else "Windows 10")
    name = str(cv.get("ProductName") or product)
    if product == "Windows 11":
        name = name.replace("Windows 10", "Windows 11")
    version = cv.get("DisplayVersion") or cv.get("ReleaseId")
    return OsInfo(family="windows", name=name, product=product, version=str(version) if version else None,
                  build=str(build), revision=ubr if isinstance(ubr, int) and ubr >= 0 else None,
                  edition=str(cv["EditionID"]) if cv.get("EditionID") else None)


def decode_product_state(state: Any) -> tuple[str, bool, bool | None]:
    """SecurityCenter2 productState -> (state, made_by_microsoft, definitions_up_to_date).

    Undocumented by Microsoft; masks as published by Idera PowerTips and seen
    across 34 products (see tests/fixtures/sources): 0xF000 state, 0x0F00 owner,
    0x00F0 signature status. Unknown nibbles give "unknown"/None, never "on".
    """
    if not isinstance(state, int) or isinstance(state, bool) or state < 0:
        return "unknown", False, None
    on = {0: "off", 1: "on", 2: "snoozed", 3: "expired"}.get((state >> 12) & 0xF, "unknown")
    owner_ms = (state >> 8) & 0xF == 1
    sig = {0: True, 1: False}.get((state >> 4) & 0xF)
    return on, owner_ms, sig


def _as_list(x: Any) -> list:
    """PowerShell 5.1 turns a one-element array into a bare object; undo that."""
    if isinstance(x, list):
        return [i for i in x if isinstance(i, dict)]
    return [x] if isinstance(x, dict) and "error" not in x else []


def _section(r: Mapping[str, ProbeResult], key: str) -> Any:
    """One section of the PowerShell document, or raise Missing with its error."""
    doc = value(r, "win.security", dict)
    if key not in doc:
        raise Missing(f"win.security: no {key} section")
    sec = doc[key]
    if isinstance(sec, dict) and "error" in sec:
        raise Missing(f"{key}: {str(sec['error'])[:200]}")
    return sec


def antivirus(r: Mapping[str, ProbeResult]) -> tuple[AvProduct, ...] | Unknown:
    try:
        wsc = _as_list(_section(r, "AntiVirusProduct"))
    except Missing as exc:
        wsc, wsc_error = None, str(exc)
    try:
        mp = _section(r, "MpComputerStatus")
        mp = mp if isinstance(mp, dict) else None
    except Missing:
        mp = None  # normal under a third-party antivirus (HRESULT 0x800106ba)
    try:
        threats = len(_as_list(_section(r, "MpThreat")))
    except Missing:
        threats = None

    out = []
    for row in wsc or []:
        name = str(row.get("displayName") or "").strip()
        if not name:
            continue
        state, ms, sig = decode_product_state(row.get("productState"))
        product = AvProduct(name=name, state=state, up_to_date=sig, source="wsc")
        if mp and _is_microsoft_defender(name, ms):
            product = _with_defender_detail(product, mp, threats)
        out.append(product)
    if wsc is None:
        if mp is None:
            return Unknown(wsc_error)
        # Windows Server has no Security Center: Defender's own status is all there is.
        out.append(_with_defender_detail(AvProduct("Microsoft Defender Antivirus", "unknown", None,
                                                   source="defender"), mp, threats))
    return tuple(out)


# Get-MpComputerStatus describes Microsoft Defender only. A bare "defender" substring test
# also hit "Bitdefender Antivirus" and gave it Defender's passive state (a real Bitdefender
# host then failed antivirus.active): match Defender's own names, or the Microsoft owner bit.
_DEFENDER_NAME = re.compile(r"^(windows|microsoft)\s+defender\b", re.I)


def _is_microsoft_defender(name: str, made_by_microsoft: bool) -> bool:
    return bool(_DEFENDER_NAME.match(name)) or (made_by_microsoft
                                                 and re.search(r"\bdefender\b", name, re.I) is not None)


def _with_defender_detail(p: AvProduct, mp: dict, threats: int | None) -> AvProduct:
    mode = str(mp.get("AMRunningMode") or "")
    rtp = mp.get("RealTimeProtectionEnabled")
    state = p.state
    if "passive" in mode.lower() or rtp is False or mp.get("AntivirusEnabled") is False:
        state = "off"
    elif rtp is True and state == "unknown":
        state = "on"
    outdated = mp.get("DefenderSignaturesOutOfDate")
    return AvProduct(name=p.name, state=state,
                     up_to_date=(not outdated) if isinstance(outdated, bool) else p.up_to_date,
                     definitions=parse_time(mp.get("AntivirusSignatureLastUpdated")),
                     threats=threats, source="defender" if p.source != "wsc" else "wsc+defender")


PROFILES = (("domain", "DomainProfile", "DomainProfile"), ("private", "StandardProfile", "PrivateProfile"),
            ("public", "PublicProfile", "PublicProfile"))


def firewalls(r: Mapping[str, ProbeResult]) -> tuple[Firewall, ...] | Unknown:
    out: list[Firewall] = []
    profiles: dict[str, bool | None] = {}
    note = None
    try:  # the effective state, policy included
        for row in _as_list(_section(r, "NetFirewallProfile")):
            if isinstance(row.get("Enabled"), bool):
                profiles[str(row.get("Name", "")).lower()] = row["Enabled"]
        note = "Get-NetFirewallProfile (active store)"
    except Missing:
        pass
    if not profiles:
        try:  # registry: group policy overrides the local setting
            reg = value(r, "win.firewall_policy", dict)
            local, gpo = reg.get("local"), reg.get("gpo")
            local, gpo = (local if isinstance(local, dict) else {}), (gpo if isinstance(gpo, dict) else {})
            for name, local_key, gpo_key in PROFILES:
                v = gpo.get(gpo_key) if gpo.get(gpo_key) is not None else local.get(local_key)
                profiles[name] = bool(v) if isinstance(v, int) else None
            note = "registry FirewallPolicy (group policy first)"
        except Missing as exc:
            note = str(exc)
    if profiles and any(v is not None for v in profiles.values()):
        detail = tuple((n, profiles.get(n)) for n, _, _ in PROFILES)
        vals = [v for _, v in detail]
        on = True if all(v is True for v in vals) else (False if any(v is False for v in vals) else None)
        out.append(Firewall("Windows Defender Firewall", on, detail=detail, note=note))
    try:
        for row in _as_list(_section(r, "FirewallProduct")):
            state, _ms, _sig = decode_product_state(row.get("productState"))
            out.append(Firewall(str(row.get("displayName") or "firewall"),
                                {"on": True, "off": False}.get(state), note="Windows Security Center"))
    except Missing:
        pass
    return tuple(out) if out else Unknown(note or "no firewall source could be read")


def software(r: Mapping[str, ProbeResult]) -> tuple[Software, ...] | Unknown:
    try:
        rows = value(r, "win.uninstall", list)
    except Missing as exc:
        return exc.unknown()
    return tuple(Software(name=str(e["DisplayName"]).strip(), version=str(e["DisplayVersion"]).strip()
                          if e.get("DisplayVersion") else None, kind="installed",
                          ident=e["hive"] if isinstance(e.get("hive"), str) else None)
                 for e in rows if isinstance(e, dict) and e.get("DisplayName"))


def wifi(r: Mapping[str, ProbeResult]) -> Wifi | NoWifi | Unknown:
    """The Native Wifi API, netsh as fallback: facts/wifi.py (shared with the diagnostics)."""
    return wifi_fact("windows", r)


_IR_OR_VIRTUAL = re.compile(r"\bIR\b|infrared|赤外線|virtual|仮想|obs-?camera|snap camera|manycam", re.I)


def cameras(r: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        rows = _as_list(_section(r, "Camera"))
    except Missing as exc:
        return exc.unknown()
    # Windows Hello IR sensors and virtual cameras cannot show the seeker's face to a counselor.
    return tuple(sorted({str(d.get("FriendlyName")) for d in rows if d.get("FriendlyName")
                         and str(d.get("Status", "OK")).upper() == "OK"
                         and not _IR_OR_VIRTUAL.search(str(d["FriendlyName"]))}))


_MIC_WORDS = re.compile(r"microphone|mic\b|マイク|line in|ライン入力|headset|ヘッドセット", re.I)


def microphones(r: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        rows = _as_list(_section(r, "AudioEndpoint"))
    except Missing as exc:
        return exc.unknown()
    out = set()
    for d in rows:
        name, inst = str(d.get("FriendlyName") or ""), str(d.get("InstanceId") or "").upper()
        if str(d.get("Status", "OK")).upper() != "OK" or not name:
            continue
        # Capture endpoints' ids start {0.0.1.…}, render ones {0.0.0.…}: a locale-free test.
        if "{0.0.1." in inst or (not inst and _MIC_WORDS.search(name)):
            out.add(name)
    return tuple(sorted(out))


# Windows Update classifications by category GUID: the category *names* are localized.
SECURITY_CLASSES = frozenset({"0fa1201d-4330-4fa8-8ae9-b877473b6441",   # Security Updates
                              "e6cf1350-c01b-414d-a61f-263d14d133b4"})  # Critical Updates
WUA_SUCCEEDED = (2, 3)  # OperationResultCode: orcSucceeded, orcSucceededWithErrors


def _is_security(u: dict) -> bool:
    ids = {str(c).lower() for c in _as_list_any(u.get("CategoryIds"))}
    return bool(ids & SECURITY_CLASSES) or bool(str(u.get("MsrcSeverity") or "").strip())


def _as_list_any(x: Any) -> list:
    return x if isinstance(x, list) else [] if x is None else [x]


def _managed(pol: dict) -> str | None:
    """Who else decides the offered updates: a WSUS server, or a quality-update deferral policy."""
    if str(pol.get("UseWUServer", "")).strip() == "1" and str(pol.get("WUServer", "")).strip():
        return "wsus"
    try:
        defer = int(str(pol.get("DeferQualityUpdatesPeriodInDays", "0")).strip() or 0)
    except ValueError:
        return "deferral"
    return "deferral" if defer > 0 else None


def update_agent(r: Mapping[str, ProbeResult]) -> UpdateAgent | Unknown:
    try:
        wua = _section(r, "UpdateAgent")
    except Missing as exc:
        return Unknown(str(exc))
    if not isinstance(wua, dict):
        return Unknown("UpdateAgent: not an object")
    try:
        pol = _section(r, "UpdatePolicy")
    except Missing:
        pol = {}
    pol = pol if isinstance(pol, dict) else {}
    pending: int | Unknown
    names: tuple[str, ...] = ()
    if wua.get("ResultCode") not in WUA_SUCCEEDED:
        pending = Unknown(f"the Windows Update search ended with result code {wua.get('ResultCode')}")
    else:
        sec = [u for u in _as_list(wua.get("Updates")) if _is_security(u)]
        pending = len(sec)
        names = tuple(str(u.get("Title") or "")[:120] for u in sec)
    paused = max((t for t in (parse_time(pol.get("PauseUpdatesExpiryTime")),
                              parse_time(pol.get("PauseQualityUpdatesEndTime")))
                  if t is not None), default=None)
    reboot = wua.get("RebootRequired")
    return UpdateAgent(source="wua", last_check=parse_time(wua.get("LastSearchSuccessDate")),
                       pending_security=pending, pending_names=names,
                       last_install=parse_time(wua.get("LastInstallationSuccessDate")),
                       reboot_required=reboot if isinstance(reboot, bool) else None, paused_until=paused,
                       managed=_managed(pol))


def collect(r: Mapping[str, ProbeResult]) -> Facts:
    return Facts(platform="windows", os=os_info(r), firewalls=firewalls(r), antivirus=antivirus(r),
                 software=software(r), processes=processes(r), wifi=wifi(r), cameras=cameras(r),
                 microphones=microphones(r), endpoints=endpoints(r), update_agent=update_agent(r),
                 handlers=handlers(r, "windows"))
