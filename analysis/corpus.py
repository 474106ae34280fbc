"""The corpus model: a news page (title, paragraphs, comments, furniture) and its units.

Three input formats share one :class:`Page` model:

* a raw text dump of a news page (``.txt``; the seed's format), see :func:`load_page`;
* one JSON file per article (``.json``), see :func:`load_json`;
* a table of many articles, one row per title, paragraph or comment (``.csv``/``.parquet``),
  see :func:`load_table`.

Every text block keeps ``segments``: where each of its lines lies in ``Page.raw`` (the file's
own text for dumps, a plain rendering of the fields for JSON and tables), so that units'
``start``/``end`` offsets always point back into ``Page.raw``.
"""
from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from datetime import date as _date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import language, nlp
from .resources import load_yaml

MAX_BLOCK_CHARS = 2_000_000  # larger blocks are refused: no page dump holds such a comment


class CorpusError(ValueError):
    """Bad input, with the file and line it comes from."""

    def __init__(self, path, line, message):
        self.path, self.line = str(path), line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class CorpusWarning(UserWarning):
    """Input that is accepted but unusual (no comments, counter disagrees)."""


@dataclass
class Block:
    """A piece of text made of one or more raw lines.

    ``segments`` holds ``(text_offset, raw_start, raw_end)`` for each line, so that
    ``text[o:o + (e - s)] == raw[s:e]``.
    """

    text: str
    line: int
    segments: list[tuple[int, int, int]]

    @property
    def start(self) -> int:
        return self.segments[0][1]

    @property
    def end(self) -> int:
        return self.segments[-1][2]

    @property
    def lines(self) -> list[int]:
        return list(range(self.line, self.line + len(self.segments)))

    def raw_offset(self, i: int) -> int:
        """Map an offset in ``text`` to an offset in the page's raw text."""
        for off, start, end in reversed(self.segments):
            if i >= off:
                return min(start + (i - off), end)
        return self.start


@dataclass
class Paragraph(Block):
    number: int = 0


@dataclass
class Comment(Block):
    number: int = 0
    author: str | None = None
    mentions: list[str] = field(default_factory=list)
    reply_to: int | None = None
    reply_basis: str | None = None  # "reply_to field", "@author", "word overlap"


@dataclass
class FurnitureLine:
    line: int
    text: str
    kind: str  # weather, section, comment_counter, other


@dataclass
class Page:
    source: str
    raw: str
    title: str
    kicker: str | None
    date: str | None
    place: str | None
    url: str | None
    title_block: Block | None
    paragraphs: list[Paragraph]
    comments: list[Comment]
    furniture: list[FurnitureLine]
    header_lines: dict[str, int] = field(default_factory=dict)  # date/place -> line

    @property
    def page_id(self) -> str:
        return Path(self.source).stem


# ----------------------------------------------------------------------------- helpers
def _fold(text: str) -> str:
    """Lower-case, strip accents and punctuation: the form page.yaml lists are written in."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text).strip()


@lru_cache(maxsize=1)
def _page_config():
    cfg = load_yaml("page.yaml")
    words = "|".join(map(re.escape, cfg["comment_counter_words"]))
    return {
        "furniture": {_fold(x) for x in cfg["trailing_furniture"]},
        "counter": re.compile(rf"^\s*(\d+)\s+(?:{words})\s*$", re.IGNORECASE),
        "weekdays": set(cfg["weekdays"]),
        "months": cfg["months"],
    }


_TEMPERATURE = re.compile(r"^-?\d+(?:[.,]\d+)?\s*°?\s*[CF]$")
_NUMBERED = re.compile(r"^(\s*)(\d{1,5})\.\s+(\S.*)$")
_KICKER = re.compile(r"^((?:Exclusif|Exclusive|Urgent|Info|Breaking|Analyse|Tribune|Enquête)\s*[.:!])\s+(.+)$",
                     re.IGNORECASE)
_MENTION = re.compile(r"@([\w.-]+?)@?(?=[\s.,;:!?]|$)")
_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|div|p|script|meta)\b", re.IGNORECASE)


def parse_date(text: str) -> str | None:
    """ISO date from 'vendredi, avril 26, 2024', '26 avril 2024', '26/04/2024' or '2024-04-26'."""
    cfg = _page_config()
    words = [w for w in _fold(text).split() if w not in cfg["weekdays"]]
    try:
        if len(words) == 3 and words[0] in cfg["months"]:  # avril 26 2024
            return _date(int(words[2]), cfg["months"][words[0]], int(words[1])).isoformat()
        if len(words) == 3 and words[1] in cfg["months"]:  # 26 avril 2024
            return _date(int(words[2]), cfg["months"][words[1]], int(words[0])).isoformat()
        m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", text)
        if m:
            return _date(*map(int, m.groups())).isoformat()
        m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", text)
        if m:
            return _date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None
    return None


def _lines(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every line, end excluding the newline."""
    out, pos = [], 0
    for line in raw.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def _block(cls, lines, idxs, skip: int = 0, **kw):
    """Build a block from line indexes, stripping indentation, trailing spaces and, on the
    first line, ``skip`` more characters (a comment's "N. ")."""
    parts, segs, off = [], [], 0
    for k, i in enumerate(idxs):
        start, _, text = lines[i]
        lead = len(text) - len(text.lstrip()) + (skip if k == 0 else 0)
        body = text[lead:].rstrip()
        segs.append((off, start + lead, start + lead + len(body)))
        parts.append(body)
        off += len(body) + 1
    return cls(text="\n".join(parts), line=idxs[0] + 1, segments=segs, **kw)


