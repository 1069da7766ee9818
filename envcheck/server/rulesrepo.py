"""Publishing the rules set as a TUF repository (python-tuf's Metadata API).

Layout of a repository folder, served read-only by the intake service under /api/v1/rules/:

    metadata/  1.root.json 2.root.json …  timestamp.json  N.snapshot.json  N.targets.json
    targets/   <sha256>.rules.tar.gz      one archive of every rules/*.toml (one target: a set
                                          is always applied whole, never half old, half new)

Keys (one Ed25519 key per role: root, targets, snapshot, timestamp) live in a separate keys
folder, owner-only, never served. Consistent snapshots are on, so files are never rewritten
in place while a checker reads them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (Metadata, MetaFile, Role, Root, Snapshot, TargetFile, Targets, Timestamp)
from tuf.api.serialization.json import JSONSerializer

from envcheck.errors import EnvcheckError
from envcheck.files import write_atomic
from envcheck.ruleset.loader import FILES, load_rules

ROLES = ("root", "targets", "snapshot", "timestamp")
TARGET_NAME = "rules.tar.gz"
MAX_TARGET_BYTES = 1024 * 1024
EXPIRY = {"root": timedelta(days=365), "targets": timedelta(days=180), "snapshot": timedelta(days=30),
          "timestamp": timedelta(days=7)}


class RepoError(EnvcheckError):
    """The repository or its keys are missing or inconsistent."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _key_path(keys_dir: str, role: str) -> str:
    return os.path.join(keys_dir, f"{role}.pem")


def _save_signer(keys_dir: str, role: str, signer: CryptoSigner) -> None:
    os.makedirs(keys_dir, mode=0o700, exist_ok=True)
    write_atomic(_key_path(keys_dir, role), signer.private_bytes, mode=0o600)


def load_signer(keys_dir: str, role: str) -> CryptoSigner:
    try:
        with open(_key_path(keys_dir, role), "rb") as fh:
            private = load_pem_private_key(fh.read(), password=None)
    except (OSError, ValueError) as exc:
        raise RepoError(f"cannot load the {role} key from {keys_dir}: {exc}") from None
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def _write(repo: str, name: str, md: Metadata) -> None:
    path = os.path.join(repo, "metadata", name)
    write_atomic(path, md.to_bytes(JSONSerializer(compact=False)))


def _read(repo: str, name: str) -> Metadata:
    try:
        return Metadata.from_file(os.path.join(repo, "metadata", name))
    except Exception as exc:  # noqa: BLE001 - any unreadable metadata is one clear error
        raise RepoError(f"cannot read {name} in {repo}: {exc}") from None


def _latest_root_version(repo: str) -> int:
    versions = [int(n.split(".")[0]) for n in os.listdir(os.path.join(repo, "metadata"))
                if n.endswith(".root.json") and n.split(".")[0].isdigit()]
    if not versions:
        raise RepoError(f"{repo} has no root metadata: run init first")
    return max(versions)


def rules_archive(rules_dir: str) -> tuple[bytes, dict]:
    """A byte-for-byte reproducible tar.gz of the rules files, after validating them with the checker's loader."""
    rules = load_rules(rules_dir)  # a broken rules set is never published
    buf = io.BytesIO()
    # gzip with mtime 0 and tar entries with mtime 0: the same rules always give the same bytes.
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in FILES:
            with open(os.path.join(rules_dir, name), "rb") as fh:
                data = fh.read()
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    if len(data) > MAX_TARGET_BYTES:
        raise RepoError(f"the rules archive is {len(data)} bytes, over the {MAX_TARGET_BYTES} limit")
    return data, {"rules_version": rules.version, "as_of": rules.as_of.isoformat()}


def init_repo(repo: str, keys_dir: str) -> None:
    """Create the four keys and version 1 of every role (no rules published yet)."""
    if os.path.exists(os.path.join(repo, "metadata", "1.root.json")):
        raise RepoError(f"{repo} already has a repository")
    os.makedirs(os.path.join(repo, "metadata"), exist_ok=True)
    os.makedirs(os.path.join(repo, "targets"), exist_ok=True)
    signers = {role: CryptoSigner.generate_ed25519() for role in ROLES}
    for role, signer in signers.items():
        _save_signer(keys_dir, role, signer)
    now = _now()
    root = Root(expires=now + EXPIRY["root"], consistent_snapshot=True)
    for role, signer in signers.items():
        root.add_key(signer.public_key, role)
    md_root = Metadata(root)
    md_root.sign(signers["root"])
    _write(repo, "1.root.json", md_root)
    _write(repo, "root.json", md_root)
    targets = Metadata(Targets(version=1, expires=now + EXPIRY["targets"]))
    targets.sign(signers["targets"])
    _write(repo, "1.targets.json", targets)
    _publish_chain(repo, keys_dir, targets_version=1)


