"""The file-sharing signatures (rules/software.toml [[p2p]]) over the whole Debian archive.

Every package name and every package summary (the first line of Description) in this
machine's apt index is fed to the matcher: as a Linux package, and also as a Windows
uninstall DisplayName and a macOS app name, which catches app_patterns that are too loose.
Only genuine file-sharing clients may match, and every genuine client the archive has must.

The archive's ~60,000 names and summaries go through the signature index the check itself uses
(envcheck.checks._index, p2p.extract_p2p): it answers "does any signature match" as trying every
signature does (tests/test_p2p_catalogues.py compares the two over 18,000 catalogue rows) in a few
key look-ups per name instead of ~43 signature matches, which took a minute of the suite.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from envcheck.checks._base import matches_item, matches_process
from envcheck.checks._index import index_of

# Genuine file-sharing clients that Debian packages (bookworm and later), by package name.
# A package is listed when installing it puts a program on the machine that shares files
# with peers: BitTorrent, eD2k/Kad, Direct Connect, GNUnet.
GENUINE_PACKAGES = {
    "amule", "amule-daemon", "amule-utils-gui",
    "biglybt", "biglybtd",
    "ctorrent",
    "deluge", "deluge-console", "deluge-gtk", "deluge-web", "deluged",
    "eiskaltdcpp-daemon", "eiskaltdcpp-gtk", "eiskaltdcpp-gtk3", "eiskaltdcpp-qt",
    "microdc2", "ncdc",  # Direct Connect clients
    "gnunet", "gnunet-gtk",
    "gtk-gnutella",
    "ktorrent",
    "mldonkey-server", "mldonkey-gui",
    "nicotine",
    "qbittorrent", "qbittorrent-nox",
    "rtorrent",
    "transmission", "transmission-cli", "transmission-daemon", "transmission-gtk", "transmission-qt",
    "tribler",
    "unworkable",  # BitTorrent client
    "vlc-plugin-bittorrent",  # plays a torrent by joining its swarm (downloads and uploads)
}
# Download managers that also join BitTorrent swarms: matched, then judged by [p2p_policy].
DUAL_USE_PACKAGES = {"aria2", "persepolis"}
GENUINE_PACKAGES |= DUAL_USE_PACKAGES

# Archive names that match a Windows DisplayName / macOS app pattern and are genuinely the
# product the signature names (aMule's own parts carry its name).
GENUINE_APP_NAMES = {
    "amule", "amule-common", "amule-daemon", "amule-emc", "amule-gnome-support", "amule-utils", "amule-utils-gui",
    "biglybt", "deluge", "qbittorrent", "qbittorrent-nox", "transmission", "nicotine", "tribler", "frostwire",
    # the Direct Connect client's parts (EiskaltDC++), and Linux clients named like their Windows kin
    "eiskaltdcpp", "eiskaltdcpp-cli", "eiskaltdcpp-common", "eiskaltdcpp-daemon", "eiskaltdcpp-emoticons",
    "eiskaltdcpp-gtk", "eiskaltdcpp-gtk-data", "eiskaltdcpp-qt", "eiskaltdcpp-qt-data", "eiskaltdcpp-scripts",
    "eiskaltdcpp-sounds", "eiskaltdcpp-web", "ktorrent", "ktorrent-data", "rtorrent", "ctorrent", "microdc2", "ncdc",
    "transmission-gtk", "transmission-qt",
    "aria2",  # dual use: a download manager that joins BitTorrent swarms ([p2p_policy])
}
GENUINE_APP_SUMMARIES = {
    "BiglyBT system service",
    "EiskaltDC++ GUI based on GTK+", "EiskaltDC++ GUI based on Qt", "EiskaltDC++ daemon",
    # Summaries that are the product's name plus a word (they would be its display name too)
    "Simple Web UI for eiskaltdcpp-daemon", "common files for EiskaltDC++", "core library for EiskaltDC++",
    "core library for EiskaltDC++ (development files)", "emoticons for EiskaltDC++", "scripts examples for EiskaltDC++",
    "sound files for EiskaltDC++", "graphic utilities for aMule", "utilities for aMule (command-line version)",
}

GENERIC = "BitTorrent clients by name (…Torrent)"  # the family rule; the scan reports the specific product first
LOOK_ALIKES = ["ShareX", "NVIDIA Share", "SharePoint", "Microsoft SharePoint", "Nearby Share", "ShareFile",
               "SharedAccess", "Perfect Dark", "Shared Folders", "Screen Share",
               # torrent tools that do not share, and libraries
               "mktorrent", "torrentinfo", "libtorrent", "libtorrent-rasterbar2.0", "transmission-common",
               "transmission-remote-gtk",
               # traps from real Windows catalogues: mail clients named Thunder…, a storage adapter vendor
               # named like eMule, a codec pack named like Kazaa Lite, a music service, sync and share tools
               "Thunderbird", "Mozilla Thunderbird (x64 ja)", "Emulex OneCommand Manager", "K-Lite Codec Pack Full",
               "Napster", "Anypoint Studio", "Quick Share", "Intel Thunderbolt Share", "Resilio Sync", "Syncthing",
               "Transmission Remote GUI", "Electorrent", "qBittorrentCompanion", "Torrent File Editor", "IPFilter",
               "Google Drive", "NVIDIA GeForce Experience", "Dropbox", "ShareMouse", "SHAREit", "LocalSend"]


def _dumpavail() -> str:
    return subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, timeout=300).stdout


@pytest.fixture(scope="module")
def archive() -> dict[str, str]:
    """{package name: summary} of every package in this machine's apt index."""
    if not shutil.which("apt-cache"):
        pytest.skip("apt-cache not found: not a Debian-family machine, no archive index to scan")
    text = _dumpavail()
    if "Package: " not in text:
        import os

        if os.geteuid() != 0 or not shutil.which("apt-get"):
            pytest.skip("the apt package lists are empty and apt-get update needs root")
        upd = subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "update"], capture_output=True, text=True,
                             timeout=900)
        if upd.returncode != 0:
            pytest.skip(f"the apt package lists are empty and apt-get update failed: {upd.stderr.strip()[:200]}")
        text = _dumpavail()
    out: dict[str, str] = {}
    name = None
    for line in text.splitlines():
        if line.startswith("Package: "):
            name = line[len("Package: "):].strip()
        elif line.startswith("Description: ") and name is not None:
            out.setdefault(name, line[len("Description: "):].strip())
    if len(out) < 1000:
        pytest.skip(f"the apt index holds only {len(out)} packages: not the Debian archive")
    return out


