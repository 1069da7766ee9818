"""A private X display (Xvfb) and screenshots of it, for the window's tests, README screenshots and bench.

    with Xvfb() as display:             # starts `Xvfb :N`, sets nothing globally
        env = {**os.environ, "DISPLAY": display.name}
        display.screenshot("out.png")   # ImageMagick's `import -window root`, or xwd
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from processes import stop_process


class XvfbMissing(RuntimeError):
    pass


def _free_display(start: int = 71) -> int:
    for n in range(start, start + 200):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    raise RuntimeError("no free X display number")


class Xvfb:
    def __init__(self, width: int = 1280, height: int = 900, depth: int = 24, dpi: int = 96):
        self.size = (width, height, depth)
        self.dpi = dpi  # 144 = 150 %, 192 = 200 %: Tk scales its fonts (tk scaling) from this
        self.proc: subprocess.Popen | None = None
        self.name = ""

    def start(self) -> "Xvfb":
        exe = shutil.which("Xvfb")
        if not exe:
            raise XvfbMissing("Xvfb is not installed (Debian: apt-get install xvfb)")
        for _ in range(5):
            n = _free_display()
            w, h, d = self.size
            self.proc = subprocess.Popen([exe, f":{n}", "-screen", "0", f"{w}x{h}x{d}", "-nolisten", "tcp",
                                          "-dpi", str(self.dpi)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                    self.name = f":{n}"
                    return self
                if self.proc.poll() is not None:
                    break  # lost a race for the number: try the next one
                time.sleep(0.05)
            self.stop()
        raise RuntimeError("Xvfb did not start")

    def stop(self) -> None:
        stop_process(self.proc, 5)
        self.proc = None

    def __enter__(self) -> "Xvfb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def screenshot(self, path: str | Path, window: str = "root", crop: str | None = None) -> Path:
        """PNG of the whole screen (or one window id) with ImageMagick; xwd's own format otherwise."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DISPLAY": self.name}
        if shutil.which("import"):
            cmd = ["import", "-window", window]
            if crop:
                cmd += ["-crop", crop, "+repage"]
            subprocess.run([*cmd, str(path)], env=env, check=True, timeout=30)
            return path
        if shutil.which("xwd"):
            out = path.with_suffix(".xwd")
            subprocess.run(["xwd", "-silent", "-root" if window == "root" else "-id", *([] if window == "root"
                            else [window]), "-out", str(out)], env=env, check=True, timeout=30)
            return out
        raise XvfbMissing("neither ImageMagick's import nor xwd is installed")
