"""Windows probes: the registry through winreg, and everything CIM in ONE PowerShell process.

PowerShell takes 0.5-3 s to start, so all CIM/WMI facts are gathered by one
script that prints one JSON document; each query inside it is wrapped so one
failing cmdlet (Get-MpComputerStatus under a third-party antivirus) cannot
spoil the others.
"""

from __future__ import annotations

import base64
import json
import os
import sys

from envcheck.errors import NotInstalled, Unparsed
from envcheck.probes import ProbeSpec, _handlers
from envcheck.probes._wlanapi import LOCATION_URI
from envcheck.probes._run import run, run_status

W = ("windows",)

CURRENT_VERSION = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
CV_VALUES = ("ProductName", "CurrentBuild", "CurrentBuildNumber", "UBR", "DisplayVersion", "ReleaseId",
             "EditionID", "InstallationType")
UNINSTALL = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
FIREWALL_LOCAL = r"SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy"
FIREWALL_GPO = r"SOFTWARE\Policies\Microsoft\WindowsFirewall"


def _values(hive, path: str, names, view: int = 0) -> dict:
    if sys.platform != "win32":  # the registry probes run only there; mypy reads this guard too
        raise ModuleNotFoundError("winreg exists only on Windows")
    import winreg

    out = {}
    try:
        with winreg.OpenKey(hive, path, 0, winreg.KEY_READ | view) as key:
            for name in names:
                try:
                    out[name] = winreg.QueryValueEx(key, name)[0]
                except OSError:
                    continue
    except FileNotFoundError:
        return {}
    except PermissionError as exc:
        from envcheck.errors import AccessDenied
        raise AccessDenied(f"not allowed to read {path}") from exc
    return {k: v for k, v in out.items() if isinstance(v, (str, int))}


def current_version() -> dict:
    if sys.platform != "win32":  # the registry probes run only there; mypy reads this guard too
        raise ModuleNotFoundError("winreg exists only on Windows")
    import winreg

    values = _values(winreg.HKEY_LOCAL_MACHINE, CURRENT_VERSION, CV_VALUES, winreg.KEY_WOW64_64KEY)
    if not values:
        raise NotInstalled(rf"HKLM\{CURRENT_VERSION} is missing")
    return values


def uninstall_entries() -> list[dict]:
    """DisplayName/DisplayVersion/Publisher of every uninstall key (machine 64/32-bit and this user)."""
    if sys.platform != "win32":  # the registry probes run only there; mypy reads this guard too
        raise ModuleNotFoundError("winreg exists only on Windows")
    import winreg

    views = [
        ("HKLM", winreg.HKEY_LOCAL_MACHINE, winreg.KEY_WOW64_64KEY),
        ("HKLM-WOW6432Node", winreg.HKEY_LOCAL_MACHINE, winreg.KEY_WOW64_32KEY),
        ("HKCU", winreg.HKEY_CURRENT_USER, 0),
    ]
    out = []
    for hive_name, hive, view in views:
        try:
            root = winreg.OpenKey(hive, UNINSTALL, 0, winreg.KEY_READ | view)
        except OSError:
            continue
        with root:
            i = 0
            while True:
                try:
                    sub = winreg.EnumKey(root, i)
                except OSError:
                    break
                i += 1
                v = _values(hive, UNINSTALL + "\\" + sub, ("DisplayName", "DisplayVersion", "Publisher"), view)
                if v.get("DisplayName"):
                    out.append({"hive": hive_name, "DisplayName": v["DisplayName"],
                                "DisplayVersion": v.get("DisplayVersion"), "Publisher": v.get("Publisher")})
    return out


def _key_values(hive_name: str, path: str) -> dict | None:
    """Every value of a key ("" is the default value), or None when the key does not exist."""
    if sys.platform != "win32":  # the registry probes run only there; mypy reads this guard too
        raise ModuleNotFoundError("winreg exists only on Windows")
    import winreg

    hive = {"HKCU": winreg.HKEY_CURRENT_USER, "HKLM": winreg.HKEY_LOCAL_MACHINE}[hive_name]
    try:
        key = winreg.OpenKey(hive, path, 0, winreg.KEY_READ)
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        from envcheck.errors import AccessDenied
        raise AccessDenied(f"not allowed to read {path}") from exc
    out: dict = {}
    with key:
        i = 0
        while i < 256:
            try:
                name, data, _ = winreg.EnumValue(key, i)
            except OSError:
                break
            i += 1
            if isinstance(data, (str, int)):
                out[name] = data
    return out


def handlers() -> list[dict]:
    return _handlers.windows_handlers(_key_values)


