"""rules/network.toml: targets, limits and cause texts of the network diagnostics, validated.

Every error is a RuleError naming the file and the key, like envcheck/ruleset/loader.py does for the
other rules files. Nothing here touches the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from envcheck.errors import UsageError
from envcheck.tomlcheck import TomlFile, load_toml

FILE = "network.toml"

_LIMITS = ("bound_ms", "dns_timeout_ms", "connect_timeout_ms", "tls_timeout_ms", "http_timeout_ms", "slow_dns_ms",
           "slow_connect_ms", "slow_http_ms", "speedtest_bytes", "speedtest_ms", "weak_signal_percent",
           "weak_signal_dbm")


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    tcp: tuple[int, ...] = ()
    udp: tuple[int, ...] = ()
    tls: bool = False
    http_path: str | None = None
    """Path for the HTTP round trip (over TLS when `tls`), None: no HTTP step."""
    expected_issuers: tuple[str, ...] = ()
    """Organisations allowed to issue this host's leaf certificate; empty: only self-signed/untrusted are flagged."""
    required: bool = True
    tls_port: int = 443
    role: str = "target"
    """"target" (rules or --endpoint) or "intake"."""


@dataclass(frozen=True)
class Config:
    limits: dict[str, int]
    min_kbps: int
    hd_kbps: int
    bandwidth_source: str
    captive_url: str
    captive_status: int
    captive_body: str
    intake_url: str
    speedtest_path: str
    targets: tuple[Target, ...]
    causes: dict[str, tuple[str, str]] = field(repr=False)

    def limit(self, name: str) -> int:
        return self.limits[name]

    def with_bound(self, seconds: float | None) -> "Config":
        if seconds is None:
            return self
        if not 0 < seconds <= 120:
            raise UsageError(f"--timeout {seconds:g} must be between 0 and 120 seconds")
        return replace(self, limits={**self.limits, "bound_ms": int(seconds * 1000)})

    def with_server(self, url: str | None) -> "Config":
        return replace(self, intake_url=url) if url else self

    def with_endpoints(self, specs: list[str] | None) -> "Config":
        """--endpoint HOST:PORT (repeatable) replaces the rules' targets."""
        if not specs:
            return self
        return replace(self, targets=tuple(parse_endpoint(s) for s in specs))

    def all_targets(self) -> tuple[Target, ...]:
        out = list(self.targets)
        if self.intake_url:
            out.append(intake_target(self.intake_url))
        return tuple(out)


def parse_endpoint(spec: str) -> Target:
    host, sep, port = spec.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--endpoint {spec!r} must be HOST:PORT, e.g. zoom.us:8801")
    p = int(port)
    return Target(name=f"{host}:{p}", host=host, tcp=(p,), tls=p == 443, http_path="/" if p == 443 else None,
                  required=True, tls_port=p)


def intake_target(url: str) -> Target:
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise UsageError(f"intake service URL {url!r} must be http(s)://host[:port]")
    port = u.port or (443 if u.scheme == "https" else 80)
    return Target(name="intake", host=u.hostname, tcp=(port,), tls=u.scheme == "https", http_path=None,
                  required=True, tls_port=port, role="intake")


class _V(TomlFile):
    def __init__(self, data: dict):
        super().__init__(FILE, data)

    def ports(self, t: dict, key: str, where: str) -> tuple[int, ...]:
        vals = self.get(t, key, where, list, [])
        for i, p in enumerate(vals):
            if isinstance(p, bool) or not isinstance(p, int) or not 0 < p < 65536:
                self.fail(f"{where}.{key}[{i}]", "expected a port number 1-65535")
        return tuple(vals)


def parse_config(data: dict) -> Config:
    v = _V(data)
    v.only(data, {"limits", "bandwidth", "captive", "intake", "targets", "causes"}, "(top)")
    lim = v.table(data, "limits")
    v.only(lim, set(_LIMITS), "limits")
    limits = {k: v.get(lim, k, "limits", int) for k in _LIMITS}
    for k in ("bound_ms", "dns_timeout_ms", "connect_timeout_ms", "tls_timeout_ms", "http_timeout_ms",
              "speedtest_bytes", "speedtest_ms"):
        if limits[k] <= 0:
            v.fail(f"limits.{k}", "must be positive")
    bw = v.table(data, "bandwidth")
    v.only(bw, {"min_kbps", "hd_kbps", "source"}, "bandwidth")
    cap = v.table(data, "captive")
    v.only(cap, {"url", "expect_status", "expect_body"}, "captive")
    cap_url = v.get(cap, "url", "captive", str)
    if urlsplit(cap_url).scheme != "http":
        v.fail("captive.url", "must be a plain http:// URL (a portal cannot redirect HTTPS)")
    intake = v.table(data, "intake")
    v.only(intake, {"url", "speedtest_path"}, "intake")
    targets = []
    rows = v.get(data, "targets", "(top)", list)
    for i, t in enumerate(rows):
        w = f"targets[{i}]"
        if not isinstance(t, dict):
            v.fail(w, "expected a table")
        v.only(t, {"name", "host", "tcp", "udp", "tls", "http_path", "expected_issuers", "required"}, w)
        issuers = v.get(t, "expected_issuers", w, list, [])
        if not all(isinstance(x, str) and x for x in issuers):
            v.fail(f"{w}.expected_issuers", "expected a list of organisation names")
        tcp = v.ports(t, "tcp", w)
        tls = v.get(t, "tls", w, bool, False)
        if tls and 443 not in tcp:
            v.fail(f"{w}.tls", "tls needs port 443 in tcp")
        targets.append(Target(name=v.get(t, "name", w, str), host=v.get(t, "host", w, str), tcp=tcp,
                              udp=v.ports(t, "udp", w), tls=tls, http_path=v.get(t, "http_path", w, str, None),
                              expected_issuers=tuple(issuers), required=v.get(t, "required", w, bool, True)))
    causes = {}
    for code, texts in v.table(data, "causes").items():
        w = f"causes.{code}"
        causes[code] = v.text_pair(texts, w)
    from envcheck.diagnose.causes import CODES
    for code in CODES:
        if code not in causes:
            v.fail(f"causes.{code}", "missing (every cause the diagnostics can report needs ja and en)")
    return Config(limits=limits, min_kbps=v.get(bw, "min_kbps", "bandwidth", int),
                  hd_kbps=v.get(bw, "hd_kbps", "bandwidth", int),
                  bandwidth_source=v.get(bw, "source", "bandwidth", str),
                  captive_url=cap_url, captive_status=v.get(cap, "expect_status", "captive", int),
                  captive_body=v.get(cap, "expect_body", "captive", str),
                  intake_url=v.get(intake, "url", "intake", str, ""),
                  speedtest_path=v.get(intake, "speedtest_path", "intake", str, "/api/v1/speedtest"),
                  targets=tuple(targets), causes=causes)


def load_config(directory: str | None = None) -> Config:
    """rules/network.toml from `directory` (default: the built-in rules set)."""
    if directory is None:
        from envcheck.paths import builtin_rules_dir
        directory = builtin_rules_dir()
    data = load_toml(directory, FILE).data
    cfg = parse_config(data)
    from envcheck.errors import UploadError
    from envcheck.office import find_config  # light: requests is imported only to send

    try:
        found = find_config()  # ENVCHECK_SERVER, else envcheck-config.json beside the executable
    except UploadError:
        found = None
    return cfg.with_server(found.url if found else None)
