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


def diagnose_probe(server_url: str | None = None, rules_dir: str | None = None) -> ProbeSpec:
    """The network diagnostics (envcheck.diagnostics/1) against rules/network.toml's targets and the
    intake service; the run bounds itself (limits.bound_ms, 5 s) and LiveHost adds 1 s of grace."""
    def net_diagnose() -> dict:
        from envcheck.diagnose import probe_value  # imported here: --offline never loads it

        return probe_value(rules_dir=rules_dir, server_url=server_url)

    return ProbeSpec(id="net.diagnose", platforms=ALL, timeout=6, func=net_diagnose, network=True,
                     source="envcheck diagnose: proxy settings, DNS, TCP per port, TLS issuer, HTTP, captive portal, "
                            "throughput against the intake service (docs/diagnose.md)")


PROBES = [
    ProbeSpec(id="proc.names", platforms=ALL, timeout=10, func=process_names,
              source="psutil.process_iter(['name']): names of running processes"),
    diagnose_probe(),
]
