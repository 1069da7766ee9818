"""The one-file PyInstaller build (build.spec) on Linux, run where no Python is on the PATH.

Marked `build` (about 30 s): `pytest -m "not build"` leaves it out; CI runs it. In a whole run the
build starts in the background as soon as the tests are collected and this file runs last (conftest).
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from envcheck import __version__
from snapshots import FIXTURES, snapshot_from_folder

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.build,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the test build is the Linux one")]


_AHEAD: dict = {}


def _shared_dir() -> Path | None:
    """With test workers (pytest-xdist), one folder per run that every worker knows: the first worker
    builds there and the one that runs this file uses it (None in a run of one process)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    return Path(tempfile.gettempdir()) / f"envcheck-build-{run}" if run else None


def start_build() -> None:
    """Start the PyInstaller build in the background (tests/conftest.py calls this once the session
    knows it will run this file, and runs this file last): its ~17 s of one core overlap the rest of
    the suite, which mostly waits on servers and browsers. `built` waits for it. With workers only the
    first one (gw0) starts it, into the run's shared folder, whichever worker then runs this file."""
    if _AHEAD or not sys.platform.startswith("linux") or importlib.util.find_spec("PyInstaller") is None:
        return
    shared = _shared_dir()
    if shared is None:
        _start(Path(tempfile.mkdtemp(prefix="envcheck-build-")))
    elif os.environ.get("PYTEST_XDIST_WORKER") == "gw0":
        shared.mkdir(mode=0o700)
        _start(shared)


def _start(out: Path) -> None:
    log = open(out / "build.log", "w+", encoding="utf-8", errors="replace")
    # A fresh work folder every run (the analysis is never reused); without --clean, PyInstaller keeps its
    # cache of stripped shared libraries (~/.cache/pyinstaller) between runs on one machine: ~3 s less.
    build = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(ROOT / "build.spec")]
    # The exit status lands in a file, so a worker that did not start the build can wait for it too.
    proc = subprocess.Popen(["sh", "-c", '"$@"; echo $? > "$0.tmp" && mv "$0.tmp" "$0"', str(out / "build.rc"),
                             *build], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    _AHEAD.update(out=out, proc=proc, log=log)

    def clean_up() -> None:  # a run cut short must not leave the build running or its files behind
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(out, ignore_errors=True)

    atexit.register(clean_up)


@pytest.fixture(scope="module")
def built():
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (it is in the dev extra: pip install -e '.[dev]')")
    shared = _shared_dir()
    if _AHEAD:
        out = _AHEAD["out"]  # started by this process when the session was collected
    elif shared is not None and shared.is_dir():
        out = shared  # started by the first worker
    else:
        out = Path(tempfile.mkdtemp(prefix="envcheck-build-"))
        _start(out)
    deadline = time.monotonic() + 600
    while not (out / "build.rc").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    log = (out / "build.log").read_text(encoding="utf-8", errors="replace")
    assert (out / "build.rc").exists() and (out / "build.rc").read_text().strip() == "0", log[-4000:]
    binary = out / "dist" / "envcheck"
    assert binary.is_file() and os.access(binary, os.X_OK)
    return out, binary


@pytest.fixture
def bare_env(tmp_path):
    """No Python anywhere on the PATH: an empty folder is the whole PATH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    for name in ("python", "python3", f"python3.{sys.version_info.minor}"):
        assert shutil.which(name, path=str(empty)) is None
    return {"PATH": str(empty), "HOME": str(tmp_path / "home"), "ENVCHECK_HOME": str(tmp_path / "data"),
            "LANG": "C.UTF-8"}


def run(binary: Path, *args: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_binary_version_check_and_verify_without_python(built, bare_env, tmp_path):
    _, binary = built
    version = run(binary, "--version", env=bare_env, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"envcheck {__version__}"

    folder = FIXTURES / "macos15_7_4_sequoia"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(snapshot_from_folder(folder, expected["platform"])), encoding="utf-8")
    check = run(binary, "check", "--replay", str(snap), "--json", "--now", expected["now"], env=bare_env, cwd=tmp_path)
    assert check.returncode == {"pass": 0, "fail": 1, "incomplete": 3}[expected["verdict"]], check.stderr
    report = json.loads(check.stdout)
    assert report["verdict"] == expected["verdict"]
    assert {c["id"]: c["status"] for c in report["checks"]} == expected["statuses"]
    assert report["checker"]["version"] == __version__

    saved = tmp_path / "report.json"
    saved.write_text(check.stdout, encoding="utf-8")
    verify = run(binary, "verify", str(saved), env=bare_env, cwd=tmp_path)
    assert verify.returncode == 0 and verify.stdout.startswith("VALID"), verify.stdout + verify.stderr
    tampered = dict(report, verdict="pass")
    saved.write_text(json.dumps(tampered), encoding="utf-8")
    assert run(binary, "verify", str(saved), env=bare_env, cwd=tmp_path).returncode == 1

    bad = run(binary, "check", "--replay", str(tmp_path / "missing.json"), env=bare_env, cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1


def test_bundle_has_the_rules_and_leaves_out_the_server_and_tests(built):
    out, _ = built
    # What went in: the Python modules (PYZ) and the files of the one-file archive (PKG).
    toc = "\n".join(p.read_text(errors="replace") for pattern in ("PYZ-*.toc", "PKG-*.toc")
                    for p in (out / "work").rglob(pattern))
    for name in ("lifecycle.toml", "texts.toml", "software.toml"):
        assert re.search(rf"envcheck/rules/{name}", toc), name
    for module in ("envcheck.server", "fastapi", "uvicorn", "sqlalchemy", "pytest", "hypothesis", "playwright"):
        assert not re.search(rf"'{re.escape(module)}(\.|')", toc), f"{module} is in the bundle"
    assert "'tkinter'" in toc and "'envcheck.gui.app'" in toc


def test_binary_without_arguments_opens_the_window(built, bare_env, tmp_path):
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    sys.path.insert(0, str(ROOT / "scripts"))
    from xdisplay import Xvfb

    _, binary = built
    trace = tmp_path / "trace.txt"
    with Xvfb() as x:
        env = dict(bare_env, DISPLAY=x.name, ENVCHECK_GUI_TRACE=str(trace))
        proc = subprocess.Popen([str(binary)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 90
            marks: dict[str, str] = {}
            while time.monotonic() < deadline and "report" not in marks:
                assert proc.poll() is None, proc.stderr.read()
                if trace.exists():
                    marks = dict(line.split() for line in trace.read_text().splitlines())
                time.sleep(0.05)
            assert "window" in marks and "report" in marks, marks
            x.screenshot(ROOT / "test-artifacts" / "gui" / "10-binary-live-linux.png")
        finally:
            proc.terminate()
            proc.wait(10)
