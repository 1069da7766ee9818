"""`envcheck-server rules refresh` on real recorded feeds served from 127.0.0.1.

The recorded feeds (tests/fixtures/feeds, see SOURCES there) hold data up to 2026-08-22; the
curated base here is the shipped set with its newest August rows taken out, so the refresh
has real releases to bring back. Down, malformed, truncated, rolled-back and contradictory
feeds each leave the current rules untouched and say which feed and why.
"""

import http.server
import json
import re
import shutil
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from snapshots import FIXTURES, snapshot_from_folder
from test_rules_update import office  # noqa: F401 - the fixture: a real intake service with a rules repository

from envcheck.ruleset.loader import load_rules
from envcheck.server.rulesrefresh import refresh, status_line

ROOT = Path(__file__).resolve().parent.parent
FEEDS = FIXTURES / "feeds"
FILES = {"endoflife-windows": "eol_windows.md", "endoflife-macos": "eol_macos.md",
         "endoflife-android": "eol_android.md", "endoflife-ios": "eol_ios.md", "endoflife-ipados": "eol_ipados.md",
         "sofa-macos": "sofa_macos_data_feed.json", "sofa-ios": "sofa_v2_ios_data_feed.json",
         "windows-updates": "dfg_windows_buildnumbers.json", "zoom-windows": "scoop_zoom.json",
         "zoom-macos": "brew_zoom.rb"}
NOW = datetime(2026, 8, 25, tzinfo=timezone.utc)


class FeedServer:
    """Serves the recorded feeds; `docs` overrides a path's body, `broken` answers 503, `cut` lies about length."""

    def __init__(self):
        self.docs: dict[str, bytes] = {}
        self.broken: set[str] = set()
        self.cut: set[str] = set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                if name in outer.broken or not (name in outer.docs or (FEEDS / name).is_file()):
                    self.send_error(503 if name in outer.broken else 404)
                    return
                body = outer.docs.get(name) or (FEEDS / name).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body) + (1000 if name in outer.cut else 0)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the serving loop's next poll (0.5 s by default).
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def urls(self) -> dict[str, str]:
        return {name: self.base + f for name, f in FILES.items()}


@pytest.fixture
def feeds():
    srv = FeedServer()
    yield srv
    srv.httpd.shutdown()


def drop_rows(text: str, table: str, pred) -> str:
    """Remove the `[[table]]` blocks whose text matches `pred` (an older curated set)."""
    parts = re.split(r"(?m)^(?=\[)", text)
    return "".join(p for p in parts if not (p.startswith(f"[[{table}]]") and pred(p)))


@pytest.fixture
def base(tmp_path):
    """The shipped set as it stood before mid-August 2026: newest Windows and macOS rows removed."""
    d = tmp_path / "curated"
    shutil.copytree(ROOT / "rules", d)
    up = (d / "updates.toml").read_text(encoding="utf-8")
    up = drop_rows(up, "windows_update", lambda p: re.search(r"released = 2026-(0[89]|1\d)-", p))
    up = drop_rows(up, "macos_release", lambda p: re.search(r"released = 2026-(0[89]|1\d)-", p))
    (d / "updates.toml").write_text(up, encoding="utf-8")
    pol = (d / "policy.toml").read_text(encoding="utf-8")
    pol = re.sub(r"(?m)^as_of = .*$", "as_of = 2026-07-31", pol)
    (d / "policy.toml").write_text(re.sub(r'(?m)^version = ".*"$', 'version = "2026.07.31"', pol), encoding="utf-8")
    load_rules(str(d))
    return d


def samples(tmp_path) -> str:
    out = tmp_path / "samples"
    out.mkdir()
    for name in ("macos26_tahoe", "windows_11_23h2_open_wifi"):
        folder = FIXTURES / name
        exp = json.loads((folder / "expected.json").read_text())
        (out / f"{name}.json").write_text(json.dumps(snapshot_from_folder(folder, exp["platform"])))
    return str(out)


def test_refresh_on_recorded_feeds_adds_the_august_releases_and_validates(feeds, base, tmp_path):
    before = (base / "lifecycle.toml").read_text(encoding="utf-8")
    out = refresh(str(base), str(tmp_path / "cand"), feeds.urls(), status_path=str(tmp_path / "status.json"),
                  samples=samples(tmp_path), now=NOW)
    assert out.ok and out.changed and not out.needs_review, out.review
    cand = load_rules(out.candidate)
    assert any(r["build"] == 26200 and r["revision"] == 9168 and r["kb"] == "KB5121003" for r in cand.windows_updates)
    assert any(r["version"] == "26.6.2" for r in cand.macos_releases)
    assert cand.as_of.isoformat() == "2026-08-12"  # the oldest of the feeds' own dates: all vouch up to there
    assert "+ windows_update: build=26200, revision=9168, released 2026-08-11" in out.review
    assert "Verdicts that change on the sample machines:" in out.review
    # curated parts kept byte-for-byte: edition families, texts, software, network
    for name in ("texts.toml", "software.toml", "network.toml", "minimums.toml"):
        assert (tmp_path / "cand" / name).read_bytes() == (base / name).read_bytes()
    assert (tmp_path / "cand" / "lifecycle.toml").read_text(encoding="utf-8") == before
    assert (base / "lifecycle.toml").read_text(encoding="utf-8") == before  # the base is never touched
    line = status_line(str(tmp_path / "status.json"), NOW)
    assert line.startswith("Rules refresh 2026-08-25T00:00:00Z: changed;") and "sofa-macos ok" in line


