"""Target-aware stance: P(favor), P(against), P(none) of a text's *writer* toward each target.

Pipeline: mentions and anaphors (``analysis.text.mentions``, ``config/anaphora.yaml``) -> for each
(text, target) the text, or windows of a long one, with that target's mentions bracketed
(``segments``) -> classifier, *none* calibrated per register -> text (or unit) x target table
-> aggregates with bootstrap intervals. Each mention also gets its holder (``analysis.text.context``):
a stance the text attributes to someone else is scored on the holder's proposition for the
holder network, and stays out of the writer's aggregates.

Three classifiers, chosen with ``method`` in ``config/stance.yaml``, all trained on
``analysis/data/stance_train.csv`` (written for this purpose, never from the seed), and the
holder network also on ``stance_train_held.csv`` (the stances those texts attribute):

- ``finetune`` (default): the encoder fine-tuned on "target: text with the [mentions]"
  (``analysis.stance.finetune``), optionally blended with the head below (``head_weight``);
- ``head``: multinomial logistic regression on the frozen e5 embedding of the same input
  (optionally crossed with the target) and lexical cue counts (praise, blame, insults,
  negation, slur used as the mention, second-person address);
- ``prototype``: nearest class centroid of those embeddings.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.paths import CONFIG_DIR, PACKAGE_DATA_DIR
from analysis.resources import atomic_path, check_keys, load_yaml, write_table
from analysis.stance import finetune
from analysis.stats import bootstrap_mean
from analysis.text import context, mentions, nlp
from analysis.text.lexicon import lexicons

LABELS = ("favor", "against", "none")
PEJORATIVE_GROUPS = {"pejoratives", "makhzen"}
MENTION_TABLE_COLUMNS = ["row", "target", "start", "end", "surface", "group", "via", "ner", "context",
                         "context_start", "cue_text", "holder", "holder_target", "content", "content_mark_start",
                         "content_mark_end"]


# ----------------------------------------------------------------------------- mentions in context
def _entities(targets: mentions.Targets) -> mentions.Targets:
    """Every entity an anaphor may point back to: the stance targets and the salience-only ones."""
    every = mentions.load_targets(salience=True)
    return mentions.Targets({**every.spec, **targets.spec}, targets.source)


def find(texts: list[str], targets: mentions.Targets, groups=None, addressing=None, docs=None,
         dominant: bool = False) -> pd.DataFrame:
    """Mentions of ``targets`` in each text, with clause context, holder and the holder's content.

    ``groups`` (one key per text, e.g. the comment number) and ``addressing`` ({key: bool},
    whether that comment addresses another commenter) enable second-person resolution; texts
    of one group also share antecedents for anaphora ("ce régime" in a comment's third
    sentence points to the state its first sentence named; rule in ``config/anaphora.yaml``).
    ``dominant``: an anaphor without antecedent falls back to the entity the texts name most
    (for the units of one page). ``docs``: the texts already parsed (units, one Doc each).
    """
    if docs is not None:
        items = [(row, 0, doc) for row, doc in enumerate(docs)]
    else:  # long texts are parsed in chunks (nlp.parse); every chunk is searched
        items = [(row, off, doc) for row, parts in enumerate(nlp.parse(list(texts))) for off, doc in parts]
    groups = list(range(len(texts))) if groups is None else list(groups)
    from tqdm.auto import tqdm

    from analysis.resources import progress_enabled

    entities = _entities(targets)
    quiet = not progress_enabled() or len(items) < 500
    every = [mentions.find_mentions(doc, entities)
             for _, _, doc in tqdm(items, desc="finding target mentions", unit="text", disable=quiet)]
    fallback = mentions.dominant(every, entities) if dominant else None
    classes = {n: set(entities.spec[n].get("anaphora") or ()) for n in entities.names}
    last: dict = {}  # group -> {entity: position of its latest mention}
    found = []
    for k, ((row, _, doc), ms) in enumerate(zip(items, every)):
        seen = last.setdefault(groups[row], {})
        events = sorted([(m["i"], "m", m) for m in ms] + [(a["i"], "a", a) for a in mentions.anaphors(doc, ms)],
                        key=lambda e: e[0])
        out = []
        for i, kind, m in events:
            if kind == "m":
                seen[m["target"]] = (k, i)
                out.append({**m, "via": "alias"})
                continue
            able = [(pos, t) for t, pos in seen.items() if m["cls"] in classes[t]]
            ante = max(able)[1] if able else (fallback if fallback and m["cls"] in classes[fallback] else None)
            if ante is not None:
                out.append({"target": ante, "group": "anaphora", "kind": "anaphora", "start_char": m["start_char"],
                            "end_char": m["end_char"], "i": m["i"], "surface": m["surface"], "ner": "",
                            "via": "anaphora"})
        found.append([m for m in out if m["target"] in targets.spec])
    address_target, by_group = {}, {}
    for k, (row, _, _) in enumerate(items):
        by_group.setdefault(groups[row], []).append(k)
    for g, idx in by_group.items():  # one pass over the items (a scan per group was quadratic)
        speaks_to = addressing.get(g, False) if addressing else any("@" in items[k][2].text for k in idx)
        if speaks_to:
            address_target[g] = mentions.addressee([(items[k][2], found[k]) for k in idx])
    rows = []
    for (row, off, doc), ms in tqdm(list(zip(items, found)), desc="clauses and holders", unit="text", disable=quiet):
        addr = address_target.get(groups[row])
        if addr in targets.spec:
            taken = {m["i"] for m in ms}
            ms = ms + [{"target": addr, "group": "address", "kind": "address", "start_char": t.idx,
                        "end_char": t.idx + len(t.text), "i": t.i, "surface": t.text, "ner": "", "via": "address"}
                       for t in doc if mentions.fold(t.text) in mentions.SECOND_PERSON and t.i not in taken
                       and not (t.i > 0 and doc[t.i - 1].text.endswith("-"))]  # "unissez-vous"
        for m in ms:
            tok = doc[m["i"]]
            a, b = context.clause(tok)
            who, content, mark = context.attribution(tok)
            rows.append({"row": row, "target": m["target"], "start": off + m["start_char"],
                         "end": off + m["end_char"], "surface": m["surface"], "group": m["group"],
                         "via": m["via"], "ner": m["ner"], "context": doc.text[a:b], "context_start": off + a,
                         "cue_text": context.cue_text(tok, a, b), "holder": who,
                         "holder_target": holder_target(who, targets, fallback), "content": content,
                         "content_mark_start": mark[0], "content_mark_end": mark[1]})
    return pd.DataFrame(rows, columns=MENTION_TABLE_COLUMNS)


PRONOUN_HOLDERS = {"il", "elle", "ils", "elles", "he", "she", "they"}


@lru_cache(maxsize=4096)
def holder_target(holder: str, targets: mentions.Targets, fallback: str | None = None) -> str:
    """The target a holder phrase names ("le régime algérien" -> Algeria); a bare pronoun or
    state noun ("elle", "le régime", "le pouvoir") is the page's dominant entity ``fallback``
    when there is one (the anaphora rule's fallback); else the phrase itself."""
    if holder == "author":
        return "author"
    doc = nlp.french()(holder)
    found = mentions.find_mentions(doc, _entities(targets))
    if found:
        return found[0]["target"]
    bare = (len(doc) == 1 and doc[0].norm_ in PRONOUN_HOLDERS) or \
        (len(doc) == 2 and bool(mentions.anaphors(doc, [])))  # the anaphora rule's own "le régime"
    return fallback if bare and fallback else holder


# ----------------------------------------------------------------------------- classifier inputs
SEGMENT_COLUMNS = ["row", "target", "window", "input", "text", "pejorative", "address"]


def _windows(text: str, spans: list[tuple[int, int]], width: int) -> list[tuple[int, int]]:
    """Character windows covering every span: the whole text when it is short, else one window
    of ``width`` characters on each side of a span (cut at spaces), merging spans that fall
    in the same window."""
    if len(text) <= 2 * width or not spans:
        return [(0, min(len(text), 2 * width))] if spans or len(text) <= 2 * width else [(0, 2 * width)]
    out = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            continue
        lo = 0 if a <= width else text.rfind(" ", 0, a - width) + 1
        hi = text.find(" ", b + width)
        out.append((lo, len(text) if hi < 0 else hi))
    return out


def bracketed(text: str, spans, lo: int = 0, hi: int | None = None) -> str:
    """``text[lo:hi]`` with each (start, end) span that lies inside it in brackets."""
    hi = len(text) if hi is None else hi
    piece, cut = "", lo
    for a, b in sorted(spans):
        if lo <= a and b <= hi:
            piece += f"{text[cut:a]}[{text[a:b]}]"
            cut = b
    return piece + text[cut:hi]


def segments(texts: list[str], found: pd.DataFrame, pairs=None, width: int = finetune.WINDOW) -> pd.DataFrame:
    """What the classifier reads for each (text, target): the text (or windows of a long one)
    with every mention of that target bracketed ("Vive [l'Algérie], à bas le Makhzen" for
    Algeria). ``pairs``: (row, target) to build even where the target is not found (training
    rows labelled for an unnamed target: the text without brackets)."""
    by = {k: g for k, g in found.groupby(["row", "target"], sort=False)} if len(found) else {}
    keys = list(dict.fromkeys(list(by) + list(pairs or [])))
    rows = []
    for row, target in keys:
        text = texts[row]
        g = by.get((row, target))
        spans = [] if g is None else sorted(set(zip(g.start, g.end)))
        for w, (lo, hi) in enumerate(_windows(text, spans, width)):
            sub = g[(g.start >= lo) & (g.end <= hi)] if g is not None else None
            rows.append({"row": row, "target": target, "window": w, "input": bracketed(text, spans, lo, hi),
                         "text": text[lo:hi],
                         "pejorative": bool(sub is not None and sub.group.isin(PEJORATIVE_GROUPS).any()),
                         "address": bool(sub is not None and (sub.via == "address").any())})
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


def clause_segments(found: pd.DataFrame) -> pd.DataFrame:
    """For each (text, target), each clause holding a mention of it, with that target's
    mentions in the clause bracketed: the local reading that keeps "Merci à la [Russie]" apart
    from "que la France dégage" in one sentence (blended with the text's reading, ``clause_weight``)."""
    rows = []
    for (row, target), g in found.groupby(["row", "target"], sort=False):
        for (ctx, c0), h in g.groupby(["context", "context_start"], sort=False):
            spans = {(a - c0, b - c0) for a, b in zip(h.start, h.end)}
            rows.append({"row": row, "target": target, "window": len(rows), "input": bracketed(ctx, spans), "text": ctx,
                         "pejorative": bool(h.group.isin(PEJORATIVE_GROUPS).any()),
                         "address": bool((h.via == "address").any())})
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


HELD_MARK = "holder's position: "  # marks a holder's content, trained apart from the writer's texts


def held_segments(found: pd.DataFrame) -> pd.DataFrame:
    """For attributed mentions, the holder's content with the mention bracketed, after
    ``HELD_MARK``: what the classifier reads to score the *holder's* stance (the holder network),
    as trained on the stances the training texts attribute (``held_file``)."""
    rows = []
    for k, r in found[found.holder != "author"].iterrows():
        a, b = int(r.content_mark_start), int(r.content_mark_end)
        text = r.content or r.context
        rows.append({"row": k, "target": r.target, "window": 0,
                     "input": HELD_MARK + bracketed(text, [(a, b)] if b > a else []), "text": text,
                     "pejorative": r.group in PEJORATIVE_GROUPS, "address": r.via == "address"})
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS)


