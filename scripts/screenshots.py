"""Make the README's screenshots of the desktop window (docs/screenshots/*.png) under Xvfb.

    .venv/bin/python scripts/screenshots.py            # needs xvfb, imagemagick, fonts-noto-cjk

Drives the real window (envcheck.gui.app.App) with events on a replayed macOS snapshot
(tests/fixtures/macos15_7_4_sequoia) and, when envcheck.server is installed, sends the report
to a real local intake service for the receipt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

from localintake import IntakeMissing, LocalIntake  # noqa: E402
from xdisplay import Xvfb  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


# (name, screen width, height, X dpi): 96 dpi is 100 %, 144 is 150 %, 192 is 200 % (Tk's own scaling).
SIZES = [("w1366", 1366, 768, 96), ("w1280", 1280, 720, 96), ("w1920-150pct", 1920, 1080, 144),
         ("w2560-200pct", 2560, 1440, 192)]
WINDOWS_FAIL = "windows_11_23h2_firewall_all_profiles_off"


def main() -> int:
    """Each size in its own process: Tk keeps its X connection until the process ends, and a stopped Xvfb
    would take the next size down with it."""
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        return one(sys.argv[2])
    only = sys.argv[1:]  # optional: size names to make (e.g. w1280)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="envcheck-shots-") as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "ENVCHECK_SHOTS_TMP": str(tmp)}
        try:
            intake = LocalIntake(tmp / "server")
            env["ENVCHECK_SHOTS_URL"] = intake.__enter__()
        except IntakeMissing as exc:
            print(f"screenshots: no receipt screenshot ({exc})", file=sys.stderr)
            intake = None
        try:
            for name in [n for n, *_ in SIZES if not only or n in only] + ([] if only else ["readme"]):
                subprocess.run([sys.executable, __file__, "--one", name], env=env, check=True, timeout=600)
        finally:
            if intake is not None:
                intake.__exit__(None, None, None)
    for p in sorted(OUT.glob("*.png")):
        print(p.relative_to(ROOT))
    return 0


def one(name: str) -> int:
    from snapshots import FIXTURES, snapshot_from_folder

    tmp = Path(os.environ["ENVCHECK_SHOTS_TMP"]) / name
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ["ENVCHECK_HOME"] = str(tmp / "home")
    url = os.environ.get("ENVCHECK_SHOTS_URL")
    folder, platform = (WINDOWS_FAIL, "windows") if name != "readme" else ("macos15_7_4_sequoia", "darwin")
    snap = tmp / "snapshot.json"
    snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / folder, platform)), "utf-8")
    size = next((s for s in SIZES if s[0] == name), ("readme", 1366, 768, 96))
    with Xvfb(size[1], size[2], dpi=size[3]) as x:
        os.environ["DISPLAY"] = x.name
        if name == "readme":
            readme(x, snap, url)
        else:
            sizes(x, name, snap, url)
    return 0


class Driver:
    def __init__(self, x: Xvfb, snap: Path):
        import tkinter as tk

        from envcheck.gui.app import App

        self.x = x
        self.root = tk.Tk(className="envcheck")
        self.root.geometry("+0+0")
        self.app = App(self.root, replay=str(snap))
        self.until(lambda: self.app.run is not None)

    def pump(self, seconds=0.3):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.root.update()
            time.sleep(0.01)

    def until(self, cond, timeout=90):
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise RuntimeError("the window did not get there in time")
            self.root.update()
            time.sleep(0.01)

    def shot(self, name):
        self.pump(0.4)
        r = self.root
        self.x.screenshot(OUT / f"{name}.png", crop=f"{r.winfo_width()}x{r.winfo_height()}+{r.winfo_rootx()}+"
                                                     f"{r.winfo_rooty()}")

    def type_number(self, number: str):
        app = self.app
        app.seeker_entry.focus_force()
        for ch in number:
            app.seeker_entry.event_generate("<KeyPress>", keysym="minus" if ch == "-" else ch)

    def close(self):
        self.root.destroy()


def sizes(x: Xvfb, name: str, snap: Path, url: str | None) -> None:
    """A failing Windows 11 23H2 (firewall off): the first failing item's fix must be on screen."""
    d = Driver(x, snap)
    d.shot(f"{name}-fail")
    d.app.send_button.invoke()  # no number yet: the window says why it is needed
    if name == "w1366":
        d.shot(f"{name}-fail-number-required")
    d.type_number("12345-678")
    if url:
        os.environ["ENVCHECK_SERVER"] = url
        d.app.send_button.invoke()
        d.pump()
        if name == "w1366":
            d.shot(f"{name}-consent")
        d.app.consent.accept_button.invoke()
        d.until(lambda: d.app.send_job is not None and d.app.send_job.finished)
        d.shot(f"{name}-fail-sent")
    from localintake import free_port

    os.environ["ENVCHECK_SERVER"] = f"http://127.0.0.1:{free_port()}"  # nothing listens: the service is down
    d.app.send_button.invoke()
    d.pump()
    d.app.consent.accept_button.invoke()
    d.until(lambda: d.app.send_job is not None and d.app.send_job.finished)
    d.shot(f"{name}-fail-service-down")
    os.environ.pop("ENVCHECK_SERVER", None)
    d.close()


def readme(x: Xvfb, snap: Path, url: str | None) -> None:
    d = Driver(x, snap)
    app = d.app
    d.type_number("12345-678")
    app.tree.selection_set("firewall.enabled")
    app.tree.focus("firewall.enabled")
    d.shot("window-ja")
    if url:
        os.environ["ENVCHECK_SERVER"] = url
        app.send_button.invoke()
        d.pump()
        d.shot("consent-ja")
        app.consent.accept_button.invoke()
        d.until(lambda: app.send_job is not None and app.send_job.finished)
        d.shot("sent-ja")
        os.environ.pop("ENVCHECK_SERVER", None)
    app.lang_button.invoke()
    app.tree.selection_set("firewall.enabled")
    d.shot("window-en")
    d.close()


if __name__ == "__main__":
    sys.exit(main())
