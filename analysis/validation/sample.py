"""A coding sample for human validation: ``python -m analysis sample IN --n 200 --out DIR``.

From a report folder, a corpus-run folder or a page (analysed first), draw a stratified,
seeded sample of units x targets (stance) or of units (frames, incivility) and write:

* ``DIR/to_code.csv``: one row per item (``item_id``, where it comes from, the text with the
  target's mentions in [brackets], the sentences around it, empty coder columns). It holds
  **no model label and no probability**, and its rows are shuffled, so nothing in it (not even
  the order) hints at what the model said;
* ``DIR/key.csv``: the model's labels and probabilities per ``item_id``, kept apart for
  ``python -m analysis agreement ... --model DIR/key.csv``;
* ``DIR/codebook.csv``: the labels (or frames) and their definitions;
* ``DIR/tasks.json`` and ``DIR/labelstudio.xml``: a Label Studio import (tasks without
  predictions) and its labelling configuration (the package's ``config/labelstudio_<measure>.xml``).

Allocation is proportional to the strata sizes with at least one item per non-empty stratum
(largest remainders; ties broken by stratum order), and every draw comes from one seeded
generator over a deterministically sorted population: same input, same seed, same sample.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import ConfigError, CorpusError, OutputError
from analysis.paths import CONFIG_DIR
from analysis.resources import atomic_path, check_output_dir, load_yaml, write_table

MEASURES = ("stance", "frames", "incivility")
DEFAULT_BY = {"stance": ("part", "target", "label", "lang"), "frames": ("part", "label", "lang"),
              "incivility": ("part", "label", "lang")}
SAMPLE_FILES = ("to_code.csv", "key.csv", "codebook.csv", "tasks.json", "labelstudio.xml")
TABLES = ("units", "stance", "mentions", "frames", "incivility")
STANCE_LABELS = ("favor", "against", "none")
INCIVILITY_LABELS = ("uncivil", "civil")
# What no coder sheet may contain: the model's output (checked in tests, on columns and cells).
MODEL_COLUMNS = ("label", "p_favor", "p_against", "p_none", "frame", "uncivil", "p_uncivil", "words",
                 "obscenity", "name_calling", "slurs", "dehumanising", "holder", "evidence", "n_mentions")

STANCE_CODEBOOK = [
    ("favor", "the text supports, praises, defends or wishes well to the target (its state, government, army, "
              "people or leaders), or opposes its enemies in the target's interest"),
    ("against", "the text criticises, insults, mocks, blames or wishes harm to the target, or supports what the "
                "target opposes; sarcasm counts as its intended meaning"),
    ("none", "no evaluation of the target by the writer can be inferred: neutral reporting, questions, facts, "
             "reported views of others"),
]


def labelstudio_config(measure: str) -> Path:
    """The package's Label Studio labelling configuration for ``measure``."""
    return CONFIG_DIR / f"labelstudio_{measure}.xml"


def frame_names() -> list[str]:
    return list(load_yaml("frames.yaml")["frames"])


def coder_columns(measure: str) -> list[str]:
    """The empty columns coders fill in: ``label`` (stance, incivility) or one 0/1 column per frame."""
    return (frame_names() if measure == "frames" else ["label"]) + ["notes"]


def codebook(measure: str) -> pd.DataFrame:
    """The values coders choose from, with their definitions (data/annotations/GUIDELINES.md,
    config/frames.yaml, config/incivility.yaml)."""
    if measure == "stance":
        return pd.DataFrame(STANCE_CODEBOOK, columns=["value", "definition"])
    if measure == "frames":
        fr = load_yaml("frames.yaml")["frames"]
        return pd.DataFrame([{"value": k, "name": v["label"], "definition": v["definition"],
                              "example": v["descriptions"][1] if len(v["descriptions"]) > 1 else v["descriptions"][0]}
                             for k, v in fr.items()])
    inc = load_yaml("incivility.yaml")
    cats = [k for k, v in inc.items() if isinstance(v, dict) and "why" in v]
    why = "; ".join(f"{c.replace('_', '-')}: {inc[c]['why']}" for c in cats)
    return pd.DataFrame([{"value": "uncivil", "definition": f"the unit contains incivility ({why})"},
                         {"value": "civil", "definition": "none of these, however strong the disagreement"}])


# ----------------------------------------------------------------------------- items
def _bracket(text: str, spans) -> str:
    """``text`` with each (start, end) span in [brackets]; overlapping spans merged."""
    merged: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in spans if 0 <= int(s) < int(e) <= len(text)):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], "[", text[s:e], "]"]
        pos = e
    return "".join(out + [text[pos:]])


