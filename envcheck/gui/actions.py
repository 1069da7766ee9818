"""The window's actions on a result: save (signed report + printable summary), diagnose, send.

A mixin of envcheck/gui/app.py's App (which owns the widgets); texts come from model.py.
"""

from __future__ import annotations

import json
import os
from tkinter import filedialog
from typing import TYPE_CHECKING, Callable

from envcheck.errors import EnvcheckError
from envcheck.gui import model, work
from envcheck.gui.dialogs import ConsentDialog
from envcheck.gui.jobs import Job

if TYPE_CHECKING:
    import tkinter as tk
    from tkinter import ttk

    from envcheck.gui.detail import WrappedLabel
    from envcheck.office import Office
    from envcheck.pipeline import CheckRun
    from envcheck.ruleset.loader import Rules


class Actions:
    # What the mixin uses of App, which sets them all in __init__/_build (declared for the type checker).
    root: tk.Tk
    lang: str
    rules: Rules | None
    office: Office
    fonts: dict
    run: CheckRun | None
    diag_job: Job | None
    send_job: Job | None
    consent: ConsentDialog | None
    notice_kind: str | None
    _notice_source: Callable[[], None] | None
    last_outcome: model.SendOutcome | None
    notice: WrappedLabel
    seeker_entry: ttk.Entry
    enrol_entry: ttk.Entry
    enrol_var: tk.StringVar
    diagnose_button: ttk.Button
    send_button: ttk.Button

    if TYPE_CHECKING:
        def seeker_state(self) -> model.SeekerState: ...

        def t(self, key: str, **values) -> str: ...

    # --- saving, diagnosing and sending ---------------------------------------------------------
    def report_to_sign(self, need_number: bool = False) -> dict | None:
        if self.run is None:  # callers ask only with a result shown
            return None
        state = self.seeker_state()
        if not state.ok:
            self.show_notice("fail", model.text(self.lang, "seeker_fix_first", reason=state.message.lstrip("✖ ")))
            self.seeker_entry.focus_set()
            return None
        if need_number and state.value is None:  # eligibility is keyed by the number: say why it is needed
            self.show_notice("warn", self.t("seeker_required"))
            self.seeker_entry.focus_set()
            return None
        return model.with_seeker(self.run.report, state.value)

    def save(self, path: str | None = None) -> None:
        if self.run is None:
            return
        report = self.report_to_sign()
        if report is None:
            return
        path = path or filedialog.asksaveasfilename(
            parent=self.root, title=self.t("save_title"), initialfile=model.default_filename(report),
            defaultextension=".html", filetypes=[(self.t("save_types_html"), "*.html"),
                                                 (self.t("save_types_json"), "*.json")])
        if not path:
            return
        try:
            from envcheck.files import write_atomic
            from envcheck.gui.summary import summary_html

            signed = work.sign(report)
            json_path = path if path.lower().endswith(".json") else os.path.splitext(path)[0] + ".json"
            write_atomic(json_path, (json.dumps(signed, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
            html_path = os.path.splitext(path)[0] + ".html"
            receipt = getattr(getattr(self, "last_outcome", None), "receipt", None)
            write_atomic(html_path, summary_html(signed, self.rules, self.lang, self.office, receipt).encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - shown to the person, who can pick another folder
            reason = exc.diagnostics() if hasattr(exc, "diagnostics") else getattr(exc, "strerror", None) or str(exc)
            self.show_notice("fail", self.t("save_error", reason=reason))
            return
        self.show_notice("pass", self.t("saved", path=json_path) + "\n" + self.t("saved_summary", path=html_path))

    def diagnose(self) -> None:
        """「接続を診断」: the network diagnostics off the UI thread, attached to the report that will be sent."""
        if self.run is None or (self.diag_job and not self.diag_job.finished):
            return
        self.diagnose_button.state(["disabled"])
        self.show_notice("skipped", self.t("diag_running"))
        run, rules_dir = self.run, getattr(self.rules, "source", None)
        self.diag_job = Job(self.root, lambda post: work.diagnose(run, rules_dir), on_done=self._on_diagnosed,
                            on_error=lambda exc: self._on_diagnosed(None))

    def _on_diagnosed(self, doc) -> None:
        self.diagnose_button.state(["!disabled"])
        if not doc:
            self.show_notice("warn", self.t("diag_error"))
            return
        self.run = work.with_diagnostics(self.run, doc)
        cause = model.diagnosis_cause(doc, self.lang)
        self.show_notice("pass" if cause is None else "warn",
                         self.t("diag_ok") if cause is None else self.t("diag_problem", cause=cause))

    def send(self) -> None:
        if self.run is None or self.consent is not None or (self.send_job and not self.send_job.finished):
            return
        report = self.report_to_sign(need_number=True)
        if report is None:
            return
        from envcheck.report.seeker import BadEnrolmentCode
        from envcheck.errors import UploadError
        from envcheck.office import find_config
        from envcheck.delivery.upload import with_enrolment

        try:
            report = with_enrolment(report, self.enrol_var.get().strip() or None)
        except BadEnrolmentCode as exc:
            self.show_notice("fail", self.t("enrol_bad", reason=str(exc)))
            self.enrol_entry.focus_set()
            return

        try:
            config = find_config()
        except UploadError:
            self.show_notice("fail", self.t("bad_config"))
            return
        if config is None:
            self.show_notice("unknown", self.t("no_server"))
            return
        body, details = model.consent_text(report, self.rules, self.lang, self.office)
        self.consent = ConsentDialog(self.root, self.lang, body, on_accept=lambda: self._consented(report, config),
                                     on_cancel=self._not_consented, fonts=self.fonts, details=details)

    def _not_consented(self) -> None:
        self.consent = None
        self.show_notice("skipped", self.t("not_sent"))
        self.send_button.focus_set()

    def _consented(self, report: dict, config) -> None:
        from envcheck.delivery.service import Consent

        consent = Consent.now(self.lang, "window")  # the moment 「同意して送信」 was pressed
        self.consent = None
        self.send_button.state(["disabled"])
        self.show_notice("skipped", self.t("sending"))
        self.send_job = Job(self.root, lambda post: work.deliver(report, config, consent), on_done=self._on_sent,
                            on_error=self._not_kept)

    def _on_sent(self, delivery) -> None:
        self.send_button.state(["!disabled"])
        self.send_button.focus_set()
        self.last_outcome = model.send_outcome(self.lang, delivery, self.office)
        # A sent report is good news only when it counts for booking: its box is green only then (U6).
        kind = {"sent": "pass" if delivery.key == "sent_pass" else "warn", "kept": "warn",
                "refused": "fail"}[delivery.outcome]

        def show():
            o = model.send_outcome(self.lang, delivery, self.office)
            self.show_notice(kind, f"{o.message}\n{o.help}", source=show)
        show()

    def _not_kept(self, exc: BaseException) -> None:
        """The report could not even be kept (no space, the device key unreadable): nothing was sent."""
        self.send_button.state(["!disabled"])
        reason = exc.diagnostics() if isinstance(exc, EnvcheckError) else f"{type(exc).__name__}: {exc}"
        self.show_notice("fail", self.t("send_not_kept", reason=reason[:200]))

    def show_notice(self, kind: str, message: str, source=None) -> None:
        self.notice_kind = kind
        self._notice_source = source
        self.notice.configure(style=f"{kind}.Notice.TLabel")
        self.notice.grid()
        self.notice.set(message)

    def flush_outbox(self) -> None:
        """Reports kept after a failed send go out when the app opens again (consent was given then)."""
        from envcheck.delivery.texts import text

        def done(receipts):
            if receipts and self.notice_kind is None:
                self.show_notice("pass", text(self.lang, "outbox_sent", receipts=", ".join(receipts)))

        Job(self.root, work.flush_outbox, on_done=done, on_error=lambda exc: None)
