"""Helpers shared by the platform collectors: probe lookup and Wi-Fi security words."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Mapping

from envcheck.facts.model import Endpoint, Unknown
from envcheck.probes import ProbeResult


class Missing(Exception):
    """A probe has no usable value; carries the reason (and failure kind) for `Unknown`."""

    def __init__(self, reason: str, kind: str | None = None):
        super().__init__(reason)
        self.kind = kind

    def unknown(self) -> Unknown:
        return Unknown(str(self), self.kind)


def value(results: Mapping[str, ProbeResult], pid: str, kind: type | tuple[type, ...] | None = None) -> Any:
    """The value of probe `pid`, or raise Missing with the reason it is not there."""
    res = results.get(pid)
    if res is None:
        raise Missing(f"{pid}: not recorded", "failed")
    if res.error is not None:
        raise Missing(f"{pid}: {res.error}", res.failure)
    if kind is not None and not isinstance(res.value, kind):
        raise Missing(f"{pid}: unexpected value ({type(res.value).__name__})", "unparsed")
    return res.value


def error_of(results: Mapping[str, ProbeResult], pid: str) -> str | None:
    res = results.get(pid)
    return "not recorded" if res is None else res.error


def failure_of(results: Mapping[str, ProbeResult], pid: str) -> str | None:
    """The failure kind of probe `pid`: None when it has a value, "failed" when it was not recorded."""
    res = results.get(pid)
    return "failed" if res is None else res.failure


def absent(results: Mapping[str, ProbeResult], pid: str) -> bool:
    """The probe positively found that what it reads does not exist (kind not_installed)."""
    return failure_of(results, pid) == "not_installed"


def parse_time(text: Any) -> datetime | None:
    """An ISO-8601 time (Z or offset) as aware UTC; None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 has no UTC equivalent
        return None


def processes(results: Mapping[str, ProbeResult]) -> tuple[str, ...] | Unknown:
    try:
        names = value(results, "proc.names", list)
    except Missing as exc:
        return exc.unknown()
    return tuple(str(n) for n in names if isinstance(n, str))


def endpoints(results: Mapping[str, ProbeResult]) -> tuple[Endpoint, ...] | Unknown | None:
    """TCP reachability per target and port from net.diagnose's "tcp" steps; None when it did not run."""
    if "net.diagnose" in results:
        try:
            doc = value(results, "net.diagnose", dict)
            rows = [s for s in doc.get("steps", []) if isinstance(s, dict) and s.get("step") == "tcp"]
            if not rows:
                return Unknown("net.diagnose: no TCP step recorded")
            return tuple(Endpoint(name=str(s["target"]), host=str(s["host"]), port=int(s["port"]),
                                  ok=s.get("status") in ("ok", "degraded"),
                                  ms=s.get("ms") if isinstance(s.get("ms"), int) else None,
                                  error=(s.get("error") or s.get("reason")) if s.get("status") not in ("ok", "degraded")
                                  else None)
                         for s in rows)
        except Missing as exc:
            return exc.unknown()
        except (KeyError, TypeError, ValueError):
            return Unknown("net.diagnose: unreadable value")
    return None  # offline: the network steps did not run


# Order matters: the first pattern that matches wins.
_SECURITY_WORDS = [
    (r"802\.1x|enterprise|エンタープライズ|wpa2?-?eap|wpa3-?eap", "enterprise"),
    (r"\bowe\b|enhanced open|拡張オープン", "owe"),
    (r"wpa3|sae", "wpa3"),
    (r"wpa2|rsna|パーソナル", "wpa2"),
    (r"\bwpa1?\b|wpa_personal|wpa-personal|\bwpa\b", "wpa"),
    (r"wep|shared|共有", "wep"),
    (r"^(--|\s*)$|\bopen\b|オープン|\bnone\b|なし|security_mode_none", "open"),
]


def classify_security(label: str, cipher: str | None = None) -> str:
    """Map an OS's word for Wi-Fi security to open/wep/wpa/wpa2/wpa3/owe/enterprise/unknown.

    Windows reports a WEP network as Authentication "Open" with Cipher "WEP", so
    the cipher is consulted when the authentication says open.
    """
    low = label.strip().lower().replace("_", " ").replace("spairport security mode ", "")
    found = "unknown"
    for pattern, name in _SECURITY_WORDS:
        if re.search(pattern, low):
            found = name
            break
    if found == "open" and cipher and re.search(r"wep", cipher, re.I):
        return "wep"
    return found


def walk(node: Any):
    """Every dict inside a JSON document (system_profiler's nested items), depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)
