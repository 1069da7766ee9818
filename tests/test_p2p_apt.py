"""A real BitTorrent client installed from the Debian archive is found, and gone once purged.

Needs root and a working apt-get. Installs transmission-cli (unless it is already there),
runs `envcheck check`, then purges exactly the packages the install added, so the machine's
package set is left as it was (apt's own logs keep a record of the run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.apt

PKG = "transmission-cli"
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive", LC_ALL="C", LANG="C")
# Another apt run on this machine (an unattended upgrade, a colleague's job) holds the lock for
# a while: wait for it instead of failing.
APT = ["apt-get", "-o", "DPkg::Lock::Timeout=600"]


def _apt_usable() -> str | None:
    """None when apt-get can be used here, else why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to install and purge a package"
    if not shutil.which("apt-get") or not shutil.which("dpkg-query"):
        return "apt-get/dpkg-query not found (not a Debian-family system)"
    probe = subprocess.run([*APT, "check", "-q"], capture_output=True, text=True, env=APT_ENV, timeout=700)
    if probe.returncode != 0:
        return f"apt-get check fails: {(probe.stderr or probe.stdout).strip()[:200]}"
    return None


def installed_packages() -> set[str]:
    """Names (with :arch) of every package dpkg has fully installed."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${binary:Package}\t${db:Status-Abbrev}\n"],
                         capture_output=True, text=True, check=True, env=APT_ENV).stdout
    return {name for name, _, status in (line.partition("\t") for line in out.splitlines())
            if status.startswith("ii")}


def known_packages() -> set[str]:
    """Every package dpkg has any record of (installed, or removed but with configuration left)."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${binary:Package}\t${db:Status-Abbrev}\n"],
                         capture_output=True, text=True, check=True, env=APT_ENV).stdout
    return {name for name, _, status in (line.partition("\t") for line in out.splitlines())
            if status[:1] != "p" and status.strip() not in ("un",)}


def new_packages(apt_output: str) -> set[str]:
    """The names apt-get listed under "The following NEW packages will be installed:"."""
    names, inside = set(), False
    for line in apt_output.splitlines():
        if line.startswith("The following NEW packages will be installed"):
            inside = True
            continue
        if inside and line.startswith("  "):
            names.update(line.split())
        elif inside:
            break
    return names


def _install() -> set[str]:
    cmd = [*APT, "install", "-y", "--no-install-recommends", PKG]
    res = subprocess.run(cmd, capture_output=True, text=True, env=APT_ENV, timeout=900)
    if res.returncode != 0 and ("Unable to locate package" in res.stderr or "has no installation candidate"
                                in res.stderr or "Failed to fetch" in res.stderr):
        upd = subprocess.run([*APT, "update"], capture_output=True, text=True, env=APT_ENV, timeout=900)
        if upd.returncode != 0:
            pytest.skip(f"apt-get update failed: {upd.stderr.strip()[:200]}")
        res = subprocess.run(cmd, capture_output=True, text=True, env=APT_ENV, timeout=900)
    if res.returncode != 0:
        pytest.skip(f"cannot install {PKG} here: {res.stderr.strip()[-300:]}")
    return new_packages(res.stdout)


def _p2p(cli, tmp_path) -> dict:
    res = cli("check", "--offline", "--json", "--lang", "en", env={"ENVCHECK_HOME": str(tmp_path / "home")})
    assert res.returncode in (0, 1, 3), res.stderr
    return next(c for c in json.loads(res.stdout)["checks"] if c["id"] == "p2p.absent")


def test_installed_transmission_cli_fails_p2p_and_passes_again_after_purge(cli, tmp_path):
    why = _apt_usable()
    if why:
        pytest.skip(why)
    before = installed_packages()
    before_known = known_packages()
    already = any(name.split(":")[0] == PKG for name in before)
    said_new: set[str] = set()
    if not already:
        assert _p2p(cli, tmp_path)["status"] == "pass", "p2p.absent must pass before the install for this test"
        said_new = _install()
    added: list[str] = []
    try:
        after = installed_packages()
        # What dpkg gained, limited to what this install said it added: another apt run on the
        # machine at the same time must not have its packages purged by this test.
        added = sorted(n for n in after - before if n.split(":")[0] in said_new)
        assert already or PKG in {n.split(":")[0] for n in added}, (added, said_new)
        check = _p2p(cli, tmp_path)
        assert (check["status"], check["code"]) == ("fail", "found")
        assert "Transmission" in check["summary"]["en"]
        found = check["evidence"]["found"]
        assert {"name": "Transmission", "item": PKG, "kind": "package"}.items() <= next(
            f for f in found if f["item"] == PKG).items()
    finally:
        if not already and added:
            # Exactly what the install added (never autoremove: that could take the machine's own packages).
            res = subprocess.run([*APT, "purge", "-y", *added], capture_output=True, text=True,
                                 env=APT_ENV, timeout=900)
            assert res.returncode == 0, res.stderr
    if already:
        return
    left = {n for n in installed_packages() | known_packages() if n.split(":")[0] in said_new}
    assert left == {n for n in before | before_known if n.split(":")[0] in said_new}  # purged, config too
    assert _p2p(cli, tmp_path)["status"] == "pass"
