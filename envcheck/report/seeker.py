"""Job-seeker numbers: 5-digit office code and a serial of up to 8 digits, stored NNNNN-NNNNNNNN."""

from __future__ import annotations

import re
import unicodedata

from envcheck.errors import EnvcheckError, InvalidSeekerNumber

# Hyphen-like characters people type (IME output included): hyphen-minus, hyphens and
# dashes, minus sign, katakana prolonged sound mark, half/full-width variants.
_HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\uff70\ufe63\u2043\u02d7\u2796\u301c\uff5e~"


def normalize_seeker_no(text: str) -> str:
    """Return the number as NNNNN-NNNNNNNN, or raise InvalidSeekerNumber with the reason."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    compact = re.sub(r"\s+", "", raw)
    for h in _HYPHENS:
        compact = compact.replace(h, "-")
    if not compact:
        raise InvalidSeekerNumber("job-seeker number is empty")
    bad = sorted({c for c in compact if not (c.isascii() and (c.isdigit() or c == "-"))})
    if bad:
        raise InvalidSeekerNumber(f"job-seeker number may contain only digits and one hyphen, not {''.join(bad)!r}")
    parts = compact.split("-")
    if len(parts) == 1:
        if len(compact) != 13:
            raise InvalidSeekerNumber("job-seeker number without a hyphen must have 13 digits "
                                      f"(5 + 8), got {len(compact)}")
        office, serial = compact[:5], compact[5:]
    elif len(parts) == 2:
        office, serial = parts
    else:
        raise InvalidSeekerNumber("job-seeker number has more than one hyphen")
    if len(office) != 5:
        raise InvalidSeekerNumber(f"office code must have 5 digits, got {len(office)}")
    if not 1 <= len(serial) <= 8:
        raise InvalidSeekerNumber(f"serial must have 1 to 8 digits, got {len(serial)}")
    return f"{office}-{int(serial):08d}"


ENROL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class BadEnrolmentCode(EnvcheckError):
    """The text is not an enrolment code (wrong length or characters)."""


def normalize_enrolment_code(text: str) -> str:
    """What a person typed (any case, spaces, hyphens, O for 0, full-width) -> XXXX-XXXX-XXXX."""
    raw = unicodedata.normalize("NFKC", str(text)[:64]).upper().translate(_READ_AS)
    raw = "".join(ch for ch in raw if ch not in " -\u30fc\u2010\u2212")
    if len(raw) != 12 or any(ch not in ENROL_ALPHABET for ch in raw):
        raise BadEnrolmentCode("an enrolment code has 12 letters and digits, like 7K3M-Q9TX-2HCP "
                               "(登録コードは英数字12文字です)")
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
