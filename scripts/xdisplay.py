"""A private X display (Xvfb) and screenshots of it, for the window's tests, README screenshots and bench.

    with Xvfb() as display:             # starts `Xvfb :N`, sets nothing globally
        env = {**os.environ, "DISPLAY": display.name}
        display.screenshot("out.png")   # ImageMagick's `import -window root`, or xwd
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

from processes import stop_process


class XvfbMissing(RuntimeError):
    pass


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
        # -displayfd: the server itself takes the first free display number and writes it back, so
        # two test processes starting displays at once never share one.
        read_end, write_end = os.pipe()
        w, h, d = self.size
        try:
            self.proc = subprocess.Popen([exe, "-displayfd", str(write_end), "-screen", "0", f"{w}x{h}x{d}",
                                          "-nolisten", "tcp", "-dpi", str(self.dpi)], pass_fds=(write_end,),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            os.close(write_end)
            write_end = -1
            number = b""
            deadline = time.monotonic() + 15
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(read_end, 16) if ready else b""
                if not chunk:
                    break  # the server exited, or the deadline passed
                number += chunk
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)
        if number.strip().isdigit() and os.path.exists(f"/tmp/.X11-unix/X{int(number)}"):
            self.name = f":{int(number)}"
            return self
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
