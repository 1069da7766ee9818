"""Which OS and browser a page was opened in: User-Agent Client Hints first, else the User-Agent
string parsed by ua-parser (the uap-core regexes), with the two places where the string lies fixed:

- Safari on iOS 26 freezes the OS token at the last iOS 18 release ("iPhone OS 18_6", later 18_6_2
  and 18_7: WebKit Quirks.cpp, bugs.webkit.org 298473/298673); its `Version/26.x` token carries the
  real iOS version. Other iOS browsers have no such token (Firefox for iOS sends 18_7 on every
  version): from them an OS token of 18.6 or later is reported as unknown, never guessed.
- iPadOS Safari presents a desktop Mac User-Agent by default; a "Mac" with a touch screen
  (navigator.maxTouchPoints > 1) is an iPad, and its Safari `Version/` token is the iPadOS version.
- Chrome's reduced User-Agent on Android always says "Android 10; K": only Client Hints
  (platformVersion) tell the real version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ua_parser import parse

_FROZEN_IOS = (18, 6)
_SAFARI_VERSION = re.compile(r"\bVersion/(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?\b")
_BROWSERS = {"Mobile Safari": "Safari", "Safari": "Safari", "Mobile Safari UI/WKWebView": None,
             "Chrome Mobile": "Google Chrome", "Chrome": "Google Chrome", "Chrome Mobile iOS": "Google Chrome",
             "Chrome Mobile WebView": None, "Firefox Mobile": "Mozilla Firefox", "Firefox": "Mozilla Firefox",
             "Firefox iOS": "Mozilla Firefox", "Edge Mobile": "Microsoft Edge", "Edge": "Microsoft Edge",
             "Chromium": "Chromium"}


@dataclass(frozen=True)
class Device:
    os: str
    """ios, ipados, android, macos, windows, linux, chromeos or unknown."""
    version: str | None
    """Dotted version as far as it is known, e.g. "26.1" or "15.0.0"; None when not readable."""
    precision: str
    """"patch" (the full version), "minor" (major.minor only), "major", or "none"."""
    source: str
    """client-hints, user-agent, safari-version or none."""
    browser: str
    """The rules' name ("Safari", "Google Chrome" …) or the parser's family when the rules have none."""
    browser_version: str | None
    model: str | None = None

    @property
    def phone(self) -> bool:
        return self.os in ("ios", "ipados", "android")


def _ver(*parts) -> str | None:
    got = [str(int(p)) for p in parts if p not in (None, "") and str(p).isdigit()]
    return ".".join(got) or None


def _precision(version: str | None) -> str:
    return {0: "none", 1: "major", 2: "minor"}.get(len(version.split(".")) if version else 0, "patch")


def _hints(ch: dict) -> tuple[str, str | None] | None:
    platform = (ch.get("platform") or "").strip()
    version = (ch.get("platform_version") or "").strip()
    names = {"Android": "android", "macOS": "macos", "Windows": "windows", "Linux": "linux",
             "Chrome OS": "chromeos", "ChromeOS": "chromeos", "iOS": "ios"}
    if platform not in names or not re.fullmatch(r"\d{1,3}(?:\.\d{1,5}){0,3}", version or "0"):
        return None
    return names[platform], version or None


_OsRead = tuple[str, str | None, str, str]
"""(os, version, precision, source): what the page's OS is and how it was read."""
_UNREAD: _OsRead = ("unknown", None, "none", "none")
# OS families whose version a User-Agent string never tells (frozen or absent): the OS only.
_NAMED_ONLY = {"Windows": "windows", "Linux": "linux", "Ubuntu": "linux", "Fedora": "linux", "Debian": "linux",
               "Chrome OS": "chromeos"}


def device_from(ua: str, ch: dict | None = None, touch_points: int = 0) -> Device:
    """The OS and browser of a request: `ch` holds the page's Client Hints (platform,
    platform_version, model) when the browser gave them, `touch_points` navigator.maxTouchPoints."""
    r = parse(ua[:1024])
    fam = r.user_agent.family if r.user_agent else "Other"
    browser = _BROWSERS.get(fam, fam) or fam
    bver = _ver(r.user_agent.major, r.user_agent.minor, r.user_agent.patch) if r.user_agent else None
    model = ((ch or {}).get("model") or "").strip()[:40] or None
    hinted = _hints(ch or {})
    read = _from_hints(*hinted) if hinted else _from_ua(ua, r.os, fam, touch_points)
    return Device(*read, browser, bver, model)


def _from_hints(os_name: str, version: str | None) -> _OsRead:
    if os_name == "windows":  # platformVersion is the UniversalApiContract, not a Windows version
        return ("windows", None, "none", "client-hints")
    return (os_name, version, _precision(version) if version else "none", "client-hints")


def _from_ua(ua: str, o, fam: str, touch_points: int) -> _OsRead:
    if o is None:
        return _UNREAD
    safari = _SAFARI_VERSION.search(ua)
    if o.family == "iOS":
        return _ios(o, fam, safari)
    if o.family == "Mac OS X":
        if touch_points > 1 and safari:
            return ("ipados", _ver(*safari.groups()), _safari_precision(safari), "safari-version")
        return ("macos", None, "none", "user-agent")  # frozen at 10_15_7
    if o.family == "Android":
        if re.search(r"Android 10; K\)", ua):  # Chrome's reduced User-Agent: the version is frozen
            return ("android", None, "none", "user-agent")
        v = _ver(o.major, o.minor, o.patch)
        return ("android", v, _precision(v), "user-agent")
    if o.family in _NAMED_ONLY:
        return (_NAMED_ONLY[o.family], None, "none", "user-agent")
    return _UNREAD


def _ios(o, fam: str, safari: re.Match | None) -> _OsRead:
    if safari and fam == "Mobile Safari" and int(safari.group(1)) >= 26:
        return ("ios", _ver(*safari.groups()), _safari_precision(safari), "safari-version")
    if (int(o.major or 0), int(o.minor or 0)) >= _FROZEN_IOS and fam != "Mobile Safari":
        # Chrome and Firefox on iOS have no Version/ token and copy (or fix) the frozen OS token.
        return ("ios", None, "none", "user-agent")
    return ("ios", _ver(o.major, o.minor, o.patch), "patch" if o.patch else "minor", "user-agent")


def _safari_precision(safari: re.Match) -> str:
    return "minor" if safari.group(3) is None else "patch"


PLATFORM = {"ios": "ios", "ipados": "ios", "android": "android", "macos": "darwin", "windows": "windows",
            "linux": "linux", "chromeos": "linux"}
"""The report's checker.platform for each OS (unknown devices are refused before a report is made)."""
