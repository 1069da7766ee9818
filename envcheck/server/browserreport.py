"""The browser check's report: the page's form, validated field by field; evidence built from what
the page measured, the request's own User-Agent and what the job-seeker declared; the report
signed by the service's key, re-judged by the service like any report, and stored.

The form is hostile input like any upload: every field has a closed set of values or a bounded
integer, anything else is a one-line 400. The page works without JavaScript: then nothing is
measured and the measured checks say so (unknown), never pass.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

import rfc8785
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from envcheck import __version__
from envcheck.checks import rejudge
from envcheck.errors import InvalidSeekerNumber
from envcheck.report.build import assert_no_floats
from envcheck.report.schema import REPORT_FORMAT, validate_report
from envcheck.ruleset.loader import CHECK_IDS, Rules
from envcheck.report.seeker import normalize_seeker_no
from envcheck.server.db import AuditEntry, Report, Store, StoreUnavailable
from envcheck.server.intake import RECEIPT_FORMAT, Rejected, receipt_no, record_device_key, stamp
from envcheck.server.quota import Bound, count_stored
from envcheck.server.security import sign_receipt
from envcheck.server.uaparse import PLATFORM, Device, device_from
from envcheck.report.signing import key_id, sign_report

ZOOM_ENDPOINTS = (("zoom", "zoom.us", "https://zoom.us/"), ("zoomapp", "app.zoom.us", "https://app.zoom.us/"))
"""(form field, host, URL) the page fetches with mode "no-cors" (see docs/browser-check.md)."""
MEDIA_STATES = ("ok", "denied", "none", "error")
YES_NO = ("yes", "no", "unknown")
WIFI = ("home", "mobile", "free", "unknown")
_ERROR_NAME = re.compile(r"^[A-Za-z]{1,40}$")
_MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
_VERSIONISH = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,5}){0,3}$")
MAX_FORM_BYTES = 8 * 1024


@dataclass(frozen=True)
class Answers:
    seeker_no: str
    lang: str
    measured: bool
    ch: dict
    touch: int
    camera: dict
    microphone: dict
    rtt_ms: int | None
    down_kbps: int | None
    zoom: tuple[dict, ...]
    declared: dict


def _one(form: dict, name: str, allowed: tuple[str, ...], default: str = "") -> str:
    v = form.get(name, default)
    if v not in allowed + (default,):
        raise Rejected(400, f"{name}: must be one of {', '.join(allowed)}")
    return v


def _int(form: dict, name: str, low: int, high: int) -> int | None:
    v = form.get(name, "")
    if v == "":
        return None
    if not v.isdigit() or not low <= int(v) <= high:
        raise Rejected(400, f"{name}: must be a whole number from {low} to {high}")
    return int(v)


def _short(form: dict, name: str, pattern: re.Pattern, limit: int) -> str:
    v = form.get(name, "")
    if v and (len(v) > limit or not pattern.match(v)):
        raise Rejected(400, f"{name}: not a valid value")
    return v


def _media(form: dict, kind: str) -> dict:
    state = _one(form, kind, MEDIA_STATES)
    out: dict = {"via": "browser", "kind": "camera" if kind == "cam" else "microphone", "state": state or None}
    if kind == "mic":
        out["level"] = _int(form, "mic_level", 0, 100)
    err = _short(form, f"{kind}_error", _ERROR_NAME, 40)
    if err:
        out["error"] = err
    return out


def parse_form(form: dict[str, str]) -> Answers:
    """Every field validated; unknown fields are ignored (never stored)."""
    try:
        seeker = normalize_seeker_no(form.get("seeker_no", "")[:40])
    except InvalidSeekerNumber as exc:
        raise Rejected(400, f"seeker_no: {exc.diagnostics()}") from None
    ch = {"platform": _short(form, "ch_platform", re.compile(r"^[A-Za-z ]{1,20}$"), 20),
          "platform_version": _short(form, "ch_platform_version", _VERSIONISH, 24),
          "model": _short(form, "ch_model", re.compile(r"^[\w .+()/-]{1,40}$"), 40)}
    zoom = tuple({"host": host, "ok": v == "ok"} for field, host, _ in ZOOM_ENDPOINTS
                 if (v := _one(form, f"{field}_reach", ("ok", "fail"))))
    patch = form.get("android_patch", "")
    if patch not in ("", "unknown") and not _MONTH.match(patch):
        raise Rejected(400, "android_patch: must be YYYY-MM or unknown")
    declared = {k: _one(form, k, YES_NO) for k in ("os_updated", "av", "av_updated", "p2p", "zoom_installed",
                                                     "zoom_updated")}
    declared["wifi"] = _one(form, "wifi", WIFI)
    declared["android_patch"] = patch if _MONTH.match(patch) else ""
    return Answers(seeker_no=seeker, lang=_one(form, "lang", ("ja", "en"), "ja") or "ja",
                   measured=_one(form, "measured", ("1",)) == "1", ch=ch, touch=_int(form, "touch", 0, 64) or 0,
                   camera=_media(form, "cam"), microphone=_media(form, "mic"),
                   rtt_ms=_int(form, "rtt_ms", 0, 120000), down_kbps=_int(form, "down_kbps", 0, 10_000_000),
                   zoom=zoom, declared=declared)


def _declared(answer: str, question: str) -> dict:
    # p2p asks "is a file-sharing app installed?": "no" is the compliant answer, stored as affirmed.
    return {"via": "declared", "question": question, "answer": answer or None}


def evidence(a: Answers, dev: Device, user_agent: str, rules: Rules) -> dict[str, dict]:
    """{check id: evidence}: only what the judgement needs (no full User-Agent unless the office wants it)."""
    os_ev = {"via": "browser", "os": dev.os, "version": dev.version, "precision": dev.precision,
             "source": dev.source}
    if dev.model:
        os_ev["model"] = dev.model
    if rules.mobile and rules.mobile.store_user_agent:
        os_ev["user_agent"] = user_agent[:512]
    d = a.declared
    patched = {**os_ev, "declared": {"os_updated": d["os_updated"] or None} if dev.os != "android" else
               {"patch_month": d["android_patch"] or None}}
    flip = {"yes": "no", "no": "yes"}.get(d["p2p"], d["p2p"])  # the question asks whether one IS installed
    reach = {"via": "browser", "service_ms": a.rtt_ms, "down_kbps": a.down_kbps, "zoom": [dict(z) for z in a.zoom]}
    wifi = {"via": "declared", "question": "wifi", "answer": d["wifi"] or None}
    return {
        "os.supported": os_ev, "os.patched": patched, "firewall.enabled": {"via": "browser", "os": dev.os},
        "p2p.absent": {**_declared(flip, "p2p_installed"), "installed": d["p2p"] or None},
        "antivirus.active": _declared(d["av"], "security"), "antivirus.updated": _declared(d["av_updated"],
                                                                                          "security_updated"),
        "zoom.installed": _declared(d["zoom_installed"], "zoom_installed"),
        "zoom.updated": _declared(d["zoom_updated"], "zoom_updated"),
        "browser.updated": {"via": "browser", "browser": dev.browser, "version": dev.browser_version},
        "network.wifi": wifi, "network.reachable": reach,
        "device.camera": a.camera, "device.microphone": a.microphone,
        "recording.absent": {"via": "browser"},
    }


def _text(rules: Rules, cid: str, code: str, params: dict) -> dict:
    got = rules.mobile.text(cid, code) if rules.mobile else None
    if got is None:
        title = rules.check(cid).title
        return {"summary": {"ja": f"{title.ja}: {code}", "en": f"{title.en}: {code}"}}
    summary, remedy = got

    def fill(t: dict) -> dict:
        out = {}
        for lang in ("ja", "en"):
            s = t[lang]
            for k, v in params.items():
                s = s.replace("{" + k + "}", str(v))
            out[lang] = s
        return out
    return {"summary": fill(summary), **({"remedy": {**fill(remedy), "link": None}} if remedy else {})}


def build(a: Answers, user_agent: str, rules: Rules, key, now: datetime) -> dict:
    """The signed report (envcheck.report/1, "assurance": "browser"); raises Rejected for a device
    the page cannot judge at all (no OS could be told)."""
    from envcheck.checks import judge, verdict

    dev = device_from(user_agent, a.ch if a.measured else None, a.touch)
    platform = PLATFORM.get(dev.os)
    if platform is None:
        raise Rejected(400, "the device's operating system could not be told from the browser")
    ev = evidence(a, dev, user_agent, rules)
    checks, statuses = [], {}
    for cid in CHECK_IDS:
        d = judge(cid, ev[cid], rules, now, platform, assurance="browser")
        statuses[cid] = d.status
        checks.append({"id": cid, "status": d.status, "article": rules.check(cid).article, "code": d.code,
                       "declared": d.status == "declared" or ev[cid].get("via") == "declared",
                       **_text(rules, cid, d.code, d.params), "evidence": ev[cid]})
    doc = {"format": REPORT_FORMAT, "report_id": str(uuid.uuid4()), "created_at": stamp(now),
           "assurance": "browser",
           "checker": {"version": __version__, "rules_version": rules.version, "rules_as_of": rules.as_of.isoformat(),
                       "platform": platform, "kind": "browser-check"},
           "seeker_no": a.seeker_no, "verdict": verdict(statuses, rules), "checks": checks,
           "diagnostics": {"browser_check": {"measured": a.measured, "desktop": not dev.phone}}}
    assert_no_floats(doc)
    signed = sign_report(doc, key)
    validate_report(signed)
    return signed


def browser_key_id(token: str) -> str:
    """The device-key id of one browser: its cookie token's digest ("b" + 15 hex digits, never the token)."""
    return "b" + hashlib.sha256(token.encode("ascii", "replace")).hexdigest()[:15]


