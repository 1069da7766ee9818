"""The phones' rules (mobile.toml) from the vendors' feeds: SOFA's iOS feed and endoflife.date's
android / ios / ipados pages, real recorded copies (tests/fixtures/feeds, see SOURCES) served
from 127.0.0.1. The curated parts of mobile.toml (the office's choices, texts) are kept byte for
byte; a feed that is down, malformed, truncated or rolled back stops the refresh; an earlier end
of support is a contradiction a person must accept.
"""

import json
import re
import shutil
from datetime import datetime, timezone

import pytest
from test_rules_refresh import FEEDS, NOW, ROOT, FeedServer, drop_rows

from envcheck.checks.browser import decide_supported
from envcheck.ruleset.loader import load_rules
from envcheck.server.rulesrefresh import refresh

DEC = datetime(2026, 12, 6, tzinfo=timezone.utc)


@pytest.fixture
def served():
    srv = FeedServer()
    yield srv
    srv.httpd.shutdown()


@pytest.fixture
def base(tmp_path):
    """The shipped set as it stood before August 2026 for phones: no Android 17, no August iOS releases."""
    d = tmp_path / "curated"
    shutil.copytree(ROOT / "rules", d)
    text = (d / "mobile.toml").read_text(encoding="utf-8")
    text = drop_rows(text, "android", lambda p: 'major = "17"' in p)
    text = drop_rows(text, "ios_release", lambda p: re.search(r"released = 2026-0[89]-", p))
    (d / "mobile.toml").write_text(text, encoding="utf-8")
    assert load_rules(str(d)).mobile is not None
    return d


def curated_parts(text: str) -> str:
    """mobile.toml without the rows the feeds own: the office's settings, thresholds, texts, comments."""
    for table in ("ios", "android", "ios_release"):
        text = drop_rows(text, table, lambda p: True)
    return text.split("# ---- added by `envcheck-server rules refresh`")[0].rstrip()


def test_mobile_feeds_bring_android_17_and_the_august_ios_releases(served, base, tmp_path):
    android17 = {"os": "android", "version": "17"}
    assert decide_supported(android17, load_rules(str(base)), DEC, "android").code == "not_in_rules"
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok and out.changed and not out.needs_review, out.review
    assert "+ android: major=17, released 2026-06-16  [endoflife-android]" in out.review
    assert "+ ios_release: version=18.7.10, released 2026-08-17  [sofa-ios]" in out.review
    cand = load_rules(out.candidate)
    assert {"26.6.1", "18.7.10"} <= {str(v) for v, _ in cand.mobile.ios_releases}
    text = (tmp_path / "cand" / "mobile.toml").read_text(encoding="utf-8")
    assert 'version = "26.6.1"\nreleased = 2026-08-17\ncves = 29\n' in text  # SOFA's own CVE count
    assert curated_parts(text) == curated_parts((base / "mobile.toml").read_text(encoding="utf-8"))
    # Android 17 is judged now, not unknown; iOS 26.6 is behind once 26.6.1 is past the grace period.
    assert decide_supported(android17, cand, DEC.replace(year=2026, month=9), "android").code == "supported"
    from envcheck.checks.browser import decide_patched
    assert decide_patched({"os": "ios", "version": "26.6"}, cand, datetime(2026, 9, 20, tzinfo=timezone.utc),
                          "ios").code == "behind"


def test_an_office_without_phone_rules_gets_none_from_the_refresh(served, base, tmp_path):
    (base / "mobile.toml").unlink()
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok, out.review
    assert not (tmp_path / "cand" / "mobile.toml").exists() and load_rules(out.candidate).mobile is None
    assert "+ android" not in out.review and "+ ios_release" not in out.review


@pytest.mark.parametrize("feed,file,kind,says", [
    ("endoflife-android", "eol_android.md", "down", "endoflife-android: HTTP 503"),
    ("sofa-ios", "sofa_v2_ios_data_feed.json", "malformed", "sofa-ios: not JSON"),
    ("sofa-ios", "sofa_v2_ios_data_feed.json", "cut", "sofa-ios: cannot fetch"),
    ("endoflife-ipados", "eol_ipados.md", "truncated", "endoflife-ipados: front matter not closed"),
    ("endoflife-ios", "eol_ios.md", "wrong_page", "endoflife-ios: the page is /macos, not /ios"),
])
def test_a_broken_mobile_feed_stops_the_refresh(served, base, tmp_path, feed, file, kind, says):
    body = (FEEDS / file).read_bytes()
    if kind == "down":
        served.broken.add(file)
    elif kind == "malformed":
        served.docs[file] = b"<!DOCTYPE html><title>502 Bad Gateway</title>"
    elif kind == "cut":
        served.cut.add(file)
    elif kind == "truncated":
        served.docs[file] = body[: len(body) // 3]  # the connection closed early, no length to catch it
    else:
        served.docs[file] = (FEEDS / "eol_macos.md").read_bytes()
    status = tmp_path / "status.json"
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), status_path=str(status), now=NOW)
    assert not out.ok and says in out.review, out.review
    assert "the current rules are untouched" in out.review and not (tmp_path / "cand").exists()
    assert json.loads(status.read_text())["feeds"][feed]["ok"] is False


