"""Stance model selection: every combination of settings, scored side by side.

For each setting: 5-fold cross-validation on the training set (folds keep a template's
four fillings together; F_avg reported on the hand-written rows, the realistic ones) and
F_avg on the dev set. config/stance.yaml records the choice (made on the dev set); the
test set is not read here. Usage: python benchmarks/stance_selection.py
"""
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.paths import PACKAGE_DATA_DIR
from analysis.resources import load_yaml
from analysis.stance import classifier as stance
from analysis.stance.encoder import load_encoder
from analysis.text import mentions
from analysis.validation import evaluation

ROOT = Path(__file__).resolve().parents[1]


def main():
    enc, tg = load_encoder(), mentions.load_targets()
    ex = stance.training_examples(PACKAGE_DATA_DIR / "stance_train.csv", tg)
    dev = pd.read_csv(ROOT / "data/annotations/stance_dev.csv", keep_default_na=False)
    y = np.array([stance.LABELS.index(label) for label in ex.label])
    group = ex.id.str.rsplit("-", n=1).str[0]
    rng = np.random.default_rng(0)
    fold_of = {g: k % 5 for k, g in enumerate(rng.permutation(sorted(set(group))))}
    folds = np.array([fold_of[g] for g in group])
    written = (ex.origin == "written").to_numpy()
    base = load_yaml("stance.yaml")
    print(f"{'prefix':8s} {'crossed':7s} {'cues':>5s} {'C':>5s} {'cv F_avg':>9s} {'dev F_avg':>9s}")
    for prefix, crossed, cue, C in itertools.product(["query", "passage"], [True, False], [0.0, 0.5, 1.0],
                                                     [1.0, 3.0, 10.0, 30.0]):
        settings = {**base, "prefix": prefix, "crossed": crossed, "cue_scale": cue, "C": C}
        model = stance.StanceModel(enc, tg.names, "head", None, None, settings)
        X = model.features(ex)
        pred = np.zeros(len(y), int)
        for k in range(5):
            clf = stance.fit_logistic(C, X[folds != k], y[folds != k])
            pred[folds == k] = clf.predict(X[folds == k])
        cv = evaluation.f_avg([stance.LABELS[i] for i in y[written]], [stance.LABELS[i] for i in pred[written]])
        clf = stance.fit_logistic(C, X, y)
        model.W, model.b = clf.coef_.T.astype(np.float32), clf.intercept_.astype(np.float32)
        stance._MODELS[("None", None)] = model
        out = dev.merge(stance.stance_table(dev.id, dev.text, targets=tg), on=["id", "target"])
        print(f"{prefix:8s} {str(crossed):7s} {cue:5.1f} {C:5.0f} {cv:9.3f} "
              f"{evaluation.f_avg(out.label_x, out.label_y):9.3f}", flush=True)


if __name__ == "__main__":
    main()
