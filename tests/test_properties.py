"""Property tests: the pure layers return a result (Unknown allowed) for ANY input and never raise.

Inputs: random text, random bytes decoded, truncated real samples (tests/fixtures/sources),
arbitrary JSON probe values, random snapshots and random evidence.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from envcheck import checks as checks_mod
from envcheck.checks import registry
from envcheck.checks._base import JUDGE_CODES, STATUSES, Decision
from envcheck.checks._shape import matching
from envcheck.errors import InvalidSeekerNumber
from envcheck.facts import _common, _linux, _linux_parse, _macos, _netsh, _windows
from envcheck.facts.model import Facts
from envcheck.pipeline import run_check
from envcheck.pipeline import all_specs
from envcheck.probes import ProbeResult, ReplayHost
from envcheck.ruleset.loader import CHECK_IDS
from envcheck.report.seeker import normalize_seeker_no

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOURCES = sorted((Path(__file__).parent / "fixtures" / "sources").glob("*"))
SAMPLE_TEXTS = [p.read_text(encoding="utf-8", errors="replace") for p in SOURCES if p.is_file()]

# ------------------------------------------------------------------------------------------- inputs

random_bytes_text = st.binary(max_size=600).map(lambda b: b.decode("utf-8", "replace"))
random_latin1_text = st.binary(max_size=300).map(lambda b: b.decode("latin-1"))


@st.composite
def truncated_sample(draw):
    text = draw(st.sampled_from(SAMPLE_TEXTS))
    a = draw(st.integers(0, len(text)))
    b = draw(st.integers(a, len(text)))
    return text[a:b]


# Text that looks like the sources: lines of key/value-ish tokens from the real vocabularies.
TOKENS = ["ID=", "VERSION_ID=", '"', "'", "\\", ":", "\\:", "=", "ENABLED=yes", "Status: active", "Listing...",
          "/jammy-security ", " [upgradable from: 1]", "ClamAV-VDB:", "capture 1", "yes:", "no:", "WPA2",
          "FEDORA-2021-1 Moderate/Sec. x", "End-Date: 2026-01-01  00:00:00", "Upgrade: x", "Package: zoom",
          "Status: install ok installed", "\n", "\n\n", " ", "\t", "State = 1", "ProductVersion: 15.7",
          "    Name                   : Wi-Fi", "認証", ": WPA2-Personal", "(State = 99999999999999999999)"]
tokenish = st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=40).map("".join)

any_text = st.one_of(st.text(max_size=400), random_bytes_text, random_latin1_text, truncated_sample(), tokenish)

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30), tokenish)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12) | st.sampled_from(
        ["name", "index", "value", "DisplayName", "hive", "bundle", "CFBundleIdentifier", "productState",
         "displayName", "Enabled", "local", "gpo", "nftables", "chain", "hook", "type", "policy", "packages",
         "fields", "text", "daily.cvd", "ok", "port", "host", "ms", "error", "modified", "_name",
         "SPAirPortDataType", "SPCameraDataType", "SPAudioDataType", "AntiVirusProduct", "CurrentBuild", "UBR",
         "apt_history", "dnf_metadata", "ufw", "firewalld", "clamav-daemon"]), inner, max_size=5)), max_leaves=25)


def _no_raise(fn, *args):
    """Call fn; any exception is a failure that names the function and the input."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - that is the property
        pytest.fail(f"{fn.__module__}.{fn.__qualname__}{tuple(a if len(repr(a)) < 300 else '...' for a in args)!r} "
                    f"raised {type(exc).__name__}: {exc}")


# ------------------------------------------------------------------------------------------- text parsers

TEXT_PARSERS = [
    _linux_parse.parse_os_release, _linux_parse.parse_dpkg_status, _linux_parse.parse_apt_upgradable,
    _linux_parse.parse_dnf_security, _linux_parse.last_apt_upgrade, _linux_parse.parse_ufw_conf,
    _linux_parse.parse_ufw_status, _linux_parse.parse_cvd_header, _linux_parse.parse_asound_pcm,
    _netsh.parse_interfaces, _macos.parse_sw_vers, _macos.parse_alf, _common.classify_security,
    _common.parse_time,
]


def test_every_pure_linux_parser_is_covered():
    public = {n for n in dir(_linux_parse) if n.startswith(("parse_", "last_", "nft_"))}
    covered = {f.__name__ for f in TEXT_PARSERS
               if f.__module__ in (_linux_parse.__name__, "envcheck.probes._linux_formats")}
    assert public - covered == {"parse_rpm_header", "parse_nmcli", "nft_input_policy"}  # tested below


