"""Saved web pages (``.html``/``.htm``) as input: the same :class:`~analysis.io.pages.Page` as the
other readers.

* The article (title, body paragraphs, date, URL, author, site) comes from **trafilatura**
  (``bare_extraction`` with metadata, its comment extraction off); there is no hand-made
  main-text extractor here. The kicker is a "Exclusif." prefix of the title, as for text dumps,
  or else trafilatura's first category (WordPress shows it above the headline).
* Comment threads are read as structure with lxml, from the first of these markups that holds
  comments (``Page.comment_markup`` names it; a reply's ``reply_basis`` says "markup: ..."):

  - ``wordpress``: WordPress's default comment list (``ol.comment-list``/``ol.commentlist``,
    ``li.comment`` with id ``comment-123``, ``.comment-author .fn``, ``.comment-content`` or the
    ``.comment-body`` paragraphs, ``time[datetime]``, replies nested in ``ol.children``);
  - ``microdata``: schema.org ``Comment`` items (``itemtype=".../Comment"``, ``itemprop=text``,
    ``author``, ``dateCreated``), replies nested inside their parent's item;
  - ``drupal``: Drupal 8+ (``article.comment`` with id ``comment-7``, ``.comment__author`` or
    ``.username``, ``.comment__time``/``time``, the text in ``.field--name-comment-body`` or
    ``.comment__content``), replies in the ``div.indented`` that follows their parent;
  - ``json-ld``: schema.org ``Comment`` objects under ``"comment"`` in
    ``<script type="application/ld+json">``, replies nested under their parent's ``"comment"``.

  Where no such markup is found but trafilatura finds comment text, that text is split into one
  comment per paragraph (``comment_markup = "trafilatura text"``; each comment's
  ``reply_basis`` says there was no thread markup).
* Furniture inside comments ("Répondre"/"Reply" links, "X dit :", meta lines, forms, scripts,
  share buttons) is dropped before the text is read.
* Charset: ``encoding=`` wins; then a byte-order mark, ``<meta charset>`` or
  ``<meta http-equiv="Content-Type" content="...; charset=...">`` (ISO-8859-1 and ASCII read as
  windows-1252, as browsers do); with none declared, UTF-8 if the bytes are valid UTF-8, else
  charset-normalizer's guess.

``Page.raw`` is a plain rendering of the fields (as for JSON articles), so units' offsets point
into it.
"""
from __future__ import annotations

import codecs
import copy
import json
import re
import warnings
from pathlib import Path

from analysis.io.pages import (
    MAX_BLOCK_CHARS,
    CorpusError,
    CorpusWarning,
    Page,
    _decode,
    _Hygiene,
    _read_bytes,
    _render,
)

__all__ = ["load_html", "parse_html", "decode_html"]

MIN_ARTICLE_CHARS = 40  # less body text than this is no article (a stub, an error page)

# ----------------------------------------------------------------------------- charset
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# WHATWG: these labels mean windows-1252 in a browser
_AS_1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "iso_8859-1", "cp819"}


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (``<meta charset>`` or http-equiv)."""
    m = _META_CHARSET.search(data[:4096])
    return m[1].decode("ascii").lower() if m else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes, path, encoding: str | None = None) -> tuple[str, str]:
    """``(text, how)``: the page's text and which encoding was used and why."""
    if encoding:
        return _decode(data, path, encoding), f"{encoding} (given)"
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data, path, codec), f"{codec} (byte-order mark)"
    declared = declared_charset(data)
    if declared:
        codec = "cp1252" if declared in _AS_1252 else declared
        try:
            codecs.lookup(codec)
        except LookupError:
            warnings.warn(f"{path}: the page declares an unknown charset {declared!r}; guessing instead",
                          CorpusWarning, stacklevel=4)
        else:
            if codecs.lookup(codec).name not in ("utf-8", "utf-8-sig") and not data.isascii() and _is_utf8(data):
                # saved as UTF-8 (by a browser or an editor) while the <meta> still names the server's
                # charset: multi-byte UTF-8 sequences are almost never meant as single-byte text
                warnings.warn(f"{path}: the page declares charset {declared!r} but its bytes are UTF-8; read as "
                              "UTF-8 (pass encoding= to force another)", CorpusWarning, stacklevel=4)
                return data.decode("utf-8"), "utf-8 (declared charset did not fit)"
            for attempt in (codec, "latin-1" if codec == "cp1252" else None):
                if attempt is None:
                    continue
                try:
                    return data.decode(attempt), f"{attempt} (declared {declared})"
                except UnicodeDecodeError:
                    pass
            try:  # saved by a browser as UTF-8 while the <meta> still names the server's charset
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                return _decode(data, path, codec), codec  # its message: byte offset, how to pass another
            warnings.warn(f"{path}: the page declares charset {declared!r} but its bytes are UTF-8; read as UTF-8 "
                          "(pass encoding= to force another)", CorpusWarning, stacklevel=4)
            return text, "utf-8 (declared charset did not fit)"
    try:
        return data.decode("utf-8"), "utf-8 (valid UTF-8, none declared)"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise CorpusError(path, None, "cannot tell the page's character encoding (no <meta charset>); pass it, "
                                      "e.g. load_page(path, encoding='cp1256') or --encoding cp1256")
    return str(best), f"{best.encoding} (guessed by charset-normalizer)"


