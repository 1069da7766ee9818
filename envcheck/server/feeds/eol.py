"""endoflife.date release cycles (products/windows.md and products/macos.md front matter, the data behind its API).

Gives `windows` rows (product, version, build, family, released, end) for Windows 10/11
cycles per servicing family, and `macos` rows (major, name, released, end) per macOS major.
One URL per product: the refresh reads it as two feeds, endoflife-windows and endoflife-macos.
"""

from __future__ import annotations

from datetime import date

from envcheck.server.feeds import Feed, FeedError, day

NAME = "endoflife"
_BASE = "https://raw.githubusercontent.com/endoflife-date/endoflife.date/master/products/"
DEFAULT_URL = _BASE + "windows.md"
MACOS_URL = _BASE + "macos.md"
WHAT = "OS lifecycles: Windows 10/11 release and end of servicing per edition family (windows), macOS majors (macos)"
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


def parse(data: bytes, url: str = DEFAULT_URL, name: str = NAME) -> Feed:
    try:
        return _parse(data, url, name)
    except FeedError as exc:
        raise FeedError(name, exc.reason) from None


def _parse(data: bytes, url: str, name: str) -> Feed:
    doc = _front_matter(data)
    permalink = str(doc.get("permalink", ""))
    rows: dict[str, list[dict]] = {}
    if permalink == "/windows":
        rows["windows"] = [r for r in (_windows(x, url) for x in doc["releases"] if isinstance(x, dict)) if r]
    elif permalink == "/macos":
        rows["macos"] = [_macos(x, url) for x in doc["releases"] if isinstance(x, dict)
                         and str(x.get("releaseCycle", "")).replace(".", "").isdigit()]
    else:
        raise FeedError(NAME, f"unexpected product page {permalink!r} (windows or macos)")
    dates = [d for x in doc["releases"] if isinstance(x, dict)
             for d in (x.get("releaseDate"), x.get("latestReleaseDate")) if isinstance(d, date)]
    if not dates or not any(rows.values()):
        raise FeedError(NAME, f"{permalink}: no usable release cycles")
    return Feed(name, url, max(dates), rows)
