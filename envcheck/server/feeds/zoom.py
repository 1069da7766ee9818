"""Zoom's current desktop releases, as the two package catalogues that track Zoom's own download API publish them.

Zoom announces its enforced minimum versions only on a web page (the Quarterly Lifecycle
Policy, KB0061900), so `minimum_*` in minimums.toml stays the office's. What is machine-readable
is the version Zoom's download service hands out today (https://zoom.us/rest/download?os=win|mac,
result.downloadVO.*.version); Scoop's manifest (Windows, its `checkver` reads exactly that API)
and Homebrew's cask (macOS, checked against zoom.us/client/latest) carry it with its installer
URLs. Gives `zoom_release` rows (platform, version): the newest release per platform, which
bounds the minimum (a minimum above every release is wrong data) and shows the office how far
its minimum lags.

Neither document carries a date, so these feeds vouch for no as-of date: an older copy served
again is caught by its version (an older release than the one recorded is shown, never applied).
"""

from __future__ import annotations

import json
import re

from envcheck.server.feeds import Feed, FeedError

NAME = "zoom"
WINDOWS_URL = "https://raw.githubusercontent.com/ScoopInstaller/Extras/master/bucket/zoom.json"
WINDOWS_WHAT = "Zoom Workplace for Windows: the version Zoom's download API serves now (zoom_release)"
MACOS_URL = "https://raw.githubusercontent.com/Homebrew/homebrew-cask/master/Casks/z/zoom.rb"
MACOS_WHAT = "Zoom Workplace for macOS: the version of Zoom's current installer (zoom_release)"
_VERSION = re.compile(r"\d+(\.\d+){1,3}")


def _windows(data: bytes, name: str) -> str:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(name, f"not JSON ({type(exc).__name__}: {str(exc)[:80]})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    urls = [str(a.get("url")) for a in (doc.get("architecture") or {}).values() if isinstance(a, dict)] \
        if isinstance(doc, dict) and isinstance(doc.get("architecture"), dict) else []
    if not isinstance(version, str) or not urls:
        raise FeedError(name, "not a Scoop manifest with a version and installer URLs")
    # The manifest is consistent only when its installers are that version's (a half-updated copy is not).
    if not all(f"/prod/{version}/" in u for u in urls):
        raise FeedError(name, f"installer URLs are not of version {version}")
    return version


def _macos(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FeedError(name, "not UTF-8 text") from None
    if not re.match(r'\s*cask "zoom" do\n', text) or not text.rstrip().endswith("end"):
        raise FeedError(name, 'not the whole "zoom" cask (truncated?)')
    found = re.findall(r'(?m)^  version "([^"]*)"$', text)
    if len(found) != 1:
        raise FeedError(name, f"{len(found)} version lines, expected one")
    return found[0]


def parse(data: bytes, url: str = WINDOWS_URL, name: str = "zoom-windows") -> Feed:
    platform = "darwin" if name == "zoom-macos" else "windows"
    version = _macos(data, name) if platform == "darwin" else _windows(data, name)
    if not _VERSION.fullmatch(version):
        raise FeedError(name, f"version {version!r} is not a release number")
    return Feed(name, url, None, {"zoom_release": [{"platform": platform, "version": version, "source": url}]})
