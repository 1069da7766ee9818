"""The check registry's contract: from each declaration (envcheck/checks/registry.py) follows what
must exist elsewhere, and `contract_problems` names every piece that does not.

- every decision code the registration declares is one its decide function can answer, and the
  reverse (read from the code: the Decision(...)/_d(...) calls reachable from it);
- rules/texts.toml: a message (ja and en) per code, with steps for every platform on fail/warn,
  and no message for a code nothing declares;
- rules/policy.toml: the check's entry, with the declared article;
- rules/mobile.toml: a text per browser code (else the /check page shows the raw code), none extra;
- a replay fixture per declared platform that judges the check (not unknown);
- docs/rules.md: the check's row naming every code.

The tests at the end break a copy of the registry and show the contract names the missing piece:
a contract that cannot fail proves nothing.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from envcheck.checks import CHECKS, registry
from envcheck.checks._base import JUDGE_CODES, Browser, Check
from envcheck.checks._shape import Rows, Shape, matching
from envcheck.pipeline import run_check
from envcheck.probes import ReplayHost
from envcheck.ruleset.loader import CHECK_IDS, Rules
from snapshots import fixture_folders, snapshot_from_folder

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------- codes read from the code

# Decision calls whose status or code is not a literal, with what they can be (kept in step with the
# code: a new non-literal decision makes test_non_literal_decisions_are_all_known fail).
NON_LITERAL = {
    ("envcheck.checks.devices", "decide_wifi"): {("fail", "open"), ("fail", "wep")},
    ("envcheck.checks.software", "decide_zoom_installed"): {("pass", "installed"), ("pass", "installed_user")},
}
# Helpers whose codes are their literal arguments at each call site (checks/browser.py _answer).
HELPERS = {"_answer": lambda yes, no: {("declared", yes), ("fail", no), ("unknown", "not_answered")}}
DECISIONS = ("Decision", "_d")


@lru_cache(maxsize=None)
def _functions(module_name: str) -> dict[str, ast.FunctionDef]:
    import importlib

    tree = ast.parse(textwrap.dedent(inspect.getsource(importlib.import_module(module_name))))
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _literals(args: list[ast.expr], n: int) -> list | None:
    args = args[:n]
    return [a.value for a in args] if len(args) == n and all(isinstance(a, ast.Constant) for a in args) else None


def reachable_codes(fn) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """({(status, code)} the function can answer, {(module, function)} with non-literal decisions)."""
    import importlib

    codes: set[tuple[str, str]] = set()
    non_literal: set[tuple[str, str]] = set()
    todo, done = [(fn.__module__, fn.__name__)], set()
    while todo:
        mod, name = todo.pop()
        if (mod, name) in done or name not in _functions(mod):
            continue
        done.add((mod, name))
        module = importlib.import_module(mod)
        for node in ast.walk(_functions(mod)[name]):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            if isinstance(f, ast.Name) and f.id in DECISIONS:
                lit = _literals(node.args, 2)
                if lit:
                    codes.add((lit[0], lit[1]))
                else:
                    non_literal.add((mod, name))
                    codes |= NON_LITERAL.get((mod, name), set())
            elif isinstance(f, ast.Name) and f.id in HELPERS and (lit := _literals(node.args[1:], 2)):
                codes |= HELPERS[f.id](*lit)
            elif isinstance(f, ast.Name):
                todo.append((mod, f.id))
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                target = getattr(module, f.value.id, None)  # `system.decide_supported(...)`
                if inspect.ismodule(target) and target.__name__.startswith("envcheck.checks"):
                    todo.append((target.__name__, f.attr))
    return codes, non_literal


def desktop_codes_in_code(check: Check) -> set[tuple[str, str]]:
    found, _ = reachable_codes(check.decide)
    if check.on_unknown is not None:
        found |= reachable_codes(check.on_unknown)[0]
    return found | set(JUDGE_CODES)


# ------------------------------------------------------------------------------- the contract

@dataclass(frozen=True)
class World:
    """What the registry is held against: the rules, the replay fixtures' expectations, the docs."""

    rules: Rules
    fixtures: tuple[dict, ...]
    rules_doc: str


def _rules_row(doc: str, cid: str) -> str | None:
    return next((line for line in doc.splitlines() if line.startswith(f"| `{cid}` |")), None)


def contract_problems(checks: tuple[Check, ...], world: World) -> list[str]:
    out: list[str] = []
    rules = world.rules
    known = dict(rules.checks)
    for c in checks:
        out += _code_problems(c)
        rule = known.get(c.id)
        if rule is None:
            out.append(f'policy.toml/texts.toml: no [checks."{c.id}"]')
        else:
            if rule.article != c.article:
                out.append(f'policy.toml: checks."{c.id}".article is {rule.article!r}, the registry says {c.article!r}')
            out += _text_problems(c, rules)
        out += _mobile_problems(c, rules)
        out += _fixture_problems(c, world.fixtures)
        out += _doc_problems(c, world.rules_doc)
    ids = [c.id for c in checks]
    out += [f'policy.toml: checks."{cid}" but no check registers it' for cid in known if cid not in ids]
    if rules.mobile is not None:
        browser = {c.id: {code for _, code in c.browser.codes} for c in checks if c.browser}
        out += [f"mobile.toml: texts.{key.replace('|', '.')} but no browser code declares it"
                for key, _, _ in rules.mobile.texts
                if key.split("|")[1] not in browser.get(key.split("|")[0], set())]
    return out


