"""The lower pane: the selected requirement, why it matters, how to fix it, and a button to its settings."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from envcheck.gui import model
from envcheck.gui.dialogs import _underline


class DetailPane(ttk.Frame):
    def __init__(self, parent, fonts: dict, on_open):
        super().__init__(parent, padding=(0, 8, 0, 0))
        self.columnconfigure(0, weight=1)
        self.rowconfigure(1, weight=1)
        self.current: model.Detail | None = None
        self.heading = ttk.Label(self, style="Heading.TLabel")
        self.heading.grid(row=0, column=0, sticky="w", pady=(0, 4))
        self.text = tk.Text(self, wrap="char", height=6, relief="flat", borderwidth=0, font="TkTextFont",
                            padx=6, pady=4, takefocus=True, highlightthickness=1, cursor="arrow",
                            spacing1=1, spacing3=3)
        self.text.tag_configure("h", font=fonts["bold"], spacing1=6)
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scroll.set, state="disabled")
        self.text.grid(row=1, column=0, sticky="nsew")
        scroll.grid(row=1, column=1, sticky="ns")
        self.text.bind("<Tab>", lambda e: (self.text.tk_focusNext().focus_set(), "break")[1])
        self.text.bind("<Shift-Tab>", lambda e: (self.text.tk_focusPrev().focus_set(), "break")[1])
        self.open_button = ttk.Button(self, command=on_open)
        self.open_button.grid(row=0, column=0, columnspan=2, sticky="e", pady=(0, 4))
        self.open_button.grid_remove()

    def show(self, d: model.Detail, lang: str) -> None:
        self.current = d
        self.heading.configure(text=d.heading)
        t = self.text
        t.configure(state="normal", wrap="char" if lang == "ja" else "word")
        t.delete("1.0", "end")
        t.insert("end", d.summary + "\n")
        t.insert("end", model.text(lang, "why") + "\n", "h")
        t.insert("end", d.why + "\n")
        t.insert("end", model.text(lang, "fix") + "\n", "h")
        t.insert("end", d.fix)
        t.configure(state="disabled")
        if d.link:
            self.open_button.configure(text=d.link_label, underline=_underline(d.link_label))
            self.open_button.grid()
        else:
            self.open_button.grid_remove()

    def contents(self) -> str:
        return self.heading.cget("text") + "\n" + self.text.get("1.0", "end-1c")