def _decode(data: bytes, path, encoding: str) -> str:
    if not data.strip():
        raise CorpusError(path, 1, "file is empty")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise CorpusError(
            path, line,
            f"bytes are not valid {encoding} at byte offset {err.start} (0x{data[err.start]:02x}); "
            f"if the file uses another encoding, pass it, e.g. load_page(path, encoding='cp1252')",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _refuse_html(text: str, path) -> None:
    m = _HTML.search(text[:5000])
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise CorpusError(path, line, "this is an HTML page, not a text dump; extract the text, or write "
                                      "the article as JSON (see README: 'Analysing your own article')")


# ----------------------------------------------------------------------------- raw page dumps
def load_page(path, encoding: str = "utf-8") -> Page:
    """Parse a page from a raw text dump (or a ``.json`` article, see :func:`load_json`)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return load_json(path, encoding=encoding)
    if not path.is_file():
        raise CorpusError(path, None, "no such file")
    raw = _decode(path.read_bytes(), path, encoding)
    _refuse_html(raw, path)
    return parse_dump(raw, source=str(path))


def parse_dump(raw: str, source: str = "<text>") -> Page:
    """Parse the text of a raw page dump (see :func:`load_page`)."""
    cfg = _page_config()
    lines = _lines(raw)
    nonblank = [i for i, (_, _, t) in enumerate(lines) if t.strip()]
    if not nonblank:
        raise CorpusError(source, 1, "file is empty")
    for i in nonblank:
        if lines[i][1] - lines[i][0] > MAX_BLOCK_CHARS:
            raise CorpusError(source, i + 1, f"line is longer than {MAX_BLOCK_CHARS:,} characters")
    furniture: list[FurnitureLine] = []
    header: dict[str, int] = {}
    date = place = None

    # 1. header: the first run of non-blank lines, when it holds a date or a temperature
    first_run = []
    for i in nonblank:
        if first_run and i != first_run[-1] + 1:
            break
        first_run.append(i)
    texts = [lines[i][2].strip() for i in first_run]
    is_header = len(first_run) < len(nonblank) and any(
        _TEMPERATURE.match(t) or parse_date(t) for t in texts)
    pos = 0
    if is_header:
        for i, t in zip(first_run, texts):
            if _TEMPERATURE.match(t):
                furniture.append(FurnitureLine(i + 1, t, "weather"))
            elif date is None and parse_date(t):
                date, header["date"] = parse_date(t), i + 1
            elif place is None and len(t.split()) <= 4:
                place, header["place"] = t, i + 1
            else:
                furniture.append(FurnitureLine(i + 1, t, "other"))
        pos = len(first_run)

    # 2. headline, with its kicker
    head_i = nonblank[pos]
    title_block = _block(Block, lines, [head_i])
    kicker, title = None, title_block.text
    m = _KICKER.match(title)
    if m:
        kicker, title = m[1], m[2]
    pos += 1

    # 3. body until the first furniture line or comment counter
    rest = nonblank[pos:]
    end = next((k for k, i in enumerate(rest)
                if _fold(lines[i][2]) in cfg["furniture"] or cfg["counter"].match(lines[i][2])), len(rest))
    body, tail = rest[:end], rest[end:]
    paragraphs, group = [], []
    for i in body:
        if group and i != group[-1] + 1:
            paragraphs.append(_block(Paragraph, lines, group, number=len(paragraphs) + 1))
            group = []
        group.append(i)
    if group:
        paragraphs.append(_block(Paragraph, lines, group, number=len(paragraphs) + 1))

    # 4. furniture, counter, numbered comments
    counter = None
    first = next((k for k, i in enumerate(tail) if _NUMBERED.match(lines[i][2])), len(tail))
    for i in tail[:first]:
        t = lines[i][2].strip()
        m = cfg["counter"].match(t)
        if m:
            counter = int(m[1])
        furniture.append(FurnitureLine(i + 1, t, "comment_counter" if m else "section"))
    comments = _parse_comments(lines, tail[first:], source) if first < len(tail) else []
    if not comments:
        warnings.warn(f"{source}: no comments found; the page is analysed as an article alone",
                      CorpusWarning, stacklevel=2)
    if counter is not None and counter != len(comments):
        warnings.warn(f"{source}: the counter announces {counter} comments, {len(comments)} were found",
                      CorpusWarning, stacklevel=2)
    page = Page(source=source, raw=raw, title=title, kicker=kicker, date=date, place=place, url=None,
                title_block=title_block, paragraphs=paragraphs, comments=comments,
                furniture=furniture, header_lines=header)
    link_replies(page)
    return page


def _parse_comments(lines, idxs, source) -> list[Comment]:
    """Numbered comments: '  1. text' then continuation lines, blank lines inside kept."""
    indent = len(_NUMBERED.match(lines[idxs[0]][2])[1])
    starts = []
    for i in idxs:
        m = _NUMBERED.match(lines[i][2])
        if m and len(m[1]) <= indent:
            number = int(m[2])
            expected = starts[-1][1] + 1 if starts else 1
            if number != expected:
                raise CorpusError(source, i + 1, f"comment numbering jumps: expected {expected}., found {number}.")
            starts.append((i, number))
    comments = []
    last = idxs[-1]
    for k, (i, number) in enumerate(starts):
        stop = starts[k + 1][0] - 1 if k + 1 < len(starts) else last
        while not lines[stop][2].strip():
            stop -= 1
        m = _NUMBERED.match(lines[i][2])
        c = _block(Comment, lines, list(range(i, stop + 1)), skip=m.start(3) - len(m[1]), number=number)
        if len(c.text) > MAX_BLOCK_CHARS:
            raise CorpusError(source, i + 1, f"comment {number} is longer than {MAX_BLOCK_CHARS:,} characters")
        c.mentions = _MENTION.findall(c.text)
        comments.append(c)
    return comments


# ----------------------------------------------------------------------------- replies
def _content_words(text: str, stop: set[str]) -> set[str]:
    return {w for w in _fold(text).split() if len(w) > 3 and w not in stop}


_SECOND_PERSON = re.compile(r"\b(?:tu|toi|ton|ta|tes)\b", re.IGNORECASE)


def link_replies(page: Page) -> None:
    """Fill ``reply_to`` for comments that address someone and have no explicit parent.

    An ``@name`` matching an earlier comment's author wins; otherwise a comment that
    addresses someone (an ``@mention`` or a second-person singular word) is linked to the earlier
    comment sharing most content words with it. ``reply_basis`` says which rule applied.
    """
    stop = set(load_yaml("languages.yaml")["profiles"]["fr"])
    words_of = [_content_words(c.text, stop) for c in page.comments]  # once per comment
    for k, c in enumerate(page.comments):
        if c.reply_to is not None or k == 0:
            continue
        earlier = page.comments[:k]
        named = [p for p in earlier if p.author and p.author.lower() in {m.lower() for m in c.mentions}]
        if named:
            c.reply_to, c.reply_basis = named[-1].number, "@author"
        elif c.mentions or _SECOND_PERSON.search(c.text):
            words = words_of[k]
            best = max(range(k), key=lambda j: (len(words & words_of[j]), j))
            if words & words_of[best]:
                c.reply_to, c.reply_basis = page.comments[best].number, "word overlap"


# ----------------------------------------------------------------------------- JSON and tables
def _render(source, title, body, comments, date=None, url=None) -> Page:
    """Build a Page from fields, rendering them into ``raw`` so offsets stay meaningful."""
    raw_parts, pos, line = [], 0, 1

    def add(text: str, cls, **kw):
        nonlocal pos, line
        segs, off = [], 0
        for part in text.split("\n"):
            segs.append((off, pos + off, pos + off + len(part)))
            off += len(part) + 1
        blk = cls(text=text, line=line, segments=segs, **kw)
        raw_parts.append(text + "\n\n")
        pos += len(text) + 2
        line += text.count("\n") + 2
        return blk

    title_block = add(title, Block) if title else None
    paragraphs = [add(p, Paragraph, number=i + 1) for i, p in enumerate(body)]
    out = []
    for i, c in enumerate(comments):
        blk = add(c["text"], Comment, number=i + 1, author=c.get("author"))
        blk.mentions = _MENTION.findall(blk.text)
        out.append(blk)
    numbers = {str(c.get("id") or i + 1): i + 1 for i, c in enumerate(comments)}
    for blk, c in zip(out, comments):
        parent = c.get("reply_to")
        if parent is not None and str(parent) in numbers:
            blk.reply_to, blk.reply_basis = numbers[str(parent)], "reply_to field"
    if not out:
        warnings.warn(f"{source}: no comments found; the page is analysed as an article alone",
                      CorpusWarning, stacklevel=3)
    page = Page(source=str(source), raw="".join(raw_parts), title=title, kicker=None,
                date=parse_date(str(date)) if date else None, place=None, url=url,
                title_block=title_block, paragraphs=paragraphs, comments=out, furniture=[])
    link_replies(page)
    return page


def load_json(path, encoding: str = "utf-8") -> Page:
    """One article as JSON: ``{"title", "date", "url", "body": [...], "comments": [{"id", "author", "text", "reply_to"}]}``."""
    path = Path(path)
    if not path.is_file():
        raise CorpusError(path, None, "no such file")
    text = _decode(path.read_bytes(), path, encoding)
    _refuse_html(text, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise CorpusError(path, err.lineno, f"invalid JSON: {err.msg}") from None
    if not isinstance(doc, dict):
        raise CorpusError(path, 1, "expected a JSON object with 'title', 'body' and 'comments'")
    body = doc.get("body")
    if isinstance(body, str):
        body = [p for p in body.split("\n\n") if p.strip()]
    if not isinstance(body, list) or not all(isinstance(p, str) for p in body):
        raise CorpusError(path, None, "'body' must be a list of paragraph strings")
    comments = doc.get("comments", [])
    if not isinstance(comments, list):
        raise CorpusError(path, None, "'comments' must be a list")
    for k, c in enumerate(comments):
        if not isinstance(c, dict) or not isinstance(c.get("text"), str) or not c["text"].strip():
            raise CorpusError(path, None, f"comments[{k}] needs a non-empty 'text' string")
        if len(c["text"]) > MAX_BLOCK_CHARS:
            raise CorpusError(path, None, f"comments[{k}] is longer than {MAX_BLOCK_CHARS:,} characters")
    if not str(doc.get("title", "")).strip() and not body:
        raise CorpusError(path, None, "the article has neither a title nor a body")
    return _render(path, str(doc.get("title", "")).strip(), [p.strip() for p in body],
                   [{**c, "text": c["text"].strip()} for c in comments], doc.get("date"), doc.get("url"))


TABLE_COLUMNS = ("article_id", "part", "text")


def load_table(path) -> list[Page]:
    """Many articles from a CSV/Parquet table, one row per title, paragraph or comment.

    Required columns: ``article_id, part (title|body|comment), text``; optional:
    ``date, url, comment_id, author, reply_to``. Rows keep their order within an article.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(path, None, "no such file")
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str, keep_default_na=False)
    except UnicodeDecodeError as err:
        raise CorpusError(path, None, f"not valid UTF-8 ({err.reason} at byte {err.start})") from None
    except (pd.errors.EmptyDataError, ValueError, OSError) as err:
        raise CorpusError(path, 1, f"cannot read table: {err}") from None
    return pages_from_table(df, path)


