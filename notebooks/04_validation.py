# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Validation of the stance model
#
# Three evaluation sets, all annotated by the developers (one pass, no agreement measured;
# see `data/annotations/GUIDELINES.md`):
# - the seed page, every sentence x target (`seed_gold.csv`);
# - a dev set of 100 comment-style texts (`stance_dev.csv`), **used to choose the model's
#   settings** (`analysis/config/stance.yaml`), so its score is optimistic;
# - a test set of 50 comment-style texts (`stance_test.csv`), written before any model saw
#   it and never used to choose anything; it has been scored five times as the project went
#   (see the README), so it is held out from training and selection, not unseen.
#
# The model is trained on `stance_train.csv` only. The measure is SemEval-2016 Task 6's
# F_avg = (F1_favor + F1_against) / 2.

# %% tags=["parameters"]
PAGE = "../data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt"
GOLD = "../data/annotations/seed_gold.csv"
DEV = "../data/annotations/stance_dev.csv"
TEST = "../data/annotations/stance_test.csv"
MODEL = None
OTHER_MODELS = []  # e.g. ["intfloat/multilingual-e5-base"] where it is in the local cache
FIGURES = "../figures"

# %%
import pandas as pd
from IPython.display import display

from analysis import analyze, evaluation, plots, stance

a = analyze(PAGE, model=MODEL)
gold = pd.read_csv(GOLD, keep_default_na=False)
seed = gold.rename(columns={"label": "gold", "holder": "gold_holder"}).merge(a.stance, on=["unit_id", "target"])
dev = pd.read_csv(DEV, keep_default_na=False)
dev_pred = dev.rename(columns={"label": "gold"}).merge(
    stance.stance_table(dev.id, dev.text, MODEL), on=["id", "target"])
test = pd.read_csv(TEST, keep_default_na=False)
test_pred = test.rename(columns={"label": "gold"}).merge(
    stance.stance_table(test.id, test.text, MODEL), on=["id", "target"])
sets = [("seed page", seed), ("dev set (model selection)", dev_pred), ("test set (held out)", test_pred)]
results = pd.DataFrame({name: evaluation.report(df) for name, df in sets}).T
results[["n", "f_avg", "accuracy"]]

# %%
pd.DataFrame({name: {t: v["f_avg"] for t, v in evaluation.report(df)["per_target"].items()}
              for name, df in sets}).round(3)

# %%
cm = evaluation.confusion(test_pred.gold, test_pred.label)
f = evaluation.f_avg(test_pred.gold, test_pred.label)
fig = plots.confusion_matrix(cm, f"Held-out test set: F_avg = {f:.2f}",
                             f"Own test set (developer-written, {len(test_pred)} texts, unseen in development) · "
                             f"rows: gold")
plots.save(fig, "validation_confusion_test", FIGURES)
fig

# %%
cm = evaluation.confusion(seed.gold, seed.label)
f = evaluation.f_avg(seed.gold, seed.label)
missed = int(((seed.gold != "none") & ~seed.mentioned).sum())
fig = plots.confusion_matrix(cm, f"Seed page: F_avg = {f:.2f}",
                             f"{a.page.page_id} · {len(seed)} unit x target pairs · "
                             f"{missed} gold stances toward unnamed targets")
plots.save(fig, "validation_confusion", FIGURES)
fig

# %% [markdown]
# ## Calibration (dev set)

# %%
both = pd.concat([dev_pred, test_pred])
cal = evaluation.calibration(both)
fig = plots.calibration_plot(cal, "Confidence vs accuracy, dev and test sets",
                             f"Own dev and test sets · {len(both)} texts · 5 bins")
plots.save(fig, "validation_calibration", FIGURES)
display(fig)
cal

# %% [markdown]
# ## Errors, with their text

# %%
errors = seed[seed.gold != seed.label]
errors[["unit_id", "target", "gold", "label", "p_favor", "p_against", "mentioned", "evidence"]]

# %%
test_pred[test_pred.gold != test_pred.label][["id", "target", "gold", "label", "text"]]

# %% [markdown]
# ## Sensitivity of the conclusions to the method
# The article-vs-comments stance with the fine-tuned encoder (the default), the logistic head
# on frozen embeddings, the prototype method, and any other model available offline (a model
# named in `OTHER_MODELS` is fine-tuned once, a few minutes on CPU, then cached).

# %%
rows = []
for label, model, method in [("fine-tuned (default)", MODEL, None), ("logistic head", MODEL, "head"),
                             ("prototypes", MODEL, "prototype")] + [
        (m, m, None) for m in OTHER_MODELS]:
    unit_scores, _ = stance.score_units(a.units, a.page, stance.load_model(model, method))
    agg = stance.aggregate(unit_scores)
    dev_m = dev.rename(columns={"label": "gold"}).merge(
        stance.stance_table(dev.id, dev.text, model, method=method), on=["id", "target"])
    for _, r in agg.iterrows():
        rows.append({"method": label, "part": r.part, "target": r.target, "mean": r["mean"],
                     "dev F_avg": evaluation.f_avg(dev_m.gold, dev_m.label)})
sens = pd.DataFrame(rows)
sens.pivot_table(index=["part", "target"], columns="method", values="mean").round(2)

# %%
sens.groupby("method")["dev F_avg"].first().round(3)
