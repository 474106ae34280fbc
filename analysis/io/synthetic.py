"""A synthetic corpus for scale tests and benchmarks, stated as such in every article.

Articles are JSON files whose body and comments are random draws (seeded) of the
project's own stance training texts (the packaged ``stance_train.csv``): realistic in
length and vocabulary, meaningless as discourse. Never use them as findings.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.paths import PACKAGE_DATA_DIR


def sentences() -> pd.DataFrame:
    """The training texts, once each, with a label (``none`` when none of its targets has a stance)."""
    df = pd.read_csv(PACKAGE_DATA_DIR / "stance_train.csv", keep_default_na=False)
    df = df.assign(polar=df.label != "none").sort_values("polar", ascending=False, kind="stable")
    return df[["text", "label"]].drop_duplicates("text").sort_index().reset_index(drop=True)


def synthetic_corpus(out_dir, n_comments: int = 1000, per_article: int = 20, seed: int = 0) -> list[Path]:
    """Write ``ceil(n_comments / per_article)`` JSON articles into ``out_dir``; return their paths."""
    rng = np.random.default_rng(seed)
    pool = sentences()
    neutral = pool[pool.label == "none"].text.to_numpy()
    texts = pool.text.to_numpy()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths, made, k = [], 0, 0
    while made < n_comments:
        n = min(per_article, n_comments - made)
        article = {
            "title": f"Synthetic article {k:05d} (random sentences, not a real article)",
            "date": "2024-01-01", "url": None, "synthetic": True,
            "body": [" ".join(rng.choice(neutral, size=3, replace=False)) for _ in range(3)],
            "comments": [{"id": str(i + 1), "author": f"user{int(rng.integers(0, 50))}",
                          "text": " ".join(rng.choice(texts, size=int(rng.integers(1, 4)), replace=False)),
                          "reply_to": str(int(rng.integers(1, i + 1))) if i and rng.random() < 0.3 else None}
                         for i in range(n)],
        }
        path = out / f"synthetic_{k:05d}.json"
        path.write_text(json.dumps(article, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
        made += n
        k += 1
    return paths
