"""One normal form for matching words against the project's lists: lower case, no accents,
typographic apostrophes made plain. Every lexicon, alias and furniture list is written in it."""
from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case without accents, typographic apostrophes made plain."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


def fold_words(text: str) -> str:
    """``fold``, punctuation turned into single spaces: the words of a line, for list lookups."""
    return _NON_WORD.sub(" ", fold(text)).strip()
