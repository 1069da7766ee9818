"""Linux probes: files under /etc, /var/lib, /sys and /proc first, programs only where needed.

Nothing here needs root; where a source does (ufw status, nft), the probe
returns an AccessDenied error that the facts layer turns into `unknown`.
"""

from __future__ import annotations

import glob
import os
import sqlite3
import sys
from datetime import datetime, timezone

from envcheck.errors import NotInstalled, ProbeError, Unparsed
from envcheck.probes import ProbeSpec, _aptcache, _handlers
from envcheck.probes._run import read_bytes, read_text, run

L = ("linux",)
HOME = os.path.expanduser("~")


def _mtime(path: str) -> str | None:
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except OSError:
        return None


def os_release() -> str:
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            return read_text(path, 64 * 1024)
        except NotInstalled:
            continue
    raise NotInstalled("neither /etc/os-release nor /usr/lib/os-release exists")


def lsb_release() -> str:
    return read_text("/etc/lsb-release", 64 * 1024)


def packages() -> dict:
    """Installed packages as [name, version] pairs, from the package database files."""
    from envcheck.probes._linux_formats import parse_dpkg_status

    if os.path.exists("/var/lib/dpkg/status"):
        text = read_text("/var/lib/dpkg/status", 256 * 1024 * 1024)
        return {"manager": "dpkg", "packages": parse_dpkg_status(text)}
    for db in ("/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"):
        if os.path.exists(db):
            return {"manager": "rpm", "packages": _rpm_sqlite(db)}
    try:
        out = run(["rpm", "-qa", "--qf", "%{NAME}\t%{VERSION}-%{RELEASE}\n"], timeout=20)
    except NotInstalled:
        raise NotInstalled("no dpkg or rpm package database found") from None
    return {"manager": "rpm", "packages": [line.split("\t", 1) for line in out.splitlines() if "\t" in line]}


def _rpm_sqlite(path: str) -> list[list[str]]:
    from envcheck.probes._linux_formats import parse_rpm_header

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            rows = con.execute("SELECT blob FROM Packages").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise ProbeError(f"cannot read {path}: {exc}") from exc
    out = []
    for (blob,) in rows:
        pair = parse_rpm_header(bytes(blob))
        if pair:
            out.append(pair)
    return sorted(out)


def flatpak_apps() -> list[str]:
    """Installed flatpak application ids, system-wide and for this user."""
    ids = set()
    for base in ("/var/lib/flatpak/app", os.path.join(HOME, ".local/share/flatpak/app")):
        try:
            ids.update(os.listdir(base))
        except OSError:
            continue
    return sorted(ids)


def snap_names() -> list[str]:
    names = set()
    for path in glob.glob("/var/lib/snapd/snaps/*.snap"):
        names.add(os.path.basename(path).rsplit("_", 1)[0])
    return sorted(names)


UNITS = ("ufw", "firewalld", "nftables", "clamav-daemon", "clamav-freshclam", "clamav-clamonacc")


def unit_states() -> dict:
    """`systemctl is-active` of the firewall and antivirus services (no root needed)."""
    out = run(["systemctl", "is-active", *UNITS], timeout=5, ok_codes=tuple(range(0, 5)))
    states = out.split()
    if len(states) != len(UNITS):
        raise Unparsed(f"systemctl gave {len(states)} answers for {len(UNITS)} units")
    return dict(zip(UNITS, states, strict=True))


def ufw_conf() -> str:
    return read_text("/etc/ufw/ufw.conf", 64 * 1024)


def _is_root() -> bool:
    # os.geteuid exists only on POSIX (these probes run only on Linux; mypy --platform win32 reads the guard)
    return sys.platform != "win32" and os.geteuid() == 0


def ufw_status() -> str:
    if not os.path.exists("/etc/ufw/ufw.conf"):
        raise NotInstalled("ufw is not installed")
    if not _is_root():
        from envcheck.errors import AccessDenied
        raise AccessDenied("ufw status needs administrator rights")
    return run(["ufw", "status", "verbose"], timeout=10)


def firewalld_state() -> str:
    return run(["firewall-cmd", "--state"], timeout=10, ok_codes=(0, 252))


