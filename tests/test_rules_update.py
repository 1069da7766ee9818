"""Signed rules updates (TUF): a new date reaches the checker; forged, old, frozen, cut or huge data does not."""

import json
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata

from envcheck.server import rulesrepo
from envcheck.ruleset.update import choose_rules
from envcheck.office import ServerConfig
from envcheck.delivery.upload import make_session
from server_fixtures import free_port, server_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def office(office_service, tmp_path):
    """The service (conftest.office_service) serving a freshly initialised rules repository: each test
    starts from the pristine copy made by `rules init` (the service reads the repository from disk on
    every request)."""
    server, home, pristine = office_service
    for name in ("rules-repo", "rules-keys"):
        shutil.rmtree(home / name)
        shutil.copytree(pristine / name, home / name)
    (home / "rules-refresh-status.json").unlink(missing_ok=True)  # `rules refresh` keeps it beside the repository
    repo, keys = home / "rules-repo", home / "rules-keys"
    return {"repo": repo, "keys": keys, "server": server, "root": repo / "metadata" / "1.root.json",
            "cache": tmp_path / "cache"}


def new_rules(tmp_path: Path, version: str, as_of: str, edit=None) -> Path:
    d = tmp_path / f"rules-{version}"
    shutil.copytree(ROOT / "rules", d)
    pol = (d / "policy.toml").read_text(encoding="utf-8")
    pol = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pol, count=1)
    pol = re.sub(r"(?m)^as_of = .*$", f"as_of = {as_of}", pol, count=1)
    (d / "policy.toml").write_text(pol, encoding="utf-8")
    if edit:
        edit(d)
    return d


def choose(office, online=True, url=None):
    cfg = ServerConfig(url=url or office["server"].url)
    return choose_rules(online=online, server_url=cfg.url, session_factory=lambda: make_session(cfg),
                        config_root=str(office["root"]), cache=str(office["cache"]))


def publish_newer(office, tmp_path, version="2026.12.1", as_of="2026-12-01", edit=None):
    return rulesrepo.publish(str(office["repo"]), str(office["keys"]), str(new_rules(tmp_path, version, as_of, edit)))


def test_the_office_publishes_with_one_command_and_the_service_serves_it(office, tmp_path):
    folder = new_rules(tmp_path, "2026.12.1", "2026-12-01")
    done = server_cli(office["server"].env, "rules", "publish", "--rules", str(folder))
    assert done.returncode == 0 and "published rules 2026.12.1" in done.stdout, done.stderr
    import requests
    url = office["server"].url + "/api/v1/rules/metadata/timestamp.json"
    resp = requests.get(url, timeout=10)
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    for bad in ("../../server_key.pem", "..%2F..%2Fserver_key.pem", "timestamp.json.tmp", "x.json"):
        assert requests.get(office["server"].url + "/api/v1/rules/metadata/" + bad, timeout=10).status_code == 404
    assert choose(office).rules.version == "2026.12.1"
    again = server_cli(office["server"].env, "rules", "publish", "--rules", str(folder))
    assert again.returncode == 0  # same rules, same archive bytes (reproducible)
    assert len(list((office["repo"] / "targets").iterdir())) == 1


def test_a_newer_published_set_is_verified_cached_and_used(office, tmp_path):
    publish_newer(office, tmp_path)
    choice = choose(office)
    assert (choice.source, choice.rules.version, choice.reason) == ("updated", "2026.12.1", "newest verified update")
    again = choose(office)  # nothing changed on the service: one timestamp fetch, no TUF refresh
    assert (again.source, again.reason) == ("updated", "newest verified update (unchanged since the last check)")
    offline = choose(office, online=False)  # the cache serves it without the network
    assert (offline.source, offline.rules.version) == ("updated", "2026.12.1")


