"""The corpus model: a news page (title, paragraphs, comments, furniture); its sentence units
are cut by ``analysis.text.units``.

Three input formats share one :class:`Page` model:

* a raw text dump of a news page (``.txt``; the seed's format), see :func:`load_page`;
* one JSON file per article (``.json``), see :func:`load_json`;
* a saved web page (``.html``/``.htm``, or a file whose content starts as HTML), see
  :func:`analysis.io.html.load_html`;
* a table of many articles, one row per title, paragraph or comment (``.csv``/``.parquet``),
  see :func:`load_table`.

Every text block keeps ``segments``: where each of its lines lies in ``Page.raw`` (the file's
own text for dumps, a plain rendering of the fields for JSON and tables), so that units'
``start``/``end`` offsets always point back into ``Page.raw``.
"""
from __future__ import annotations

import bisect
import csv
import io
import json
import math
import re
import sys
import warnings
from dataclasses import dataclass, field
from datetime import date as _date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import CorpusError
from analysis.resources import load_yaml
from analysis.text.normalise import fold_words

MAX_BLOCK_CHARS = 2_000_000  # larger blocks are refused: no page dump holds such a comment

__all__ = ["CorpusError", "CorpusWarning", "Page", "load_page", "load_json", "load_table"]


def _raise_csv_field_limit() -> None:
    """The csv module stops at 131,072 characters a field; texts may be up to MAX_BLOCK_CHARS."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


_raise_csv_field_limit()


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
        k = bisect.bisect_right(self.segments, i, key=lambda seg: seg[0]) - 1
        if k < 0:
            return self.start
        off, start, end = self.segments[k]
        return min(start + (i - off), end)


@dataclass
class Paragraph(Block):
    number: int = 0


@dataclass
class Comment(Block):
    number: int = 0
    author: str | None = None
    mentions: list[str] = field(default_factory=list)
    reply_to: int | None = None
    reply_basis: str | None = None  # "reply_to field", "@author", "word overlap", "markup: ..." (HTML)
    date: str | None = None  # as the input gives it (HTML: the datetime attribute); None elsewhere
    comment_id: str | None = None  # the input's own id (HTML: "comment-123" -> "123")


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
    author: str | None = None  # HTML pages: the article's author (trafilatura's metadata)
    site: str | None = None  # HTML pages: the site's name
    comment_markup: str | None = None  # HTML pages: where the comments came from ("wordpress", ...)

    @property
    def page_id(self) -> str:
        return Path(self.source).stem


# ----------------------------------------------------------------------------- helpers
@lru_cache(maxsize=1)
def _page_config():
    cfg = load_yaml("page.yaml")
    words = "|".join(map(re.escape, cfg["comment_counter_words"]))
    return {
        "furniture": {fold_words(x) for x in cfg["trailing_furniture"]},
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
    words = [w for w in fold_words(text).split() if w not in cfg["weekdays"]]
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


# ----------------------------------------------------------------------------- text hygiene
# At the input boundary, every text goes through clean_text: line breaks become "\n", control
# characters (NUL, the C0 set but tab and line feed, DEL, the C1 set) become a space each (a
# NUL glued to a word would hide the mention next to it), lone UTF-16 surrogates become U+FFFD.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> tuple[str, int, int | None]:
    """``(text, characters replaced, offset of the first)`` after the hygiene rule above."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    n, first = 0, None
    for pattern, repl in ((_CONTROL, " "), (_SURROGATE, "\ufffd")):
        m = pattern.search(text)
        if m:
            first = m.start() if first is None else min(first, m.start())
            text, k = pattern.subn(repl, text)
            n += k
    return text, n, first


class _Hygiene:
    """Clean the texts of one input and warn once, naming the first place a character was replaced."""

    def __init__(self, path):
        self.path, self.count, self.first = path, 0, None

    def __call__(self, text, where=None, line=None):
        if text is None:
            return None
        text, n, first = clean_text(text)
        if n:
            if self.count == 0:
                if where is None and line is None:  # a whole file: the line of the first one
                    line = text.count("\n", 0, first) + 1
                self.first = (where, line)
            self.count += n
        return text

    def warn(self, stacklevel=3):
        if self.count:
            where, line = self.first
            at = f"{self.path}:{line}" if line else str(self.path)
            at += f": {where}" if where else ""
            warnings.warn(f"{at}: {self.count} control character(s) (NUL and the like) replaced by spaces",
                          CorpusWarning, stacklevel=stacklevel)


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise CorpusError(path, None, "is a folder; give one file (for a folder of articles use "
                                      "`python -m analysis corpus`)")
    if not path.exists():
        raise CorpusError(path, None, "no such file")
    if not path.is_file():
        raise CorpusError(path, None, "is not a regular file; give a file")
    try:
        return path.read_bytes()
    except OSError as err:
        raise CorpusError(path, None, f"cannot read ({err.strerror or err.__class__.__name__})") from None


