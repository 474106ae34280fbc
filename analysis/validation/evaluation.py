"""Scores against gold labels: SemEval-2016 Task 6 F_avg, per-target F1, confusion matrix."""
from __future__ import annotations

import pandas as pd

LABELS = ("favor", "against", "none")


def f1(gold, pred, label: str) -> float:
    tp = sum(g == label and p == label for g, p in zip(gold, pred))
    fp = sum(g != label and p == label for g, p in zip(gold, pred))
    fn = sum(g == label and p != label for g, p in zip(gold, pred))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def f_avg(gold, pred) -> float:
    """(F1_favor + F1_against) / 2, the SemEval-2016 Task 6 measure."""
    gold, pred = list(gold), list(pred)
    return (f1(gold, pred, "favor") + f1(gold, pred, "against")) / 2


def confusion(gold, pred) -> pd.DataFrame:
    """Rows: gold label; columns: predicted label."""
    table = pd.crosstab(pd.Categorical(list(gold), LABELS), pd.Categorical(list(pred), LABELS),
                        rownames=["gold"], colnames=["predicted"], dropna=False)
    return table.reindex(index=list(LABELS), columns=list(LABELS), fill_value=0)


def report(df: pd.DataFrame, gold: str = "gold", pred: str = "label") -> dict:
    """F_avg overall, F1 per label, F_avg per target, n and accuracy."""
    out = {"n": len(df), "f_avg": f_avg(df[gold], df[pred]),
           "accuracy": float((df[gold] == df[pred]).mean()) if len(df) else float("nan"),
           "f1": {lab: f1(list(df[gold]), list(df[pred]), lab) for lab in LABELS},
           "per_target": {}}
    for t, g in df.groupby("target"):
        out["per_target"][t] = {"n": len(g), "f_avg": f_avg(g[gold], g[pred])}
    return out


def calibration(df: pd.DataFrame, gold: str = "gold", bins: int = 5) -> pd.DataFrame:
    """Reliability table: predicted confidence of the chosen label vs observed accuracy."""
    conf = df[["p_favor", "p_against", "p_none"]].max(axis=1)
    chosen = df[["p_favor", "p_against", "p_none"]].idxmax(axis=1).str[2:]
    edges = [i / bins for i in range(bins + 1)]
    b = pd.cut(conf, edges, include_lowest=True)
    return (pd.DataFrame({"bin": b, "confidence": conf, "correct": chosen == df[gold]})
            .groupby("bin", observed=True).agg(n=("correct", "size"), confidence=("confidence", "mean"),
                                              accuracy=("correct", "mean")).reset_index())


def load_gold(path) -> pd.DataFrame:
    """A gold file as one row per (id, target): ``id, text, target, gold`` and, where the file
    has them, ``register, lang, phenomenon``. Reads both layouts: one target per row
    (``id,text,target,label``) and one text per row with ``labels`` = ``Target:label`` pairs
    (the register files and the out-of-distribution dev set)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "labels" in df.columns:
        rows = []
        for r in df.to_dict("records"):
            for pair in r["labels"].split():
                target, _, label = pair.partition(":")
                rows.append({**r, "target": target, "gold": label})
        out = pd.DataFrame(rows).drop(columns=["labels"])
    else:
        out = df.rename(columns={"label": "gold"})
    bad = out[~out.gold.isin(LABELS)]
    if len(bad):
        raise ValueError(f"{path}: label {bad.gold.iloc[0]!r} for id {bad.id.iloc[0]} is not favor, against or none")
    return out


def comment_gold(seed_gold: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Sentence gold -> one label per (comment, target), for scoring comments as whole units:
    the polarity of the comment's non-none sentence labels, the majority when both occur
    (a tie is ``against``), ``none`` when every sentence is none."""
    g = seed_gold.merge(units[["unit_id", "part", "comment_no"]], on="unit_id")
    g = g[g.part == "comment"]
    rows = []
    for (c, t), grp in g.groupby(["comment_no", "target"]):
        fav, ag = int((grp.label == "favor").sum()), int((grp.label == "against").sum())
        label = "none" if fav + ag == 0 else ("favor" if fav > ag else "against")
        rows.append({"comment_no": int(c), "target": t, "gold": label})
    return pd.DataFrame(rows)


def f_avg_interval(gold, pred, n_boot: int = 1000, seed: int = 0, groups=None) -> tuple[float, float, float]:
    """F_avg with a seeded bootstrap 95% interval; ``groups`` (e.g. text ids) are resampled
    whole, so the several targets of one text stay together."""
    import numpy as np

    gold, pred = np.asarray(list(gold)), np.asarray(list(pred))
    point = f_avg(gold, pred)
    if len(gold) == 0:
        return point, float("nan"), float("nan")
    keys = np.asarray(list(groups)) if groups is not None else np.arange(len(gold))
    uniq, inv = np.unique(keys, return_inverse=True)
    members = [np.flatnonzero(inv == k) for k in range(len(uniq))]
    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(n_boot):
        pick = np.concatenate([members[k] for k in rng.integers(0, len(uniq), len(uniq))])
        stats.append(f_avg(gold[pick], pred[pick]))
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return point, float(lo), float(hi)


def breakdown(df: pd.DataFrame, by: str, gold: str = "gold", pred: str = "label", seed: int = 0) -> pd.DataFrame:
    """F_avg with its bootstrap interval per value of ``by`` (register, lang, target), plus n."""
    rows = []
    for key, g in df.groupby(by, sort=True):
        f, lo, hi = f_avg_interval(g[gold], g[pred], seed=seed, groups=g["id"] if "id" in g else None)
        rows.append({by: key, "n": len(g), "f_avg": f, "ci_low": lo, "ci_high": hi,
                     "accuracy": float((g[gold] == g[pred]).mean())})
    return pd.DataFrame(rows)


def reliability(df: pd.DataFrame, label: str = "none", by: str = "register", bins: int = 5) -> pd.DataFrame:
    """Reliability of one class's probability per group: mean predicted ``p_<label>`` vs the
    observed share of gold ``label`` in equal-width bins (empty bins dropped)."""
    prob = df[f"p_{label}"].astype(float)
    b = pd.cut(prob, [i / bins for i in range(bins + 1)], include_lowest=True)
    table = pd.DataFrame({by: df[by], "bin": b, "predicted": prob, "observed": (df["gold"] == label).astype(float)})
    return (table.groupby([by, "bin"], observed=True)
            .agg(n=("observed", "size"), predicted=("predicted", "mean"), observed=("observed", "mean"))
            .reset_index())
