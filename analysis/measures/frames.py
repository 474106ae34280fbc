"""Frames from the codebook in ``config/frames.yaml``, assigned zero-shot with multilingual-e5."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.resources import load_yaml


def codebook() -> dict:
    return load_yaml("frames.yaml")


def frames(units: pd.DataFrame, encoder) -> pd.DataFrame:
    """One row per unit: similarity to each frame (best of its descriptions) and the ``frame``."""
    book = codebook()
    names = list(book["frames"])
    e = encoder.encode(list(units.text), kind="query")
    sims = []
    for name in names:
        d = encoder.encode(book["frames"][name]["descriptions"], kind="query")
        sims.append((e @ d.T).max(1) if len(e) else np.zeros(0))
    sims = np.stack(sims, 1) if len(e) else np.zeros((0, len(names)))
    best = sims.argmax(1) if len(e) else np.zeros(0, int)
    chosen = [names[k] if sims[r, k] >= book["min_similarity"] else "none" for r, k in enumerate(best)]
    df = pd.DataFrame(sims, columns=[f"sim_{n}" for n in names])
    df.insert(0, "unit_id", units.unit_id.to_numpy())
    df.insert(1, "part", units.part.to_numpy())
    df["frame"] = chosen
    return df


def frame_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Share of units per frame in each part (tidy: part, frame, share, n)."""
    counts = table.groupby(["part", "frame"]).size().rename("n").reset_index()
    counts["share"] = counts.n / counts.groupby("part").n.transform("sum")
    return counts
