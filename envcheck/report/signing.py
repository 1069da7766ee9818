"""Device key and report signatures (Ed25519 over RFC 8785 canonical JSON).

    >>> key = load_or_create_key()          # the device key, made on first use
    >>> signed = sign_report(report, key)   # adds "signature"
    >>> verify_report(signed)               # returns the Verified facts or raises InvalidReport

What a signature proves and what it cannot: docs/trust.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from envcheck.report.canonical import CanonicalError, canonical
from envcheck.errors import EnvcheckError
from envcheck.files import write_atomic
from envcheck.report.schema import InvalidReport, validate_report

KEY_FILE = "device_key.pem"


class DeviceKeyError(EnvcheckError):
    """The device key cannot be created or stored."""


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 of the raw 32-byte public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _write_private(path: str, key: Ed25519PrivateKey) -> None:
    """Owner-only (0600) from the first byte, then an atomic rename: never a readable or half key."""
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_atomic(path, pem, mode=0o600)


def load_or_create_key(directory: str | None = None, warn=None) -> Ed25519PrivateKey:
    """The device key from the user's data folder; created on first use.

    A corrupt or unreadable key file is kept aside (never overwritten) with a
    warning, and a new key is made: the service then sees a new device key.
    """
    from envcheck.paths import data_dir

    directory = directory or data_dir()
    path = os.path.join(directory, KEY_FILE)
    warn = warn or (lambda msg: print(f"envcheck: warning: {msg}", file=sys.stderr))
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise DeviceKeyError(f"cannot create {directory}: {exc.strerror or exc}") from None
    try:
        with open(path, "rb") as fh:
            data = fh.read(64 * 1024)
    except FileNotFoundError:
        data = None
    except OSError as exc:
        data = b""
        warn(f"the device key {path} cannot be read ({exc.strerror or exc})")
    if data is not None:
        try:
            key = serialization.load_pem_private_key(data, password=None)
            if isinstance(key, Ed25519PrivateKey):
                return key
            problem = "is not an Ed25519 key"
        except (ValueError, TypeError, binascii.Error):
            problem = "is corrupt"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = f"{path}.broken-{stamp}"
        try:
            os.replace(path, aside)
            warn(f"the device key {problem}; kept it as {aside} and made a new key "
                 "(the office will see a new device)")
        except OSError as exc:
            raise DeviceKeyError(f"the device key {problem} and cannot be moved aside: {exc.strerror or exc}") from None
    key = Ed25519PrivateKey.generate()
    try:
        _write_private(path, key)
    except EnvcheckError as exc:
        raise DeviceKeyError(f"cannot store the device key: {exc.diagnostics()}") from None
    return key


def canonical_bytes(report: dict, checked: bool = False) -> bytes:
    """The signed bytes: RFC 8785 canonical JSON of the report without its signature."""
    body = {k: v for k, v in report.items() if k != "signature"}
    return canonical(body, checked)


def sign_report(report: dict, key: Ed25519PrivateKey) -> dict:
    public = key.public_key()
    body = {k: v for k, v in report.items() if k != "signature"}
    value = key.sign(canonical_bytes(body))
    raw_pub = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {**body, "signature": {"alg": "Ed25519", "key_id": key_id(public),
                                  "public_key": base64.b64encode(raw_pub).decode("ascii"),
                                  "value": base64.b64encode(value).decode("ascii")}}


@dataclass(frozen=True)
class Verified:
    report_id: str
    key_id: str
    created_at: str
    verdict: str
    seeker_no: str | None
    plain: bool = False
    """validate_report found the report plain: canonical(doc, checked=True) is RFC 8785."""


def verify_report(doc: object) -> Verified:
    """Check format and signature; return what was verified or raise InvalidReport (fail closed)."""
    plain = validate_report(doc)
    assert isinstance(doc, dict)
    sig = doc["signature"]
    try:
        raw_pub = base64.b64decode(sig["public_key"], validate=True)
        value = base64.b64decode(sig["value"], validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw_pub)
    except (binascii.Error, ValueError) as exc:
        raise InvalidReport(f"signature: unreadable public key or value ({exc})") from None
    if key_id(public) != sig["key_id"]:
        raise InvalidReport("signature: key_id does not match the public key")
    try:
        public.verify(value, canonical_bytes(doc, plain))
    except CanonicalError as exc:
        raise InvalidReport(f"report: no canonical form ({exc})") from None
    except InvalidSignature:
        raise InvalidReport("bad signature: the report was changed after it was signed, "
                            "or signed by another key") from None
    return Verified(doc["report_id"], sig["key_id"], doc["created_at"], doc["verdict"], doc.get("seeker_no"), plain)
