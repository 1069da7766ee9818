import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


# Files that change or read what apt and dpkg hold on this machine (one installs and purges a package,
# one checks that the live apt answer is cached until dpkg's files change): never at the same time.
MACHINE = {"test_p2p_apt.py", "test_apt_cache.py", "test_live_linux.py"}


@pytest.fixture(scope="module", autouse=True)
def _one_machine_file_at_a_time(request):
    """With workers (`-n 2 --dist loadfile`, as .ci/run runs: each file on one worker, so its
    module-scoped servers are made once), the files in MACHINE hold one lock for as long as they run,
    so the other worker waits rather than changing dpkg under them."""
    if request.node.path.name not in MACHINE:
        yield
        return
    import fcntl

    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"envcheck-tests-machine-{os.getuid()}.lock"
    with open(path, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def pytest_collection_modifyitems(session, config, items):
    """The one-file build's tests (marked `build`) run last, so that the build they wait for, started in
    the background below, overlaps everything else (tests/test_build.py)."""
    items.sort(key=lambda item: item.get_closest_marker("build") is not None)  # stable: the order is kept


def pytest_collection_finish(session):
    """Start in the background what the selected tests will wait for: the one-file build, and the
    intake service's prepared homes and PostgreSQL cluster (tests/server_fixtures.py warm_up)."""
    if session.config.option.collectonly:
        return
    # With workers every worker collects every test: start_build starts the build in the first one only.
    if any(item.get_closest_marker("build") for item in session.items):
        from test_build import start_build

        start_build()
    modules = {item.module for item in session.items if hasattr(item, "module")}
    sqlite = any(hasattr(m, "Server") or hasattr(m, "server_cli") for m in modules)
    postgresql = any(hasattr(m, "prepared_postgres") or hasattr(m, "postgres") for m in modules)
    if sqlite or postgresql:
        from server_fixtures import warm_up

        warm_up(sqlite, postgresql)


def pytest_sessionfinish(session):
    if "server_fixtures" in sys.modules:
        sys.modules["server_fixtures"].warmed_up()


@pytest.fixture(scope="session")
def rules():
    """The built-in rules as an office keeping them current would have them: as_of today.

    The shipped data is as of its own date; once that is older than stale_after_days, a machine at
    the newest update the rules know is `unknown` (tests/test_rules_stale.py). Tests about other
    behaviour use a current copy, as the service and checkers do after a rules update.
    """
    from envcheck.ruleset.loader import load_rules

    return load_rules(current_rules_dir())


def current_rules_dir(tree: Path | None = None) -> str:
    """A copy of `tree`'s rules/ (this checkout's by default) whose [ruleset] as_of is today (made once
    per test run; bench/ingest.py asks for another version's, which may not read today's rules)."""
    import shutil
    import tempfile
    from datetime import date

    source = (tree or ROOT) / "rules"
    with _MAKING_RULES:  # the session's warm-up thread (server_fixtures.warm_up) may ask at the same time
        if source not in _CURRENT:
            d = os.path.join(tempfile.mkdtemp(prefix="envcheck-rules-"), "rules")
            shutil.copytree(source, d)
            pol = Path(d, "policy.toml")
            text = pol.read_text(encoding="utf-8")
            import re
            text = re.sub(r"^as_of = \d{4}-\d{2}-\d{2}$", f"as_of = {date.today().isoformat()}", text, count=1,
                          flags=re.M)
            pol.write_text(text, encoding="utf-8")
            _CURRENT[source] = d
        return _CURRENT[source]


_CURRENT: dict[Path, str] = {}
_MAKING_RULES = threading.Lock()


@pytest.fixture(scope="session")
def office_service(tmp_path_factory):
    """One real intake service on 127.0.0.1 for the session, for tests that change nothing in it but its rules
    repository (tests/test_rules_update.py's `office`, tests/test_check_with_server.py). The repository is
    made by `envcheck-server rules init`; a pristine copy of it and its keys is kept aside for `office`."""
    import shutil

    from server_fixtures import Server, server_cli

    home = tmp_path_factory.mktemp("office")
    server = Server(str(home))
    try:
        done = server_cli(server.env, "rules", "init")
        assert done.returncode == 0, done.stderr
        pristine = tmp_path_factory.mktemp("office-pristine")
        for name in ("rules-repo", "rules-keys"):
            shutil.copytree(home / name, pristine / name)
        yield server, home, pristine
    finally:
        server.stop()


def run_cli(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
    """Run the installed `envcheck` entry point as a fresh process (what a user runs)."""
    exe = Path(sys.executable).parent / "envcheck"
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([str(exe), *args], capture_output=True, text=True, input=input, env=full_env,
                          timeout=timeout)


@pytest.fixture
def cli():
    return run_cli
