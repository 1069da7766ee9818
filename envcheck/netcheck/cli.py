"""`envcheck diagnose [--json] [--endpoint HOST:PORT ...] [--timeout S] [--server URL] [--lang ja|en]`.

envcheck/cli.py wires it: `netcheck.cli.add_parser(sub)` in build_parser and
`COMMANDS["diagnose"] = netcheck.cli.run`. Exit status: 0 every step ok or skipped, 1 something
failed or degraded, 2 bad usage or rules (raised as EnvcheckError for the main CLI to report).
"""

from __future__ import annotations

import json
import sys


def add_parser(subparsers):
    d = subparsers.add_parser("diagnose", help="network diagnostics for support staff")
    d.add_argument("--json", action="store_true", help="print the diagnostics document as JSON")
    d.add_argument("--endpoint", action="append", metavar="HOST:PORT",
                   help="test this endpoint instead of the rules' targets (repeatable)")
    d.add_argument("--timeout", type=float, metavar="S", help="bound of the whole run in seconds (default 5)")
    d.add_argument("--server", metavar="URL", help="intake service URL (default: ENVCHECK_SERVER)")
    d.add_argument("--rules", metavar="DIR", help="rules folder holding network.toml")
    d.add_argument("--lang", choices=("ja", "en"), help="language of the output")
    return d


#: The probes the Wi-Fi fact reads (envcheck/facts/wifi.py), per platform.
WIFI_PROBES = {"windows": ("win.wlanapi", "win.wlan"), "darwin": ("mac.sp_airport",),
               "linux": ("linux.nmcli_wifi", "linux.net_links")}


def _wifi_extra():
    """The platform's Wi-Fi probes, run as more bounded steps."""
    from envcheck.probes import current_platform, specs_for
    from envcheck.probes import _run_one  # the same error mapping as LiveHost

    try:
        platform = current_platform()
    except NotImplementedError:
        return [], _run_one
    return [s for s in specs_for(platform) if s.id in WIFI_PROBES[platform]], _run_one


def run(args) -> int:
    import threading

    from envcheck.diagnose import load_config, run_diagnose
    from envcheck.netcheck.assemble import diagnostics_from

    cfg = load_config(getattr(args, "rules", None))
    cfg = cfg.with_bound(args.timeout).with_server(getattr(args, "server", None)).with_endpoints(args.endpoint)
    specs, run_one = _wifi_extra()
    probes: dict = {}
    threads = [threading.Thread(target=run_one, args=(spec, probes), daemon=True) for spec in specs]
    for t in threads:
        t.start()
    doc = run_diagnose(cfg)
    for spec, t in zip(specs, threads, strict=True):
        t.join(0.05)
        if spec.id not in probes:
            from envcheck.probes import ProbeResult
            probes[spec.id] = ProbeResult(error=f"no answer within {cfg.limit('bound_ms')} ms", kind="timed_out")
    probes["net.diagnose"] = {"value": doc, "error": None}
    doc = diagnostics_from(probes, getattr(args, "rules", None))
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        from envcheck.diagnose.render import render
        lang = args.lang
        if lang is None:
            from envcheck.glossary import default_lang
            lang = default_lang()
        sys.stdout.write(render(doc, lang))
    return 0 if doc["status"] in ("ok", "skipped") else 1
