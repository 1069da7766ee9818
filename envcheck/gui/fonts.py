"""A readable default font (11 pt) in a family that has Japanese glyphs, where one is installed."""

from __future__ import annotations

import sys

SIZE = 11
PREFERRED = {
    "win": ("Yu Gothic UI", "Meiryo UI", "Meiryo", "MS UI Gothic", "MS PGothic"),
    "darwin": ("Hiragino Sans", "Hiragino Kaku Gothic ProN", "Hiragino Kaku Gothic Pro", "Osaka"),
    "linux": ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "IPAexGothic", "IPAPGothic",
              "TakaoPGothic", "VL PGothic", "Droid Sans Fallback"),
}


def pick_family(available, platform: str | None = None) -> str | None:
    """The first preferred CJK family that is installed (case-insensitive), or None (Tk's default)."""
    platform = platform or sys.platform
    key = "win" if platform.startswith("win") else "darwin" if platform == "darwin" else "linux"
    have = {f.lower(): f for f in available}
    order = PREFERRED[key] + tuple(f for k, fs in PREFERRED.items() if k != key for f in fs)
    for family in order:
        if family.lower() in have:
            return have[family.lower()]
    return None


def setup(root) -> dict:
    """Configure Tk's named fonts; return the extra fonts the window uses."""
    from tkinter import font as tkfont

    family = pick_family(tkfont.families(root))
    for name in ("TkDefaultFont", "TkTextFont", "TkMenuFont", "TkHeadingFont", "TkCaptionFont",
                 "TkSmallCaptionFont", "TkIconFont", "TkTooltipFont"):
        try:
            f = tkfont.nametofont(name, root=root)
        except Exception:  # noqa: BLE001 - a named font missing on this Tk: keep the others
            continue
        if family:
            f.configure(size=SIZE, family=family)
        else:
            f.configure(size=SIZE)
    base = tkfont.nametofont("TkDefaultFont", root=root).actual()
    fam = family or base["family"]
    return {
        "family": fam,
        "title": tkfont.Font(root=root, family=fam, size=SIZE + 5, weight="bold"),
        "verdict": tkfont.Font(root=root, family=fam, size=SIZE + 3, weight="bold"),
        "bold": tkfont.Font(root=root, family=fam, size=SIZE, weight="bold"),
        "heading": tkfont.Font(root=root, family=fam, size=SIZE, weight="bold"),
    }