def test_moving_an_end_of_support_date_changes_a_verdict_without_code_change(office, tmp_path, cli):
    # Debian 13's end moves into the past: the same snapshot fails os.supported under the new rules.
    def edit(d):
        text = (d / "lifecycle.toml").read_text(encoding="utf-8")
        text = text.replace("end = 2028-08-09\nlts_end = 2030-06-30", "end = 2026-11-01\nlts_end = 2026-11-02")
        (d / "lifecycle.toml").write_text(text, encoding="utf-8")
    publish_newer(office, tmp_path, edit=edit)
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps({"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z",
                                "platform": "linux", "probes": {"linux.os_release": {
                                    "value": 'ID=debian\nVERSION_ID="13"\nPRETTY_NAME="Debian 13"\n', "error": None}}}))
    env = {"ENVCHECK_HOME": str(tmp_path / "home"), "ENVCHECK_RULES_ROOT": str(office["root"])}

    def status():
        res = cli("check", "--replay", str(snap), "--json", "--now", "2026-11-24", env=env)
        assert res.returncode in (0, 1, 3), res.stderr
        report = json.loads(res.stdout)
        return {c["id"]: c["status"] for c in report["checks"]}["os.supported"], report["checker"]

    before, checker = status()
    assert before == "pass" and checker["rules_source"] == "built-in"
    res = cli("rules", "--server", office["server"].url, env=env)  # an online run fetches the update
    assert "source: updated" in res.stdout, res.stdout + res.stderr
    after, checker = status()
    assert after == "fail" and checker["rules_source"] == "updated" and checker["rules_version"] == "2026.12.1"


def _refused(office, match):
    choice = choose(office)
    assert choice.reason.startswith("update refused"), choice.reason
    assert match in choice.reason, choice.reason
    return choice


def test_altered_target_is_refused_and_previous_rules_kept(office, tmp_path):
    publish_newer(office, tmp_path)
    assert choose(office).rules.version == "2026.12.1"
    info = publish_newer(office, tmp_path, version="2026.12.2", as_of="2026-12-02")
    target = office["repo"] / "targets" / f"{info['sha256']}.rules.tar.gz"
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    choice = _refused(office, "does not match")
    assert (choice.source, choice.rules.version) == ("updated", "2026.12.1")
    assert "using the last verified update" in choice.reason


def test_truncated_download_is_refused(office, tmp_path):
    info = publish_newer(office, tmp_path)
    target = office["repo"] / "targets" / f"{info['sha256']}.rules.tar.gz"
    target.write_bytes(target.read_bytes()[:200])
    choice = _refused(office, "does not match")
    assert choice.source == "built-in"


def test_metadata_signed_by_an_unknown_key_is_refused(office, tmp_path):
    publish_newer(office, tmp_path)
    ts_path = office["repo"] / "metadata" / "timestamp.json"
    md = Metadata.from_file(str(ts_path))
    md.signed.version += 1
    md.signatures.clear()
    md.sign(CryptoSigner.generate_ed25519())
    md.to_file(str(ts_path))
    choice = _refused(office, "signature")
    assert choice.source == "built-in"


def test_rollback_to_older_metadata_is_refused(office, tmp_path):
    old_ts = (office["repo"] / "metadata" / "timestamp.json").read_bytes()
    publish_newer(office, tmp_path)
    assert choose(office).rules.version == "2026.12.1"
    (office["repo"] / "metadata" / "timestamp.json").write_bytes(old_ts)
    choice = _refused(office, "rollback")
    assert choice.rules.version == "2026.12.1"


def test_expired_timestamp_freeze_is_refused(office, tmp_path):
    publish_newer(office, tmp_path)
    rulesrepo.refresh_timestamp(str(office["repo"]), str(office["keys"]), expires_in=timedelta(seconds=-60))
    choice = _refused(office, "expired")
    assert choice.source == "built-in"
    rulesrepo.refresh_timestamp(str(office["repo"]), str(office["keys"]))  # the office refreshes it
    assert choose(office).source == "updated"


def test_oversized_target_is_refused_before_download(office, tmp_path, monkeypatch):
    monkeypatch.setattr(rulesrepo, "MAX_TARGET_BYTES", 10 * 1024 * 1024)
    big = new_rules(tmp_path, "2026.12.1", "2026-12-01")
    with open(big / "texts.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# " + os.urandom(1_500_000).hex() + "\n")  # incompressible padding
    rulesrepo.publish(str(office["repo"]), str(office["keys"]), str(big))
    _refused(office, "over the")


def test_server_down_uses_built_in_rules_and_says_so(office, tmp_path):
    # The shared service stays up for the other tests: this one asks a loopback port nothing listens on.
    choice = choose(office, url=f"http://127.0.0.1:{free_port()}")
    assert choice.source == "built-in"
    assert "cannot reach the rules service" in choice.reason


