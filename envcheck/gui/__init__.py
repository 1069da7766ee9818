"""The desktop checker window (Tkinter): `envcheck gui`, or the built executable with no arguments."""

from __future__ import annotations

from datetime import datetime

from envcheck.errors import EnvcheckError


class WindowUnavailable(EnvcheckError):
    """No window can be opened here (no display, or no Tk)."""


def run(lang: str = "ja", replay: str | None = None, now: datetime | None = None,
        rules_dir: str | None = None) -> int:
    """Open the window (Japanese first, English by its button), check at once, return 0 when closed."""
    try:
        import tkinter as tk
    except ImportError as exc:  # a Python built without Tk
        raise WindowUnavailable(f"this Python has no Tk ({exc}); use `envcheck check`") from None
    from envcheck.gui.app import App

    try:
        root = tk.Tk(className="envcheck")
    except tk.TclError as exc:  # no display (e.g. an SSH session)
        raise WindowUnavailable(f"cannot open a window ({exc}); use `envcheck check`") from None
    App(root, lang=lang, replay=replay, now=now, rules_dir=rules_dir)
    root.mainloop()
    return 0
