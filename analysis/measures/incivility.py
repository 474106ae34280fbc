"""Incivility per unit: a documented lexicon (``config/incivility.yaml``) and a
transformer score (similarity to uncivil vs civil anchor sentences)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resources import load_yaml
from analysis.text.lexicon import lexicons

CATEGORIES = ("obscenity", "name_calling", "slurs", "dehumanising")


def transformer_score(texts, encoder) -> np.ndarray:
    """P(uncivil) from multilingual-e5: logistic of the similarity gap to the anchors."""
    spec = load_yaml("incivility.yaml")["anchors"]
    e = encoder.encode(list(texts), kind="query")
    unc = encoder.encode(spec["uncivil"], kind="query").mean(0)
    civ = encoder.encode(spec["civil"], kind="query").mean(0)
    gap = e @ unc - e @ civ
    return 1 / (1 + np.exp(-(spec["scale"] * gap + spec["offset"])))


def incivility(units: pd.DataFrame, encoder=None) -> pd.DataFrame:
    """One row per unit: hits per category, ``uncivil`` (any hit) and ``p_uncivil`` (transformer)."""
    lex = lexicons("incivility")
    rows = []
    for uid, part, text in zip(units.unit_id, units.part, units.text):
        hits = {c: lex[c].find(text) for c in CATEGORIES}
        rows.append({"unit_id": uid, "part": part, **{c: len(h) for c, h in hits.items()},
                     "words": "; ".join(w for h in hits.values() for w in h),
                     "uncivil": any(hits.values())})
    df = pd.DataFrame(rows)
    if encoder is not None:
        df["p_uncivil"] = transformer_score(units.text, encoder) if len(units) else []
    return df
