"""How the model's errors carry into the article-vs-comments comparison.

The difference of mean stance between the comments and the article (per target, label-based:
share favor - share against over the units that mention the target, author-held, as the
counts of ``analysis.stance.classifier.aggregate``) is bootstrapped twice:

* sampling only: resample the units of each side (with replacement, seeded);
* sampling + misclassification: the same resamples, then each unit's predicted label is
  replaced by a "true" label drawn from the row of that label in a misclassification matrix
  ``P(true | predicted)`` estimated on a validation sample (:func:`misclassification`), with a
  second seeded generator (so a perfect matrix gives exactly the sampling-only draws).

With ``matrix_counts`` (the validation confusion counts) each draw also redraws the matrix
rows from their Dirichlet posterior, so the size of the validation sample counts too.
Notebook entry points: :func:`misclassification`, :func:`difference_under_error`,
:func:`summarize`; the figure is ``analysis.viz.plots.difference_under_error``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.validation.evaluation import LABELS

SCORE = {"favor": 1.0, "against": -1.0, "none": 0.0}
SIDES = ("article", "comment")


def misclassification(gold, pred, labels=LABELS, prior: float = 0.0) -> pd.DataFrame:
    """``P(true | predicted)`` from a validation sample: rows the predicted label, columns the
    true (gold) label, each row summing to 1 (``prior`` added to every cell first; a label
    never predicted gets the identity row)."""
    gold, pred = list(gold), list(pred)
    counts = pd.DataFrame(0.0, index=list(labels), columns=list(labels))
    for g, p in zip(gold, pred):
        counts.loc[p, g] += 1
    counts = counts + prior
    out = counts.copy()
    for lab in labels:
        s = counts.loc[lab].sum()
        out.loc[lab] = counts.loc[lab] / s if s > 0 else (np.array(labels) == lab).astype(float)
    out.index.name, out.columns.name = "predicted", "true"
    return out


def _rows(matrix: pd.DataFrame | None, labels) -> np.ndarray | None:
    if matrix is None:
        return None
    m = matrix.reindex(index=list(labels), columns=list(labels)).to_numpy(float)
    if np.isnan(m).any() or (m < 0).any():
        raise ValueError(f"misclassification matrix must have rows and columns {', '.join(labels)}, no negatives")
    sums = m.sum(1, keepdims=True)
    return np.where(sums > 0, m / np.where(sums > 0, sums, 1), np.eye(len(labels)))


def _stance_units(unit_scores: pd.DataFrame, author_only: bool) -> pd.DataFrame:
    df = unit_scores[unit_scores.mentioned.astype(bool)] if "mentioned" in unit_scores else unit_scores
    if author_only and "holder" in df:
        df = df[df.holder == "author"]
    return df


def difference_under_error(unit_scores: pd.DataFrame, matrix: pd.DataFrame | None = None, n_boot: int = 2000,
                           seed: int = 0, author_only: bool = True, matrix_counts: pd.DataFrame | None = None,
                           labels=LABELS) -> pd.DataFrame:
    """Bootstrap draws of mean stance per side and of ``comment - article`` per target.

    ``unit_scores``: the ``stance`` table (unit x target: ``part, target, label``, and
    ``mentioned``/``holder`` where present). ``matrix``: ``P(true | predicted)`` (rows predicted),
    e.g. :func:`misclassification`; None: sampling error only. ``matrix_counts``: confusion counts
    (rows predicted, columns true) whose rows are redrawn from Dirichlet(counts + 1/2) in every
    draw (overrides ``matrix``). Returns one row per target and draw: ``target, draw, article,
    comment, difference`` (NaN where a side has no unit)."""
    df = _stance_units(unit_scores, author_only)
    code = {lab: i for i, lab in enumerate(labels)}
    unknown = sorted(set(df.label) - set(code))
    if unknown:
        raise ValueError(f"label {unknown[0]!r} is not one of {', '.join(labels)}")
    value = np.array([SCORE.get(lab, 0.0) for lab in labels])
    rows = _rows(matrix, labels)
    counts = None if matrix_counts is None else matrix_counts.reindex(index=list(labels), columns=list(labels)
                                                                      ).fillna(0).to_numpy(float)
    out = []
    for t_no, target in enumerate(sorted(df.target.unique())):
        draws = {"target": target, "draw": np.arange(n_boot)}
        for s_no, side in enumerate(SIDES):
            pred = df[(df.target == target) & (df.part == side)].label.map(code).to_numpy(int)
            if len(pred) == 0:
                draws[side] = np.full(n_boot, np.nan)
                continue
            boot = np.random.default_rng([seed, t_no, s_no])  # the same resamples with or without error
            sampled = pred[boot.integers(0, len(pred), (n_boot, len(pred)))]
            if rows is None and counts is None:
                draws[side] = value[sampled].mean(1)
                continue
            err = np.random.default_rng([seed, t_no, s_no, 1])
            if counts is not None:  # one matrix per draw: (n_boot, k, k)
                mats = np.stack([err.dirichlet(counts[k] + 0.5, size=n_boot) for k in range(len(labels))], axis=1)
                cum = np.cumsum(mats, axis=2)[np.arange(n_boot)[:, None], sampled]
            else:
                cum = np.cumsum(rows, axis=1)[sampled]
            u = err.random(sampled.shape)[..., None]
            true = np.minimum((u >= cum).sum(-1), len(labels) - 1)
            draws[side] = value[true].mean(1)
        draws["difference"] = draws["comment"] - draws["article"]
        out.append(pd.DataFrame(draws))
    cols = ["target", "draw", *SIDES, "difference"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def observed(unit_scores: pd.DataFrame, author_only: bool = True) -> pd.DataFrame:
    """Label-based mean stance per side and their difference, per target, on the data as is."""
    df = _stance_units(unit_scores, author_only)
    s = df.assign(v=df.label.map(SCORE)).groupby(["target", "part"]).v.mean().unstack()
    s = s.reindex(columns=list(SIDES))
    return s.assign(difference=s.comment - s.article).reset_index().rename_axis(columns=None)


def summarize(draws: pd.DataFrame, unit_scores: pd.DataFrame | None = None, author_only: bool = True) -> pd.DataFrame:
    """Per target (and per kind of ``error`` for the output of :func:`compare`): mean of the
    draws, percentile 95% interval, and (with ``unit_scores``) the observed difference.
    Columns ``target, [error,] observed, mean, ci_low, ci_high, n_draws``."""
    keys = ["target", "error"] if "error" in draws else ["target"]
    g = draws.dropna(subset=["difference"]).groupby(keys).difference
    out = pd.DataFrame({"mean": g.mean(), "ci_low": g.quantile(0.025), "ci_high": g.quantile(0.975),
                        "n_draws": g.size()}).reset_index()
    if unit_scores is not None:
        obs = observed(unit_scores, author_only).set_index("target").difference
        out.insert(1, "observed", out.target.map(obs))
    return out


def compare(unit_scores: pd.DataFrame, matrix: pd.DataFrame | None = None, n_boot: int = 2000, seed: int = 0,
            matrix_counts: pd.DataFrame | None = None, **kw) -> pd.DataFrame:
    """Draws with sampling error only and with misclassification too, stacked with an
    ``error`` column: the input of ``plots.difference_under_error``."""
    plain = difference_under_error(unit_scores, None, n_boot=n_boot, seed=seed, **kw)
    noisy = difference_under_error(unit_scores, matrix, n_boot=n_boot, seed=seed, matrix_counts=matrix_counts, **kw)
    return pd.concat([plain.assign(error="sampling"), noisy.assign(error="sampling + misclassification")],
                     ignore_index=True)
