"""Writing files so that a crash or a full disk never leaves half a file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile

from envcheck.errors import EnvcheckError


class WriteError(EnvcheckError):
    """A file could not be written (nothing was left behind)."""


def write_atomic(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` via a temporary file in the same folder and an atomic rename.

    The temporary file is created owner-only (mkstemp), so a 0600 file is never readable by
    others, not even for a moment; `mode` is applied before the rename.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".envcheck-", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
