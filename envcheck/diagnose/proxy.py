"""Proxy settings in effect: environment variables, Windows Internet Settings, macOS `scutil --proxy`.

Parsers are pure (tested on real outputs in tests/fixtures/sources/); `read_proxy()` is the only I/O.
Credentials (user:pass@) are removed, private IP literals are replaced: the document must not carry
secrets or local addresses.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from urllib.parse import urlsplit, urlunsplit

ENV_NAMES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


def _scrub_host(host: str) -> str:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if ip.is_loopback:
        return "localhost"
    if ip.is_private or ip.is_link_local:
        return "(private address)"
    return host


def scrub_proxy(value: str) -> str:
    """A proxy setting without credentials, query string or private IP literals.

    "http://user:pass@10.0.0.5:8080" -> "http://(private address):8080";
    "socks=127.0.0.1:1080" -> "socks=localhost:1080"; "proxy.corp:3128" stays.
    """
    value = value.strip()
    if not value:
        return value
    if "=" in value and "://" not in value.split("=", 1)[0]:  # Windows per-protocol list
        parts = []
        for item in re.split(r"[;\s]+", value):
            if not item:
                continue
            proto, _, addr = item.partition("=")
            parts.append(f"{proto}={scrub_proxy(addr)}" if addr else scrub_proxy(proto))
        return ";".join(parts)
    had_scheme = "://" in value
    u = urlsplit(value if had_scheme else "//" + value)
    try:
        port = f":{u.port}" if u.port else ""
    except ValueError:
        port = ""
    shown = _scrub_host(u.hostname or "")
    if ":" in shown:
        shown = f"[{shown}]"
    netloc = shown + port
    out = urlunsplit((u.scheme, netloc, u.path if had_scheme else "", "", ""))
    return out if had_scheme else out.lstrip("/")


def from_env(env: dict[str, str]) -> dict:
    """Proxy variables set in the environment (upper- or lower-case), scrubbed."""
    out = {}
    for name in ENV_NAMES:
        val = env.get(name) or env.get(name.lower())
        if val:
            out[name.lower()] = val.strip() if name == "NO_PROXY" else scrub_proxy(val)
    return out


def _scutil_fields(text: str) -> tuple[dict[str, str], list[str]]:
    """`scutil --proxy` output -> ({key: value} of the top level, the ExceptionsList entries)."""
    flat: dict[str, str] = {}
    exceptions: list[str] = []
    in_array = None
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r"^(\S+)\s*:\s*(.*)$", s)
        if in_array:
            if s == "}":
                in_array = None
            elif m and m.group(1).isdigit() and in_array == "ExceptionsList":
                exceptions.append(m.group(2))
            continue
        if not m:
            continue
        key, val = m.group(1), m.group(2)
        if val.startswith("<array>"):
            in_array = key
            continue
        flat[key] = val
    return flat, exceptions


def parse_scutil(text: str) -> dict:
    """`scutil --proxy` output -> {"http": ..., "https": ..., "socks": ..., "pac": ..., "auto_discovery": bool,
    "exceptions": [...]} with only the proxies that are enabled."""
    flat, exceptions = _scutil_fields(text)
    out: dict = {}
    for kind, prefix in (("http", "HTTP"), ("https", "HTTPS"), ("socks", "SOCKS")):
        if flat.get(f"{prefix}Enable") == "1" and flat.get(f"{prefix}Proxy"):
            port = flat.get(f"{prefix}Port")
            out[kind] = scrub_proxy(flat[f"{prefix}Proxy"] + (f":{port}" if port else ""))
    if flat.get("ProxyAutoConfigEnable") == "1" and flat.get("ProxyAutoConfigURLString"):
        out["pac"] = scrub_proxy(flat["ProxyAutoConfigURLString"])
    if flat.get("ProxyAutoDiscoveryEnable") == "1":
        out["auto_discovery"] = True
    if out and exceptions:
        out["exceptions"] = exceptions[:20]
    return out


def parse_reg_query(text: str) -> dict[str, object]:
    """`reg query` lines "    Name    REG_TYPE    value" -> {Name: int | str} (DWORDs as int)."""
    values: dict[str, object] = {}
    for line in text.splitlines():
        m = re.match(r"^\s+(.+?)\s{2,}(REG_\w+)\s{2,}(.*?)\s*$", line) or \
            re.match(r"^\s+(.+?)\s{2,}(REG_\w+)\s*$", line)
        if not m:
            continue
        name, kind = m.group(1), m.group(2)
        raw = m.group(3) if m.lastindex and m.lastindex >= 3 else ""
        if kind in ("REG_DWORD", "REG_QWORD"):
            try:
                values[name] = int(raw, 16)
            except ValueError:
                continue
        else:
            values[name] = raw
    return values


def from_registry(values: dict) -> dict:
    """Internet Settings values (ProxyEnable, ProxyServer, ProxyOverride, AutoConfigURL, AutoDetect) ->
    the proxies in effect, scrubbed."""
    out: dict = {}
    if values.get("ProxyEnable") == 1 and str(values.get("ProxyServer") or "").strip():
        out["server"] = scrub_proxy(str(values["ProxyServer"]))
        if values.get("ProxyOverride"):
            out["exceptions"] = [x for x in str(values["ProxyOverride"]).split(";") if x][:20]
    if str(values.get("AutoConfigURL") or "").strip():
        out["pac"] = scrub_proxy(str(values["AutoConfigURL"]))
    if values.get("AutoDetect") == 1:
        out["auto_discovery"] = True
    return out


def summary(settings: dict) -> str:
    """One line naming what is configured, e.g. "env https_proxy=http://proxy:3128; system pac=http://wpad/...". """
    parts = []
    for source in ("env", "system"):
        for k, v in (settings.get(source) or {}).items():
            if k in ("no_proxy", "exceptions"):
                continue
            parts.append(f"{source} {k}={v}")
    return "; ".join(parts)


def _read_registry() -> dict:
    if sys.platform != "win32":  # read_proxy calls it only there; mypy reads the guard too
        raise ModuleNotFoundError("winreg exists only on Windows")
    import winreg

    values: dict = {}
    path = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
        for name in ("ProxyEnable", "ProxyServer", "ProxyOverride", "AutoConfigURL", "AutoDetect"):
            try:
                values[name] = winreg.QueryValueEx(key, name)[0]
            except OSError:
                continue
    return values


def read_proxy(timeout: float = 2.0) -> dict:
    """{"env": {...}, "system": {...}, "source": "..."} for this machine; errors become "error"."""
    out: dict = {"env": from_env(dict(os.environ)), "system": {}}
    try:
        if sys.platform == "win32":
            out["source"] = "registry HKCU Internet Settings"
            out["system"] = from_registry(_read_registry())
        elif sys.platform == "darwin":
            from envcheck.probes._run import run
            out["source"] = "scutil --proxy"
            out["system"] = parse_scutil(run(["/usr/sbin/scutil", "--proxy"], timeout=timeout))
        else:
            out["source"] = "environment"
    except Exception as exc:  # noqa: BLE001 - a proxy read failure is a finding, not a crash
        out["error"] = f"{type(exc).__name__}: {exc}"[:200]
    return out