def _p2p_hits(rules, text: str, kind: str, platform: str) -> set[str]:
    return {sig.name for sig in rules.p2p if matches_item(sig, text, kind, None, platform)}


def _matches(rules, text: str, kind: str, platform: str) -> bool:
    """Does any signature match the item, asked as p2p.extract_p2p asks (through the index)?"""
    return index_of(rules.p2p).item(text, kind, None, platform) is not None


def _matches_process(rules, text: str, platform: str) -> bool:
    return index_of(rules.p2p).process(text, platform) is not None


def test_archive_package_names_matching_are_exactly_the_genuine_clients(rules, archive):
    matched = {name for name in archive if _matches(rules, name, "package", "linux")}
    expected = GENUINE_PACKAGES & set(archive)
    assert {"transmission-gtk", "qbittorrent", "deluge"} <= expected  # the scan is not vacuous
    assert sorted(matched - expected) == [], "look-alikes matched"
    assert sorted(expected - matched) == [], "genuine file-sharing clients missed"


def test_archive_package_names_as_process_names_match_only_genuine_clients(rules, archive):
    # Debian names a program's package after its binary more often than not.
    matched = {name for name in archive if _matches_process(rules, name, "linux")}
    assert {"transmission-gtk", "qbittorrent", "rtorrent"} <= matched
    assert sorted(matched - GENUINE_PACKAGES) == []


@pytest.mark.parametrize("platform, kind", [("windows", "installed"), ("darwin", "app")])
def test_archive_names_as_app_names_match_only_genuine_clients(rules, archive, platform, kind):
    matched = {name for name in archive if _matches(rules, name, kind, platform)}
    assert {"transmission", "qbittorrent"} <= matched
    assert sorted(matched - GENUINE_APP_NAMES) == []


@pytest.mark.parametrize("platform, kind", [("windows", "installed"), ("darwin", "app")])
def test_archive_summaries_as_app_names_match_only_genuine_clients(rules, archive, platform, kind):
    summaries = set(archive.values())
    matched = {s for s in summaries if _matches(rules, s, kind, platform)}
    assert sorted(matched - GENUINE_APP_SUMMARIES) == []
    # The genuine ones the archive has are found (the patterns are not dead either).
    assert matched == GENUINE_APP_SUMMARIES & summaries


def test_archive_summaries_as_linux_packages_never_match(rules, archive):
    # A summary is never a package name; an exact-name rule must not fire on one.
    assert [s for s in set(archive.values()) if _matches(rules, s, "package", "linux")] == []


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alike_never_matches_a_file_sharing_signature(rules, name):
    for platform, kind in (("windows", "installed"), ("darwin", "app"), ("linux", "package"),
                           ("linux", "flatpak"), ("linux", "snap")):
        assert _p2p_hits(rules, name, kind, platform) == set(), (platform, kind)
        assert _p2p_hits(rules, name + " 2.1", kind, platform) == set(), (platform, kind)
    if name == "Perfect Dark":
        return  # "Perfect Dark.exe" running IS the file-sharing client; the look-alike is the installed game
    for platform in ("windows", "darwin", "linux"):
        for proc in (name, name + ".exe", name.replace(" ", "") + ".exe"):
            assert not any(matches_process(sig, proc, platform) for sig in rules.p2p), (platform, proc)


def test_the_real_clients_named_in_the_terms_do_match(rules):
    # Article 5(5)'s examples, as their Windows uninstall entries and processes name them.
    for display, expected in [("Winny2", "Winny"), ("Share EX2", "Share"), ("WinMX 3.54", "WinMX"),
                              ("Cabos 0.8.2", "Cabos"), ("LimeWire 5.5.16", "LimeWire / WireShare"),
                              ("eMule", "eMule / aMule and their mods"),
                              ("µTorrent", "µTorrent"), ("qBittorrent", "qBittorrent"), ("BitTorrent", "BitTorrent")]:
        hits = _p2p_hits(rules, display, "installed", "windows")
        assert expected in hits and hits <= {expected, GENERIC}, display
    assert any(matches_process(sig, "Perfect Dark.exe", "windows") and sig.name == "Perfect Dark"
               for sig in rules.p2p)
