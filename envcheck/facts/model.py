"""Typed facts: what the probes showed, platform differences already resolved.

Any fact area may be `Unknown(reason)`: the probe failed, timed out, lacked
rights or printed something unreadable. Unknown is never read as "off".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Unknown:
    """A fact that could not be determined, and why (one line, for people)."""

    reason: str
    kind: str | None = None
    """The probe failure kind behind it (errors.FAILURE_KINDS), when one probe's failure is the cause."""


@dataclass(frozen=True)
class OsInfo:
    family: str
    """"windows", "macos" or "linux"."""
    name: str
    """Human name as the OS calls itself, e.g. "Windows 11 Pro", "macOS 15.7.4", "Ubuntu 24.04.3 LTS"."""
    product: str
    """Windows: "Windows 10"/"Windows 11" (from the build, never ProductName); macOS: "macOS"; Linux: os-release ID."""
    version: str | None
    """Windows DisplayVersion ("23H2"); macOS ProductVersion ("15.7.4"); Linux VERSION_ID ("24.04"); None if absent."""
    build: str | None = None
    """Windows CurrentBuild ("22631"); macOS BuildVersion ("24G517")."""
    revision: int | None = None
    """Windows UBR, the cumulative-update revision (22631.<UBR>)."""
    edition: str | None = None
    """Windows EditionID ("Professional", "Core", "EnterpriseS")."""
    id_like: tuple[str, ...] = ()
    """Linux ID_LIKE."""


@dataclass(frozen=True)
class LinuxUpdates:
    last_upgrade: datetime | None
    """When packages were last upgraded (UTC), None if no record was found."""
    pending_security: int | Unknown
    """Security updates the local package cache knows are pending."""
    lists_refreshed: datetime | None
    """When the package lists were last refreshed (UTC); old lists hide pending updates."""


@dataclass(frozen=True)
class UpdateAgent:
    """What the OS's own update agent found at its last check (Windows Update Agent, macOS softwareupdated)."""

    source: str
    """"wua" (Windows Update Agent, offline view of its last scan) or "softwareupdate" (macOS preferences)."""
    last_check: datetime | None
    """When the agent last searched for updates successfully (UTC)."""
    pending_security: int | Unknown
    """Security-relevant updates found and not installed (Windows: Security/Critical; macOS: OS updates)."""
    pending_names: tuple[str, ...] = ()
    """Their names as the agent shows them ("2026-11 Cumulative Update ... (KB5068861)", "macOS Tahoe 26.6.2")."""
    last_install: datetime | None = None
    """Windows only: when updates last installed successfully; shown, never decisive (reported unreliable)."""
    reboot_required: bool | None = None
    paused_until: datetime | None = None
    """Windows: updates paused by the user until this time."""
    managed: str | None = None
    """"wsus", "deferral" or "mdm" when someone else decides which updates this device is offered."""


@dataclass(frozen=True)
class Firewall:
    name: str
    """"Windows Defender Firewall", "ufw", a third-party product's display name …"""
    on: bool | None
    """True when it filters incoming traffic on every profile; None when that could not be read."""
    detail: tuple[tuple[str, bool | None], ...] = ()
    """Per profile or per source states, e.g. (("domain", True), ("private", True), ("public", False))."""
    note: str | None = None
    """Why `on` is None, or how it was decided (e.g. "the nftables ruleset needs administrator rights")."""


@dataclass(frozen=True)
class AvProduct:
    name: str
    state: str
    """"on", "off", "snoozed", "expired" or "unknown" (real-time protection as the OS reports it)."""
    up_to_date: bool | None
    """The OS's or product's own verdict on its definitions; None when not reported."""
    definitions: datetime | None = None
    """When the definitions were built or last updated (UTC), when known."""
    threats: int | None = None
    """Active threats the product reports; None when not reported."""
    source: str = ""
    """Where this came from: "wsc", "defender", "clamav", "xprotect"."""


@dataclass(frozen=True)
class Software:
    name: str
    """Display name: Windows DisplayName, macOS bundle name without .app, Linux package name."""
    version: str | None
    kind: str
    """"installed" (Windows uninstall key), "app" (macOS bundle), "package", "flatpak" or "snap"."""
    ident: str | None = None
    """macOS bundle id, flatpak app id, or the Windows hive ("HKCU" for per-user installs)."""


@dataclass(frozen=True)
class Handler:
    """A program registered to open magnet:, ed2k: or .torrent."""

    kind: str
    """"magnet", "ed2k" or "torrent"."""
    program: str
    """What the OS shows: the executable (Windows), the app (macOS), the .desktop Name (Linux)."""
    exe: str | None = None
    """The executable's file name (Windows command, Linux Exec), never its folder."""
    ident: str | None = None
    """ProgID (Windows), bundle id (macOS), desktop file id (Linux)."""
    how: str = ""
    """How it is registered: protocol, extension, openwith, userchoice, Info.plist, desktop (system|user)."""


@dataclass(frozen=True)
class Wifi:
    connected: bool
    security: str
    """Normalised: "open", "wep", "wpa", "wpa2", "wpa3", "owe", "enterprise" or "unknown"."""
    label: str = ""
    """The OS's own word for it ("WPA2-Personal", "spairport_security_mode_none", "DOT11_AUTH_ALGO_RSNA_PSK")."""
    signal_percent: int | None = None
    signal_dbm: int | None = None
    noise_dbm: int | None = None
    radio: str | None = None
    source: str = ""
    """Which reader established it: "wlanapi", "netsh", "system_profiler", "nmcli"."""


@dataclass(frozen=True)
class NoWifi:
    """A positively read fact: the interface list was read and no wireless link is in use.

    The only thing that may make network.wifi `skipped`; anything less certain is Unknown.
    """

    basis: str
    """The evidence, for people: e.g. "wlanapi: 1 wireless interface, disconnected"."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    host: str
    port: int
    ok: bool
    ms: int | None
    error: str | None = None


@dataclass(frozen=True)
class Facts:
    platform: str
    os: OsInfo | Unknown
    firewalls: tuple[Firewall, ...] | Unknown
    antivirus: tuple[AvProduct, ...] | Unknown
    software: tuple[Software, ...] | Unknown
    processes: tuple[str, ...] | Unknown
    wifi: Wifi | NoWifi | Unknown
    """NoWifi: positively no Wi-Fi link in use (wired, or no Wi-Fi adapter)."""
    cameras: tuple[str, ...] | Unknown
    microphones: tuple[str, ...] | Unknown
    linux_updates: LinuxUpdates | Unknown | None = None
    """Linux only; None elsewhere."""
    endpoints: tuple[Endpoint, ...] | Unknown | None = None
    """None when offline (network checks skipped)."""
    update_agent: UpdateAgent | Unknown | None = None
    """Windows and macOS: the OS update agent's view; None on Linux (see linux_updates)."""
    handlers: tuple[Handler, ...] | Unknown | None = None
    """Programs registered for magnet:/ed2k:/.torrent; None when the snapshot has no handler probe."""