@pytest.mark.parametrize("kind", ["down", "malformed", "truncated_body", "cut_connection"])
def test_a_broken_feed_stops_the_refresh_and_names_the_feed(feeds, base, tmp_path, kind):
    name = "sofa_macos_data_feed.json"
    if kind == "down":
        feeds.broken.add(name)
    elif kind == "malformed":
        feeds.docs[name] = b"<html>maintenance</html>"
    elif kind == "truncated_body":
        feeds.docs[name] = (FEEDS / name).read_bytes()[:200_000]
    else:
        feeds.cut.add(name)
    out = refresh(str(base), str(tmp_path / "cand"), feeds.urls(), status_path=str(tmp_path / "status.json"), now=NOW)
    assert not out.ok and "the current rules are untouched" in out.review
    assert "sofa-macos:" in out.review and not (tmp_path / "cand").exists()
    assert json.loads((tmp_path / "status.json").read_text())["feeds"]["sofa-macos"]["ok"] is False
    assert "sofa-macos FAILED" in status_line(str(tmp_path / "status.json"))


def test_a_truncated_update_history_is_refused_by_its_record_count(feeds, base, tmp_path):
    doc = json.loads((FEEDS / "dfg_windows_buildnumbers.json").read_bytes())
    doc["data"] = doc["data"][:-50]
    feeds.docs["dfg_windows_buildnumbers.json"] = json.dumps(doc).encode()
    out = refresh(str(base), str(tmp_path / "cand"), feeds.urls(), now=NOW)
    assert not out.ok and "windows-updates: truncated" in out.review


def test_a_rolled_back_feed_is_refused(feeds, base, tmp_path):
    status = tmp_path / "status.json"
    assert refresh(str(base), str(tmp_path / "c1"), feeds.urls(), status_path=str(status), now=NOW).ok
    doc = json.loads((FEEDS / "dfg_windows_buildnumbers.json").read_bytes())
    doc["metadata"]["lastCollected"] = "2026-07-01T00:00:00Z"  # an older copy served again
    feeds.docs["dfg_windows_buildnumbers.json"] = json.dumps(doc).encode()
    out = refresh(str(base), str(tmp_path / "c2"), feeds.urls(), status_path=str(status), now=NOW)
    assert not out.ok and "windows-updates: rolled back" in out.review


def test_an_earlier_end_date_is_shown_and_not_applied_without_the_flag(feeds, base, tmp_path):
    text = (FEEDS / "eol_windows.md").read_text(encoding="utf-8")
    # Microsoft (per the feed) suddenly ends Windows 11 25H2 Home/Pro a year early.
    feeds.docs["eol_windows.md"] = text.replace("eoas: 2027-10-12\n    eol: 2027-10-12\n    latest: 10.0.26200",
                                                "eoas: 2026-10-13\n    eol: 2026-10-13\n    latest: 10.0.26200",
                                                1).encode()
    out = refresh(str(base), str(tmp_path / "cand"), feeds.urls(), now=NOW)
    assert out.ok and out.needs_review
    assert "CONTRADICTION windows Windows 11/26200/consumer: end 2027-10-12 -> 2026-10-13" in out.review
    assert any(r["build"] == 26200 and r["family"] == "consumer" and r["end"].isoformat() == "2027-10-12"
               for r in load_rules(out.candidate).windows_lifecycle)
    forced = refresh(str(base), str(tmp_path / "cand2"), feeds.urls(), accept_changes=True, now=NOW)
    assert forced.ok and not forced.needs_review
    assert any(r["build"] == 26200 and r["family"] == "consumer" and r["end"].isoformat() == "2026-10-13"
               for r in load_rules(forced.candidate).windows_lifecycle)