@SETTINGS
@given(text=any_text)
@example(text="ClamAV-VDB:x:1:2:3:4:5:6:99999999999999999999999")
@example(text="ClamAV-VDB:x:1:2:3:4:5:6:-99999999999")
@example(text="End-Date: 0000-00-00  99:99:99\nUpgrade: x")
@example(text="(State = 99999999999999999999999999)")
@example(text="0001-01-01T00:00:00+01:00")
@example(text="9999-12-31T23:59:59-01:00")
def test_text_parsers_never_raise(text):
    for parser in TEXT_PARSERS:
        _no_raise(parser, text)


@SETTINGS
@given(label=any_text, cipher=st.none() | any_text)
def test_classify_security_always_answers_a_known_word(label, cipher):
    assert _no_raise(_common.classify_security, label, cipher) in (
        "open", "wep", "wpa", "wpa2", "wpa3", "owe", "enterprise", "unknown")


@SETTINGS
@given(value=json_values)
@example(value="0001-01-01T00:00:00+01:00")
def test_parse_time_takes_any_json_value(value):
    got = _no_raise(_common.parse_time, value)
    assert got is None or (isinstance(got, datetime) and got.tzinfo is not None)


@SETTINGS
@given(fields=any_text, text=any_text)
def test_parse_nmcli_never_raises(fields, text):
    row = _no_raise(_linux_parse.parse_nmcli, fields, text)
    assert row is None or isinstance(row, dict)


@SETTINGS
@given(doc=json_values)
def test_nft_input_policy_takes_any_json(doc):
    assert _no_raise(_linux_parse.nft_input_policy, doc) in (None, "drop", "accept")


@SETTINGS
@given(blob=st.binary(max_size=400) | st.builds(
    lambda il, dl, rest: il.to_bytes(4, "big") + dl.to_bytes(4, "big") + rest,
    st.integers(0, 50), st.integers(0, 500), st.binary(max_size=800)))
def test_parse_rpm_header_takes_any_bytes(blob):
    got = _no_raise(_linux_parse.parse_rpm_header, blob)
    assert got is None or (isinstance(got, list) and len(got) == 2)


@SETTINGS
@given(state=json_values | st.integers())
def test_decode_product_state_takes_any_value(state):
    on, ms, sig = _no_raise(_windows.decode_product_state, state)
    assert on in ("on", "off", "snoozed", "expired", "unknown") and isinstance(ms, bool) and sig in (True, False, None)


# ------------------------------------------------------------------------------------------- seeker numbers

@SETTINGS
@given(text=any_text | st.text(alphabet="0123456789０１２３４５６７８９-－ー‐ 　", max_size=20))
def test_seeker_number_is_normalised_or_refused_with_a_reason(text):
    try:
        out = normalize_seeker_no(text)
    except InvalidSeekerNumber as exc:
        assert str(exc).strip()
        return
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"normalize_seeker_no({text!r}) raised {type(exc).__name__}: {exc}")
    assert re.fullmatch(r"\d{5}-\d{8}", out), out


@SETTINGS
@given(office=st.integers(0, 99999), serial=st.integers(0, 99999999))
def test_valid_seeker_numbers_round_trip(office, serial):
    assert normalize_seeker_no(f"{office:05d}-{serial}") == f"{office:05d}-{serial:08d}"


# ------------------------------------------------------------------------------------------- collectors

PLATFORM_COLLECT = {"linux": _linux.collect, "windows": _windows.collect, "darwin": _macos.collect}


def probe_results(platform: str):
    ids = [s.id for s in all_specs(platform)] + ["net.reach"]
    result = st.one_of(json_values.map(lambda v: ProbeResult(value=v)),
                       st.text(max_size=60).map(lambda e: ProbeResult(error=e or "failed")),
                       st.sampled_from(["not installed", "does not exist", "status 1", "no ClamAV database"]).map(
                           lambda e: ProbeResult(error=e)))
    return st.dictionaries(st.sampled_from(ids), result, max_size=len(ids))


def _assert_facts(facts, platform):
    assert isinstance(facts, Facts) and facts.platform == platform


@pytest.mark.parametrize("platform", ["linux", "windows", "darwin"])
def test_collect_takes_arbitrary_probe_values(platform):
    @SETTINGS
    @given(results=probe_results(platform))
    def inner(results):
        _assert_facts(_no_raise(PLATFORM_COLLECT[platform], results), platform)

    inner()


REGRESSIONS = [
    # parse_time on an offset that moves the instant out of datetime's range
    ("linux", {"linux.update_times": ProbeResult(value={"apt_history": "0001-01-01T00:00:00+01:00"})}),
    # nested JSON text in the nft ruleset
    ("linux", {"linux.nft_ruleset": ProbeResult(value="[" * 100000)}),
    # a bundle id that is not text
    ("darwin", {"mac.apps": ProbeResult(value=[{"bundle": "Transmission.app", "CFBundleIdentifier": 7}])}),
    # registry firewall policy whose sections are not tables
    ("windows", {"win.firewall_policy": ProbeResult(value={"local": [1], "gpo": "x"})}),
]


