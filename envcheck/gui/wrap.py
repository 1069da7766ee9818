"""Line breaking for Japanese mixed with Latin words, by pixel width (JIS X 4051 禁則, simplified).

Tk wraps either at spaces (Japanese has none, so a long run breaks anywhere) or at any character
(so a line can start with 「、」 and 'Windows' breaks in the middle). The window lays out its texts
itself: `wrap(text, width, measure)` keeps Latin words whole, never starts a line with closing
punctuation or small kana, never ends one with an opening bracket. Pure: `measure` gives pixels.
"""

from __future__ import annotations

import re
from typing import Callable

# May not start a line (closing brackets, punctuation, small kana, prolonged sound mark).
NO_START = set("、。，．,.)）」』】〕〉》］｝!！?？:：;；・ー―‐〜～…‥"
               "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ"
               "%％」")
# May not end a line (opening brackets).
NO_END = set("(（「『【〔〈《［｛")
# A Latin "word": letters, digits and the marks that hold them together (URLs, versions, 22631.6199).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.,:/\-+#@%&=?~'’]*[A-Za-z0-9%)/]?|\s+|.", re.S)


def units(text: str) -> list[str]:
    """The unbreakable pieces of one paragraph, with 禁則 characters glued to their neighbours."""
    out: list[str] = []
    glue_next = False
    for tok in _TOKEN.findall(text):
        if out and not tok.isspace() and (tok[0] in NO_START or glue_next):
            out[-1] += tok
        else:
            out.append(tok)
        glue_next = bool(tok) and tok[-1] in NO_END
    return out


def wrap(text: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """Lines of `text` no wider than `width` pixels (a single unit wider than that gets its own line).

    A line's width is the sum of its units' widths: each distinct unit is measured once (a Tk call
    per measurement is what costs; kerning across a break point is negligible)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for unit in units(para):
            if not line and unit.isspace():
                continue  # no leading space on a continued line
            w = measure(unit)
            if line and used + w > width:
                lines.append(line.rstrip())
                line, used = ("", 0) if unit.isspace() else (unit, w)
                if used > width and len(line) > 1:
                    # One unit longer than the line (a long URL): break it by characters.
                    part, pw = "", 0
                    for ch in line:
                        cw = measure(ch)
                        if part and pw + cw > width:
                            lines.append(part)
                            part, pw = "", 0
                        part, pw = part + ch, pw + cw
                    line, used = part, pw
            else:
                line, used = line + unit, used + w
        lines.append(line.rstrip())
    return lines


def measurer(font) -> Callable[[str], int]:
    """font.measure with a cache (a relayout measures the same prefixes again)."""
    cache: dict[str, int] = {}

    def measure(s: str) -> int:
        v = cache.get(s)
        if v is None:
            v = cache[s] = font.measure(s)
        return v

    return measure