def _decode(data: bytes, path, encoding: str) -> str:
    if not data.strip():
        raise CorpusError(path, 1, "file is empty")
    try:
        text = data.decode(encoding)
    except LookupError:
        raise CorpusError(path, None, f"unknown encoding {encoding!r}; give a Python codec name such as "
                                      "utf-8, cp1252 or latin-1") from None
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        hint = ("the file is UTF-16; save it as UTF-8" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else
                "if the file uses another encoding, pass it, e.g. load_page(path, encoding='cp1252') or "
                "--encoding cp1252")
        raise CorpusError(
            path, line, f"bytes are not valid {encoding} at byte offset {err.start} (0x{data[err.start]:02x}); {hint}",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _refuse_html(text: str, path) -> None:
    m = _HTML.search(text[:5000])
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise CorpusError(path, line, "this is an HTML page, not a text dump; extract the text, or write "
                                      "the article as JSON (see README: 'Analysing your own article')")


# ----------------------------------------------------------------------------- raw page dumps
def looks_like_html(data: bytes) -> bool:
    """Whether a file's bytes start as an HTML document (doctype, <html>, <head>), after a BOM,
    blank space, an XML declaration or comments."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: look at the ASCII letters only
        head = head.replace(b"\x00", b"")[2:].lstrip()
    head = re.sub(rb"^(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)+", b"", head, flags=re.DOTALL)
    return head.startswith((b"<!doctype html", b"<html", b"<head"))


def load_page(path, encoding: str | None = None) -> Page:
    """Parse a page: a raw text dump, a ``.json`` article (:func:`load_json`) or a saved web page
    (``.html``/``.htm`` or content that starts as HTML, :func:`analysis.io.html.load_html`).

    ``encoding``: the file's encoding; by default UTF-8 for dumps and JSON, and for HTML the
    page's own ``<meta charset>`` (or a guess when it declares none)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return load_json(path, encoding=encoding or "utf-8")
    if suffix in (".csv", ".parquet", ".tsv", ".xlsx"):
        raise CorpusError(path, None, "a table of many articles is read by `python -m analysis corpus` "
                                      "(or load_table); give one page as .txt, .json or .html here")
    data = _read_bytes(path)
    if suffix in (".html", ".htm", ".xhtml") or looks_like_html(data):
        from analysis.io.html import load_html  # lxml and trafilatura only when a page needs them

        return load_html(path, encoding=encoding, data=data)
    raw = _decode(data, path, encoding or "utf-8")
    _refuse_html(raw, path)
    return parse_dump(raw, source=str(path))


def parse_dump(raw: str, source: str = "<text>") -> Page:
    """Parse the text of a raw page dump (see :func:`load_page`); control characters become
    spaces (with a warning naming the line)."""
    cfg = _page_config()
    hygiene = _Hygiene(source)
    raw = hygiene(raw)
    hygiene.warn()
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
                if fold_words(lines[i][2]) in cfg["furniture"] or cfg["counter"].match(lines[i][2])), len(rest))
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
    return {w for w in fold_words(text).split() if len(w) > 3 and w not in stop}


_SECOND_PERSON = re.compile(r"\b(?:tu|toi|ton|ta|tes)\b", re.IGNORECASE)


REPLY_WINDOW = 300  # a comment found to reply by word overlap replies to one of the 300 comments before it


