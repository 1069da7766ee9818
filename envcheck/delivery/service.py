"""The one way a report reaches the office, for the command line and the window alike.

    service = DeliveryService(config)                  # the office's service, the user's outbox
    delivery = service.send(report, Consent.now("ja", "cli"))
    delivery.key  ->  "sent_pass" | "sent_pass_not_enrolled" | "queued_offline" | "refused_stale" | ...

`send` records the consent next to the outbox entry, signs the report when it is not signed yet,
writes it to the outbox, posts it (upload.HttpUploader: timeouts, retries, Retry-After) and keeps
the receipt; whatever goes wrong, the report stays in the outbox (or, refused, in rejected/) and the
Delivery says why with a typed reason. `flush` sends what waits. Each entry is sent by the one
process holding its lock (lock.py), so two senders never post one report twice. texts.py turns a
Delivery into the sentences both programs show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Callable

from envcheck.delivery import lock
from envcheck.delivery.outbox import Outbox
from envcheck.delivery.texts import WHY_KINDS
from envcheck.delivery.upload import HttpUploader, Uploader
from envcheck.errors import UploadError
from envcheck.files import WriteError
from envcheck.office import ServerConfig

#: What the person agreed to: the report goes to the office to decide eligibility for online counselling.
PURPOSE = "online_counselling_eligibility"
#: How long a sender waits for another one that holds a report's lock (one send's three tries and waits).
LOCK_WAIT = 120.0

_REFUSED_STATUS = {409: "refused_conflict", 413: "refused_too_large", 401: "refused_denied", 403: "refused_denied",
                   400: "refused_invalid", 422: "refused_invalid"}
# The service's refusal codes (server/intake.py Rejected.code, sent in the error body as "code").
_REFUSED_CODE = {"stale": "refused_stale", "future": "refused_invalid", "bad_signature": "refused_invalid",
                 "invalid_report": "refused_invalid", "conflict": "refused_conflict", "too_large": "refused_too_large",
                 "enrolment": "refused_enrolment"}


@dataclass(frozen=True)
class Consent:
    """The person's yes to sending, kept beside the report it sent."""

    lang: str
    program: str
    """"cli" or "window": who asked."""
    given_at: str
    how: str = "asked"
    """"asked" (a question or the window's dialog answered yes) or "flag" (`--yes` in a script)."""
    purpose: str = PURPOSE

    @classmethod
    def now(cls, lang: str, program: str, how: str = "asked") -> Consent:
        return cls(lang, program, datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), how)

    def record(self) -> dict:
        return {"purpose": self.purpose, "given_at": self.given_at, "lang": self.lang, "program": self.program,
                "how": self.how}


@dataclass(frozen=True)
class Delivery:
    """What became of one report: sent (with the receipt), kept in the outbox, or refused (kept aside)."""

    report_id: str
    outcome: str
    """"sent", "kept" or "refused"."""
    key: str
    """The message key (texts.py): sent_pass, sent_pass_not_enrolled, sent_fail, sent_incomplete,
    queued_offline, queued_busy, queued_elsewhere, refused_stale, refused_invalid, ... ."""
    receipt: dict | None = None
    error: UploadError | None = None
    """Why it was not sent: a typed kind (network, timeout, dns, proxy, tls, busy, refused), HTTP status, code."""

    @property
    def receipt_no(self) -> str | None:
        if self.receipt is None:
            return None
        return str(self.receipt.get("receipt_no") or self.receipt.get("report_id") or "?")

    @property
    def why(self) -> str:
        """The kind behind a kept report, one of texts.WHY_KINDS or "other"/"elsewhere"."""
        kind = self.error.kind if self.error is not None else "other"
        return kind if kind in (*WHY_KINDS, "elsewhere") else "other"


def sent_key(receipt: dict, verdict: str | None) -> str:
    """The service's verdict (it re-judges; a replay never passes) decides, else the report's own."""
    v = receipt.get("verdict") if receipt.get("verdict") in ("pass", "fail", "incomplete") else verdict
    if v == "pass":
        # only an enrolled device's reports count for booking; the receipt says which this one is
        return "sent_pass_not_enrolled" if receipt.get("device_enrolled") is False else "sent_pass"
    return "sent_fail" if v == "fail" else "sent_incomplete"


def refused_key(exc: UploadError) -> str:
    return _REFUSED_CODE.get(exc.code or "") or _REFUSED_STATUS.get(exc.status or 0, "refused_other")


