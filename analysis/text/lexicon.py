"""Word lists from YAML matched on folded text: whole words, ``prefix*`` and phrases."""
from __future__ import annotations

import re
from functools import cache

from analysis.resources import load_yaml
from analysis.text.normalise import fold

_MASKED = re.compile(r"\w+(?:[.*_]+\w+)+")  # COU.LLES, m*rde: a mask hides a letter or two


class Lexicon:
    """Match entries (``word``, ``prefix*`` or multi-word phrase) in text."""

    def __init__(self, entries):
        parts, self.words = [], []
        for e in entries:
            e = fold(str(e)).strip()
            if not e:
                continue
            stem = e[:-1] if e.endswith("*") else e
            if " " not in stem:
                self.words.append((stem, e.endswith("*")))
            body = r"\s+".join(re.escape(w) for w in stem.split())
            parts.append(body + (r"\w*" if e.endswith("*") else "") + r"(?!\w)")
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")") if parts else None

    def find(self, text: str) -> list[str]:
        """Entries found in ``text``, masked spellings included."""
        if self.pattern is None:
            return []
        text = fold(text)
        found = [m.group(0) for m in self.pattern.finditer(text)]
        found += [masked for masked in _MASKED.findall(text) if self._unmasked(masked)]
        return found

    def _unmasked(self, masked: str) -> str | None:
        """The first entry a masked spelling can hide (``cou.lles`` -> ``couilles``), or None."""
        if sum(c.isalpha() for c in masked) < 4:
            return None
        guess = re.compile(re.sub(r"[.*_]+", r"\\w{0,2}", fold(masked)))
        return next((stem for stem, _ in self.words if guess.fullmatch(stem)), None)

    def unmask(self, text: str) -> str:
        """``text`` with each masked spelling of an entry written out ("COU.LLES" -> "COUILLES"):
        the transformer's tokenizer cuts a masked word into pieces that no longer carry it."""
        def restore(m):
            stem = self._unmasked(m.group(0))
            return m.group(0) if stem is None else stem.upper() if m.group(0).isupper() else stem
        return _MASKED.sub(restore, text)

    def count(self, text: str) -> int:
        return len(self.find(text))


@cache
def incivility_words() -> Lexicon:
    """Every word of ``config/incivility.yaml`` (all categories): the masks ``unmask`` lifts."""
    spec = load_yaml("incivility.yaml")
    return Lexicon([w for v in spec.values() if isinstance(v, dict) for w in v.get("words") or []])


@cache
def lexicons(name: str) -> dict[str, Lexicon]:
    """Each category of ``config/<name>.yaml`` as a Lexicon (keys words/phrases/lemmas)."""
    spec = load_yaml(f"{name}.yaml")
    return {cat: Lexicon(v.get("words") or v.get("phrases") or v.get("lemmas") or []) for cat, v in spec.items()}