# ----------------------------------------------------------------------------- text of elements
_BLOCK_TAGS = {"p", "div", "blockquote", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
               "pre", "section", "article", "header", "footer", "aside", "table", "tr", "figure", "figcaption",
               "address", "main", "details", "summary"}
# never text of a comment
_FURNITURE_CSS = ", ".join([
    "script", "style", "noscript", "template", "form", "nav", "button", "input", "select", "textarea", "iframe",
    "svg", "img", "object", "embed", "audio", "video", "canvas",
    ".reply", ".comment-reply-link", ".comment-reply", ".comment-reply-title", ".comment-meta", ".comment-metadata",
    ".commentmetadata", ".comment-author", ".says", ".comment-edit-link", ".edit-link", ".comment-awaiting-moderation",
    ".avatar", ".share", ".sharing", ".sharedaddy", ".social", ".comment-like", ".comment-likes", ".likes",
    ".comment__meta", ".comment__links", ".links", ".comment-links", ".permalink", ".screen-reader-text",
    ".visually-hidden", ".hidden", "[hidden]", "[aria-hidden=true]",
])
_SAYS = re.compile(r"\s*(?:dit|says|écrit|a écrit|wrote|said|قال)\s*:?\s*$", re.IGNORECASE)


def _space(text: str) -> str:
    return " ".join(text.split())


def _lines(el) -> list[str]:
    """An element's text as lines: one per paragraph (block element) or ``<br>``."""
    parts: list[list[str]] = [[]]

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is not None:
            tag = tag.lower()
            block = tag in _BLOCK_TAGS
            if block:
                parts.append([])
            if tag == "br":
                parts.append([])
            if node.text:
                parts[-1].append(node.text)
            for child in node:
                walk(child)
            if block:
                parts.append([])
        if node.tail and node is not el:
            parts[-1].append(node.tail)

    walk(el)
    return [t for t in (_space("".join(p)) for p in parts) if t]


def _strip(el, selectors: str = _FURNITURE_CSS):
    """A copy of ``el`` without furniture."""
    el = copy.deepcopy(el)
    for bad in el.cssselect(selectors):
        if bad is not el and bad.getparent() is not None:
            bad.drop_tree()
    return el


def _first(el, css: str, inside=None):
    """The first match of ``css`` under ``el`` that belongs to ``el`` itself (not to a nested
    comment, i.e. no element of ``inside`` between them)."""
    for hit in el.cssselect(css):
        if inside is None or _owner(hit, inside) is el:
            return hit
    return None


def _some(*els):
    """The first element that is not None (elements without children are falsy: no ``or``)."""
    return next((e for e in els if e is not None), None)


def _owner(node, is_comment):
    """The nearest ancestor of ``node`` (itself excluded) for which ``is_comment`` holds."""
    for anc in node.iterancestors():
        if is_comment(anc):
            return anc
    return None


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def _date_of(el) -> str | None:
    if el is None:
        return None
    for attr in ("datetime", "content"):
        if el.get(attr):
            return el.get(attr).strip()
    t = _space(el.text_content())
    return t or None


def _name(el) -> str | None:
    if el is None:
        return None
    name = _SAYS.sub("", _space(_strip(el, "script, style, .says, .avatar, img, .screen-reader-text").text_content()))
    return name or None