# ----------------------------------------------------------------------------- features and model
def cue_features(cue_texts, pejorative, address) -> np.ndarray:
    """Counts of praise, blame, insult, negation in the text; slur as mention; second-person address."""
    cues, insults = lexicons("stance_cues"), lexicons("incivility")
    rows = []
    for ctx, pej, addr in zip(cue_texts, pejorative, address):
        rows.append([cues["favor"].count(ctx), cues["against"].count(ctx),
                     sum(lex.count(ctx) for lex in insults.values()), cues["negation"].count(ctx),
                     float(pej), float(addr)])
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
    head: StanceModel | None = None  # the logistic head blended in (method finetune, head_weight > 0)

    def __repr__(self):
        return f"StanceModel({self.method!r}, encoder={self.encoder.name!r}, targets={self.target_names})"

    def embed(self, texts) -> np.ndarray:
        return self.encoder.encode(list(texts), kind=self.settings["prefix"])

    def features(self, seg: pd.DataFrame) -> np.ndarray:
        """Text embedding (+ crossed with the target) and scaled cue counts, one row per segment."""
        e = self.embed(seg.input)
        cues = cue_features(seg.text, seg.pejorative, seg.address) * self.settings["cue_scale"]
        if not self.settings["crossed"]:
            return np.hstack([e, cues])
        onehot = np.zeros((len(e), len(self.target_names)), np.float32)
        for r, t in enumerate(seg.target):
            if t in self.target_names:
                onehot[r, self.target_names.index(t)] = 1
        crossed = (e[:, :, None] * onehot[:, None, :]).reshape(len(e), -1)
        return np.hstack([e, crossed, cues])

    def raw_proba(self, seg: pd.DataFrame) -> np.ndarray:
        """(n, 3) probabilities in LABELS order for a segment table (see :func:`segments`)."""
        if len(seg) == 0:
            return np.zeros((0, 3), np.float32)
        if self.method == "finetune":
            inputs = [finetune.input_text(self.labels.get(t, t), x) for t, x in zip(seg.target, seg.input)]
            p = self.classifier.predict_proba(inputs)
            w = float(self.settings["head_weight"])
            return (p if w == 0 else (1 - w) * p + w * self.head.raw_proba(seg)).astype(np.float32)
        if self.method == "prototype":
            logits = self.settings["prototype_temperature"] * (self.embed(seg.input) @ self.W.T)
        else:
            logits = self.features(seg) @ self.W + self.b
        logits = logits - logits.max(1, keepdims=True)
        p = np.exp(logits)
        return (p / p.sum(1, keepdims=True)).astype(np.float32)

    def predict_proba(self, seg: pd.DataFrame, register: str | None = None) -> np.ndarray:
        """Probabilities with *none* calibrated for the register (``none_bias`` in stance.yaml,
        chosen on the out-of-distribution dev set): p_none is multiplied by exp(bias)."""
        return calibrate(self.raw_proba(seg), none_bias(self.settings, register))


