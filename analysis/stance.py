"""Target-aware stance: for each mention, P(favor), P(against), P(none) toward its target.

Pipeline: mentions (``mentions.py``) -> the clause around each mention and its holder
(``context.py``) -> features -> classifier -> unit x target table -> aggregates with
bootstrap intervals.

Three classifiers, chosen with ``method`` in ``config/stance.yaml``, all trained on
``data/annotations/stance_train.csv`` (written for this purpose, never from the seed):

- ``finetune`` (default): the encoder fine-tuned on "target: clause with the mention
  bracketed" (``finetune.py``), optionally blended with the head below (``head_weight``);
- ``head``: multinomial logistic regression on the frozen e5 embedding of the clause
  (optionally crossed with the target) and lexical cue counts (praise, blame, insults,
  negation, slur used as the mention, second-person address);
- ``prototype``: nearest class centroid of the clause embeddings.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import context, finetune, mentions, nlp
from .lexicon import lexicons
from .resources import load_yaml, write_table
from .stats import bootstrap_mean

LABELS = ("favor", "against", "none")
ROOT = Path(__file__).resolve().parents[1]
PEJORATIVE_GROUPS = {"pejoratives", "makhzen"}
MENTION_TABLE_COLUMNS = ["row", "target", "start", "end", "surface", "group", "via", "ner", "context",
                         "context_start", "cue_text", "holder", "holder_target"]


# ----------------------------------------------------------------------------- mentions in context
def find(texts: list[str], targets: mentions.Targets, groups=None, addressing=None, docs=None) -> pd.DataFrame:
    """Mentions of ``targets`` in each text, with clause context and holder.

    ``groups`` (one key per text, e.g. the comment number) and ``addressing`` ({key: bool},
    whether that comment addresses another commenter) enable second-person resolution.
    ``docs``: the texts already parsed (units, one Doc each), to avoid parsing them again.
    """
    if docs is not None:
        items = [(row, 0, doc) for row, doc in enumerate(docs)]
    else:  # long texts are parsed in chunks (nlp.parse); every chunk is searched
        items = [(row, off, doc) for row, parts in enumerate(nlp.parse(list(texts))) for off, doc in parts]
    groups = list(range(len(texts))) if groups is None else list(groups)
    found = [mentions.find_mentions(doc, targets) for _, _, doc in items]
    address_target = {}
    for g in dict.fromkeys(groups):
        idx = [k for k, (row, _, _) in enumerate(items) if groups[row] == g]
        speaks_to = addressing.get(g, False) if addressing else any("@" in items[k][2].text for k in idx)
        if speaks_to:
            address_target[g] = mentions.addressee([(items[k][2], found[k]) for k in idx])
    rows = []
    for (row, off, doc), ms in zip(items, found):
        addr = address_target.get(groups[row])
        if addr in targets.spec:
            taken = {m["i"] for m in ms}
            ms = ms + [{"target": addr, "group": "address", "kind": "address", "start_char": t.idx,
                        "end_char": t.idx + len(t.text), "i": t.i, "surface": t.text, "ner": ""}
                       for t in doc if mentions.fold(t.text) in mentions.SECOND_PERSON and t.i not in taken
                       and not (t.i > 0 and doc[t.i - 1].text.endswith("-"))]  # "unissez-vous"
        for m in ms:
            tok = doc[m["i"]]
            a, b = context.clause(tok)
            who = context.holder(tok)
            rows.append({"row": row, "target": m["target"], "start": off + m["start_char"],
                         "end": off + m["end_char"], "surface": m["surface"], "group": m["group"],
                         "via": "address" if m["kind"] == "address" else "alias", "ner": m["ner"],
                         "context": doc.text[a:b], "context_start": off + a, "cue_text": context.cue_text(tok, a, b), "holder": who,
                         "holder_target": holder_target(who, targets)})
    return pd.DataFrame(rows, columns=MENTION_TABLE_COLUMNS)


def holder_target(holder: str, targets: mentions.Targets) -> str:
    """The target a holder phrase names ("le régime algérien" -> Algeria), else the phrase."""
    if holder == "author":
        return "author"
    found = mentions.find_mentions(nlp.french()(holder), targets)
    return found[0]["target"] if found else holder


# ----------------------------------------------------------------------------- features and model
def cue_features(cue_texts, groups, vias) -> np.ndarray:
    """Counts of praise, blame, insult, negation (in the clause, see ``context.cue_text``);
    slur as mention; second-person address."""
    cues, insults = lexicons("stance_cues"), lexicons("incivility")
    rows = []
    for ctx, group, via in zip(cue_texts, groups, vias):
        rows.append([cues["favor"].count(ctx), cues["against"].count(ctx),
                     sum(lex.count(ctx) for lex in insults.values()), cues["negation"].count(ctx),
                     float(group in PEJORATIVE_GROUPS), float(via == "address")])
    return np.asarray(rows, np.float32)


@dataclass(repr=False)
class StanceModel:
    """A fitted stance classifier (see the module docstring for the methods)."""

    encoder: object
    target_names: list[str]
    method: str
    W: np.ndarray  # (n_features, 3) for head; (3, dim) centroids for prototype
    b: np.ndarray
    settings: dict
    labels: dict = field(default_factory=dict)  # target name -> label shown to the fine-tuned model
    classifier: object = None  # finetune.StanceClassifier (method finetune)
    head: "StanceModel | None" = None  # the logistic head blended in (method finetune, head_weight > 0)

    def __repr__(self):
        return f"StanceModel({self.method!r}, encoder={self.encoder.name!r}, targets={self.target_names})"

    def embed(self, contexts) -> np.ndarray:
        return self.encoder.encode(list(contexts), kind=self.settings["prefix"])

    def features(self, m: pd.DataFrame) -> np.ndarray:
        """Clause embedding (+ crossed with the target) and scaled cue counts, one row per mention."""
        e = self.embed(m.context)
        cues = cue_features(m.cue_text, m.group, m.via) * self.settings["cue_scale"]
        if not self.settings["crossed"]:
            return np.hstack([e, cues])
        onehot = np.zeros((len(e), len(self.target_names)), np.float32)
        for r, t in enumerate(m.target):
            if t in self.target_names:
                onehot[r, self.target_names.index(t)] = 1
        crossed = (e[:, :, None] * onehot[:, None, :]).reshape(len(e), -1)
        return np.hstack([e, crossed, cues])

    def predict_proba(self, m: pd.DataFrame) -> np.ndarray:
        """(n, 3) probabilities in LABELS order for a mention table (see :func:`find`)."""
        if len(m) == 0:
            return np.zeros((0, 3), np.float32)
        if self.method == "finetune":
            p = self.classifier.predict_proba(classifier_inputs(m, self.labels))
            w = float(self.settings["head_weight"])
            return (p if w == 0 else (1 - w) * p + w * self.head.predict_proba(m)).astype(np.float32)
        if self.method == "prototype":
            logits = self.settings["prototype_temperature"] * (self.embed(m.context) @ self.W.T)
        else:
            logits = self.features(m) @ self.W + self.b
        logits = logits - logits.max(1, keepdims=True)
        p = np.exp(logits)
        return (p / p.sum(1, keepdims=True)).astype(np.float32)


def classifier_inputs(m: pd.DataFrame, labels: dict) -> list[str]:
    """Fine-tuned classifier inputs: target label + clause with the mention bracketed."""
    out = []
    for r in m.itertuples(index=False):
        a = r.start - r.context_start
        mark = (a, a + r.end - r.start) if r.start >= 0 and 0 <= a <= len(r.context) else None
        out.append(finetune.input_text(labels.get(r.target, r.target), r.context, mark))
    return out


def training_examples(path, targets: mentions.Targets) -> pd.DataFrame:
    """Training rows with the clause context the model sees at prediction time (parsed once
    per process for a given file and targets)."""
    path = Path(path)
    key = (str(path.resolve()), path.stat().st_mtime_ns, targets)
    if key not in _EXAMPLES:
        _EXAMPLES[key] = _training_examples(path, targets)
    return _EXAMPLES[key].copy()


_EXAMPLES: dict = {}


def _training_examples(path: Path, targets: mentions.Targets) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"text", "target", "label"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = df[~df.label.isin(LABELS)]
    if len(bad):
        raise ValueError(f"{path}:{bad.index[0] + 2}: label must be favor, against or none")
    found = find(df.text.tolist(), targets)
    cols = ["context", "context_start", "start", "end", "cue_text", "group", "via"]
    rows = []
    for i, row in df.iterrows():
        ms = found[(found.row == i) & (found.target == row.target)]
        if len(ms):
            rows.append(ms.iloc[0][cols].tolist())
        else:  # stance toward an unnamed target (e.g. addressed as "vous"): whole text, no mark
            rows.append([row.text, 0, -1, -1, row.text, "", "address" if "@" in row.text else "alias"])
    return df.assign(**dict(zip(cols, zip(*rows)))).astype({"context_start": int, "start": int, "end": int})


def fit_logistic(C: float, X: np.ndarray, y: np.ndarray):
    """The head's classifier, solved to convergence (Newton): the optimum is unique, so the
    weights do not depend on how many BLAS threads computed them (a Dask worker has one).
    Near the optimum the line search reports hitting float precision; that is expected."""
    import warnings

    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, solver="newton-cg", max_iter=1000, tol=1e-8, class_weight="balanced")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="(?i).*line search")
        return clf.fit(X, y)


def fit(encoder=None, targets=None, train_path=None, method=None, settings=None) -> StanceModel:
    """Fit the stance model on the training file (see ``config/stance.yaml``)."""
    from .encoder import load_encoder

    settings = {**load_yaml("stance.yaml"), **(settings or {})}
    method = method or settings["method"]
    encoder = encoder or load_encoder()
    targets = targets or mentions.load_targets()
    path = Path(train_path or ROOT / settings["train_file"])
    ex = training_examples(path, targets)
    names = targets.names
    labels = {n: str(targets.spec[n].get("label", n)) for n in names}
    y = np.array([LABELS.index(label) for label in ex.label])

    def new(kind):
        return StanceModel(encoder, names, kind, np.zeros(0), np.zeros(0), settings, labels)

    if method not in ("finetune", "head", "prototype"):
        raise ValueError(f"stance method must be finetune, head or prototype, not {method!r}")
    model = new(method)
    if method == "finetune":
        model.classifier = finetune.load_or_train(encoder, classifier_inputs(ex, labels), y.tolist(), settings)
        if float(settings["head_weight"]) > 0:
            model.head = _fit_head(new("head"), ex, y)
        return model
    if method == "prototype":
        e = model.embed(ex.context)
        cent = np.stack([e[y == k].mean(0) for k in range(3)])
        model.W = cent / np.linalg.norm(cent, axis=1, keepdims=True)
        return model
    return _fit_head(model, ex, y)


HEAD_SETTINGS = ("C", "prefix", "crossed", "cue_scale")


def _fit_head(model: StanceModel, ex: pd.DataFrame, y: np.ndarray) -> StanceModel:
    """Fit the logistic head, or load the weights fitted before on the same inputs (stored
    as safetensors in the cache, keyed by the encoder, the settings and the training rows)."""
    from safetensors.numpy import load_file, save_file

    from .resources import atomic_path, cache_dir

    h = hashlib.sha256(model.encoder.fingerprint.encode())
    h.update(json.dumps({k: model.settings[k] for k in HEAD_SETTINGS}, sort_keys=True).encode())
    h.update(json.dumps(model.target_names).encode())
    for row in ex[["target", "context", "cue_text", "group", "via"]].itertuples(index=False):
        h.update(("\t".join(map(str, row)) + "\n").encode())
    h.update(y.tobytes())
    path = cache_dir("models") / f"stance-head-{h.hexdigest()[:24]}.safetensors"
    if path.exists():
        weights = load_file(path)
    else:
        clf = fit_logistic(model.settings["C"], model.features(ex), y)
        weights = {"W": clf.coef_.T.astype(np.float32), "b": clf.intercept_.astype(np.float32)}
        with atomic_path(path) as tmp:
            save_file(weights, tmp)
    model.W, model.b = weights["W"], weights["b"]
    return model


_MODELS: dict = {}


def load_model(model_name=None, method=None) -> StanceModel:
    """Model fitted on every target of targets.yaml, once per process (embeddings are cached
    on disk, so a refit takes seconds)."""
    from .encoder import load_encoder

    key = (str(model_name), method)
    if key not in _MODELS:
        _MODELS[key] = fit(load_encoder(model_name), mentions.load_targets(), method=method)
    return _MODELS[key]


# ----------------------------------------------------------------------------- scoring
def score_mentions(found: pd.DataFrame, model: StanceModel) -> pd.DataFrame:
    p = model.predict_proba(found)
    out = found.copy()
    out["p_favor"], out["p_against"], out["p_none"] = p[:, 0], p[:, 1], p[:, 2]
    out["label"] = [LABELS[k] for k in p.argmax(1)] if len(p) else []
    return out


def combine(scored: pd.DataFrame, keys: list[str], target_names: list[str], index: pd.DataFrame) -> pd.DataFrame:
    """Mentions -> one row per (keys x target): mean probabilities, decisive evidence and holder."""
    rows = []
    groups = {k: g for k, g in scored.groupby(keys + ["target"], sort=False)} if len(scored) else {}
    for rec in index[keys].drop_duplicates().itertuples(index=False):
        for t in target_names:
            g = groups.get(tuple(rec) + (t,))
            row = dict(zip(keys, rec), target=t)
            if g is None:
                rows.append({**row, "mentioned": False, "n_mentions": 0, "label": "none", "p_favor": 0.0,
                             "p_against": 0.0, "p_none": 1.0, "holder": "", "evidence": ""})
                continue
            p = g[["p_favor", "p_against", "p_none"]].mean().to_numpy()
            decisive = g.loc[(g.p_favor - g.p_against).abs().idxmax()]
            rows.append({**row, "mentioned": True, "n_mentions": len(g), "label": LABELS[int(p.argmax())],
                         "p_favor": p[0], "p_against": p[1], "p_none": p[2],
                         "holder": "author" if (g.holder == "author").any() else decisive.holder,
                         "evidence": decisive.context})
    return pd.DataFrame(rows)


def score_units(units: pd.DataFrame, page=None, model: StanceModel | None = None,
                targets: mentions.Targets | None = None, docs=None):
    """Stance of each unit toward each target (``docs``: the units already parsed).

    Returns ``(unit_scores, mention_scores)``: one row per unit x target (columns
    ``unit_id, part, comment_no, target, mentioned, n_mentions, label, p_favor, p_against,
    p_none, holder, evidence``) and one row per mention.
    """
    model = model or load_model()
    targets = targets or mentions.load_targets().subset(model.target_names)
    keys = units.comment_no.fillna(0).astype(int).tolist()
    addressing = {}
    if page is not None:
        addressing = {c.number: bool(c.mentions or c.reply_to) for c in page.comments}
    found = find(units.text.tolist(), targets, groups=keys, addressing=addressing, docs=docs)
    found = found.assign(unit_id=units.unit_id.to_numpy()[found.row.to_numpy(int)] if len(found) else [])
    scored = score_mentions(found, model)
    table = combine(scored, ["unit_id"], targets.names, units)
    table = units[["unit_id", "part", "comment_no"]].merge(table, on="unit_id")
    scored = scored.merge(units[["unit_id", "part", "comment_no"]], on="unit_id")
    return table, scored


def stance_table(ids, texts, model_name=None, targets=None, method=None) -> pd.DataFrame:
    """One row per (id, target) for texts given as a whole (the CLI's contract)."""
    targets = targets or mentions.load_targets()
    model = load_model(model_name, method)
    found = find(list(texts), targets)
    index = pd.DataFrame({"id": list(ids)})
    found = found.assign(id=index.id.to_numpy()[found.row.to_numpy(int)] if len(found) else [])
    table = combine(score_mentions(found, model), ["id"], targets.names, index)
    return table[["id", "target", "mentioned", "label", "p_favor", "p_against", "p_none", "holder", "evidence"]]


# ----------------------------------------------------------------------------- aggregation
def aggregate(unit_scores: pd.DataFrame, by=("part", "target"), author_only: bool = True,
              seed: int = 0) -> pd.DataFrame:
    """Stance per group over units that mention the target: counts, mean of
    p_favor - p_against and its bootstrap 95% interval. Author-held stances only by default."""
    df = unit_scores[unit_scores.mentioned]
    if author_only:
        df = df[df.holder == "author"]
    rows = []
    for key, g in df.groupby(list(by), sort=True):
        mean, lo, hi = bootstrap_mean(g.p_favor - g.p_against, seed=seed)
        counts = g.label.value_counts()
        rows.append({**dict(zip(by, key if isinstance(key, tuple) else (key,))), "n": len(g),
                     **{lab: int(counts.get(lab, 0)) for lab in LABELS},
                     "mean": mean, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows, columns=list(by) + ["n", *LABELS, "mean", "ci_low", "ci_high"])


def holder_network(mention_scores: pd.DataFrame):
    """networkx DiGraph holder -> target; edge weight = mean p_favor - p_against, n mentions.

    Holders are named by the target they belong to ("le régime algérien" -> Algeria) or by
    their phrase, lower-cased ("Nos sources" and "nos sources" are one node).
    """
    import networkx as nx

    g = nx.DiGraph()
    keep = {"author", *mentions.load_targets(salience=True).names}
    named = mention_scores.assign(holder_target=mention_scores.holder_target.map(
        lambda h: h if h in keep else h.lower()))
    for (h, t), grp in named.groupby(["holder_target", "target"]):
        g.add_edge(h, t, stance=float((grp.p_favor - grp.p_against).mean()), n=len(grp))
    return g


# ----------------------------------------------------------------------------- command line
def _fail(message: str):
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def read_input_csv(path) -> pd.DataFrame:
    """Read the CLI's input: UTF-8 CSV with columns id,text; a one-line error otherwise."""
    path = Path(path)
    if not path.is_file():
        _fail(f"{path}: no such file")
    data = path.read_bytes()
    if not data.strip():
        _fail(f"{path}:1: file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        _fail(f"{path}:{line}: not valid UTF-8 at byte offset {err.start}")
    rows = list(csv.reader(text.splitlines()))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ("id", "text") if c not in header]
    if missing:
        _fail(f"{path}:1: missing column(s) {', '.join(missing)}; the header must hold id,text")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if df.id.duplicated().any():
        _fail(f"{path}:{int(np.flatnonzero(df.id.duplicated())[0]) + 2}: duplicate id {df.id[df.id.duplicated()].iloc[0]!r}")
    return df


def stance_csv(input_path, output_path, targets=None, model=None) -> Path:
    """``python -m analysis stance``: CSV id,text in, one row per (id, target) out."""
    df = read_input_csv(input_path)
    try:
        tg = mentions.load_targets(names=targets)
    except ValueError as err:
        _fail(str(err))
    out = stance_table(df.id.tolist(), df.text.tolist(), model, tg)
    return write_table(out, output_path)
