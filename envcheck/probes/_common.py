"""Probes that work the same on every platform."""

from __future__ import annotations

import socket
import time

from envcheck.errors import ProbeError
from envcheck.probes import ProbeSpec

ALL = ("windows", "darwin", "linux")


def process_names() -> list[str]:
    """Names of running processes, deduplicated and sorted (no paths, no users)."""
    import psutil  # imported here: only live runs need it

    names = set()
    for proc in psutil.process_iter(["name"]):
        name = proc.info.get("name")
        if name:
            names.add(name)
    if not names:
        raise ProbeError("the process list is empty")
    return sorted(names)


def reach(targets: list[tuple[str, str, int]], timeout: float) -> list[dict]:
    """TCP connect to each (name, host, port); time in whole milliseconds."""
    out = []
    for name, host, port in targets:
        start = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=timeout):
                pass
            out.append({"name": name, "host": host, "port": port, "ok": True,
                        "ms": int((time.monotonic() - start) * 1000), "error": None})
        except OSError as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__)
            out.append({"name": name, "host": host, "port": port, "ok": False,
                        "ms": int((time.monotonic() - start) * 1000), "error": reason})
    return out


def reach_probe(targets: list[tuple[str, str, int]], timeout: float = 3.0) -> ProbeSpec:
    return ProbeSpec(
        id="net.reach", platforms=ALL, timeout=timeout * max(1, len(targets)) + 1,
        func=lambda: reach(targets, timeout), network=True,
        source="TCP connect to each endpoint the rules name (Zoom web and media, the intake service)",
    )


def net_diagnose() -> dict:
    """The network diagnostics document (envcheck.diagnostics/1) for rules/network.toml's targets."""
    from envcheck.diagnose import probe_value  # imported here: --offline never loads it

    return probe_value()


PROBES = [
    ProbeSpec(id="proc.names", platforms=ALL, timeout=10, func=process_names,
              source="psutil.process_iter(['name']): names of running processes"),
    # The run bounds itself (rules/network.toml limits.bound_ms, 5 s); LiveHost adds 1 s of grace.
    ProbeSpec(id="net.diagnose", platforms=ALL, timeout=6, func=net_diagnose, network=True,
              source="envcheck diagnose: proxy settings, DNS, TCP per port, TLS issuer, HTTP, captive portal, "
                     "throughput against the intake service (docs/diagnose.md)"),
]
