"""The checker window: seeker number, progress, one row per requirement, details, save and send.

Checks and sending run in worker threads (envcheck/gui/jobs.py); texts and rows come from
envcheck/gui/model.py. The report is made only by envcheck.pipeline.run_check.
"""

from __future__ import annotations

import contextlib
import os
import time
import tkinter as tk
from datetime import datetime
from tkinter import ttk
from typing import Callable, cast

from envcheck.gui import fonts as fonts_mod
from envcheck.gui import model, work
from envcheck.gui.actions import Actions
from envcheck.gui.detail import DetailPane, WrappedLabel
from envcheck.gui.dialogs import ConsentDialog, _underline
from envcheck.gui.jobs import Job


class App(Actions):
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
        self.diag_job: Job | None = None
        self.check_error_reason = ""
        self.last_outcome = None
        from envcheck.office import load_office

        self.office = load_office()
        self.trace = os.environ.get("ENVCHECK_GUI_TRACE")  # bench: timestamps of the window and the report
        self.fonts = fonts_mod.setup(root)
        if self.trace:  # before the layout: sizing the columns from the fonts maps the window already
            self.root.bind("<Map>", lambda e: self._mark("window") if e.widget is self.root else None, add="+")
        self._build()
        self.apply_lang()
        if autostart:
            self.root.after(10, self.start_check)
            self.root.after(200, self.flush_outbox)

    # --- layout ---------------------------------------------------------------------------
    # Every size comes from font metrics (em, line), so 150 % and 200 % scaling keep the proportions;
    # the list (left) and the selected item's fix (right) sit side by side so that the fix has the full
    # height; notices live in the send area, never over the fix (ux-review U3, U4).
    def _build(self) -> None:
        root = self.root
        f = self.fonts
        em = max(8, f["bold"].measure("あ"))
        line = f["bold"].metrics("linespace")
        self.em = em
        sw, sh = root.winfo_screenwidth(), root.winfo_screenheight()
        width = min(sw - 2 * em, 80 * em)
        height = min(sh - 5 * line, 52 * line)
        root.geometry(f"{width}x{height}")
        root.minsize(min(width, 44 * em), min(height, 26 * line))
        root.columnconfigure(0, weight=1)
        root.rowconfigure(2, weight=1)
        pad = em  # one em of margin
        style = ttk.Style(root)
        if "clam" in style.theme_names() and os.name != "nt" and root.tk.call("tk", "windowingsystem") == "x11":
            style.theme_use("clam")
        style.configure("Treeview", rowheight=line + em // 2)
        style.configure("Treeview.Heading", font=f["heading"])
        style.configure("Title.TLabel", font=f["title"])
        style.configure("Heading.TLabel", font=f["bold"])
        style.configure("Bad.TLabel", foreground=model.COLOURS["fail"][1])
        style.configure("Good.TLabel", foreground=model.COLOURS["pass"][1])
        style.configure("Hint.TLabel", foreground="#444444")
        style.configure("Send.TButton", font=f["bold"], padding=(em, em // 3))
        style.configure("Default.Send.TButton", font=f["bold"], padding=(em, em // 3), foreground="#ffffff",
                        background="#14532d")
        style.map("Default.Send.TButton", background=[("active", "#1d6b3c"), ("disabled", "#9aa5a0")])
        style.configure("Send.TLabelframe.Label", font=f["bold"])
        for kind, (bg, fg) in model.COLOURS.items():
            style.configure(f"{kind}.Verdict.TLabel", background=bg, foreground=fg, font=f["verdict"],
                            padding=(em * 3 // 4, em // 2))
            style.configure(f"{kind}.Next.TLabel", background=bg, foreground=fg, padding=(em * 3 // 4, 0, em * 3 // 4,
                                                                                            em // 2))
            style.configure(f"{kind}.Notice.TLabel", background=bg, foreground=fg, padding=(em * 3 // 4, em // 3))

        header = ttk.Frame(root, padding=(pad, em * 3 // 4, pad, em // 4))
        header.grid(row=0, column=0, sticky="ew")
        header.columnconfigure(0, weight=1)
        self.title_label = ttk.Label(header, style="Title.TLabel")
        self.title_label.grid(row=0, column=0, sticky="w")
        self.intro_label = WrappedLabel(header)
        self.intro_label.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(2, 0))
        self.header = header

        status = ttk.Frame(root, padding=(pad, em // 4))
        status.grid(row=1, column=0, sticky="ew")
        status.columnconfigure(0, weight=1)
        self.verdict_label = WrappedLabel(status, font=f["verdict"], style="skipped.Verdict.TLabel", anchor="w")
        self.verdict_label.grid(row=0, column=0, sticky="ew")
        self.next_label = WrappedLabel(status, style="skipped.Next.TLabel", anchor="w", justify="left")
        self.next_label.grid(row=1, column=0, sticky="ew")
        self.progress = ttk.Progressbar(status, mode="determinate", maximum=1)
        self.progress.grid(row=2, column=0, sticky="ew", pady=(em // 3, 0))
        self.progress_label = WrappedLabel(status)
        self.progress_label.grid(row=3, column=0, sticky="ew")

        body = ttk.Panedwindow(root, orient="horizontal")
        body.grid(row=2, column=0, sticky="nsew", padx=pad, pady=em // 4)
        table = ttk.Frame(body)
        table.columnconfigure(0, weight=1)
        table.rowconfigure(0, weight=1)
        self.tree = ttk.Treeview(table, columns=("result", "item"), show="headings", selectmode="browse", height=4)
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
        # Notices (sent, kept, refused, diagnosis) sit under the list, which has room to spare: they never
        # take height from the fix on the right (ux-review U3: the fix vanished once a notice appeared).
        self.notice = WrappedLabel(table, style="skipped.Notice.TLabel", anchor="nw", justify="left")
        self.notice.grid(row=1, column=0, columnspan=2, sticky="ew", pady=(em // 3, 0))
        self.notice.grid_remove()
        body.add(table, weight=0)

        self.detail = DetailPane(body, f, on_open=self.open_link)
        self.open_button = self.detail.open_button
        body.add(self.detail, weight=1)
        self.body = body
        self._size_columns()

        send = ttk.Labelframe(root, padding=(em * 3 // 4, em // 4, em * 3 // 4, em // 2), style="Send.TLabelframe")
        send.grid(row=3, column=0, sticky="ew", padx=pad, pady=(em // 4, 0))
        send.columnconfigure(2, weight=1)
        self.send_frame = send
        self.seeker_label = ttk.Label(send, style="Heading.TLabel")
        self.seeker_label.grid(row=0, column=0, sticky="w", padx=(0, em // 2))
        self.seeker_var = tk.StringVar(root)
        self.seeker_entry = ttk.Entry(send, textvariable=self.seeker_var, width=17, font="TkTextFont")
        self.seeker_entry.grid(row=0, column=1, sticky="w")
        self.send_button = ttk.Button(send, command=self.send, style="Send.TButton")
        self.send_button.grid(row=0, column=3, sticky="e", padx=(em, 0))
        self.seeker_message = WrappedLabel(send, style="Hint.TLabel")
        self.seeker_message.grid(row=1, column=0, columnspan=4, sticky="ew", pady=(em // 4, 0))
        self.seeker_var.trace_add("write", lambda *a: self._seeker_changed())
        # The office's one-time code (first send from this PC only): it makes this PC the one whose
        # reports count for booking; without it a counselor must confirm the PC first.
        self.enrol_label = ttk.Label(send, style="Hint.TLabel")
        self.enrol_label.grid(row=2, column=0, sticky="w", padx=(0, em // 2), pady=(em // 4, 0))
        self.enrol_var = tk.StringVar(root)
        self.enrol_entry = ttk.Entry(send, textvariable=self.enrol_var, width=17, font="TkTextFont")
        self.enrol_entry.grid(row=2, column=1, sticky="w", pady=(em // 4, 0))
        self.enrol_hint = WrappedLabel(send, style="Hint.TLabel")
        self.enrol_hint.grid(row=2, column=2, columnspan=2, sticky="ew", padx=(em // 2, 0), pady=(em // 4, 0))

        actions = ttk.Frame(root, padding=(pad, em // 2, pad, em * 3 // 4))
        actions.grid(row=4, column=0, sticky="ew")
        self.recheck_button = ttk.Button(actions, command=self.start_check)
        self.save_button = ttk.Button(actions, command=self.save)
        self.diagnose_button = ttk.Button(actions, command=self.diagnose)
        self.recheck_button.grid(row=0, column=0, padx=(0, em // 2))
        self.save_button.grid(row=0, column=1, padx=(0, em // 2))
        self.diagnose_button.grid(row=0, column=2)
        # Created last so that Tab reaches it last; placed in the header.
        self.lang_button = ttk.Button(root, command=self.toggle_lang)
        self.lang_button.grid(in_=header, row=0, column=1, sticky="e")

        root.bind_class("TButton", "<Return>", lambda e: cast(ttk.Button, e.widget).invoke())
        root.bind_class("TButton", "<KP_Enter>", lambda e: cast(ttk.Button, e.widget).invoke())
        keys = {"r": self.start_check, "s": self.save, "u": self.send, "o": self.open_link, "l": self.toggle_lang,
                "d": self.diagnose}
        for letter, action in keys.items():
            for seq in (f"<Alt-{letter}>", f"<Alt-{letter.upper()}>"):
                root.bind(seq, self._on_key(action))
        root.bind("<F5>", lambda e: self._if_enabled(self.start_check))
        root.bind("<Control-r>", lambda e: self._if_enabled(self.start_check))
        root.bind("<Control-s>", lambda e: self._if_enabled(self.save))
        self.seeker_entry.focus_set()

    def _size_columns(self) -> None:
        """Column widths from the font: the widest status word and the widest item title, both languages."""
        from tkinter import font as tkfont

        font = tkfont.nametofont("TkDefaultFont")
        em = self.em
        words = [model.status_label(s, lang) for s in model.STATUS_ORDER for lang in model.LANGS]
        words += [model.text(lang, "col_result") for lang in model.LANGS]
        self.tree.column("result", width=max(font.measure(w) for w in words) + em, stretch=False, anchor="w")
        titles = [model.text(lang, "passed_group", n=14) for lang in model.LANGS]
        if self.rules is not None:
            titles += [self.rules.check(c).title.get(self.lang) for c in self._check_ids()]
        widest = max(font.measure(t) for t in titles) + em
        item = min(widest, 24 * em)
        self.tree.column("item", width=item, stretch=True, anchor="w")
        result = int(self.tree.column("result", "width"))
        # The list is as wide as its words (never wider than 40 % of the window); the fix gets the rest.
        self.root.update_idletasks()
        total = min(result + item + 2 * em, int(self.body.winfo_width() * 0.4))
        with contextlib.suppress(tk.TclError):
            self.body.sashpos(0, total)

    def _check_ids(self) -> list[str]:
        return [c["id"] for c in self.run.report["checks"]] if self.run else []

    def _on_key(self, action: Callable[[], object]) -> Callable[[tk.Event], str]:
        return lambda e: self._if_enabled(action)

    def _if_enabled(self, action) -> str:
        button = {self.start_check: self.recheck_button, self.save: self.save_button, self.send: self.send_button,
                  self.open_link: self.open_button, self.diagnose: self.diagnose_button}.get(action)
        if self.consent is None and (button is None or button.instate(["!disabled"])):
            action()
        return "break"

    def t(self, key: str, **values) -> str:
        return model.text(self.lang, key, self.office, **values)

    # --- language -------------------------------------------------------------------------
    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "ja" else "ja"
        self.apply_lang()

    def apply_lang(self) -> None:
        t = self.t
        self.root.title(t("title"))
        self.title_label.configure(text=t("title"))
        self.intro_label.set(t("intro"))
        self.seeker_label.configure(text=t("seeker_label"))
        self.enrol_label.configure(text=t("enrol_label"))
        self.enrol_hint.set(t("enrol_hint"))
        self.send_frame.configure(text=t("send_heading"))
        for button, key in ((self.recheck_button, "recheck"), (self.save_button, "save"),
                            (self.send_button, "send"), (self.diagnose_button, "diagnose")):
            label = t(key)
            button.configure(text=label, underline=_underline(label))
        self.lang_button.configure(text=f"{t('lang_button')} (L)", underline=len(t("lang_button")) + 2)
        for col in ("result", "item"):
            self.tree.heading(col, text=t(f"col_{col}"))
        self._seeker_changed()
        if self.run is not None:
            self._size_columns()
        self._show_run()
        if self.run is None and self.check_error_reason:
            self._show_check_error()
        source = getattr(self, "_notice_source", None)
        if self.notice_kind and source:
            source()

    # --- seeker number ----------------------------------------------------------------------
    def seeker_state(self) -> model.SeekerState:
        return model.validate_seeker(self.seeker_var.get(), self.lang)

    def _seeker_changed(self) -> None:
        state = self.seeker_state()
        style = "Hint.TLabel" if state.value is None and state.ok else "Good.TLabel" if state.ok else "Bad.TLabel"
        self.seeker_message.configure(style=style)
        self.seeker_message.set(state.message)

    # --- checking ---------------------------------------------------------------------------
    def start_check(self) -> None:
        if self.job is not None and not self.job.finished:
            return
        for button in (self.recheck_button, self.save_button, self.send_button, self.diagnose_button):
            button.state(["disabled"])
        self.progress.configure(value=0, maximum=1)
        self.progress.grid()
        self.progress_label.grid()
        self.progress_label.set(self.t("starting"))
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
        self.progress_label.set(self.t("running", done=done, total=max(total, done)))

    def _on_checked(self, result) -> None:
        self.rules, self.run = result
        self.progress.grid_remove()
        self.progress_label.grid_remove()
        for button in (self.recheck_button, self.save_button, self.send_button, self.diagnose_button):
            button.state(["!disabled"])
        self._size_columns()
        self._show_run(select_first=True)
        self._mark("report")

    def _on_check_error(self, exc: BaseException) -> None:
        self.progress.grid_remove()
        self.recheck_button.state(["!disabled"])
        reason = exc.diagnostics() if hasattr(exc, "diagnostics") else f"{type(exc).__name__}: {exc}"
        self.check_error_reason = reason  # English detail: kept for support, shown in the English window
        self._show_check_error()

    def _show_check_error(self) -> None:
        text = self.t("check_error", reason=self.check_error_reason)
        if self.lang == "ja":  # no English in the Japanese window: the detail is in the English one
            text = text[:text.rindex("（詳細")]
        self.progress_label.set(text)

    def _show_run(self, select_first: bool = False) -> None:
        if self.run is None:
            return
        report = self.run.report
        selected = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        rows = model.rows(report, self.rules, self.lang)
        problems = [r for r in rows if r.status in model.PROBLEMS]
        for row in problems:
            self.tree.insert("", "end", iid=row.id, values=(row.result, row.title), tags=(row.status,))
        passed = [r for r in rows if r.status not in model.PROBLEMS]
        if passed:  # collapsed: the list shows what needs doing (ux-review §5, PC Health Check)
            self.tree.insert("", "end", iid=model.PASSED_GROUP, open=False, tags=("pass",),
                             values=(model.status_label("pass", self.lang),
                                     "▸ " + self.t("passed_group", n=len(passed))))
            for row in passed:
                self.tree.insert(model.PASSED_GROUP, "end", iid=row.id, values=(row.result, row.title),
                                 tags=(row.status,))
        head, next_step = model.verdict_line(report, self.lang, self.rules)
        v = report["verdict"]
        self.verdict_label.configure(style=f"{v}.Verdict.TLabel")
        self.verdict_label.set(head)
        self.next_label.configure(style=f"{v}.Next.TLabel")
        self.next_label.set(next_step)
        # 「ハローワークへ送信」 is the default action once the result passes (ux-review U27).
        self.send_button.configure(style="Default.Send.TButton" if v == "pass" else "Send.TButton")
        if selected and not select_first and self.tree.exists(selected[0]):
            target = selected[0]
        else:
            target = self.tree.get_children()[0]
        self.tree.selection_set(target)
        self.tree.focus(target)
        self.tree.see(target)
        self.show_detail()
        if select_first:
            (self.seeker_entry if v == "pass" else self.tree).focus_set()

    def show_detail(self) -> None:
        sel = self.tree.selection()
        if not sel or self.run is None:
            return
        if sel[0] == model.PASSED_GROUP and not self.tree.item(sel[0], "open"):
            self.tree.item(sel[0], open=True)
            label = self.tree.set(sel[0], "item")
            self.tree.set(sel[0], "item", "▾" + label[1:])
        self.detail.show(model.detail(self.run.report, self.rules, sel[0], self.lang, self.office), self.lang)

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

    def _mark(self, what: str) -> None:
        if self.trace:
            try:
                with open(self.trace, "a", encoding="utf-8") as fh:
                    fh.write(f"{what} {time.time():.3f}\n")
            except OSError:
                pass


