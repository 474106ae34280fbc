"""Agreement between coders, and of the model with their consensus:
``python -m analysis agreement CODER1 CODER2 [...] [--model DIR/key.csv] --out DIR``.

Coder files are the sample's ``to_code.csv`` filled in (``label`` column, or one 0/1 column
per frame) or Label Studio JSON exports (a list of tasks, each with ``data.item_id`` and
``annotations[].result[].value.choices``; one coder per ``completed_by``). Krippendorff's
alpha (nominal) comes from the ``krippendorff`` package; its 95% intervals from a seeded
bootstrap over items. Notebook entry points: :func:`read_coders`, :func:`alpha_table`,
:func:`pairwise`, :func:`consensus`, :func:`model_scores`.
"""
from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

from analysis.errors import ConfigError, CorpusError
from analysis.resources import atomic_path, check_output_dir, write_table
from analysis.validation import evaluation
from analysis.validation.sample import INCIVILITY_LABELS, MEASURES, STANCE_LABELS, frame_names

AGREEMENT_FILES = ("alpha.csv", "pairwise.csv", "consensus.csv", "adjudication.csv", "model_scores.csv",
                   "model_confusion.csv", "summary.json", "agreement.md")
TRUE_VALUES, FALSE_VALUES = {"1", "x", "yes", "y", "true", "oui"}, {"0", "no", "n", "false", "non"}


def labels_for(measure: str) -> tuple[str, ...]:
    return {"stance": STANCE_LABELS, "incivility": INCIVILITY_LABELS, "frames": ("0", "1")}[measure]


# ----------------------------------------------------------------------------- reading coder files
def _check_label(path, line, item, value, measure):
    allowed = labels_for(measure)
    if value not in allowed:
        raise CorpusError(path, line, f"item {item}: unknown label {value!r}; use one of {', '.join(allowed)}")


def _read_csv(path: Path, measure: str, name: str) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise CorpusError(path, None, f"not a readable CSV coder file ({err.__class__.__name__})") from None
    if "item_id" not in df:
        raise CorpusError(path, 1, "no item_id column; fill in the sample's to_code.csv (or give a Label Studio "
                                   "JSON export)")
    frames = frame_names()
    if measure == "frames":
        missing = [f for f in frames if f not in df]
        if missing:
            raise CorpusError(path, 1, f"no column {missing[0]!r}: a frames coder file has one 0/1 column per frame")
    elif "label" not in df:
        raise CorpusError(path, 1, "no label column")
    rows, seen = [], {}
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2  # the header is line 1
        item = r["item_id"].strip()
        if not item:
            raise CorpusError(path, line, "empty item_id")
        if item in seen:
            raise CorpusError(path, line, f"duplicate item {item} (also on line {seen[item]})")
        seen[item] = line
        out = {"item_id": item, "target": r.get("target", "").strip(), "_line": line}
        if measure == "frames":
            cells = {f: r[f].strip().lower() for f in frames}
            if not any(cells.values()):
                out.update({f: np.nan for f in frames})  # not coded
            else:
                for f, v in cells.items():
                    if v and v not in TRUE_VALUES | FALSE_VALUES:
                        raise CorpusError(path, line, f"item {item}: unknown value {r[f]!r} in column {f}; "
                                                      "use 1 (the frame applies) or 0 / empty")
                    out[f] = "1" if v in TRUE_VALUES else "0"
        else:
            v = r["label"].strip().lower()
            if v:
                _check_label(path, line, item, v, measure)
            out["label"] = v or np.nan
        rows.append(out)
    return pd.DataFrame(rows).assign(coder=name, _file=str(path))


def _completed_by(ann) -> str:
    who = ann.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return str(who) if who is not None else "unknown"


