"""Just enough DER to read a certificate's issuer and subject names (standard library only).

The ssl module gives no parsed certificate when verification is off, and interception must be
judged on exactly those certificates, so the leaf's TBSCertificate is walked here.
"""

from __future__ import annotations

_OIDS = {"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C"}


class DerError(ValueError):
    pass


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the element at pos."""
    if pos + 2 > len(data):
        raise DerError("truncated")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    if pos + length > len(data):
        raise DerError("truncated content")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int):
    pos = start
    while pos < end:
        tag, s, e = _tlv(data, pos)
        yield tag, s, e
        pos = e


def _oid(raw: bytes) -> str:
    if not raw:
        return ""
    parts = [raw[0] // 40, raw[0] % 40]
    n = 0
    for b in raw[1:]:
        n = (n << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(n)
            n = 0
    return ".".join(map(str, parts))


def _name(data: bytes, start: int, end: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for _, s, e in _children(data, start, end):           # SET OF
        for _, s2, e2 in _children(data, s, e):           # SEQUENCE {oid, value}
            kids = list(_children(data, s2, e2))
            if len(kids) != 2 or kids[0][0] != 0x06:
                continue
            key = _OIDS.get(_oid(data[kids[0][1]:kids[0][2]]))
            if key and key not in out:
                tag, vs, ve = kids[1]
                codec = "utf-16-be" if tag == 0x1E else "utf-8"
                out[key] = data[vs:ve].decode(codec, "replace")
    return out


def names(der: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(issuer, subject) of a DER certificate as {"CN", "O", "OU", "C"} (those present)."""
    _, s, e = _tlv(der, 0)                                # Certificate
    _, ts, te = _tlv(der, s)                              # TBSCertificate
    kids = list(_children(der, ts, te))
    if kids and kids[0][0] == 0xA0:                       # [0] version
        kids = kids[1:]
    if len(kids) < 5:
        raise DerError("not a certificate")
    issuer = _name(der, kids[2][1], kids[2][2])          # serial, signature, issuer, validity, subject
    subject = _name(der, kids[4][1], kids[4][2])
    return issuer, subject