def test_corrupt_cache_falls_back_then_repairs_on_next_update(office, tmp_path):
    publish_newer(office, tmp_path)
    assert choose(office).source == "updated"
    cache = office["cache"]
    for f in (cache / "metadata").glob("*.json"):
        f.write_text("{garbage")
    for s in (cache / "sets").iterdir():
        (s / "policy.toml").write_text("not = [toml")
    assert choose(office, online=False).source == "built-in"  # damaged set: not used
    repaired = choose(office)
    assert (repaired.source, repaired.rules.version) == ("updated", "2026.12.1")


@pytest.mark.parametrize("role", ["root", "timestamp", "targets", "snapshot"])
def test_key_rotation_is_followed_by_a_checker_that_knew_only_the_old_root(office, tmp_path, role):
    publish_newer(office, tmp_path)
    rulesrepo.rotate_key(str(office["repo"]), str(office["keys"]), role)
    publish_newer(office, tmp_path, version="2026.12.2", as_of="2026-12-02")
    choice = choose(office)  # config_root is still 1.root.json
    assert (choice.source, choice.rules.version) == ("updated", "2026.12.2"), choice.reason


def test_a_broken_rules_set_is_never_published(office, tmp_path):
    def edit(d):
        (d / "policy.toml").write_text((d / "policy.toml").read_text().replace("eos_warn_days = 90",
                                                                                'eos_warn_days = "90"'))
    with pytest.raises(Exception, match="eos_warn_days"):
        publish_newer(office, tmp_path, edit=edit)
    assert not list((office["repo"] / "targets").iterdir())


def test_an_update_carries_network_toml_and_the_diagnostics_run_on_it(office, tmp_path):
    """The whole set travels: the updated set's own network.toml drives the network diagnostics."""
    import socket

    from envcheck.diagnose.config import load_config
    from envcheck.diagnose.runner import run_diagnose

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(8)
    port = listening.getsockname()[1]

    def edit(d):
        net = (d / "network.toml").read_text(encoding="utf-8")
        head, _, _ = net.partition("[[targets]]")
        causes = net[net.index("[causes."):]
        head = head.replace('url = "http://connectivitycheck.gstatic.com/generate_204"',
                            'url = "http://127.0.0.1:9/generate_204"')
        (d / "network.toml").write_text(head + f'[[targets]]\nname = "office link"\nhost = "127.0.0.1"\n'
                                        f"tcp = [{port}]\n\n" + causes, encoding="utf-8")
    try:
        publish_newer(office, tmp_path, edit=edit)
        choice = choose(office)
        assert choice.source == "updated"
        assert choice.rules.network.targets[0].name == "office link"
        doc = run_diagnose(load_config(choice.rules.source), proxy_reader=lambda timeout: {"env": {}, "system": {}})
    finally:
        listening.close()
    tcp = [s for s in doc["steps"] if s["step"] == "tcp"]
    assert [(s["port"], s["status"]) for s in tcp] == [(port, "ok")]


def test_an_archive_without_network_toml_is_refused(office, tmp_path):
    """An installer that accepted a set missing a file would leave the network check unable to run."""
    import gzip
    import io
    import tarfile

    from envcheck.ruleset.update import UpdateRefused, _install

    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name in ("policy.toml", "texts.toml", "software.toml", "lifecycle.toml", "updates.toml",
                     "minimums.toml"):
            data = (ROOT / "rules" / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "six.tar.gz"
    archive.write_bytes(buf.getvalue())
    with pytest.raises(UpdateRefused, match="network.toml"):
        _install(str(tmp_path / "cache"), str(archive), "0" * 64)


def test_the_loader_validates_network_toml_with_the_rest(tmp_path):
    from envcheck.errors import RuleError
    from envcheck.ruleset.loader import load_rules

    d = new_rules(tmp_path, "2026.12.1", "2026-12-01")
    net = d / "network.toml"
    net.write_text(net.read_text(encoding="utf-8").replace("bound_ms = 5000", 'bound_ms = "5s"'), encoding="utf-8")
    with pytest.raises(RuleError, match="network.toml.*bound_ms"):
        load_rules(str(d))
