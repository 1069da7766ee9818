"""Errors a person sees. Each carries a one-line reason; the CLI maps them to exit status 2."""


class EnvcheckError(Exception):
    """Base of every error envcheck reports to a person (one line, no traceback)."""

    def diagnostics(self) -> str:
        return str(self).splitlines()[0] if str(self) else type(self).__name__

class UploadError(EnvcheckError):
    """Sending failed; `permanent` when retrying cannot help (the service refused the report)."""

    def __init__(self, message: str, permanent: bool = False, kind: str = "other", status: int | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.kind = kind
        """Typed cause for people's texts: network, timeout, dns, proxy, tls, busy, refused, config, other."""
        self.status = status
        self.code = code
        """The service's machine-readable error code, when it sends one ({"code": ...})."""


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


#: Why a probe has no value. Decisions are made on these, never on a message's words
#: (messages are for people, and come in every display language).
FAILURE_KINDS = (
    "not_installed",      # the program, file, DLL or service the probe reads does not exist
    "permission_denied",  # it exists but this user may not read it (or a privacy switch refuses)
    "timed_out",          # no answer within the probe's time limit
    "failed_status",      # the program ran and exited with a status outside its documented successes
    "unparsed",           # it answered, but in a form the parser does not understand
    "failed",             # anything else, and every error recorded before kinds existed
)


class ProbeError(Exception):
    """A probe could not read what it reads (internal: becomes an `unknown` with this reason).

    `kind` is one of FAILURE_KINDS; code above the probes branches on it, never on the text.
    """

    kind = "failed"

    def __init__(self, message: str = "", status: int | None = None):
        super().__init__(message)
        self.status = status


class NotInstalled(ProbeError):
    """The program or file a probe reads does not exist on this machine."""

    kind = "not_installed"


class AccessDenied(ProbeError):
    """The probe lacks the rights to read it (not the same as 'off')."""

    kind = "permission_denied"


class TimedOut(ProbeError):
    """The program or call gave no answer in time."""

    kind = "timed_out"


class FailedStatus(ProbeError):
    """The program exited with a status it does not use for success; `status` holds it."""

    kind = "failed_status"


class Unparsed(ProbeError):
    """The program answered, but not in a form the parser understands."""

    kind = "unparsed"


def failure_kind(kind: object) -> str:
    """A recorded kind, or "failed" for a missing (older snapshot) or unrecognised one: fail closed."""
    return kind if isinstance(kind, str) and kind in FAILURE_KINDS else "failed"
