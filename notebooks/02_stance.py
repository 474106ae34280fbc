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
# # 2. Stance toward France, Russia, Morocco and Algeria
#
# Each mention of a target is scored on its clause by the stance model (multilingual-e5
# fine-tuned on our training set to read "target: clause with the [mention]", blended with a
# logistic regression on frozen embeddings + lexical cues; see `analysis/stance/classifier.py`). Units aggregate
# their mentions; article and comments aggregate their units, with seeded bootstrap 95%
# intervals. **Aggregates use author-held stances only**: what the article attributes to
# its sources goes to the holder -> target network below.

# %% tags=["parameters"]
PAGE = "../data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt"
MODEL = None  # None: bundled multilingual-e5-small; or a hub id / local path
TARGETS = None  # None: France, Russia, Morocco, Algeria (analysis/config/targets.yaml)
FIGURES = "../figures"

# %%

from analysis import analyze, stance
from analysis.viz import plots, reading

a = analyze(PAGE, model=MODEL, targets=TARGETS)
targets = list(a.stance.target.unique())
source = f"Source: {a.page.page_id} ({a.page.date})"
agg = stance.aggregate(a.stance, by=("part", "target"))
agg

# %% [markdown]
# ## Reading view
# The page as text: every mention of a target underlined by its stance (blue favour, orange
# against, grey none) and labelled with the target, P(favour) P(against) P(none) and who holds
# the stance. `reading.show(a, "comment 4", "Morocco")` narrows it; any page works.

# %%
reading.show(a)

# %% [markdown]
# Pick a part of the page and a target: its units with their stance, and every mention with
# the clause the model read (the evidence).

# %%
reading.explorer(a)

# %% [markdown]
# ## Article vs comments

# %%
com = agg[agg.part == "comment"].set_index("target")
art = agg[agg.part == "article"].set_index("target")
worst = com["mean"].idxmin()
silent = [t for t in targets if t not in art.index or art.loc[t, "n"] == 0]  # no author-held stance
named = set(a.mentions[a.mentions.part == "article"].target)
never = [t for t in silent if t not in named]
reported = [t for t in silent if t in named]
title = (f"Comments are most hostile to {worst} ({com.loc[worst, 'mean']:+.2f})"
         + (f"; the article never names {', '.join(never)}" if never else "")
         + (f"; it names {', '.join(reported)} only in others' words" if reported else ""))
fig = plots.stance_bars(agg, targets, title,
                        f"{source} · author-held stances · n = units mentioning the target · bars: bootstrap 95% CI")
plots.save(fig, "stance_article_vs_comments", FIGURES)
fig

# %% [markdown]
# ## Unit x target heatmap

# %%
n_mentioned = int(a.stance.mentioned.sum())
strength = a.stance[a.stance.mentioned].assign(s=lambda d: (d.p_favor - d.p_against).abs()).groupby("part").s.mean()
fig = plots.stance_heatmap(a.stance, f"Stance is stronger in the comments: mean |score| {strength.get('comment', 0):.2f} "
                                     f"vs {strength.get('article', 0):.2f} in the article",
                           f"{source} · {a.stance.unit_id.nunique()} units x {len(targets)} targets · "
                           f"{n_mentioned} unit-target pairs with a mention · blank: not mentioned")
plots.save(fig, "stance_heatmap", FIGURES)
fig

# %% [markdown]
# ## Per comment, with intervals

# %%
per_comment = stance.aggregate(a.stance[a.stance.part == "comment"], by=("comment_no", "target"))
per_comment.pivot(index="comment_no", columns="target", values="mean").round(2)

# %% [markdown]
# ## Author-held vs attributed stances, and the holder -> target network

# %%
held = a.mentions.assign(held_by=a.mentions.holder.where(a.mentions.holder == "author", "attributed"),
                         score=a.mentions.p_favor - a.mentions.p_against)
held.groupby(["part", "held_by", "target"]).score.agg(["size", "mean"]).round(2).rename(
    columns={"size": "mentions", "mean": "mean stance"})

# %%
attributed = a.mentions[a.mentions.holder != "author"]
attributed[["unit_id", "target", "holder", "holder_target", "label", "context"]]

# %%
graph = stance.holder_network(a.mentions[a.mentions.part == "article"])
n_attr = int((a.mentions[a.mentions.part == "article"].holder != "author").sum())
n_art = int((a.mentions.part == "article").sum())
fig = plots.network(graph, f"{n_attr} of the article's {n_art} target mentions sit in attributed speech",
                    f"{source} · article mentions only · edge: mean P(favour) − P(against), width: mentions",
                    right=targets)
plots.save(fig, "holder_network", FIGURES)
fig
