"""Rebuild tests/fixtures/catalogues/windows_programs.tsv.gz from local git copies of the catalogues.

Usage: python3 scripts/p2p_catalogues.py WINGET_INDEX_GIT SCOOP_EXTRAS_GIT SCOOP_MAIN_GIT CHOCO_GIT
(each a git directory: svrooij/winget-pkgs-index, ScoopInstaller/Extras, ScoopInstaller/Main,
chocolatey-community/chocolatey-packages). Reads HEAD of each; prints the commits to record in
tests/fixtures/catalogues/SOURCES.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "catalogues" / "windows_programs.tsv.gz"


def git(repo: str, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", "--git-dir", repo, *args], input=data, capture_output=True, check=True).stdout


def blobs(repo: str, paths: list[str]) -> list[bytes]:
    """Contents of HEAD:path for each path, through one `git cat-file --batch`."""
    out = git(repo, "cat-file", "--batch", data="".join(f"HEAD:{p}\n" for p in paths).encode())
    res, pos = [], 0
    for _ in paths:
        nl = out.index(b"\n", pos)
        size = int(out[pos:nl].split()[2])
        res.append(out[nl + 1:nl + 1 + size])
        pos = nl + 1 + size + 1
    return res


def scoop(repo: str, name: str) -> list[tuple[str, str, str, str]]:
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
             if f.startswith("bucket/") and f.endswith(".json")]
    rows = []
    for f, body in zip(files, blobs(repo, files), strict=True):
        try:
            d = json.loads(body.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            continue
        shortcuts, exes = [], []

        def walk(node: dict, shortcuts: list = shortcuts, exes: list = exes) -> None:
            for s in node.get("shortcuts") or []:
                if isinstance(s, list) and len(s) > 1:
                    shortcuts.append(str(s[1]).split("\\")[-1])
                    exes.append(re.split(r"[\\/]", str(s[0]))[-1])
            b = node.get("bin")
            for x in b if isinstance(b, list) else [b] if b else []:
                x = x[0] if isinstance(x, list) and x else x
                if isinstance(x, str):
                    exes.append(re.split(r"[\\/]", x)[-1])

        walk(d)
        for arch in (d.get("architecture") or {}).values():
            if isinstance(arch, dict):
                walk(arch)
        pkg = f.split("/")[-1][:-5]
        for n in sorted(set(shortcuts)) or [pkg]:
            rows.append((name, pkg, n, ",".join(sorted({e for e in exes if e})[:12])))
    return rows


def main(argv: list[str]) -> None:
    if len(argv) != 4:
        raise SystemExit(__doc__)
    winget, extras, main_, choco = argv
    rows = [("winget", r["PackageId"], r["Name"], "")
            for r in json.loads(git(winget, "show", "HEAD:index.v2.json").decode("utf-8-sig"))]
    rows += scoop(extras, "scoop-extras") + scoop(main_, "scoop-main")
    nuspecs = [f for f in git(choco, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
               if f.endswith(".nuspec")]
    for body in blobs(choco, nuspecs):
        t = body.decode("utf-8-sig", "replace")
        pid, title = re.search(r"<id>([^<]+)</id>", t), re.search(r"<title>([^<]+)</title>", t)
        if pid:
            rows.append(("chocolatey-community", pid.group(1), (title or pid).group(1).strip(), ""))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(["catalogue", "id", "name", "exes"])
    for r in rows:
        w.writerow([x.replace("\t", " ").replace("\n", " ") for x in r])
    with gzip.GzipFile(OUT, "wb", mtime=0) as fh:
        fh.write(buf.getvalue().encode("utf-8"))
    for repo in argv:
        print(repo, git(repo, "rev-parse", "HEAD").decode().strip())
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
