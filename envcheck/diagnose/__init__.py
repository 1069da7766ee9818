"""Network diagnostics for support staff (issue 5): why the session will not connect, in one run.

- `run_diagnose(cfg)` measures (runner.py, sockets in net.py only) and returns the document
  `envcheck.diagnostics/1`; `probe_value()` is what the `net.diagnose` probe records.
- `assemble.diagnostics_from(probes)` builds the report's "diagnostics" from recorded probe results
  (net.diagnose plus the Wi-Fi fact), so a replayed snapshot gives the same document. It judges,
  so it sits above the facts; this package's measuring side (runner, net, proxy) sits below them.
Standard library only: importing this package must not slow `envcheck check --offline`.
"""

from __future__ import annotations


FORMAT = "envcheck.diagnostics/1"
_LAZY = {"Config": "config", "Target": "config", "load_config": "config", "run_diagnose": "runner"}


def __getattr__(name: str):
    # The socket and TLS code loads only when a network step runs: the offline check stays fast.
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f"envcheck.diagnose.{_LAZY[name]}"), name)
    raise AttributeError(name)


def probe_spec(server_url: str | None = None, rules_dir: str | None = None):
    """The `net.diagnose` probe (envcheck.diagnostics/1) against rules/network.toml's targets and the
    intake service; the run bounds itself (limits.bound_ms, 5 s) and LiveHost adds 1 s of grace."""
    from envcheck.probes import ProbeSpec

    def net_diagnose() -> dict:
        return probe_value(rules_dir=rules_dir, server_url=server_url)

    return ProbeSpec(id="net.diagnose", platforms=("windows", "darwin", "linux"), timeout=6, func=net_diagnose,
                     network=True,
                     source="envcheck diagnose: proxy settings, DNS, TCP per port, TLS issuer, HTTP, captive portal, "
                            "throughput against the intake service (docs/diagnose.md)")


def probe_value(rules_dir: str | None = None, server_url: str | None = None) -> dict:
    """The `net.diagnose` probe: every network step against the rules' targets and the intake service
    (`server_url`, else ENVCHECK_SERVER or envcheck-config.json beside the executable)."""
    from envcheck.diagnose.config import load_config
    from envcheck.diagnose.runner import run_diagnose

    return run_diagnose(load_config(rules_dir).with_server(server_url))
