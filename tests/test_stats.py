import numpy as np

from analysis import stats


def one_array(values, n_boot=2000, seed=0):
    v = np.asarray(values, float)
    means = v[np.random.default_rng(seed).integers(0, len(v), (n_boot, len(v)))].mean(1)
    return float(v.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def test_the_bootstrap_in_blocks_gives_the_interval_of_one_array(monkeypatch):
    values = np.random.default_rng(1).normal(size=997)
    monkeypatch.setattr(stats, "CHUNK", 3000)  # blocks of 3 resamples, the last one shorter
    assert stats.bootstrap_mean(values) == one_array(values)
    assert stats.bootstrap_mean(values, n_boot=7, seed=4) == one_array(values, 7, 4)
    monkeypatch.setattr(stats, "CHUNK", 10)  # fewer values per block than one resample: one row at a time
    assert stats.bootstrap_mean(values[:50]) == one_array(values[:50])
    assert all(np.isnan(stats.bootstrap_mean([])))
