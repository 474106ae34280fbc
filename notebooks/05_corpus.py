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
# # 5. A corpus of articles
#
# The same measures over many articles (`python -m analysis corpus IN --out DIR`): each article
# is analysed once and written as Parquet partitions, so reruns skip what is done. Point
# `CORPUS` at a folder of `.txt`/`.json` articles or a CSV/Parquet table. **By default this
# notebook builds a small synthetic corpus** (random sentences of the project's own annotation
# files, see `analysis/io/synthetic.py`) only to show the mechanics: its numbers mean nothing.

# %% tags=["parameters"]
CORPUS = None  # folder or table; None: a synthetic demo corpus
OUT = "../data/processed/corpus"
N_SYNTHETIC = 60
WORKERS = 1  # > 1: a local Dask cluster; or set SCHEDULER to an existing one
SCHEDULER = None
MODEL = None
FIGURES = "../figures"

# %%
import shutil
from pathlib import Path

from analysis import stance
from analysis.io.synthetic import synthetic_corpus
from analysis.pipeline import batch
from analysis.viz import plots

synthetic = CORPUS is None
if synthetic:  # the demo is rebuilt from scratch in folders of its own, never mixed with a real corpus
    CORPUS = Path(OUT).with_name("synthetic_corpus")
    OUT = Path(OUT).with_name("synthetic_corpus_results")
    shutil.rmtree(OUT, ignore_errors=True)
    synthetic_corpus(CORPUS, n_comments=N_SYNTHETIC, per_article=20, seed=0)
summary = batch.run(CORPUS, OUT, model=MODEL, workers=WORKERS, scheduler=SCHEDULER)
label = "SYNTHETIC demo corpus (random sentences)" if synthetic else f"Corpus {CORPUS}"
summary["articles"], summary["units"]

# %%
st = batch.read(OUT, "stance")
agg = stance.aggregate(st, by=("part", "target"))
agg

# %%
targets = list(st.target.unique())
com = agg[agg.part == "comment"].set_index("target")["mean"]
fig = plots.stance_bars(agg, targets,
                        ("[synthetic] " if synthetic else "") + f"Across {summary['articles']} articles, comments lean most "
                        f"against {com.idxmin()} ({com.min():+.2f})",
                        f"{label} · {summary['units']} units · author-held stances · bars: bootstrap 95% CI")
plots.save(fig, "corpus_stance", FIGURES)
fig

# %%
per_article = stance.aggregate(st, by=("article", "part", "target"))
spread = per_article[per_article.part == "comment"].groupby("target")["mean"].std()
fig = plots.per_article(per_article, targets,
                        ("[synthetic] " if synthetic else "") + f"Articles differ most on {spread.idxmax()} "
                        f"(s.d. {spread.max():.2f} across articles' comments)",
                        f"{label} · one dot per article and part")
plots.save(fig, "corpus_per_article", FIGURES)
fig
