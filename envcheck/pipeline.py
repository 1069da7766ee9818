"""The one path from probes to a report: the CLI, the desktop window and the tests all call it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol

from envcheck import facts as facts_mod
from envcheck.checks import Result, evaluate
from envcheck.facts.model import Facts
from envcheck.probes import ProbeResult
from envcheck.report.build import build_report
from envcheck.ruleset.loader import Rules


class Host(Protocol):
    platform: str

    def collect(self, progress: Callable[[str], None] | None = None) -> dict[str, ProbeResult]: ...


@dataclass(frozen=True)
class CheckRun:
    probes: dict[str, ProbeResult]
    facts: Facts
    results: list[Result]
    report: dict
    rules_stale: bool


def rules_stale(rules: Rules, now: datetime) -> bool:
    return now.date() > rules.as_of + timedelta(days=rules.stale_after_days)


def run_check(host: Host, rules: Rules, now: datetime | None = None, seeker_no: str | None = None,
              progress: Callable[[str], None] | None = None, rules_source: dict | None = None,
              replayed: bool | None = None) -> CheckRun:
    """`replayed` (default: whether `host` is a ReplayHost) marks the report as made from a snapshot,
    not on this machine; the intake service never counts such a report as a pass."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    probes = host.collect(progress)
    facts = facts_mod.collect(host.platform, probes)
    results = evaluate(facts, rules, now)
    from envcheck.report.privacy import Identity, scrub_report

    # Evidence holds only facts, but probe errors can quote paths or names: remove this machine's identity.
    from envcheck.netcheck.assemble import diagnostics_from

    report = scrub_report(build_report(results, rules, host.platform, now, seeker_no,
                                       diagnostics=diagnostics_from(probes, rules.source, wifi=facts.wifi),
                                       rules_source=rules_source), Identity.of_this_machine())
    if replayed is None:
        from envcheck.probes import ReplayHost

        replayed = isinstance(host, ReplayHost)
    if replayed:
        report["replayed"] = True
    return CheckRun(probes, facts, results, report, rules_stale(rules, now))


def live_host(rules: Rules, offline: bool, server_url: str | None = None):
    """This machine's probes; the network ones (diagnostics) are left out when offline.

    `server_url` (check --server) is the intake service the diagnostics measure against."""
    from envcheck.probes import LiveHost, current_platform

    platform = current_platform()
    # The diagnostics use the chosen rules' network.toml, like every other decision.
    return LiveHost(platform, offline=offline, specs=all_specs(platform, server_url, rules.source))


def all_specs(platform: str, server_url: str | None = None, rules_dir: str | None = None) -> list:
    """Every probe of a live check on `platform`: the platform's own plus the network diagnostics."""
    from envcheck.diagnose import probe_spec
    from envcheck.probes import specs_for

    return [*specs_for(platform), probe_spec(server_url, rules_dir)]
