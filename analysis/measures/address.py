"""Address and the in-group: first person plural, second person, @mentions; and the
interaction graph among commenters (networkx), with the stance carried by each edge."""
from __future__ import annotations

import pandas as pd

from analysis.text import nlp
from analysis.text.mentions import SECOND_PERSON
from analysis.text.normalise import fold

FIRST_PLURAL = {"nous", "notre", "nos", "we", "our", "us"}


def address(units: pd.DataFrame, docs=None) -> pd.DataFrame:
    """One row per unit: counts of first person plural, second person and @mentions."""
    docs = docs if docs is not None else nlp.docs(units.text)
    rows = []
    for uid, part, doc in zip(units.unit_id, units.part, docs):
        first = [t.text for t in doc if fold(t.text) in FIRST_PLURAL]
        second = [t.text for t in doc if fold(t.text) in SECOND_PERSON
                  and not (t.i > 0 and doc[t.i - 1].text.endswith("-"))]  # "unissez-vous" is not address
        ats = [t.text for t in doc if t.text.startswith("@")]
        rows.append({"unit_id": uid, "part": part, "first_plural": len(first), "second_person": len(second),
                     "at_mentions": len(ats), "words": "; ".join(first + second + ats)})
    return pd.DataFrame(rows)


def interaction_graph(page, mention_scores: pd.DataFrame | None = None):
    """DiGraph: each comment -> the comment it answers (or the article), and -> each @name.

    Edge attributes: ``kind`` (reply, article, at_mention), ``basis`` (how the reply was
    found) and, where the comment addresses someone, ``target`` and ``stance`` (mean
    p_favor - p_against of its second-person mentions).
    """
    import networkx as nx

    g = nx.DiGraph()
    g.add_node("article", kind="article")
    for c in page.comments:
        node = f"c{c.number}"
        g.add_node(node, kind="comment", author=c.author or "")
        attrs = {}
        if mention_scores is not None and len(mention_scores):
            own = mention_scores[(mention_scores.comment_no == c.number) & (mention_scores.via == "address")]
            if len(own):
                attrs = {"target": own.target.mode().iloc[0], "stance": float((own.p_favor - own.p_against).mean())}
        if c.reply_to:
            g.add_edge(node, f"c{c.reply_to}", kind="reply", basis=c.reply_basis or "", **attrs)
        else:
            g.add_edge(node, "article", kind="article", basis="top level")
        for name in c.mentions:
            g.add_node(f"@{name}", kind="handle")
            g.add_edge(node, f"@{name}", kind="at_mention", basis="@", **attrs)
    return g
