"""Who opens magnet:, ed2k: and .torrent: a signal of file sharing that does not depend on a name.

One reader per OS, each with a `root` seam (tests run them on real file trees), and pure
helpers that pick the handled types out of what was read. The readers return only the
programs that handle one of those types, never the rest of the software list.

Windows: the URL-protocol keys (HKCU/HKLM Software\\Classes\\magnet|ed2k with "URL Protocol"),
the .torrent file-association key and its ProgID, OpenWithProgids, and the user's choices
(UserChoice) — each with the command it starts. macOS: CFBundleURLTypes/CFBundleURLSchemes
and CFBundleDocumentTypes (extensions, UTIs, MIME types) in each app's Info.plist.
Linux: MimeType= in the .desktop files of the system, the user, flatpak and snap.
"""

from __future__ import annotations

import configparser
import os
import plistlib
from xml.parsers.expat import ExpatError

from envcheck.errors import ProbeError
from envcheck.probes._run import read_bytes

SCHEMES = ("magnet", "ed2k")
TORRENT_MIMES = ("application/x-bittorrent", "application/x-torrent")
TORRENT_UTIS = ("org.bittorrent.torrent", "com.bittorrent.torrent", "org.transmissionbt.torrent")
MAX_FILES = 4000
MAX_FILE_BYTES = 256 * 1024

# ---------------------------------------------------------------- Linux


def desktop_dirs(root: str = "/", home: str | None = None) -> list[str]:
    """Where .desktop files live: system, local, the user's own, flatpak and snap exports."""
    home = home if home is not None else os.path.expanduser("~")
    user = [os.path.join(home, p) for p in (".local/share/applications",
                                            ".local/share/flatpak/exports/share/applications")]
    system = [os.path.join(root, p) for p in ("usr/share/applications", "usr/local/share/applications",
                                              "var/lib/flatpak/exports/share/applications",
                                              "var/lib/snapd/desktop/applications")]
    return system + user


class _CaseSensitiveParser(configparser.ConfigParser):
    """Keys are case-sensitive in the Desktop Entry spec (ConfigParser lower-cases them by default)."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def desktop_handles(text: str) -> dict | None:
    """Name, Exec and the handled types of one .desktop file; None when it handles none of them."""
    parser = _CaseSensitiveParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("Desktop Entry"):
        return None
    entry = parser["Desktop Entry"]
    mimes = {m.strip().lower() for m in entry.get("MimeType", "").split(";") if m.strip()}
    handles = sorted({s for s in SCHEMES if f"x-scheme-handler/{s}" in mimes}
                     | ({"torrent"} if mimes & set(TORRENT_MIMES) else set()))
    if not handles:
        return None
    exec_line = entry.get("Exec", "").strip()
    first = exec_line.split()[0] if exec_line else ""
    if os.path.basename(first) in ("flatpak", "env", "snap") and exec_line:
        # "flatpak run --branch=stable org.qbittorrent.qBittorrent %U": the app id is the program.
        words = [w for w in exec_line.split()[1:] if not w.startswith("-") and "=" not in w and w != "run"]
        first = words[0] if words else first
    return {"name": entry.get("Name", "")[:120], "exec": os.path.basename(first)[:120], "handles": handles}


def linux_handlers(root: str = "/", home: str | None = None) -> list[dict]:
    out, seen = [], 0
    for d in desktop_dirs(root, home):
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue  # a missing folder is normal (no flatpak, no snap)
        for name in names:
            if not name.endswith(".desktop"):
                continue
            seen += 1
            if seen > MAX_FILES:
                raise ProbeError(f"more than {MAX_FILES} .desktop files: not all were read")
            try:
                text = read_bytes(os.path.join(d, name), MAX_FILE_BYTES).decode("utf-8", "replace")
            except ProbeError:
                continue  # an unreadable or dangling entry cannot register a handler either
            found = desktop_handles(text)
            if found:
                out.append({"file": name, "dir": _where(d, root, home), **found})
    return out


def _where(d: str, root: str, home: str | None) -> str:
    home = home if home is not None else os.path.expanduser("~")
    return "user" if d.startswith(home.rstrip("/") + "/") else "system"

# ---------------------------------------------------------------- macOS


def plist_handles(info: dict) -> list[str]:
    """The types among magnet/ed2k/torrent that an app's Info.plist declares it opens."""
    found = set()
    for t in info.get("CFBundleURLTypes") or []:
        if isinstance(t, dict):
            for s in t.get("CFBundleURLSchemes") or []:
                if isinstance(s, str) and s.lower() in SCHEMES:
                    found.add(s.lower())
    for t in info.get("CFBundleDocumentTypes") or []:
        if not isinstance(t, dict):
            continue
        exts = {str(e).lower() for e in t.get("CFBundleTypeExtensions") or []}
        utis = {str(u).lower() for u in t.get("LSItemContentTypes") or []}
        mimes = {str(m).lower() for m in t.get("CFBundleTypeMIMETypes") or []}
        if "torrent" in exts or utis & set(TORRENT_UTIS) or mimes & set(TORRENT_MIMES):
            found.add("torrent")
    return sorted(found)


