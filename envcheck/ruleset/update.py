"""Signed rules updates: fetch, verify (TUF) and cache the newest rules set; choose what to use.

The checker trusts one thing it was built with: the office's TUF root metadata
(`envcheck/trust/root.json` in the build, or `rules_root` in envcheck-config.json beside the
executable). Everything else — new rules, new keys — must chain to it. python-tuf's
ngclient refuses forged, rolled-back, frozen (expired), truncated and oversized data; this
module adds the cache, the choice between the built-in and the updated set, and the words
that say which set is used and why.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

from envcheck.errors import EnvcheckError, RuleError
from envcheck.ruleset.loader import FILES, Rules, load_rules

TARGET_NAME = "rules.tar.gz"
MAX_TARGET_BYTES = 1024 * 1024
_TRUSTED_ROOT = os.path.join(os.path.dirname(__file__), "trust", "root.json")


@dataclass(frozen=True)
class RulesChoice:
    rules: Rules
    source: str
    """"built-in" or "updated" (a verified set from the office's rules service)."""
    fetched_at: str | None
    """When the updated set was fetched and verified (UTC), None for built-in."""
    reason: str
    """Why this set, in one line: "newest verified update", "offline", "update refused: …"."""

    def report_fields(self) -> dict:
        """What a report records about where its rules came from."""
        return {"rules_source": self.source, "rules_fetched_at": self.fetched_at}


def trusted_root(config_root: str | None = None) -> bytes | None:
    """The root metadata this checker trusts, or None when this build has none."""
    for path in (os.environ.get("ENVCHECK_RULES_ROOT"), config_root, _TRUSTED_ROOT):
        if path and os.path.isfile(path):
            with open(path, "rb") as fh:
                return fh.read()
    return None


def cache_dir() -> str:
    from envcheck.paths import data_dir

    return os.path.join(data_dir(), "rules-cache")


def _state_path(cache: str) -> str:
    return os.path.join(cache, "state.json")


def cached_set(cache: str) -> tuple[Rules, str] | None:
    """The last verified set in the cache and when it was fetched; None when absent or damaged."""
    try:
        with open(_state_path(cache), encoding="utf-8") as fh:
            state = json.load(fh)
        rules = load_rules(os.path.join(cache, "sets", str(state["sha256"])))
        return rules, str(state["fetched_at"])
    except (OSError, ValueError, KeyError, TypeError, RuleError):
        return None


class UpdateRefused(EnvcheckError):
    """The update could not be verified or fetched; the previous rules stay in use."""


def _fetcher(session):
    from tuf.api import exceptions
    from tuf.ngclient import FetcherInterface

    class SessionFetcher(FetcherInterface):
        """Transport through the checker's HTTP session: timeouts, proxies, OS trust store."""

        def _fetch(self, url: str) -> Iterator[bytes]:
            import requests

            try:
                resp = session.get(url, stream=True, timeout=(5, 15))
            except requests.RequestException as exc:
                raise exceptions.DownloadError(f"cannot fetch {url.rsplit('/', 1)[-1]}: {type(exc).__name__}") \
                    from None
            if resp.status_code != 200:
                resp.close()
                raise exceptions.DownloadHTTPError(f"HTTP {resp.status_code}", resp.status_code)
            return resp.iter_content(chunk_size=64 * 1024)

    return SessionFetcher()


def _updater(cache: str, base_url: str, root: bytes, session):
    from tuf.ngclient import Updater

    meta = os.path.join(cache, "metadata")
    os.makedirs(meta, exist_ok=True)
    os.makedirs(os.path.join(cache, "download"), exist_ok=True)
    return Updater(metadata_dir=meta, metadata_base_url=f"{base_url}/api/v1/rules/metadata/",
                   target_dir=os.path.join(cache, "download"), target_base_url=f"{base_url}/api/v1/rules/targets/",
                   fetcher=_fetcher(session), bootstrap=root)


def _unchanged_since_last_verification(cache: str, base_url: str,
                                       ca_bundle: str | None) -> tuple[Rules, str] | None:
    """The cached set, when the service's timestamp.json is byte-for-byte the one already verified and not
    expired; None otherwise.

    Identical bytes verify identically, so the full TUF refresh (and importing python-tuf and
    requests, ~100 ms) can be skipped; any difference, or any doubt, takes the full path.
    """
    import ssl
    import urllib.request

    local = os.path.join(cache, "metadata", "timestamp.json")
    try:
        with open(local, "rb") as fh:
            known = fh.read()
        expires = json.loads(known)["signed"]["expires"]
        if datetime.fromisoformat(expires.replace("Z", "+00:00")) <= datetime.now(timezone.utc):
            return None
        if ca_bundle:
            ctx = ssl.create_default_context(cafile=ca_bundle)
        else:
            import truststore
            ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler(), urllib.request.HTTPSHandler(context=ctx))
        with opener.open(f"{base_url}/api/v1/rules/metadata/timestamp.json", timeout=5) as resp:
            remote = resp.read(64 * 1024)
        return cached_set(cache) if remote == known else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def update(cache: str, base_url: str, root: bytes, session) -> tuple[Rules, str]:
    """Refresh the TUF metadata and fetch the newest rules set; raise UpdateRefused with the reason."""
    from tuf.api import exceptions

    try:
        try:
            updater = _updater(cache, base_url, root, session)
        except (exceptions.RepositoryError, ValueError, OSError):
            # A damaged local metadata cache: start again from the trusted root.
            shutil.rmtree(os.path.join(cache, "metadata"), ignore_errors=True)
            updater = _updater(cache, base_url, root, session)
        updater.refresh()
        info = updater.get_targetinfo(TARGET_NAME)
        if info is None:
            raise UpdateRefused("the rules service has not published any rules yet")
        if info.length > MAX_TARGET_BYTES:
            raise UpdateRefused(f"the published rules are {info.length} bytes, over the {MAX_TARGET_BYTES} limit")
        path = updater.find_cached_target(info) or updater.download_target(info)
    except exceptions.ExpiredMetadataError as exc:
        raise UpdateRefused(f"the rules service's signed data has expired ({exc}); the office must refresh it") \
            from None
    except exceptions.UnsignedMetadataError as exc:
        raise UpdateRefused(f"signature check failed: {exc}") from None
    except exceptions.BadVersionNumberError as exc:
        raise UpdateRefused(f"rollback refused: {exc}") from None
    except exceptions.LengthOrHashMismatchError as exc:
        raise UpdateRefused(f"downloaded data does not match its signed hash or length: {exc}") from None
    except exceptions.DownloadError as exc:
        raise UpdateRefused(f"cannot reach the rules service ({exc})") from None
    except exceptions.RepositoryError as exc:
        raise UpdateRefused(f"the rules service's data is not valid: {exc}") from None
    digest = info.hashes["sha256"]
    rules = _install(cache, path, digest)
    fetched = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = _state_path(cache) + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"sha256": digest, "fetched_at": fetched, "rules_version": rules.version}, fh)
    os.replace(tmp, _state_path(cache))
    return rules, fetched


