"""The HTTP upload of one signed report: timeouts, retries with backoff or the service's Retry-After,
the OS trust store and system proxies. The flow around it (consent, outbox, receipt) is service.py.
"""

from __future__ import annotations

import time
from typing import Callable, Protocol

from envcheck.errors import UploadError
from envcheck.office import ServerConfig

TIMEOUT = (5, 30)  # connect, read (seconds)
ATTEMPTS = 3
#: The longest wait a service's Retry-After may ask for within one send; a longer one leaves
#: the report in the outbox (sent by the next `envcheck send` or start of the window).
MAX_RETRY_AFTER = 30.0


class Uploader(Protocol):
    def post_report(self, body: bytes) -> dict: ...


def make_session(config: ServerConfig):
    """The checker's one HTTP session: OS trust store (or the office CA), system proxies."""
    import requests

    session = requests.Session()  # trust_env: proxies from the environment and the OS settings
    session.headers["User-Agent"] = _user_agent()
    if config.ca_bundle:
        session.verify = config.ca_bundle
    else:
        session.mount("https://", _truststore_adapter())
    return session


def _user_agent() -> str:
    from envcheck import __version__

    return f"envcheck/{__version__}"


class HttpUploader:
    """POST /api/v1/reports with timeouts, retries with backoff, the OS trust store and system proxies."""

    def __init__(self, config: ServerConfig, sleep: Callable[[float], None] = time.sleep, session=None):
        import requests

        self._requests = requests
        self.config = config
        self.session = session or make_session(config)
        self.sleep = sleep

    def post_report(self, body: bytes) -> dict:
        url = f"{self.config.url}/api/v1/reports"
        last, last_kind, last_status = "no attempt", "other", None
        wait: float | None = None
        for attempt in range(ATTEMPTS):
            if attempt:
                # The service's Retry-After when it gave one, else 1 s, 2 s; retrying is safe
                # because the service is idempotent.
                self.sleep(wait if wait is not None else 2 ** (attempt - 1))
            wait = None
            try:
                resp = self.session.post(url, data=body, timeout=TIMEOUT,
                                         headers={"Content-Type": "application/json"})
            except self._requests.exceptions.SSLError as exc:
                raise UploadError(f"the server's certificate is not trusted ({_short(exc)})", kind="tls") from exc
            except self._requests.RequestException as exc:
                kind = _network_kind(exc)
                last, last_kind, last_status = f"cannot reach {self.config.url} ({_network_reason(exc)})", kind, None
                continue
            if resp.status_code in (200, 201):
                try:
                    return resp.json()
                except ValueError:
                    raise UploadError("the server answered with something that is not a receipt", kind="busy",
                                      status=resp.status_code) from None
            reason = _reason(resp)
            if resp.status_code in (408, 429, 502, 503, 504) or resp.status_code >= 500:  # kept, sent later
                last = f"the server is busy or failing (HTTP {resp.status_code}: {reason})"
                last_kind, last_status = "busy", resp.status_code
                wait = retry_after((getattr(resp, "headers", None) or {}).get("Retry-After"))
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise UploadError(f"{last}; it asked to wait {wait:.0f} s", kind=last_kind, status=last_status)
                continue
            raise UploadError(f"the server refused the report (HTTP {resp.status_code}: {reason})", permanent=True,
                              kind="refused", status=resp.status_code, code=_code(resp))
        raise UploadError(last, kind=last_kind, status=last_status)


def retry_after(value: str | None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP date), or None.

    urllib3's own parser, so both forms and a date in the past are handled as it handles them.
    """
    if not value:
        return None
    from urllib3.exceptions import InvalidHeader
    from urllib3.util.retry import Retry

    try:
        return max(0.0, float(Retry(0).parse_retry_after(value)))
    except (InvalidHeader, ValueError, OverflowError):
        return None


def _network_reason(exc: Exception) -> str:
    """One plain phrase instead of urllib3's nested repr."""
    name = type(exc).__name__
    if "Timeout" in name:
        return "no answer in time"
    if "ProxyError" in name:
        return "the proxy refused the connection"
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "the server name cannot be resolved"
    return "network error"


def _network_kind(exc: Exception) -> str:
    """The typed cause of a failed connection, from the exception classes requests raises."""
    import requests

    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout"
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", inner)
    import socket

    if isinstance(reason, socket.gaierror) or type(reason).__name__ == "NameResolutionError":
        return "dns"
    return "network"


def _code(resp) -> str | None:
    try:
        code = resp.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code[:40] if isinstance(code, str) else None


def _short(exc: Exception) -> str:
    text = str(exc)
    return (text[:160] + "…") if len(text) > 160 else text


def _reason(resp) -> str:
    try:
        return str(resp.json().get("error", ""))[:200] or resp.reason
    except ValueError:
        return resp.reason or "no reason given"


def _truststore_context():
    import ssl

    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _truststore_adapter():
    """A requests adapter verifying TLS against the OS trust store, where antivirus and office
    proxies add their roots. Built on demand: requests is only imported on the network path."""
    from requests.adapters import HTTPAdapter

    class TruststoreAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["ssl_context"] = _truststore_context()
            return super().init_poolmanager(*args, **kwargs)

        def proxy_manager_for(self, *args, **kwargs):
            kwargs["ssl_context"] = _truststore_context()
            return super().proxy_manager_for(*args, **kwargs)

    return TruststoreAdapter()


def with_enrolment(report: dict, code: str | None) -> dict:
    """The (unsigned) report carrying the office's one-time enrolment code, to be signed after this:
    the first report with a valid code makes this device the job-seeker's trusted one.
    Raises BadEnrolmentCode (one line) for text that is not a code."""
    if not code:
        return report
    from envcheck.report.seeker import normalize_enrolment_code

    return {**report, "enrolment_code": normalize_enrolment_code(code)}
