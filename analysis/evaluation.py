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