def firewall_policy() -> dict:
    """EnableFirewall per profile: local store (Private = StandardProfile) and group-policy override."""
    if sys.platform != "win32":  # the registry probes run only there; mypy reads this guard too
        raise ModuleNotFoundError("winreg exists only on Windows")
    import winreg

    hk = winreg.HKEY_LOCAL_MACHINE
    local = {p: _values(hk, f"{FIREWALL_LOCAL}\\{p}", ("EnableFirewall",)).get("EnableFirewall")
             for p in ("DomainProfile", "StandardProfile", "PublicProfile")}
    gpo = {p: _values(hk, f"{FIREWALL_GPO}\\{p}", ("EnableFirewall",)).get("EnableFirewall")
           for p in ("DomainProfile", "PrivateProfile", "PublicProfile")}
    return {"local": local, "gpo": gpo}


# Each section is independent: an error becomes {"error": "..."} for that key only.
SECURITY_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [Text.Encoding]::UTF8
function Try-Get([scriptblock]$b) { try { & $b } catch { @{ error = $_.Exception.Message } } }
$r = [ordered]@{}
$r.AntiVirusProduct = Try-Get { @(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct |
    Select-Object displayName, productState, timestamp) }
$r.FirewallProduct = Try-Get { @(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName FirewallProduct |
    Select-Object displayName, productState, timestamp) }
$r.MpComputerStatus = Try-Get { Get-MpComputerStatus | Select-Object AMRunningMode, AMServiceEnabled,
    AntivirusEnabled, RealTimeProtectionEnabled, AntivirusSignatureAge, DefenderSignaturesOutOfDate,
    @{n='AntivirusSignatureLastUpdated'; e={ if ($_.AntivirusSignatureLastUpdated) { $_.AntivirusSignatureLastUpdated.ToUniversalTime().ToString('o') } }},
    AntivirusSignatureVersion }
$r.MpThreat = Try-Get { @(Get-MpThreat | Where-Object { $_.IsActive } |
    Select-Object ThreatName, IsActive) }
$r.NetFirewallProfile = Try-Get { @(Get-NetFirewallProfile -PolicyStore ActiveStore | Select-Object Name,
    @{n='Enabled'; e={ [bool]$_.Enabled }}) }
$r.Camera = Try-Get { @(Get-PnpDevice -Class Camera,Image -PresentOnly | Select-Object FriendlyName, Status, Class) }
$r.AudioEndpoint = Try-Get { @(Get-PnpDevice -Class AudioEndpoint -PresentOnly |
    Select-Object FriendlyName, Status, InstanceId) }
$r.HotFix = Try-Get { @(Get-CimInstance -ClassName Win32_QuickFixEngineering | Select-Object HotFixID,
    @{n='InstalledOn'; e={ if ($_.InstalledOn) { $_.InstalledOn.ToString('yyyy-MM-dd') } }}) }
