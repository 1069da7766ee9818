"""Facts facade: turns probe results into typed `Facts`, one module per platform.

The platform module is chosen by the snapshot's platform, not by sys.platform,
because a Windows snapshot is replayed on a Linux CI machine or server.
"""

from __future__ import annotations

from typing import Mapping

from envcheck.facts import _linux, _macos, _windows
from envcheck.facts.model import Facts
from envcheck.probes import ProbeResult

_COLLECTORS = {"windows": _windows.collect, "darwin": _macos.collect, "linux": _linux.collect}


def collect(platform: str, results: Mapping[str, ProbeResult]) -> Facts:
    try:
        collector = _COLLECTORS[platform]
    except KeyError:
        raise NotImplementedError(f"platform {platform} is not supported") from None
    return collector(results)
