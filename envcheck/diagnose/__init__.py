"""Network diagnostics for support staff (issue 5): why the session will not connect, in one run.

- `run_diagnose(cfg)` measures (runner.py, sockets in net.py only) and returns the document
  `envcheck.diagnostics/1`; `probe_value()` is what the `net.diagnose` probe records.
- `diagnostics_from(probes)` builds the report's "diagnostics" from recorded probe results
  (net.diagnose plus the Wi-Fi probes), so a replayed snapshot gives the same document.
Standard library only: importing this package must not slow `envcheck check --offline`.
"""

from __future__ import annotations

from typing import Any, Mapping

FORMAT = "envcheck.diagnostics/1"
_LAZY = {"Config": "config", "Target": "config", "load_config": "config", "run_diagnose": "runner"}


def __getattr__(name: str):
    # The socket and TLS code loads only when a network step runs: the offline check stays fast.
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f"envcheck.diagnose.{_LAZY[name]}"), name)
    raise AttributeError(name)


def probe_value(rules_dir: str | None = None, server_url: str | None = None) -> dict:
    """The `net.diagnose` probe: every network step against the rules' targets and the intake service
    (`server_url`, else ENVCHECK_SERVER or envcheck-config.json beside the executable)."""
    from envcheck.diagnose.config import load_config
    from envcheck.diagnose.runner import run_diagnose

    return run_diagnose(load_config(rules_dir).with_server(server_url))


def _entry(res: Any) -> tuple[Any, str | None] | None:
    if res is None:
        return None
    if isinstance(res, Mapping):
        return res.get("value"), res.get("error")
    return getattr(res, "value", None), getattr(res, "error", None)


def diagnostics_from(probes: Mapping[str, Any], rules_dir: str | None = None, wifi: Any = None) -> dict:
    """The report's "diagnostics": the net.diagnose document plus the Wi-Fi step from the platform
    probes. `probes` maps probe id -> ProbeResult (or snapshot entry {"value", "error", "kind"}).
    `wifi`: the Facts' Wi-Fi fact when the caller has it, so the step and network.wifi share one read."""
    from envcheck.diagnose.config import load_config
    from envcheck.diagnose.judge import overall
    from envcheck.diagnose.wifi import wifi_step
    from envcheck.errors import RuleError

    try:
        cfg = load_config(rules_dir)
    except RuleError as exc:
        return {"format": FORMAT, "status": "skipped", "error": str(exc)[:300], "steps": []}
    got = _entry(probes.get("net.diagnose"))
    if got is None:
        doc: dict = {"format": FORMAT, "ran": False, "reason": "offline (network steps not run)", "steps": []}
    elif got[1] is not None or not isinstance(got[0], dict):
        doc = {"format": FORMAT, "ran": False, "reason": f"net.diagnose: {got[1] or 'unreadable value'}"[:300],
               "steps": []}
    else:
        doc = {**got[0], "ran": True, "steps": [s for s in got[0].get("steps", []) if s.get("step") != "wifi"]}
    doc["steps"] = [*doc["steps"], wifi_step(dict(probes), cfg, cfg.causes, fact=wifi)]
    doc["status"] = overall(doc["steps"])
    return doc
