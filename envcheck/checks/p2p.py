"""p2p.absent: file-sharing software installed, running, or registered to open magnet:/ed2k:/.torrent.

Evidence carries only what matched (never the software list) plus, for each handler, the program
behind it. Deciding re-matches every item against the current rules, so newer rules can clear a
name an older checker flagged; a handler whose program no signature names stays a finding of its
own (the registration is the evidence), judged by [p2p_policy] unknown_handlers.

Older snapshots and evidence have no handler source: they are judged on names alone, as the
checker that made them did (see docs/probes.md, "Handlers and older snapshots").
"""

from __future__ import annotations

from datetime import datetime

from envcheck.checks._base import Decision, items, names
from envcheck.checks._index import index_of
from envcheck.checks._names import core
from envcheck.facts.model import Facts, Unknown
from envcheck.ruleset.loader import Rules, Signature

_HOW = {"installed": ("インストール済み", "installed"), "process": ("起動中", "running"),
        "handler": ("リンクやファイルを開くソフトとして登録", "registered to open magnet/torrent links")}
_KIND_GROUP = {"installed": "installed", "app": "installed", "package": "installed", "flatpak": "installed",
               "snap": "installed", "process": "process", "handler": "handler"}


def _handler_sig(sigs: tuple[Signature, ...], program: str, exe: str | None, ident: str | None,
                 platform: str) -> Signature | None:
    """The product behind a handler: by the program's name, its executable, or (Linux) its desktop id."""
    idx = index_of(sigs)
    found = [idx.item(program, "app" if platform == "darwin" else "installed", ident, platform)]
    if exe:
        found.append(idx.process(exe, platform))
    if ident and platform == "linux":
        found += [idx.item(ident, "flatpak", ident, platform), idx.process(ident, platform)]
    hits = [s for s in found if s is not None]
    return min(hits, key=sigs.index) if hits else None


def _not_sharing(rules: Rules, program: str, exe: str | None) -> bool:
    """A remote controller (Transmission Remote GUI …): registered for magnet links, shares nothing here."""
    cands = {core(program), core(exe or "")}
    for n in rules.p2p_not_sharing:
        stem = core(n)
        if any(c and (c == stem or c.startswith(stem + " ") or c.replace(" ", "") == stem.replace(" ", ""))
               for c in cands):
            return True
    return False


def extract_p2p(facts: Facts, rules: Rules) -> dict:
    sigs = rules.p2p
    found, sources = [], {}
    if isinstance(facts.software, Unknown):
        sources["installed"] = facts.software.reason[:200]
    else:
        sources["installed"] = "ok"
        idx = index_of(sigs)
        for s in facts.software:
            # The first signature that matches names it: products come before family rules.
            if (sig := idx.item(s.name, s.kind, s.ident, facts.platform)) is not None:
                found.append({"name": sig.name, "item": s.name, "kind": s.kind, "ident": s.ident,
                              "version": s.version})
    if isinstance(facts.processes, Unknown):
        sources["processes"] = facts.processes.reason[:200]
    else:
        sources["processes"] = "ok"
        for proc in facts.processes:
            if (sig := index_of(sigs).process(proc, facts.platform)) is not None:
                found.append({"name": sig.name, "item": proc, "kind": "process", "ident": None, "version": None})
    if isinstance(facts.handlers, Unknown):
        sources["handlers"] = facts.handlers.reason[:200]
    elif facts.handlers is not None:
        sources["handlers"] = "ok"
        for h in facts.handlers:
            sig = _handler_sig(sigs, h.program, h.exe, h.ident, facts.platform)
            if sig is None and _not_sharing(rules, h.program, h.exe):
                continue
            found.append({"name": sig.name if sig else h.program, "item": h.program, "kind": "handler",
                          "ident": h.ident, "exe": h.exe, "handles": h.kind, "how": h.how, "version": None})
    return {"found": found, "sources": sources}


def _classify(f: dict, rules: Rules, platform: str) -> tuple[str, dict] | None:
    """("p2p" | "dual_use" | "unknown_handler", the finding named by the current rules), or None if cleared."""
    item, kind = str(f.get("item", "")), str(f.get("kind", ""))
    ident = f.get("ident") if isinstance(f.get("ident"), str) else None
    if kind == "handler":
        exe = f.get("exe") if isinstance(f.get("exe"), str) else None
        sig = _handler_sig(rules.p2p, item, exe, ident, platform)
        if sig is None:
            return None if _not_sharing(rules, item, exe) else ("unknown_handler", {**f, "name": item})
    else:
        idx = index_of(rules.p2p)
        sig = idx.process(item, platform) if kind == "process" else idx.item(item, kind, ident, platform)
        if sig is None:
            return None
    return ("dual_use" if sig.dual_use else "p2p"), {**f, "name": sig.name}


def _how(rows: list[dict]) -> dict:
    parts: dict[str, list[str]] = {}
    for r in rows:
        parts.setdefault(_KIND_GROUP.get(str(r.get("kind")), "installed"), []).append(str(r.get("item")))
    ja = "、".join(f"{_HOW[k][0]}: {', '.join(sorted(set(v)))}" for k, v in parts.items())
    en = "; ".join(f"{_HOW[k][1]}: {', '.join(sorted(set(v)))}" for k, v in parts.items())
    return {"how_ja": ja, "how_en": en}


def decide_p2p(ev: dict, rules: Rules, now: datetime, platform: str) -> Decision:
    policy = dict(rules.p2p_policy)
    level = {"p2p": "fail", "dual_use": policy.get("download_managers", "warn"),
             "unknown_handler": policy.get("unknown_handlers", "fail")}
    failing, warning, only_handlers = [], [], True
    for f in items(ev, "found"):
        got = _classify(f, rules, platform)
        if got is None:
            continue
        cls, row = got
        if level[cls] == "fail":
            failing.append(row)
            only_handlers = only_handlers and cls == "unknown_handler"
        elif level[cls] == "warn":
            warning.append(row)
    if failing:
        params = {"names": names(failing), "items": names(failing, "item"), **_how(failing)}
        return Decision("fail", "handler", params) if only_handlers else Decision("fail", "found", params)
    sources = ev["sources"] if isinstance(ev.get("sources"), dict) else {}
    bad = {k: v for k, v in sources.items() if v != "ok"}
    if bad or not sources:
        return Decision("unknown", "partial", {"reason": "; ".join(f"{k}: {v}" for k, v in bad.items()) or "-"})
    if warning:
        return Decision("warn", "dual_use", {"names": names(warning), "items": names(warning, "item"),
                                             **_how(warning)})
    return Decision("pass", "none", {})
