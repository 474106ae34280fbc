"""Language of a short unit of text: fr, en, ar, ary (Darija in Latin script) or und.

The rule and its word lists live in ``config/languages.yaml``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from analysis.resources import load_yaml

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]*)?", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")


@lru_cache(maxsize=1)
def _profiles() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in load_yaml("languages.yaml")["profiles"].items()}


def _tokens(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text.lower().replace("’", "'")):
        if "'" in w and not w.endswith("'"):  # l'armée -> l', armée
            head, tail = w.split("'", 1)
            out += [head + "'", tail]
        else:
            out.append(w)
    return out


def identify(text: str) -> tuple[str, bool]:
    """Return ``(lang, mixed)`` for one unit; see config/languages.yaml for the rule."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "und", False
    arabic = sum(1 for c in letters if _ARABIC.match(c))
    if arabic / len(letters) >= 0.5:
        return "ar", arabic < len(letters)
    words = _tokens(_ARABIC.sub(" ", text))
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in _profiles().items()}
    mixed = arabic > 0
    fr, en, ary = hits.get("fr", 0), hits.get("en", 0), hits.get("ary", 0)
    if ary >= 2 or (ary == 1 and fr == 0 and en == 0):
        return "ary", mixed or fr > 0
    if fr == 0 and en == 0:
        return ("und", mixed) if len(words) < 3 else ("fr", mixed)
    return ("en", mixed) if en > fr else ("fr", mixed)
