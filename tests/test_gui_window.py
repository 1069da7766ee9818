"""The checker window under Xvfb, driven by events, against a real local intake service.

Screenshots of every state go to test-artifacts/gui/ (look at them: Japanese must be Japanese).
Needs Debian's xvfb (and imagemagick for PNGs, fonts-noto-cjk for Japanese glyphs): .ci/run installs them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from snapshots import FIXTURES, snapshot_from_folder

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "gui"
sys.path.insert(0, str(ROOT / "scripts"))

from localintake import IntakeMissing, LocalIntake, free_port  # noqa: E402
from xdisplay import Xvfb  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which("Xvfb"), reason="Xvfb is not installed (apt-get install xvfb)")


@pytest.fixture(scope="module")
def display():
    with Xvfb(1280, 900) as x:
        yield x


@pytest.fixture
def env(display, tmp_path, monkeypatch):
    monkeypatch.setenv("DISPLAY", display.name)
    monkeypatch.setenv("ENVCHECK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVCHECK_SERVER", raising=False)
    return display


@pytest.fixture
def snapshot_file(tmp_path):
    path = tmp_path / "macos15.json"
    path.write_text(json.dumps(snapshot_from_folder(FIXTURES / "macos15_7_4_sequoia", "darwin")), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    """The real intake service (envcheck-server) on SQLite, on a free local port."""
    try:
        with LocalIntake(tmp_path_factory.mktemp("server")) as url:
            yield url
    except IntakeMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture
def retry_waits(monkeypatch):
    """The waits between the send's retries, recorded instead of slept.

    The window sends through envcheck.delivery.service, whose HttpUploader retries a service that is down after
    1 s and 2 s; those waits are tests/test_upload_retry_after.py's subject, not the window's.
    """
    from envcheck.delivery import service, upload

    waits: list[float] = []

    class RecordedWaits(upload.HttpUploader):
        def __init__(self, config, sleep=None, session=None):
            super().__init__(config, waits.append, session)

    monkeypatch.setattr(service, "HttpUploader", RecordedWaits)
    return waits


class Window:
    """The App in a fresh Tk root, with helpers to let it run and to photograph it."""

    def __init__(self, display, **kwargs):
        import tkinter as tk

        from envcheck.gui.app import App

        self.display = display
        self.root = tk.Tk(className="envcheck")
        self.errors: list[BaseException] = []
        self.root.report_callback_exception = lambda kind, exc, tb: self.errors.append(exc)
        self.app = App(self.root, **kwargs)
        self.pump(0.3)

    def update(self) -> None:
        self.root.update()
        if self.errors:  # an exception in a Tk callback fails the test, it is not just printed
            raise self.errors[0]

    def pump(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.update()
            time.sleep(0.01)

    def until(self, cond, timeout: float = 60.0, what: str = "condition") -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what}")
            self.update()
            time.sleep(0.01)

    def type(self, widget, text: str) -> None:
        widget.focus_force()
        self.root.update()
        names = {"-": "minus", " ": "space"}
        for ch in text:
            widget.event_generate("<KeyPress>", keysym=names.get(ch, ch))
        self.root.update()

    def check_then_send(self, what: str, seeker: str = "12345-678") -> None:
        """Wait for the check, type the number, press 「ハローワークへ送信」, agree, wait for the send to end."""
        app = self.app
        self.until(lambda: app.run is not None, what="the check")
        self.type(app.seeker_entry, seeker)
        app.send_button.invoke()
        self.pump(0.1)
        app.consent.accept_button.invoke()
        self.until(lambda: app.send_job.finished, timeout=30, what=what)
        self.pump(0.1)

    def shot(self, name: str) -> Path:
        self.pump(0.2)
        return self.display.screenshot(ARTIFACTS / f"{name}.png")

    def close(self) -> None:
        self.root.destroy()


@pytest.fixture
def window(env):
    made = []

    def make(**kwargs):
        w = Window(env, **kwargs)
        made.append(w)
        return w

    yield make
    for w in made:
        errors = w.errors
        # Any failure to close means the test closed it already (or it died, which `errors` reports).
        with contextlib.suppress(Exception):
            w.close()
        assert not errors, errors


def test_seeker_number_then_check_then_fix_then_send_and_receipt(window, snapshot_file, intake, monkeypatch,
                                                                 tmp_path, rules):
    monkeypatch.setenv("ENVCHECK_SERVER", intake)
    opened = []
    monkeypatch.setattr("envcheck.gui.work.open_link", opened.append)
    w = window(replay=str(snapshot_file))  # now: real time, so the service accepts the report as recent
    app = w.app
    w.until(lambda: app.run is not None, what="the first check")

    # 1. A bad number: the reason, in Japanese, as you type.
    w.type(app.seeker_entry, "123-45")
    msg = app.seeker_message.raw()
    assert msg.startswith("✖") and "5けた" in msg and str(app.seeker_message.cget("style")) == "Bad.TLabel"
    w.shot("01-seeker-number-wrong")

    # 2. A good number: shown normalised.
    app.seeker_entry.delete(0, "end")
    w.type(app.seeker_entry, "12345-678")
    assert app.seeker_message.raw() == "✔ 12345-00000678 として送信します。"
    w.shot("02-seeker-number-ok")

    # 3. Re-check with the keyboard (Alt+R): the progress bar shows while it runs, then the rows.
    app.root.event_generate("<Alt-r>")
    w.root.update_idletasks()
    assert app.recheck_button.instate(["disabled"]) and app.progress.winfo_manager() == "grid"
    w.until(lambda: app.job.finished, what="the re-check")
    w.pump(0.2)
    assert app.run.report["seeker_no"] == "12345-00000678"
    assert not app.progress.winfo_ismapped()
    items = [i for top in app.tree.get_children() for i in (top, *app.tree.get_children(top))]
    items = [i for i in items if i != "passed"]  # the collapsed group of items without problems
    assert len(items) == len(app.run.report["checks"]) == 14
    results = [app.tree.set(i, "result") for i in items]
    assert results[0] == "✖ 対応が必要" and all(r[0] in "✔✖!?-" for r in results)
    assert app.verdict_label.raw() == "結果: ✖ 対応が必要です" and "まず「" in app.next_label.raw()
    w.shot("03-results")

    # 4. Open a failing row with the keyboard: why, how to fix, and the settings button.
    app.tree.focus_force()
    app.tree.selection_set("firewall.enabled")
    app.tree.focus("firewall.enabled")
    w.root.update()
    app.tree.event_generate("<Return>")
    w.pump(0.2)
    shown = app.detail.contents().replace("\n", "")
    assert rules.check("firewall.enabled").why.ja in shown
    check = next(c for c in app.run.report["checks"] if c["id"] == "firewall.enabled")
    assert check["remedy"]["ja"] in shown and "なぜ必要か" in shown and "直し方" in shown
    assert app.open_button.winfo_ismapped() and app.root.focus_get() == app.open_button
    app.open_button.event_generate("<space>")
    w.pump(0.1)
    assert opened == ["x-apple.systempreferences:com.apple.Network-Settings.extension"]
    w.shot("04-failing-row-opened")

    # 5. Save the signed report (the file dialog answered by the test).
    saved = tmp_path / "report.json"
    monkeypatch.setattr("envcheck.gui.actions.filedialog.asksaveasfilename", lambda **kw: str(saved))
    app.save_button.invoke()
    from envcheck.report.signing import verify_report

    v = verify_report(json.loads(saved.read_text(encoding="utf-8")))
    assert v.seeker_no == "12345-00000678" and v.report_id == app.run.report["report_id"]
    assert str(saved) in app.notice.raw() and saved.with_suffix(".html").is_file()

    # 6. Send: the exact consent text first, nothing sent before consent.
    from envcheck.report.explain import plain
    from envcheck.delivery.outbox import Outbox

    app.send_button.invoke()
    w.pump(0.2)
    dialog = app.consent
    assert dialog is not None and dialog.winfo_ismapped()
    body = dialog.body
    assert plain("ja").rstrip("\n") in body and "求職番号: 12345-00000678" in body and "✖ 対応が必要" in body
    assert "report_id" not in dialog.text.get("1.0", "end-1c")  # field names only behind 「詳しく」
    dialog.more_button.invoke()
    assert "report_id" in dialog.text.get("1.0", "end-1c")
    assert not Outbox().waiting()
    w.shot("05-consent")

    dialog.accept_button.invoke()
    w.until(lambda: app.send_job is not None and app.send_job.finished, what="sending")
    w.pump(0.2)
    outcome = app.last_outcome
    assert outcome.kind == "sent", app.notice.raw()
    receipt = Outbox().receipt(app.run.report["report_id"])
    assert receipt is not None and outcome.receipt == receipt["receipt_no"]
    with open(os.path.join(Outbox().receipts, f"{receipt['report_id']}.consent.json"), encoding="utf-8") as fh:
        consent = json.load(fh)  # the consent given in the dialog is kept beside the receipt
    assert consent["program"] == "window" and consent["lang"] == "ja" and consent["how"] == "asked"
    assert f"受付番号: {outcome.receipt}" in app.notice.raw() and "まだ予約できません" in app.notice.raw()
    assert not Outbox().waiting()
    w.shot("06-sent-receipt")

    # 7. English, by the switch.
    app.lang_button.invoke()
    w.pump(0.2)
    assert app.tree.set(app.tree.get_children()[0], "result") == "✖ Action needed"
    assert "Receipt number" in app.notice.raw()
    w.shot("07-english")


def test_send_when_the_service_is_down_keeps_the_report(window, snapshot_file, monkeypatch, retry_waits):
    monkeypatch.setenv("ENVCHECK_SERVER", f"http://127.0.0.1:{free_port()}")
    w = window(replay=str(snapshot_file))
    app = w.app
    w.check_then_send("the failed send")
    from envcheck.delivery.outbox import Outbox

    assert app.last_outcome.kind == "kept"
    assert "保管してあり" in app.notice.raw() and "インターネットではなく" in app.notice.raw()
    assert len(Outbox().waiting()) == 1
    assert retry_waits == [1, 2]  # tried three times before keeping it
    w.shot("08-kept-for-later")


def test_refused_report_is_explained(window, snapshot_file, intake, monkeypatch):
    """A report evaluated long ago is stale for the service: refused, with its reason."""
    monkeypatch.setenv("ENVCHECK_SERVER", intake)
    w = window(replay=str(snapshot_file), now=datetime(2026, 2, 20, tzinfo=timezone.utc))
    app = w.app
    w.check_then_send("the refused send")
    assert app.last_outcome.kind == "refused", app.notice.raw()
    assert "受け付けられませんでした" in app.notice.raw() and "HTTP 422" in app.notice.raw()
    w.shot("09-refused")


def test_declining_consent_sends_nothing(window, snapshot_file, monkeypatch):
    monkeypatch.setenv("ENVCHECK_SERVER", "http://127.0.0.1:9")
    w = window(replay=str(snapshot_file))
    app = w.app
    w.until(lambda: app.run is not None, what="the check")
    w.type(app.seeker_entry, "12345-678")
    app.send_button.invoke()
    w.pump(0.1)
    app.consent.event_generate("<Escape>")
    w.pump(0.1)
    from envcheck.delivery.outbox import Outbox

    assert app.consent is None and not Outbox().waiting() and app.notice.raw().startswith("送信しませんでした。")


def test_window_keeps_painting_while_a_slow_check_runs(window, snapshot_file, monkeypatch):
    from envcheck.probes import ReplayHost

    real = ReplayHost.collect

    def slow(self, progress=None):
        def tick(pid):
            time.sleep(0.5)
            if progress:
                progress(pid)
        return real(self, tick)

    monkeypatch.setattr(ReplayHost, "collect", slow)
    w = window(replay=str(snapshot_file))
    app = w.app
    gaps, last, seen_values = [], time.monotonic(), set()
    shot = False
    while app.run is None:
        w.root.update()
        now = time.monotonic()
        gaps.append(now - last)
        last = now
        seen_values.add(float(app.progress.cget("value")))
        if not shot and float(app.progress.cget("value")) > 3:
            w.shot("00-progress")
            last, shot = time.monotonic(), True
        time.sleep(0.01)
    # A check run on the window's own thread would freeze it for the whole check (0.5 s per probe
    # reported, over 2 s); 0.75 s leaves room for a busy machine (the suite runs in two workers).
    assert sum(gaps) > 2, "the slow check was not slow: the test proves nothing"
    assert max(gaps) < 0.75, f"the window froze for {max(gaps):.2f} s"
    assert len(seen_values) > 3  # the bar moved
    assert "チェックしています" in app.progress_label.cget("text") or app.run is not None


def test_keyboard_order_and_accelerators(window, snapshot_file):
    w = window(replay=str(snapshot_file))
    app = w.app
    w.until(lambda: app.run is not None, what="the check")
    w.pump(0.2)
    order, widget = [], app.tree
    for _ in range(14):
        order.append(widget)
        widget = widget.tk_focusNext()
        if widget == app.tree:
            break
    names = [str(x) for x in order]
    want = [app.tree, app.open_button, app.detail.text, app.seeker_entry, app.send_button, app.recheck_button,
            app.save_button, app.diagnose_button, app.lang_button]
    assert [n for n in names if n in {str(x) for x in want}] == [str(x) for x in want]
    # Enter activates a focused button, as Space does.
    app.lang_button.focus_force()
    w.root.update()
    app.lang_button.event_generate("<Return>")
    w.pump(0.1)
    assert app.lang == "en" and app.root.title() == "Online job counselling: device check"
    app.root.event_generate("<Alt-l>")
    w.pump(0.1)
    assert app.lang == "ja"


def test_font_is_readable_and_japanese_capable(window, snapshot_file):
    from tkinter import font as tkfont

    w = window(replay=str(snapshot_file))
    actual = tkfont.nametofont("TkDefaultFont").actual()
    assert actual["size"] >= 11 or actual["size"] <= -15
    have = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    if "Noto Sans CJK JP" in have:
        assert actual["family"] == "Noto Sans CJK JP"
    else:
        pytest.skip("no Japanese font installed (apt-get install fonts-noto-cjk)")
    w.close()


def test_a_bad_snapshot_is_explained_not_a_crash(window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    w = window(replay=str(bad))
    app = w.app
    w.until(lambda: app.job.finished, what="the failed check")
    w.pump(0.1)
    assert "チェックできませんでした" in app.progress_label.raw() and "JSON" not in app.progress_label.raw()
    app.lang_button.invoke()
    assert "not JSON" in app.progress_label.raw()  # the technical detail, in the English window
    assert app.recheck_button.instate(["!disabled"]) and app.send_button.instate(["disabled"])


def test_envcheck_gui_without_a_display_says_why(cli):
    r = cli("gui", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert r.returncode == 2 and "cannot open a window" in r.stderr and "Traceback" not in r.stderr


def test_a_report_kept_from_last_time_is_sent_when_the_window_opens(window, snapshot_file, intake, monkeypatch,
                                                                   rules):
    from envcheck.gui import work
    from envcheck.pipeline import run_check
    from envcheck.probes import ReplayHost, parse_snapshot
    from envcheck.delivery.outbox import Outbox

    report = run_check(ReplayHost(parse_snapshot(snapshot_file.read_text("utf-8"))), rules).report
    Outbox().add(work.sign(report))  # consented earlier, the network was down then
    monkeypatch.setenv("ENVCHECK_SERVER", intake)
    w = window(replay=str(snapshot_file))
    w.until(lambda: not Outbox().waiting() and w.app.notice_kind == "pass", timeout=30, what="the outbox")
    with open(os.path.join(Outbox().receipts, f"{report['report_id']}.json"), encoding="utf-8") as fh:
        receipt_no = json.load(fh)["receipt_no"]
    assert receipt_no in w.app.notice.raw() and "前回送信できなかった" in w.app.notice.raw()


def test_sending_needs_the_number_and_says_why(window, snapshot_file, monkeypatch):
    monkeypatch.setenv("ENVCHECK_SERVER", "http://127.0.0.1:9")
    w = window(replay=str(snapshot_file))
    app = w.app
    w.until(lambda: app.run is not None, what="the check")
    app.send_button.invoke()
    w.pump(0.1)
    assert app.consent is None and "求職番号が必要です" in app.notice.raw() and "予約" in app.notice.raw()
    assert app.root.focus_get() == app.seeker_entry


# Product names, units and codes a Japanese screen may show in Latin letters (ux-review U8).
ALLOWED_LATIN = {"Windows", "Microsoft", "Defender", "Update", "macOS", "Mac", "Apple", "Zoom", "Workplace", "Wi-Fi",
                 "Fi", "Wi", "OS", "PC", "Winny", "Share", "Finder", "XProtect", "Webカメラ", "Web", "USB", "LTS",
                 "TCP", "UDP", "IP", "Pro", "Home", "Sequoia", "Chromium", "Chrome", "Edge", "Firefox", "Safari",
                 "Linux", "Ubuntu", "Fedora", "ClamAV", "KB", "H2", "WPA", "WPA2", "WPA3", "WEP", "HTTP", "Application",
                 "Firewall", "Google", "mini", "Brave", "Opera", "Vivaldi", "Personal", "Enterprise", "Transition"}


def _widget_texts(widget):
    import tkinter as tk
    from tkinter import ttk

    out = []
    for option in ("text",):
        with contextlib.suppress(tk.TclError):
            out.append(str(widget.cget(option)))
    if isinstance(widget, tk.Text):
        out.append(widget.get("1.0", "end-1c"))
    if isinstance(widget, ttk.Treeview):
        def walk(parent=""):
            for iid in widget.get_children(parent):
                out.extend(str(v) for v in widget.item(iid, "values"))
                walk(iid)
        walk()
        out.extend(str(widget.heading(c, "text")) for c in widget["columns"])
    for child in widget.winfo_children():
        out.extend(_widget_texts(child))
    return out


def machine_names(report) -> set[str]:
    """Words of the names this machine itself reports (camera models, antivirus products): product names."""
    import re

    found: set[str] = set()

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and re.search(r"name|model|product", key):
            found.update(re.findall(r"[A-Za-z][A-Za-z0-9-]*", node))

    walk([c.get("evidence") for c in report["checks"]])
    return found


def english_words(texts, allowed=frozenset()):
    import re

    words = set()
    for t in texts:
        # Addresses are not words: URLs, settings links, host names (zoom.us).
        t = re.sub(r"https?://\S+|[a-z-]+:[\w.?=/-]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\b", "", t)
        words.update(w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", t)
                     if w not in ALLOWED_LATIN | allowed and not re.fullmatch(r"[A-Z]{1,3}\d*|\d+H2|H\d", w))
    return words


@pytest.mark.parametrize("fixture, platform", [("windows_11_23h2_firewall_all_profiles_off", "windows"),
                                               ("macos15_7_4_sequoia", "darwin"),
                                               ("windows_11_23h2_open_wifi", "windows")])
def test_no_english_word_in_the_japanese_window_except_product_names(window, tmp_path, monkeypatch, fixture,
                                                                    platform, retry_waits):
    """Every widget's text in every state a seeker meets: results, each item, the consent with its details,
    sending without a number, the service down."""
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(snapshot_from_folder(FIXTURES / fixture, platform)), encoding="utf-8")
    monkeypatch.setenv("ENVCHECK_SERVER", f"http://127.0.0.1:{free_port()}")
    w = window(replay=str(snap))
    app = w.app
    w.until(lambda: app.run is not None, what="the check")
    seen = []
    for c in app.run.report["checks"]:
        app.tree.selection_set(c["id"])
        w.update()
        seen += _widget_texts(app.root)
    app.tree.selection_set("passed")
    w.update()
    seen += _widget_texts(app.root)
    app.send_button.invoke()  # no number yet
    w.update()
    seen += _widget_texts(app.root)
    w.type(app.seeker_entry, "12345-678")
    app.send_button.invoke()
    w.pump(0.1)
    seen += _widget_texts(app.consent)
    app.consent.more_button.invoke()  # the field names behind 「詳しく」 are the one technical part
    app.consent.accept_button.invoke()
    w.until(lambda: app.send_job.finished, timeout=30, what="the failed send")
    w.pump(0.1)
    seen += _widget_texts(app.root)
    # "English (L)": the switch names its language in that language.
    seen = [t for t in seen if t != app.lang_button.cget("text")]
    left = english_words(seen, machine_names(app.run.report))
    assert left == set(), " ".join(sorted(left))


def test_diagnose_button_runs_off_the_ui_thread_and_attaches_the_diagnostics(window, snapshot_file, monkeypatch):
    """「接続を診断」 instead of a command: the real diagnostics (loopback targets only) go into the report."""
    import dataclasses
    import socket

    from envcheck.diagnose import load_config, run_diagnose
    from envcheck.diagnose.config import Target

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    base = load_config()
    target = Target(name="zoom", host="127.0.0.1", tcp=(closed,))
    cfg = dataclasses.replace(base, targets=(target,), intake_url="",
                              captive_url=f"http://127.0.0.1:{closed}/generate_204",
                              limits={**base.limits, "bound_ms": 3000})
    assert all(t.host == "127.0.0.1" for t in cfg.targets)
    calls = []

    def loopback_only(rules_dir=None, server_url=None):
        calls.append(rules_dir)
        return run_diagnose(cfg)

    monkeypatch.setattr("envcheck.diagnose.probe_value", loopback_only)
    w = window(replay=str(snapshot_file))
    app = w.app
    w.until(lambda: app.run is not None, what="the check")
    before = app.run.report.get("diagnostics")
    app.diagnose_button.invoke()
    assert app.diagnose_button.instate(["disabled"]) and "診断しています" in app.notice.raw()
    w.until(lambda: app.diag_job.finished, timeout=60, what="the diagnosis")
    w.pump(0.1)
    assert calls and app.run.report["diagnostics"] != before and app.run.report["diagnostics"]["ran"] is True
    assert "報告書に添付しました" in app.notice.raw() and app.diagnose_button.instate(["!disabled"])
    assert f"ポート{closed}がブロックされています" in app.notice.raw()  # the first problem, in Japanese
    w.shot("10-diagnosed")


def test_the_enrolment_code_is_checked_as_typed_and_travels_inside_the_signed_report(window, snapshot_file,
                                                                                   monkeypatch, retry_waits):
    monkeypatch.setenv("ENVCHECK_SERVER", f"http://127.0.0.1:{free_port()}")  # down: the report stays in the outbox
    from envcheck.delivery.outbox import Outbox

    def sent():
        return [json.loads(Outbox().body(rid)) for rid in Outbox().waiting()]
    w = window(replay=str(snapshot_file))
    app = w.app
    w.until(lambda: app.run is not None, what="the check")
    w.type(app.seeker_entry, "12345-678")
    # Not a code: a Japanese reason, the field to fix, and nothing asked or sent.
    w.type(app.enrol_entry, "12345")
    app.send_button.invoke()
    w.pump(0.1)
    assert app.consent is None and "登録コード" in app.notice.raw() and not sent()
    assert app.root.focus_get() == app.enrol_entry
    # The office's code as a person types it (lower case, an O for a zero): normalised, then signed in.
    app.enrol_entry.delete(0, "end")
    w.type(app.enrol_entry, "abcd-efgh-jkmO")
    app.send_button.invoke()
    w.pump(0.1)
    app.consent.accept_button.invoke()
    w.until(lambda: app.send_job is not None and app.send_job.finished, timeout=30, what="the send")
    [kept] = sent()
    assert kept["enrolment_code"] == "ABCD-EFGH-JKM0" and kept["seeker_no"] == "12345-00000678"
    from envcheck.report.signing import verify_report

    assert verify_report(kept).seeker_no == "12345-00000678"  # signed with the code inside


def test_a_report_that_cannot_be_kept_is_not_sent_and_the_window_says_why(window, snapshot_file, monkeypatch):
    monkeypatch.setenv("ENVCHECK_SERVER", "http://127.0.0.1:9")
    home = Path(os.environ["ENVCHECK_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "outbox").write_text("a file where the outbox folder belongs", encoding="utf-8")
    w = window(replay=str(snapshot_file))
    app = w.app
    w.check_then_send("the failed send")
    assert app.notice_kind == "fail" and "保存できなかったため、送信しませんでした" in app.notice.raw()
    assert "outbox" in app.notice.raw() and app.send_button.instate(["!disabled"])
