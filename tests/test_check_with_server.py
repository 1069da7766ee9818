"""`envcheck check --server URL` measures the connection to that intake service in the report's diagnostics."""

import json
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("envcheck.server", reason="the intake service (server extra) is not installed")

from conftest import current_rules_dir


def loopback_rules(tmp_path: Path, port: int) -> str:
    """The current rules with network.toml pointed at this machine only: no test traffic leaves it."""
    d = tmp_path / "rules"
    shutil.copytree(current_rules_dir(), d)
    net = (d / "network.toml").read_text(encoding="utf-8")
    net = net[:net.index("[[targets]]")] + net[net.index("# ------------------------------------------------"
                                                          "--------------------------- causes"):]
    net = re.sub(r'^url = "http://connectivitycheck[^"]*"', f'url = "http://127.0.0.1:{port}/healthz"', net, flags=re.M)
    net = net.replace("expect_status = 204", "expect_status = 200").replace('expect_body = ""',
                                                                            'expect_body = \'{"status":"ok"}\'')
    net = net.replace("# --------------------------------------------------------------------------- causes",
                      f'[[targets]]\nname = "loopback"\nhost = "127.0.0.1"\ntcp = [{port}]\n\n'
                      "# --------------------------------------------------------------------------- causes")
    (d / "network.toml").write_text(net, encoding="utf-8")
    return str(d)


@pytest.mark.live
def test_live_check_measures_throughput_against_the_named_intake_service(tmp_path, cli, office_service):
    srv, _, _ = office_service  # the session's real service (conftest); this test only reads from it
    res = cli("check", "--json", "--server", srv.url, "--rules", loopback_rules(tmp_path, srv.port),
              env={"ENVCHECK_HOME": str(tmp_path / "home"), "ENVCHECK_SERVER": ""})
    assert res.returncode in (0, 1, 3), res.stderr
    steps = {(s["step"], s.get("target")): s for s in json.loads(res.stdout)["diagnostics"]["steps"]}
    down = next(s for (name, _), s in steps.items() if name == "throughput_down")
    assert down["status"] in ("ok", "degraded") and down["kbps"] > 0, down
    tcp = next(s for (name, target), s in steps.items() if name == "tcp" and target == "intake")
    assert tcp["status"] == "ok" and tcp["port"] == srv.port
    hosts = {s.get("host") for s in steps.values() if s.get("host")}
    assert hosts <= {"127.0.0.1"}, hosts  # every network step stayed on this machine
