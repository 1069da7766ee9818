"""A certificate's issuer and subject names, read with cryptography.x509.

The ssl module gives no parsed certificate when verification is off, and interception must be
judged on exactly those certificates, so the leaf's DER bytes are parsed here.
"""

from __future__ import annotations

_NAMES = {"2.5.4.3": "CN", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.6": "C"}


class DerError(ValueError):
    pass


def _name(name) -> dict[str, str]:
    out: dict[str, str] = {}
    for attr in name:  # the first of each kind, as a person reads the name
        key = _NAMES.get(attr.oid.dotted_string)
        if key and key not in out:
            value = attr.value
            out[key] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return out


def names(der: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """(issuer, subject) of a DER certificate as {"CN", "O", "OU", "C"} (those present)."""
    from cryptography import x509

    try:
        cert = x509.load_der_x509_certificate(der)
        return _name(cert.issuer), _name(cert.subject)
    except ValueError as exc:  # cryptography reports malformed DER as ValueError
        raise DerError(f"not a certificate ({str(exc)[:80]})") from None
