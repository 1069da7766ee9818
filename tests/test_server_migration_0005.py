"""Migration 0005 on a store that has reports from 0004, on SQLite and PostgreSQL: store_totals is backfilled
with the reports' number and bytes, and it goes back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from server_fixtures import database_url, downgrade


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0005_backfills_the_totals_and_downgrades(tmp_path, kind):
    from envcheck.server.db import make_engine
    from envcheck.server.migrate import current, upgrade

    eng = make_engine(database_url(kind, tmp_path))
    try:
        upgrade(eng, "0004")
        bodies = [b"{}", "{\"a\": \"\u65e5\u672c\"}".encode("utf-8"), b"x" * 70_000]
        with eng.begin() as conn:
            for i, body in enumerate(bodies):
                conn.execute(text(
                    "INSERT INTO reports (report_id, seeker_no, created_at, received_at, platform, checker_version, "
                    "rules_version, key_id, claimed_verdict, verdict, judged_rules_version, claimed_statuses, "
                    "statuses, mismatch, new_device_key, sha256, body, receipt, receipt_no, assurance, replayed) "
                    "VALUES (:rid, NULL, '2026-11-01 00:00:00', '2026-11-01 00:00:00', 'linux', '1', '1', 'k', "
                    "'pass', 'pass', '1', '{}', '{}', :f, :f, 'h', :body, '{}', NULL, 'desktop', :f)"),
                    {"rid": f"r{i}", "f": False, "body": body})
        upgrade(eng, "0005")
        assert current(eng) == "0005"
        with eng.connect() as conn:
            row = conn.execute(text("SELECT id, reports, bytes FROM store_totals")).all()
        assert [tuple(r) for r in row] == [(1, 3, sum(len(b) for b in bodies))]  # bytes, not characters
        downgrade(eng, "0004")
        assert current(eng) == "0004"
        upgrade(eng, "0005")  # and up again on an empty-or-not store: the row is there once
        with eng.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM store_totals")).scalar_one() == 1
    finally:
        eng.dispose()
