"""endoflife.date release cycles (products/<product>.md front matter, the data behind its API).

Gives `windows` rows (product, version, build, family, released, end) for Windows 10/11
cycles per servicing family, `macos` rows (major, name, released, end) per macOS major,
`android` rows (major, released, end = the last security bulletin covering it) and `ios`
rows (major, released, end) from the iOS and the iPadOS pages. One URL per product: the
refresh reads them as the feeds endoflife-windows, -macos, -android, -ios and -ipados.
"""

from __future__ import annotations

from datetime import date

from envcheck.server.feeds import Feed, FeedError, day

NAME = "endoflife"
_BASE = "https://raw.githubusercontent.com/endoflife-date/endoflife.date/master/products/"
DEFAULT_URL = _BASE + "windows.md"
WHAT = {"windows": "Windows 10/11 release cycles per servicing family: release date, end of servicing, build (windows)",
        "macos": "macOS majors: name, release date, end when endoflife.date has one (macos)",
        "android": "Android majors: release date, end = last security bulletin covering it (android)",
        "ios": "iOS majors: release date, end when Apple stopped its security releases (ios)",
        "ipados": "iPadOS majors, the same (ios; an iOS major ends when neither iPhone nor iPad gets releases)"}


def url(product: str) -> str:
    return _BASE + f"{product}.md"

_FAMILY = {"w": "consumer", "e": "enterprise", "e-lts": "ltsc", "iot-lts": "iot_ltsc"}


def _front_matter(data: bytes) -> dict:
    import yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FeedError(NAME, "not UTF-8 text") from None
    if not text.startswith("---"):
        raise FeedError(NAME, "no front matter")
    head, sep, _ = text[3:].partition("\n---")
    if not sep:
        raise FeedError(NAME, "front matter not closed (truncated?)")
    try:
        doc = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        raise FeedError(NAME, f"front matter is not YAML: {str(exc).splitlines()[0][:80]}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("releases"), list):
        raise FeedError(NAME, "front matter has no releases list")
    return doc


def _windows(rel: dict, url: str) -> dict | None:
    cycle = str(rel.get("releaseCycle", ""))
    major, _, rest = cycle.partition("-")
    version, _, suffix = rest.partition("-")
    family = _FAMILY.get(suffix)
    latest = str(rel.get("latest", ""))
    if major not in ("10", "11") or family is None or not latest.startswith("10.0."):
        return None  # Windows Server, IoT/LTSC naming this rules set does not model
    end = rel.get("eol")
    if not isinstance(end, date):
        return None
    return {"product": f"Windows {major}", "version": version.upper(), "build": int(latest.split(".")[2]),
            "family": family, "released": day(rel.get("releaseDate"), NAME, f"{cycle}.releaseDate"), "end": end,
            "source": f"{rel.get('link') or 'endoflife.date'} ; via {url} (cycle {cycle})"}


def _macos(rel: dict, url: str) -> dict:
    cycle = str(rel.get("releaseCycle", ""))
    row = {"major": cycle, "name": f"macOS {rel.get('codename')}".strip(),
           "released": day(rel.get("releaseDate"), NAME, f"{cycle}.releaseDate"),
           "source": f"{url} (cycle {cycle})"}
    if isinstance(rel.get("eol"), date):
        row["end"] = rel["eol"]
    return row


def _major(rel: dict, url: str, name: str) -> dict | None:
    """An Android / iOS / iPadOS major: whole-number cycles only (Android 12.1 is 12L, curated with 12)."""
    cycle = str(rel.get("releaseCycle", ""))
    if not cycle.isdigit():
        return None
    row = {"major": cycle, "released": day(rel.get("releaseDate"), name, f"{cycle}.releaseDate"),
           "source": f"{url} (cycle {cycle})"}
    if isinstance(rel.get("eol"), date):
        row["end"] = rel["eol"]
    return row


_MOBILE = {"/android": "android", "/ios": "ios", "/ipados": "ios"}


def parse(data: bytes, url: str = DEFAULT_URL, name: str = NAME) -> Feed:
    try:
        return _parse(data, url, name)
    except FeedError as exc:
        raise FeedError(name, exc.reason) from None


def _parse(data: bytes, url: str, name: str) -> Feed:
    doc = _front_matter(data)
    permalink = str(doc.get("permalink", ""))
    product = name.removeprefix("endoflife-")
    if name != NAME and permalink != f"/{product}":
        raise FeedError(name, f"the page is {permalink or 'unnamed'}, not /{product}")
    rows: dict[str, list[dict]] = {}
    if permalink == "/windows":
        rows["windows"] = [r for r in (_windows(x, url) for x in doc["releases"] if isinstance(x, dict)) if r]
    elif permalink == "/macos":
        rows["macos"] = [_macos(x, url) for x in doc["releases"] if isinstance(x, dict)
                         and str(x.get("releaseCycle", "")).replace(".", "").isdigit()]
    elif permalink in _MOBILE:
        rows[_MOBILE[permalink]] = [r for r in (_major(x, url, name) for x in doc["releases"] if isinstance(x, dict))
                                    if r]
    else:
        raise FeedError(NAME, f"unexpected product page {permalink!r} (windows, macos, android, ios, ipados)")
    dates = [d for x in doc["releases"] if isinstance(x, dict)
             for d in (x.get("releaseDate"), x.get("latestReleaseDate")) if isinstance(d, date)]
    if not dates or not any(rows.values()):
        raise FeedError(NAME, f"{permalink}: no usable release cycles")
    return Feed(name, url, max(dates), rows)
