"""Offboarding: a disabled user's sessions end at once; a revoked booking token is refused."""

import pytest

pytest.importorskip("envcheck.server", reason="the intake service (server extra) is not installed")

from server_fixtures import Server, server_cli
from test_server_web import http_login


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """One real service for the module: each test offboards a user or token of its own."""
    server = Server(str(tmp_path_factory.mktemp("srv")))
    yield server
    server.stop()


def test_a_disabled_user_is_logged_out_at_once_and_cannot_log_in(srv):
    assert server_cli(srv.env, "add-user", "leaver", "--role", "counselor", input=Server.PASSWORD).returncode == 0
    session, r = http_login(srv, "leaver")
    assert r.status_code == 303 and session.get(srv.url + "/reports", timeout=10).status_code == 200
    done = server_cli(srv.env, "disable-user", "leaver")
    assert done.returncode == 0 and "disabled" in done.stdout
    assert session.get(srv.url + "/reports", timeout=10, allow_redirects=False).status_code == 303
    _, again = http_login(srv, "leaver")
    assert again.status_code == 401
    missing = server_cli(srv.env, "disable-user", "nobody")
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_a_revoked_booking_token_is_refused(srv):
    added = server_cli(srv.env, "add-token", "booking-leaving")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert srv.eligibility("01234-00000001", token).status_code == 200
    assert server_cli(srv.env, "revoke-token", "booking-leaving").returncode == 0
    refused = srv.eligibility("01234-00000001", token)
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]
    assert srv.eligibility("01234-00000001").status_code == 200  # the other booking token still works