$r.UpdateAgent = Try-Get {
    # Offline: the Windows Update Agent answers from its last scan, with no network search (seconds, not minutes).
    $q = (New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher(); $q.Online = $false
    $res = $q.Search("IsInstalled=0 and Type='Software'")  # hidden ones too: hiding a fix does not install it
    $au = (New-Object -ComObject Microsoft.Update.AutoUpdate).Results
    [ordered]@{ ResultCode = [int]$res.ResultCode
        Updates = @($res.Updates | Select-Object -First 50 | ForEach-Object { [ordered]@{ Title = $_.Title
            MsrcSeverity = $_.MsrcSeverity; KB = @($_.KBArticleIDs)
            CategoryIds = @($_.Categories | ForEach-Object { $_.CategoryID })
            Published = if ($_.LastDeploymentChangeTime) { $_.LastDeploymentChangeTime.ToString('yyyy-MM-dd') } } })
        LastSearchSuccessDate = if ($au.LastSearchSuccessDate -is [datetime]) { $au.LastSearchSuccessDate.ToString('s') + 'Z' }
        LastInstallationSuccessDate = if ($au.LastInstallationSuccessDate -is [datetime]) { $au.LastInstallationSuccessDate.ToString('s') + 'Z' }
        RebootRequired = [bool](New-Object -ComObject Microsoft.Update.SystemInfo).RebootRequired }
}
$r.UpdatePolicy = Try-Get {
    $v = [ordered]@{}
    foreach ($k in @('HKLM:\SOFTWARE\Microsoft\WindowsUpdate\UX\Settings', 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate',
                     'HKLM:\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU', 'HKLM:\SOFTWARE\Microsoft\PolicyManager\current\device\Update')) {
        $p = Get-ItemProperty -LiteralPath $k -ErrorAction SilentlyContinue
        foreach ($n in @('PauseUpdatesExpiryTime', 'PauseQualityUpdatesEndTime', 'WUServer', 'UseWUServer',
                         'DeferQualityUpdatesPeriodInDays', 'DeferQualityUpdates', 'PauseQualityUpdates')) {
            if ($p -and $null -ne $p.$n -and -not $v.Contains($n)) { $v[$n] = [string]$p.$n } } }
    $v
}
$r | ConvertTo-Json -Depth 5 -Compress
"""  # noqa: E501 - PowerShell, kept as it runs (one line per property reads best there)


def security() -> dict:
    exe = os.path.join(os.environ.get("SYSTEMROOT", r"C:\Windows"),
                       r"System32\WindowsPowerShell\v1.0\powershell.exe")
    # -EncodedCommand (base64 of UTF-16LE) passes the script untouched by command-line quoting.
    encoded = base64.b64encode(SECURITY_SCRIPT.encode("utf-16-le")).decode("ascii")
    out = run([exe, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", encoded],
              timeout=60)
    try:
        doc = json.loads(out.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise Unparsed(f"PowerShell printed something that is not JSON ({exc.msg})") from exc
    if not isinstance(doc, dict):
        raise Unparsed("PowerShell printed JSON that is not an object")
    return doc


def wlan_interfaces() -> str | None:
    """netsh, the fallback: None (not run) when the Native Wifi API already answered in full."""
    from envcheck.errors import AccessDenied, FailedStatus, ProbeError
    from envcheck.probes import _wlanapi

    try:
        api = _wlanapi.read()
        if not any("query_error" in i for i in api.get("interfaces", [])):
            return None
    except ProbeError:
        pass
    status, out = run_status(["netsh", "wlan", "show", "interfaces"], timeout=10, ok_codes=(0, 1))
    # Windows 11 24H2+ with location access off: exit status 1 and a translated paragraph that
    # always names the Settings page ms-settings:privacy-location (tests/fixtures/netsh/).
    if LOCATION_URI in out:
        raise AccessDenied("netsh wlan: location access is off for desktop apps")
    if status != 0:
        first = (out.strip().splitlines() or [""])[0]
        raise FailedStatus(f"netsh exited with status {status}: {first[:160]}", status=status)
    return out


def _wlanapi_read() -> dict:
    from envcheck.probes import _wlanapi

    return _wlanapi.read()


PROBES = [
    ProbeSpec("win.current_version", W, 3, current_version,
              rf"registry HKLM\{CURRENT_VERSION}: " + ", ".join(CV_VALUES)),
    ProbeSpec("win.uninstall", W, 10, uninstall_entries,
              rf"registry HKLM\{UNINSTALL}, the same under WOW6432Node, and HKCU\{UNINSTALL}: "
              "DisplayName, DisplayVersion, Publisher"),
    ProbeSpec("win.handlers", W, 5, handlers,
              r"registry HKCU/HKLM\Software\Classes\{magnet,ed2k} (URL Protocol), \.torrent and its "
              r"OpenWithProgids, UserChoice for magnet/ed2k/.torrent, and each ProgID's shell\open\command"),
    ProbeSpec("win.firewall_policy", W, 3, firewall_policy,
              rf"registry HKLM\{FIREWALL_LOCAL}\{{Domain,Standard,Public}}Profile\EnableFirewall and "
              rf"HKLM\{FIREWALL_GPO}\{{Domain,Private,Public}}Profile\EnableFirewall"),
    ProbeSpec("win.security", W, 61, security,
              "one powershell.exe: SecurityCenter2 AntiVirusProduct and FirewallProduct, Get-MpComputerStatus, "
              "Get-MpThreat, Get-NetFirewallProfile, Get-PnpDevice Camera/Image/AudioEndpoint, "
              "Win32_QuickFixEngineering, the Windows Update Agent's offline view of its last scan "
              "(Microsoft.Update.Session "
              "searcher with Online=$false: updates not installed, their classification ids; AutoUpdate.Results last "
              "search/installation; SystemInfo.RebootRequired), Windows Update pause/WSUS/deferral registry values, "
              "as one JSON document", spawns=("powershell.exe",)),
    ProbeSpec("win.wlanapi", W, 5, _wlanapi_read,
              "wlanapi.dll: WlanOpenHandle, WlanEnumInterfaces, WlanQueryInterface(wlan_intf_opcode_current_connection)"
              ": interface states, DOT11_AUTH_ALGORITHM / DOT11_CIPHER_ALGORITHM names, signal quality"),
    ProbeSpec("win.wlan", W, 11, wlan_interfaces,
              "netsh wlan show interfaces, only when the Native Wifi API did not answer (else null)",
              spawns=("netsh",)),
]
