"""Pure judgements: a raw measurement (from net.py) -> a step with status, figures and cause.

Statuses: ok, degraded (works, but worse than Zoom needs or slower than it should be),
failed, skipped (not applicable or not measurable). Figures are integers (ms, kbps, %).
"""

from __future__ import annotations

from envcheck.diagnose.causes import cause


def _norm(org: str) -> str:
    return "".join(ch for ch in org.lower() if ch.isalnum())


def judge_dns(raw: dict, host: str, cfg) -> dict:
    step = {"step": "dns", "host": host, "ms": int(raw.get("ms", 0))}
    if not raw.get("ok"):
        return {**step, "status": "failed", "error": raw.get("error"),
                "cause": cause(cfg.causes, "dns_failed", host=host, error=raw.get("error"))}
    step["addresses"] = len(raw.get("addrs") or ())
    if step["ms"] > cfg.limit("slow_dns_ms"):
        return {**step, "status": "degraded", "cause": cause(cfg.causes, "dns_slow", host=host, ms=step["ms"])}
    return {**step, "status": "ok"}


def judge_tcp(raw: dict, host: str, port: int, cfg) -> dict:
    step = {"step": "tcp", "host": host, "port": port, "ms": int(raw.get("ms", 0))}
    if raw.get("ok"):
        if step["ms"] > cfg.limit("slow_connect_ms"):
            return {**step, "status": "degraded",
                    "cause": cause(cfg.causes, "connect_slow", host=host, port=port, ms=step["ms"])}
        return {**step, "status": "ok"}
    err = raw.get("error") or "failed"
    code = {"refused": "port_blocked", "timed out": "port_timeout"}.get(err, "port_error")
    return {**step, "status": "failed", "error": err,
            "cause": cause(cfg.causes, code, host=host, port=port, ms=step["ms"], error=err)}


def judge_tls(raw: dict, host: str, expected: tuple[str, ...], cfg) -> dict:
    """Interception: the leaf for a host with known issuers comes from anyone else, or the leaf is
    self-signed, or (no known issuers) the system trust store rejects it."""
    step: dict = {"step": "tls", "host": host, "ms": int(raw.get("ms", 0))}
    issuer, subject = raw.get("issuer") or {}, raw.get("subject") or {}
    if issuer:
        step["issuer"] = {k: issuer[k] for k in ("O", "CN") if k in issuer}
    if raw.get("version"):
        step["version"] = raw["version"]
    if "verified" in raw:
        step["trusted"] = bool(raw["verified"])
    if raw.get("verify_error"):
        step["verify_error"] = raw["verify_error"]
    if not raw.get("ok"):
        err = raw.get("error") or "failed"
        return {**step, "status": "failed", "error": err,
                "cause": cause(cfg.causes, "tls_failed", host=host, error=err, ms=step["ms"])}
    shown = issuer.get("O") or issuer.get("CN") or "?"
    if issuer and issuer == subject:
        return {**step, "status": "failed", "intercepted": True,
                "cause": cause(cfg.causes, "tls_self_signed", host=host, issuer=shown)}
    if expected and _norm(issuer.get("O", "")) not in {_norm(e) for e in expected}:
        return {**step, "status": "failed", "intercepted": True,
                "cause": cause(cfg.causes, "tls_intercepted", host=host, issuer=shown,
                               expected=", ".join(expected))}
    if not raw.get("verified"):
        return {**step, "status": "failed", "intercepted": True,
                "cause": cause(cfg.causes, "tls_untrusted", host=host, error=raw.get("verify_error") or "-")}
    return {**step, "status": "ok", "intercepted": False}


def judge_http(raw: dict, host: str, cfg) -> dict:
    step = {"step": "http", "host": host, "ms": int(raw.get("ms", 0))}
    if not raw.get("ok"):
        err = raw.get("error") or "failed"
        return {**step, "status": "failed", "error": err,
                "cause": cause(cfg.causes, "http_failed", host=host, error=err, ms=step["ms"])}
    step["http_status"] = int(raw.get("status") or 0)
    if step["ms"] > cfg.limit("slow_http_ms"):
        return {**step, "status": "degraded", "cause": cause(cfg.causes, "http_slow", host=host, ms=step["ms"])}
    return {**step, "status": "ok"}


def judge_captive(raw: dict, cfg) -> dict:
    step = {"step": "captive_portal", "ms": int(raw.get("ms", 0))}
    if not raw.get("ok"):
        err = raw.get("error") or "failed"
        return {**step, "status": "failed", "error": err, "cause": cause(cfg.causes, "no_internet", error=err)}
    status = int(raw.get("status") or 0)
    body = raw.get("body") or b""
    step["http_status"] = status
    expected_body = cfg.captive_body.encode("utf-8")
    if status == cfg.captive_status and body.strip() == expected_body.strip():
        return {**step, "status": "ok", "portal": False}
    step["redirect"] = 300 <= status < 400
    return {**step, "status": "failed", "portal": True, "cause": cause(cfg.causes, "captive_portal", status=status)}


def judge_throughput(raw: dict, direction: str, cfg) -> dict:
    step = {"step": f"throughput_{direction}", "ms": int(raw.get("ms", 0))}
    label = {"down": "下り/download", "up": "上り/upload"}[direction]
    if not raw.get("ok"):
        err = raw.get("error") or "failed"
        return {**step, "status": "failed", "error": err,
                "cause": cause(cfg.causes, "throughput_failed", direction=label, error=err)}
    kbps = int(raw["kbps"])
    step.update({"bytes": int(raw["bytes"]), "kbps": kbps, "complete": bool(raw.get("complete")),
                 "min_kbps": cfg.min_kbps, "hd_kbps": cfg.hd_kbps})
    if kbps < cfg.min_kbps:
        return {**step, "status": "failed",
                "cause": cause(cfg.causes, "throughput_low", direction=label, kbps=kbps, min_kbps=cfg.min_kbps)}
    if kbps < cfg.hd_kbps:
        return {**step, "status": "degraded",
                "cause": cause(cfg.causes, "throughput_sd", direction=label, kbps=kbps, hd_kbps=cfg.hd_kbps)}
    return {**step, "status": "ok"}


def port_ranges(ports: tuple[int, ...]) -> str:
    """(3478, 3479, 8801, ..., 8810) -> "3478-3479, 8801-8810"."""
    out, ps = [], sorted(set(ports))
    i = 0
    while i < len(ps):
        j = i
        while j + 1 < len(ps) and ps[j + 1] == ps[j] + 1:
            j += 1
        out.append(str(ps[i]) if i == j else f"{ps[i]}-{ps[j]}")
        i = j + 1
    return ", ".join(out)


_RANK = {"failed": 3, "degraded": 2, "ok": 1, "skipped": 0}


def overall(steps: list[dict]) -> str:
    worst = max((s.get("status", "skipped") for s in steps), key=lambda s: _RANK.get(s, 0), default="skipped")
    return worst