def nft_ruleset() -> str:
    if not any(os.path.exists(os.path.join(d, "nft")) for d in ("/usr/sbin", "/sbin", "/usr/bin")):
        raise NotInstalled("nft is not installed")
    if not _is_root():
        from envcheck.errors import AccessDenied
        raise AccessDenied("reading the nftables ruleset needs administrator rights")
    return run(["nft", "-j", "list", "ruleset"], timeout=10)


def clamav_db() -> dict:
    """First line of each ClamAV daily database header (its last field is the build time)."""
    out = {}
    for name in ("daily.cld", "daily.cvd"):
        path = os.path.join("/var/lib/clamav", name)
        try:
            head = read_bytes(path, 512)
        except NotInstalled:
            continue
        out[name] = head.split(b"\n", 1)[0].decode("ascii", "replace").rstrip(" \x00")
    if not out:
        raise NotInstalled("no ClamAV database in /var/lib/clamav")
    return out


def apt_upgradable() -> str:
    # apt's answer is kept until its inputs change: the live check's slowest step otherwise.
    key, path = _aptcache.fingerprint(), _aptcache.cache_file()
    hit = _aptcache.cached(key, path)
    if hit is not None:
        return hit
    out = run(["apt", "list", "--upgradable"], timeout=30)
    _aptcache.store(key, path, out)
    return out


def dnf_security() -> str:
    for prog in ("dnf", "yum"):
        try:
            return run([prog, "-q", "-C", "updateinfo", "list", "--security"], timeout=60)
        except NotInstalled:
            continue
    raise NotInstalled("neither dnf nor yum is installed")


