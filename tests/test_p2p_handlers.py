"""Programs registered for magnet:/ed2k:/.torrent are found on every OS, and named, without knowing the name.

The readers run on real file trees (tests/fixtures/handlers, sources in SOURCES.md): Debian's own
.desktop files, qBittorrent's Info.plist, a Deluge .reg export. Then the check decides on them.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from envcheck import checks as checks_mod
from envcheck.checks.p2p import decide_p2p, extract_p2p
from envcheck.facts._handlers import command_program, handlers
from envcheck.facts.model import Facts, Handler, Unknown
from envcheck.probes import ProbeResult
from envcheck.probes._handlers import (
    desktop_handles,
    linux_handlers,
    mac_handlers,
    plist_handles,
    windows_handlers,
)

FIX = Path(__file__).resolve().parent / "fixtures" / "handlers"
NOW = datetime(2026, 12, 6, tzinfo=timezone.utc)


def _facts(platform: str, hs, software=(), processes=()) -> Facts:
    u = Unknown("not in this test")
    return Facts(platform=platform, os=u, firewalls=u, antivirus=u, software=tuple(software),
                 processes=tuple(processes), wifi=None, cameras=u, microphones=u, handlers=hs)


def _judge(rules, facts: Facts):
    ev = extract_p2p(facts, rules)
    return checks_mod.judge("p2p.absent", ev, rules, NOW, facts.platform), ev


# ----------------------------------------------------------------------------- Linux

@pytest.fixture
def linux_tree(tmp_path):
    root, home = tmp_path / "root", tmp_path / "home"
    shutil.copytree(FIX / "linux" / "usr", root / "usr")
    shutil.copytree(FIX / "linux" / "home", home)
    return str(root), str(home)


def test_linux_desktop_files_that_open_magnet_torrent_or_ed2k_are_found_system_and_user(linux_tree):
    rows = linux_handlers(*linux_tree)
    by_file = {r["file"]: r for r in rows}
    assert set(by_file) == {"org.qbittorrent.qBittorrent.desktop", "transmission-gtk.desktop",
                            "org.kde.ktorrent.desktop", "deluge.desktop", "amule.desktop", "Popcorn-Time.desktop"}
    assert by_file["amule.desktop"]["handles"] == ["ed2k"]
    assert by_file["transmission-gtk.desktop"] == {"file": "transmission-gtk.desktop", "dir": "system",
                                                   "name": "Transmission", "exec": "transmission-gtk",
                                                   "handles": ["magnet", "torrent"]}
    assert by_file["Popcorn-Time.desktop"]["dir"] == "user"
    assert by_file["org.kde.ktorrent.desktop"]["handles"] == ["magnet", "torrent"]  # application/x-torrent too


def test_linux_handlers_fail_p2p_and_name_the_product_behind_each(rules, linux_tree):
    rows = linux_handlers(*linux_tree)
    hs = handlers({"linux.handlers": ProbeResult(value=rows)}, "linux")
    d, ev = _judge(rules, _facts("linux", hs))
    assert (d.status, d.code) == ("fail", "found")
    names = {f["item"]: f["name"] for f in ev["found"]}
    assert names["Transmission"] == "Transmission"
    assert names["qBittorrent"] == "qBittorrent"
    assert names["aMule"].startswith("eMule / aMule")
    assert names["Popcorn Time"].startswith("Streaming-torrent apps")
    assert "リンクやファイルを開くソフトとして登録" in d.params["how_ja"]
    assert "registered to open" in d.params["how_en"]


def test_a_desktop_file_of_a_browser_or_editor_is_not_a_handler():
    for name in ("chromium.desktop", "vim.desktop"):
        text = (FIX / "linux" / "usr" / "share" / "applications" / name).read_text(encoding="utf-8")
        assert desktop_handles(text) is None


def test_a_flatpak_export_names_the_app_id_not_flatpak():
    text = ("[Desktop Entry]\nName=Fragments\nExec=/usr/bin/flatpak run --branch=stable --arch=x86_64 "
            "--command=fragments de.haeckerfelix.Fragments %U\nMimeType=x-scheme-handler/magnet;\n")
    assert desktop_handles(text)["exec"] == "de.haeckerfelix.Fragments"


def test_missing_folders_are_no_handlers_not_an_error(tmp_path):
    assert linux_handlers(str(tmp_path / "nothing"), str(tmp_path / "nohome")) == []

# ----------------------------------------------------------------------------- macOS


def test_macos_info_plist_url_scheme_and_document_type_are_read(tmp_path):
    import plistlib

    app = tmp_path / "Applications" / "qBittorrent.app" / "Contents"
    app.mkdir(parents=True)
    shutil.copy(FIX / "macos" / "qBittorrent.Info.plist", app / "Info.plist")
    other = tmp_path / "Applications" / "Notes.app" / "Contents"
    other.mkdir(parents=True)
    (other / "Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": "com.apple.Notes"}))
    rows = mac_handlers((str(tmp_path / "Applications"), str(tmp_path / "missing")))
    assert rows == [{"bundle": "qBittorrent.app", "CFBundleIdentifier": "org.qbittorrent",
                     "CFBundleName": "@EXECUTABLE@", "handles": ["magnet", "torrent"]}]
    hs = handlers({"mac.handlers": ProbeResult(value=rows)}, "darwin")
    assert {h.kind for h in hs} == {"magnet", "torrent"}


def test_plist_handles_reads_mime_types_and_ignores_other_schemes():
    assert plist_handles({"CFBundleURLTypes": [{"CFBundleURLSchemes": ["zoommtg", "zoomus"]}]}) == []
    assert plist_handles({"CFBundleDocumentTypes": [{"CFBundleTypeMIMETypes": ["application/x-bittorrent"]}]}) == [
        "torrent"]
    assert plist_handles({"CFBundleURLTypes": [{"CFBundleURLSchemes": ["ED2K"]}]}) == ["ed2k"]

# ----------------------------------------------------------------------------- Windows


def _reg(text: str):
    """A .reg export as read(hive, path) -> {value: data} | None."""
    keys: dict[tuple[str, str], dict] = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"^\[(HKEY_CURRENT_USER|HKEY_LOCAL_MACHINE)\\(.+)\]$", line.strip())
        if m:
            cur = ("HKCU" if m.group(1) == "HKEY_CURRENT_USER" else "HKLM", m.group(2).lower())
            keys.setdefault(cur, {})
            continue
        m = re.match(r'^(@|"([^"]*)")="(.*)"$', line.strip())
        if m and cur:
            keys[cur]["" if m.group(1) == "@" else m.group(2)] = m.group(3).replace('\\"', '"').replace("\\\\", "\\")
    return lambda hive, path: keys.get((hive, path.lower()))


def test_windows_magnet_protocol_key_names_the_program_it_starts(rules):
    read = _reg((FIX / "windows" / "deluge-magnet.reg").read_text(encoding="utf-8"))
    rows = windows_handlers(read)
    assert rows == [{"type": "magnet", "hive": "HKCU", "via": "protocol", "progid": "magnet",
                     "command": r'C:\Program Files\Deluge\deluge.exe "%1"'}]
    hs = handlers({"win.handlers": ProbeResult(value=rows)}, "windows")
    assert hs == (Handler(kind="magnet", program="deluge.exe", exe="deluge.exe", ident="magnet", how="protocol"),)
    d, ev = _judge(rules, _facts("windows", hs))
    assert (d.status, d.code) == ("fail", "found")
    assert ev["found"][0]["name"] == "Deluge"
    assert "Program Files" not in str(ev)  # only the program's file name leaves the machine


@pytest.mark.parametrize("command, program", [
    (r'"C:\Program Files\qBittorrent\qbittorrent.exe" "%1"', "qbittorrent.exe"),
    (r'C:\Program Files\Deluge\deluge.exe "%1"', "deluge.exe"),
    (r'"C:\Users\太郎\AppData\Roaming\uTorrent\uTorrent.exe" /SHELLASSOC "%1"', "uTorrent.exe"),
    (None, None),
])
def test_command_program_keeps_only_the_file_name(command, program):
    assert command_program(command) == program

# ----------------------------------------------------------------------------- policy and old snapshots


def test_unknown_program_registered_for_magnet_fails_with_its_own_message(rules):
    hs = (Handler(kind="magnet", program="MagnetPlayer.exe", exe="MagnetPlayer.exe", ident="magnet", how="protocol"),)
    d, _ = _judge(rules, _facts("windows", hs))
    assert (d.status, d.code) == ("fail", "handler")
    assert d.params["items"] == "MagnetPlayer.exe"


def test_unknown_handler_policy_ignore_passes(rules):
    relaxed = dataclasses.replace(rules, p2p_policy=(("download_managers", "warn"), ("unknown_handlers", "ignore")))
    hs = (Handler(kind="magnet", program="MagnetPlayer.exe", exe="MagnetPlayer.exe"),)
    d, _ = _judge(relaxed, _facts("windows", hs))
    assert d.status == "pass"


def test_a_remote_controller_registered_for_magnet_shares_nothing_here(rules):
    hs = (Handler(kind="magnet", program="Transmission Remote GUI", exe="transgui.exe"),
          Handler(kind="torrent", program="Electorrent", exe="Electorrent.exe"))
    d, ev = _judge(rules, _facts("windows", hs))
    assert d.status == "pass", ev


def test_dual_use_download_manager_warns_by_default_and_fails_when_the_office_says_so(rules):
    hs = (Handler(kind="magnet", program="Motrix.exe", exe="Motrix.exe", ident="magnet", how="protocol"),)
    d, _ = _judge(rules, _facts("windows", hs))
    assert (d.status, d.code) == ("warn", "dual_use")
    strict = dataclasses.replace(rules, p2p_policy=(("download_managers", "fail"), ("unknown_handlers", "fail")))
    d, _ = _judge(strict, _facts("windows", hs))
    assert (d.status, d.code) == ("fail", "found")


def test_dual_use_installed_by_name_is_judged_by_the_same_policy(rules):
    from envcheck.facts.model import Software

    f = _facts("windows", (), software=[Software(name="Free Download Manager", version="6.24", kind="installed")])
    d, _ = _judge(rules, f)
    assert (d.status, d.code) == ("warn", "dual_use")


def test_old_snapshot_without_handler_probe_is_judged_on_names_alone(rules):
    hs = handlers({"proc.names": ProbeResult(value=["explorer.exe"])}, "windows")
    assert hs is None
    d, ev = _judge(rules, _facts("windows", hs))
    assert "handlers" not in ev["sources"]
    assert d.status == "pass"


def test_handler_probe_that_failed_makes_the_check_unknown_not_pass(rules):
    hs = handlers({"win.handlers": ProbeResult(error="not allowed to read Software\\Classes\\magnet")}, "windows")
    assert isinstance(hs, Unknown)
    d, _ = _judge(rules, _facts("windows", hs))
    assert (d.status, d.code) == ("unknown", "partial")


def test_evidence_from_an_older_checker_is_still_decided(rules):
    # Shape of a p2p.absent evidence written before handlers existed.
    old = {"found": [{"name": "qBittorrent", "item": "qBittorrent 4.6.2 (x64)", "kind": "installed",
                      "ident": "HKLM", "version": "4.6.2"}],
           "sources": {"installed": "ok", "processes": "ok"}}
    assert decide_p2p(old, rules, NOW, "windows").status == "fail"
    assert decide_p2p({"found": [], "sources": {"installed": "ok", "processes": "ok"}}, rules, NOW,
                      "windows").status == "pass"


def test_one_walk_over_the_app_folders_serves_both_mac_probes(tmp_path, monkeypatch):
    import plistlib

    from envcheck.errors import ProbeError
    from envcheck.probes import _handlers, _macos

    apps = tmp_path / "Applications"
    for name, body in {"qBittorrent.app": plistlib.dumps({"CFBundleIdentifier": "org.qbittorrent.qBittorrent",
                                                          "CFBundleShortVersionString": "5.0.1",
                                                          "CFBundleURLTypes": [{"CFBundleURLSchemes": ["magnet"]}]}),
                       "Odd.app": plistlib.dumps(["not", "a", "dict"]),
                       "Broken.app": b"<plist>not closed",
                       "NotAnApp": plistlib.dumps({"CFBundleIdentifier": "x"})}.items():
        (apps / name / "Contents").mkdir(parents=True)
        (apps / name / "Contents" / "Info.plist").write_bytes(body)
    dirs = (str(apps), str(tmp_path / "missing"))
    assert [n for n, _ in _handlers.app_infos(dirs)] == ["Odd.app", "qBittorrent.app"]  # broken skipped
    monkeypatch.setattr(_macos, "APP_DIRS", dirs)
    assert _macos.apps() == [{"bundle": "Odd.app"},
                             {"bundle": "qBittorrent.app", "CFBundleIdentifier": "org.qbittorrent.qBittorrent",
                              "CFBundleShortVersionString": "5.0.1"}]
    assert [h["bundle"] for h in _handlers.mac_handlers(dirs)] == ["qBittorrent.app"]
    with pytest.raises(ProbeError):  # a partial list is never reported as whole
        list(_handlers.app_infos(dirs, limit=1))