def link_replies(page: Page) -> None:
    """Fill ``reply_to`` for comments that address someone and have no explicit parent.

    An ``@name`` matching an earlier comment's author wins (the latest such comment);
    otherwise a comment that addresses someone (an ``@mention`` or a second-person singular
    word) is linked to the comment sharing most content words with it among the
    ``REPLY_WINDOW`` before it (the latest on a tie). ``reply_basis`` says which rule applied.
    The window keeps the rule linear in the number of comments (a page dump of thousands
    would otherwise compare each with every earlier one); on pages of up to 300 comments it
    sees every earlier comment.
    """
    stop = set(load_yaml("languages.yaml")["profiles"]["fr"])
    words_of = [_content_words(c.text, stop) for c in page.comments]  # once per comment
    parents = {c.number: c.reply_to for c in page.comments if c.reply_to is not None}

    def loops(child: int, parent: int) -> bool:  # an explicit reply_to may point forward
        seen = set()
        while parent is not None and parent not in seen:
            if parent == child:
                return True
            seen.add(parent)
            parent = parents.get(parent)
        return False

    # links found here point back; only an explicit link forward can close a loop with them
    forward = any(parent > child for child, parent in parents.items())
    by_author: dict[str, list[int]] = {}  # author (lower case) -> positions of their comments so far
    for k, c in enumerate(page.comments):
        if c.reply_to is None and k > 0:
            def allowed(j, child=c.number):
                return not forward or not loops(child, page.comments[j].number)

            # per named author, their latest earlier comment that closes no loop
            named = [next((j for j in reversed(by_author.get(h, ())) if allowed(j)), None)
                     for h in {m.lower() for m in c.mentions}]
            named = [j for j in named if j is not None]
            if named:
                c.reply_to, c.reply_basis = page.comments[max(named)].number, "@author"
            elif c.mentions or _SECOND_PERSON.search(c.text):
                words = words_of[k]
                earlier = [j for j in range(max(0, k - REPLY_WINDOW), k) if allowed(j)]
                best = max(earlier, key=lambda j: (len(words & words_of[j]), j)) if earlier else None
                if best is not None and words & words_of[best]:
                    c.reply_to, c.reply_basis = page.comments[best].number, "word overlap"
            if c.reply_to is not None:
                parents[c.number] = c.reply_to
        if c.author:
            by_author.setdefault(c.author.lower(), []).append(k)


# ----------------------------------------------------------------------------- JSON and tables
def _comment_graph(path, comments) -> dict[int, int]:
    """Validate comment ids and replies; return {comment number: parent number}.

    Ids are unique; when no comment has an id, ids are the positions 1, 2, ... (so ``reply_to``
    may name a position). A self-reply or a cycle of replies is refused; a ``reply_to`` that
    names no comment is dropped with a warning (the comment is then top-level).
    """
    def where(c, k):  # what "also ..." names; a message without a line starts with it
        return c.get("where") or f"comment {k + 1}"

    def prefix(c, k):
        return c.get("prefix", "") if c.get("line") else f"{where(c, k)}: "

    explicit = any(c.get("id") is not None for c in comments)
    numbers, first = {}, {}
    for k, c in enumerate(comments):
        cid = c.get("id") if explicit else str(k + 1)
        if cid is None:
            continue
        if cid in numbers:
            raise CorpusError(path, c.get("line"), f"{prefix(c, k)}duplicate comment id {cid!r} (also "
                                                  f"{first[cid]}); give each comment its own id")
        numbers[cid], first[cid] = k + 1, where(c, k)
    parents, unknown = {}, []
    for k, c in enumerate(comments):
        parent = c.get("reply_to")
        if parent is None:
            continue
        own = c.get("id") if explicit else str(k + 1)
        if parent == own:
            raise CorpusError(path, c.get("line"), f"{prefix(c, k)}comment {own!r} replies to itself; fix or "
                                                  "drop its reply_to")
        if parent in numbers:
            parents[k + 1] = numbers[parent]
        else:
            unknown.append((where(c, k), parent))
    for start in parents:
        chain, node = [start], parents[start]
        while node in parents and node not in chain:
            chain.append(node)
            node = parents[node]
        if node == start:
            c = comments[start - 1]
            ids = [repr(comments[n - 1].get("id") if explicit else str(n)) for n in chain + [start]]
            raise CorpusError(path, c.get("line"), f"{prefix(c, start - 1)}replies form a cycle "
                                                  f"({' -> '.join(ids)}); fix the reply_to fields")
    if unknown:
        w, parent = unknown[0]
        warnings.warn(f"{path}: {w}: reply_to {parent!r} names no comment id"
                      f"{f' ({len(unknown) - 1} more like it)' if len(unknown) > 1 else ''}; "
                      "treated as top-level", CorpusWarning, stacklevel=4)
    return parents


