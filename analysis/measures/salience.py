"""Target salience: share of units that mention each target, article vs comments."""
from __future__ import annotations

import pandas as pd

from analysis.text import mentions, nlp


def mention_table(units: pd.DataFrame, docs=None, targets=None) -> pd.DataFrame:
    """One row per unit x target (every entry of targets.yaml by default): ``mentioned``, ``n``, surfaces."""
    targets = targets or mentions.load_targets(salience=True)
    docs = docs if docs is not None else nlp.docs(units.text)
    rows = []
    for uid, part, doc in zip(units.unit_id, units.part, docs):
        found = mentions.find_mentions(doc, targets)
        for t in targets.names:
            ms = [m for m in found if m["target"] == t]
            rows.append({"unit_id": uid, "part": part, "target": t, "mentioned": bool(ms), "n": len(ms),
                         "surfaces": "; ".join(m["surface"] for m in ms)})
    return pd.DataFrame(rows)


def salience(table: pd.DataFrame) -> pd.DataFrame:
    """Share of units mentioning each target per part, and which side alone brings it in."""
    share = table.pivot_table(index="target", columns="part", values="mentioned", aggfunc="mean", fill_value=0.0,
                              sort=False)
    for part in ("article", "comment"):
        if part not in share:
            share[part] = 0.0
    share = share[["article", "comment"]]
    share["only_in"] = [("comment" if c > 0 and a == 0 else "article" if a > 0 and c == 0 else "")
                        for a, c in zip(share.article, share.comment)]
    return share.reset_index().rename_axis(None, axis=1)
