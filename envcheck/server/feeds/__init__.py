"""Vendor feeds the rules refresh reads: one small module per feed, each a pure parser.

Every feed module has NAME, DEFAULT_URL, WHAT (one line: what it gives) and
`parse(data: bytes, url, name) -> Feed`. Only `fetch()` here touches the network: one GET with
connect/read timeouts and a size bound, so a slow, huge or broken feed is one FeedError
naming the feed and the reason, never a hang or a half-read document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from envcheck.errors import EnvcheckError

MAX_BYTES = 8 * 1024 * 1024
TIMEOUT = (5, 20)
TABLES = ("windows", "macos", "windows_update", "macos_release", "ios", "android", "ios_release", "zoom_release")
"""The rules tables a feed may contribute rows to (lifecycle.toml, updates.toml, mobile.toml, minimums.toml)."""


class FeedError(EnvcheckError):
    """A feed could not be used: down, malformed, truncated, rolled back. Says which feed and why."""

    def __init__(self, feed: str, reason: str):
        super().__init__(f"feed {feed}: {reason}")
        self.feed, self.reason = feed, reason


@dataclass
class Feed:
    name: str
    url: str
    as_of: date | None
    """The newest date the document vouches for (its own timestamp, else its newest entry); None: it has no date."""
    rows: dict[str, list[dict]] = field(default_factory=dict)
    """Rows per rules table, in the rules' own field names, each with a `source`."""


def fetch(name: str, url: str, session=None, max_bytes: int = MAX_BYTES, timeout=TIMEOUT) -> bytes:
    """The document at `url`; FeedError when down, not 200, over `max_bytes` or cut short."""
    import requests

    s = session or requests.Session()
    try:
        with s.get(url, stream=True, timeout=timeout, headers={"Accept-Encoding": "identity"}) as resp:
            if resp.status_code != 200:
                raise FeedError(name, f"HTTP {resp.status_code} from {url}")
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FeedError(name, f"{declared} bytes, over the {max_bytes}-byte limit")
            buf = bytearray()
            for chunk in resp.iter_content(64 * 1024):
                buf += chunk
                if len(buf) > max_bytes:
                    raise FeedError(name, f"more than {max_bytes} bytes")
    except requests.RequestException as exc:
        raise FeedError(name, f"cannot fetch {url}: {type(exc).__name__}") from None
    if declared and declared.isdigit() and int(declared) != len(buf):
        raise FeedError(name, f"truncated: {len(buf)} of {declared} bytes")
    return bytes(buf)


def day(value, feed: str, where: str) -> date:
    """A date from an ISO date or timestamp string (or a date), else FeedError."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FeedError(feed, f"{where}: {value!r} is not a date") from None


def sources() -> dict[str, tuple[str, str, str]]:
    """Feed name -> (default URL, what it gives, parser module name)."""
    from envcheck.server.feeds import eol, sofa, winupdates, zoom

    return {"endoflife-windows": (eol.DEFAULT_URL, eol.WHAT["windows"], "eol"),
            "endoflife-macos": (eol.url("macos"), eol.WHAT["macos"], "eol"),
            "endoflife-android": (eol.url("android"), eol.WHAT["android"], "eol"),
            "endoflife-ios": (eol.url("ios"), eol.WHAT["ios"], "eol"),
            "endoflife-ipados": (eol.url("ipados"), eol.WHAT["ipados"], "eol"),
            "sofa-macos": (sofa.DEFAULT_URL, sofa.WHAT, "sofa"),
            "sofa-ios": (sofa.IOS_URL, sofa.IOS_WHAT, "sofa"),
            "windows-updates": (winupdates.DEFAULT_URL, winupdates.WHAT, "winupdates"),
            "zoom-windows": (zoom.WINDOWS_URL, zoom.WINDOWS_WHAT, "zoom"),
            "zoom-macos": (zoom.MACOS_URL, zoom.MACOS_WHAT, "zoom")}


def parse(name: str, data: bytes, url: str) -> Feed:
    """The named feed's parser on `data`; FeedError names the feed."""
    import importlib

    module = importlib.import_module(f"envcheck.server.feeds.{sources()[name][2]}")
    try:
        feed = module.parse(data, url, name)
    except FeedError as exc:
        raise FeedError(name, exc.reason) from None
    feed.name = name
    return feed
