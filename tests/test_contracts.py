"""Contracts between the layers: one collector shape, unique probes, every check evaluated and worded."""

from __future__ import annotations

import ast
import inspect
import textwrap
from datetime import datetime, timezone

import pytest

from envcheck import checks as checks_mod
from envcheck import facts as facts_mod
from envcheck.facts import _linux, _macos, _windows
from envcheck.facts.model import Facts, Unknown
from envcheck.pipeline import all_specs
from envcheck.probes import PLATFORMS
from envcheck.ruleset.loader import CHECK_IDS


# ------------------------------------------------------------------------------------------- collectors

def test_every_platform_has_a_collector_with_the_same_signature():
    assert set(facts_mod._COLLECTORS) == set(PLATFORMS)
    sigs = {p: inspect.signature(fn) for p, fn in facts_mod._COLLECTORS.items()}
    assert {m.collect for m in (_linux, _windows, _macos)} == set(facts_mod._COLLECTORS.values())
    first = sigs["linux"]
    for platform, sig in sigs.items():
        assert list(sig.parameters) == list(first.parameters), platform
        assert sig.return_annotation in ("Facts", Facts), platform


@pytest.mark.parametrize("platform", PLATFORMS)
def test_collector_with_no_probes_answers_unknown_facts_for_its_platform(platform):
    facts = facts_mod.collect(platform, {})
    assert isinstance(facts, Facts) and facts.platform == platform
    assert isinstance(facts.os, Unknown) and isinstance(facts.software, Unknown)


# ------------------------------------------------------------------------------------------- probes

def _all_specs():
    """Every probe once (a probe of several platforms is the same spec, `net.diagnose` an equal one)."""
    seen = {}
    for platform in PLATFORMS:
        for spec in all_specs(platform):
            seen.setdefault((spec.id, spec.platforms, spec.source), spec)
    return list(seen.values())


def test_probe_ids_are_unique():
    ids = [s.id for s in _all_specs()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_probe_ids_are_unique_on_each_platform(platform):
    ids = [s.id for s in all_specs(platform)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_probe_names_its_source_platforms_and_timeout():
    for spec in _all_specs():
        assert spec.source.strip(), spec.id
        assert spec.platforms and set(spec.platforms) <= set(PLATFORMS), spec.id
        assert spec.timeout > 0, spec.id
        assert spec.id.split(".")[0] in ("win", "mac", "linux", "proc", "net"), spec.id


@pytest.mark.parametrize("platform", PLATFORMS)
def test_probe_ids_of_a_platform_are_unique(platform):
    ids = [s.id for s in all_specs(platform)]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------------------------------- checks

def test_every_check_id_is_evaluated_once_in_order(rules):
    assert [c.id for c in checks_mod.CHECKS] == list(CHECK_IDS)
    results = checks_mod.evaluate(facts_mod.collect("linux", {}), rules, datetime(2026, 11, 24, tzinfo=timezone.utc))
    assert [r.id for r in results] == list(CHECK_IDS)


def _module_functions(module) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(module)))
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _called_names(fn: ast.FunctionDef) -> set[str]:
    return {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


# Decisions whose status or code is not a literal, with what they can be (kept in step with the code:
# a new non-literal Decision makes test_non_literal_decisions_are_all_known fail).
NON_LITERAL = {
    ("network.wifi", "decide_wifi"): [("fail", "open"), ("fail", "wep")],
    ("zoom.installed", "decide_zoom_installed"): [("pass", "installed"), ("pass", "installed_user")],
}


def decisions_by_check() -> tuple[dict[str, set[tuple[str, str]]], set[tuple[str, str]]]:
    """{check id: {(status, code)}} from the Decision(...) calls reachable from each decide function."""
    out, non_literal = {}, set()
    for check in checks_mod.CHECKS:
        module = inspect.getmodule(check.decide)
        funcs = _module_functions(module)
        todo, done = [check.decide.__name__], set()
        codes = set()
        while todo:
            name = todo.pop()
            if name in done or name not in funcs:
                continue
            done.add(name)
            fn = funcs[name]
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Decision":
                    args = node.args
                    if all(isinstance(a, ast.Constant) for a in args[:2]):
                        codes.add((args[0].value, args[1].value))
                    else:
                        non_literal.add((check.id, name))
                        codes.update(NON_LITERAL.get((check.id, name), []))
            todo.extend(_called_names(fn))
        # judge() answers malformed evidence with unknown/unknown for every check.
        codes.add(("unknown", "unknown"))
        out[check.id] = codes
    return out, non_literal


def test_non_literal_decisions_are_all_known():
    _, non_literal = decisions_by_check()
    assert non_literal == set(NON_LITERAL)


def test_decision_codes_were_found_for_every_check():
    found, _ = decisions_by_check()
    assert set(found) == set(CHECK_IDS)
    for cid, codes in found.items():
        assert {s for s, _ in codes} - {"unknown"}, (cid, codes)  # more than the generic unknown
    assert ("fail", "security_pending") in found["os.patched"]
    assert ("fail", "found") in found["p2p.absent"]


def test_every_decision_code_has_a_message_in_both_languages(rules):
    found, _ = decisions_by_check()
    missing = []
    for cid, codes in found.items():
        for _status, code in sorted(codes):
            msg = rules.check(cid).message(code)
            if msg is None:
                missing.append(f"{cid}.{code}")
                continue
            assert msg.summary.ja.strip() and msg.summary.en.strip(), f"{cid}.{code}"
    assert missing == []


def test_every_fail_or_warn_code_has_a_remedy_for_every_platform_in_both_languages(rules):
    found, _ = decisions_by_check()
    no_remedy = []
    for cid, codes in found.items():
        advisory = rules.check(cid).severity == "advisory"
        for status, code in sorted(codes):
            if status in ("fail", "warn") or (advisory and status == "fail"):
                msg = rules.check(cid).message(code)
                for platform in PLATFORMS:  # every platform's user reads steps for their own machine
                    remedy = msg.remedy(platform) if msg else None
                    if remedy is None or not (remedy.ja.strip() and remedy.en.strip()):
                        no_remedy.append(f"{cid}.{code} ({status}, {platform})")
    assert no_remedy == []


def test_every_message_in_texts_is_reachable(rules):
    # A message no decision can select is dead text (or a code the checks lost).
    found, _ = decisions_by_check()
    dead = [f"{cid}.{code}" for cid in CHECK_IDS for code, _ in rules.check(cid).messages
            if code not in {c for _, c in found[cid]}]
    assert dead == []


def test_every_probe_id_is_documented_for_people_writing_snapshots_by_hand():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "probes.md").read_text(encoding="utf-8")
    undocumented = [s.id for s in _all_specs() if f"`{s.id}`" not in doc]
    assert undocumented == []
