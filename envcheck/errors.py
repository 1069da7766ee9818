"""Errors a person sees. Each carries a one-line reason; the CLI maps them to exit status 2."""


class EnvcheckError(Exception):
    """Base of every error envcheck reports to a person (one line, no traceback)."""

    def diagnostics(self) -> str:
        return str(self).splitlines()[0] if str(self) else type(self).__name__


class UsageError(EnvcheckError):
    """A command-line argument is wrong."""


class InvalidSnapshot(EnvcheckError):
    """A snapshot file cannot be read or is not envcheck.snapshot/1."""


class InvalidSeekerNumber(EnvcheckError):
    """A job-seeker number is malformed."""


class RuleError(EnvcheckError):
    """A rules file is malformed; names the file and the key."""

    def __init__(self, file: str, key: str, reason: str):
        self.file, self.key, self.reason = file, key, reason
        super().__init__(f"rules error in {file} at {key}: {reason}")


class ProbeError(Exception):
    """A probe could not read what it reads (internal: becomes an `unknown` with this reason)."""


class NotInstalled(ProbeError):
    """The program or file a probe reads does not exist on this machine."""


class AccessDenied(ProbeError):
    """The probe lacks the rights to read it (not the same as 'off')."""
