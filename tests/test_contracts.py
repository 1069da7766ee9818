"""Contracts between the layers: one collector shape, unique probes, every check evaluated in order."""

from __future__ import annotations

import inspect
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


# Decision codes, their texts, the policy entry, fixtures and docs of each check: tests/test_check_registry.py.


def test_every_probe_id_is_documented_for_people_writing_snapshots_by_hand():
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "probes.md").read_text(encoding="utf-8")
    undocumented = [s.id for s in _all_specs() if f"`{s.id}`" not in doc]
    assert undocumented == []
