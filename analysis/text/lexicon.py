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
        for masked in _MASKED.findall(text):
            if sum(c.isalpha() for c in masked) < 4:
                continue
            guess = re.compile(re.sub(r"[.*_]+", r"\\w{0,2}", masked))
            found += [masked for stem, _ in self.words if guess.fullmatch(stem)]
        return found

    def count(self, text: str) -> int:
        return len(self.find(text))


@cache
def lexicons(name: str) -> dict[str, Lexicon]:
    """Each category of ``config/<name>.yaml`` as a Lexicon (keys words/phrases/lemmas)."""
    spec = load_yaml(f"{name}.yaml")
    return {cat: Lexicon(v.get("words") or v.get("phrases") or v.get("lemmas") or []) for cat, v in spec.items()}