def pages_from_table(df: pd.DataFrame, path) -> list[Page]:
    """Pages from table rows (see :func:`load_table`), one per ``article_id``, in order."""
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise CorpusError(path, 1, f"missing column(s) {', '.join(missing)}; need {', '.join(TABLE_COLUMNS)}")
    pages = []
    for art, g in df.groupby("article_id", sort=False):
        bad = g[~g["part"].isin(["title", "body", "comment"])]
        if len(bad):
            raise CorpusError(path, int(bad.index[0]) + 2, f"part must be title, body or comment, got {bad['part'].iloc[0]!r}")
        first = g.iloc[0]
        comments = [{"id": r.get("comment_id") or None, "author": r.get("author") or None,
                     "reply_to": r.get("reply_to") or None, "text": str(r["text"]).strip()}
                    for _, r in g[g["part"] == "comment"].iterrows()]
        pages.append(_render(f"{path}#{art}", " ".join(g.loc[g["part"] == "title", "text"].astype(str)).strip(),
                             [str(t).strip() for t in g.loc[g["part"] == "body", "text"]], comments,
                             first.get("date") or None, first.get("url") or None))
    return pages


# ----------------------------------------------------------------------------- units
UNIT_COLUMNS = ["unit_id", "part", "comment_no", "paragraph_no", "sentence_no", "text",
                "start", "end", "lang", "mixed"]


def blocks(page: Page) -> list[tuple[str, int | None, int | None, Block]]:
    """``(part, comment_no, paragraph_no, block)`` for title (paragraph 0), paragraphs and comments."""
    out = [("article", None, 0, page.title_block)] if page.title_block else []
    out += [("article", None, p.number, p) for p in page.paragraphs]
    out += [("comment", c.number, None, c) for c in page.comments]
    return out


def units(page: Page) -> pd.DataFrame:
    """One row per sentence (spaCy's French parser) of the title, paragraphs and comments.

    The kicker stays in the title's text. ``start``/``end`` index ``page.raw``.
    """
    blks = blocks(page)
    rows = []
    for (part, cno, pno, blk), parts in zip(blks, nlp.parse([b.text for _, _, _, b in blks])):
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
