"""The reading view: a page as text, every target mention highlighted by its stance.

``render(a)`` turns an analysis result (:func:`analysis.analyze`) into HTML with spaCy's
displaCy span renderer: one block per title, paragraph and comment, each mention of a
target underlined in the project's palette (``plots.FAVOR`` / ``plots.AGAINST`` /
``plots.NEUTRAL`` for no stance) and labelled with its target, the three probabilities and
who holds the stance (the author or an attributed source). ``show(a)`` wraps it for a
notebook; ``explorer(a)`` adds ipywidgets drop-downs to pick a comment (or the article) and
a target and see the chosen units, their mentions and the evidence clauses.

It works on any page: a raw dump or a JSON article, with or without comments or mentions.
"""
from __future__ import annotations

import html
import warnings
from dataclasses import dataclass

import pandas as pd

from analysis.text import nlp
from analysis.text.units import blocks as page_blocks
from analysis.viz.plots import AGAINST, FAVOR, NEUTRAL

COLORS = {"favor": FAVOR, "against": AGAINST, "none": NEUTRAL}
LABEL_NAMES = {"favor": "favour", "against": "against", "none": "no stance"}
FONT = ("-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif, "
        "'Apple Color Emoji', 'Segoe UI Emoji'")

# spaCy's span templates (spacy/displacy/templates.py) with three changes: a thin grey outline
# on the underline and the label, so that the light neutral colour stays visible on white;
# one space before a mention and none after it (the text that follows carries its own); on
# one line (the text's own line breaks are kept, see STYLE).
_OUTLINE = "box-shadow: 0 0 0 1px #9E9E9E;"
TEMPLATE = {
    "span": ' <span style="font-weight: bold; display: inline-block; position: relative; height: {total_height}px;">'
            '{text}{span_slices}{span_starts}</span>',
    "slice": '<span style="background: {bg}; top: {top_offset}px; height: 4px; left: -1px; width: calc(100% + 2px); '
             f'position: absolute; {_OUTLINE}"></span>',
    "start": '<span style="background: {bg}; top: {top_offset}px; height: 4px; border-top-left-radius: 3px; '
             'border-bottom-left-radius: 3px; left: -1px; width: calc(100% + 2px); position: absolute; '
             f'{_OUTLINE}"><span style="background: {{bg}}; z-index: 10; color: #000; top: -0.5em; padding: 2px 3px; '
             'position: absolute; font-size: 0.6em; font-weight: bold; line-height: 1; border-radius: 3px; '
             f'white-space: nowrap; {_OUTLINE}">{{label}}{{kb_link}}</span></span>',
}
# line breaks of the page (comments are often written line by line) stay line breaks
STYLE = "<style>.reading-view .spans { white-space: pre-line; }</style>"


@dataclass
class Block:
    """One rendered block: a title, paragraph or comment of the page."""

    key: str  # "article" or "comment N"
    heading: str | None
    text: str
    units: pd.DataFrame  # its units, with "offset": where each unit's text starts in ``text``


def stance_of(m) -> str:
    """favor / against / none: the most probable of the mention's three probabilities."""
    p = {"favor": m.p_favor, "against": m.p_against, "none": m.p_none}
    return max(p, key=p.get)


def mention_label(m) -> str:
    """``Morocco F.05 A.82 N.13 · author``: target, P(favour) P(against) P(none), holder (the
    author, or the attributed source's phrase, shortened)."""
    holder = m.holder if len(m.holder) <= 28 else m.holder[:27] + "…"
    via = " (you)" if getattr(m, "via", "") == "address" else ""
    p = " ".join(f"{k}{v:.2f}".replace("0.", ".") for k, v in (("F", m.p_favor), ("A", m.p_against), ("N", m.p_none)))
    return f"{m.target}{via} {p} · {holder}"


