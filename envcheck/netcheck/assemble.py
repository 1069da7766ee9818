"""The report's "diagnostics" document, from recorded probe results and the Wi-Fi fact (pure).

The measuring side (runner.py, net.py) is a probe; this is the judging side, which reads facts,
so the net.diagnose probe never imports it (the import contract in pyproject.toml keeps it so).
"""

from __future__ import annotations

from typing import Any, Mapping

from envcheck.diagnose import FORMAT


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
    from envcheck.netcheck.wifi import wifi_step
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