def _read_labelstudio(path: Path, measure: str, name: str) -> list[pd.DataFrame]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(path, None, f"cannot read ({err.__class__.__name__})") from None
    except json.JSONDecodeError as err:
        raise CorpusError(path, err.lineno, f"not valid JSON ({err.msg})") from None
    if not isinstance(data, list):
        raise CorpusError(path, None, "not a Label Studio JSON export (a list of tasks)")
    frames = frame_names()
    per_coder: dict[str, list[dict]] = {}
    seen: dict[tuple[str, str], int] = {}
    for t_no, task in enumerate(data, 1):
        where = f"task {t_no}"
        item = str((task.get("data") or {}).get("item_id", "")).strip() if isinstance(task, dict) else ""
        if not item:
            raise CorpusError(path, None, f"{where}: no data.item_id (import the sample's tasks.json)")
        target = str(task["data"].get("target", "") or "")
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                continue
            coder = _completed_by(ann)
            if (coder, item) in seen:
                raise CorpusError(path, None, f"{where}: duplicate item {item} for coder {coder} "
                                              f"(also in task {seen[coder, item]})")
            seen[coder, item] = t_no
            choices = [c for res in ann.get("result") or [] if res.get("type", "choices") == "choices"
                       for c in (res.get("value") or {}).get("choices", [])]
            out = {"item_id": item, "target": target, "_line": None}
            if measure == "frames":
                unknown = [c for c in choices if c not in frames]
                if unknown:
                    raise CorpusError(path, None, f"{where}: item {item}: unknown frame {unknown[0]!r}")
                out.update({f: "1" if f in choices else "0" for f in frames})
            else:
                if len(choices) > 1:
                    raise CorpusError(path, None, f"{where}: item {item}: {len(choices)} labels, expected one")
                v = choices[0].strip().lower() if choices else ""
                if v and v not in labels_for(measure):
                    raise CorpusError(path, None, f"{where}: item {item}: unknown label {choices[0]!r}; use one of "
                                                  f"{', '.join(labels_for(measure))}")
                out["label"] = v or np.nan
            per_coder.setdefault(coder, []).append(out)
    if not per_coder:
        raise CorpusError(path, None, "no annotation in this export")
    return [pd.DataFrame(rows).assign(coder=f"{name}:{c}" if len(per_coder) > 1 else name, _file=str(path))
            for c, rows in per_coder.items()]


def read_coders(paths, measure: str = "stance", allow_missing: bool = False) -> list[pd.DataFrame]:
    """One table per coder (``item_id, target, label`` or ``item_id, target, <frame>...``, plus
    ``coder``): CSV files are one coder each (named by file), a Label Studio export one per
    ``completed_by``. Every coder must have coded every item unless ``allow_missing``."""
    if measure not in MEASURES:
        raise ConfigError(f"--measure {measure!r}: choose one of {', '.join(MEASURES)}")
    coders = []
    for p in paths:
        p = Path(p)
        if not p.is_file():
            raise CorpusError(p, None, "no such coder file")
        if p.suffix.lower() == ".json":
            coders += _read_labelstudio(p, measure, p.stem)
        else:
            coders.append(_read_csv(p, measure, p.stem))
    names = [c.coder.iloc[0] if len(c) else "" for c in coders]
    for i, n in enumerate(names):  # two files of the same name in different folders
        if names.count(n) > 1:
            coders[i] = coders[i].assign(coder=f"{n}#{i + 1}")
    if len(coders) < 2:
        raise ConfigError("agreement needs at least two coders (two coder files, or an export with two annotators)")
    value_cols = frame_names() if measure == "frames" else ["label"]
    all_items = sorted(set().union(*(set(c.item_id) for c in coders)))
    if not allow_missing:
        for c in coders:
            f = c._file.iloc[0]
            lacking = sorted(set(all_items) - set(c.item_id))
            if lacking:
                raise CorpusError(f, None, f"coder {c.coder.iloc[0]}: missing item {lacking[0]} (coded by another "
                                           f"coder; {len(lacking)} missing in all); --allow-missing to accept gaps")
            empty = c[c[value_cols].isna().all(axis=1)]
            if len(empty):
                r = empty.iloc[0]
                raise CorpusError(f, None if pd.isna(r._line) else int(r._line),
                                  f"item {r.item_id} has no label (coder {c.coder.iloc[0]}); --allow-missing to "
                                  "accept gaps")
    return [c.drop(columns=["_line", "_file"]) for c in coders]


