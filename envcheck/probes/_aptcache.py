"""`apt list --upgradable`, remembered until apt's or dpkg's state changes.

apt takes about 1.7 s of CPU to resolve the upgradable set, while the rest of a live check
takes about 0.3 s. Its answer depends only on the package lists, the installed set and apt's
configuration, so it is stored together with a fingerprint of those files (name, size and
modification time of each). The same fingerprint means the same files, so the stored answer
is apt's own answer, not a guess; any change (apt update, an install, a new source) makes
apt run again. Only a successful run is stored, and a damaged cache file is simply ignored.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os

from envcheck.files import WriteError, write_atomic

#: apt's inputs: what it read to compute the answer. Globs are relative to the root.
_INPUTS = (
    "var/lib/dpkg/status",
    "var/lib/apt/lists/*",
    "var/lib/apt/extended_states",
    "etc/apt/sources.list",
    "etc/apt/sources.list.d/*",
    "etc/apt/preferences",
    "etc/apt/preferences.d/*",
    "etc/apt/apt.conf.d/*",
    "usr/bin/apt",
)
_FORMAT = 1


def fingerprint(root_dir: str = "/") -> str:
    """A digest of the name, size and mtime (ns) of every file apt's answer depends on."""
    h = hashlib.sha256(f"{_FORMAT}\n".encode())
    for pattern in _INPUTS:
        for path in sorted(glob.glob(os.path.join(root_dir, pattern))):
            if path.endswith(("/lock", "/partial")):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            h.update(f"{os.path.relpath(path, root_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def cache_file() -> str:
    override = os.environ.get("ENVCHECK_HOME")
    if override:
        return os.path.join(override, "cache", "apt-upgradable.json")
    from platformdirs import user_cache_dir

    return os.path.join(user_cache_dir("envcheck", appauthor=False), "apt-upgradable.json")


def cached(key: str, path: str) -> str | None:
    """The stored answer for this fingerprint, or None (absent, other fingerprint, damaged)."""
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read(8 * 1024 * 1024))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("key") != key or not isinstance(doc.get("output"), str):
        return None
    return doc["output"]


def store(key: str, path: str, output: str) -> None:
    """Remember apt's answer (owner-only); a cache that cannot be written is not an error."""
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        write_atomic(path, json.dumps({"key": key, "output": output}).encode(), mode=0o600)
    except (OSError, WriteError):
        pass
