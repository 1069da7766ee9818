"""Zoom's current releases into minimums.toml [zoom] current_<platform>, from real recorded copies of
Scoop's zoom.json (Windows; its checkver reads Zoom's download API) and Homebrew's zoom cask (macOS),
served from 127.0.0.1 (tests/fixtures/feeds, see SOURCES). The minimums stay the office's: a newer
release is recorded, an older copy is shown and not applied, a release below the minimum blocks.
"""

import re
import shutil

import pytest
from test_rules_refresh import FEEDS, NOW, ROOT, FeedServer

from envcheck.errors import RuleError
from envcheck.ruleset.loader import load_rules
from envcheck.server.rulesrefresh import refresh


@pytest.fixture
def served():
    srv = FeedServer()
    yield srv
    srv.httpd.shutdown()


def curated(tmp_path, minimum_windows: str | None = None):
    """The shipped set before the Zoom feeds: no current_* lines (and, if given, another Windows minimum)."""
    d = tmp_path / "curated"
    shutil.copytree(ROOT / "rules", d)
    text = re.sub(r"(?m)^current_\w+ = .*\n", "", (d / "minimums.toml").read_text(encoding="utf-8"))
    if minimum_windows:
        text = text.replace('minimum_windows = "5.17.5"', f'minimum_windows = "{minimum_windows}"')
    (d / "minimums.toml").write_text(text, encoding="utf-8")
    assert load_rules(str(d)).zoom_current == ()
    return d


def test_zoom_feeds_record_the_current_releases_and_keep_the_minimums(served, tmp_path):
    base = curated(tmp_path)
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok and out.changed and not out.needs_review, out.review
    assert "+ zoom_release: platform=windows, version=7.1.5.43453  [zoom-windows]" in out.review
    assert "+ zoom_release: platform=darwin, version=7.1.5.84650  [zoom-macos]" in out.review
    assert "zoom-windows: ok, data as of (undated), 1 rows" in out.review
    cand = load_rules(out.candidate)
    assert {p: str(v) for p, v in cand.zoom_current} == {"windows": "7.1.5.43453", "darwin": "7.1.5.84650"}
    assert str(cand.zoom_minimum("windows")) == "5.17.5" and str(cand.zoom_minimum("darwin")) == "6.0.2"
    # Undated feeds vouch for no day: the set's as_of stays the curated one.
    assert cand.as_of == load_rules(str(base)).as_of
    text = (tmp_path / "cand" / "minimums.toml").read_text(encoding="utf-8")
    assert re.search(r'(?m)^current_windows = "7.1.5.43453"  # http://127\.0\.0\.1:\d+/scoop_zoom\.json$', text)
    assert text.replace(text[text.index("current_"):text.index("\n", text.rindex("current_")) + 1], "") == \
        (base / "minimums.toml").read_text(encoding="utf-8")


def test_an_older_copy_of_the_catalogue_is_shown_not_applied(served, tmp_path):
    shipped = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", shipped)
    served.docs["scoop_zoom.json"] = (FEEDS / "scoop_zoom_7.1.0.json").read_bytes()  # the June 2026 copy
    out = refresh(str(shipped), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok and not out.changed and not out.needs_review, out.review
    assert "zoom_release windows: version 7.1.5.43453 -> 7.1.0.41345  [zoom-windows]" in out.review
    assert str(dict(load_rules(out.candidate).zoom_current)["windows"]) == "7.1.5.43453"


def test_a_release_below_the_minimum_is_a_contradiction(served, tmp_path):
    base = curated(tmp_path, minimum_windows="7.2")
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok and out.needs_review
    assert "CONTRADICTION zoom_release windows: version None -> 7.1.5.43453  [zoom-windows]" in out.review
    forced = refresh(str(base), str(tmp_path / "cand2"), served.urls(), accept_changes=True, now=NOW)
    # Accepting it does not make the office's minimum right: the set is refused, nothing changes.
    assert not forced.ok and "zoom.current_windows: the minimum 7.2 is above the newest release 7.1.5.43453" \
        in forced.review, forced.review


@pytest.mark.parametrize("file,body,says", [
    ("scoop_zoom.json", None, "zoom-windows: HTTP 503"),
    ("scoop_zoom.json", lambda b: b.replace(b"/prod/7.1.5.43453/arm64/", b"/prod/7.1.0.41345/arm64/"),
     "zoom-windows: installer URLs are not of version 7.1.5.43453"),
    ("scoop_zoom.json", lambda b: b[:400], "zoom-windows: not JSON"),
    ("brew_zoom.rb", lambda b: b[: len(b) // 2], 'zoom-macos: not the whole "zoom" cask'),
    ("brew_zoom.rb", lambda b: b.replace(b'version "7.1.5.84650"', b'version "latest"'),
     "zoom-macos: version 'latest' is not a release number"),
])
def test_a_broken_zoom_feed_stops_the_refresh(served, tmp_path, file, body, says):
    if body is None:
        served.broken.add(file)
    else:
        served.docs[file] = body((FEEDS / file).read_bytes())
    out = refresh(str(curated(tmp_path)), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert not out.ok and says in out.review, out.review


def test_a_minimum_above_the_newest_release_is_refused_by_the_loader(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d)
    text = (d / "minimums.toml").read_text(encoding="utf-8").replace('minimum_darwin = "6.0.2"',
                                                                      'minimum_darwin = "7.2.0"')
    (d / "minimums.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="zoom.current_darwin: the minimum 7.2.0 is above the newest release"):
        load_rules(str(d))