def _code_problems(c: Check) -> list[str]:
    out = []
    in_code = desktop_codes_in_code(c)
    mine = set(c.codes) | set(JUDGE_CODES)
    out += [f"{c.id}: code {s}/{code} declared but decide never answers it" for s, code in sorted(mine - in_code)]
    out += [f"{c.id}: decide answers {s}/{code}, not declared" for s, code in sorted(in_code - mine)]
    if c.browser is not None:
        found, _ = reachable_codes(c.browser.decide)
        out += [f"{c.id}: browser code {s}/{code} declared but never answered"
                for s, code in sorted(set(c.browser.codes) - found)]
        out += [f"{c.id}: browser decide answers {s}/{code}, not declared"
                for s, code in sorted(found - set(c.browser.codes))]
    return out


def _text_problems(c: Check, rules: Rules) -> list[str]:
    out = []
    rule = rules.check(c.id)
    codes = set(c.codes) | set(JUDGE_CODES)
    for status, code in sorted(codes):
        msg = rule.message(code)
        if msg is None or not (msg.summary.ja.strip() and msg.summary.en.strip()):
            out.append(f'texts.toml: checks."{c.id}".messages.{code} (ja and en) missing')
            continue
        if status in ("fail", "warn"):  # every platform's user reads the steps for their own machine
            for platform in c.platforms:
                remedy = msg.remedy(platform)
                if remedy is None or not (remedy.ja.strip() and remedy.en.strip()):
                    out.append(f'texts.toml: checks."{c.id}".messages.{code}.remedy for {platform} missing')
    names = {code for _, code in codes}
    out += [f'texts.toml: checks."{c.id}".messages.{code} but no declared code selects it'
            for code, _ in rule.messages if code not in names]
    return out


def _mobile_problems(c: Check, rules: Rules) -> list[str]:
    if c.browser is None or rules.mobile is None:
        return []
    return [f'mobile.toml: texts."{c.id}".{code} (ja and en) missing'
            for _, code in sorted(set(c.browser.codes)) if rules.mobile.text(c.id, code) is None]


def _fixture_problems(c: Check, fixtures: tuple[dict, ...]) -> list[str]:
    judged = {f["platform"] for f in fixtures if f["statuses"].get(c.id, "unknown") != "unknown"}
    return [f"tests/fixtures: no replay fixture of {p} judges {c.id} (all unknown or absent)"
            for p in c.platforms if p not in judged]


def _doc_problems(c: Check, doc: str) -> list[str]:
    row = _rules_row(doc, c.id)
    if row is None:
        return [f"docs/rules.md: no row | `{c.id}` | in \"Every check and its codes\""]
    codes = {code for _, code in (*c.codes, *JUDGE_CODES, *(c.browser.codes if c.browser else ()))}
    return [f"docs/rules.md: the `{c.id}` row does not name `{code}`" for code in sorted(codes)
            if f"`{code}`" not in row]


