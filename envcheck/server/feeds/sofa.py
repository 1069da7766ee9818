"""SOFA macOS feed (macadmins/sofa, v1/macos_data_feed.json): every macOS security release and its date.

Gives `macos_release` rows (version, released, security = Apple published CVEs for it) for each OS line the feed lists
(OSVersions[].SecurityReleases[]). Apple's own security-release list is the source it mirrors.
"""

from __future__ import annotations

import json

from envcheck.server.feeds import Feed, FeedError, day

NAME = "sofa-macos"
DEFAULT_URL = "https://sofafeed.macadmins.io/v1/macos_data_feed.json"
WHAT = "macOS security releases: version, release date, Apple security note (macos_release)"


def parse(data: bytes, url: str = DEFAULT_URL) -> Feed:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(NAME, f"not JSON ({type(exc).__name__}: {str(exc)[:80]})") from None
    lines = doc.get("OSVersions") if isinstance(doc, dict) else None
    if not isinstance(lines, list) or not lines:
        raise FeedError(NAME, "no OSVersions list")
    rows, seen = [], set()
    for i, line in enumerate(lines):
        rel = line.get("SecurityReleases") if isinstance(line, dict) else None
        if not isinstance(rel, list):
            raise FeedError(NAME, f"OSVersions[{i}] has no SecurityReleases list")
        for j, r in enumerate(rel):
            if not isinstance(r, dict) or not isinstance(r.get("ProductVersion"), str):
                raise FeedError(NAME, f"OSVersions[{i}].SecurityReleases[{j}] has no ProductVersion")
            version = r["ProductVersion"]
            if version in seen:
                continue
            seen.add(version)
            info = str(r.get("SecurityInfo") or "")
            cves = r.get("UniqueCVEsCount")
            # A security release is one Apple published CVEs for ("no published CVE entries" is not).
            security = (cves > 0) if isinstance(cves, int) else bool(r.get("CVEs"))
            rows.append({"version": version, "released": day(r.get("ReleaseDate"), NAME, f"{version}.ReleaseDate"),
                         "security": security,
                         "source": f"{info if info.startswith('http') else 'Apple security releases'} ; via {url}"})
    if not rows:
        raise FeedError(NAME, "no releases")
    return Feed(NAME, url, max(r["released"] for r in rows), {"macos_release": rows})
