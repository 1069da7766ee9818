"""The judging side of the network diagnostics: the report's "diagnostics" document and its Wi-Fi step.

envcheck.diagnose measures (a probe: sockets, proxies, TLS); this package reads what was measured
together with the Wi-Fi fact, so it sits above the facts while envcheck.diagnose sits below them.
"""
