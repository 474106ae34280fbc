"""One call for every measure: ``analyze(page)`` and ``python -m analysis report PAGE --out DIR``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.io import pages
from analysis.measures import address, evidentiality, frames, incivility, salience, specificity
from analysis.resources import atomic_path, write_table
from analysis.stance import classifier as stance
from analysis.stats import bootstrap_mean
from analysis.text import mentions, nlp
from analysis.text.units import units as text_units

PARTS = {"article": "article", "comments": "comment"}
REPORT_TABLES = ("units", "stance", "mentions", "salience", "evidentiality", "incivility", "frames", "address",
                 "specificity")


@dataclass
class Analysis:
    """Every table of one page, tidy, plus the summary the report writes."""

    page: pages.Page
    units: pd.DataFrame
    stance: pd.DataFrame  # unit x target
    mentions: pd.DataFrame  # one row per scored mention
    salience: pd.DataFrame  # unit x target (all entities)
    evidentiality: pd.DataFrame
    incivility: pd.DataFrame
    frames: pd.DataFrame
    address: pd.DataFrame
    specificity: pd.DataFrame
    summary: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {k: getattr(self, k) for k in ("units", "stance", "mentions", "salience", "evidentiality",
                                               "incivility", "frames", "address", "specificity")}

    def holder_network(self):
        return stance.holder_network(self.mentions)

    def interaction_graph(self):
        return address.interaction_graph(self.page, self.mentions)


def analyze(page, model: str | None = None, targets=None, encoding: str | None = None,
            progress: bool | None = None) -> Analysis:
    """Run every measure on a page (a ``Page`` or a path to a raw dump or JSON article).

    ``model``: hub id or local path of the transformer (default: bundled multilingual-e5-small);
    ``targets``: stance target names (default: the four of targets.yaml); ``progress``: a bar
    naming the step under way (default: when stderr is a terminal, see ``resources.progress_enabled``).
    """
    from tqdm.auto import tqdm

    from analysis.resources import progress_enabled
    from analysis.stance.encoder import load_encoder

    if not isinstance(page, pages.Page):
        page = pages.load_page(page, encoding=encoding)
    bar = tqdm(total=7, desc="report", unit="step", disable=not progress_enabled(progress))

    def step(name):
        bar.set_postfix_str(name)
        return name

    try:
        step("loading the model")
        enc = load_encoder(model)
        tg = mentions.load_targets(names=targets)
        model_ = stance.load_model(model)
        bar.update()
        step("sentences")
        units = text_units(page, progress=progress)
        docs = _docs(units.text.tolist(), progress)
        bar.update()
        step("stance")
        unit_stance, mention_scores = stance.score_units(units, page, model_, tg, docs)
        bar.update()
        step("salience, evidentiality, address, specificity")
        counts = specificity.lemma_counts(units, docs)
        tables = {"salience": salience.mention_table(units, docs),
                  "evidentiality": evidentiality.evidentiality(units, docs),
                  "address": address.address(units, docs), "specificity": specificity.specificity(counts)}
        bar.update()
        step("incivility")
        tables["incivility"] = incivility.incivility(units, enc)
        bar.update()
        step("frames")
        tables["frames"] = frames.frames(units, enc)
        bar.update()
        step("summary")
        a = Analysis(page=page, units=units, stance=unit_stance, mentions=mention_scores, **tables)
        a.summary = summarize(a, model or "multilingual-e5-small (bundled)")
        bar.update()
    finally:
        bar.close()
    return a


def _docs(texts: list[str], progress, batch: int = 2048):
    """``nlp.docs`` with a bar for long pages; batches are multiples of spaCy's own (64), so
    the parser sees the same minibatches as in one call."""
    if len(texts) <= batch:
        return nlp.docs(texts)
    from tqdm.auto import tqdm

    from analysis.resources import progress_enabled

    docs = []
    with tqdm(total=len(texts), desc="parsing units", unit="unit", disable=not progress_enabled(progress)) as bar:
        for a in range(0, len(texts), batch):
            docs += nlp.docs(texts[a:a + batch])
            bar.update(min(batch, len(texts) - a))
    return docs


def _num(x):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 4)


def summarize(a: Analysis, model_name: str) -> dict:
    """The report's summary.json: per side, salience, stance, evidential and incivility rates, frames."""
    sal = salience.salience(a.salience).set_index("target")
    agg = stance.aggregate(a.stance, by=("part", "target"))
    shares = frames.frame_shares(a.frames)
    out = {"page": {"source": a.page.source, "title": a.page.title, "date": a.page.date, "place": a.page.place,
                    "paragraphs": len(a.page.paragraphs), "comments": len(a.page.comments)},
           "model": model_name, "stance_held_by": "author (attributed stances are in mentions.parquet)"}
    for side, part in PARTS.items():
        units = a.units[a.units.part == part]
        st = {}
        for t in a.stance.target.unique():
            row = agg[(agg.part == part) & (agg.target == t)]
            if len(row):
                r = row.iloc[0]
                st[t] = {"favor": int(r.favor), "against": int(r.against), "none": int(r.none),
                         "mean": _num(r["mean"]), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high)}
            else:
                st[t] = {"favor": 0, "against": 0, "none": 0, "mean": None, "ci_low": None, "ci_high": None}
        ev = a.evidentiality[a.evidentiality.part == part]
        inc = a.incivility[a.incivility.part == part]
        fr = shares[shares.part == part].set_index("frame").share
        out[side] = {
            "units": len(units),
            "salience": {t: _num(sal.loc[t, part]) for t in sal.index},
            "only_here": [t for t in sal.index if sal.loc[t, "only_in"] == part],
            "stance": st,
            "evidential_rate": _num(ev.evidential.mean()) if len(ev) else None,
            "certainty_rate": _num(ev.certain.mean()) if len(ev) else None,
            "incivility_rate": _num(inc.uncivil.mean()) if len(inc) else None,
            "incivility_transformer": _num(inc.p_uncivil.mean()) if len(inc) else None,
            "frames": {f: _num(s) for f, s in fr.items()},
        }
    return out


