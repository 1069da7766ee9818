"""Name matching that survives real naming: one pure normaliser and the name rules of a signature.

Real uninstall entries, app names and executables wrap a product's name in noise: a version
("Winny 2.0b7.1", "v1.2"), an architecture ("_x64", "(64-bit)", "amd64"), an edition word
("Beta", "Portable"), a description ("Deluge BitTorrent Client"), full-width letters from a
Japanese keyboard ("ｅＭｕｌｅ"), a Greek letter ("µTorrent", "β") or a decoration in
brackets (「〜The Next Generation P2P〜」). `core()` strips that noise and `matches_name()`
compares what is left on word boundaries, never as a bare substring, so "NVIDIA Share" is
never "Share" and "Emulex" is never "eMule".

A signature's name rules (rules/software.toml, documented there):
  names   exact product names: the core must equal one (weak, ordinary words such as "Share")
  stems   distinctive names: the core may also start with one as whole words ("qBittorrent
          Enhanced Edition"), or carry a fork suffix ("WinnyP", "eMule Plus", "LimeWire Pro");
          the executable may be the stem without spaces
  name_patterns  regular expressions searched in the core (families: "…DC++", "…torrent")
  excludes       regular expressions searched in the core that veto every name rule
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from envcheck.ruleset.loader import Signature

# Greek letters as products write them: µTorrent's micro sign (NFKC turns it into Greek mu).
_GREEK = {"μ": "u", "α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "ω": " omega "}
# Decorations that are never part of the product's name.
_BRACKETS = re.compile(r"「[^」]*」|【[^】]*】|〜[^〜]*〜|~[^~]*~|\([^)]*\)|\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_VERSION = re.compile(r"^(v|ver|version|r|rev|build|b)?\d[\d.]*([a-z]{1,3}\d*[\d.]*)?$")  # 2.0b7.1, 0.50a, r600
_ARCH = {"x64", "x86", "x86_64", "x32", "amd64", "arm64", "aarch64", "win32", "win64", "64bit", "32bit", "i386",
         "i686", "ia32", "64", "32", "bit"}
_EDITION = {"beta", "alpha", "rc", "preview", "nightly", "dev", "test", "portable", "stable", "release", "setup",
            "installer", "final", "unicode", "ja", "jp", "en", "japanese", "english", "日本語版", "日本語",
            "版", "desktop", "app", "application", "only", "remove", "for", "windows", "win", "mac", "macos",
            "linux"}
# Trailing descriptions that affirm file sharing; an ordinary word ("client", "server") alone does not.
_DESCRIPTIONS = ("bittorrent client", "torrent client", "p2p client", "p2p file sharing", "file sharing client",
                 "file sharing", "p2p", "bittorrent", "ファイル共有ソフト", "ファイル共有", "gnutella client",
                 "edonkey client", "direct connect client", "soulseek client")
# A fork's suffix on its original's name: WinnyP, eMule Plus, LimeWire Pro, Shareaza Gold, DC++ Lite.
FORK_SUFFIXES = ("p", "plus", "gold", "lite", "pro", "mod", "ex", "ex2", "ng", "plusplus", "turbo", "extreme",
                 "xtreme", "community", "enhanced", "ee", "classic", "legacy", "next", "free", "basic")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Case-folded NFKC text with "+" spelled out and all punctuation as single spaces."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = "".join(_GREEK.get(ch, ch) for ch in s)
    s = _BRACKETS.sub(" ", s)
    s = s.replace("+", "plus")
    s = re.sub(r"\.(exe|app)$", "", s.strip())
    s = re.sub(r"(?<=[a-z])(?=\d+(bit)\b)", " ", s)  # "x64bit" -> "x 64bit" is harmless; "64bit" stays a token
    s = re.sub(r"[^\w.]+|_", " ", s)  # keep dots for versions ("2.0b7"), everything else separates words
    s = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", s)  # a dot not between digits separates too
    return " ".join(s.split())


def _strip(words: list[str], full: bool = True) -> list[str]:
    """Drop trailing versions, architectures, edition words and affirming descriptions (never the last word);
    not `full`: versions and architectures only."""
    changed = True
    while changed and len(words) > 1:
        changed = False
        last = words[-1]
        if _VERSION.match(last) or last in _ARCH or (full and last in _EDITION):
            words = words[:-1]
            changed = True
            continue
        if not full:
            break
        tail = " ".join(words)
        for d in _DESCRIPTIONS:
            if tail.endswith(" " + d):
                words = words[:-len(d.split())]
                changed = True
                break
    return words


@lru_cache(maxsize=65536)
def core(text: str) -> str:
    """The product name inside a display name: "Deluge BitTorrent Client Beta 2.1.1" -> "deluge"."""
    words = _strip(normalise(text).split())
    # A version fused to the last word ("Winny2", "Shareaza2"): keep it, the rules decide (see _fused).
    return " ".join(words)


@lru_cache(maxsize=65536)
def exe_core(process: str) -> str:
    """A running program's name without extension, architecture or version: "qbittorrent_x64.exe" -> "qbittorrent"."""
    words = _strip(normalise(process).split())
    return "".join(words)