def not_sent(report_id: str, exc: UploadError) -> Delivery:
    """The Delivery of a report that stayed (kept in the outbox) or was refused (kept aside), by `exc`'s type."""
    if exc.permanent:
        return Delivery(report_id, "refused", refused_key(exc), error=exc)
    return Delivery(report_id, "kept", "queued_busy" if exc.kind == "busy" else "queued_offline", error=exc)


class DeliveryService:
    """Consent, outbox, send, retries, receipt: `send` for a new report, `flush` for those waiting."""

    def __init__(self, config: ServerConfig, outbox: Outbox | None = None, session=None,
                 sleep: Callable[[float], None] = time.sleep, uploader: Uploader | None = None,
                 key_warning: Callable[[str], None] | None = None, lock_wait: float = LOCK_WAIT):
        self.config = config
        self.outbox = outbox or Outbox()
        self._uploader, self._session, self._sleep = uploader, session, sleep
        self.key_warning = key_warning
        self.lock_wait = lock_wait

    @property
    def uploader(self) -> Uploader:
        """Made at the first post: an outbox with nothing to send loads no HTTP library."""
        if self._uploader is None:
            self._uploader = HttpUploader(self.config, sleep=self._sleep, session=self._session)
        return self._uploader

    def send(self, report: dict, consent: Consent) -> Delivery:
        """Sign if needed, keep with its consent in the outbox, send; the Delivery says what happened."""
        if "signature" not in report:  # the key is read only now: crypto stays off the offline path
            from envcheck.report.signing import load_or_create_key, sign_report

            report = sign_report(report, load_or_create_key(warn=self.key_warning))
        report_id = str(report["report_id"])

        def keep_then_send() -> Delivery:
            self.outbox.add(report, consent.record())
            return self._deliver(report_id)

        return self._locked(report_id, self.lock_wait, keep_then_send)

    def flush(self) -> list[Delivery]:
        """Send every waiting report, oldest first. An entry another process is sending is waited for
        after the others, and then reported as that process left it (sent, or still kept). Once the
        service cannot be reached or is busy, the rest stay kept for the same reason without being
        tried: each try would cost the same retries and waits for nothing."""
        done: list[Delivery] = []
        busy: list[Delivery] = []
        down: UploadError | None = None
        for report_id in self.outbox.waiting():
            if down is not None:
                done.append(not_sent(report_id, down))
                continue
            d = self._locked(report_id, 0.0, partial(self._deliver, report_id))
            (busy if d.key == "queued_elsewhere" else done).append(d)
            down = d.error if d.outcome == "kept" and d.key != "queued_elsewhere" else None
        if down is None:
            done += [self._locked(d.report_id, self.lock_wait, partial(self._deliver, d.report_id)) for d in busy]
        else:
            done += busy
        return done

    def _locked(self, report_id: str, wait: float, work: Callable[[], Delivery]) -> Delivery:
        path = self.outbox.lock_path(report_id)
        try:
            fd = lock.acquire(path, wait)
        except OSError as exc:
            raise WriteError(f"cannot lock {path}: {exc.strerror or exc}") from None
        if fd is None:
            return Delivery(report_id, "kept", "queued_elsewhere",
                            error=UploadError("another envcheck is sending this report", kind="elsewhere"))
        try:
            return work()
        finally:
            lock.release(fd, path)

    def _deliver(self, report_id: str) -> Delivery:
        """Send one entry; the caller holds its lock."""
        body = self.outbox.body(report_id)
        if body is None:  # another process settled it before we got the lock
            return self._settled(report_id)
        verdict = self.outbox.verdict(report_id)
        try:
            receipt = self.uploader.post_report(body)
        except UploadError as exc:
            if exc.permanent:
                self.outbox.reject(report_id, exc)
            return not_sent(report_id, exc)
        self.outbox.keep_receipt(report_id, receipt)
        return Delivery(report_id, "sent", sent_key(receipt, verdict), receipt=receipt)

    def _settled(self, report_id: str) -> Delivery:
        receipt = self.outbox.receipt(report_id)
        if receipt is not None:
            return Delivery(report_id, "sent", sent_key(receipt, None), receipt=receipt)
        refusal = self.outbox.refusal(report_id) or UploadError(
            f"report {report_id} left the outbox without a receipt", permanent=True, kind="refused")
        return not_sent(report_id, refusal)
