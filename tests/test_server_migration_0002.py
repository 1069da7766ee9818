"""Migration 0002 on a store that has data from 0001, on SQLite and PostgreSQL: keys pinned by the
old first-key rule keep their pin (pinned_via 'legacy'), reports are not replayed, and it goes back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from server_fixtures import database_url, downgrade


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0002_keeps_legacy_pins_and_downgrades(tmp_path, kind):
    from envcheck.server.db import make_engine
    from envcheck.server.migrate import current, upgrade

    eng = make_engine(database_url(kind, tmp_path))
    try:
        upgrade(eng, "0001")
        with eng.begin() as conn:
            for kid, pinned in (("a" * 16, True), ("b" * 16, False)):
                conn.execute(text("INSERT INTO device_keys (seeker_no, key_id, public_key, pinned, first_seen, "
                                  "last_seen, first_report_id) VALUES ('01234-00000001', :k, 'x', :p, "
                                  "'2026-11-01 00:00:00', '2026-11-01 00:00:00', 'r')"), {"k": kid, "p": pinned})
        upgrade(eng, "0002")
        assert current(eng) == "0002"
        with eng.connect() as conn:
            rows = dict(conn.execute(text("SELECT key_id, pinned_via FROM device_keys")).all())
        assert rows == {"a" * 16: "legacy", "b" * 16: None}
        downgrade(eng, "0001")
        assert current(eng) == "0001"
    finally:
        eng.dispose()
