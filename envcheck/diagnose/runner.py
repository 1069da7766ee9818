"""Runs every step concurrently under one overall bound and assembles the diagnostics document.

Each step's timeout is its own limit clamped to what is left of the bound. Steps still running at
the bound are reported failed ("not_reached"); their daemon threads cannot delay the result.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from typing import Callable

from envcheck.diagnose import FORMAT, judge, net
from envcheck.diagnose.causes import cause
from envcheck.diagnose.config import Config, Target

_GRACE = 0.25  # seconds the collector waits past the bound for steps to hand in their result


class _Run:
    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.start = time.monotonic()
        self.deadline = self.start + cfg.limit("bound_ms") / 1000
        self._lock = threading.Lock()
        self.steps: dict[str, dict] = {}

    def left(self, cap_ms: int) -> float:
        return max(0.0, min(cap_ms / 1000, self.deadline - time.monotonic()))

    def plan(self, key: str, base: dict) -> None:
        with self._lock:
            self.steps.setdefault(key, {**base, "status": "pending"})

    def done(self, key: str, step: dict) -> None:
        with self._lock:
            if key not in self.steps and "step" not in step:
                return  # a step this target does not have (e.g. no TLS): nothing to record
            if self.steps.get(key, {}).get("status") in (None, "pending"):
                self.steps[key] = {**self.steps.get(key, {}), **step}


def _with_port(addr: tuple, port: int) -> tuple:
    fam, sa = addr
    return fam, (sa[0], port, *sa[2:])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _target(run: _Run, t: Target) -> None:
    """One target's steps in order: name, TCP ports (in parallel), then TLS and HTTP on the main port."""
    cfg, base = run.cfg, {"target": t.name, "host": t.host}
    k_dns, k_tls, k_http = f"{t.name}|dns", f"{t.name}|tls", f"{t.name}|http"
    _plan_target(run, t, base)
    first = t.tcp[0] if t.tcp else 443
    raw = net.resolve(t.host, first, run.left(cfg.limit("dns_timeout_ms")))
    if _is_ip(t.host):
        run.done(k_dns, {**base, "step": "dns", "status": "skipped", "reason": "address given"})
    else:
        run.done(k_dns, {**base, **judge.judge_dns(raw, t.host, cfg)})
    if not raw.get("ok"):
        for key in [f"{t.name}|tcp|{p}" for p in t.tcp] + [k_tls, k_http]:
            run.done(key, {"status": "skipped", "reason": "name not resolved"})
        return
    addr = raw["addrs"][0]
    results = _connect_all(run, t, addr, base)
    main_ok = results.get(t.tls_port, {}).get("ok") if t.tls_port in t.tcp else True
    if not main_ok:
        for key in (k_tls, k_http):
            run.done(key, {"status": "skipped", "reason": f"port {t.tls_port} not reachable"})
        return
    _tls_and_http(run, t, _with_port(addr, t.tls_port), base)


def _plan_target(run: _Run, t: Target, base: dict) -> None:
    """Every step the target will report, planned up front (UDP is reported at once: it is not probed)."""
    cfg = run.cfg
    run.plan(f"{t.name}|dns", {**base, "step": "dns"})
    for p in t.tcp:
        run.plan(f"{t.name}|tcp|{p}", {**base, "step": "tcp", "port": p})
    if t.tls:
        run.plan(f"{t.name}|tls", {**base, "step": "tls", "port": t.tls_port})
    if t.http_path:
        run.plan(f"{t.name}|http", {**base, "step": "http", "port": t.tls_port})
    if t.udp:
        run.done(f"{t.name}|udp", {**base, "step": "udp", "ports": judge.port_ranges(t.udp), "status": "skipped",
                                   "cause": cause(cfg.causes, "udp_unverified", ports=judge.port_ranges(t.udp))})


def _connect_all(run: _Run, t: Target, addr, base: dict) -> dict[int, dict]:
    """TCP connects to every port of the target in parallel; {port: net.connect's result}."""
    cfg = run.cfg
    results: dict[int, dict] = {}

    def one(port: int) -> None:
        r = net.connect(_with_port(addr, port), run.left(cfg.limit("connect_timeout_ms")))
        results[port] = r
        run.done(f"{t.name}|tcp|{port}", {**base, **judge.judge_tcp(r, t.host, port, cfg)})

    threads = [threading.Thread(target=one, args=(p,), daemon=True) for p in t.tcp]
    for th in threads:
        th.start()
    for th in threads:
        th.join(run.left(cfg.limit("connect_timeout_ms")) + 0.05)
    return results


