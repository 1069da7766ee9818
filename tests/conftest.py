import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def rules():
    from envcheck.ruleset import load_rules

    return load_rules()


def run_cli(*args: str, input: str | None = None, env: dict | None = None, timeout: float = 120):
    """Run the installed `envcheck` entry point as a fresh process (what a user runs)."""
    exe = Path(sys.executable).parent / "envcheck"
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([str(exe), *args], capture_output=True, text=True, input=input, env=full_env,
                          timeout=timeout)


@pytest.fixture
def cli():
    return run_cli
