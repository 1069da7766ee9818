"""Where envcheck's files are: the built-in rules (source tree, wheel or PyInstaller bundle)."""

from __future__ import annotations

import os
import sys


def builtin_rules_dir() -> str:
    """The rules/ folder shipped with this checker."""
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller one-file: data unpacked here
    if bundle:
        return os.path.join(bundle, "envcheck", "rules")
    import envcheck.rules

    return os.path.dirname(envcheck.rules.__file__)


def data_dir() -> str:
    """The user's envcheck data folder (device key, outbox, rules cache); ENVCHECK_HOME overrides it."""
    override = os.environ.get("ENVCHECK_HOME")
    if override:
        return override
    from platformdirs import user_data_dir

    return user_data_dir("envcheck", appauthor=False)