def test_a_rolled_back_ios_feed_is_refused(served, base, tmp_path):
    status = tmp_path / "status.json"
    assert refresh(str(base), str(tmp_path / "c1"), served.urls(), status_path=str(status), now=NOW).ok
    doc = json.loads((FEEDS / "sofa_v2_ios_data_feed.json").read_bytes())
    for line in doc["OSVersions"]:  # the copy of a month earlier: the August releases not yet in it
        line["SecurityReleases"] = [r for r in line["SecurityReleases"] if r["ReleaseDate"] < "2026-08"]
    served.docs["sofa_v2_ios_data_feed.json"] = json.dumps(doc).encode()
    out = refresh(str(base), str(tmp_path / "c2"), served.urls(), status_path=str(status), now=NOW)
    assert not out.ok and "sofa-ios: rolled back: the document is of 2026-07-27, older than the 2026-08-17" \
        in out.review, out.review


def end_ios_18(text: str) -> bytes:
    """The page with iOS/iPadOS 18 ended on 2026-09-01 (a year before Apple's pattern would)."""
    return re.sub(r'(releaseCycle: "18"\n(?:    .*\n)*?    eol:) false', r"\1 2026-09-01", text, count=1).encode()


def test_ios_18_ends_only_when_both_iphone_and_ipad_pages_end_it(served, base, tmp_path):
    served.docs["eol_ios.md"] = end_ios_18((FEEDS / "eol_ios.md").read_text(encoding="utf-8"))
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok and not out.needs_review and "ios 18" not in out.review, out.review  # iPads still get 18


def test_an_earlier_ios_end_is_a_contradiction_applied_only_when_accepted(served, base, tmp_path):
    for f in ("eol_ios.md", "eol_ipados.md"):
        served.docs[f] = end_ios_18((FEEDS / f).read_text(encoding="utf-8"))
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok and out.needs_review
    assert "CONTRADICTION ios 18: end None -> 2026-09-01  [endoflife-ios+endoflife-ipados]" in out.review
    assert next(r for r in load_rules(out.candidate).mobile.ios if r["major"] == "18").get("end") is None
    forced = refresh(str(base), str(tmp_path / "cand2"), served.urls(), accept_changes=True, now=NOW)
    assert forced.ok and not forced.needs_review
    cand = load_rules(forced.candidate)
    assert str(next(r for r in cand.mobile.ios if r["major"] == "18")["end"]) == "2026-09-01"
    assert decide_supported({"os": "ios", "version": "18.7"}, cand, DEC, "ios").code == "ended"


def test_the_shipped_set_judges_android_17_and_ios_27():
    """Android 17 came in through the refresh (endoflife.date); iOS 27 and Apple's September releases are
    hand-entered from Apple's advisories (no feed copy holds them yet), so an iPhone on iOS 27 is judged."""
    from envcheck.checks.browser import decide_patched

    shipped = load_rules(str(ROOT / "rules"))
    verdict = decide_supported({"os": "android", "version": "17"}, shipped, DEC, "android")
    assert (verdict.status, verdict.code) == ("pass", "supported")
    verdict = decide_supported({"os": "ios", "version": "27.0.1"}, shipped, DEC, "ios")
    assert (verdict.status, verdict.code) == ("pass", "supported")
    assert decide_patched({"os": "ios", "version": "27.0.1"}, shipped, DEC, "ios").code == "current"
    # 27.0 and 26.6.1 are behind the releases of 2026-09-28 once the grace days have passed.
    assert decide_patched({"os": "ios", "version": "27.0"}, shipped, DEC, "ios").code == "behind"
    assert decide_patched({"os": "ios", "version": "26.6.1"}, shipped, DEC, "ios").code == "behind"
    assert decide_patched({"os": "ios", "version": "26.7.1"}, shipped, DEC, "ios").code == "current"


def test_a_new_ios_major_in_the_feed_comes_in_while_an_older_untracked_line_stays_out(served, base, tmp_path):
    """A curated set that knows no iOS 26 release yet (as when 27 will be new) gets iOS 26's releases from
    SOFA: the line is newer than every line it tracks. iOS 17, older than the lines it tracks, stays out."""
    text = (base / "mobile.toml").read_text(encoding="utf-8")
    text = drop_rows(text, "ios_release", lambda p: re.search(r'version = "(26|17)\.', p))
    (base / "mobile.toml").write_text(text, encoding="utf-8")
    out = refresh(str(base), str(tmp_path / "cand"), served.urls(), now=NOW)
    assert out.ok, out.review
    versions = {str(v) for v, _ in load_rules(out.candidate).mobile.ios_releases}
    assert {"26.0", "26.6.1"} <= versions
    assert not any(v.startswith("17.") for v in versions)