@pytest.mark.parametrize("platform, results", REGRESSIONS, ids=["parse_time-overflow", "nft-deep-json",
                                                                 "mac-bundle-id-int", "win-policy-not-table"])
def test_collect_and_evaluate_regressions(platform, results, rules):
    facts = _no_raise(PLATFORM_COLLECT[platform], results)
    _no_raise(checks_mod.evaluate, facts, rules, datetime(2026, 11, 24, tzinfo=timezone.utc))


# ------------------------------------------------------------------------------------------- pipeline

PIPELINE_REGRESSIONS = [
    # a float that reaches the evidence (a Windows uninstall entry's hive) must not stop the report
    {"platform": "windows", "probes": {"win.uninstall": {"value": [
        {"DisplayName": "Zoom", "DisplayVersion": "6.5.0", "hive": 1.5}], "error": None}}},
    {"platform": "linux", "probes": {"linux.update_times": {"value": {
        "apt_history": "9999-12-31T23:59:59-01:00"}, "error": None}}},
]


@pytest.mark.parametrize("snap", PIPELINE_REGRESSIONS, ids=["float-in-evidence", "parse_time-overflow"])
def test_pipeline_regressions(snap, rules):
    doc = {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", **snap}
    run = _no_raise(run_check, ReplayHost(doc), rules, datetime(2026, 11, 24, tzinfo=timezone.utc))
    assert [c["id"] for c in run.report["checks"]] == list(CHECK_IDS)

@st.composite
def snapshots(draw):
    platform = draw(st.sampled_from(["linux", "windows", "darwin"]))
    results = draw(probe_results(platform))
    probes = {pid: r.to_json() for pid, r in results.items()}
    return {"format": "envcheck.snapshot/1", "captured_at": "2026-11-24T00:00:00Z", "platform": platform,
            "probes": probes}


@SETTINGS
@given(snap=snapshots(), day=st.integers(0, 4000))
def test_pipeline_on_a_random_snapshot_gives_every_check_a_status(snap, day, rules):
    now = datetime.fromtimestamp(1_600_000_000 + day * 86400, timezone.utc)
    try:
        run = run_check(ReplayHost(json.loads(json.dumps(snap))), rules, now=now)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"pipeline raised {type(exc).__name__}: {exc} on {json.dumps(snap)[:1500]}")
    assert [c["id"] for c in run.report["checks"]] == list(CHECK_IDS)
    assert all(c["status"] in STATUSES for c in run.report["checks"])
    assert run.report["verdict"] in ("pass", "fail", "incomplete")
    # Whatever the machine printed, each check's evidence has the shape its registration declares
    # and its decision is one of its declared codes.
    for c in run.report["checks"]:
        reg = registry.BY_ID[c["id"]]
        assert matching(reg.evidence, c["evidence"]) == [], (c["id"], c["evidence"])
        assert _declared(c["id"], c["status"], c["code"], rules), (c["id"], c["status"], c["code"])


def _declared(check_id: str, status: str, code: str, rules) -> bool:
    """(status, code) is declared for the check; an advisory check shows its fail as warn."""
    reg = registry.BY_ID[check_id]
    allowed = set(reg.codes + JUDGE_CODES)
    return (status, code) in allowed or (status == "warn" and ("fail", code) in allowed
                                         and rules.check(check_id).severity == "advisory")


@SETTINGS
@given(check_id=st.sampled_from(CHECK_IDS), evidence=st.dictionaries(
    st.sampled_from(["unknown", "found", "sources", "installs", "browsers", "products", "firewalls", "os", "name",
                     "product", "version", "build", "revision", "edition", "last_upgrade", "lists_refreshed",
                     "pending_security", "pending_unknown", "connected", "security", "label", "offline", "targets",
                     "count", "names"]) | st.text(max_size=10), json_values, max_size=8),
    platform=st.sampled_from(["linux", "windows", "darwin", "", "beos"]), day=st.integers(-20000, 20000))
def test_judge_takes_any_evidence(check_id, evidence, platform, day, rules):
    now = datetime(2026, 11, 24, tzinfo=timezone.utc).fromtimestamp(1_790_000_000 + day * 86400, timezone.utc) \
        if -20000 < day < 20000 else datetime(2026, 11, 24, tzinfo=timezone.utc)
    d = _no_raise(checks_mod.judge, check_id, evidence, rules, now, platform)
    assert isinstance(d, Decision) and d.status in STATUSES
    assert _declared(check_id, d.status, d.code, rules), (check_id, d)
