"""Make the README's screenshots of the desktop window (docs/screenshots/*.png) under Xvfb.

    .venv/bin/python scripts/screenshots.py            # needs xvfb, imagemagick, fonts-noto-cjk

Drives the real window (envcheck.gui.app.App) with events on a replayed macOS snapshot
(tests/fixtures/macos15_7_4_sequoia) and, when envcheck.server is installed, sends the report
to a real local intake service for the receipt.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests")]

from localintake import IntakeMissing, LocalIntake  # noqa: E402
from xdisplay import Xvfb  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> int:
    from snapshots import FIXTURES, snapshot_from_folder

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="envcheck-shots-") as tmp, Xvfb(1280, 960) as x:
        tmp = Path(tmp)
        os.environ.update(DISPLAY=x.name, ENVCHECK_HOME=str(tmp / "home"))
        snap = tmp / "macos15.json"
        snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / "macos15_7_4_sequoia", "darwin")), "utf-8")
        try:
            with LocalIntake(tmp / "server") as url:
                os.environ["ENVCHECK_SERVER"] = url
                shoot(x, snap, with_send=True)
        except IntakeMissing as exc:
            print(f"screenshots: no receipt screenshot ({exc})", file=sys.stderr)
            shoot(x, snap, with_send=False)
    for p in sorted(OUT.glob("*.png")):
        print(p.relative_to(ROOT))
    return 0


def shoot(x: Xvfb, snap: Path, with_send: bool) -> None:
    import tkinter as tk

    from envcheck.gui.app import App

    root = tk.Tk(className="envcheck")
    app = App(root, replay=str(snap))

    def pump(seconds=0.3):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            root.update()
            time.sleep(0.01)

    def until(cond, timeout=60):
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise RuntimeError("the window did not get there in time")
            root.update()
            time.sleep(0.01)

    def shot(name):
        pump(0.3)
        x.screenshot(OUT / f"{name}.png", crop=f"{root.winfo_width()}x{root.winfo_height()}+0+0")

    until(lambda: app.run is not None)
    app.seeker_entry.focus_force()
    for ch in "12345-678":
        app.seeker_entry.event_generate("<KeyPress>", keysym="minus" if ch == "-" else ch)
    app.tree.selection_set("firewall.enabled")
    app.tree.focus("firewall.enabled")
    shot("window-ja")
    app.send_button.invoke()
    pump()
    shot("consent-ja")
    if with_send:
        app.consent.accept_button.invoke()
        until(lambda: app.send_job is not None and app.send_job.finished)
        shot("sent-ja")
    else:
        app.consent.cancel()
    app.lang_button.invoke()
    app.tree.selection_set("zoom.updated")
    shot("window-en")
    root.destroy()


if __name__ == "__main__":
    sys.exit(main())
