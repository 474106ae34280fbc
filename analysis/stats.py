"""Seeded bootstrap intervals, shared by the aggregates and the figures."""
from __future__ import annotations

import numpy as np

CHUNK = 2_000_000  # resampled values held at once: a corpus of 10,000 units would take 320 MB in one piece


def bootstrap_mean(values, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean and percentile 95% bootstrap interval (seeded, so reruns give the same numbers).

    Resamples are drawn a block of rows at a time (the same draws, so the same interval, as
    one (n_boot, n) array), so memory stays bounded on a large corpus."""
    v = np.asarray(values, float)
    if len(v) == 0:
        return np.nan, np.nan, np.nan
    rng = np.random.default_rng(seed)
    step = max(1, CHUNK // len(v))
    means = np.concatenate([v[rng.integers(0, len(v), (min(step, n_boot - a), len(v)))].mean(1)
                            for a in range(0, n_boot, step)])
    return float(v.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