def _render(source, title, body, comments, date=None, url=None, path=None) -> Page:
    """Build a Page from fields, rendering them into ``raw`` so offsets stay meaningful.

    ``comments``: dicts with ``text`` and optionally ``id, author, reply_to`` (strings or None)
    and ``where``/``line`` (where the comment is in the input, for error messages)."""
    path = path if path is not None else source
    parents = _comment_graph(path, comments)
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
        if i + 1 in parents:
            blk.reply_to, blk.reply_basis = parents[i + 1], "reply_to field"
        out.append(blk)
    if not out:
        warnings.warn(f"{source}: no comments found; the page is analysed as an article alone",
                      CorpusWarning, stacklevel=3)
    page = Page(source=str(source), raw="".join(raw_parts), title=title, kicker=None,
                date=parse_date(str(date)) if date else None, place=None, url=url,
                title_block=title_block, paragraphs=paragraphs, comments=out, furniture=[])
    link_replies(page)
    return page


def _kind(value) -> str:
    return {list: "a list", dict: "an object", bool: "true/false"}.get(type(value), type(value).__name__)


def _json_text(value, key: str, path):
    """A text field (title, paragraph, comment text, date, url): a string; null or missing is absent."""
    if value is None or isinstance(value, str):
        return value
    raise CorpusError(path, None, f"{key} must be a string, not {_kind(value)}")


