"""The first signature that matches an item, found through an index instead of trying every signature.

Same answer as `next(s for s in sigs if matches_item(s, …))` (the index only proposes candidates;
each is confirmed with matches_item/matches_process, in the catalogue's order), but a check over
2,000 installed programs looks up a few keys per program instead of running every signature.
"""

from __future__ import annotations

import re

from envcheck.checks._base import _bare, matches_item, matches_process
from envcheck.checks._names import _keys, _without_digits, exe_core, rules_of
from envcheck.ruleset.loader import Signature


class SignatureIndex:
    def __init__(self, sigs: tuple[Signature, ...]):
        self.sigs = sigs
        self.by_key: dict[str, set[int]] = {}
        self.by_exe: dict[str, set[int]] = {}
        self.by_ident: dict[str, set[int]] = {}
        self.always: set[int] = set()  # regular expressions and CJK stems: tried on every name
        for i, s in enumerate(sigs):
            r = rules_of(s)
            for k in (*r.exact, *r.stem_set):
                self.by_key.setdefault(k, set()).add(i)
            for k in (*r.procs, *r.stems_compact, *r.exe_forks, *(_bare(p) for p in s.process_names)):
                self.by_exe.setdefault(k, set()).add(i)
            for k in (*s.package_names, *s.bundle_ids):
                self.by_ident.setdefault(k, set()).add(i)
            if s.app_patterns or r.patterns or r.cjk_stems:
                self.always.add(i)
        # One pass decides whether any pattern signature could match at all (most names match none).
        always = [sigs[i] for i in sorted(self.always)]
        self.core_any = _union([p for s in always for p in rules_of(s).patterns])
        self.raw_any = _union([p for s in always for p in s.app_patterns])
        self.cjk = tuple(st for s in always for st in rules_of(s).cjk_stems)

    def item(self, name: str, kind: str, ident: str | None, platform: str) -> Signature | None:
        cands: set[int] = set()
        if kind in ("package", "flatpak", "snap"):
            cands |= self.by_ident.get(name.lower(), set()) | self.by_ident.get((ident or "").lower(), set())
        else:
            if kind == "app" and ident:
                cands |= self.by_ident.get(ident.lower(), set())
            c, exact, prefixes = _keys(name)
            for k in exact | prefixes:
                cands |= self.by_key.get(k, set())
            if ((self.core_any and self.core_any.search(c)) or (self.raw_any and self.raw_any.search(name))
                    or any(c.startswith(st) for st in self.cjk)):
                cands |= self.always
        for i in sorted(cands):
            if matches_item(self.sigs[i], name, kind, ident, platform):
                return self.sigs[i]
        return None

    def process(self, process: str, platform: str) -> Signature | None:
        e = exe_core(process)
        cands = set()
        for k in (e, _bare(process), _without_digits(e)):
            cands |= self.by_exe.get(k, set())
        for i in sorted(cands):
            if matches_process(self.sigs[i], process, platform):
                return self.sigs[i]
        return None


def _union(patterns: list[re.Pattern]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.I) if patterns else None


_CACHE: dict[int, tuple[tuple[Signature, ...], SignatureIndex]] = {}


def index_of(sigs: tuple[Signature, ...]) -> SignatureIndex:
    hit = _CACHE.get(id(sigs))
    if hit is None or hit[0] is not sigs:
        if len(_CACHE) > 16:
            _CACHE.clear()
        hit = _CACHE[id(sigs)] = (sigs, SignatureIndex(sigs))
    return hit[1]
