"""The only place that starts programs or reads files for the probes.

Every call has a timeout and turns OS failures into ProbeError subclasses, so a
probe never hangs the check and never crashes it.
"""

from __future__ import annotations

import os
import subprocess
import sys

from envcheck.errors import AccessDenied, FailedStatus, NotInstalled, ProbeError, TimedOut

#: Programs started since the process began, by basename: the Windows budget
#: is one PowerShell process per check, and tests and bench/ read this.
started: list[str] = []

_MAX_OUTPUT = 4 * 1024 * 1024


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if sys.platform == "win32":
        # Console programs (netsh) write in the OEM code page: cp932 on Japanese Windows.
        for codec in ("oem", "mbcs"):
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("utf-8", "replace")


def run(args: list[str], timeout: float, ok_codes: tuple[int, ...] = (0,),
        env: dict[str, str] | None = None) -> str:
    """Run a program and return its standard output as text (see run_status)."""
    return run_status(args, timeout, ok_codes, env)[1]


def run_status(args: list[str], timeout: float, ok_codes: tuple[int, ...] = (0,),
               env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a program; (exit status, standard output as text) when the status is in ok_codes.

    Output is read in the C locale (labels in English) where the OS honours it.
    Raises NotInstalled, AccessDenied, TimedOut, FailedStatus (exit status not in ok_codes)
    or ProbeError: each carries its kind (errors.FAILURE_KINDS), decided here and only here.
    """
    full_env = dict(os.environ, LC_ALL="C", LANG="C")
    full_env.update(env or {})
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flash under the GUI
    started.append(os.path.basename(args[0]).lower())
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, env=full_env,
                              stdin=subprocess.DEVNULL, creationflags=flags)
    except FileNotFoundError as exc:
        raise NotInstalled(f"{args[0]} is not installed") from exc
    except PermissionError as exc:
        raise AccessDenied(f"not allowed to run {args[0]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise TimedOut(f"{os.path.basename(args[0])} gave no answer within {timeout:g} s") from exc
    except OSError as exc:
        raise ProbeError(f"cannot run {args[0]}: {exc.strerror or exc}") from exc
    out = _decode(proc.stdout[:_MAX_OUTPUT])
    if proc.returncode not in ok_codes:
        err = _decode(proc.stderr[:4096]).strip()
        first = err.splitlines()[0] if err else (out.strip().splitlines() or [""])[0]
        # Programs here run with LC_ALL=C (see above), so on Linux and macOS these are the tools'
        # own English words; elsewhere an unmatched message stays a plain failed_status.
        if "root" in first.lower() or "authoriz" in first.lower() or "permission" in first.lower():
            raise AccessDenied(f"{os.path.basename(args[0])} needs administrator rights", status=proc.returncode)
        raise FailedStatus(f"{os.path.basename(args[0])} exited with status {proc.returncode}: {first[:160]}",
                           status=proc.returncode)
    return proc.returncode, out


def read_text(path: str, limit: int = _MAX_OUTPUT) -> str:
    """Read a text file (UTF-8, undecodable bytes replaced)."""
    return read_bytes(path, limit).decode("utf-8", "replace")


def read_bytes(path: str, limit: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit)
    except FileNotFoundError as exc:
        raise NotInstalled(f"{path} does not exist") from exc
    except PermissionError as exc:
        raise AccessDenied(f"not allowed to read {path}") from exc
    except OSError as exc:
        raise ProbeError(f"cannot read {path}: {exc.strerror or exc}") from exc
