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
# # 1. The corpus: one news page and its comments
#
# What the parser made of the page: header, headline, paragraphs, comments, and every line
# it set aside as page furniture. Change `PAGE` to analyse another article (raw text dump,
# JSON or a saved .html page, see the README).

# %% tags=["parameters"]
PAGE = "../data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt"
FIGURES = "../figures"

# %%
import pandas as pd

from analysis.io.pages import load_page
from analysis.text.units import units as text_units
from analysis.viz import plots

page = load_page(PAGE)
units = text_units(page)
pd.Series({"title": page.title, "kicker": page.kicker, "date": page.date, "place": page.place,
           "paragraphs": len(page.paragraphs), "comments": len(page.comments), "units": len(units)})

# %% [markdown]
# ## Page furniture
# Lines that are neither headline, body nor comment are kept here, never dropped.

# %%
pd.DataFrame([vars(f) for f in page.furniture])

# %% [markdown]
# ## Comments, their @mentions and the comment each one most likely answers

# %%
pd.DataFrame([{"comment": c.number, "first line": c.text.split("\n")[0][:80], "lines": len(c.segments),
               "@mentions": ", ".join(c.mentions), "answers": c.reply_to, "how": c.reply_basis}
              for c in page.comments])

# %% [markdown]
# ## Units (sentences) by part and language

# %%
units.groupby(["part", "lang"]).size().unstack(fill_value=0)

# %%
lengths = units.assign(words=units.text.str.split().str.len())
lengths.groupby("part").words.describe().astype({"count": int})

# %%
med = lengths.groupby("part").words.median()
fig = plots.lengths_by_part(
    units, f"Comment sentences are shorter: median {med['comment']:.0f} words vs {med['article']:.0f} in the article",
    f"Source: {page.page_id} · n = {len(units)} sentences ({(units.part == 'article').sum()} article, "
    f"{(units.part == 'comment').sum()} comments)")
plots.save(fig, "corpus_sentence_lengths", FIGURES)
fig