def _context(units: pd.DataFrame, window: int = 1) -> pd.DataFrame:
    """The sentence(s) before and after each unit within its paragraph (article) or comment."""
    u = units.reset_index(drop=True)
    block = np.where(u.part == "article", "p" + u.paragraph_no.astype(str), "c" + u.comment_no.astype(str))
    before, after = [], []
    for _, g in u.groupby([u.article, u.part, block], sort=False):
        texts = g.text.tolist()
        for i in range(len(texts)):
            before.append((g.index[i], " ".join(texts[max(0, i - window):i])))
            after.append((g.index[i], " ".join(texts[i + 1:i + 1 + window])))
    return pd.DataFrame({"context_before": dict(before), "context_after": dict(after)}).reindex(u.index)


def population(tables: dict[str, pd.DataFrame], measure: str = "stance", mentioned_only: bool = True) -> pd.DataFrame:
    """Every candidate item, sorted deterministically: for stance the unit x target rows
    (those that mention the target, by default) with the text bracketed; for frames and
    incivility the units. Model outputs are columns here; :func:`split` keeps them out of
    the coder sheet."""
    if measure not in MEASURES:
        raise ConfigError(f"--measure {measure!r}: choose one of {', '.join(MEASURES)}")
    tables = {k: (v if "article" in v else v.assign(article="")) for k, v in tables.items()}
    units = tables["units"]
    units = units.reset_index(drop=True)
    units = pd.concat([units, _context(units)], axis=1)
    keep = ["article", "unit_id", "part", "comment_no", "lang", "text", "context_before", "context_after"]
    base = units[[c for c in keep if c in units]]
    if measure == "stance":
        st = tables["stance"].drop(columns=["part", "comment_no"], errors="ignore")
        if mentioned_only:
            st = st[st.mentioned.astype(bool)]
        df = base.merge(st, on=["article", "unit_id"], how="inner")
        m = tables["mentions"]
        spans = {k: list(zip(g.start, g.end)) for k, g in m.groupby(["article", "unit_id", "target"])} if len(m) else {}
        df["text"] = [_bracket(t, spans.get((a, u, tg), ())) for a, u, tg, t in
                      zip(df.article, df.unit_id, df.target, df.text)]
    else:
        other = tables[measure].drop(columns=["part"], errors="ignore")
        df = base.merge(other, on=["article", "unit_id"], how="inner")
        df["target"] = ""
        df["label"] = df.frame if measure == "frames" else np.where(df.uncivil.astype(bool), "uncivil", "civil")
    if "lang" not in df:
        df["lang"] = ""
    order = {u: i for i, u in enumerate(units.unit_id.unique())}  # document order, not alphabetical
    df = df.assign(_o=df.unit_id.map(order)).sort_values(["article", "_o", "target"], kind="stable")
    return df.drop(columns="_o").reset_index(drop=True)


# ----------------------------------------------------------------------------- sampling
def allocate(sizes, n: int) -> np.ndarray:
    """Proportional allocation of ``n`` items over strata of ``sizes``: at least one per
    non-empty stratum, never more than a stratum holds, largest remainders first."""
    sizes = np.asarray(sizes, int)
    total = int(sizes.sum())
    if n >= total:
        return sizes.copy()
    nonempty = sizes > 0
    if n < nonempty.sum():
        raise ConfigError(f"--n {n} is smaller than the {int(nonempty.sum())} non-empty strata; "
                          "give a larger --n or fewer --by columns")
    quota = n * sizes / total
    alloc = np.where(nonempty, np.maximum(1, np.floor(quota)), 0).astype(int)
    alloc = np.minimum(alloc, sizes)
    while alloc.sum() > n:  # the minimum of one pushed the total over: take from the most over-served
        over = np.where(alloc > 1, alloc - quota, -np.inf)
        alloc[int(np.argmax(over))] -= 1
    while alloc.sum() < n:
        room = np.where(alloc < sizes, quota - alloc, -np.inf)
        alloc[int(np.argmax(room))] += 1
    return alloc


def stratified_sample(df: pd.DataFrame, n: int, by=("part",), seed: int = 0) -> pd.DataFrame:
    """``n`` rows of ``df`` stratified by the columns ``by`` (see :func:`allocate`), in a
    seeded random order; ``stratum`` names each row's stratum."""
    by = list(by)
    missing = [c for c in by if c not in df]
    if missing:
        raise ConfigError(f"--by {missing[0]!r}: not a column of the items; choose from "
                          f"{', '.join(c for c in ('part', 'target', 'label', 'lang', 'article') if c in df)}")
    if df.empty:
        return df.assign(stratum=pd.Series(dtype=str))
    keys = df[by].astype(str).agg("|".join, axis=1) if by else pd.Series("all", index=df.index)
    strata = sorted(keys.unique())
    groups = [np.flatnonzero(keys.to_numpy() == s) for s in strata]
    alloc = allocate([len(g) for g in groups], n)
    rng = np.random.default_rng(seed)
    picks = [np.sort(rng.choice(g, size=k, replace=False)) for g, k in zip(groups, alloc) if k]
    picked = np.concatenate(picks) if picks else np.array([], int)
    picked = picked[rng.permutation(len(picked))]  # the sheet's order says nothing about the strata
    return df.iloc[picked].assign(stratum=keys.iloc[picked].to_numpy()).reset_index(drop=True)


