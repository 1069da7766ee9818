"""Passwords (scrypt), API and session tokens (stored hashed), CSRF, and the server's receipt key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from envcheck.report.canonical import canonical
from envcheck.errors import EnvcheckError
from envcheck.report.signing import key_id

ROLES = ("counselor", "support", "admin")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class ServerKeyError(EnvcheckError):
    """The server key is missing or unreadable."""


def hash_password(password: str) -> str:
    """scrypt (memory-hard, 16 MiB) with a random salt: 'scrypt$n$r$p$salt$hash'."""
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT, maxmem=64 * 1024 * 1024, dklen=32)
    return "scrypt${n}${r}${p}${s}${h}".format(**_SCRYPT, s=base64.b64encode(salt).decode(),
                                               h=base64.b64encode(digest).decode())


def check_password(password: str, stored: str | None) -> bool:
    """Constant-time comparison; an unknown user (stored None) costs the same time and fails."""
    try:
        scheme, n, r, p, salt, want = (stored or "").split("$")
        params = {"n": int(n), "r": int(r), "p": int(p)}
        salt_b, want_b = base64.b64decode(salt), base64.b64decode(want)
        ok = scheme == "scrypt"
    except ValueError:
        params, salt_b, want_b, ok = _SCRYPT, b"\0" * 16, b"", False
    got = hashlib.scrypt(password.encode("utf-8"), salt=salt_b, **params, maxmem=64 * 1024 * 1024, dklen=32)
    return hmac.compare_digest(got, want_b) and ok


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are 256-bit random: a plain SHA-256 is enough to keep them out of the database."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login_csrf(secret: str, nonce: str) -> str:
    """The login form's CSRF token: bound to a cookie nonce by HMAC (no session exists yet)."""
    return hmac.new(secret.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def load_server_key(path: str) -> Ed25519PrivateKey:
    try:
        with open(path, "rb") as fh:
            key = serialization.load_pem_private_key(fh.read(64 * 1024), password=None)
    except FileNotFoundError:
        raise ServerKeyError(f"no server key at {path}: run `envcheck-server init` first") from None
    except (OSError, ValueError, TypeError) as exc:
        raise ServerKeyError(f"cannot read the server key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ServerKeyError(f"the server key {path} is not an Ed25519 key")
    return key


def create_server_key(path: str) -> bool:
    """Make the key if it does not exist (owner-only from the first byte); True when made."""
    from envcheck.files import write_atomic

    if os.path.exists(path):
        load_server_key(path)
        return False
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_atomic(path, pem, mode=0o600)
    return True


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign_receipt(body: dict, key: Ed25519PrivateKey) -> dict:
    """Add {"signature": {"alg", "key_id", "value"}} over the RFC 8785 canonical JSON of `body`."""
    value = key.sign(canonical(body))
    return {**body, "signature": {"alg": "Ed25519", "key_id": key_id(key.public_key()),
                                  "value": base64.b64encode(value).decode("ascii")}}


SECURITY_HEADERS = [  # on every response: the app's middleware (app.py) and the server's own refusals (serving.py)
    (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