def test_refresh_publish_reaches_the_checker_through_tuf(feeds, base, tmp_path, office):  # noqa: F811
    """The office's one command: refresh, review, publish; the checker verifies and uses the new set."""
    from server_fixtures import server_cli
    from test_rules_update import choose

    pol = base / "policy.toml"  # an office set newer than the checker's built-in one, so the checker prefers it
    pol.write_text(re.sub(r"(?m)^as_of = .*$", "as_of = 2026-12-01", pol.read_text(encoding="utf-8")),
                   encoding="utf-8")
    args = ["rules", "refresh", "--rules", str(base), "--publish"]
    for name, url in feeds.urls().items():
        args += ["--feed", f"{name}={url}"]
    done = server_cli(office["server"].env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Releases added:" in done.stdout and "published rules" in done.stdout
    choice = choose(office)
    assert choice.source == "updated" and choice.rules.network is not None
    assert any(r["build"] == 26200 and r["revision"] == 9168 for r in choice.rules.windows_updates)
    # The published set is the next refresh's base: nothing new the second time, nothing published.
    again = server_cli(office["server"].env, *args)
    assert again.returncode == 0 and "Nothing new in the feeds" in again.stdout, again.stdout
    status = json.loads((office["repo"].parent / "rules-refresh-status.json").read_text())
    assert status["result"] == "unchanged" and status["last_published"]["rules_version"] == choice.rules.version
    from test_server_web import (
        http_login,  # the admin page shows the status in one line
    )

    s, _ = http_login(office["server"], "admin1")
    page = s.get(office["server"].url + "/audit", timeout=10).text
    assert re.search(r'<p id="rules-status">[^<]*Rules refresh [^<]*: unchanged; endoflife-android ok', page) or \
        re.search(r'<p id="rules-status">[^<]*unchanged; endoflife-android ok', page), page[:2000]


def test_refresh_with_a_feed_down_exits_1_and_publishes_nothing(feeds, base, tmp_path, office):  # noqa: F811
    from server_fixtures import server_cli

    feeds.broken.add("eol_macos.md")
    args = ["rules", "refresh", "--rules", str(base), "--publish"]
    for name, url in feeds.urls().items():
        args += ["--feed", f"{name}={url}"]
    done = server_cli(office["server"].env, *args)
    assert done.returncode == 1 and "endoflife-macos: HTTP 503" in done.stdout, done.stdout + done.stderr
    assert not list((office["repo"] / "targets").iterdir())


def test_a_feed_that_never_answers_is_cut_off_by_its_timeout(feeds, base, tmp_path):
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # accepts, never sends a byte
    urls = {**feeds.urls(), "sofa-macos": f"http://127.0.0.1:{silent.getsockname()[1]}/v1/macos_data_feed.json"}
    start = time.monotonic()
    try:
        out = refresh(str(base), str(tmp_path / "cand"), urls, now=NOW, timeout=(1, 1))
    finally:
        silent.close()
    assert time.monotonic() - start < 10
    assert not out.ok and "sofa-macos: cannot fetch" in out.review and "Timeout" in out.review


def test_an_oversized_feed_is_refused_without_reading_it_all(feeds):
    from envcheck.server.feeds import FeedError, fetch

    with pytest.raises(FeedError, match="windows-updates: .*over the 100000-byte limit"):
        fetch("windows-updates", feeds.base + "dfg_windows_buildnumbers.json", max_bytes=100_000)


def test_the_shipped_set_with_the_recorded_feeds_has_nothing_new_and_nothing_blocking(feeds, tmp_path):
    """The daily job on data it already holds: exit 0, no contradiction, nothing published."""
    shipped = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", shipped)
    out = refresh(str(shipped), str(tmp_path / "cand"), feeds.urls(), now=NOW)
    assert out.ok and not out.changed and not out.needs_review, out.review
    assert "CONTRADICTION" not in out.review


def test_the_merge_keeps_fields_and_tables_it_does_not_know(tmp_path):
    """Another engineer's new fields (e.g. a freshness cadence) survive additions and accepted changes."""
    from datetime import date

    from envcheck.server.feeds import Feed
    from envcheck.server.rulesmerge import merge

    base = tmp_path / "base"
    shutil.copytree(ROOT / "rules", base)
    up = (base / "updates.toml").read_text(encoding="utf-8")
    up = up.replace("[[windows_update]]\nbuild = 26200\nrevision = 9168\n",
                    "[[windows_update]]\nbuild = 26200\nrevision = 9168\ncadence_days = 30  # a field from elsewhere\n")
    (base / "updates.toml").write_text("[freshness]\nwindows_days = 35\n\n" + up, encoding="utf-8")
    feed = Feed("windows-updates", "http://127.0.0.1/x", date(2026, 11, 11), {"windows_update": [
        {"build": 26200, "revision": 9168, "released": date(2026, 8, 12), "kind": "security", "kb": "KB5121003",
         "source": "s"},
        {"build": 26200, "revision": 9700, "released": date(2026, 10, 13), "kind": "security", "kb": "KB5130001",
         "source": "test row"}]})
    m = merge(str(base), str(tmp_path / "out"), [feed], accept_changes=True)
    text = (tmp_path / "out" / "updates.toml").read_text(encoding="utf-8")
    assert text.startswith("[freshness]\nwindows_days = 35\n")
    assert "revision = 9168\ncadence_days = 30  # a field from elsewhere\nreleased = 2026-08-12\n" in text
    assert [(c.field, str(c.old), str(c.new)) for c in m.applied] == [("released", "2026-08-11", "2026-08-12")]
    assert text.endswith('[[windows_update]]\nbuild = 26200\nrevision = 9700\nreleased = 2026-10-13\n'
                         'kb = "KB5130001"\nkind = "security"\nsource = "test row"\n')