def split(sample: pd.DataFrame, measure: str = "stance") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(coder sheet, key): the sheet has the texts and empty coder columns only; the key has
    the model's labels and probabilities per ``item_id``."""
    ids = [f"{measure[0]}{i + 1:04d}" for i in range(len(sample))]
    s = sample.assign(item_id=ids)
    sheet = s[["item_id", "article", "unit_id", "part", "comment_no", "lang", "target", "context_before", "text",
               "context_after"]].copy()
    for c in coder_columns(measure):
        sheet[c] = ""
    if measure == "stance":
        model = [c for c in ("label", "p_favor", "p_against", "p_none", "holder", "evidence", "n_mentions") if c in s]
    elif measure == "frames":
        model = ["label"] + [c for c in s if c.startswith("sim_")]
    else:
        model = ["label", "p_uncivil", "words"] + [c for c in ("obscenity", "name_calling", "slurs", "dehumanising")
                                                   if c in s]
    key = s[["item_id", "article", "unit_id", "part", "lang", "target", "stratum"] + [c for c in model if c in s]]
    return sheet.reset_index(drop=True), key.reset_index(drop=True)


def tasks(sheet: pd.DataFrame) -> list[dict]:
    """Label Studio tasks (``[{"data": {...}}]``) from the coder sheet: no predictions."""
    cols = ["item_id", "article", "unit_id", "part", "lang", "target", "context_before", "text", "context_after"]
    out = []
    for r in sheet[cols].to_dict("records"):
        out.append({"data": {k: ("" if pd.isna(v) else str(v)) for k, v in r.items()}})
    return out


def check_out(out_dir, inputs=(), force: bool = False) -> Path:
    """Refuse before any work: the usual output checks, and a folder that already holds a
    sample (coders may be filling it in) unless ``force``."""
    out = check_output_dir(out_dir, inputs=inputs, files=SAMPLE_FILES)
    if not force:
        there = [f for f in SAMPLE_FILES if (out / f).exists()]
        if there:
            raise OutputError(out / there[0], "a sample is already here (coders may be filling it in); give another "
                                              "--out, or --force to replace it")
    return out


def check_options(n: int, measure: str) -> None:
    if measure not in MEASURES:
        raise ConfigError(f"--measure {measure!r}: choose one of {', '.join(MEASURES)}")
    if n < 1:
        raise ConfigError(f"--n {n}: give a positive number of items")


def write(tables: dict[str, pd.DataFrame], out_dir, n: int = 200, by=None, seed: int = 0, measure: str = "stance",
          force: bool = False, mentioned_only: bool = True, source=None) -> dict:
    """Draw the sample of ``tables`` (``units, stance, mentions, frames, incivility`` of a report
    or a corpus run) and write the files listed in the module docstring (atomically) into
    ``out_dir``. Returns a summary (counts per stratum). The command, which also reads report
    folders, corpus runs and pages, is ``analysis.pipeline.sampling.write_sample``."""
    check_options(n, measure)
    out = check_out(out_dir, inputs=[source], force=force)
    by = DEFAULT_BY[measure] if by is None else [b for b in by if b]
    if measure != "stance":
        by = [b for b in by if b != "target"]  # frames and incivility items are units, without a target
    pop = population(tables, measure, mentioned_only=mentioned_only)
    if pop.empty:
        raise CorpusError(source or "the tables", None, "no item to sample" + (" (no unit mentions a target)" if measure == "stance"
                                                                else ""))
    sample = stratified_sample(pop, n, by=by, seed=seed)
    sheet, key = split(sample, measure)
    write_table(sheet, out / "to_code.csv")
    write_table(key, out / "key.csv")
    write_table(codebook(measure), out / "codebook.csv")
    with atomic_path(out / "tasks.json") as tmp:
        tmp.write_text(json.dumps(tasks(sheet), ensure_ascii=False, indent=1), encoding="utf-8")
    with atomic_path(out / "labelstudio.xml") as tmp:
        tmp.write_bytes(labelstudio_config(measure).read_bytes())
    return {"measure": measure, "items": len(sheet), "population": len(pop), "by": list(by), "seed": seed,
            "strata": {str(k): int(v) for k, v in sample.stratum.value_counts().sort_index().items()}}


def mention_free(text: str) -> str:
    """``text`` without the brackets this module adds (for comparing with a unit's text)."""
    return re.sub(r"[\[\]]", "", text)
