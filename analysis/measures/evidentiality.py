"""Evidentiality and hedging vs assertive certainty, per unit.

Cues (``config/evidentiality.yaml``): attributions ("selon nos sources"), reporting verbs
(by lemma), the French conditional of unverified news (spaCy's ``Mood=Cnd``), quotation
marks, hedges; against markers of certainty ("c'est la réalité", "Bullshit").
A unit is *evidential* when it attributes, reports, uses the conditional or quotes.
"""
from __future__ import annotations

import re

import pandas as pd

from analysis.text import nlp
from analysis.text.lexicon import lexicons

_QUOTE = re.compile(r"[«“\"]\s*[^«»“”\"]{2,}?\s*[»”\"]")


def evidentiality(units: pd.DataFrame, docs=None) -> pd.DataFrame:
    """One row per unit: cue counts and the flags ``evidential`` and ``certain``."""
    lex = lexicons("evidentiality")
    docs = docs if docs is not None else nlp.docs(units.text)
    rows = []
    for uid, part, text, doc in zip(units.unit_id, units.part, units.text, docs):
        reporting = [t.text for t in doc if t.pos_ in ("VERB", "AUX") and lex["reporting_verbs"].count(t.lemma_)]
        conditional = [t.text for t in doc if "Cnd" in t.morph.get("Mood")]
        quotes = _QUOTE.findall(text)
        row = {"unit_id": uid, "part": part,
               "attribution": lex["attribution"].count(text), "reporting_verbs": len(reporting),
               "conditional": len(conditional), "quotation": len(quotes),
               "hedges": lex["hedges"].count(text), "certainty": lex["certainty"].count(text),
               "cues": "; ".join(lex["attribution"].find(text) + reporting + conditional + lex["certainty"].find(text))}
        row["evidential"] = bool(row["attribution"] or row["reporting_verbs"] or row["conditional"] or row["quotation"])
        row["certain"] = bool(row["certainty"])
        rows.append(row)
    return pd.DataFrame(rows)