def blocks(a) -> list[Block]:
    """The page's title, paragraphs and comments, each with its units located in its text."""
    units = a.units
    out = []
    for part, cno, pno, blk in page_blocks(a.page):
        if part == "article":
            mine = units[(units.part == "article") & (units.paragraph_no == pno)]
            heading = "Article" if not out else None
            key = "article"
        else:
            mine = units[(units.part == "comment") & (units.comment_no == cno)]
            c = next(c for c in a.page.comments if c.number == cno)
            heading = f"Comment {cno}" + (f" by {c.author}" if c.author else "") + (
                f", answering comment {c.reply_to}" if c.reply_to else "")
            key = f"comment {cno}"
        offsets, cursor = [], 0
        for text in mine.text:
            k = blk.text.find(text, cursor)
            offsets.append(k)
            cursor = k + len(text) if k >= 0 else cursor
        out.append(Block(key, heading, blk.text, mine.assign(offset=offsets)))
    return out


def choices(a) -> list[str]:
    """The keys a view can be restricted to: "article", then "comment 1", "comment 2", ..."""
    return list(dict.fromkeys(b.key for b in blocks(a)))


def _select(a, which: str | None, target: str | None) -> tuple[list[Block], pd.DataFrame]:
    chosen = [b for b in blocks(a) if which in (None, "page", b.key)]
    ids = set().union(*(set(b.units.unit_id) for b in chosen)) if chosen else set()
    m = a.mentions[a.mentions.unit_id.isin(ids)]
    if target is not None:
        m = m[m.target == target]
    return chosen, m


def _display_doc(text: str, spans: list[tuple[int, int, str]]):
    """A Doc for displaCy's span renderer: the tokens a mention covers stay tokens; the text
    between mentions becomes one token per stretch, keeping its own spacing (the renderer
    writes a space after every token that is not in a span, so elisions like "l’Algérie"
    or "pays." would otherwise read "l’ Algérie", "pays ."). An elided word glued to a
    mention ("l’", "d’") is drawn as part of the mention."""
    from spacy.tokens import Doc, Span

    tokens = nlp.french().make_doc(text)
    ranges = []
    for a, b, label in spans:
        s = tokens.char_span(a, b, alignment_mode="expand")
        if s is not None and len(s):
            ranges.append((s.start, s.end, label))
    covered = {i for a, b, _ in ranges for i in range(a, b)}
    words, spaces, where, buffer = [], [], {}, ""

    def flush(buffer):
        word = buffer.rstrip()
        if "\n" in buffer[len(word):]:
            word += "\n"  # a line break before a mention stays one
        if word.strip() or word == "\n":
            words.append(word)
            spaces.append(not word.endswith("\n") and word != buffer)  # doc.text keeps the spacing

    for tok in tokens:
        if tok.i in covered:
            word = tok.text
            if buffer and not buffer[-1].isspace():  # glued to the text before it
                cut = max(buffer.rfind(" "), buffer.rfind("\n"), buffer.rfind("\t")) + 1
                buffer, word = buffer[:cut], buffer[cut:] + word
            flush(buffer)
            where[tok.i] = len(words)
            words.append(word)
            next_covered = tok.i + 1 in covered
            spaces.append(bool(tok.whitespace_) and next_covered)
            buffer = "" if next_covered else tok.whitespace_
        else:
            buffer += tok.text_with_ws
    flush(buffer)
    doc = Doc(nlp.french().vocab, words=words or [" "], spaces=spaces or [False])
    doc.spans["sc"] = [Span(doc, where[a], where[b - 1] + 1, label=label) for a, b, label in ranges]
    return doc


def docs(a, which: str | None = None, target: str | None = None):
    """spaCy Docs of the chosen blocks (``which``: None for the whole page, "article" or
    "comment N"), with one span per mention (of ``target`` only, if given) in ``doc.spans["sc"]``,
    labelled by :func:`mention_label`; ``doc.user_data``: "title" (the block's heading) and
    "stance" ({label: favor / against / none})."""
    chosen, m = _select(a, which, target)
    out = []
    for b in chosen:
        offset = dict(zip(b.units.unit_id, b.units.offset))
        mine = m[m.unit_id.isin(offset)].sort_values(["unit_id", "start"])
        spans = [(offset[r.unit_id] + int(r.start), offset[r.unit_id] + int(r.end), mention_label(r))
                 for r in mine.itertuples() if offset[r.unit_id] >= 0]
        doc = _display_doc(b.text, spans)
        doc.user_data["stance"] = {mention_label(r): stance_of(r) for r in mine.itertuples()}
        if b.heading:
            doc.user_data["title"] = html.escape(b.heading)
        out.append(doc)
    return out