# ----------------------------------------------------------------------------- alpha
def reliability_matrix(coders: list[pd.DataFrame], column: str = "label", items=None) -> tuple[np.ndarray, list]:
    """Coders x items matrix of value codes (NaN: not coded) and the item ids (columns)."""
    items = sorted(set().union(*(set(c.item_id) for c in coders))) if items is None else list(items)
    values = sorted({v for c in coders for v in c[column].dropna()})
    code = {v: i for i, v in enumerate(values)}
    m = np.full((len(coders), len(items)), np.nan)
    pos = {it: j for j, it in enumerate(items)}
    for i, c in enumerate(coders):
        for it, v in zip(c.item_id, c[column]):
            if it in pos and not pd.isna(v):
                m[i, pos[it]] = code[v]
    return m, items


def alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha, nominal, of a coders x items code matrix (``krippendorff.alpha``);
    NaN when it is undefined (fewer than two values in the data, or no item coded twice)."""
    m = np.asarray(matrix, float)
    pairable = (np.isfinite(m).sum(0) >= 2)
    if pairable.sum() == 0 or len(np.unique(m[:, pairable][np.isfinite(m[:, pairable])])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"))


def alpha_interval(matrix: np.ndarray, n_boot: int = 1000, seed: int = 0, groups=None) -> tuple[float, float, float]:
    """Alpha with a seeded percentile bootstrap 95% interval over items (columns); columns with
    the same ``groups`` key (the frames of one item) are resampled together."""
    m = np.asarray(matrix, float)
    point = alpha(m)
    if m.shape[1] == 0 or np.isnan(point):
        return point, float("nan"), float("nan")
    keys = np.arange(m.shape[1]) if groups is None else np.asarray(groups)
    uniq, inv = np.unique(keys, return_inverse=True)
    members = [np.flatnonzero(inv == k) for k in range(len(uniq))]
    rng = np.random.default_rng(seed)
    stats = np.array([alpha(m[:, np.concatenate([members[k] for k in rng.integers(0, len(uniq), len(uniq))])])
                      for _ in range(n_boot)])
    stats = stats[np.isfinite(stats)]
    if len(stats) == 0:
        return point, float("nan"), float("nan")
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return point, float(lo), float(hi)


def _targets(coders) -> pd.Series:
    t = pd.concat([c[["item_id", "target"]] for c in coders]).replace("", np.nan).dropna()
    return t.drop_duplicates("item_id").set_index("item_id").target


def _value_columns(coders) -> list[str]:
    cols = [c for c in coders[0].columns if c not in ("item_id", "target", "coder", "notes")]
    return cols


def alpha_table(coders: list[pd.DataFrame], n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Krippendorff's alpha (nominal) with bootstrap 95% intervals: overall and per target
    (single-label coding: a ``label`` column), or overall (every item x frame decision pooled)
    and per frame (frames: one 0/1 column per frame). Columns: ``scope, value, items, coders,
    alpha, ci_low, ci_high``."""
    cols = _value_columns(coders)
    rows = []

    def add(scope, value, m, groups=None):
        a, lo, hi = alpha_interval(m, n_boot=n_boot, seed=seed, groups=groups)
        pairable = np.isfinite(m).sum(0) >= 2  # columns coded at least twice
        n_items = int(pairable.sum()) if groups is None else len(set(np.asarray(groups)[pairable]))
        rows.append({"scope": scope, "value": value, "items": n_items,
                     "coders": len(coders), "alpha": a, "ci_low": lo, "ci_high": hi})

    if cols == ["label"]:
        m, items = reliability_matrix(coders, "label")
        add("overall", "", m)
        targets = _targets(coders).reindex(items)
        for t in sorted(targets.dropna().unique()):
            keep = np.flatnonzero((targets == t).to_numpy())
            add("target", t, m[:, keep])
    else:
        items = sorted(set().union(*(set(c.item_id) for c in coders)))
        per_frame = {f: _codes01(coders, f, items) for f in cols}
        # pooled over every item x frame decision; the bootstrap resamples items with all their frames
        add("overall", "all frames", np.concatenate(list(per_frame.values()), axis=1), groups=items * len(cols))
        for f, m in per_frame.items():
            add("frame", f, m)
    return pd.DataFrame(rows)