def none_bias(settings: dict, register: str | None) -> float:
    biases = settings.get("none_bias") or {}
    return float(biases.get(register or "default", biases.get("default", 0.0)))


def calibrate(p: np.ndarray, bias: float) -> np.ndarray:
    if bias == 0 or len(p) == 0:
        return p
    q = p.astype(np.float64).copy()
    q[:, 2] *= np.exp(bias)
    return (q / q.sum(1, keepdims=True)).astype(np.float32)


TRAINING_VERSION = "2"  # bump when segments() or the mention finder change what training rows look like


def training_examples(path, targets: mentions.Targets) -> pd.DataFrame:
    """Training rows as the classifier reads them (one per text x target x window).

    Parsing a few thousand texts takes a minute, so the result is stored in the cache under a
    hash of the training file, the configuration files that decide mentions, and
    ``TRAINING_VERSION``; a later process reads it back in milliseconds.
    """
    path = Path(path)
    data = path.read_bytes()
    h = hashlib.sha256(TRAINING_VERSION.encode())
    h.update(data)
    h.update(json.dumps(_entities(targets).spec, sort_keys=True, ensure_ascii=False).encode())
    for name in ("anaphora.yaml", "evidentiality.yaml"):
        h.update((CONFIG_DIR / name).read_bytes())
    if b"holder" in data.split(b"\n", 1)[0]:  # held rows: how the holder's content is marked
        h.update(HELD_MARK.encode())
    store = finetune.stored(f"stance-train-{h.hexdigest()[:24]}.parquet")
    if store.exists():
        return pd.read_parquet(store)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"text", "target", "label"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    bad = df[~df.label.isin(LABELS)]
    if len(bad):
        raise ValueError(f"{path}:{bad.index[0] + 2}: label must be favor, against or none")
    texts = list(dict.fromkeys(df.text))
    index = {t: k for k, t in enumerate(texts)}
    found = find(texts, targets)
    seg = _held_rows(df, index, found, targets) if "holder" in df else _writer_rows(df, texts, index, found)
    with atomic_path(store) as tmp:
        seg.to_parquet(tmp, index=False)
    return seg


