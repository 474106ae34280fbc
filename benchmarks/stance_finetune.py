"""Stance method selection: the logistic head, the fine-tuned encoder (three seeds) and
blends of the two, scored side by side on the dev set (F_avg, SemEval-2016).

config/stance.yaml records the choice. The test set is not read here.
Usage: python benchmarks/stance_finetune.py [--seeds 0 1 2] [--epochs N] [--learning-rate LR]
"""
import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.stance import classifier as stance
from analysis.stance.encoder import load_encoder
from analysis.text import mentions
from analysis.validation import evaluation

ROOT = Path(__file__).resolve().parents[1]


def dev_score(dev, found, p, names) -> float:
    scored = found.assign(p_favor=p[:, 0], p_against=p[:, 1], p_none=p[:, 2])
    table = stance.combine(scored, ["id"], names, dev[["id"]])
    out = dev.merge(table, on=["id", "target"])
    return evaluation.f_avg(out.label_x, out.label_y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, help="override config/stance.yaml")
    ap.add_argument("--learning-rate", type=float, help="override config/stance.yaml")
    args = ap.parse_args()
    override = {k: v for k, v in [("epochs", args.epochs), ("learning_rate", args.learning_rate)] if v is not None}
    enc, tg = load_encoder(), mentions.load_targets()
    dev = pd.read_csv(ROOT / "data/annotations/stance_dev.csv", keep_default_na=False)
    found = stance.find(dev.text.tolist(), tg)
    found["id"] = dev.id.to_numpy()[found.row.to_numpy(int)]
    p_head = stance.fit(enc, tg, method="head").predict_proba(found)
    print(f"{'model':28s} {'dev F_avg':>9s}")
    print(f"{'head (logistic)':28s} {dev_score(dev, found, p_head, tg.names):9.3f}", flush=True)
    blends = {w: [] for w in (0.0, 0.25, 0.5)}
    for seed in args.seeds:
        t0 = time.time()
        ft = stance.fit(enc, tg, method="finetune", settings={**override, "seed": seed, "head_weight": 0.0})
        p_ft = ft.predict_proba(found)
        for w in blends:
            blends[w].append(dev_score(dev, found, (1 - w) * p_ft + w * p_head, tg.names))
            print(f"{f'finetune seed {seed}, head {w:.2f}':28s} {blends[w][-1]:9.3f}", flush=True)
        print(f"  ({time.time() - t0:.0f} s to train or load)", flush=True)
    for w, scores in blends.items():
        print(f"{f'finetune, head {w:.2f}: mean':28s} {np.mean(scores):9.3f} (sd {np.std(scores):.3f})")


if __name__ == "__main__":
    main()