def store(store_: Store, doc: dict, rules: Rules, key, now: datetime, device: str, enrol_code: str | None,
          bound: Bound | None = None) -> dict:
    """Re-judge (as the service always does) and store with assurance "browser". The report is signed by
    the service; the browser that sent it is the "device": its cookie's digest is recorded as the
    seeker's device key, pinned by the office's enrolment code (or later by a counselor), exactly as a
    desktop checker's key is, so knowing a seeker number is not enough to change their eligibility."""
    judged, statuses = rejudge(doc, rules, assurance="browser")
    claimed = {c["id"]: c["status"] for c in doc["checks"]}
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    sha = hashlib.sha256(rfc8785.dumps(doc)).hexdigest()
    rid = doc["report_id"]
    created = datetime.fromisoformat(doc["created_at"].replace("Z", "+00:00"))
    try:
        with store_.tx() as s:
            if s.scalar(select(Report.id).where(Report.report_id == rid)) is not None:
                raise StoreUnavailable("report id collision; try again")
            pseudo = {"signature": {"key_id": device, "public_key": "browser"}, "enrolment_code": enrol_code}
            new_key = record_device_key(s, doc["seeker_no"], pseudo, rid, now)
            receipt = sign_receipt({"format": RECEIPT_FORMAT, "receipt_no": receipt_no(rid, now), "report_id": rid,
                                    "received_at": stamp(now), "verdict": judged, "sha256": sha,
                                    "device_enrolled": not new_key, "server_key_id": key_id(key.public_key())},
                                   key)
            s.add(Report(report_id=rid, seeker_no=doc["seeker_no"], created_at=created, received_at=now,
                         platform=doc["checker"]["platform"], checker_version=doc["checker"]["version"],
                         rules_version=rules.version, key_id=device,
                         claimed_verdict=doc["verdict"], verdict=judged, judged_rules_version=rules.version,
                         claimed_statuses=json.dumps(claimed, sort_keys=True),
                         statuses=json.dumps(statuses, sort_keys=True),
                         mismatch=claimed != statuses or doc["verdict"] != judged, new_device_key=new_key,
                         sha256=sha, body=body, receipt=json.dumps(receipt), assurance="browser",
                         receipt_no=receipt["receipt_no"]))
            count_stored(s, 1, len(body), bound)  # quota.StoreFull beyond the bound: nothing is kept
            # Support can see that a seeker used the page (no IP: the seeker is not staff).
            s.add(AuditEntry(at=now, actor="-", role="seeker", action="browser_check", target=doc["seeker_no"],
                             ip="-", detail=json.dumps({"report_id": rid, "verdict": judged,
                                                        "platform": doc["checker"]["platform"]})))
    except IntegrityError:
        raise StoreUnavailable("the report could not be stored; try again") from None
    return receipt