def _writer_rows(df: pd.DataFrame, texts: list[str], index: dict, found: pd.DataFrame) -> pd.DataFrame:
    """Training rows for the writer's stance: each (text, target) as ``segments`` reads it."""
    pairs = [(index[t], g) for t, g in zip(df.text, df.target)]
    seg = segments(texts, found, pairs)
    return seg.merge(pd.DataFrame({"row": [p[0] for p in pairs], "target": [p[1] for p in pairs],
                                   "label": df.label.to_numpy(),
                                   "register": df.get("register", pd.Series([""] * len(df))).to_numpy()}),
                     on=["row", "target"], how="inner")


def _held_rows(df: pd.DataFrame, index: dict, found: pd.DataFrame, targets: mentions.Targets) -> pd.DataFrame:
    """Training rows for the holder's stance: for each attributed stance (``Target:label@Holder``
    of the register files), the holder's content around the first mention of the target whose
    detected holder is that holder (a state by name; any other named source for ``sources``,
    ``party``...), labelled with the holder's stance. Stances whose holder the frames do not
    find are left out."""
    states = set(targets.names)
    held = held_segments(found)
    if not len(held):
        return held.assign(label=[], register=[])
    meta = found.loc[held.row.to_numpy(), ["row", "holder_target"]].to_numpy()
    first = {}
    for k, ((row, ht), tgt) in enumerate(zip(meta, held.target)):
        first.setdefault((row, tgt, ht if ht in states else "*"), k)
    take, labels, regs = [], [], []
    for r in df.itertuples(index=False):
        key = (index[r.text], r.target, r.holder if r.holder in states else "*")
        if key in first:
            take.append(first[key])
            labels.append(r.label)
            regs.append(r.register)
    return held.iloc[take].assign(label=labels, register=regs).reset_index(drop=True)


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


