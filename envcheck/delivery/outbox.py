"""The outbox: signed reports waiting to be sent, the consent given for each, the receipts kept.

    <data dir>/outbox/<report id>.json           the signed report, exactly the bytes that are sent
    <data dir>/outbox/<report id>.consent.json   purpose, time, language, program: the consent given
    <data dir>/outbox/<report id>.lock           held by the one process sending it (lock.py)
    <data dir>/receipts/<report id>.json         the service's receipt (+ the consent, moved along)
    <data dir>/rejected/<report id>.json         a report the service refused (+ .reason.json, typed)

Every file is written atomically and owner-only. A report leaves the outbox only after its receipt
(or its refusal) is on disk, so a crash at any point loses nothing: the service is idempotent by
report id and answers a re-sent report with the same receipt.
"""

from __future__ import annotations

import contextlib
import json
import os
import re

from envcheck.errors import UploadError
from envcheck.files import WriteError, write_atomic

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")  # a report id (a UUID) as a file name, nothing else
CONSENT = ".consent.json"
REASON = ".reason.json"


def _write_json(path: str, doc: dict) -> None:
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"), mode=0o600)


def _folder(path: str) -> str:
    """The folder, made owner-only when missing; WriteError (one line) when it cannot be."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create {path}: {exc.strerror or exc}") from None
    return path


def _read_json(path: str) -> dict | None:
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read())
    except (FileNotFoundError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


class Outbox:
    """The folders above; which process may touch an entry is decided by its lock (service.py)."""

    def __init__(self, root: str | None = None):
        from envcheck.paths import data_dir

        root = root or data_dir()
        self.pending = os.path.join(root, "outbox")
        self.receipts = os.path.join(root, "receipts")
        self.rejected = os.path.join(root, "rejected")

    def entry(self, report_id: str) -> str:
        if not _ID.fullmatch(report_id):
            raise UploadError(f"report id {report_id[:70]!r} cannot name an outbox entry", permanent=True,
                              kind="refused")
        return os.path.join(self.pending, f"{report_id}.json")

    def lock_path(self, report_id: str) -> str:
        _folder(self.pending)
        return self.entry(report_id)[:-5] + ".lock"

    def add(self, report: dict, consent: dict | None = None) -> str:
        """Keep a signed report (and the consent given for it, written first: an entry never waits
        without the consent that sent it)."""
        path = self.entry(str(report["report_id"]))
        _folder(self.pending)
        if consent is not None:
            _write_json(path[:-5] + CONSENT, consent)
        _write_json(path, report)
        return path

    def waiting(self) -> list[str]:
        """Report ids waiting, oldest first."""
        try:
            names = [n[:-5] for n in os.listdir(self.pending)
                     if n.endswith(".json") and not n.endswith(CONSENT) and _ID.fullmatch(n[:-5])]
        except (FileNotFoundError, NotADirectoryError):  # nothing was ever kept (or cannot be: said on adding)
            return []
        stamps = {}
        for name in names:
            with contextlib.suppress(FileNotFoundError):  # sent by another process meanwhile
                stamps[name] = os.stat(os.path.join(self.pending, f"{name}.json")).st_mtime
        return sorted(stamps, key=lambda n: (stamps[n], n))

    def body(self, report_id: str) -> bytes | None:
        try:
            with open(self.entry(report_id), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def keep_receipt(self, report_id: str, receipt: dict) -> None:
        """The receipt on disk first, then the consent beside it, then the report out of the outbox."""
        _folder(self.receipts)
        _write_json(os.path.join(self.receipts, f"{report_id}.json"), receipt)
        self._move(report_id, CONSENT, self.receipts)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.entry(report_id))

    def reject(self, report_id: str, exc: UploadError) -> None:
        """Move a refused report aside with its typed reason (it is kept: nothing is lost)."""
        _folder(self.rejected)
        _write_json(os.path.join(self.rejected, report_id + REASON),
                    {"reason": exc.diagnostics(), "kind": exc.kind, "status": exc.status, "code": exc.code})
        self._move(report_id, CONSENT, self.rejected)
        self._move(report_id, ".json", self.rejected)

    def _move(self, report_id: str, suffix: str, folder: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.replace(os.path.join(self.pending, report_id + suffix), os.path.join(folder, report_id + suffix))

    def receipt(self, report_id: str) -> dict | None:
        return _read_json(os.path.join(self.receipts, f"{report_id}.json"))

    def refusal(self, report_id: str) -> UploadError | None:
        """The refusal kept for a report, as the typed error it was."""
        doc = _read_json(os.path.join(self.rejected, report_id + REASON))
        if doc is None:
            return None
        status, code = doc.get("status"), doc.get("code")
        return UploadError(str(doc.get("reason", "refused")), permanent=True, kind=str(doc.get("kind", "refused")),
                           status=status if isinstance(status, int) else None,
                           code=code if isinstance(code, str) else None)

    def verdict(self, report_id: str) -> str | None:
        doc = _read_json(self.entry(report_id))
        return str(doc.get("verdict")) if doc else None
