"""The right pane: the selected requirement, how to fix it (first), why it matters, and its settings button.

Texts are laid out by envcheck/gui/wrap.py (禁則, whole Latin words) at the pane's width, again on resize.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from envcheck.gui import model
from envcheck.gui.dialogs import _underline, focus_and_break
from envcheck.gui.wrap import measurer, wrap


class WrappedLabel(ttk.Label):
    """A label whose text is broken into lines at its own width (it asks for no width of its own)."""

    def __init__(self, parent, font=None, **kw):
        super().__init__(parent, width=1, **kw)
        from tkinter import font as tkfont

        self._font = font or tkfont.nametofont(kw.get("font") or "TkDefaultFont")
        self._measure = measurer(self._font)
        self._raw = ""
        self.bind("<Configure>", lambda e: self._relayout(), add="+")

    def set(self, text: str) -> None:
        self._raw = text
        self._relayout()

    def raw(self) -> str:
        return self._raw

    def _relayout(self) -> None:
        pad = 2 * int(self._font.measure("あ"))  # the style's padding, roughly
        width = self.winfo_width()
        width = width - pad if width > 50 else 10 ** 6  # not laid out yet: one line per paragraph
        text = "\n".join(wrap(self._raw, width, self._measure))
        if self.cget("text") != text:
            self.configure(text=text)


class DetailPane(ttk.Frame):
    def __init__(self, parent, fonts: dict, on_open):
        super().__init__(parent, padding=(8, 0, 0, 0))
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self.current: model.Detail | None = None
        self.lang = "ja"
        self.fonts = fonts
        self.heading = WrappedLabel(self, font=fonts["bold"], style="Heading.TLabel")
        self.heading.grid(row=0, column=0, sticky="ew", pady=(0, 4))
        self.open_button = ttk.Button(self, command=on_open)
        self.open_button.grid(row=0, column=1, columnspan=2, sticky="ne", pady=(0, 4), padx=(8, 0))
        self.open_button.grid_remove()
        self.text = tk.Text(self, wrap="none", height=4, width=10, relief="flat", borderwidth=0, font="TkTextFont",
                            padx=8, pady=6, takefocus=True, highlightthickness=3, cursor="arrow",
                            spacing1=1, spacing3=3, highlightcolor="#1a56db")
        self.text.tag_configure("h", font=fonts["bold"], spacing1=8)
        self.text.tag_configure("fix", lmargin1=0)
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scroll.set, state="disabled")
        self.text.grid(row=1, column=0, columnspan=2, sticky="nsew")
        scroll.grid(row=1, column=2, sticky="ns")
        self.text.bind("<Tab>", lambda e: focus_and_break(self.text.tk_focusNext()))
        self.text.bind("<Shift-Tab>", lambda e: focus_and_break(self.text.tk_focusPrev()))
        self._measure = measurer(self._font())
        self._measure_bold = measurer(fonts["bold"])
        self._width = 0
        self.text.bind("<Configure>", self._resized, add="+")

    def _font(self):
        from tkinter import font as tkfont

        return tkfont.nametofont("TkTextFont")

    def _resized(self, event) -> None:
        if event.width != self._width:
            self._width = event.width
            self._fill()

    def show(self, d: model.Detail, lang: str) -> None:
        self.current, self.lang = d, lang
        self.heading.set(d.heading)
        self._fill()
        if d.link:
            self.open_button.configure(text=d.link_label, underline=_underline(d.link_label))
            self.open_button.grid()
        else:
            self.open_button.grid_remove()

    def _lines(self, text: str, bold: bool = False) -> str:
        pad = 2 * 8 + 2 * 3 + 4
        width = self._width - pad if self._width > 50 else 10 ** 6
        return "\n".join(wrap(text, width, self._measure_bold if bold else self._measure))

    def _fill(self) -> None:
        d = self.current
        if d is None:
            return
        t = self.text
        t.configure(state="normal")
        t.delete("1.0", "end")
        t.insert("end", self._lines(d.summary) + "\n")
        # 直し方 before なぜ必要か: what to do is what the seeker came for (ux-review U3).
        if d.id == model.PASSED_GROUP:
            t.insert("end", self._lines(d.fix))
        else:
            t.insert("end", self._lines(model.text(self.lang, "fix"), True) + "\n", "h")
            t.insert("end", self._lines(d.fix) + "\n", "fix")
            t.insert("end", self._lines(model.text(self.lang, "why"), True) + "\n", "h")
            t.insert("end", self._lines(d.why))
        t.configure(state="disabled")

    def contents(self) -> str:
        return self.heading.raw() + "\n" + self.text.get("1.0", "end-1c")
