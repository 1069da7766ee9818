"""`envcheck check --server URL` measures the connection to that intake service in the report's diagnostics."""

import json

import pytest

pytest.importorskip("envcheck.server", reason="the intake service (server extra) is not installed")

from server_fixtures import Server  # noqa: E402


@pytest.mark.live
def test_live_check_measures_throughput_against_the_named_intake_service(tmp_path, cli):
    srv = Server(str(tmp_path / "srv"))
    try:
        res = cli("check", "--json", "--server", srv.url, env={"ENVCHECK_HOME": str(tmp_path / "home"),
                                                              "ENVCHECK_SERVER": ""})
        assert res.returncode in (0, 1, 3), res.stderr
        steps = {(s["step"], s.get("target")): s for s in json.loads(res.stdout)["diagnostics"]["steps"]}
        down = next(s for (name, _), s in steps.items() if name == "throughput_down")
        assert down["status"] in ("ok", "degraded") and down["kbps"] > 0, down
        tcp = next(s for (name, target), s in steps.items() if name == "tcp" and target == "intake")
        assert tcp["status"] == "ok" and tcp["port"] == srv.port
    finally:
        srv.stop()