# ----------------------------------------------------------------------------- comment markups
def _wordpress(root):
    lists = root.cssselect("ol.comment-list, ol.commentlist, ul.comment-list, ul.commentlist, "
                           "div.comment-list, div.commentlist")
    if not lists:
        return None

    def is_comment(e):
        return e.tag == "li" and "comment" in _classes(e)

    out = []
    for li in lists[0].iter("li"):
        if not is_comment(li):
            continue
        cid = re.sub(r"^(?:li-)?comment-", "", li.get("id") or "") or None
        inner = _first(li, "[id^=comment-], [id^=div-comment-]", is_comment)
        if cid is None and inner is not None:
            cid = re.sub(r"^(?:div-)?comment-", "", inner.get("id"))
        own = copy.deepcopy(li)
        for sub in own.cssselect("ol.children, ul.children, .children"):
            sub.drop_tree()
        content = _some(_first(own, ".comment-content, .comment-text, .comment_text, .comment-entry"),
                        _first(own, ".comment-body"), own)
        parent = _owner(li, is_comment)
        out.append({
            "node": li, "id": cid,
            "author": _name(_first(own, ".comment-author .fn, .comment-author cite, .fn, .comment-author")),
            "date": _date_of(_some(_first(own, "time[datetime]"), _first(own, ".comment-metadata a, .commentmetadata a"))),
            "lines": _lines(_strip(content)),
            "parent": parent,
        })
    return out, lists[:1]


_SCHEMA_COMMENT = re.compile(r"schema\.org/(?:Comment|Answer)$", re.IGNORECASE)


def _microdata(root):
    def is_comment(e):
        return e.get("itemscope") is not None and any(_SCHEMA_COMMENT.search(t) for t in (e.get("itemtype") or "").split())

    items = [e for e in root.iter() if isinstance(e.tag, str) and is_comment(e)]
    if not items:
        return None

    def own_prop(item, name):
        for hit in item.cssselect(f"[itemprop~={name}]"):
            if _owner(hit, lambda a: a.get("itemscope") is not None) is item:
                return hit
        return None

    out = []
    for k, item in enumerate(items):
        text = _some(own_prop(item, "text"), own_prop(item, "commentText"), own_prop(item, "articleBody"))
        author = _some(own_prop(item, "author"), own_prop(item, "creator"))
        if author is not None and author.get("itemscope") is not None:
            author = _some(own_prop(author, "name"), author)
        nested = copy.deepcopy(text) if text is not None else None
        if nested is not None:
            for sub in [e for e in nested.iter() if isinstance(e.tag, str) and is_comment(e)]:
                if sub is not nested:
                    sub.drop_tree()
        date = _some(own_prop(item, "dateCreated"), own_prop(item, "datePublished"), own_prop(item, "commentTime"))
        cid = item.get("id") or item.get("itemid") or f"microdata-{k + 1}"
        out.append({"node": item, "id": re.sub(r"^(?:li-|div-)?comment-", "", cid),
                    "author": _name(author), "date": _date_of(date),
                    "lines": _lines(_strip(nested)) if nested is not None else [],
                    "parent": _owner(item, is_comment)})
    outer = [e for e in items if _owner(e, is_comment) is None]
    containers = []
    for e in outer:  # the list holding the top-level comments, or each comment
        p = e.getparent()
        containers.append(p if p is not None and p.tag in ("ol", "ul", "section", "div") and
                          all(is_comment(c) or not isinstance(c.tag, str) or not _space(c.text_content())
                              for c in p) else e)
    return out, list(dict.fromkeys(containers))


def _drupal(root):
    def is_comment(e):
        return e.tag in ("article", "div") and "comment" in _classes(e) and (e.get("id") or "").startswith("comment-")

    items = [e for e in root.iter("article", "div") if is_comment(e)]
    if not items:
        items = [e for e in root.iter("article") if "comment" in _classes(e) and "js-comment" in _classes(e)]
        if not items:
            return None

        def is_comment(e):  # noqa: F811 -- Drupal 8 puts the id on an <a> before the article
            return e.tag == "article" and "comment" in _classes(e) and "js-comment" in _classes(e)

    out = []
    for k, art in enumerate(items):
        cid = art.get("id") or ""
        if not cid:
            prev = art.getprevious()
            cid = prev.get("id") or "" if prev is not None and prev.tag == "a" else ""
        cid = re.sub(r"^comment-", "", cid) or f"drupal-{k + 1}"
        parent = None
        for anc in art.iterancestors():
            if "indented" in _classes(anc):
                prev = anc.getprevious()
                while prev is not None and not (isinstance(prev.tag, str) and is_comment(prev)):
                    prev = prev.getprevious()
                parent = prev
                break
        body = _some(_first(art, ".field--name-comment-body, .field-name-comment-body, .comment__text"),
                     _first(art, ".comment__content, .content"), art)
        body = _strip(body, _FURNITURE_CSS + ", h3, .comment__title, .title")
        out.append({"node": art, "id": cid,
                    "author": _name(_first(art, ".comment__author .username, .comment__author, .username, "
                                                "[rel='schema:author'], .author")),
                    "date": _date_of(_some(_first(art, "time[datetime]"), _first(art, "[property='schema:dateCreated']"),
                                          _first(art, ".comment__time"))),
                    "lines": _lines(body), "parent": parent})
    sections = []
    for art in items:
        top = art
        for anc in art.iterancestors():
            if anc.tag in ("section", "div") and ({"comments", "comment-wrapper", "field--name-comment",
                                                   "field--type-comment"} & _classes(anc) or anc.get("id") == "comments"):
                top = anc
        sections.append(top)
    return out, list(dict.fromkeys(sections))


