"""Work off the UI thread: a worker thread posts messages to a queue that Tk polls with after()."""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any, Callable

POLL_MS = 40


class Job:
    """Run func(post) in a daemon thread; deliver post()ed messages, then its result or error, on Tk's thread."""

    def __init__(self, widget, func: Callable[[Callable[..., None]], Any], *,
                 on_message: Callable[..., None] | None = None,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None):
        self.widget = widget
        self.queue: queue.Queue = queue.Queue()
        self.on_message, self.on_done, self.on_error = on_message, on_done, on_error
        self.finished = False
        self.thread = threading.Thread(target=self._run, args=(func,), daemon=True, name="envcheck-gui-job")
        self.thread.start()
        self.widget.after(POLL_MS, self._poll)

    def _run(self, func) -> None:
        try:
            result = func(lambda *msg: self.queue.put(("msg", msg)))
        except BaseException as exc:  # noqa: BLE001 - shown in the window, never a silent dead thread
            self.queue.put(("error", exc))
        else:
            self.queue.put(("done", result))

    def _poll(self) -> None:
        try:
            while True:
                kind, payload = self.queue.get_nowait()
                if kind == "msg":
                    if self.on_message:
                        self.on_message(*payload)
                    continue
                self.finished = True
                if kind == "done" and self.on_done:
                    self.on_done(payload)
                elif kind == "error" and self.on_error:
                    self.on_error(payload)
                return
        except queue.Empty:
            pass
        # Whatever `after` raises here means the window was closed while the job ran: nothing to poll.
        with contextlib.suppress(Exception):
            self.widget.after(POLL_MS, self._poll)