def side_rates(a: Analysis, seed: int = 0) -> pd.DataFrame:
    """Evidential, certain and uncivil shares per part with bootstrap 95% intervals (tidy)."""
    measures = {"evidential": a.evidentiality.set_index("unit_id").evidential,
                "certain": a.evidentiality.set_index("unit_id").certain,
                "uncivil (lexicon)": a.incivility.set_index("unit_id").uncivil,
                "uncivil (transformer)": a.incivility.set_index("unit_id").p_uncivil}
    parts = a.units.set_index("unit_id").part
    rows = []
    for name, series in measures.items():
        for part in ("article", "comment"):
            vals = series[parts[parts == part].index].astype(float)
            mean, lo, hi = bootstrap_mean(vals, seed=seed)
            rows.append({"measure": name, "part": part, "rate": mean, "ci_low": lo, "ci_high": hi, "n": len(vals)})
    return pd.DataFrame(rows)


def write_report(page, out_dir, model: str | None = None, encoding: str | None = None, html: bool = False) -> Path:
    """Write every table as Parquet and CSV plus ``summary.json`` into ``out_dir``; with
    ``html``, also the self-contained ``report.html`` (``html_report``).

    The output folder is checked before any work (a file, under a file, not writable, or an
    output that would overwrite the page: one-line :class:`analysis.errors.OutputError`)."""
    from analysis.resources import check_output_dir

    names = [f"{t}.{ext}" for t in REPORT_TABLES for ext in ("parquet", "csv")] + ["summary.json"]
    check_output_dir(out_dir, inputs=[page.source if isinstance(page, pages.Page) else page],
                     files=names + (["report.html"] if html else []))
    a = analyze(page, model=model, encoding=encoding)
    out = Path(out_dir)
    for name, df in a.tables().items():
        write_table(df, out / f"{name}.parquet")
        write_table(df, out / f"{name}.csv")
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(a.summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if html:
        from analysis.pipeline import html_report

        html_report.write(a, out / "report.html", model=model)
    return out