def _jsonld_objects(root):
    for script in root.cssselect("script[type]"):
        if script.get("type", "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        try:
            yield json.loads(script.text or "", strict=False), script
        except (json.JSONDecodeError, RecursionError):
            continue


def _is_type(obj, name) -> bool:
    t = obj.get("@type") if isinstance(obj, dict) else None
    types = t if isinstance(t, list) else [t]
    return any(isinstance(x, str) and x.rsplit("/", 1)[-1] == name for x in types)


def _jsonld(root):
    out, scripts = [], []

    def text_of(value):
        if isinstance(value, list):
            value = " ".join(v for v in value if isinstance(v, str))
        if not isinstance(value, str):
            return []
        if "<" in value:
            import lxml.html

            try:
                return _lines(_strip(lxml.html.fragment_fromstring(value, create_parent="div")))
            except Exception:  # lxml refuses some fragments (control characters): read as text
                pass
        return [t for t in (_space(x) for x in re.split(r"\n\s*\n|\n", value)) if t]

    def name_of(value):
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name") or value.get("alternateName")
        return _space(str(value)) or None if value is not None else None

    def comments(value, parent):
        for obj in value if isinstance(value, list) else [value]:
            if isinstance(obj, dict) and _is_type(obj, "Comment"):
                k = len(out) + 1
                cid = obj.get("@id") or obj.get("identifier") or obj.get("url") or f"json-ld-{k}"
                cid = re.sub(r"^.*#(?:comment-)?", "", str(cid)) or f"json-ld-{k}"
                out.append({"node": None, "id": cid, "author": name_of(obj.get("author") or obj.get("creator")),
                            "date": obj.get("dateCreated") or obj.get("datePublished"),
                            "lines": text_of(obj.get("text") or obj.get("commentText")), "parent": parent})
                comments(obj.get("comment"), cid)

    def walk(obj):
        if isinstance(obj, list):
            for x in obj:
                walk(x)
        elif isinstance(obj, dict):
            if "comment" in obj and not _is_type(obj, "Comment"):
                comments(obj["comment"], None)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
                if key in obj:
                    walk(obj[key])

    for doc, script in _jsonld_objects(root):
        before = len(out)
        walk(doc)
        if len(out) > before:
            scripts.append(script)
    if not out:
        return None
    return out, []


MARKUPS = (("wordpress", _wordpress), ("microdata", _microdata), ("drupal", _drupal), ("json-ld", _jsonld))

# comment widgets that a browser fills in with JavaScript (the saved file holds the empty box)
_JS_COMMENTS = {
    "#disqus_thread, #dsq-comments": "Disqus",
    ".fb-comments, #fb-comments, .fb_comments": "Facebook comments",
    "#commento, .commento": "Commento",
    "#isso-thread": "Isso",
    ".giscus, .utterances, #utterances": "GitHub-based comments (giscus/utterances)",
    "#hyvor-talk-view, hyvor-talk-comments": "Hyvor Talk",
    "#remark42": "Remark42",
    "#coral_thread, #coral-comments": "Coral",
    "[data-spotim-module], [data-spot-im-module], .spot-im-frame-inpage": "OpenWeb (Spot.IM)",
    "#vuukle-comments, .vuukle-comments": "Vuukle",
    "#cusdis_thread": "Cusdis",
}


def _js_comment_boxes(root) -> list[str]:
    found = []
    for css, name in _JS_COMMENTS.items():
        for box in root.cssselect(css):
            if len(_space(" ".join(_lines(_strip(box))))) < 40:
                found.append(name)
                break
    return found


# ----------------------------------------------------------------------------- the page
def _body_paragraphs(body, headings: bool = True) -> list[str]:
    """Paragraphs of trafilatura's body: a <p>, heading, quote or table each; a list's items one per line."""
    out = []
    for el in body:
        if not isinstance(el.tag, str) or (el.tag == "head" and not headings):
            continue
        if el.tag == "list":
            items = [_space(" ".join(i.itertext())) for i in el.iter("item")]
            text = "\n".join(i for i in items if i)
        elif el.tag == "table":
            rows = [" | ".join(_space(" ".join(c.itertext())) for c in r.iter("cell")) for r in el.iter("row")]
            text = "\n".join(r for r in rows if r.strip(" |"))
        else:
            text = "\n".join(t for t in (_space(x) for x in "".join(
                (t if t is not None else "") for t in _br_text(el)).split("\n")) if t)
        if text:
            out.append(text)
    return out


def _br_text(el):
    """itertext with <lb/> (trafilatura's line break) as a newline."""
    if el.text:
        yield el.text
    for child in el:
        if child.tag == "lb":
            yield "\n"
        elif isinstance(child.tag, str):
            yield from _br_text(child)
        if child.tail:
            yield child.tail


_FURNITURE_PLACES = ("nav, header, footer, aside, form, menu, [role=navigation], [role=banner], [role=contentinfo], "
                     ".menu, .nav, .navigation, .share, .sharing, .social, .widget, .sidebar, .breadcrumb, "
                     ".breadcrumbs, .related, .pagination, .cookie, .cookies")


def _furniture_texts(root) -> set[str]:
    """Texts that are page furniture wherever they appear: links, buttons, labels, and every
    line of the menus, headers, footers, sidebars, forms and share boxes."""
    texts = set()
    for el in root.cssselect("a, button, label, option, legend"):
        texts.add(_space(el.text_content()))
    for el in root.cssselect(_FURNITURE_PLACES):
        if el.tag == "header" and el.getparent() is not None and el.getparent().tag == "article":
            continue  # an article's own header holds its title and kicker
        texts.update(_lines(_strip(el, "script, style, noscript, template")))
    texts.discard("")
    return texts


def _furniture(paragraph: str, texts: set[str]) -> bool:
    """A paragraph made only of furniture lines (menu entries, link texts, a footer's lines)."""
    return all(line in texts for line in paragraph.split("\n"))


def _visible_text(root) -> str:
    body = root.find("body")
    return _space(" ".join(_lines(_strip(body if body is not None else root, "script, style, noscript, template"))))


def load_html(path, encoding: str | None = None, data: bytes | None = None) -> Page:
    """A saved web page as a :class:`Page` (see the module's docstring for what is read).

    ``encoding`` overrides the page's declared charset. ``data``: the file's bytes, when the
    caller has read them already."""
    path = Path(path)
    if data is None:
        data = _read_bytes(path)
    if not data.strip():
        raise CorpusError(path, 1, "file is empty")
    text, _how = decode_html(data, path, encoding)
    return parse_html(text, source=str(path))


def parse_html(text: str, source: str = "<html>") -> Page:
    """The text of a web page (already decoded) as a :class:`Page`."""
    import lxml.html
    import trafilatura

    clean = _Hygiene(source)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.removeprefix("\ufeff"))
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", text)  # lxml refuses them; the model would too
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as err:  # lxml's ParserError for a document without elements
        raise CorpusError(source, None, f"no article found: cannot parse the HTML ({err})") from None

    # 1. comments, from the first markup that has some
    markup, found, containers = None, [], []
    for name, reader in MARKUPS:
        got = reader(root)
        if got and any(c["lines"] for c in got[0]):
            markup, (found, containers) = name, got
            break
    js_boxes = _js_comment_boxes(root) if not found else []

    # 2. the article, by trafilatura, on a copy without the comment sections
    tree = copy.deepcopy(root)
    if containers:
        wanted = {root.getroottree().getpath(c) for c in containers}
        for c in [tree.getroottree().xpath(p)[0] for p in sorted(wanted, key=len, reverse=True)
                  if tree.getroottree().xpath(p)]:
            if c.getparent() is not None:
                c.drop_tree()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False,
                                          include_tables=True, include_images=False)
    body = _body_paragraphs(doc.body) if doc is not None and doc.body is not None else []
    furniture = _furniture_texts(root)
    body = [p for p in body if not _furniture(p, furniture)]
    title = _space(doc.title or "") if doc is not None else ""
    if body and title and _space(body[0]) == title:
        body = body[1:]
    if sum(len(p) for p in body) < MIN_ARTICLE_CHARS:
        body = []
    if not body:
        visible = _visible_text(root)
        if not visible:
            raise CorpusError(source, None, "no article found: the page has no visible text (was it saved before "
                                            "it finished loading? see README: 'Saved web pages')")
        page_body = _some(root.find("body"), root)
        if all(line in furniture for line in _lines(_strip(page_body, "script, style, noscript, template"))):
            raise CorpusError(source, None, "no article found: the page holds only furniture (menus, links, "
                                            "footers), no article text; save the article's own page")
        raise CorpusError(source, None, f"no article found: trafilatura found no article text among the page's "
                                        f"{len(visible):,} characters of text (too short, or not an article page)")

    # 3. trafilatura's comment text, when no markup was found
    split = False
    if not found:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            full = trafilatura.bare_extraction(copy.deepcopy(root), with_metadata=False, include_comments=True)
        if full is not None and full.commentsbody is not None and len(full.commentsbody):
            found = [{"node": None, "id": f"text-{k + 1}", "author": None, "date": None, "lines": [p],
                      "parent": None} for k, p in enumerate(_body_paragraphs(full.commentsbody, headings=False))
                     if not _furniture(p, furniture)]
            if found:
                markup, split = "trafilatura text", True

    # 4. comments as _render rows: parents by id
    ids = {}
    rows, extra = [], []
    for k, c in enumerate(found):
        if not c["lines"]:
            continue
        cid = str(c["id"]) if c["id"] is not None else f"{markup}-{k + 1}"
        while cid in ids:  # a repeated id (a page that lists a comment twice): keep both, distinctly
            cid += "'"
        ids[id(c["node"]) if c["node"] is not None else cid] = cid
        c["_id"] = cid
    for c in found:
        if not c["lines"]:
            continue
        parent = c["parent"]
        if parent is not None and not isinstance(parent, str):
            parent = ids.get(id(parent))
        where = f"comment {c['_id']}"
        txt = clean("\n".join(c["lines"]), where)
        if len(txt) > MAX_BLOCK_CHARS:
            raise CorpusError(source, None, f"{where} is longer than {MAX_BLOCK_CHARS:,} characters")
        rows.append({"id": c["_id"], "author": clean(c["author"], where), "reply_to": parent, "text": txt,
                     "where": where})
        extra.append((c["_id"], c["date"]))
    body = [clean(p, f"body[{k}]") for k, p in enumerate(body)]
    for k, p in enumerate(body):
        if len(p) > MAX_BLOCK_CHARS:
            raise CorpusError(source, None, f"body[{k}] is longer than {MAX_BLOCK_CHARS:,} characters; split it")
    title = clean(title, "title")
    clean.warn(stacklevel=4)
    if js_boxes:
        warnings.warn(
            f"{source}: the comments are loaded by JavaScript ({', '.join(js_boxes)}) and are not in the saved file. "
            "Open the page in a browser, scroll until the comments show, then save it with \"Save Page As… > Web "
            "Page, complete\" (or copy the rendered DOM: developer tools > Elements > right-click <html> > Copy > "
            "Copy outerHTML, pasted into a .html file); comments drawn in a frame from another site are saved "
            "from that frame", CorpusWarning, stacklevel=3)
    with warnings.catch_warnings():
        if js_boxes:
            warnings.filterwarnings("ignore", message=".*no comments found", category=CorpusWarning)
        page = _render(source, title, body, rows, doc.date, _space(doc.url or "") or None)
    page.source = source
    for c, (cid, date) in zip(page.comments, extra):
        c.comment_id, c.date = cid, clean(date, f"comment {cid}") if isinstance(date, str) else None
        if c.reply_basis == "reply_to field":
            c.reply_basis = f"markup: {markup} nesting"
        elif split:
            c.reply_basis = ((c.reply_basis + "; ") if c.reply_basis else "") + (
                "no thread markup: trafilatura's comment text split by paragraph")
    from analysis.io.pages import _KICKER

    m = _KICKER.match(page.title)
    if m:
        page.kicker, page.title = m[1], m[2]
    elif doc.categories:
        page.kicker = _space(doc.categories[0]) or None
    page.author = _space(doc.author or "") or None
    page.site = _space(doc.sitename or "") or None
    page.comment_markup = markup
    return page
