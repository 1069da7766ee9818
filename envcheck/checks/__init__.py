"""The checks of DESIGN §2: facts -> evidence -> status, all pure.

`evaluate` runs every check on facts. `judge` decides one check from its
evidence alone, and `rejudge` does that for a whole report: the intake
service calls it with its own current rules instead of trusting the verdict
the checker claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from envcheck.checks._base import Check, Decide, Decision
from envcheck.checks.registry import BY_ID, REGISTRY
from envcheck.facts.model import Facts
from envcheck.ruleset.loader import CHECK_IDS, Rules

CHECKS: tuple[Check, ...] = REGISTRY


@dataclass(frozen=True)
class Result:
    id: str
    status: str
    code: str
    params: dict
    evidence: dict


def judge(check_id: str, evidence: dict, rules: Rules, now: datetime, platform: str,
          assurance: str = "desktop") -> Decision:
    """Decide one check from its evidence; an advisory check's failure is a warning.

    `assurance="browser"` only for reports the service built itself from its /check page
    (envcheck.checks.browser): an uploaded report is always judged as a desktop one."""
    check = BY_ID[check_id]
    try:
        if assurance == "browser":
            d = _browser_decide(check)(evidence, rules, now, platform)
        elif "unknown" in evidence:
            # Unknown evidence (checks._base.unknown) is unknown for every check, with its reason;
            # a check may name the cause more precisely (on_unknown). Never reaches decide.
            d = (check.on_unknown and check.on_unknown(evidence, platform)) or \
                Decision("unknown", "unknown", {"reason": evidence["unknown"]})
        else:
            d = check.decide(evidence, rules, now, platform)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Evidence from a report is attacker-controlled: malformed evidence is unknown, never a crash.
        return Decision("unknown", "unknown", {"reason": f"unreadable evidence ({type(exc).__name__})"})
    if d.status == "fail" and rules.check(check_id).severity == "advisory":
        return Decision("warn", d.code, d.params)
    return d


def _browser_decide(check: Check) -> Decide:
    if check.browser is None:
        raise KeyError(f"{check.id} has no browser decision")
    return check.browser.decide


def evaluate(facts: Facts, rules: Rules, now: datetime) -> list[Result]:
    out = []
    for check in CHECKS:
        evidence = check.extract(facts, rules)
        d = judge(check.id, evidence, rules, now, facts.platform)
        out.append(Result(check.id, d.status, d.code, d.params, evidence))
    return out


def verdict(statuses: dict[str, str], rules: Rules) -> str:
    """fail if any check fails; else incomplete if a required check is unknown; else pass."""
    if any(s == "fail" for s in statuses.values()):
        return "fail"
    if any(s == "unknown" and rules.check(cid).severity == "required" for cid, s in statuses.items()):
        return "incomplete"
    return "pass"


def rejudge(report: dict, rules: Rules, assurance: str = "desktop") -> tuple[str, dict[str, str]]:
    """(verdict, {check id: status}) of a report's evidence under `rules`, at the report's creation time.

    A check id the report lacks counts as unknown: a report cannot pass by leaving a check out.
    """
    created = datetime.fromisoformat(str(report["created_at"]).replace("Z", "+00:00")).astimezone(timezone.utc)
    platform = str(report.get("checker", {}).get("platform", ""))
    given = {c.get("id"): c.get("evidence") for c in report.get("checks", []) if isinstance(c, dict)}
    statuses = {}
    for cid in CHECK_IDS:
        ev = given.get(cid)
        statuses[cid] = (judge(cid, ev, rules, created, platform, assurance).status
                         if isinstance(ev, dict) else "unknown")
    return verdict(statuses, rules), statuses