def render(a, which: str | None = None, target: str | None = None, legend: bool = True) -> str:
    """The reading view as an HTML fragment (no script, no external resource)."""
    from spacy import displacy

    ds = docs(a, which, target)
    colors = {}
    for d in ds:
        colors.update({lab: COLORS[stance] for lab, stance in d.user_data["stance"].items()})
    options = {"colors": colors, "template": TEMPLATE}
    parts = []
    for d in ds:
        with warnings.catch_warnings():
            # displaCy warns (W117) for a block without any span; such a block is simply text
            warnings.filterwarnings("ignore", message=r"\[W117\]")
            parts.append(displacy.render(d, style="span", options=options, jupyter=False, page=False))
    key = ""
    if legend:
        key = ('<p style="font-size: 0.85em; color: #444;">Mentions underlined by stance: '
               + " ".join(f'<span style="background: {COLORS[k]}; color: {"#000" if k == "none" else "#FFF"}; '
                          f'padding: 0 6px; border-radius: 3px; {_OUTLINE}">{LABEL_NAMES[k]}</span>' for k in COLORS)
               + " · label: target F = P(favour) A = P(against) N = P(none) · holder (author or source)</p>")
    title = html.escape(a.page.title or a.page.page_id)
    return (f'<div class="reading-view" style="font-family: {FONT}; max-width: 60em;">{STYLE}'
            f'<h1 style="font-size: 1.3em;">{title}</h1>{key}{"".join(parts)}</div>')


def show(a, which: str | None = None, target: str | None = None):
    """The reading view as a notebook display object."""
    from IPython.display import HTML

    return HTML(render(a, which, target))


def tables(a, which: str | None = None, target: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chosen units (with their stance toward each target, or ``target``) and mentions."""
    chosen, m = _select(a, which, target)
    ids = [u for b in chosen for u in b.units.unit_id]
    st = a.stance[a.stance.unit_id.isin(ids) & a.stance.mentioned]
    if target is not None:
        st = st[st.target == target]
    units = a.units.set_index("unit_id").loc[ids, ["text"]].reset_index()
    units = units.merge(st[["unit_id", "target", "label", "p_favor", "p_against", "p_none", "holder", "evidence"]],
                        on="unit_id", how="left")
    m = m.assign(stance=[stance_of(r) for r in m.itertuples()])
    cols = [c for c in ("unit_id", "surface", "target", "via", "holder", "stance", "p_favor", "p_against", "p_none",
                        "context") if c in m.columns]
    mentions = m[cols].rename(columns={"context": "evidence (clause)"})
    blank = lambda df: df.round(2).astype(object).where(df.notna(), "")  # noqa: E731  (not mentioned: empty)
    return blank(units), blank(mentions)


def explorer(a):
    """Drop-downs to pick the article or a comment and a target; shows the reading view of
    that part, its units with their stance, and every mention with its evidence clause.
    Starts on the first comment (the article if there is none). The view is one HTML widget
    whose value is replaced: an ``Output`` widget cleared and refilled could leave a headless
    run (papermill, ``make figures``) waiting for ever after the cell had finished."""
    import ipywidgets as widgets

    keys = choices(a)
    first = next((k for k in keys if k.startswith("comment")), "page")  # the whole page is shown above it
    part = widgets.Dropdown(options=[("whole page", "page")] + [(k, k) for k in keys], value=first,
                            description="Part")
    target = widgets.Dropdown(options=[("all targets", "")] + [(t, t) for t in a.stance.target.unique()],
                              value="", description="Target")
    view = widgets.HTML()

    def update(*_):
        which, tgt = part.value, target.value or None
        units, mentions = tables(a, which, tgt)
        view.value = (render(a, which, tgt, legend=False)
                      + f"<h4>Units ({units.unit_id.nunique()})</h4>" + units.to_html(index=False)
                      + f"<h4>Mentions and evidence ({len(mentions)})</h4>" + mentions.to_html(index=False))

    part.observe(update, names="value")
    target.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([part, target]), view])