def app_infos(app_dirs: tuple[str, ...], limit: int | None = None):
    """(bundle folder name, its Info.plist as a dict) for each .app directly in `app_dirs`, in name order;
    an unreadable or unparsable Info.plist is skipped, one that is not a dict reads as {}. The one walk over
    the app folders, for the installed-software probe (mac.apps) and the handler probe (mac.handlers).
    Raises ProbeError past `limit` apps, so a probe never reports a partial list as whole."""
    seen = 0
    for base in app_dirs:
        try:
            names = sorted(os.listdir(base))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".app"):
                continue
            seen += 1
            if limit is not None and seen > limit:
                raise ProbeError(f"more than {limit} apps: not all were read")
            try:
                info = plistlib.loads(read_bytes(os.path.join(base, name, "Contents", "Info.plist"), 4 * 1024 * 1024))
            except (ProbeError, plistlib.InvalidFileException, ExpatError, ValueError, OverflowError):
                continue  # plistlib reports broken XML as expat's error, not as InvalidFileException
            yield name, info if isinstance(info, dict) else {}


def mac_handlers(app_dirs: tuple[str, ...]) -> list[dict]:
    out = []
    for name, info in app_infos(app_dirs, MAX_FILES):
        handles = plist_handles(info)
        if handles:
            out.append({"bundle": name, "CFBundleIdentifier": str(info.get("CFBundleIdentifier", ""))[:200],
                        "CFBundleName": str(info.get("CFBundleName", ""))[:120], "handles": handles})
    return out

# ---------------------------------------------------------------- Windows

CLASSES = r"Software\Classes"
URL_CHOICE = r"Software\Microsoft\Windows\Shell\Associations\UrlAssociations\{}\UserChoice"
FILE_CHOICE = r"Software\Microsoft\Windows\CurrentVersion\Explorer\FileExts\.torrent\UserChoice"


def windows_handlers(read) -> list[dict]:
    """`read(hive, path)` -> {value name: value} of a key, or None when the key is missing (the seam:
    winreg live, a dict in tests). Returns one row per way a program is registered."""
    rows = []
    for hive in ("HKCU", "HKLM"):
        rows += _registered(read, hive)
    return rows + _user_choices(read)


def _command(read, progid: str) -> str | None:
    """The open command of a ProgID (this user's registration first)."""
    for hive in ("HKCU", "HKLM"):
        v = read(hive, rf"{CLASSES}\{progid}\shell\open\command")
        if v and isinstance(v.get(""), str):
            return v[""]
    return None


def _registered(read, hive: str) -> list[dict]:
    """What one hive's Classes register: the URL protocols, the .torrent default and its open-with list."""
    rows = []
    for scheme in SCHEMES:
        key = read(hive, rf"{CLASSES}\{scheme}")
        if key is not None and "URL Protocol" in key:
            rows.append({"type": scheme, "hive": hive, "via": "protocol", "progid": scheme,
                         "command": _command(read, scheme)})
    ext = read(hive, rf"{CLASSES}\.torrent")
    if ext is not None and isinstance(ext.get(""), str) and ext[""]:
        rows.append({"type": "torrent", "hive": hive, "via": "extension", "progid": ext[""],
                     "command": _command(read, ext[""])})
    owp = read(hive, rf"{CLASSES}\.torrent\OpenWithProgids")
    for progid in sorted(owp or {}):
        if progid:
            rows.append({"type": "torrent", "hive": hive, "via": "openwith", "progid": progid,
                         "command": _command(read, progid)})
    return rows


def _user_choices(read) -> list[dict]:
    """The programs this user chose (Explorer's UserChoice) for the schemes and for .torrent."""
    rows = []
    for scheme in SCHEMES:
        uc = read("HKCU", URL_CHOICE.format(scheme))
        if uc and isinstance(uc.get("ProgId"), str):
            rows.append({"type": scheme, "hive": "HKCU", "via": "userchoice", "progid": uc["ProgId"],
                         "command": _command(read, uc["ProgId"])})
    uc = read("HKCU", FILE_CHOICE)
    if uc and isinstance(uc.get("ProgId"), str):
        rows.append({"type": "torrent", "hive": "HKCU", "via": "userchoice", "progid": uc["ProgId"],
                     "command": _command(read, uc["ProgId"])})
    return rows
