"""The real intake service (envcheck-server) on SQLite and a free local port, for tests and screenshots.

    with LocalIntake(tmp_dir) as url:   # "http://127.0.0.1:PORT"; raises IntakeMissing without envcheck.server
        ...
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from processes import free_port, stop_process


class IntakeMissing(RuntimeError):
    pass


def server_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "envcheck-server"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; from envcheck.server.cli import main; sys.exit(main())"]


class LocalIntake:
    def __init__(self, home: str | Path):
        self.home = Path(home)
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> str:
        try:
            import envcheck.server.cli  # noqa: F401
        except ImportError as exc:
            raise IntakeMissing(f"the intake service (envcheck.server) is not importable: {exc}") from None
        import requests

        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "ENVCHECK_SERVER_HOME": str(self.home),
               "ENVCHECK_DATABASE_URL": f"sqlite:///{self.home}/intake.sqlite3"}
        init = subprocess.run([*server_cmd(), "init"], env=env, capture_output=True, text=True, timeout=120)
        if init.returncode != 0:
            raise RuntimeError(f"envcheck-server init failed: {init.stderr.strip()[-2000:]}")
        port = free_port()
        self.log = open(self.home / "server.log", "w")
        self.proc = subprocess.Popen([*server_cmd(), "run", "--host", "127.0.0.1", "--port", str(port)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self.url
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"envcheck-server did not start: {(self.home / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        stop_process(self.proc, 10)
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