def _publish_chain(repo: str, keys_dir: str, targets_version: int) -> None:
    """New snapshot pointing at the given targets version, and a new timestamp pointing at it."""
    now = _now()
    try:
        old = _read(repo, "timestamp.json").signed.snapshot_meta.version
    except RepoError:
        old = 0
    snap = Metadata(Snapshot(version=old + 1, expires=now + EXPIRY["snapshot"],
                             meta={"targets.json": MetaFile(version=targets_version)}))
    snap.sign(load_signer(keys_dir, "snapshot"))
    _write(repo, f"{old + 1}.snapshot.json", snap)
    refresh_timestamp(repo, keys_dir, snapshot_version=old + 1)


def refresh_timestamp(repo: str, keys_dir: str, snapshot_version: int | None = None,
                      expires_in: timedelta = EXPIRY["timestamp"]) -> int:
    """A new timestamp (run it before the current one expires: checkers refuse an expired one)."""
    try:
        current = _read(repo, "timestamp.json").signed
        version, snap_v = current.version + 1, snapshot_version or current.snapshot_meta.version
    except RepoError:
        version, snap_v = 1, snapshot_version or 1
    ts = Metadata(Timestamp(version=version, expires=_now() + expires_in, snapshot_meta=MetaFile(version=snap_v)))
    ts.sign(load_signer(keys_dir, "timestamp"))
    _write(repo, "timestamp.json", ts)
    return version


def publish(repo: str, keys_dir: str, rules_dir: str) -> dict:
    """Validate and publish a rules folder as the new target; returns its version and hash."""
    data, custom = rules_archive(rules_dir)
    digest = hashlib.sha256(data).hexdigest()
    write_atomic(os.path.join(repo, "targets", f"{digest}.{TARGET_NAME}"), data)
    snap = _read(repo, "timestamp.json").signed.snapshot_meta.version
    targets_v = _read(repo, f"{snap}.snapshot.json").signed.meta["targets.json"].version
    old = _read(repo, f"{targets_v}.targets.json").signed
    target = TargetFile(length=len(data), hashes={"sha256": digest}, path=TARGET_NAME,
                        unrecognized_fields={"custom": custom})
    md = Metadata(Targets(version=old.version + 1, expires=_now() + EXPIRY["targets"],
                          targets={TARGET_NAME: target}))
    md.sign(load_signer(keys_dir, "targets"))
    _write(repo, f"{old.version + 1}.targets.json", md)
    _publish_chain(repo, keys_dir, targets_version=old.version + 1)
    return {**custom, "sha256": digest, "targets_version": old.version + 1}


def rotate_key(repo: str, keys_dir: str, role: str) -> int:
    """Replace one role's key: a new root version signed by the old root key (and the new one,
    for root), then that role's metadata re-signed. Checkers follow the root chain on their own."""
    if role not in ROLES:
        raise RepoError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    version = _latest_root_version(repo)
    md_root = _read(repo, f"{version}.root.json")
    root: Root = md_root.signed
    old_root_signer = load_signer(keys_dir, "root")
    new = CryptoSigner.generate_ed25519()
    for keyid in list(root.roles[role].keyids):
        root.revoke_key(keyid, role)
    root.add_key(new.public_key, role)
    root.version = version + 1
    root.expires = _now() + EXPIRY["root"]
    new_md = Metadata(root)
    new_md.sign(old_root_signer, append=True)  # the old root vouches for the new one
    if role == "root":
        new_md.sign(new, append=True)  # and the new root key signs its own first version
    _save_signer(keys_dir, role, new)
    _write(repo, f"{version + 1}.root.json", new_md)
    _write(repo, "root.json", new_md)
    if role == "targets":
        snap = _read(repo, "timestamp.json").signed.snapshot_meta.version
        tv = _read(repo, f"{snap}.snapshot.json").signed.meta["targets.json"].version
        t = _read(repo, f"{tv}.targets.json").signed
        t.version, t.expires = tv + 1, _now() + EXPIRY["targets"]
        md = Metadata(t)
        md.sign(new)
        _write(repo, f"{tv + 1}.targets.json", md)
        _publish_chain(repo, keys_dir, targets_version=tv + 1)
    elif role == "snapshot":
        snap = _read(repo, "timestamp.json").signed.snapshot_meta.version
        tv = _read(repo, f"{snap}.snapshot.json").signed.meta["targets.json"].version
        _publish_chain(repo, keys_dir, targets_version=tv)
    elif role == "timestamp":
        refresh_timestamp(repo, keys_dir)
    return version + 1


__all__ = ["init_repo", "publish", "refresh_timestamp", "rotate_key", "rules_archive", "RepoError", "TARGET_NAME",
           "MAX_TARGET_BYTES", "Role"]
