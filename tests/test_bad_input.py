"""Bad input through the real command: exit status 2, one line on stderr, no traceback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from snapshots import FIXTURES, snapshot_from_folder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(tmp_path):
    return {"ENVCHECK_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}


def assert_usage_error(res, *must_name: str):
    assert res.returncode == 2, (res.returncode, res.stdout[:300], res.stderr)
    assert "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("envcheck: error:"), lines[0]
    for word in must_name:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def good_snapshot() -> dict:
    return snapshot_from_folder(FIXTURES / "rhel9", "linux")


def _replay(cli, tmp_path, env, content: str):
    f = tmp_path / "snap.json"
    f.write_text(content, encoding="utf-8")
    return cli("check", "--replay", str(f), "--json", "--now", "2026-08-20T09:00:00Z", env=env)


# ------------------------------------------------------------------------------------------- snapshots

@pytest.mark.parametrize("content, words", [
    ("this is not json", ["not JSON"]),
    ("", ["not JSON"]),
    ("[1, 2, 3]", ["not a JSON object"]),
    (json.dumps({**good_snapshot(), "format": "envcheck.snapshot/0"}), ["format"]),
    (json.dumps({**good_snapshot(), "platform": "beos"}), ["platform"]),
    (json.dumps({k: v for k, v in good_snapshot().items() if k != "probes"}), ["probes"]),
    (json.dumps({**good_snapshot(), "probes": []}), ["probes"]),
    (json.dumps({**good_snapshot(), "probes": {"linux.os_release": "ID=rhel"}}), ["linux.os_release"]),
    (json.dumps({**good_snapshot(), "probes": {"linux.os_release": {"value": "x", "error": None, "x": 1}}}),
     ["linux.os_release"]),
    (json.dumps({**good_snapshot(), "probes": {"linux.os_release": {"value": None, "error": 5}}}),
     ["linux.os_release"]),
    (json.dumps({k: v for k, v in good_snapshot().items() if k != "captured_at"}), ["captured_at"]),
], ids=["not-json", "empty", "array", "wrong-format", "wrong-platform", "missing-probes", "probes-not-object",
        "probe-entry-not-object", "probe-entry-extra-key", "probe-error-not-text", "no-captured-at"])
def test_malformed_snapshot_is_refused_with_one_line(cli, tmp_path, env, content, words):
    assert_usage_error(_replay(cli, tmp_path, env, content), *words)


def test_missing_snapshot_file_is_refused(cli, tmp_path, env):
    res = cli("check", "--replay", str(tmp_path / "nope.json"), env=env)
    assert_usage_error(res, "nope.json")


def test_good_snapshot_replays(cli, tmp_path, env):
    res = _replay(cli, tmp_path, env, json.dumps(good_snapshot()))
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("probes", [
    {"linux.update_times": {"value": {"apt_history": "0001-01-01T00:00:00+01:00"}, "error": None}},
    {"linux.os_release": {"value": ["not", "text"], "error": None}, "proc.names": {"value": 5, "error": None}},
], ids=["time-out-of-range", "values-of-the-wrong-type"])
def test_snapshot_with_strange_values_is_judged_not_crashed(cli, tmp_path, env, probes):
    # Well-formed but odd values are facts we cannot read: unknown, never a traceback.
    res = _replay(cli, tmp_path, env, json.dumps({**good_snapshot(), "probes": probes}))
    assert "Traceback" not in res.stderr, res.stderr[-600:]
    assert res.returncode in (1, 3), res.stderr
    assert json.loads(res.stdout)["verdict"] in ("fail", "incomplete")


# ------------------------------------------------------------------------------------------- rules

@pytest.fixture
def rules_copy(tmp_path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return d


def _edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copied_rules_are_accepted(cli, tmp_path, env, rules_copy):
    f = tmp_path / "s.json"
    f.write_text(json.dumps(good_snapshot()))
    res = cli("check", "--rules", str(rules_copy), "--replay", str(f), "--json", "--now", "2026-08-20T09:00:00Z",
              env=env)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("file, old, new, words", [
    ("policy.toml", "eos_warn_days = 90", 'eos_warn_days = "ninety"', ["policy.toml", "thresholds.eos_warn_days"]),
    ("policy.toml", '[checks."recording.absent"]', '[checks."printer.absent"]\narticle = "1"\nseverity = "required"\n\n'
                                                   '[checks."recording.absent"]',
     ["policy.toml", "checks.printer.absent", "unknown check id"]),
    ("software.toml", "app_patterns = ['^ESET\\b']", "app_patterns = ['^ESET(']",
     ["software.toml", "app_patterns[0]", "regular expression"]),
    ("policy.toml", 'severity = "advisory"', 'severity = "sometimes"', ["policy.toml", "severity"]),
    ("policy.toml", "[ruleset]", "[ruleset", ["policy.toml", "(syntax)"]),
], ids=["threshold-wrong-type", "unknown-check-id", "bad-regex", "bad-severity", "toml-syntax"])
def test_bad_rules_are_refused_naming_file_and_key(cli, tmp_path, env, rules_copy, file, old, new, words):
    _edit(rules_copy / file, old, new)
    f = tmp_path / "s.json"
    f.write_text(json.dumps(good_snapshot()))
    res = cli("check", "--rules", str(rules_copy), "--replay", str(f), env=env)
    assert_usage_error(res, *words)


def test_rules_dir_that_does_not_exist_is_refused(cli, tmp_path, env):
    assert_usage_error(cli("check", "--rules", str(tmp_path / "none"), "--offline", env=env))


# ------------------------------------------------------------------------------------------- seeker numbers

def _with_seeker(cli, tmp_path, env, number: str):
    f = tmp_path / "s.json"
    f.write_text(json.dumps(good_snapshot()))
    return cli("check", "--replay", str(f), "--json", "--now", "2026-08-20T09:00:00Z", "--seeker-no", number,
               env=env)


@pytest.mark.parametrize("number", ["abcde-12345678", "0123-45678", "01234-123456789", "01234-12-345", "", "   ",
                                    "01234-", "-12345678", "01234567890123"],
                         ids=["letters", "4-digit-office", "9-digit-serial", "two-hyphens", "empty", "blank",
                              "no-serial", "no-office", "14-digits"])
def test_bad_seeker_numbers_are_refused(cli, tmp_path, env, number):
    line = assert_usage_error(_with_seeker(cli, tmp_path, env, number))
    assert re.search(r"job-seeker number|office code|serial", line), line


@pytest.mark.parametrize("number, stored", [
    ("０１２３４－５６７８", "01234-00005678"),
    ("01234ー5678", "01234-00005678"),
    ("0123412345678", "01234-12345678"),
    (" 01234 - 12345678 ", "01234-12345678"),
    ("01234‐1", "01234-00000001"),
], ids=["full-width", "katakana-prolonged-mark", "13-digits", "spaces", "unicode-hyphen"])
def test_good_seeker_numbers_are_normalised_in_the_report(cli, tmp_path, env, number, stored):
    res = _with_seeker(cli, tmp_path, env, number)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["seeker_no"] == stored


# ------------------------------------------------------------------------------------------- other arguments

@pytest.mark.parametrize("now", ["garbage", "2026-13-01", "yesterday", ""])
def test_unreadable_now_is_refused(cli, env, now):
    assert_usage_error(cli("check", "--offline", "--now", now, env=env), "--now")


def test_out_into_a_missing_directory_is_refused_and_leaves_nothing(cli, tmp_path, env):
    target = tmp_path / "missing" / "report.json"
    f = tmp_path / "s.json"
    f.write_text(json.dumps(good_snapshot()))
    res = cli("check", "--replay", str(f), "--out", str(target), "--now", "2026-08-20T09:00:00Z", env=env)
    assert_usage_error(res, "missing")
    assert not target.parent.exists()
    assert not target.exists()


def test_unknown_option_is_refused(cli, env):
    assert_usage_error(cli("check", "--no-such-option", env=env))