SETTING_KEYS = ("method", "train_file", "head_weight", "epochs", "learning_rate", "head_learning_rate", "batch_size",
                "max_tokens", "seed", "clause_weight", "frozen_layers", "C", "prefix", "crossed", "cue_scale",
                "prototype_temperature", "none_bias", "held_file", "pooling")


def stance_settings(overrides: dict | None = None) -> dict:
    """``config/stance.yaml`` with ``overrides``; an unknown or missing key is a ConfigError."""
    base = load_yaml("stance.yaml")
    check_keys(base, SETTING_KEYS, str(CONFIG_DIR / "stance.yaml"), required=SETTING_KEYS)
    check_keys(overrides or {}, SETTING_KEYS, "stance settings")
    return {**base, **(overrides or {})}


def fit(encoder=None, targets=None, train_path=None, method=None, settings=None) -> StanceModel:
    """Fit the stance model on the training file (see ``config/stance.yaml``)."""
    from analysis.stance.encoder import load_encoder

    settings = stance_settings(settings)
    method = method or settings["method"]
    encoder = encoder or load_encoder()
    targets = targets or mentions.load_targets()
    path = Path(train_path or PACKAGE_DATA_DIR / settings["train_file"])
    ex = training_examples(path, targets)
    if settings.get("held_file") and train_path is None:
        ex = pd.concat([ex, training_examples(PACKAGE_DATA_DIR / settings["held_file"], targets)], ignore_index=True)
    names = targets.names
    labels = {n: str(targets.spec[n].get("label", n)) for n in names}
    y = np.array([LABELS.index(label) for label in ex.label])

    def new(kind):
        return StanceModel(encoder, names, kind, np.zeros(0), np.zeros(0), settings, labels)

    if method not in ("finetune", "head", "prototype"):
        raise ValueError(f"stance method must be finetune, head or prototype, not {method!r}")
    model = new(method)
    if method == "finetune":
        inputs = [finetune.input_text(labels.get(t, t), x) for t, x in zip(ex.target, ex.input)]
        model.classifier = finetune.load_or_train(encoder, inputs, y.tolist(), settings)
        if float(settings["head_weight"]) > 0:
            model.head = _fit_stored(new("head"), ex, y, HEAD_SETTINGS, _logistic)
        return model
    if method == "prototype":
        return _fit_stored(model, ex, y, PROTOTYPE_SETTINGS, _prototypes)
    return _fit_stored(model, ex, y, HEAD_SETTINGS, _logistic)


HEAD_SETTINGS = ("C", "prefix", "crossed", "cue_scale")
PROTOTYPE_SETTINGS = ("prefix",)


def _logistic(model: StanceModel, ex: pd.DataFrame, y: np.ndarray) -> dict:
    clf = fit_logistic(model.settings["C"], model.features(ex), y)
    return {"W": clf.coef_.T.astype(np.float32), "b": clf.intercept_.astype(np.float32)}


def _prototypes(model: StanceModel, ex: pd.DataFrame, y: np.ndarray) -> dict:
    """One unit-length centroid of the training embeddings per label (scored by cosine)."""
    e = model.embed(ex.input)
    cent = np.stack([e[y == k].mean(0) for k in range(3)])
    return {"W": (cent / np.linalg.norm(cent, axis=1, keepdims=True)).astype(np.float32), "b": np.zeros(3, np.float32)}