def _tls_and_http(run: _Run, t: Target, main_addr, base: dict) -> None:
    cfg = run.cfg
    if t.tls:
        r = net.tls_handshake(t.host, main_addr, run.left(cfg.limit("tls_timeout_ms")))
        run.done(f"{t.name}|tls", {**base, "port": t.tls_port, **judge.judge_tls(r, t.host, t.expected_issuers, cfg)})
    if t.http_path:
        r = net.http_roundtrip(t.host, t.tls_port, t.tls, t.http_path, main_addr,
                               run.left(cfg.limit("http_timeout_ms")))
        run.done(f"{t.name}|http", {**base, "port": t.tls_port, **judge.judge_http(r, t.host, cfg)})


def _captive(run: _Run) -> None:
    run.plan("captive", {"step": "captive_portal"})
    r = net.fetch(run.cfg.captive_url, run.left(run.cfg.limit("http_timeout_ms")))
    run.done("captive", judge.judge_captive(r, run.cfg))


def _speedtest(run: _Run) -> None:
    cfg = run.cfg
    if not cfg.intake_url:
        for d in ("down", "up"):
            run.done(f"speed|{d}", {"step": f"throughput_{d}", "status": "skipped",
                                    "cause": cause(cfg.causes, "no_server")})
        return
    run.plan("speed|down", {"step": "throughput_down"})
    run.plan("speed|up", {"step": "throughput_up"})
    base = cfg.intake_url.rstrip("/")
    half = max(0.0, (run.deadline - time.monotonic()) / 2)
    secs = min(cfg.limit("speedtest_ms") / 1000, half)
    r = net.download(base, cfg.speedtest_path, cfg.limit("speedtest_bytes"), secs, secs)
    run.done("speed|down", judge.judge_throughput(r, "down", cfg))
    if not r.get("ok"):
        run.done("speed|up", {"step": "throughput_up", "status": "skipped",
                              "reason": "the server did not answer the download"})
        return
    secs = min(cfg.limit("speedtest_ms") / 1000, max(0.0, run.deadline - time.monotonic()))
    r = net.upload(base, cfg.speedtest_path, cfg.limit("speedtest_bytes"), secs, secs)
    run.done("speed|up", judge.judge_throughput(r, "up", cfg))


def _proxy(run: _Run, reader: Callable[[float], dict]) -> None:
    from envcheck.diagnose.proxy import summary

    run.plan("proxy", {"step": "proxy"})
    settings = reader(run.left(2000))
    step = {"step": "proxy", "settings": settings}
    line = summary(settings)
    if settings.get("error"):
        step.update(status="degraded", error=settings["error"])
    elif line:
        step.update(status="degraded", cause=cause(run.cfg.causes, "proxy_in_use", summary=line))
    else:
        step.update(status="ok")
    run.done("proxy", step)


def run_diagnose(cfg: Config, proxy_reader: Callable[[float], dict] | None = None,
                 extra: dict[str, Callable[[float], dict]] | None = None) -> dict:
    """Every step, concurrently, within cfg's bound_ms. `extra`: more steps (key -> fn(timeout) -> step)."""
    from envcheck.diagnose.proxy import read_proxy

    run = _Run(cfg)
    jobs: list[tuple[Callable, tuple]] = [(_target, (run, t)) for t in cfg.all_targets()]
    jobs += [(_captive, (run,)), (_speedtest, (run,)), (_proxy, (run, proxy_reader or read_proxy))]
    for key, fn in (extra or {}).items():
        run.plan(key, {"step": key})
        jobs.append((lambda k, f: run.done(k, f(run.left(cfg.limit("bound_ms")))), (key, fn)))

    def guard(fn, args):
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - a bug in one step must not lose the others
            run.done(f"error|{fn.__name__}|{id(args)}", {"step": fn.__name__.strip("_"), "status": "failed",
                                                         "error": f"{type(exc).__name__}: {exc}"[:200]})

    threads = [threading.Thread(target=guard, args=job, daemon=True) for job in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join(max(0.0, run.deadline + _GRACE - time.monotonic()))
    bound = cfg.limit("bound_ms")
    with run._lock:
        steps = []
        for s in run.steps.values():
            if s.get("status") == "pending":
                s = {**s, "status": "failed", "error": "not finished within the bound",
                     "cause": cause(cfg.causes, "not_reached", bound_ms=bound)}
            steps.append(s)
    return {
        "format": FORMAT,
        "bound_ms": bound,
        "elapsed_ms": int((time.monotonic() - run.start) * 1000),
        "status": judge.overall(steps),
        "server_known": bool(cfg.intake_url),
        "bandwidth": {"min_kbps": cfg.min_kbps, "hd_kbps": cfg.hd_kbps, "source": cfg.bandwidth_source},
        "steps": steps,
    }
