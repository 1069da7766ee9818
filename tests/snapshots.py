"""Build envcheck.snapshot/1 documents from fixture folders of real outputs.

A fixture folder (tests/fixtures/<os-build>/) holds:
  SOURCES.md           where every file came from (repository@commit:path, issue URL, page)
  probes/<id>.txt      a probe whose value is text (verbatim command output or file)
  probes/<id>.json     a probe whose value is JSON
  probes/<id>.error    a probe that failed; the file holds the error text, optionally after a first
                       line "kind: <failure kind>" (errors.FAILURE_KINDS; none = written before kinds)
  expected.json        {"now": ISO, "platform": ..., "statuses": {check id: status}, "verdict": ...}
A platform-specific builder may add probe values made from raw outputs (see winfmt.py).
"""

from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot_from_folder(folder: Path, platform: str, captured_at: str = "2026-11-24T00:00:00Z") -> dict:
    probes = {}
    for f in sorted((folder / "probes").iterdir()):
        pid, ext = f.name.rsplit(".", 1)
        text = f.read_text(encoding="utf-8")
        if ext == "txt":
            probes[pid] = {"value": text, "error": None}
        elif ext == "json":
            probes[pid] = {"value": json.loads(text), "error": None}
        elif ext == "error":
            kind, _, rest = text.partition("\n")
            if kind.startswith("kind: "):
                probes[pid] = {"value": None, "error": rest.strip(), "kind": kind[len("kind: "):].strip()}
            else:
                probes[pid] = {"value": None, "error": text.strip()}
    if platform == "windows" and (folder / "raw" / "compose.json").exists():
        from winfmt import compose  # raw PowerShell/reg query text -> the probes' JSON values

        for pid, entry in compose(folder).items():
            if pid in probes:
                raise ValueError(f"{folder.name}: {pid} is both in probes/ and raw/compose.json")
            probes[pid] = entry
    return {"format": "envcheck.snapshot/1", "captured_at": captured_at, "platform": platform, "probes": probes}


def fixture_folders() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if (p / "expected.json").exists())