def _fit_stored(model: StanceModel, ex: pd.DataFrame, y: np.ndarray, keys, compute) -> StanceModel:
    """Fit the head or the prototypes, or load the weights fitted before on the same inputs:
    safetensors keyed by the encoder, the settings in ``keys`` and the training rows, in the
    cache or shipped in ``analysis/weights/`` (embedding the training set takes minutes)."""
    from safetensors.numpy import load_file, save_file

    h = hashlib.sha256(model.encoder.fingerprint.encode())
    h.update(json.dumps({k: model.settings[k] for k in keys}, sort_keys=True).encode())
    h.update(json.dumps(model.target_names).encode())
    for row in ex[["target", "input", "pejorative", "address"]].itertuples(index=False):
        h.update(("\t".join(map(str, row)) + "\n").encode())
    h.update(y.tobytes())
    path = finetune.stored(f"stance-{model.method}-{h.hexdigest()[:24]}.safetensors")
    if path.exists():
        weights = load_file(path)
    else:
        weights = compute(model, ex, y)
        with atomic_path(path) as tmp:
            save_file(weights, tmp)
    model.W, model.b = weights["W"], weights["b"]
    return model


_MODELS: dict = {}


def load_model(model_name=None, method=None) -> StanceModel:
    """Model fitted on every target of targets.yaml, once per process (the fitted weights and
    the parsed training rows are cached on disk, so a new process loads them in seconds)."""
    from analysis.stance.encoder import load_encoder

    key = (str(model_name), method)
    if key not in _MODELS:
        _MODELS[key] = fit(load_encoder(model_name), mentions.load_targets(), method=method)
    return _MODELS[key]


# ----------------------------------------------------------------------------- scoring
def score(texts: list[str], model: StanceModel, targets: mentions.Targets, registers=None, **find_args):
    """Score every (text, target): ``(table, mention_scores)``.

    ``table`` has one row per text row x target named in it: the *writer's* stance
    (``p_favor, p_against, p_none``, the mean over the text's windows, calibrated for the
    text's register), ``holder`` (``author`` when at least one mention is the writer's own,
    else the source it is attributed to), ``evidence`` (the clause of the most decisive
    mention). ``mention_scores`` has one row per mention with the stance *held by its
    holder*: the writer's for author-held mentions, else the classifier's reading of the
    holder's content ("libérer la région de l'emprise de [Paris]" for a lobby that wants it).
    ``registers``: one per text (news, editorial, forum, comment, or None).
    """
    texts = list(texts)
    found = find(texts, targets, **find_args)
    regs = list(registers) if registers is not None else [None] * len(texts)

    def read(seg):
        p = np.zeros((len(seg), 3), np.float32)
        for reg in dict.fromkeys(regs):
            idx = np.flatnonzero([regs[r] == reg for r in seg.row]) if len(seg) else np.zeros(0, int)
            if len(idx):
                p[idx] = model.predict_proba(seg.iloc[idx], reg)
        seg = seg.assign(p_favor=p[:, 0], p_against=p[:, 1], p_none=p[:, 2])
        return seg.groupby(["row", "target"], sort=False)[["p_favor", "p_against", "p_none"]].mean()

    writer = read(segments(texts, found))
    w = float(model.settings.get("clause_weight", 0))
    if w > 0 and len(found):
        writer = (1 - w) * writer + w * read(clause_segments(found)).reindex(writer.index)
    found = found.join(writer, on=["row", "target"])
    held = held_segments(found)
    if len(held):
        q = model.predict_proba(held, None)
        found.loc[held.row.to_numpy(), ["p_favor", "p_against", "p_none"]] = q
    found["label"] = [LABELS[k] for k in found[["p_favor", "p_against", "p_none"]].to_numpy().argmax(1)] \
        if len(found) else []
    return writer.reset_index(), found