@pytest.fixture(scope="module")
def world(rules) -> World:
    fixtures = tuple(json.loads((f / "expected.json").read_text(encoding="utf-8")) for f in fixture_folders())
    return World(rules, fixtures, (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------- the real registry

def test_the_registry_is_the_check_list_in_report_order():
    assert CHECKS is registry.REGISTRY
    assert tuple(c.id for c in CHECKS) == CHECK_IDS
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)


def test_every_piece_the_registry_implies_exists(world):
    assert contract_problems(registry.REGISTRY, world) == []


def test_non_literal_decisions_are_all_known():
    seen: set[tuple[str, str]] = set()
    for c in CHECKS:
        for fn in (c.decide, c.on_unknown, c.browser.decide if c.browser else None):
            if fn is not None:
                seen |= reachable_codes(fn)[1]
    # browser._answer's own decisions are its arguments: HELPERS reads them at each call site.
    assert seen - {("envcheck.checks.browser", "_answer")} == set(NON_LITERAL)


def test_the_code_reader_finds_real_decisions():
    assert ("fail", "security_pending") in desktop_codes_in_code(registry.BY_ID["os.patched"])
    assert ("unknown", "location_off") in desktop_codes_in_code(registry.BY_ID["network.wifi"])
    browser_supported = reachable_codes(registry.BY_ID["os.supported"].browser.decide)[0]  # type: ignore[union-attr]
    # A Mac on the /check page is judged by the desktop rules: their codes reach the page.
    assert {("unknown", "desktop"), ("fail", "older_than_listed"), ("pass", "supported_open")} <= browser_supported


@pytest.mark.parametrize("folder", fixture_folders(), ids=lambda f: f.name)
def test_every_replayed_evidence_has_its_declared_shape(folder, rules):
    from datetime import datetime

    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    run = run_check(ReplayHost(snapshot_from_folder(folder, expected["platform"])), rules,
                    now=datetime.fromisoformat(expected["now"].replace("Z", "+00:00")))
    wrong = {c["id"]: p for c in run.report["checks"]
             if (p := matching(registry.BY_ID[c["id"]].evidence, c["evidence"]))}
    assert wrong == {}


# ------------------------------------------------------------------------------- the contract can fail

def _with(check_id: str, **changes) -> tuple[Check, ...]:
    return tuple(dataclasses.replace(c, **changes) if c.id == check_id else c for c in registry.REGISTRY)


def test_a_new_code_without_its_pieces_is_reported(world):
    c = registry.BY_ID["firewall.enabled"]
    got = contract_problems(_with(c.id, codes=c.codes + (("fail", "brand_new"),)), world)
    assert got == ["firewall.enabled: code fail/brand_new declared but decide never answers it",
                   'texts.toml: checks."firewall.enabled".messages.brand_new (ja and en) missing',
                   "docs/rules.md: the `firewall.enabled` row does not name `brand_new`"]


def test_a_code_the_code_answers_but_nobody_declared_is_reported(world):
    c = registry.BY_ID["os.supported"]
    got = contract_problems(_with(c.id, codes=tuple(x for x in c.codes if x[1] != "server")), world)
    assert "os.supported: decide answers unknown/server, not declared" in got
    assert 'texts.toml: checks."os.supported".messages.server but no declared code selects it' in got


def test_a_browser_code_without_a_mobile_text_is_reported(world):
    c = registry.BY_ID["device.camera"]
    assert c.browser is not None
    got = contract_problems(_with(c.id, browser=Browser(c.browser.decide, c.browser.codes + (("unknown", "silent"),))),
                            world)
    assert 'mobile.toml: texts."device.camera".silent (ja and en) missing' in got
    assert "device.camera: browser code unknown/silent declared but never answered" in got


def test_a_fail_code_without_steps_for_a_platform_is_reported(world):
    c = registry.BY_ID["p2p.absent"]
    got = contract_problems(_with(c.id, platforms=(*c.platforms, "freebsd")), world)
    assert 'texts.toml: checks."p2p.absent".messages.found.remedy for freebsd missing' in got
    assert "tests/fixtures: no replay fixture of freebsd judges p2p.absent (all unknown or absent)" in got


def test_a_new_check_without_policy_texts_or_docs_is_reported(world):
    extra = dataclasses.replace(registry.BY_ID["zoom.updated"], id="demo.added", article="99")
    got = contract_problems((*registry.REGISTRY, extra), world)
    assert 'policy.toml/texts.toml: no [checks."demo.added"]' in got
    assert 'mobile.toml: texts."demo.added".declared (ja and en) missing' in got
    assert "docs/rules.md: no row | `demo.added` | in \"Every check and its codes\"" in got
    assert "tests/fixtures: no replay fixture of linux judges demo.added (all unknown or absent)" in got


def test_a_check_left_out_of_the_registry_is_reported(world):
    got = contract_problems(tuple(c for c in registry.REGISTRY if c.id != "recording.absent"), world)
    assert 'policy.toml: checks."recording.absent" but no check registers it' in got
    assert "mobile.toml: texts.recording.absent.browser_cannot_see but no browser code declares it" in got


def test_a_different_article_is_reported(world):
    got = contract_problems(_with("p2p.absent", article="5(9)"), world)
    assert got == ["policy.toml: checks.\"p2p.absent\".article is '5(5)', the registry says '5(9)'"]


def test_the_shape_check_names_what_is_wrong():
    shape = Shape((("count", int), ("rows", Rows(Shape((("name", str),))))), (("note", (str, type(None))),))
    assert shape.problems({"count": 1, "rows": [{"name": "a"}]}) == []
    assert shape.problems({"count": True, "rows": [{"name": 1}], "extra": 0}) == [
        "evidence.extra: not in the declared shape", "evidence.count: expected int, got bool",
        "evidence.rows[0].name: expected str, got int"]
    assert matching((shape,), {"unknown": "no camera list", "kind": "timed_out"}) == []
    assert matching((shape,), {"rows": []}) == ["evidence.count: missing"]


def test_the_docs_row_is_found_by_its_id():
    doc = "| `a.bc` | y |\n| `a.b` | x | `ok` |"
    assert _rules_row(doc, "a.b") == "| `a.b` | x | `ok` |"
    assert _rules_row(doc, "a") is None
