"""What the window's worker threads do: check (the one pipeline), send, open a settings page.

Nothing here touches Tk: results go back through envcheck/gui/jobs.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from envcheck.gui import model

if TYPE_CHECKING:
    from envcheck.delivery.service import Delivery


def check(post, replay: str | None, now, rules_dir: str | None, seeker: str | None):
    """The pipeline's run_check, with progress counted per probe. Returns (rules, CheckRun)."""
    from envcheck.pipeline import live_host, run_check

    rules, source = _rules(rules_dir, online=not replay)
    if replay:
        from envcheck.probes import ReplayHost, read_snapshot

        snapshot = read_snapshot(replay)
        host, total = ReplayHost(snapshot), len(snapshot["probes"])
    else:
        from envcheck.pipeline import all_specs

        host = live_host(rules, offline=False)
        total = len(all_specs(host.platform))
    post("total", total)
    count = [0]

    def progress(probe_id: str) -> None:
        count[0] += 1
        post("progress", count[0])

    return rules, run_check(host, rules, now=now, seeker_no=seeker, progress=progress, rules_source=source)


def _rules(rules_dir: str | None, online: bool):
    """The rules as `envcheck check` chooses them: --rules as given, else the newest verified set."""
    from envcheck.delivery.rules import rules_for
    from envcheck.errors import UploadError
    from envcheck.office import find_config

    try:
        config = None if rules_dir else find_config()
    except UploadError:
        config = None  # a broken config file is reported when sending; checking goes on
    choice = rules_for(rules_dir, online and config is not None, config)
    return choice.rules, choice.report_fields()


def diagnose(run, rules_dir: str | None) -> dict:
    """「接続を診断」: every network step now (envcheck/diagnose), with the Wi-Fi step from this check's probes."""
    from envcheck.diagnose import probe_value
    from envcheck.netcheck.assemble import diagnostics_from

    doc = probe_value(rules_dir)
    return diagnostics_from({**run.probes, "net.diagnose": {"value": doc, "error": None}}, rules_dir)


def with_diagnostics(run, doc: dict):
    """The run whose report carries these diagnostics (sent with it, for support staff)."""
    import dataclasses

    return dataclasses.replace(run, report={**run.report, "diagnostics": doc})


def sign(report: dict) -> dict:
    from envcheck.report.signing import load_or_create_key, sign_report

    return sign_report(report, load_or_create_key(warn=_quiet))


def deliver(report: dict, config, consent) -> Delivery:
    """The delivery service's send (sign, outbox with the consent, send, receipt): the CLI's own path."""
    from envcheck.delivery.service import DeliveryService

    return DeliveryService(config, key_warning=_quiet).send(report, consent)


def flush_outbox(post=None) -> list[str]:
    """Deliver reports kept after a failed send (consent was given then); their receipt numbers."""
    from envcheck.delivery.service import DeliveryService
    from envcheck.errors import UploadError
    from envcheck.office import find_config

    try:
        config = find_config()
    except UploadError:
        return []
    if config is None:
        return []
    return [d.receipt_no for d in DeliveryService(config, key_warning=_quiet).flush()
            if d.outcome == "sent" and d.receipt_no]


def _quiet(message: str) -> None:
    """A new device key is made silently in the window (the office sees the new key)."""


def open_link(link: str) -> None:
    """Open a settings page (ms-settings:, windowsdefender:, x-apple.systempreferences:) or a web page."""
    how, target = model.opener(link)
    if how == "startfile":
        if sys.platform != "win32":  # opener says "startfile" only there; mypy reads this guard too
            raise AttributeError("os.startfile exists only on Windows")
        os.startfile(str(target))
    elif how == "browser":
        import webbrowser

        webbrowser.open(str(target))
    else:
        subprocess.Popen(target, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
