"""The consent dialog: the exact text of what will be sent, then an explicit choice.

It never blocks (no wait_window): the choice arrives through callbacks, so the window keeps
repainting and tests can drive it with events.
"""

from __future__ import annotations

import contextlib
import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk
from typing import Callable

from envcheck.gui import model
from envcheck.gui.wrap import measurer, wrap


def focus_and_break(widget: tk.Misc | None) -> str:
    """Move the focus to `widget` (Tk's next/previous in Tab order) and stop Tk's own handling."""
    if widget is not None:
        widget.focus_set()
    return "break"


class ConsentDialog(tk.Toplevel):
    def __init__(self, parent, lang: str, body: str, on_accept: Callable[[], None],
                 on_cancel: Callable[[], None], fonts: dict, details: str = ""):
        super().__init__(parent)
        self.lang = lang
        self._on_accept, self._on_cancel = on_accept, on_cancel
        self.title(model.text(lang, "consent_title"))
        self.transient(parent)
        self.geometry("+%d+%d" % (parent.winfo_rootx() + 40, parent.winfo_rooty() + 30))
        self.minsize(640, 480)
        self.columnconfigure(0, weight=1)
        self.rowconfigure(0, weight=1)

        frame = ttk.Frame(self, padding=12)
        frame.grid(row=0, column=0, sticky="nsew")
        frame.columnconfigure(0, weight=1)
        frame.rowconfigure(0, weight=1)
        em = fonts["bold"].measure("あ")
        self.minsize(min(40 * em, parent.winfo_screenwidth() - 40), min(24 * em, parent.winfo_screenheight() - 80))
        self.text = tk.Text(frame, wrap="none", width=60, height=20, relief="solid", borderwidth=1,
                            font="TkTextFont", padx=8, pady=6, takefocus=True)
        self.body, self.details, self.showing_details = body, details, False
        self._measure = measurer(tkfont.nametofont("TkTextFont"))
        self._width = 0
        self.text.bind("<Configure>", self._resized, add="+")
        self._fill()
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scroll.set)
        self.text.grid(row=0, column=0, sticky="nsew")
        scroll.grid(row=0, column=1, sticky="ns")
        # Tab leaves the read-only text instead of being swallowed by it.
        self.text.bind("<Tab>", lambda e: focus_and_break(self.text.tk_focusNext()))
        self.text.bind("<Shift-Tab>", lambda e: focus_and_break(self.text.tk_focusPrev()))

        buttons = ttk.Frame(frame, padding=(0, 10, 0, 0))
        buttons.grid(row=1, column=0, columnspan=2, sticky="e")
        self.accept_button = ttk.Button(buttons, text=model.text(lang, "consent_yes"), command=self.accept,
                                        underline=_underline(model.text(lang, "consent_yes")))
        self.cancel_button = ttk.Button(buttons, text=model.text(lang, "consent_no"), command=self.cancel,
                                        underline=_underline(model.text(lang, "consent_no")))
        self.more_button = ttk.Button(buttons, command=self.toggle_details)
        self.more_button.grid(row=0, column=0, padx=(0, 24))
        self.accept_button.grid(row=0, column=1, padx=(0, 8))
        self.cancel_button.grid(row=0, column=2)
        self._label_more()

        self.protocol("WM_DELETE_WINDOW", self.cancel)
        self.bind("<Escape>", lambda e: self.cancel())
        for key in ("<Alt-a>", "<Alt-A>"):
            self.bind(key, lambda e: self.accept())
        for key in ("<Alt-c>", "<Alt-C>"):
            self.bind(key, lambda e: self.cancel())
        for key in ("<Alt-m>", "<Alt-M>"):
            self.bind(key, lambda e: self.toggle_details())
        self.text.focus_set()
        try:
            self.grab_set()  # modal for the mouse and keyboard, without a nested event loop
        except tk.TclError:  # not viewable yet on some window managers
            self.after(50, self._grab_later)

    def _resized(self, event) -> None:
        if event.width != self._width:
            self._width = event.width
            self._fill()

    def _fill(self) -> None:
        """The plain text (wrapped with 禁則, Latin words whole); the field names only behind 「詳しく」."""
        text = self.body + ("\n" + self.details if self.showing_details and self.details else "")
        width = self._width - 24 if self._width > 50 else 10 ** 6
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        self.text.insert("1.0", "\n".join(wrap(text, width, self._measure)))
        self.text.configure(state="disabled")

    def toggle_details(self) -> None:
        self.showing_details = not self.showing_details
        self._fill()
        self._label_more()
        if self.showing_details:
            self.text.see("end")

    def _label_more(self) -> None:
        label = model.text(self.lang, "consent_less" if self.showing_details else "consent_more")
        self.more_button.configure(text=label, underline=_underline(label))
        if not self.details:
            self.more_button.grid_remove()

    def _grab_later(self) -> None:
        with contextlib.suppress(tk.TclError):
            self.grab_set()

    def accept(self) -> None:
        self._close()
        self._on_accept()

    def cancel(self) -> None:
        self._close()
        self._on_cancel()

    def _close(self) -> None:
        try:
            self.grab_release()
        finally:
            self.destroy()


def _underline(label: str) -> int:
    """Index of the accelerator letter in '送信(U)' or 'Send (U)'; -1 when there is none."""
    if label.endswith(")") and len(label) >= 3 and label[-3] == "(":
        return len(label) - 2
    return -1