def _codes01(coders, column, items) -> np.ndarray:
    m = np.full((len(coders), len(items)), np.nan)
    pos = {it: j for j, it in enumerate(items)}
    for i, c in enumerate(coders):
        for it, v in zip(c.item_id, c[column]):
            if not pd.isna(v):
                m[i, pos[it]] = float(v)
    return m


# ----------------------------------------------------------------------------- pairs, consensus
def pairwise(coders: list[pd.DataFrame]) -> pd.DataFrame:
    """Confusion between every two coders, tidy: ``coder_a, coder_b, column, value_a, value_b, n``
    over the items both coded (every cell, zeros included)."""
    cols = _value_columns(coders)
    rows = []
    for a, b in combinations(coders, 2):
        both = a.merge(b, on="item_id", suffixes=("_a", "_b"))
        for col in cols:
            pair = both[[f"{col}_a", f"{col}_b"]].dropna()
            values = sorted(set(a[col].dropna()) | set(b[col].dropna()))
            for va in values:
                for vb in values:
                    n = int(((pair[f"{col}_a"] == va) & (pair[f"{col}_b"] == vb)).sum())
                    rows.append({"coder_a": a.coder.iloc[0], "coder_b": b.coder.iloc[0], "column": col,
                                 "value_a": va, "value_b": vb, "n": n})
    return pd.DataFrame(rows, columns=["coder_a", "coder_b", "column", "value_a", "value_b", "n"])


