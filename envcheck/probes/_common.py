"""Probes that work the same on every platform.

The network diagnostics (`net.diagnose`) are a probe too, but their spec lives with the code that
measures, `envcheck.diagnose.probe_spec`, and the pipeline adds it (envcheck.pipeline.all_specs).
"""

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


PROBES = [
    ProbeSpec(id="proc.names", platforms=ALL, timeout=10, func=process_names,
              source="psutil.process_iter(['name']): names of running processes"),
]
