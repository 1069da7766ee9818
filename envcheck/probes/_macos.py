"""macOS probes: sw_vers, socketfilterfw, app bundles' Info.plist, XProtect, system_profiler -json."""

from __future__ import annotations

import json
import os
import plistlib
from xml.parsers.expat import ExpatError
from datetime import datetime, timezone

from envcheck.errors import NotInstalled, Unparsed
from envcheck.probes import ProbeSpec, _handlers
from envcheck.probes._run import read_bytes, run

M = ("darwin",)
APP_DIRS = ("/Applications", "/Applications/Utilities", os.path.expanduser("~/Applications"))
PLIST_KEYS = ("CFBundleIdentifier", "CFBundleName", "CFBundleShortVersionString", "CFBundleVersion")
XPROTECT_PLISTS = (
    "/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist",
    "/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist",
)


def sw_vers() -> str:
    # SYSTEM_VERSION_COMPAT=0: an interpreter built on an old SDK would otherwise see 10.16.
    return run(["/usr/bin/sw_vers"], timeout=5, env={"SYSTEM_VERSION_COMPAT": "0"})


def alf_state() -> str:
    return run(["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"], timeout=5)


def _plist(path: str) -> dict:
    try:
        data = plistlib.loads(read_bytes(path, 4 * 1024 * 1024))
    except (plistlib.InvalidFileException, ExpatError, ValueError, OverflowError) as exc:
        raise Unparsed(f"{os.path.basename(path)} is not a readable property list") from exc
    return data if isinstance(data, dict) else {}


def apps() -> list[dict]:
    """Bundle id, name and versions of each .app in /Applications, its Utilities and ~/Applications."""
    out = []
    for name, info in _handlers.app_infos(APP_DIRS):
        entry = {"bundle": name}
        entry.update({k: str(info[k]) for k in PLIST_KEYS if k in info})
        out.append(entry)
    return out


def xprotect() -> dict:
    for path in XPROTECT_PLISTS:
        try:
            info = _plist(path)
        except NotInstalled:
            continue
        mtime = datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc)
        return {"version": str(info.get("CFBundleShortVersionString", "")),
                "modified": mtime.strftime("%Y-%m-%dT%H:%M:%SZ")}
    raise NotInstalled("XProtect.bundle was not found")


SOFTWARE_UPDATE_PLIST = "/Library/Preferences/com.apple.SoftwareUpdate.plist"
SOFTWARE_UPDATE_KEYS = ("LastSuccessfulDate", "LastFullSuccessfulDate", "LastBackgroundSuccessfulDate",
                        "LastAttemptSystemVersion", "LastResultCode", "LastSessionSuccessful",
                        "LastRecommendedUpdatesAvailable", "LastUpdatesAvailable", "RecommendedUpdates",
                        "AutomaticCheckEnabled", "AutomaticDownload", "CriticalUpdateInstall",
                        "AutomaticallyInstallMacOSUpdates")


def _jsonable(x):
    if isinstance(x, datetime):  # plist dates are UTC
        return (x if x.tzinfo else x.replace(tzinfo=timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_jsonable(v) for v in x[:50]]
    return x if isinstance(x, (str, int, float, bool)) or x is None else str(x)


def software_update() -> dict:
    """What softwareupdated found at its last check, read from its preferences file (no process spawned)."""
    info = _plist(SOFTWARE_UPDATE_PLIST)
    return {k: _jsonable(info[k]) for k in SOFTWARE_UPDATE_KEYS if k in info}


def _profiler(data_type: str, timeout: float):
    # Default detail level: the captured real outputs were made that way; "mini" may drop network details.
    out = run(["/usr/sbin/system_profiler", "-json", data_type], timeout=timeout)
    try:
        return json.loads(out)
    except json.JSONDecodeError as exc:
        raise Unparsed(f"system_profiler {data_type} did not print JSON ({exc.msg})") from exc


def install_history() -> list[dict]:
    """Only the OS and XProtect entries of the install history (never the whole software list)."""
    doc = _profiler("SPInstallHistoryDataType", 30)
    keep = ("macos", "mac os", "xprotect", "security", "background task", "rapid security")
    rows = doc.get("SPInstallHistoryDataType", []) if isinstance(doc, dict) else []
    return [{k: r.get(k) for k in ("_name", "install_date", "install_version", "package_source")}
            for r in rows if isinstance(r, dict) and any(w in str(r.get("_name", "")).lower() for w in keep)]


PROBES = [
    ProbeSpec("mac.sw_vers", M, 5, sw_vers, "/usr/bin/sw_vers (SYSTEM_VERSION_COMPAT=0), verbatim",
              spawns=("sw_vers",)),
    ProbeSpec("mac.alf", M, 5, alf_state, "/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate, verbatim",
              spawns=("socketfilterfw",)),
    ProbeSpec("mac.apps", M, 10, apps,
              "Contents/Info.plist of each *.app in /Applications, /Applications/Utilities, ~/Applications: "
              + ", ".join(PLIST_KEYS)),
    ProbeSpec("mac.handlers", M, 10, lambda: _handlers.mac_handlers(APP_DIRS),
              "Contents/Info.plist of each *.app in the same folders: CFBundleURLTypes schemes magnet/ed2k, "
              "CFBundleDocumentTypes for .torrent (extension, UTI, MIME type)"),
    ProbeSpec("mac.xprotect", M, 3, xprotect,
              "XProtect.bundle/Contents/Info.plist CFBundleShortVersionString and the file's modification time"),
    ProbeSpec("mac.sp_camera", M, 20, lambda: _profiler("SPCameraDataType", 20),
              "system_profiler -json SPCameraDataType", spawns=("system_profiler",)),
    ProbeSpec("mac.sp_audio", M, 20, lambda: _profiler("SPAudioDataType", 20),
              "system_profiler -json SPAudioDataType", spawns=("system_profiler",)),
    ProbeSpec("mac.sp_airport", M, 20, lambda: _profiler("SPAirPortDataType", 20),
              "system_profiler -json SPAirPortDataType", spawns=("system_profiler",)),
    ProbeSpec("mac.softwareupdate", M, 3, software_update,
              f"{SOFTWARE_UPDATE_PLIST} read with plistlib: " + ", ".join(SOFTWARE_UPDATE_KEYS)),
    ProbeSpec("mac.install_history", M, 31, install_history,
              "system_profiler -json SPInstallHistoryDataType, only entries naming macOS, XProtect or security",
              spawns=("system_profiler",)),
]