def combine(writer: pd.DataFrame, found: pd.DataFrame, keys: list[str], target_names: list[str],
            index: pd.DataFrame) -> pd.DataFrame:
    """Writer stance per text row -> one row per (keys x target) with holder and evidence."""
    rows = []
    w = {(r.row, r.target): r for r in writer.itertuples(index=False)}
    by = {k: g for k, g in found.groupby(["row", "target"], sort=False)} if len(found) else {}
    for row, rec in enumerate(index[keys].itertuples(index=False)):
        for t in target_names:
            base = dict(zip(keys, rec), target=t)
            g, s = by.get((row, t)), w.get((row, t))
            if g is None or s is None:
                rows.append({**base, "mentioned": False, "n_mentions": 0, "label": "none", "p_favor": 0.0,
                             "p_against": 0.0, "p_none": 1.0, "holder": "", "evidence": ""})
                continue
            p = np.array([s.p_favor, s.p_against, s.p_none])
            decisive = g.loc[(g.p_favor - g.p_against).abs().idxmax()]
            rows.append({**base, "mentioned": True, "n_mentions": len(g), "label": LABELS[int(p.argmax())],
                         "p_favor": p[0], "p_against": p[1], "p_none": p[2],
                         "holder": "author" if (g.holder == "author").any() else decisive.holder,
                         "evidence": decisive.context})
    return pd.DataFrame(rows)


def score_units(units: pd.DataFrame, page=None, model: StanceModel | None = None,
                targets: mentions.Targets | None = None, docs=None):
    """Stance of each unit toward each target (``docs``: the units already parsed).

    Article units are calibrated as news, comment units as comments. Returns
    ``(unit_scores, mention_scores)``: one row per unit x target (columns ``unit_id, part,
    comment_no, target, mentioned, n_mentions, label, p_favor, p_against, p_none, holder,
    evidence``) and one row per mention (the stance held by its holder).
    """
    model = model or load_model()
    targets = targets or mentions.load_targets().subset(model.target_names)
    keys = units.comment_no.fillna(0).astype(int).tolist()
    addressing = {}
    if page is not None:
        addressing = {c.number: bool(c.mentions or c.reply_to) for c in page.comments}
    registers = ["news" if part == "article" else "comment" for part in units.part]
    writer, found = score(units.text.tolist(), model, targets, registers, groups=keys, addressing=addressing,
                          docs=docs, dominant=page is not None)
    table = combine(writer, found, ["unit_id"], targets.names, units)
    table = units[["unit_id", "part", "comment_no"]].merge(table, on="unit_id")
    found = found.assign(unit_id=units.unit_id.to_numpy()[found.row.to_numpy(int)] if len(found) else [])
    found = found.merge(units[["unit_id", "part", "comment_no"]], on="unit_id")
    return table, found


def stance_table(ids, texts, model_name=None, targets=None, method=None, register=None) -> pd.DataFrame:
    """One row per (id, target) for texts given as a whole (the CLI's contract).

    ``register``: news, editorial, forum or comment, for the calibration of *none*; one value
    for every text, a list with one per text, or None (the calibration chosen over all registers).
    """
    targets = targets or mentions.load_targets()
    model = load_model(model_name, method)
    texts = list(texts)
    regs = register if isinstance(register, (list, tuple, pd.Series, np.ndarray)) else [register] * len(texts)
    writer, found = score(texts, model, targets, list(regs))
    index = pd.DataFrame({"id": list(ids)})
    table = combine(writer, found, ["id"], targets.names, index)
    return table[["id", "target", "mentioned", "label", "p_favor", "p_against", "p_none", "holder", "evidence"]]


def lexicon_baseline(ids, texts, targets=None) -> pd.DataFrame:
    """A baseline for the validation report: the lexical cues alone. For each (text, target)
    named, *favor* if the text holds more praise cues than blame and insult cues, *against*
    if fewer, else *none* (same columns as :func:`stance_table`, probabilities 0 or 1)."""
    targets = targets or mentions.load_targets()
    texts = list(texts)
    seg = segments(texts, find(texts, targets))
    cues = cue_features(seg.text, seg.pejorative, seg.address)
    score = cues[:, 0] - cues[:, 1] - cues[:, 2] - cues[:, 4]
    lab = np.where(score > 0, 0, np.where(score < 0, 1, 2))
    onehot = np.eye(3, dtype=np.float32)[lab]
    writer = seg[["row", "target"]].assign(p_favor=onehot[:, 0], p_against=onehot[:, 1], p_none=onehot[:, 2])
    writer = writer.groupby(["row", "target"], sort=False)[["p_favor", "p_against", "p_none"]].mean().reset_index()
    index = pd.DataFrame({"id": list(ids)})
    rows = []
    w = {(r.row, r.target): r for r in writer.itertuples(index=False)}
    for row, i in enumerate(index.id):
        for t in targets.names:
            r = w.get((row, t))
            p = (0.0, 0.0, 1.0) if r is None else (r.p_favor, r.p_against, r.p_none)
            rows.append({"id": i, "target": t, "mentioned": r is not None, "label": LABELS[int(np.argmax(p))],
                         "p_favor": p[0], "p_against": p[1], "p_none": p[2]})
    return pd.DataFrame(rows)


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
STANCE_CHUNK = 128  # texts scored at a time (each text is scored alone): bounded memory, a progress bar


