"""SOFA feeds (macadmins/sofa): every macOS and every iOS/iPadOS security release and its date.

sofa-macos (v1/macos_data_feed.json) gives `macos_release` rows (version, released, security =
Apple published CVEs for it); sofa-ios (v2/ios_data_feed.json: iPhone and iPad releases, the
iPad-only ones included) gives `ios_release` rows (version, released, cves = how many CVEs
Apple's security note lists). Both read OSVersions[].SecurityReleases[], Apple's own
security-release list mirrored.
"""

from __future__ import annotations

import json

from envcheck.server.feeds import Feed, FeedError, day

NAME = "sofa-macos"
DEFAULT_URL = "https://sofafeed.macadmins.io/v1/macos_data_feed.json"
WHAT = "macOS security releases: version, release date, Apple security note (macos_release)"
IOS_URL = "https://sofafeed.macadmins.io/v2/ios_data_feed.json"
IOS_WHAT = "iOS/iPadOS security releases: version, release date, number of CVEs fixed (ios_release)"


def _releases(data: bytes, name: str):
    """(version, release dict) of every security release, each version once."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(name, f"not JSON ({type(exc).__name__}: {str(exc)[:80]})") from None
    lines = doc.get("OSVersions") if isinstance(doc, dict) else None
    if not isinstance(lines, list) or not lines:
        raise FeedError(name, "no OSVersions list")
    seen = set()
    for i, line in enumerate(lines):
        rel = line.get("SecurityReleases") if isinstance(line, dict) else None
        if not isinstance(rel, list):
            raise FeedError(name, f"OSVersions[{i}] has no SecurityReleases list")
        for j, r in enumerate(rel):
            if not isinstance(r, dict) or not isinstance(r.get("ProductVersion"), str):
                raise FeedError(name, f"OSVersions[{i}].SecurityReleases[{j}] has no ProductVersion")
            if r["ProductVersion"] not in seen:
                seen.add(r["ProductVersion"])
                yield r["ProductVersion"], r


def _cves(r: dict) -> int:
    cves = r.get("UniqueCVEsCount")
    return cves if isinstance(cves, int) else len(r.get("CVEs") or {})


def _source(r: dict, url: str) -> str:
    info = str(r.get("SecurityInfo") or "")
    return f"{info if info.startswith('http') else 'Apple security releases'} ; via {url}"


def parse(data: bytes, url: str = DEFAULT_URL, name: str = NAME) -> Feed:
    ios = name == "sofa-ios"
    rows = []
    for version, r in _releases(data, name):
        released = day(r.get("ReleaseDate"), name, f"{version}.ReleaseDate")
        if ios:
            rows.append({"version": version, "released": released, "cves": _cves(r), "source": _source(r, url)})
        else:
            # A security release is one Apple published CVEs for ("no published CVE entries" is not).
            rows.append({"version": version, "released": released, "security": _cves(r) > 0,
                         "source": _source(r, url)})
    if not rows:
        raise FeedError(name, "no releases")
    return Feed(name, url, max(r["released"] for r in rows), {"ios_release" if ios else "macos_release": rows})
