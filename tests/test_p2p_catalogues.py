"""The file-sharing matcher over whole real catalogues of Windows programs (winget, Scoop, Chocolatey).

Every display name is fed to the matcher as a Windows uninstall DisplayName and as a macOS app
name, every executable as a running process. Only the programs labelled in labels.tsv may match
(zero false matches), and at least 95 % of them must (recall), both on the catalogues read while the
signatures were written and on those held out. Sources: tests/fixtures/catalogues/SOURCES.md.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from envcheck.checks._base import matches_item, matches_process
from envcheck.checks._index import index_of

HERE = Path(__file__).resolve().parent / "fixtures" / "catalogues"
HELD_OUT = {"scoop-extras", "scoop-main", "chocolatey-community"}


def load_catalogue() -> dict[tuple[str, str], dict]:
    """{(catalogue, id): {"names": [...], "exes": [...]}}"""
    text = gzip.decompress((HERE / "windows_programs.tsv.gz").read_bytes()).decode("utf-8")
    out: dict[tuple[str, str], dict] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        e = out.setdefault((row["catalogue"], row["id"]), {"names": [], "exes": []})
        e["names"].append(row["name"])
        e["exes"].extend(x for x in row["exes"].split(",") if x and x not in e["exes"])
    return out


def load_labels() -> dict[tuple[str, str], str]:
    lines = [ln for ln in (HERE / "labels.tsv").read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return {(r["catalogue"], r["id"]): r["label"] for r in csv.DictReader(lines, delimiter="\t")}


def matched_by(rules, entry: dict) -> set[str]:
    sigs = rules.p2p
    hits = {s.name for s in sigs for n in entry["names"]
            if matches_item(s, n, "installed", None, "windows") or matches_item(s, n, "app", None, "darwin")}
    hits |= {s.name for s in sigs for x in entry["exes"] if matches_process(s, x, "windows")}
    return hits


def any_match(rules, entry: dict) -> bool:
    """Does any signature match the entry, asked as p2p.extract_p2p asks (through the signature index,
    which names the same first signature as trying every one: the last test below)?"""
    idx = index_of(rules.p2p)
    return (any(idx.item(n, "installed", None, "windows") or idx.item(n, "app", None, "darwin")
                for n in entry["names"])
            or any(idx.process(x, "windows") for x in entry["exes"]))


def measure(rules) -> dict:
    """Recall per label and per held-out/seen, and the false matches, over the whole catalogue."""
    cat, labels = load_catalogue(), load_labels()
    assert set(labels) <= set(cat), sorted(set(labels) - set(cat))
    matched = {key for key, entry in cat.items() if any_match(rules, entry)}
    out = {"rows": len(cat), "false_matches": sorted(matched - set(labels))}
    for part, keys in (("held_out", {k for k in labels if k[0] in HELD_OUT}),
                       ("seen", {k for k in labels if k[0] not in HELD_OUT})):
        for label in ("p2p", "dual"):
            ks = {k for k in keys if labels[k] == label}
            out[f"{part}_{label}"] = (len(ks & matched), len(ks), sorted(ks - matched))
    return out


@pytest.fixture(scope="module")
def figures(rules):
    return measure(rules)


def test_no_program_outside_the_labelled_clients_matches_in_any_catalogue(figures):
    assert figures["rows"] > 18000  # the whole catalogues, not a sample
    assert figures["false_matches"] == []


@pytest.mark.parametrize("part", ["held_out", "seen"])
def test_file_sharing_clients_are_found_in_at_least_95_percent(figures, part):
    found, total, missed = figures[f"{part}_p2p"]
    assert total >= 4
    assert found / total >= 0.95, missed


@pytest.mark.parametrize("part", ["held_out", "seen"])
def test_dual_use_download_managers_are_found_too(figures, part):
    found, total, missed = figures[f"{part}_dual"]
    assert found / total >= 0.95, missed


@pytest.mark.parametrize("name", [
    # games and tools named like a client, screen and cloud "share" tools, vendors' share features,
    # mail clients named Thunder…, remote controllers of a client elsewhere
    "Amulet", "Amulet Map Editor", "dottorrent-gui", "Ares", "ares v148", "ARES Commander 2027", "Antares",
    "Mozilla Thunderbird (x64 ja)", "Thunderbird", "迅雷影音", "ThunderboltTM Share", "ShareX", "ShareMouse",
    "Samsung AllShare", "LG SmartShare", "BenQ InstaShare", "Quick Share from Google", "NVIDIA Share",
    "Microsoft SharePoint", "OneDrive", "SparkleShare", "OnionShare", "LocalSend", "Syncthing", "Resilio Sync",
    "Transmission Remote GUI", "TrguiNG", "Electorrent", "Kebler", "qBittorrentCompanion", "qbPortWeaver",
    "Jackett", "Prowlarr", "Sonarr", "IPFilter", "PeerBlock", "Torrent File Editor", "Bittorrent Tracker Editor",
    "RatioMaster.NET", "Intermodal", "mkbrr", "Emulex OneCommand Manager", "K-Lite Codec Pack Full",
    "Internet Download Manager", "Neat Download Manager", "Xtreme Download Manager",
])
def test_trap_never_matches(rules, name):
    assert matched_by(rules, {"names": [name], "exes": [name.replace(" ", "") + ".exe"]}) == set()


@pytest.mark.parametrize("name, product", [
    # real naming the exact lists used to miss: suffixes, versions, architectures, widths, forks, Greek
    ("Deluge BitTorrent Client Beta", "Deluge"), ("qBittorrent 4.6.2 (x64)", "qBittorrent"),
    ("ｑＢｉｔｔｏｒｒｅｎｔ", "qBittorrent"), ("µTorrent", "µTorrent"), ("μTorrent Web", "µTorrent"),
    ("Share EX2 「〜The Next Generation P2P〜」", "Share"), ("WinnyP", "Winny"), ("Winny2 v2.0b7.1", "Winny"),
    ("eMule Plus", "eMule / aMule and their mods"), ("eMule 0.50a Xtreme 8.1", "eMule / aMule and their mods"),
    ("LimeWire Pro 5.5.16", "LimeWire / WireShare"), ("Shareaza Gold", "Shareaza"),
    ("StrongDC++ 2.42", "DC++ and its forks (AirDC++, StrongDC++, FlylinkDC++, ApexDC++, EiskaltDC++ …)"),
    ("FlylinkDC++ r600 x64", "DC++ and its forks (AirDC++, StrongDC++, FlylinkDC++, ApexDC++, EiskaltDC++ …)"),
    ("Nicotine+ 3.3.4", "Soulseek (SoulseekQt, Nicotine+, slskd, Museek+)"), ("Kazaa Lite K++", "Kazaa / Kazaa Lite"),
    ("迅雷极速版", "Xunlei / Thunder (迅雷) / QQ Xuanfeng"), ("BitComet 2.05 (64-bit)", "BitComet"),
    ("Vuze_x64", "Vuze / Azureus"), ("Cabos 0.8.2", "Cabos"),
])
def test_real_names_of_known_products_match_their_product(rules, name, product):
    assert product in matched_by(rules, {"names": [name], "exes": []})


def test_the_index_names_the_same_first_signature_as_trying_every_signature(rules):
    idx = index_of(rules.p2p)
    names = [n for e in load_catalogue().values() for n in e["names"]]
    names += ["WinnyP", "Share EX2", "迅雷极速版", "Ares 2.1.8", "eMuleMorphXT", "StrongDC++ 2.42", "µTorrent"]
    for platform, kind in (("windows", "installed"), ("darwin", "app")):
        for n in names:
            brute = next((s for s in rules.p2p if matches_item(s, n, kind, None, platform)), None)
            assert idx.item(n, kind, None, platform) is brute, n
    exes = {x for e in load_catalogue().values() for x in e["exes"]} | {"Perfect Dark.exe", "winny2.exe", "SHARE.EXE"}
    for x in exes:
        brute = next((s for s in rules.p2p if matches_process(s, x, "windows")), None)
        assert idx.process(x, "windows") is brute, x
