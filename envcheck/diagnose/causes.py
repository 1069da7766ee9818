"""Cause codes of the diagnostics and their plain-language text (texts live in rules/network.toml)."""

from __future__ import annotations

from typing import Mapping

CODES = (
    "dns_failed", "dns_slow", "port_blocked", "port_timeout", "port_error", "connect_slow", "udp_unverified",
    "tls_intercepted", "tls_self_signed", "tls_untrusted", "tls_failed", "http_failed", "http_slow",
    "captive_portal", "no_internet", "throughput_low", "throughput_sd", "throughput_failed", "no_server",
    "proxy_in_use", "wifi_open", "wifi_wep", "wifi_weak", "wifi_unknown", "wifi_location", "not_reached",
)


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def cause(texts: Mapping[str, tuple[str, str]], code: str, **params) -> dict:
    """{"code", "ja", "en"} for a cause; unknown placeholders stay visible rather than failing."""
    ja, en = texts.get(code, (code, code))
    values = _Keep({k: str(v) for k, v in params.items()})
    return {"code": code, "ja": ja.format_map(values), "en": en.format_map(values)}
