"""One sender per outbox entry: an OS file lock (fcntl on POSIX, msvcrt on Windows) on `<id>.lock`.

Two `envcheck send`, or the window and a command, may look at the same outbox at once. Whoever
holds an entry's lock is the only one who reads, sends or moves it, so a report is posted once.
The lock file is removed by its holder; a process that was waiting on the removed file finds, after
locking it, that the path no longer names the file it holds, and locks the path afresh.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

POLL = 0.05  # seconds between attempts while another process holds the lock


def _try(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # one byte at offset 0: the file is only a token
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _still_named(fd: int, path: str) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def acquire(path: str, wait: float) -> int | None:
    """The locked file's descriptor, or None when another process still holds it after `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if _try(fd):
            if _still_named(fd, path):
                return fd
            _unlock(fd)  # the previous holder removed this file when it finished: lock the path anew
            os.close(fd)
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            return None
        time.sleep(POLL)


def release(fd: int, path: str) -> None:
    """Remove the lock file and unlock. POSIX removes it while still holding it; Windows cannot remove
    a file another process has open, so there it is removed after unlocking when nobody has it open
    (a file left behind is harmless: it is locked and checked like a new one)."""
    if sys.platform != "win32":
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    _unlock(fd)
    os.close(fd)
    if sys.platform == "win32":
        with contextlib.suppress(OSError):
            os.unlink(path)