def update_times() -> dict:
    """When package lists were refreshed and packages last changed (file times, UTC)."""
    lists = [p for p in glob.glob("/var/lib/apt/lists/*") if not p.endswith(("lock", "partial"))]
    newest_list = max((os.stat(p).st_mtime for p in lists), default=None) if lists else None
    return {
        "apt_update_stamp": _mtime("/var/lib/apt/periodic/update-success-stamp"),
        "apt_lists": (datetime.fromtimestamp(newest_list, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                      if newest_list else None),
        "apt_history": _last_apt_upgrade(),
        "dpkg_status": _mtime("/var/lib/dpkg/status"),
        "dnf_history": _mtime("/var/lib/dnf/history.sqlite"),
        "rpm_db": _mtime("/var/lib/rpm/rpmdb.sqlite") or _mtime("/usr/lib/sysimage/rpm/rpmdb.sqlite"),
        # dnf's counterpart of the apt lists: each repository's cached repomd.xml (dnf4, dnf5).
        # Without it a Fedora/RHEL machine could never show fresh package metadata.
        "dnf_metadata": _newest_mtime(glob.glob("/var/cache/dnf/*/repodata/repomd.xml")
                                      + glob.glob("/var/cache/libdnf5/*/repodata/repomd.xml")),
    }


def _newest_mtime(paths: list[str]) -> str | None:
    stamps = [s for s in (_mtime(p) for p in paths) if s]
    return max(stamps) if stamps else None


def _last_apt_upgrade() -> str | None:
    """End-Date of the last apt run that upgraded packages, from /var/log/apt/history.log."""
    from envcheck.probes._linux_formats import last_apt_upgrade

    try:
        local = last_apt_upgrade(read_text("/var/log/apt/history.log", 8 * 1024 * 1024))
    except ProbeError:
        return None
    if local is None:
        return None
    # history.log is in local time; a naive datetime's astimezone() reads it as local.
    try:
        when = datetime.fromisoformat(local).astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def video_devices() -> dict:
    """/sys/class/video4linux: each node's name and index (index 0 is the capture node)."""
    out = {}
    for dev in sorted(glob.glob("/sys/class/video4linux/video*")):
        node = os.path.basename(dev)
        try:
            name = read_text(os.path.join(dev, "name"), 256).strip()
        except ProbeError:
            continue
        try:
            index = int(read_text(os.path.join(dev, "index"), 16).strip())
        except (ProbeError, ValueError):
            index = None
        out[node] = {"name": name, "index": index}
    return out


def asound_pcm() -> str:
    try:
        return read_text("/proc/asound/pcm", 64 * 1024)
    except NotInstalled:
        return ""  # no sound driver loaded: no devices, which is a fact, not an error


def net_links(root: str = "/sys/class/net") -> list[dict]:
    """Every network interface: wireless or not (its `wireless`/`phy80211` entry) and its operstate.

    The positive fact behind "not on Wi-Fi" on Linux (facts/wifi.py): the list was read and no
    wireless interface is up. Interface names are kept out of the value.
    """
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError as exc:
        raise NotInstalled(f"{root} does not exist") from exc
    except PermissionError as exc:
        from envcheck.errors import AccessDenied
        raise AccessDenied(f"not allowed to read {root}") from exc
    out = []
    for name in names:
        base = os.path.join(root, name)
        wireless = os.path.isdir(os.path.join(base, "wireless")) or os.path.exists(os.path.join(base, "phy80211"))
        try:
            state = read_text(os.path.join(base, "operstate"), 64).strip()
        except ProbeError:
            state = "unreadable"
        out.append({"wireless": wireless, "operstate": state, "loopback": name == "lo"})
    return out


NMCLI_FIELDS = "ACTIVE,SECURITY,SIGNAL"


def nmcli_wifi() -> dict:
    # SSID is deliberately not asked for: the report must not carry it.
    out = run(["nmcli", "--terse", "--fields", NMCLI_FIELDS, "device", "wifi", "list", "--rescan", "no"],
              timeout=10)
    return {"fields": NMCLI_FIELDS, "text": out}


PROBES = [
    ProbeSpec("linux.handlers", L, 5, _handlers.linux_handlers,
              "MimeType= x-scheme-handler/magnet, x-scheme-handler/ed2k, application/x-bittorrent "
              "in the .desktop files "
              "of /usr/share, /usr/local/share, ~/.local/share, flatpak exports and /var/lib/snapd/desktop"),
    ProbeSpec("linux.os_release", L, 2, os_release, "/etc/os-release (or /usr/lib/os-release), verbatim"),
    ProbeSpec("linux.lsb_release", L, 2, lsb_release, "/etc/lsb-release, verbatim (Linux Mint names itself here)"),
    ProbeSpec("linux.packages", L, 20, packages,
              "/var/lib/dpkg/status, else the rpm database (rpmdb.sqlite, else `rpm -qa`)"),
    ProbeSpec("linux.flatpak", L, 2, flatpak_apps,
              "directory names in /var/lib/flatpak/app and ~/.local/share/flatpak/app"),
    ProbeSpec("linux.snap", L, 2, snap_names, "file names in /var/lib/snapd/snaps/*.snap"),
    ProbeSpec("linux.units", L, 6, unit_states, "systemctl is-active " + " ".join(UNITS), spawns=("systemctl",)),
    ProbeSpec("linux.ufw_conf", L, 2, ufw_conf, "/etc/ufw/ufw.conf, verbatim"),
    ProbeSpec("linux.ufw_status", L, 11, ufw_status, "ufw status verbose (root only)", spawns=("ufw",)),
    ProbeSpec("linux.firewalld_state", L, 11, firewalld_state, "firewall-cmd --state", spawns=("firewall-cmd",)),
    ProbeSpec("linux.nft_ruleset", L, 11, nft_ruleset, "nft -j list ruleset (root only)", spawns=("nft",)),
    ProbeSpec("linux.clamav_db", L, 2, clamav_db, "first line of /var/lib/clamav/daily.cld and daily.cvd"),
    ProbeSpec("linux.apt_upgradable", L, 31, apt_upgradable, "apt list --upgradable (local cache only)",
              spawns=("apt",)),
    ProbeSpec("linux.dnf_security", L, 61, dnf_security, "dnf -q -C updateinfo list --security (cache only)",
              spawns=("dnf",)),
    ProbeSpec("linux.update_times", L, 3, update_times,
              "modification times of apt/dnf/dpkg/rpm state files and the last upgrade in /var/log/apt/history.log"),
    ProbeSpec("linux.video", L, 2, video_devices, "/sys/class/video4linux/video*/name and index"),
    ProbeSpec("linux.asound_pcm", L, 2, asound_pcm, "/proc/asound/pcm, verbatim"),
    ProbeSpec("linux.net_links", L, 2, net_links,
              "/sys/class/net/*: wireless (a wireless/ or phy80211 entry) and operstate, names left out"),
    ProbeSpec("linux.nmcli_wifi", L, 11, nmcli_wifi,
              f"nmcli --terse --fields {NMCLI_FIELDS} device wifi list --rescan no", spawns=("nmcli",)),
]