def _json_name(value, key: str, path):
    """An identifier (id, reply_to, author): a string or a number (read as its decimal text);
    null, missing or blank is absent."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip() or None
    raise CorpusError(path, None, f"{key} must be a string or a number, not {_kind(value)}")


JSON_KEYS = ("title", "date", "url", "body", "comments")


def load_json(path, encoding: str | None = "utf-8") -> Page:
    """One article as JSON: ``{"title", "date", "url", "body": [...], "comments": [{"id", "author", "text", "reply_to"}]}``.

    Fields are checked as README's "What happens with bad input" says: texts are strings
    (null = absent), ids and authors strings or numbers, anything else is refused with its key.
    """
    path = Path(path)
    text = _decode(_read_bytes(path), path, encoding or "utf-8")
    _refuse_html(text, path)
    try:
        doc = json.loads(text, strict=False)  # control characters inside strings are cleaned below
    except json.JSONDecodeError as err:
        raise CorpusError(path, err.lineno, f"invalid JSON: {err.msg} (column {err.colno})") from None
    except RecursionError:
        raise CorpusError(path, None, "invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise CorpusError(path, 1, "expected a JSON object with 'title', 'body' and 'comments'"
                                   + (" (one article per file)" if isinstance(doc, list) else ""))
    clean = _Hygiene(path)
    title = clean(_json_text(doc.get("title"), "title", path), "title") or ""
    body = doc.get("body")
    if body is None:
        body = []
    elif isinstance(body, str):
        body = [clean(p, "body") for p in body.split("\n\n")]
    elif isinstance(body, list):
        body = [clean(_json_text(p, f"body[{k}]", path), f"body[{k}]") for k, p in enumerate(body)]
    else:
        raise CorpusError(path, None, "'body' must be a list of paragraph strings")
    body = [p.strip() for p in body if p is not None and p.strip()]
    for key, text in [("title", title)] + [(f"body[{k}]", p) for k, p in enumerate(body)]:
        if len(text) > MAX_BLOCK_CHARS:
            raise CorpusError(path, None, f"{key} is longer than {MAX_BLOCK_CHARS:,} characters; split it")
    comments = doc.get("comments")
    if comments is None:
        comments = []
    if not isinstance(comments, list):
        raise CorpusError(path, None, "'comments' must be a list")
    rows = []
    for k, c in enumerate(comments):
        key = f"comments[{k}]"
        if not isinstance(c, dict):
            raise CorpusError(path, None, f"{key} must be an object with a 'text'")
        txt = clean(_json_text(c.get("text"), f"{key}.text", path), f"{key}.text")
        if txt is None or not txt.strip():
            raise CorpusError(path, None, f"{key} needs a non-empty 'text' string")
        if len(txt) > MAX_BLOCK_CHARS:
            raise CorpusError(path, None, f"{key} is longer than {MAX_BLOCK_CHARS:,} characters")
        rows.append({"id": clean(_json_name(c.get("id"), f"{key}.id", path), f"{key}.id"),
                     "author": clean(_json_name(c.get("author"), f"{key}.author", path), f"{key}.author"),
                     "reply_to": clean(_json_name(c.get("reply_to"), f"{key}.reply_to", path), f"{key}.reply_to"),
                     "text": txt.strip(), "where": key})
    date = _json_text(doc.get("date"), "date", path)
    url = clean(_json_text(doc.get("url"), "url", path), "url")
    if not title.strip() and not body:
        raise CorpusError(path, None, "the article has neither a title nor a body")
    unknown = [k for k in doc if k not in JSON_KEYS]
    if not body and unknown:  # {"title": ..., "text": ...}: the text would be lost silently
        warnings.warn(f"{path}: no 'body'; key(s) {', '.join(map(repr, unknown))} are ignored (the article's "
                      f"paragraphs go in 'body')", CorpusWarning, stacklevel=2)
    clean.warn()
    return _render(path, title.strip(), body, rows, date, url or None)


TABLE_COLUMNS = ("article_id", "part", "text")
OPTIONAL_COLUMNS = ("date", "url", "comment_id", "author", "reply_to")


def read_csv(path) -> pd.DataFrame:
    """A UTF-8 CSV as text cells, with ``_line``: the line each row starts on (multi-line
    cells counted). Bad bytes, bad quoting, rows with more fields than the header, a repeated
    column and a header without rows are refused with the line."""
    path = Path(path)
    data = _read_bytes(path)
    if not data.strip():
        raise CorpusError(path, 1, "file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        hint = "the file is UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "another encoding"
        raise CorpusError(path, line, f"not valid UTF-8 at byte offset {err.start} ({hint}?); save it as UTF-8") from None
    clean = _Hygiene(path)
    text = clean(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, lines, end = [], [], 0
    try:
        for rec in reader:
            start, end = end + 1, reader.line_num
            if rec and not (len(rec) == 1 and not rec[0].strip()):
                rows.append(rec)
                lines.append(start)
    except csv.Error as err:
        raise CorpusError(path, end + 1, f"cannot parse CSV ({err}); check the quotes of the row "
                                         "starting on this line") from None
    if not rows:
        raise CorpusError(path, 1, "file is empty")
    header = [h.strip() for h in rows[0]]
    seen = set()
    for h in header:
        if h and h in seen:
            raise CorpusError(path, lines[0], f"column {h!r} appears twice in the header")
        seen.add(h)
    header = [h or f"_unnamed{k}" for k, h in enumerate(header)]
    if len(rows) == 1:
        raise CorpusError(path, lines[0], "the file has a header but no rows; add rows below it")
    body = []
    for rec, line in zip(rows[1:], lines[1:]):
        if len(rec) > len(header):
            raise CorpusError(path, line, f"{len(rec)} fields where the header has {len(header)}; quote texts "
                                          'that hold commas ("...")')
        body.append(rec + [""] * (len(header) - len(rec)))
    clean.warn()
    df = pd.DataFrame(body, columns=header, dtype=object)
    df["_line"] = lines[1:]
    return df


def separator_hint(columns) -> str:
    """A hint when a CSV header was written with another separator (Excel's ';', tabs)."""
    names = [c for c in columns if c != "_line"]
    if len(names) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in names[0]:
                return f"; the header seems separated by {name}: save the file with commas"
    return ""


def _cell_text(v, col, row, path):
    """A table cell as text: null/NaN -> "", numbers as their decimal text; lists, maps, bytes refused."""
    if isinstance(v, str):
        return v
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v)).lower()
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isnan(f):
            return ""
        return str(int(f)) if f.is_integer() else str(f)
    if isinstance(v, (pd.Timestamp, _date)):
        return v.isoformat()[:10] if not getattr(v, "hour", 0) and not getattr(v, "minute", 0) else v.isoformat()
    raise CorpusError(path, None, f"row {row}: column {col!r} holds {_kind(v)}; expected text")


