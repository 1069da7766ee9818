"""Probes: the only code that touches the machine.

A probe has a stable id, a timeout and a function returning JSON-able data.
A *host* answers probe ids: `LiveHost` runs the probes of this machine's
platform concurrently, `ReplayHost` answers from a snapshot file
(`envcheck.snapshot/1`). Everything above this package is pure.
docs/probes.md lists every probe id with the shape of its value.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from envcheck.errors import InvalidSnapshot, ProbeError, failure_kind

SNAPSHOT_FORMAT = "envcheck.snapshot/1"
PLATFORMS = ("windows", "darwin", "linux")


@dataclass(frozen=True)
class ProbeSpec:
    """One probe: what it reads and how long it may take."""

    id: str
    platforms: tuple[str, ...]
    timeout: float
    func: Callable[[], Any] = field(repr=False, compare=False)
    #: The real command or source behind the value, for docs/probes.md.
    source: str = ""
    #: Programs the probe starts (the Windows budget allows one PowerShell).
    spawns: tuple[str, ...] = ()
    #: Needs the network; skipped with --offline.
    network: bool = False


@dataclass(frozen=True)
class ProbeResult:
    """A probe's answer: a JSON value, or None with the reason it could not be read.

    `error` is for people; `kind` (errors.FAILURE_KINDS) is what code decides on. A snapshot
    written before kinds existed has none: its failures read as "failed", i.e. unknown.
    """

    value: Any = None
    error: str | None = None
    kind: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failure(self) -> str | None:
        """The failure kind when the probe failed, else None."""
        return None if self.error is None else failure_kind(self.kind)

    def to_json(self) -> dict:
        out = {"value": self.value, "error": self.error}
        if self.error is not None:
            out["kind"] = failure_kind(self.kind)
        return out


def current_platform() -> str:
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "darwin"
    if sys.platform.startswith("linux"):
        return "linux"
    raise NotImplementedError(f"platform {sys.platform} is not supported")


def specs_for(platform: str) -> list[ProbeSpec]:
    """The explicit list of probes for a platform (no discovery by name)."""
    from envcheck.probes import _common, _linux, _macos, _windows

    every = [*_common.PROBES, *_windows.PROBES, *_macos.PROBES, *_linux.PROBES]
    return [s for s in every if platform in s.platforms]


def _run_one(spec: ProbeSpec, out: dict[str, ProbeResult]) -> None:
    try:
        value = spec.func()
        json.dumps(value)  # a probe must return JSON-able data
        out[spec.id] = ProbeResult(value=value)
    except ProbeError as exc:
        out[spec.id] = ProbeResult(error=str(exc) or type(exc).__name__, kind=exc.kind)
    except Exception as exc:  # noqa: BLE001 - a probe bug must become `unknown`, not a crash
        out[spec.id] = ProbeResult(error=f"probe failed: {type(exc).__name__}: {exc}"[:300])


class LiveHost:
    """Runs this machine's probes, concurrently, each bounded by its own timeout."""

    def __init__(self, platform: str | None = None, offline: bool = False,
                 specs: list[ProbeSpec] | None = None):
        self.platform = platform or current_platform()
        self.offline = offline
        self._specs = specs if specs is not None else specs_for(self.platform)

    def collect(self, progress: Callable[[str], None] | None = None) -> dict[str, ProbeResult]:
        specs = [s for s in self._specs if not (self.offline and s.network)]
        out: dict[str, ProbeResult] = {}
        threads = []
        for spec in specs:
            # Daemon threads: a probe stuck in a system call cannot keep the process alive.
            t = threading.Thread(target=_run_one, args=(spec, out), daemon=True, name=spec.id)
            t.start()
            threads.append((spec, t, time.monotonic() + spec.timeout + 1.0))
        for spec, t, deadline in threads:
            t.join(max(0.0, deadline - time.monotonic()))
            if spec.id not in out:
                out[spec.id] = ProbeResult(error=f"no answer within {spec.timeout:g} s", kind="timed_out")
            if progress:
                progress(spec.id)
        return {s.id: out[s.id] for s in specs}


class ReplayHost:
    """Answers probes from a snapshot, exactly as the live host would have."""

    def __init__(self, snapshot: Mapping[str, Any]):
        self.platform = snapshot["platform"]
        self.captured_at = snapshot["captured_at"]
        self._probes = snapshot["probes"]

    def collect(self, progress: Callable[[str], None] | None = None) -> dict[str, ProbeResult]:
        out = {}
        for pid, entry in self._probes.items():
            out[pid] = ProbeResult(value=entry.get("value"), error=entry.get("error"), kind=entry.get("kind"))
            if progress:
                progress(pid)
        return out


def make_snapshot(platform: str, results: Mapping[str, ProbeResult],
                  captured_at: datetime | None = None) -> dict:
    when = (captured_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "format": SNAPSHOT_FORMAT,
        "captured_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": platform,
        "probes": {pid: r.to_json() for pid, r in sorted(results.items())},
    }


def parse_snapshot(text: str, name: str = "snapshot") -> dict:
    """Validate a snapshot document; raise InvalidSnapshot with a one-line reason."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidSnapshot(f"{name} is not JSON: {exc.msg if hasattr(exc, 'msg') else exc} "
                              f"(line {getattr(exc, 'lineno', '?')})") from None
    if not isinstance(doc, dict):
        raise InvalidSnapshot(f"{name} is not a JSON object")
    if doc.get("format") != SNAPSHOT_FORMAT:
        raise InvalidSnapshot(f"{name} has format {doc.get('format')!r}, expected {SNAPSHOT_FORMAT!r}")
    if doc.get("platform") not in PLATFORMS:
        raise InvalidSnapshot(f"{name} has platform {doc.get('platform')!r}, expected one of {', '.join(PLATFORMS)}")
    captured = doc.get("captured_at")
    if not isinstance(captured, str):
        raise InvalidSnapshot(f"{name} has no captured_at timestamp")
    try:
        datetime.fromisoformat(captured.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidSnapshot(f"{name} has an unreadable captured_at {captured[:40]!r}") from None
    probes = doc.get("probes")
    if not isinstance(probes, dict):
        raise InvalidSnapshot(f"{name} has no probes object")
    for pid, entry in probes.items():
        if not isinstance(entry, dict) or set(entry) - {"value", "error", "kind"}:
            raise InvalidSnapshot(f"{name}: probe {pid!r} must be an object with 'value', 'error' and 'kind'")
        err = entry.get("error")
        if err is not None and not isinstance(err, str):
            raise InvalidSnapshot(f"{name}: probe {pid!r} has an error that is not text")
        # "kind" is optional (snapshots before it loaded as "failed"); a kind this version does
        # not know (a newer checker's) also reads as "failed", so it must not be refused here.
        kind = entry.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise InvalidSnapshot(f"{name}: probe {pid!r} has a kind that is not text")
    return doc


def read_snapshot(path: str) -> dict:
    """A snapshot file ("-": standard input), validated; InvalidSnapshot with a one-line reason."""
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSnapshot(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_snapshot(text, os.path.basename(path))
