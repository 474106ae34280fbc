"""Seeded bootstrap intervals, shared by the aggregates and the figures."""
from __future__ import annotations

import numpy as np


def bootstrap_mean(values, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean and percentile 95% bootstrap interval (seeded, so reruns give the same numbers)."""
    v = np.asarray(values, float)
    if len(v) == 0:
        return np.nan, np.nan, np.nan
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), (n_boot, len(v)))].mean(1)
    return float(v.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