def pair_summary(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per coder pair (and column): items both coded and observed agreement."""
    g = pairs.assign(agree=pairs.n.where(pairs.value_a == pairs.value_b, 0))
    out = g.groupby(["coder_a", "coder_b", "column"], sort=False).agg(items=("n", "sum"), agree=("agree", "sum"))
    return out.assign(agreement=out.agree / out["items"].replace(0, np.nan)).reset_index()


def consensus(coders: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(consensus, adjudication): the majority value per item (per item and frame for frames)
    with ``votes`` and ``coded``; items whose top values tie go to adjudication instead, with
    every coder's value."""
    cols = _value_columns(coders)
    targets = _targets(coders)
    wide = {c.coder.iloc[0]: c.set_index("item_id") for c in coders}
    items = sorted(set().union(*(set(c.item_id) for c in coders)))
    agreed, ties = [], []
    for it in items:
        row, tie = {"item_id": it, "target": targets.get(it, "")}, {}
        for col in cols:
            votes = pd.Series([w.at[it, col] for w in wide.values() if it in w.index]).dropna()
            if votes.empty:
                row[col] = np.nan
                continue
            counts = votes.value_counts()
            top = counts[counts == counts.max()].index.tolist()
            if len(top) > 1:
                tie[col] = sorted(top)
            else:
                row[col] = top[0]
            if len(cols) == 1:
                row.update({"votes": int(counts.max()), "coded": len(votes)})
        if tie:
            ties.append({"item_id": it, "target": row["target"],
                         "tied": "; ".join(f"{col}: {' / '.join(v)}" if len(cols) > 1 else " / ".join(v)
                                           for col, v in tie.items()),
                         **{name: (" ".join(f"{col}={w.at[it, col]}" for col in cols) if len(cols) > 1
                                   else w.at[it, cols[0]]) if it in w.index else "" for name, w in wide.items()}})
        else:
            agreed.append(row)
    cons = pd.DataFrame(agreed, columns=["item_id", "target", *cols] + (["votes", "coded"] if len(cols) == 1 else []))
    adj = pd.DataFrame(ties, columns=["item_id", "target", "tied", *wide])
    return cons, adj


# ----------------------------------------------------------------------------- model vs consensus
def read_key(path) -> pd.DataFrame:
    path = Path(path)
    try:
        key = pd.read_csv(path, dtype={"item_id": str, "label": str}, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise CorpusError(path, None, f"not a readable key file ({err.__class__.__name__})") from None
    if not {"item_id", "label"} <= set(key.columns):
        raise CorpusError(path, 1, "not a sample's key.csv (needs item_id and label columns)")
    return key


def _f1_interval(gold, pred, label, n_boot=1000, seed=0):
    gold, pred = np.asarray(gold), np.asarray(pred)
    point = evaluation.f1(gold, pred, label)
    if len(gold) == 0:
        return point, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    stats = [evaluation.f1(gold[i], pred[i], label) for i in (rng.integers(0, len(gold), len(gold))
                                                               for _ in range(n_boot))]
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return point, float(lo), float(hi)


def model_scores(cons: pd.DataFrame, key: pd.DataFrame, measure: str = "stance", n_boot: int = 1000,
                 seed: int = 0, key_path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, confusion) of the model (``key``) against the coders' consensus, with bootstrap
    95% intervals over items. Stance: F_avg (``evaluation.f_avg``) overall and per target, F1 per
    class; incivility: F1 of *uncivil*; frames: F1 per frame (the model's frame vs the coders'
    0/1). Confusion: rows consensus, columns model, tidy (``column, gold, predicted, n``)."""
    unknown = sorted(set(cons.item_id) - set(key.item_id))
    if unknown:
        raise CorpusError(key_path or "key", None, f"item {unknown[0]} of the coder files is not in the key "
                                                   "(a key from another sample?)")
    m = cons.merge(key.drop(columns=["target"], errors="ignore").rename(columns={"label": "model"}), on="item_id")
    rows, conf = [], []

    def add(metric, scope, value, res, n):
        rows.append({"metric": metric, "scope": scope, "value": value, "n": n, "score": res[0],
                     "ci_low": res[1], "ci_high": res[2]})

    if measure == "frames":
        for f in frame_names():
            g = m.dropna(subset=[f])
            gold, pred = g[f].astype(str).to_numpy(), np.where(g.model == f, "1", "0")
            add("f1", "frame", f, _f1_interval(gold, pred, "1", n_boot, seed), len(g))
            for gv in ("0", "1"):
                for pv in ("0", "1"):
                    conf.append({"column": f, "gold": gv, "predicted": pv, "n": int(((gold == gv) & (pred == pv)).sum())})
    else:
        g = m.dropna(subset=["label"])
        gold, pred = g.label.to_numpy(), g.model.to_numpy()
        labels = labels_for(measure)
        if measure == "stance":
            add("f_avg", "overall", "", evaluation.f_avg_interval(gold, pred, n_boot=n_boot, seed=seed), len(g))
            for t, gt in g.groupby("target", sort=True):
                add("f_avg", "target", t, evaluation.f_avg_interval(gt.label, gt.model, n_boot=n_boot, seed=seed),
                    len(gt))
        for lab in labels:
            add("f1", "class", lab, _f1_interval(gold, pred, lab, n_boot, seed), len(g))
        acc = (gold == pred).astype(float)
        rng = np.random.default_rng(seed)
        boots = [acc[rng.integers(0, len(acc), len(acc))].mean() for _ in range(n_boot)] if len(acc) else []
        add("accuracy", "overall", "", (float(acc.mean()) if len(acc) else float("nan"),
                                         *(np.percentile(boots, [2.5, 97.5]) if boots else (np.nan, np.nan))), len(g))
        for gv in labels:
            for pv in labels:
                conf.append({"column": "label", "gold": gv, "predicted": pv, "n": int(((gold == gv) & (pred == pv)).sum())})
    scores = pd.DataFrame(rows)
    scores[["ci_low", "ci_high"]] = scores[["ci_low", "ci_high"]].astype(float)
    return scores, pd.DataFrame(conf)


# ----------------------------------------------------------------------------- the command
def _fmt(x) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def markdown(alphas: pd.DataFrame, pairs: pd.DataFrame, n_items: int, n_ties: int, scores=None,
             coders=()) -> str:
    """The one-page ``agreement.md``."""
    lines = ["# Agreement", "", f"{len(coders)} coders ({', '.join(coders)}), {n_items} items; "
             f"{n_ties} items tied (see adjudication.csv). Krippendorff's alpha, nominal, seeded bootstrap "
             "95% intervals over items.", "", "| scope | items | alpha [95% CI] |", "| --- | --- | --- |"]
    for r in alphas.itertuples():
        name = r.scope if not r.value else f"{r.scope}: {r.value}"
        lines.append(f"| {name} | {r.items} | {_fmt(r.alpha)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] |")
    ps = pair_summary(pairs)
    if len(ps):
        lines += ["", "| coders | column | items | observed agreement |", "| --- | --- | --- | --- |"]
        lines += [f"| {r.coder_a} / {r.coder_b} | {r.column} | {r.items} | {_fmt(r.agreement)} |" for r in ps.itertuples()]
    if scores is not None and len(scores):
        lines += ["", "Model against the coders' consensus (ties left out):", "",
                  "| metric | scope | n | score [95% CI] |", "| --- | --- | --- | --- |"]
        for r in scores.itertuples():
            name = r.scope if not r.value else f"{r.scope}: {r.value}"
            lines.append(f"| {r.metric} | {name} | {r.n} | {_fmt(r.score)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}] |")
    return "\n".join(lines) + "\n"


def _records(df: pd.DataFrame) -> list[dict]:
    return json.loads(df.to_json(orient="records", force_ascii=False))


def write_agreement(paths, out_dir, model=None, measure: str | None = None, n_boot: int = 1000, seed: int = 0,
                    allow_missing: bool = False) -> dict:
    """The ``agreement`` command: read the coder files, write the tables listed in
    ``AGREEMENT_FILES`` into ``out_dir`` (atomically; inputs are never overwritten)."""
    out = check_output_dir(out_dir, inputs=[*paths, model], files=AGREEMENT_FILES)
    if measure is None:
        measure = guess_measure(paths)
    coders = read_coders(paths, measure, allow_missing=allow_missing)
    alphas = alpha_table(coders, n_boot=n_boot, seed=seed)
    pairs = pairwise(coders)
    cons, adj = consensus(coders)
    scores = conf = None
    if model is not None:
        scores, conf = model_scores(cons, read_key(model), measure, n_boot=n_boot, seed=seed, key_path=model)
    write_table(alphas, out / "alpha.csv")
    write_table(pairs, out / "pairwise.csv")
    write_table(cons, out / "consensus.csv")
    write_table(adj, out / "adjudication.csv")
    for name in ("model_scores.csv", "model_confusion.csv"):
        (out / name).unlink(missing_ok=True)  # a previous run's, with --model
    if scores is not None:
        write_table(scores, out / "model_scores.csv")
        write_table(conf, out / "model_confusion.csv")
    names = [c.coder.iloc[0] for c in coders]
    items = sorted(set().union(*(set(c.item_id) for c in coders)))
    summary = {"measure": measure, "coders": names, "items": len(items), "ties": len(adj), "seed": seed,
               "n_boot": n_boot, "alpha": _records(alphas), "pairs": _records(pair_summary(pairs)),
               "model": None if scores is None else {"key": str(model), "scores": _records(scores)}}
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    with atomic_path(out / "agreement.md") as tmp:
        tmp.write_text(markdown(alphas, pairs, len(items), len(adj), scores, names), encoding="utf-8")
    return summary


def guess_measure(paths) -> str:
    """frames when the first coder file has the frame columns (or is an export of frame
    choices), incivility when its labels are civil/uncivil, else stance."""
    p = Path(paths[0])
    frames = frame_names()
    try:
        if p.suffix.lower() == ".json":
            text = p.read_text(encoding="utf-8")
            choices = set()
            for task in json.loads(text) if text.strip().startswith("[") else []:
                for ann in task.get("annotations") or []:
                    for res in ann.get("result") or []:
                        choices |= set((res.get("value") or {}).get("choices", []))
                        if res.get("from_name") == "frames":
                            return "frames"
        else:
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
            if all(f in df for f in frames):
                return "frames"
            choices = set(df.get("label", pd.Series(dtype=str)).str.strip().str.lower())
    except (OSError, ValueError, AttributeError, pd.errors.ParserError):
        return "stance"  # read_coders reports the problem with its line
    if choices & set(INCIVILITY_LABELS):
        return "incivility"
    if choices & set(frames):
        return "frames"
    return "stance"
