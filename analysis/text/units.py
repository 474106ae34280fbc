"""Units of analysis: one row per sentence of a page's title, paragraphs and comments.

Reading a page (``analysis.io``) needs no NLP; cutting it into sentences does (spaCy's French
parser, ``analysis.text.nlp``), so units live with the text layer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.resources import progress_enabled
from analysis.text import language, nlp

if TYPE_CHECKING:
    from analysis.io.pages import Block, Page

UNIT_COLUMNS = ["unit_id", "part", "comment_no", "paragraph_no", "sentence_no", "text",
                "start", "end", "lang", "mixed"]


def blocks(page: Page) -> list[tuple[str, int | None, int | None, Block]]:
    """``(part, comment_no, paragraph_no, block)`` for title (paragraph 0), paragraphs and comments."""
    out = [("article", None, 0, page.title_block)] if page.title_block else []
    out += [("article", None, p.number, p) for p in page.paragraphs]
    out += [("comment", c.number, None, c) for c in page.comments]
    return out


PARSE_BATCH_CHARS = 200_000  # a progress step


def _parse_with_progress(texts: list[str], progress: bool | None):
    """``nlp.parse`` in steps of about PARSE_BATCH_CHARS, cut where the pieces parsed so far
    are a multiple of spaCy's minibatch (64), so the parser sees the same minibatches."""
    from tqdm.auto import tqdm

    total = sum(map(len, texts))
    if total < 2 * PARSE_BATCH_CHARS:
        yield from nlp.parse(texts, sentences_only=True)
        return
    bar = tqdm(total=total, desc="parsing sentences", unit="char", unit_scale=True,
               disable=not progress_enabled(progress))
    batch, size, pieces = [], 0, 0
    try:
        for k, t in enumerate(texts):
            batch.append(t)
            size += len(t)
            pieces += len(nlp.chunks(t))
            if (size >= PARSE_BATCH_CHARS and pieces % 64 == 0) or size >= 8 * PARSE_BATCH_CHARS \
                    or k == len(texts) - 1:
                yield from nlp.parse(batch, sentences_only=True)
                bar.update(size)
                batch, size, pieces = [], 0, 0
    finally:
        bar.close()


def units(page: Page, progress: bool | None = None) -> pd.DataFrame:
    """One row per sentence (spaCy's French parser) of the title, paragraphs and comments.

    The kicker stays in the title's text. ``start``/``end`` index ``page.raw``. A progress
    bar shows for long pages (``progress``: see :func:`analysis.resources.progress_enabled`).
    """
    blks = blocks(page)
    rows = []
    for (part, cno, pno, blk), parts in zip(blks, _parse_with_progress([b.text for _, _, _, b in blks], progress)):
        sents = [(off + s.start_char, off + s.end_char) for off, doc in parts for s in doc.sents
                 if s.text.strip()]
        for k, (a, b) in enumerate(sents, 1):
            text = blk.text[a:b].rstrip()
            b = a + len(text)
            lang, mixed = language.identify(text)
            uid = f"a-p{pno:02d}-s{k:02d}" if part == "article" else f"c{cno:02d}-s{k:02d}"
            rows.append({"unit_id": uid, "part": part, "comment_no": cno, "paragraph_no": pno,
                         "sentence_no": k, "text": text, "start": blk.raw_offset(a),
                         "end": blk.raw_offset(b), "lang": lang, "mixed": mixed})
    df = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    df["comment_no"] = df["comment_no"].astype("Int64")
    df["paragraph_no"] = df["paragraph_no"].astype("Int64")
    return df
