"""The checker window: seeker number, progress, one row per requirement, details, save and send.

Checks and sending run in worker threads (envcheck/gui/jobs.py); texts and rows come from
envcheck/gui/model.py. The report is made only by envcheck.pipeline.run_check.
"""

from __future__ import annotations

import json
import os
import time
import tkinter as tk
from datetime import datetime
from tkinter import filedialog, ttk

from envcheck.gui import fonts as fonts_mod
from envcheck.gui import model, work
from envcheck.gui.detail import DetailPane
from envcheck.gui.dialogs import ConsentDialog, _underline
from envcheck.gui.jobs import Job


class App:
    def __init__(self, root: tk.Tk, lang: str = "ja", replay: str | None = None, now: datetime | None = None,
                 rules_dir: str | None = None, autostart: bool = True):
        self.root, self.lang = root, lang if lang in model.LANGS else "ja"
        self.replay, self.now, self.rules_dir = replay, now, rules_dir
        self.rules = None
        self.run = None  # the last CheckRun
        self.job: Job | None = None
        self.send_job: Job | None = None
        self.consent: ConsentDialog | None = None
        self.notice_kind = None
        self.trace = os.environ.get("ENVCHECK_GUI_TRACE")  # bench: timestamps of the window and the report
        self.fonts = fonts_mod.setup(root)
        self._build()
        self.apply_lang()
        if self.trace:
            self.root.bind("<Map>", lambda e: e.widget is self.root and self._mark("window"), add="+")
        if autostart:
            self.root.after(10, self.start_check)
            self.root.after(200, self.flush_outbox)

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        root = self.root
        # 1040x800, smaller on small screens (1366x768 laptops): the panes scroll.
        root.geometry(f"{min(1040, root.winfo_screenwidth() - 40)}x{min(800, root.winfo_screenheight() - 80)}")
        root.minsize(820, 600)
        root.columnconfigure(0, weight=1)
        root.rowconfigure(3, weight=1)
        style = ttk.Style(root)
        if "clam" in style.theme_names() and os.name != "nt" and root.tk.call("tk", "windowingsystem") == "x11":
            style.theme_use("clam")
        line = self.fonts["bold"].metrics("linespace")
        style.configure("Treeview", rowheight=line + 10)
        style.configure("Treeview.Heading", font=self.fonts["heading"])
        style.configure("Title.TLabel", font=self.fonts["title"])
        style.configure("Heading.TLabel", font=self.fonts["bold"])
        style.configure("Bad.TLabel", foreground=model.COLOURS["fail"][1])
        style.configure("Good.TLabel", foreground=model.COLOURS["pass"][1])
        style.configure("Hint.TLabel", foreground="#444444")
        for status, (bg, fg) in model.COLOURS.items():
            style.configure(f"{status}.Verdict.TLabel", background=bg, foreground=fg, font=self.fonts["verdict"],
                            padding=(12, 8))
            style.configure(f"{status}.Notice.TLabel", background=bg, foreground=fg, padding=(12, 6))

        header = ttk.Frame(root, padding=(16, 12, 16, 4))
        header.grid(row=0, column=0, sticky="ew")
        header.columnconfigure(0, weight=1)
        self.title_label = ttk.Label(header, style="Title.TLabel")
        self.title_label.grid(row=0, column=0, sticky="w")
        self.intro_label = ttk.Label(header)
        self.intro_label.grid(row=1, column=0, columnspan=2, sticky="w", pady=(2, 0))
        self.header = header

        seeker = ttk.Frame(root, padding=(16, 6))
        seeker.grid(row=1, column=0, sticky="ew")
        seeker.columnconfigure(2, weight=1)
        self.seeker_label = ttk.Label(seeker, style="Heading.TLabel")
        self.seeker_label.grid(row=0, column=0, sticky="w", padx=(0, 10))
        self.seeker_var = tk.StringVar(root)
        self.seeker_entry = ttk.Entry(seeker, textvariable=self.seeker_var, width=22, font="TkTextFont")
        self.seeker_entry.grid(row=0, column=1, sticky="w")
        self.seeker_message = ttk.Label(seeker, style="Hint.TLabel")
        self.seeker_message.grid(row=0, column=2, sticky="w", padx=(12, 0))
        self.seeker_var.trace_add("write", lambda *a: self._seeker_changed())

        status = ttk.Frame(root, padding=(16, 4))
        status.grid(row=2, column=0, sticky="ew")
        status.columnconfigure(0, weight=1)
        self.verdict_label = ttk.Label(status, style="skipped.Verdict.TLabel", anchor="w")
        self.verdict_label.grid(row=0, column=0, sticky="ew")
        self.progress = ttk.Progressbar(status, mode="determinate", maximum=1)
        self.progress.grid(row=1, column=0, sticky="ew", pady=(6, 0))
        self.progress_label = ttk.Label(status)
        self.progress_label.grid(row=2, column=0, sticky="w")

        body = ttk.Panedwindow(root, orient="vertical")
        body.grid(row=3, column=0, sticky="nsew", padx=16, pady=4)
        table = ttk.Frame(body)
        table.columnconfigure(0, weight=1)
        table.rowconfigure(0, weight=1)
        self.tree = ttk.Treeview(table, columns=("result", "item", "summary"), show="headings",
                                 selectmode="browse", height=5)
        self.tree.column("result", width=110, stretch=False, anchor="w")
        self.tree.column("item", width=300, stretch=False, anchor="w")
        self.tree.column("summary", width=600, stretch=True, anchor="w")
        for status_name, (bg, fg) in model.COLOURS.items():
            self.tree.tag_configure(status_name, background=bg, foreground=fg)
        scroll = ttk.Scrollbar(table, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.grid(row=0, column=0, sticky="nsew")
        scroll.grid(row=0, column=1, sticky="ns")
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.show_detail())
        self.tree.bind("<Return>", lambda e: self.open_row())
        self.tree.bind("<KP_Enter>", lambda e: self.open_row())
        self.tree.bind("<space>", lambda e: self.open_row())
        self.tree.bind("<Double-1>", lambda e: self.open_row())
        body.add(table, weight=1)

        self.detail = DetailPane(body, self.fonts, on_open=self.open_link)
        self.open_button = self.detail.open_button
        body.add(self.detail, weight=2)

        self.notice = ttk.Label(root, style="skipped.Notice.TLabel", anchor="w", justify="left")
        self.notice.grid(row=4, column=0, sticky="ew", padx=16)
        self.notice.grid_remove()

        actions = ttk.Frame(root, padding=(16, 8, 16, 14))
        actions.grid(row=5, column=0, sticky="ew")
        actions.columnconfigure(3, weight=1)
        self.recheck_button = ttk.Button(actions, command=self.start_check)
        self.save_button = ttk.Button(actions, command=self.save)
        self.send_button = ttk.Button(actions, command=self.send)
        self.recheck_button.grid(row=0, column=0, padx=(0, 8))
        self.save_button.grid(row=0, column=1, padx=(0, 8))
        self.send_button.grid(row=0, column=2)
        # Created last so that Tab reaches it last; placed in the header.
        self.lang_button = ttk.Button(root, command=self.toggle_lang)
        self.lang_button.grid(in_=header, row=0, column=1, sticky="e")

        root.bind_class("TButton", "<Return>", lambda e: e.widget.invoke())
        root.bind_class("TButton", "<KP_Enter>", lambda e: e.widget.invoke())
        keys = {"r": self.start_check, "s": self.save, "u": self.send, "o": self.open_link, "l": self.toggle_lang}
        for letter, action in keys.items():
            for seq in (f"<Alt-{letter}>", f"<Alt-{letter.upper()}>"):
                root.bind(seq, lambda e, a=action: self._if_enabled(a))
        root.bind("<F5>", lambda e: self._if_enabled(self.start_check))
        root.bind("<Control-r>", lambda e: self._if_enabled(self.start_check))
        root.bind("<Control-s>", lambda e: self._if_enabled(self.save))
        self.seeker_entry.focus_set()

    def _if_enabled(self, action) -> str:
        button = {self.start_check: self.recheck_button, self.save: self.save_button, self.send: self.send_button,
                  self.open_link: self.open_button}.get(action)
        if self.consent is None and (button is None or button.instate(["!disabled"])):
            action()
        return "break"

    def _rewrap(self, event=None) -> None:
        self.notice.configure(wraplength=max(300, self.root.winfo_width() - 60))

    # --- language -------------------------------------------------------------------------
    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "ja" else "ja"
        self.apply_lang()

    def apply_lang(self) -> None:
        t = lambda key, **kw: model.text(self.lang, key, **kw)  # noqa: E731
        self.root.title(t("title"))
        self.title_label.configure(text=t("title"))
        self.intro_label.configure(text=t("intro"))
        self.seeker_label.configure(text=t("seeker_label"))
        for button, key in ((self.recheck_button, "recheck"), (self.save_button, "save"),
                            (self.send_button, "send")):
            label = t(key)
            button.configure(text=label, underline=_underline(label))
        self.lang_button.configure(text=f"{t('lang_button')} (L)", underline=len(t("lang_button")) + 2)
        for col in ("result", "item", "summary"):
            self.tree.heading(col, text=t(f"col_{col}"))
        self._seeker_changed()
        self._show_run()
        if self.notice_kind and getattr(self, "_notice_source", None):
            self._notice_source()

    # --- seeker number ----------------------------------------------------------------------
    def seeker_state(self) -> model.SeekerState:
        return model.validate_seeker(self.seeker_var.get(), self.lang)

    def _seeker_changed(self) -> None:
        state = self.seeker_state()
        style = "Hint.TLabel" if state.value is None and state.ok else "Good.TLabel" if state.ok else "Bad.TLabel"
        self.seeker_message.configure(text=state.message, style=style)

    # --- checking ---------------------------------------------------------------------------
    def start_check(self) -> None:
        if self.job is not None and not self.job.finished:
            return
        self.recheck_button.state(["disabled"])
        self.save_button.state(["disabled"])
        self.send_button.state(["disabled"])
        self.progress.configure(value=0, maximum=1)
        self.progress.grid()
        self.progress_label.configure(text=model.text(self.lang, "starting"))
        self._progress = (0, 0)
        replay, now, rules_dir = self.replay, self.now, self.rules_dir
        seeker = self.seeker_state().value
        self.job = Job(self.root, lambda post: work.check(post, replay, now, rules_dir, seeker),
                       on_message=self._on_progress, on_done=self._on_checked, on_error=self._on_check_error)

    def _on_progress(self, kind: str, n: int) -> None:
        done, total = self._progress
        done, total = (done, n) if kind == "total" else (n, total)
        self._progress = (done, total)
        self.progress.configure(maximum=max(total, done, 1), value=done)
        self.progress_label.configure(text=model.text(self.lang, "running", done=done, total=max(total, done)))

    def _on_checked(self, result) -> None:
        self.rules, self.run = result
        self.progress.grid_remove()
        for button in (self.recheck_button, self.save_button, self.send_button):
            button.state(["!disabled"])
        self._show_run(select_first=True)
        self._mark("report")

    def _on_check_error(self, exc: BaseException) -> None:
        self.progress.grid_remove()
        self.recheck_button.state(["!disabled"])
        reason = exc.diagnostics() if hasattr(exc, "diagnostics") else f"{type(exc).__name__}: {exc}"
        self.progress_label.configure(text=model.text(self.lang, "check_error", reason=reason))

    def _show_run(self, select_first: bool = False) -> None:
        if self.run is None:
            return
        report = self.run.report
        selected = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        for row in model.rows(report, self.rules, self.lang):
            self.tree.insert("", "end", iid=row.id, values=(row.result, row.title, row.summary), tags=(row.status,))
        head, help_text = model.verdict_line(report, self.lang)
        self.verdict_label.configure(text=f"{head}　{help_text}", style=f"{report['verdict']}.Verdict.TLabel")
        done = model.text(self.lang, "done")
        if self.run.rules_stale:
            done += "\n" + model.text(self.lang, "stale", as_of=report["checker"]["rules_as_of"])
        self.progress_label.configure(text=done)
        target = selected[0] if selected and not select_first else self.tree.get_children()[0]
        self.tree.selection_set(target)
        self.tree.focus(target)
        self.tree.see(target)
        self.show_detail()

    def show_detail(self) -> None:
        sel = self.tree.selection()
        if not sel or self.run is None:
            return
        self.detail.show(model.detail(self.run.report, self.rules, sel[0], self.lang), self.lang)

    def open_row(self) -> str:
        """Enter on a row: go to its settings button (or stay when there is nothing to open)."""
        self.show_detail()
        if self.detail.current and self.detail.current.link:
            self.open_button.focus_set()
        return "break"

    def open_link(self) -> None:
        d = self.detail.current
        if d and d.link:
            work.open_link(d.link)

    # --- saving and sending -------------------------------------------------------------------
    def report_to_sign(self) -> dict | None:
        state = self.seeker_state()
        if not state.ok:
            self.show_notice("fail", model.text(self.lang, "seeker_fix_first", reason=state.message.lstrip("✖ ")))
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
            parent=self.root, title=model.text(self.lang, "save_title"), initialfile=model.default_filename(report),
            defaultextension=".json", filetypes=[("JSON", "*.json")])
        if not path:
            return
        try:
            from envcheck.files import write_atomic

            signed = work.sign(report)
            write_atomic(path, (json.dumps(signed, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - shown to the person, who can pick another folder
            reason = exc.diagnostics() if hasattr(exc, "diagnostics") else getattr(exc, "strerror", None) or str(exc)
            self.show_notice("fail", model.text(self.lang, "save_error", reason=reason))
            return
        self.show_notice("pass", model.text(self.lang, "saved", path=path))

    def send(self) -> None:
        if self.run is None or self.consent is not None or (self.send_job and not self.send_job.finished):
            return
        report = self.report_to_sign()
        if report is None:
            return
        from envcheck.upload import UploadError, find_config

        try:
            config = find_config()
        except UploadError as exc:
            self.show_notice("fail", exc.diagnostics())
            return
        if config is None:
            self.show_notice("unknown", model.text(self.lang, "no_server"))
            return
        body = model.consent_text(report, self.rules, self.lang)
        self.consent = ConsentDialog(self.root, self.lang, body, on_accept=lambda: self._consented(report, config),
                                     on_cancel=self._not_consented, fonts=self.fonts)

    def _not_consented(self) -> None:
        self.consent = None
        self.show_notice("skipped", model.text(self.lang, "not_sent"))
        self.send_button.focus_set()

    def _consented(self, report: dict, config) -> None:
        self.consent = None
        self.send_button.state(["disabled"])
        self.show_notice("skipped", model.text(self.lang, "sending"))
        self.send_job = Job(self.root, lambda post: work.deliver(report, config), on_done=self._on_sent,
                            on_error=lambda exc: self._on_sent((None, exc)))

    def _on_sent(self, result) -> None:
        receipt, error = result
        self.send_button.state(["!disabled"])
        self.send_button.focus_set()
        render = lambda: model.send_outcome(self.lang, receipt, error)  # noqa: E731
        outcome = render()
        self.last_outcome = outcome
        kind = {"sent": "pass", "kept": "warn", "refused": "fail"}[outcome.kind]

        def show():
            o = render()
            self.show_notice(kind, f"{o.message}\n{o.help}", source=show)
        show()

    def show_notice(self, kind: str, message: str, source=None) -> None:
        self.notice_kind = kind
        self._notice_source = source
        self.notice.configure(text=message, style=f"{kind}.Notice.TLabel")
        self.notice.grid()
        self._rewrap()

    def flush_outbox(self) -> None:
        """Reports kept after a failed send go out when the app opens again (consent was given then)."""
        def done(receipts):
            if receipts and self.notice_kind is None:
                self.show_notice("pass", model.text(self.lang, "outbox_sent", receipts=", ".join(receipts)))

        Job(self.root, work.flush_outbox, on_done=done, on_error=lambda exc: None)

    def _mark(self, what: str) -> None:
        if self.trace:
            try:
                with open(self.trace, "a", encoding="utf-8") as fh:
                    fh.write(f"{what} {time.time():.3f}\n")
            except OSError:
                pass


