"""Lexical specificity (Lafon 1980): lemmas over- and under-represented in one part.

For a lemma with frequency f in the part (t tokens) and F in the whole text (T tokens),
the hypergeometric model gives P(X >= f) when f is above its expectation F*t/T and
P(X <= f) when below; the score is -log10 of that probability, signed (+ over-, - under-
represented), as Lexico3 and TXM report it. |score| >= 2 is the usual threshold (p <= .01).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import hypergeom

from analysis.text import nlp

CONTENT_POS = {"NOUN", "PROPN", "ADJ", "VERB", "ADV", "INTJ", "X"}  # plus 1st/2nd person pronouns


def lemma_counts(units: pd.DataFrame, docs=None) -> pd.DataFrame:
    """Tidy lemma frequencies per part: content words and the pronouns of address (je, nous,
    tu, vous...); function words, punctuation and numbers are left out."""
    docs = docs if docs is not None else nlp.docs(units.text)
    rows = [(part, (t.lemma_ or t.text).lower().replace("’", "'")) for part, doc in zip(units.part, docs)
            for t in doc if (t.pos_ in CONTENT_POS or (t.pos_ == "PRON" and set(t.morph.get("Person")) & {"1", "2"}))
            and not t.is_punct and not t.like_num and t.text.strip()]
    return pd.DataFrame(rows, columns=["part", "lemma"]).value_counts().rename("f").reset_index()


def specificity(counts: pd.DataFrame, part: str = "comment", min_freq: int = 2) -> pd.DataFrame:
    """Signed specificity of each lemma in ``part`` against the whole text, sorted."""
    total = counts.groupby("lemma").f.sum()
    T, t = int(total.sum()), int(counts.loc[counts.part == part, "f"].sum())
    f = counts[counts.part == part].set_index("lemma").f.reindex(total.index, fill_value=0)
    keep = total >= min_freq
    F, f = total[keep].to_numpy(), f[keep].to_numpy()
    expected = F * t / T
    over = f >= expected
    p = np.where(over, hypergeom.sf(f - 1, T, F, t), hypergeom.cdf(f, T, F, t))
    score = -np.log10(np.clip(p, 1e-300, 1.0)) * np.where(over, 1, -1)
    out = pd.DataFrame({"lemma": total.index[keep], "f_part": f, "f_total": F, "expected": expected.round(2),
                        "specificity": score.round(2)})
    return out.sort_values(["specificity", "f_part", "lemma"], ascending=[False, False, True], ignore_index=True)
