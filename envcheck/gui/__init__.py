"""The desktop checker window (Tkinter): `envcheck gui`, or the built executable with no arguments."""

from __future__ import annotations

import sys
from datetime import datetime

from envcheck.errors import EnvcheckError


class WindowUnavailable(EnvcheckError):
    """No window can be opened here (no display, or no Tk)."""


def dpi_aware(platform: str | None = None) -> str:
    """Declare per-monitor DPI awareness on Windows before the first window, so that a 150 % laptop
    gets sharp text laid out by Tk's own scaling instead of a bitmap-stretched window.

    The manifest in build.spec says the same for the one-file build; this call covers `envcheck gui`
    from Python. Returns what was set ("per-monitor-v2", "per-monitor", "system", or "" elsewhere)."""
    if not (platform or sys.platform).startswith("win"):
        return ""
    return _declare_dpi_awareness()


def _declare_dpi_awareness() -> str:
    if sys.platform != "win32":  # ctypes.windll exists only there (mypy reads this guard too)
        return ""
    import ctypes

    try:  # Windows 10 1703+: DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2 = -4
        if ctypes.windll.user32.SetProcessDpiAwarenessContext(ctypes.c_void_p(-4)):
            return "per-monitor-v2"
    except (AttributeError, OSError):
        pass
    try:  # Windows 8.1+: PROCESS_PER_MONITOR_DPI_AWARE = 2 (S_OK = 0)
        if ctypes.windll.shcore.SetProcessDpiAwareness(2) == 0:
            return "per-monitor"
    except (AttributeError, OSError):
        pass
    try:
        return "system" if ctypes.windll.user32.SetProcessDPIAware() else ""
    except (AttributeError, OSError):
        return ""


def run(lang: str = "ja", replay: str | None = None, now: datetime | None = None,
        rules_dir: str | None = None) -> int:
    """Open the window (Japanese first, English by its button), check at once, return 0 when closed."""
    try:
        import tkinter as tk
    except ImportError as exc:  # a Python built without Tk
        raise WindowUnavailable(f"this Python has no Tk ({exc}); use `envcheck check`") from None
    from envcheck.gui.app import App

    dpi_aware()
    try:
        root = tk.Tk(className="envcheck")
    except tk.TclError as exc:  # no display (e.g. an SSH session)
        raise WindowUnavailable(f"cannot open a window ({exc}); use `envcheck check`") from None
    App(root, lang=lang, replay=replay, now=now, rules_dir=rules_dir)
    root.mainloop()
    return 0