def _compact(text: str) -> str:
    return normalise(text).replace(" ", "")


class NameRules:
    """A signature's name rules, normalised once."""

    __slots__ = (
        "any",
        "bare_procs",
        "cjk_stems",
        "exact",
        "excludes",
        "exe_forks",
        "forks",
        "names",
        "patterns",
        "procs",
        "stem_set",
        "stems",
        "stems_compact",
    )

    def __init__(self, sig: Signature):
        self.names = frozenset(normalise(n) for n in sig.names)
        self.stems = tuple(normalise(n) for n in sig.stems)
        self.stems_compact = frozenset(_compact(n) for n in sig.stems)
        self.forks = frozenset(v for st in self.stems for v in _fork_variants(st))
        self.exe_forks = frozenset(v for st in self.stems_compact for v in _fork_variants(st))
        self.patterns = sig.name_patterns
        self.excludes = sig.excludes
        self.procs = frozenset(exe_core(p) for p in sig.process_names)
        self.bare_procs = frozenset(_bare(p) for p in sig.process_names)
        self.exact = self.names | self.forks
        self.stem_set = frozenset(self.stems)
        # Japanese and Chinese names have no spaces between words: "迅雷极速版" starts with "迅雷".
        self.cjk_stems = tuple(st for st in self.stems if st and unicodedata.east_asian_width(st[0]) == "W")
        self.any = bool(self.names or self.stems or self.patterns)

    def excluded(self, c: str) -> bool:
        return any(p.search(c) for p in self.excludes)


_RULES: dict[int, tuple[Signature, NameRules]] = {}


def rules_of(sig: Signature) -> NameRules:
    """The signature's normalised name rules, built once per signature object (hashing a
    Signature on every call would cost more than the match)."""
    hit = _RULES.get(id(sig))
    if hit is None or hit[0] is not sig:
        if len(_RULES) > 4096:
            _RULES.clear()
        hit = _RULES[id(sig)] = (sig, NameRules(sig))
    return hit[1]


def _bare(name: str) -> str:
    name = name.lower().strip()
    return name[:-4] if name.endswith(".exe") else name


@lru_cache(maxsize=65536)
def _without_digits(c: str) -> str:
    """ "winny2" -> "winny", "shareaza 2" stays (core() already dropped a separate version)."""
    return re.sub(r"(?<=[a-z])\d+[a-z]?$", "", c)


def _fork_variants(stem: str) -> set[str]:
    """The stem with a fork's suffix, fused or as a word: "winny" -> "winnyp", "winny p", …"""
    out = set()
    for suffix in FORK_SUFFIXES:
        out.update({stem + suffix, f"{stem} {suffix}", (stem + suffix).replace(" ", "")})
    return out


@lru_cache(maxsize=65536)
def _keys(display: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(core, the core and the core without a fused version, every leading run of whole words of both)."""
    c = core(display)
    light = " ".join(_strip(normalise(display).split(), full=False))
    exact = frozenset({c, _without_digits(c), light}) if c else frozenset()
    prefixes: set[str] = set()
    for cand in exact:
        words = cand.split()
        prefixes.update(" ".join(words[:k]) for k in range(1, len(words) + 1))
    return c, exact, frozenset(prefixes)


def matches_name(sig: Signature, display: str) -> bool:
    """Does a display name (Windows DisplayName, macOS app name) belong to `sig` by its name rules?"""
    r = rules_of(sig)
    if not r.any:
        return False
    c, exact, prefixes = _keys(display)
    if not c:
        return False
    hit = (not r.exact.isdisjoint(exact) or not r.stem_set.isdisjoint(prefixes)
           or any(p.search(c) for p in r.patterns) or any(c.startswith(st) for st in r.cjk_stems))
    return hit and not r.excluded(c)


def matches_exe(sig: Signature, process: str) -> bool:
    """Does a running program's name belong to `sig`: its listed executables, or a stem without spaces?"""
    r = rules_of(sig)
    e = exe_core(process)
    if not e:
        return False
    if e in r.procs:
        return True
    if r.excluded(normalise(process)):
        return False
    return any(cand in r.stems_compact or cand in r.exe_forks for cand in {e, _without_digits(e)})
