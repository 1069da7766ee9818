"""Signed reports: what verifies, what does not, and the device key's life cycle."""

import copy
import json
import os
import stat

import pytest
import rfc8785
from docpaths import leaves
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from envcheck.report.schema import InvalidReport
from envcheck.report.signing import canonical_bytes, key_id, load_or_create_key, sign_report, verify_report


@pytest.fixture(scope="module")
def report(rules):
    from datetime import datetime, timezone

    from envcheck.pipeline import run_check
    from envcheck.probes import ReplayHost, parse_snapshot

    snap = {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", "platform": "linux",
            "probes": {"linux.os_release": {"value": "ID=debian\nVERSION_ID=\"13\"\nPRETTY_NAME=\"Debian 13\"\n",
                                            "error": None}}}
    run = run_check(ReplayHost(parse_snapshot(json.dumps(snap))), rules,
                    now=datetime(2026, 11, 24, tzinfo=timezone.utc), seeker_no="01234-00005678")
    return run.report


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def test_signed_report_verifies_and_says_what_it_verified(report, key):
    signed = sign_report(report, key)
    v = verify_report(signed)
    assert v.key_id == key_id(key.public_key()) and len(v.key_id) == 16
    assert (v.report_id, v.verdict, v.seeker_no) == (report["report_id"], report["verdict"], "01234-00005678")


def test_pretty_printed_and_reordered_report_still_verifies(report, key):
    signed = sign_report(report, key)
    reordered = json.loads(json.dumps(dict(reversed(list(signed.items()))), indent=4, sort_keys=True))
    verify_report(reordered)


def test_changing_any_single_field_breaks_the_signature(report, key):
    signed = sign_report(report, key)
    changed = 0
    for path, value in leaves({k: v for k, v in signed.items() if k != "signature"}):
        doc = copy.deepcopy(signed)
        node = doc
        for p in path[:-1]:
            node = node[p]
        if isinstance(value, bool):
            node[path[-1]] = not value
        elif isinstance(value, int):
            node[path[-1]] = value + 1
        elif isinstance(value, str):
            node[path[-1]] = value + "x" if path[-1] not in ("status", "verdict") else (
                "pass" if value != "pass" else "fail")
        elif value is None:
            node[path[-1]] = "x" if path[-1] != "seeker_no" else "99999-00000001"
        else:
            continue
        with pytest.raises(InvalidReport):
            verify_report(doc)
        changed += 1
    assert changed > 50  # every field of a real report was tried, nested evidence included


def test_signature_by_another_key_fails(report, key):
    signed = sign_report(report, key)
    other = sign_report(report, Ed25519PrivateKey.generate())
    forged = {**signed, "signature": {**signed["signature"], "value": other["signature"]["value"]}}
    with pytest.raises(InvalidReport, match="bad signature"):
        verify_report(forged)


def test_swapped_public_key_fails(report, key):
    signed = sign_report(report, key)
    other = sign_report(report, Ed25519PrivateKey.generate())
    swapped = {**signed, "signature": {**signed["signature"], "public_key": other["signature"]["public_key"],
                                       "key_id": other["signature"]["key_id"]}}
    with pytest.raises(InvalidReport, match="bad signature"):
        verify_report(swapped)
    mismatched = {**signed, "signature": {**signed["signature"], "public_key": other["signature"]["public_key"]}}
    with pytest.raises(InvalidReport, match="key_id"):
        verify_report(mismatched)


def test_unsigned_or_unknown_format_is_invalid_with_reason(report, key):
    with pytest.raises(InvalidReport, match="signature: missing"):
        verify_report(report)
    with pytest.raises(InvalidReport, match="format"):
        verify_report({**sign_report(report, key), "format": "envcheck.report/2"})
    doc = sign_report(report, key)
    del doc["checks"][0]["summary"]
    with pytest.raises(InvalidReport, match=r"checks\[0\].summary"):
        verify_report(doc)


def test_floats_are_refused_anywhere(report, key):
    doc = copy.deepcopy(report)
    doc["checks"][0]["evidence"]["x"] = 1.5
    with pytest.raises(InvalidReport, match="floats"):
        verify_report(sign_report(doc, key))


def test_rfc8785_orders_keys_by_utf16_and_escapes_per_the_rfc():
    # RFC 8785 §3.2.3: property sorting by UTF-16 code units (the emoji's surrogate D83D sorts before U+FB33).
    doc = {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
           "1": "One", "\U0001F600": "Emoji: Grinning Face", "\u0080": "Control",
           "\u00f6": "Latin Small Letter O With Diaeresis"}
    out = rfc8785.dumps(doc).decode("utf-8")
    order = [k for k in ("\\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001F600", "\ufb33")]
    positions = [out.index(f'"{k}"') for k in order]
    assert positions == sorted(positions)
    # RFC 8785 §3.2.2.2 string example.
    assert rfc8785.dumps("\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/") == \
        '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'.encode("utf-8")
    # Japanese text is written as UTF-8, not escaped: the signed bytes are what a person reads.
    assert canonical_bytes({"s": "不合格", "signature": {}}) == '{"s":"不合格"}'.encode("utf-8")


def test_device_key_is_owner_only_and_stable(tmp_path):
    k1 = load_or_create_key(str(tmp_path))
    path = tmp_path / "device_key.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    k2 = load_or_create_key(str(tmp_path))
    assert key_id(k1.public_key()) == key_id(k2.public_key())


def test_corrupt_key_is_kept_aside_with_a_warning_and_replaced(tmp_path):
    path = tmp_path / "device_key.pem"
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    warnings = []
    key = load_or_create_key(str(tmp_path), warn=warnings.append)
    assert len(warnings) == 1 and "corrupt" in warnings[0]
    aside = [p for p in tmp_path.iterdir() if ".broken-" in p.name]
    assert len(aside) == 1 and b"not a key" in aside[0].read_bytes()
    assert load_or_create_key(str(tmp_path), warn=warnings.append).public_key().public_bytes_raw() == \
        key.public_key().public_bytes_raw()
    assert len(warnings) == 1


def test_cli_check_out_then_verify_valid_and_one_edit_invalid(cli, tmp_path):
    env = {"ENVCHECK_HOME": str(tmp_path / "home")}
    out = tmp_path / "r.json"
    res = cli("check", "--offline", "--out", str(out), env=env)
    assert res.returncode in (0, 1, 3), res.stderr
    ok = cli("verify", str(out), env=env)
    assert ok.returncode == 0 and ok.stdout.startswith("VALID: report ")
    text = out.read_text(encoding="utf-8")
    i = text.index('"article": "') + len('"article": "')
    out.write_text(text[:i] + ("6" if text[i] != "6" else "7") + text[i + 1:], encoding="utf-8")
    bad = cli("verify", str(out), env=env)
    assert bad.returncode == 1 and "bad signature" in bad.stdout
    assert cli("verify", str(tmp_path / "missing.json"), env=env).returncode == 2
    piped = cli("verify", "-", input="{not json", env=env)
    assert piped.returncode == 2 and len(piped.stderr.strip().splitlines()) == 1
