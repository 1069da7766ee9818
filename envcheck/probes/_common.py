"""Probes that work the same on every platform."""

from __future__ import annotations


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
