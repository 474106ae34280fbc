"""Stance scores side by side: the out-of-distribution dev set (model selection), the old
comment-style dev set, the held-out test set, and the seed page (sentences, and comments as
whole units; and the seed's writer-held stances only,
``seed_writer``), with bootstrap 95% intervals; optionally several settings in one run.

Usage: python benchmarks/stance_eval.py [--set KEY=VALUE ...] [--method head] [--sets dev_ood,test]
  e.g. --set epochs=4 --set head_weight=0.0
The test set is for reporting: do not choose settings on its numbers.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.io.pages import load_page
from analysis.stance import classifier as stance
from analysis.stance.encoder import load_encoder
from analysis.text import mentions
from analysis.text.units import units
from analysis.validation import evaluation

ROOT = Path(__file__).resolve().parents[1]
ANN = ROOT / "data" / "annotations"
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"


def predict(model, df, tg, register_col=True):
    texts = df.drop_duplicates("id")
    regs = texts.register.tolist() if register_col and "register" in texts else None
    orig = stance._MODELS.get(("None", None))
    stance._MODELS[("None", None)] = model
    try:
        pred = stance.stance_table(texts.id, texts.text, targets=tg, register=regs)
    finally:
        if orig is None:
            stance._MODELS.pop(("None", None))
        else:
            stance._MODELS[("None", None)] = orig
    return df.merge(pred, on=["id", "target"], how="left")


def evaluate(model, tg, sets):
    out = {}
    if "dev_ood" in sets:
        out["dev_ood"] = predict(model, evaluation.load_gold(ANN / "stance_dev_ood.csv"), tg)
    if "dev" in sets:
        out["dev"] = predict(model, evaluation.load_gold(ANN / "stance_dev.csv"), tg, register_col=False)
    if "test" in sets:
        out["test"] = predict(model, evaluation.load_gold(ANN / "stance_test.csv"), tg, register_col=False)
    if "seed" in sets:
        page = load_page(SEED)
        u = units(page)
        table, _ = stance.score_units(u, page, model, tg)
        gold = pd.read_csv(ANN / "seed_gold.csv", keep_default_na=False)
        out["seed"] = gold.rename(columns={"label": "gold"}).merge(table, on=["unit_id", "target"]).assign(
            id=lambda d: d.unit_id)
        # the writer's stance only: gold held by a source (holder other than the author) is none
        # for the writer, and so is a prediction whose decisive mention is attributed
        w = gold.rename(columns={"label": "gold", "holder": "gold_holder"}).merge(table, on=["unit_id", "target"])
        out["seed_writer"] = w.assign(id=w.unit_id, gold=w.gold.where(w.gold_holder.isin(["author", ""]), "none"),
                                      label=w.label.where(w.holder == "author", "none"))
        cg = evaluation.comment_gold(gold, u)
        texts = pd.DataFrame({"id": [f"c{c.number}" for c in page.comments], "text": [c.text for c in page.comments],
                              "comment_no": [c.number for c in page.comments]})
        df = cg.merge(texts, on="comment_no").assign(register="comment")
        out["seed_comments"] = predict(model, df, tg)
    return out


BIASES = [round(-3 + 0.25 * k, 2) for k in range(25)]


def relabel(df, bias):
    p = stance.calibrate(df[["p_favor", "p_against", "p_none"]].to_numpy(np.float32), bias)
    return np.where(df.mentioned.fillna(False).to_numpy(bool), np.array(stance.LABELS)[p.argmax(1)], "none")


def choose_biases(dev) -> dict:
    """The none_bias maximising F_avg on the dev set, over all registers (default) and per
    register; ties go to the bias closest to 0."""
    def best(df):
        scores = [(evaluation.f_avg(df.gold, relabel(df, b)), -abs(b), b) for b in BIASES]
        return max(scores)[2]
    dev = dev.fillna({"p_favor": 0.0, "p_against": 0.0, "p_none": 1.0})
    out = {"default": best(dev)}
    for reg, g in dev.groupby("register"):
        out[reg] = best(g)
    chosen = np.concatenate([relabel(g, out[reg]) for reg, g in dev.groupby("register")])
    gold = np.concatenate([g.gold.to_numpy() for _, g in dev.groupby("register")])
    print(f"dev_ood with per-register biases: F_avg {evaluation.f_avg(gold, chosen):.3f} "
          f"(one bias: {evaluation.f_avg(dev.gold, relabel(dev, out['default'])):.3f})")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", action="append", default=[], help="KEY=VALUE override of config/stance.yaml")
    ap.add_argument("--method")
    ap.add_argument("--sets", default="dev_ood,dev,seed")
    ap.add_argument("--by", default="register", help="breakdown of dev_ood: register, lang, phenomenon, target")
    ap.add_argument("--calibrate", action="store_true",
                    help="choose none_bias per register on dev_ood (from uncalibrated probabilities)")
    args = ap.parse_args()
    settings = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    t0 = time.time()
    enc, tg = load_encoder(), mentions.load_targets()
    if args.calibrate:
        settings["none_bias"] = {"default": 0.0}
    model = stance.fit(enc, tg, method=args.method, settings=settings)
    print(f"settings {json.dumps(settings)} method {args.method or 'default'} ({time.time() - t0:.0f} s to fit or load)")
    res = evaluate(model, tg, args.sets.split(","))
    for name, df in res.items():
        f, lo, hi = evaluation.f_avg_interval(df.gold, df.label.fillna("none"), groups=df["id"])
        print(f"{name:14s} n={len(df):4d}  F_avg {f:.3f} [{lo:.3f}, {hi:.3f}]  acc {(df.gold == df.label).mean():.3f}")
    if args.calibrate and "dev_ood" in res:
        print("none_bias chosen on dev_ood:", json.dumps(choose_biases(res["dev_ood"])))
    if "dev_ood" in res:
        for by in args.by.split(","):
            print(evaluation.breakdown(res["dev_ood"].fillna({"label": "none"}), by).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
