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
# # 3. Framing: how the article and its readers talk
#
# Salience of each state, frames (a codebook adapted from the Policy Frames Codebook,
# `analysis/config/frames.yaml`), evidentiality vs certainty, incivility, address and the
# commenters' interaction graph, and the words that set the comments apart.

# %% tags=["parameters"]
PAGE = "../data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt"
MODEL = None
FIGURES = "../figures"
SEED_PAGE = "../data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt"  # the page the coders coded
SEED_CODED = "../data/annotations/second_pass/coded"

# %%
import pandas as pd

from analysis import analyze
from analysis.measures import frames, salience
from analysis.pipeline import report
from analysis.viz import plots

a = analyze(PAGE, model=MODEL)
source = f"Source: {a.page.page_id} ({a.page.date})"
n_art, n_com = (a.units.part == "article").sum(), (a.units.part == "comment").sum()
sizes = f"n = {n_art} article and {n_com} comment sentences"


# %% [markdown]
# How far frames and incivility can be trusted: two coders coded the seed page's sentences for
# both (`data/annotations/second_pass/`, 04_validation has the details); the captions below
# quote their agreement and the model's score against their consensus, on the seed page only.

# %%
from pathlib import Path

from analysis.validation import agreement

seed_analysis = a if Path(PAGE).resolve() == Path(SEED_PAGE).resolve() else analyze(SEED_PAGE, model=MODEL)


def validation_note(measure, key):
    """'validated on the seed page: alpha a (2 coders), model <metric> m' from the coded files."""
    coders = agreement.read_coders([f"{SEED_CODED}/seed_{measure}/coder{k}.csv" for k in (2, 3)], measure)
    alpha = agreement.alpha_table(coders, n_boot=200).iloc[0].alpha
    cons, _ = agreement.consensus(coders)
    scores, _ = agreement.model_scores(cons, key[key.item_id.isin(cons.item_id)], measure, n_boot=200)
    s = scores[scores.metric == "f1"].set_index("value").score
    got = f"F1 per frame {s.min():.2f}–{s.max():.2f}" if measure == "frames" else f"F1 of uncivil {s['uncivil']:.2f}"
    return f"validated on the seed page: α {alpha:.2f} between 2 coders, model {got} against their consensus"


frames_note = validation_note("frames", pd.DataFrame({"item_id": seed_analysis.frames.unit_id,
                                                      "label": seed_analysis.frames.frame}))
incivility_note = validation_note("incivility", pd.DataFrame({
    "item_id": seed_analysis.incivility.unit_id,
    "label": seed_analysis.incivility.uncivil.map({True: "uncivil", False: "civil"})}))
print(frames_note, incivility_note, sep="\n")

# %% [markdown]
# ## Salience: who brings whom into the discussion

# %%
sal = salience.salience(a.salience)
sal

# %%
only_comments = sal[sal.only_in == "comment"].target.tolist()
tidy = sal.melt(id_vars=["target", "only_in"], value_vars=["article", "comment"], var_name="part", value_name="share")
fig = plots.part_bars(tidy, "target", "share",
                      f"Only the comments bring in {', '.join(only_comments)}" if only_comments
                      else "Targets named by article and comments",
                      f"{source} · share of sentences naming each state · {sizes}")
plots.save(fig, "salience", FIGURES)
fig

# %% [markdown]
# ## Frames

# %%
shares = frames.frame_shares(a.frames)
book = frames.codebook()["frames"]
shares = shares.assign(frame=shares.frame.map(lambda f: book.get(f, {}).get("label", f)))
top = shares.sort_values("share").groupby("part").tail(1).set_index("part").frame
fig = plots.part_bars(shares, "frame", "share",
                      f"The article frames alliances (“{top['article']}”); comments turn to “{top['comment']}”",
                      f"{source} · zero-shot frames (multilingual-e5 vs codebook descriptions; {frames_note}) · {sizes}")
plots.save(fig, "frames", FIGURES)
fig

# %% [markdown]
# ## Evidentiality and incivility

# %%
rates = report.side_rates(a)
rates.round(3)

# %%
r = rates.set_index(["measure", "part"]).rate
fig = plots.rates_with_intervals(
    rates, f"The article attributes and hedges ({r['evidential', 'article']:.0%} of sentences); "
           f"comments insult ({r['uncivil (lexicon)', 'comment']:.0%})",
    f"{source} · evidential: attributed, reported, conditional or quoted · certain: assertive markers · "
    f"uncivil: lexicon hit / mean transformer P ({incivility_note}) · evidentiality not validated · "
    f"bars: bootstrap 95% CI · {sizes}")
plots.save(fig, "evidentiality_incivility", FIGURES)
fig

# %%
a.evidentiality[a.evidentiality.cues != ""][["unit_id", "part", "cues"]]

# %%
a.incivility[a.incivility.words != ""][["unit_id", "words", "p_uncivil"]]

# %% [markdown]
# ## Address: we, you, @name — and who answers whom

# %%
a.address.groupby("part")[["first_plural", "second_person", "at_mentions"]].sum()

# %%
g = a.interaction_graph()
pd.DataFrame([{"from": u, "to": v, **d} for u, v, d in g.edges(data=True)])

# %%
replies = [d for _, _, d in g.edges(data=True) if d["kind"] in ("reply", "at_mention") and "stance" in d]
title = (f"{len({u for u, _, d in g.edges(data=True) if d['kind'] == 'reply'})} of {len(a.page.comments)} comments "
         f"answer another commenter" + (f", with stance {replies[0]['stance']:+.2f} toward {replies[0]['target']}"
                                        if replies else ""))
fig = plots.network(g, title,
                    f"{source} · comments -> the comment they answer (reply rule in analysis/io/pages.py), "
                    "the article, or an @name · edge colour: stance toward the addressee")
plots.save(fig, "interaction_graph", FIGURES)
fig

# %% [markdown]
# ## Lexical specificity of the comments (Lafon)

# %%
a.specificity.head(15)

# %%
spec = a.specificity
over = ", ".join(f"“{w}”" for w in spec[spec.specificity >= 2].lemma.head(3))
under = ", ".join(f"“{w}”" for w in spec[spec.specificity <= -2].lemma.tail(3)[::-1])
title = (f"Comments over-use {over}" if over else "No word is significantly over-used in the comments (p ≤ .01)")
title += f"; they avoid the article's {under}" if under else ""
fig = plots.specificity_chart(spec, title,
                              f"{source} · lemmas with frequency >= 2 · dashed: |specificity| = 2 (p = .01)")
plots.save(fig, "specificity", FIGURES)
fig
