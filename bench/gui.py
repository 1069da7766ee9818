"""Budget of the desktop checker: size of the one-file Linux binary, time to the first window and to the report.

    .venv/bin/python bench/gui.py                 # builds with build.spec into a temp dir, 5 runs
    .venv/bin/python bench/gui.py --binary dist/envcheck --runs 9

The binary is started with no arguments (as a double-click does) on a private Xvfb display.
"First window": until `xdotool search --onlyvisible --class envcheck` finds the mapped window
(the app's own <Map> timestamp when xdotool is absent). "Report": until the app writes its
"report" timestamp (ENVCHECK_GUI_TRACE) after the live check of this machine. Median of the runs.
Aim (issue 7): < 25 MB, < 2 s to the window.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from xdisplay import Xvfb  # noqa: E402


def build(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(ROOT / "build.spec")],
                   check=True, cwd=ROOT)
    return out / "dist" / "envcheck"


def one_run(cmd: list[str], display: str, home: Path, timeout: float = 60.0) -> tuple[float, float]:
    home.mkdir(parents=True, exist_ok=True)
    trace = home / "trace.txt"
    trace.unlink(missing_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "DISPLAY": display, "ENVCHECK_HOME": str(home / "data"),
           "ENVCHECK_GUI_TRACE": str(trace), "LANG": "C.UTF-8"}
    xdotool = shutil.which("xdotool")
    t0 = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    window = report = None
    try:
        deadline = t0 + timeout
        while time.time() < deadline and (window is None or report is None):
            if window is None and xdotool:
                found = subprocess.run([xdotool, "search", "--onlyvisible", "--class", "envcheck"],
                                       env={"DISPLAY": display}, capture_output=True).returncode == 0
                if found:
                    window = time.time() - t0
            marks = dict(line.split() for line in trace.read_text().splitlines()) if trace.exists() else {}
            if window is None and not xdotool and "window" in marks:
                window = float(marks["window"]) - t0
            if "report" in marks:
                report = float(marks["report"]) - t0
            time.sleep(0.02)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    if window is None or report is None:
        raise RuntimeError(f"no window or no report within {timeout} s")
    return window, report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", help="a built one-file binary (default: build one with build.spec)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="envcheck-bench-") as tmp:
        tmp = Path(tmp)
        binary = Path(args.binary) if args.binary else build(tmp)
        size = binary.stat().st_size
        rows = [("one-file binary (no arguments)", [str(binary)])]
        venv_envcheck = Path(sys.executable).parent / "envcheck"
        if venv_envcheck.exists():
            rows.append(("`envcheck gui` in the venv (for comparison)", [str(venv_envcheck), "gui"]))
        print(f"binary: {binary.name}, {size / 1e6:.1f} MB ({size} bytes)  (aim < 25 MB)")
        with Xvfb() as x:
            for label, cmd in rows:
                windows, reports = [], []
                for i in range(args.runs):
                    w, r = one_run(cmd, x.name, tmp / f"home{i}")
                    windows.append(w)
                    reports.append(r)
                print(f"{label}: first window median {statistics.median(windows):.2f} s "
                      f"(min {min(windows):.2f}, max {max(windows):.2f}); finished report median "
                      f"{statistics.median(reports):.2f} s (min {min(reports):.2f}, max {max(reports):.2f}); "
                      f"{args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
