"""apt's upgradable list is remembered only while apt's inputs stay exactly the same."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from envcheck.probes import _aptcache
from envcheck.probes import _linux, _run


def _tree(tmp_path):
    """A small file tree shaped like apt's state: dpkg status, two lists, a source."""
    root = tmp_path / "root"
    for rel, text in {
        "var/lib/dpkg/status": "Package: zoom\nStatus: install ok installed\n",
        "var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease": "Origin: Debian\n",
        "var/lib/apt/lists/security.debian.org_dists_trixie-security_main_Packages": "Package: zoom\n",
        "var/lib/apt/lists/lock": "",
        "etc/apt/sources.list.d/debian.sources": "Types: deb\n",
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_fingerprint_is_stable_while_nothing_changes(tmp_path):
    root = _tree(tmp_path)
    assert _aptcache.fingerprint(str(root)) == _aptcache.fingerprint(str(root))


@pytest.mark.parametrize("rel", ["var/lib/dpkg/status",
                                 "var/lib/apt/lists/security.debian.org_dists_trixie-security_main_Packages",
                                 "etc/apt/sources.list.d/debian.sources"])
def test_fingerprint_changes_when_an_input_of_apt_changes(tmp_path, rel):
    root = _tree(tmp_path)
    before = _aptcache.fingerprint(str(root))
    path = root / rel
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # same size, one nanosecond newer
    assert _aptcache.fingerprint(str(root)) != before


def test_fingerprint_changes_when_a_list_appears_or_goes(tmp_path):
    root = _tree(tmp_path)
    before = _aptcache.fingerprint(str(root))
    extra = root / "var/lib/apt/lists/ppa_dists_noble_main_Packages"
    extra.write_text("Package: x\n")
    added = _aptcache.fingerprint(str(root))
    extra.unlink()
    assert added != before and _aptcache.fingerprint(str(root)) == before


def test_fingerprint_ignores_apts_lock_file(tmp_path):
    root = _tree(tmp_path)
    before = _aptcache.fingerprint(str(root))
    (root / "var/lib/apt/lists/lock").write_text("locked by apt-get update")
    assert _aptcache.fingerprint(str(root)) == before


def test_a_damaged_or_foreign_cache_file_is_not_an_answer(tmp_path):
    path = tmp_path / "apt-upgradable.json"
    for content in (b"{not json", b"[]", json.dumps({"key": "other", "output": "Listing...\n"}).encode(),
                    json.dumps({"key": "k", "output": 3}).encode(), b"\xff\xfe"):
        path.write_bytes(content)
        assert _aptcache.cached("k", str(path)) is None


def test_the_stored_answer_is_owner_only_and_read_back(tmp_path):
    path = tmp_path / "cache" / "apt-upgradable.json"
    _aptcache.store("k", str(path), "Listing...\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _aptcache.cached("k", str(path)) == "Listing...\n"


def test_an_unwritable_cache_is_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    _aptcache.store("k", str(blocker / "sub" / "apt.json"), "x")  # parent is a file: nothing raised


@pytest.mark.live
@pytest.mark.skipif(not (sys.platform.startswith("linux") and shutil.which("apt")), reason="needs apt")
def test_live_probe_runs_apt_once_then_answers_from_the_cache_until_the_inputs_change(tmp_path, monkeypatch):
    monkeypatch.setenv("ENVCHECK_HOME", str(tmp_path))
    before = len(_run.started)
    first = _linux.apt_upgradable()
    assert _run.started[before:] == ["apt"]
    assert _linux.apt_upgradable() == first
    assert _run.started[before:] == ["apt"], "the second answer came from the cache"
    # apt's inputs "changed": the stored fingerprint no longer matches, so apt runs again.
    path = _aptcache.cache_file()
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    doc["key"] = "0" * 64
    Path(path).write_text(json.dumps(doc), encoding="utf-8")
    assert _linux.apt_upgradable() == first
    assert _run.started[before:] == ["apt", "apt"]