def read_table(path) -> pd.DataFrame:
    """A CSV/Parquet table of articles as text cells, checked for its columns and article ids,
    with ``_line`` (CSV line, or Parquet row as ``-row``) for messages."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        if path.is_dir() or not path.is_file():
            _read_bytes(path)  # the same message as for any other file
        try:
            df = pd.read_parquet(path)
        except Exception as err:  # pyarrow's errors are not a stable family
            raise CorpusError(path, None, f"cannot read Parquet ({err.__class__.__name__}: "
                                          f"{str(err).splitlines()[0] if str(err) else ''})") from None
        if len(df) == 0:
            raise CorpusError(path, None, "the table has no rows")
        df = df.reset_index(drop=True)
        for col in [c for c in df.columns if c in TABLE_COLUMNS + OPTIONAL_COLUMNS]:
            df[col] = [_cell_text(v, col, k + 1, path) for k, v in enumerate(df[col].tolist())]
        df["_line"] = [-(k + 1) for k in range(len(df))]
    else:
        df = read_csv(path)
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise CorpusError(path, 1 if path.suffix.lower() != ".parquet" else None,
                          f"missing column(s) {', '.join(missing)}; need {', '.join(TABLE_COLUMNS)} "
                          f"(optional: {', '.join(OPTIONAL_COLUMNS)}){separator_hint(df.columns)}")
    df["article_id"] = df["article_id"].astype(str).str.strip()
    blank = df.index[df["article_id"] == ""]
    if len(blank):
        raise _row_error(path, df["_line"].iloc[blank[0]], "article_id is empty; every row needs one")
    return df


def _row_error(path, line, message) -> CorpusError:
    """A CSV line (positive) or a Parquet row (negative ``_line``)."""
    line = int(line)
    return CorpusError(path, line, message) if line > 0 else CorpusError(path, None, f"row {-line}: {message}")


def load_table(path) -> list[Page]:
    """Many articles from a CSV/Parquet table, one row per title, paragraph or comment.

    Required columns: ``article_id, part (title|body|comment), text``; optional:
    ``date, url, comment_id, author, reply_to``. Rows keep their order within an article.
    Cells are text (numbers as written); see README's "What happens with bad input".
    """
    return pages_from_table(read_table(path), path)


def pages_from_table(df: pd.DataFrame, path) -> list[Page]:
    """Pages from table rows (see :func:`load_table`), one per ``article_id``, in order."""
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise CorpusError(path, 1, f"missing column(s) {', '.join(missing)}; need {', '.join(TABLE_COLUMNS)}")
    if len(df) == 0:
        raise CorpusError(path, None, "the table has no rows")
    if "_line" not in df.columns:
        df = df.assign(_line=range(2, len(df) + 2))
    pages = []
    for art, g in df.groupby("article_id", sort=False):
        pages.append(table_page(g, path, art))
    return pages


def table_page(g: pd.DataFrame, path, art) -> Page:
    """One article's rows of a table (as :func:`read_table` gives them) as a Page."""
    clean = _Hygiene(path)
    cols = {c: g[c].map(lambda v: "" if v is None else str(v)).tolist() if c in g.columns else [""] * len(g)
            for c in TABLE_COLUMNS + OPTIONAL_COLUMNS}
    lines = g["_line"].tolist()
    title, body, comments = [], [], []
    for k, line in enumerate(lines):
        at = {"line": line} if line > 0 else {"where": f"row {-line}"}
        part = cols["part"][k].strip().lower()
        text = clean(cols["text"][k], **at)
        if part not in ("title", "body", "comment"):
            raise _row_error(path, line, f"part must be title, body or comment, got {cols['part'][k]!r}")
        if len(text) > MAX_BLOCK_CHARS:
            raise _row_error(path, line, f"text is longer than {MAX_BLOCK_CHARS:,} characters")
        if part == "title":
            title.append(text.strip())
        elif part == "body":
            if text.strip():
                body.append(text.strip())
        else:
            if not text.strip():
                raise _row_error(path, line, f"article {art!r}: comment text is empty; fill it or drop the row")
            names = {c: clean(cols[c][k], **at).strip() or None for c in ("comment_id", "author", "reply_to")}
            comments.append({"id": names["comment_id"], "author": names["author"], "reply_to": names["reply_to"],
                             "text": text.strip(), "line": line if line > 0 else None,
                             "where": f"line {line}" if line > 0 else f"article {art!r}, row {-line}",
                             "prefix": f"article {art!r}: "})
    clean.warn(stacklevel=4)
    date = cols["date"][0].strip() or None
    url = clean(cols["url"][0], **({"line": lines[0]} if lines[0] > 0 else {"where": "url"})).strip() or None
    return _render(f"{path}#{art}", " ".join(t for t in title if t).strip(), body, comments, date, url, path=path)