def _install(cache: str, archive: str, digest: str) -> Rules:
    """Unpack the verified archive (only the known file names, no paths) and validate it."""
    final = os.path.join(cache, "sets", digest)
    if os.path.isdir(final):
        try:
            return load_rules(final)
        except RuleError:
            shutil.rmtree(final, ignore_errors=True)  # a damaged cached copy: unpack it again
    os.makedirs(os.path.join(cache, "sets"), exist_ok=True)
    tmp = tempfile.mkdtemp(dir=os.path.join(cache, "sets"))
    try:
        with open(archive, "rb") as fh, tarfile.open(fileobj=io.BytesIO(fh.read()), mode="r:gz") as tar:
            for name in FILES:
                member = tar.getmember(name)
                if not member.isfile() or member.size > MAX_TARGET_BYTES:
                    raise UpdateRefused(f"the rules archive's {name} is not a plain file")
                src = tar.extractfile(member)
                if src is None:  # never for a plain file; keeps the type checker's Optional honest
                    raise UpdateRefused(f"the rules archive's {name} is not a plain file")
                with src, open(os.path.join(tmp, name), "wb") as dst:
                    dst.write(src.read())
        rules = load_rules(tmp)
    except (KeyError, tarfile.TarError, OSError, RuleError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UpdateRefused(f"the published rules cannot be used: {exc}") from None
    os.replace(tmp, final)
    # The set now lives in `final`: its source must say so, since the diagnostics read network.toml from it.
    return dataclasses.replace(rules, source=os.path.abspath(final))


def _newer(a: Rules, b: Rules) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return (a.as_of, Version(a.version)) > (b.as_of, Version(b.version))
    except InvalidVersion:
        return a.as_of > b.as_of


def choose_rules(online: bool, server_url: str | None, session_factory=None, config_root: str | None = None,
                 cache: str | None = None, ca_bundle: str | None = None) -> RulesChoice:
    """The newest verified rules of built-in and cached sets, after an update attempt when online."""
    builtin = load_rules()
    cache = cache or cache_dir()
    reason = "offline: no update attempted" if not online else ""
    root = trusted_root(config_root)
    updated: tuple[Rules, str] | None = None
    if online:
        if not server_url:
            reason = "no rules service configured"
        elif root is None:
            reason = "this build has no trusted root for rules updates"
        elif (same := _unchanged_since_last_verification(cache, server_url, ca_bundle)) is not None:
            updated = same
            reason = "newest verified update (unchanged since the last check)"
        else:
            try:
                updated = update(cache, server_url, root, session_factory())
                reason = "newest verified update"
            except UpdateRefused as exc:
                reason = f"update refused: {exc.diagnostics()}"
    if updated is None:
        updated = cached_set(cache)
        if updated and online and reason.startswith("update refused"):
            reason += " (using the last verified update)"
    if updated and _newer(updated[0], builtin):
        return RulesChoice(updated[0], "updated", updated[1], reason or "last verified update")
    if updated and reason.startswith("newest verified update"):
        reason = "the update is not newer than the built-in rules"
    return RulesChoice(builtin, "built-in", None, reason or "built-in rules are the newest")

