"""Entry point of the built executable (build.spec): no arguments opens the window, arguments are the CLI.

Double-clicking the file starts it with no arguments (macOS may add a -psn_… argument to an
app bundle: it is ignored). With arguments it is exactly `envcheck …`.
"""

from __future__ import annotations

import os
import sys


def _attach_console() -> None:
    """A windowed Windows build has no stdout; when started from a terminal, write to that terminal."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    if sys.platform == "win32":
        try:
            import ctypes

            if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
                sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
                sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
                if sys.stdin is None:
                    sys.stdin = open("CONIN$", encoding="utf-8", errors="replace")  # noqa: SIM115
                return
        except (OSError, AttributeError):
            pass
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stdout or devnull
    sys.stderr = sys.stderr or devnull


def main(argv: list[str] | None = None) -> int:
    args = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-psn_")]
    if not args:
        from envcheck.errors import EnvcheckError
        from envcheck.gui import run

        try:
            return run()
        except EnvcheckError as exc:  # no display: say why on the terminal, as the CLI does
            _attach_console()
            print(f"envcheck: error: {exc.diagnostics()}", file=sys.stderr)
            return 2
    _attach_console()
    from envcheck.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