def read_input_csv(path) -> pd.DataFrame:
    """Read the CLI's input: UTF-8 CSV with columns id,text[,register] (``_line``: where each row
    starts). Anything else is a one-line :class:`analysis.errors.CorpusError` with file and line."""
    from analysis.errors import CorpusError
    from analysis.io.pages import MAX_BLOCK_CHARS, read_csv, separator_hint

    path = Path(path)
    if path.suffix.lower() == ".parquet":
        raise CorpusError(path, None, "stance reads a CSV with columns id,text; write the table as CSV")
    df = read_csv(path)  # bytes, quoting, field counts, header-only, control characters
    missing = [c for c in ("id", "text") if c not in df.columns]
    if missing:
        raise CorpusError(path, 1, f"missing column(s) {', '.join(missing)}; the header must hold id,text"
                                   f"{separator_hint(df.columns)}")
    lines = df["_line"].tolist()
    empty = np.flatnonzero((df.id.str.strip() == "").to_numpy())
    if len(empty):
        raise CorpusError(path, lines[empty[0]], "the id is empty; give every row an id")
    dup = np.flatnonzero(df.id.duplicated().to_numpy())
    if len(dup):
        k = dup[0]
        first = lines[int(np.flatnonzero((df.id == df.id.iloc[k]).to_numpy())[0])]
        raise CorpusError(path, lines[k], f"duplicate id {df.id.iloc[k]!r} (first on line {first}); ids must be unique")
    long = np.flatnonzero((df.text.str.len() > MAX_BLOCK_CHARS).to_numpy())
    if len(long):
        raise CorpusError(path, lines[long[0]], f"the text of id {df.id.iloc[long[0]]!r} is longer than "
                                                f"{MAX_BLOCK_CHARS:,} characters; split it into several rows")
    if "register" in df.columns:
        df["register"] = df.register.str.strip().str.lower()
        bad = np.flatnonzero((~df.register.isin(REGISTERS + ("",))).to_numpy())
        if len(bad):
            raise CorpusError(path, lines[bad[0]], f"register must be one of {', '.join(REGISTERS)} or empty, "
                                                   f"not {df.register.iloc[bad[0]]!r}")
    return df


REGISTERS = ("news", "editorial", "forum", "comment")


def stance_csv(input_path, output_path, targets=None, model=None, register=None, progress=None) -> Path:
    """``python -m analysis stance``: CSV id,text[,register] in, one row per (id, target) out.

    The output path, the input and the targets are checked before the model loads; a bad one
    raises a one-line :class:`analysis.errors.AnalysisError`. Texts are scored in chunks of
    ``STANCE_CHUNK`` (the same numbers as all at once) with a progress bar."""
    from tqdm.auto import tqdm

    from analysis.errors import ConfigError
    from analysis.resources import check_output_file, progress_enabled
    from analysis.text.mentions import resolve_targets

    check_output_file(output_path, inputs=[input_path])
    df = read_input_csv(input_path)
    tg = resolve_targets(targets)
    if register is not None and register not in REGISTERS:
        raise ConfigError(f"--register must be one of {', '.join(REGISTERS)}, not {register!r}")
    regs = [register] * len(df)
    if "register" in df.columns:
        regs = [r or register for r in df.register]
    bar = tqdm(total=len(df), desc="stance", unit="text", disable=not progress_enabled(progress))
    parts = []
    try:
        for a in range(0, len(df), STANCE_CHUNK):
            sub = df.iloc[a:a + STANCE_CHUNK]
            parts.append(stance_table(sub.id.tolist(), sub.text.tolist(), model, tg,
                                      register=regs[a:a + STANCE_CHUNK]))
            bar.update(len(sub))
    finally:
        bar.close()
    return write_table(pd.concat(parts, ignore_index=True), output_path)
