"""The encoder fine-tuned as a target-aware stance classifier (``method: finetune``).

Input: ``query: <target>: <text>`` with that target's mentions in square brackets, so one
text naming two targets gives two inputs ("Vive [l'Algérie], à bas le Makhzen" vs "Vive
l'Algérie, à bas le [Makhzen]"); long texts are read in windows around the mentions. Model: the
encoder's transformer layers (word embeddings frozen) and a linear layer on the output pooled
twice, over the whole input and over the bracketed mentions (``pooling: text+mention``): the
mean over the whole input barely differs between the two inputs of a two-target text, and a
model reading only it gives one target's stance to the other; trained with class-balanced cross-
entropy on ``data/annotations/stance_train.csv``. Training is seeded and takes a few
minutes on two CPU cores; the result is stored once in the cache
(``models/stance-finetuned-<hash>.safetensors``, keyed by the base model, the training
inputs and the settings) and loaded from there afterwards.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import numpy as np

from analysis.paths import WEIGHTS_DIR
from analysis.resources import atomic_path, cache_dir
from analysis.text import lexicon

SETTINGS = ("epochs", "learning_rate", "head_learning_rate", "batch_size", "max_tokens", "seed", "frozen_layers",
            "pooling")
POOLINGS = ("text", "text+mention", "mention")
POOL = 50  # batches per length pool (``_batches``)
BATCHING = f"length-pools-{POOL}"  # part of the cache key: how training batches are formed
WINDOW = 300  # a text longer than twice this is read in windows of this many characters around each mention


def input_text(target: str, text: str) -> str:
    """The classifier's input: the target's label, then the text (or window) with that
    target's mentions bracketed (``stance.segments``), masked obscenities written out."""
    return f"query: {target}: {lexicon.incivility_words().unmask(text)}"


class StanceClassifier:
    """Encoder + linear head over the three stance labels (favor, against, none)."""

    def __init__(self, model, tokenizer, max_tokens: int, pooling: str = "text"):
        import torch

        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, not {pooling!r}")
        self.model, self.tokenizer, self.max_tokens, self.pooling = model, tokenizer, max_tokens, pooling
        self.head = torch.nn.Linear(model.config.hidden_size * (2 if pooling == "text+mention" else 1), 3)
        self.cache = None  # an EmbeddingCache of probabilities, set for stored weights (load_or_train)

    def logits(self, texts, pad_to: int | None = None):
        import torch

        texts = list(texts)
        batch = self.tokenizer(texts, padding="max_length" if pad_to else True, truncation=True,
                               max_length=pad_to or self.max_tokens, return_tensors="pt",
                               return_offsets_mapping=self.pooling != "text")
        hidden = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        if self.pooling == "text":
            return self.head(pooled)
        marked = mention_mask(texts, batch["offset_mapping"]).unsqueeze(-1).to(hidden.dtype) * mask
        n = marked.sum(1)
        at_mentions = torch.where(n > 0, (hidden * marked).sum(1) / n.clamp(min=1), pooled)
        return self.head(at_mentions if self.pooling == "mention" else torch.cat([pooled, at_mentions], -1))

    def predict_proba(self, texts, batch_size: int = 32) -> np.ndarray:
        """(n, 3) probabilities; each distinct input is read once, and inputs the cache holds
        (the same weights read them before, in this process or an earlier one) are not read again."""
        texts = list(texts)
        unique = list(dict.fromkeys(texts))
        known = self.cache.get("stance", unique) if self.cache is not None else {}
        todo = [t for i, t in enumerate(unique) if i not in known]
        fresh = self._read(todo, batch_size)
        if self.cache is not None and todo:
            self.cache.put("stance", todo, fresh)
        rows = {**{unique[i]: v for i, v in known.items()}, **dict(zip(todo, fresh))}
        return np.array([rows[t] for t in texts], np.float32).reshape(len(texts), 3)

    def _read(self, texts: list[str], batch_size: int) -> np.ndarray:
        import torch

        from analysis.stance.encoder import padded_length

        self.model.eval()
        if not texts:
            return np.zeros((0, 3), np.float32)
        lengths = [len(ids) for ids in self.tokenizer(texts, truncation=True, max_length=self.max_tokens)["input_ids"]]
        buckets: dict[int, list[int]] = {}  # padded like the encoder: results independent of batch-mates
        for i, n in enumerate(lengths):
            buckets.setdefault(min(padded_length(n), self.max_tokens), []).append(i)
        out = np.zeros((len(texts), 3), np.float32)
        with torch.inference_mode():
            for pad, idx in buckets.items():
                for k in range(0, len(idx), batch_size):
                    part = idx[k:k + batch_size]
                    out[part] = torch.softmax(self.logits([texts[i] for i in part], pad), -1).float().numpy()
        return out

    def trainable(self, frozen_layers: int = 0) -> dict:
        """Parameters that training changes: everything but the word embeddings, and with
        ``frozen_layers`` also the other embeddings and the lowest layers (they stay as in the
        base model, which ``load_trainable`` starts from)."""
        frozen = ("embeddings.",) + tuple(f"encoder.layer.{i}." for i in range(frozen_layers)) if frozen_layers else ()
        state = {f"encoder.{k}": v for k, v in self.model.state_dict().items()
                 if "word_embeddings" not in k and not k.startswith(frozen)}
        state.update({f"head.{k}": v for k, v in self.head.state_dict().items()})
        return state

    def load_trainable(self, state: dict) -> None:
        self.model.load_state_dict({k[8:]: v for k, v in state.items() if k.startswith("encoder.")}, strict=False)
        self.head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})


BRACKETED = re.compile(r"\[[^\[\]]*\]")


def mention_mask(texts: list[str], offsets):
    """(batch, tokens) 1 where a token overlaps a bracketed mention, brackets included: the
    tokens the ``text+mention`` pooling reads. A text without brackets (a target it does not
    name) has none, and that pooling falls back to the whole input."""
    import torch

    off = offsets.numpy()
    out = np.zeros(off.shape[:2], np.float32)
    for i, text in enumerate(texts):
        spans = np.array([m.span() for m in BRACKETED.finditer(text)]).reshape(-1, 2)
        a, b = off[i, :, :1], off[i, :, 1:]  # (tokens, 1) against (spans,)
        out[i] = ((b > a) & (a < spans[:, 1]) & (spans[:, 0] < b)).any(1)
    return torch.from_numpy(out)


def stored(name: str) -> Path:
    """Where trained weights called ``name`` are: the cache if they were trained here, else the
    copy shipped with the package (``analysis/weights/``, trained from the same inputs and
    settings; the name is a hash of both), else the cache path to train them into."""
    cached = cache_dir("models") / name
    shipped = WEIGHTS_DIR / name
    return shipped if not cached.exists() and shipped.exists() else cached


def _key(encoder, texts, labels, settings) -> str:
    h = hashlib.sha256(encoder.fingerprint.encode())
    h.update(json.dumps({k: settings.get(k, 0) for k in SETTINGS}, sort_keys=True).encode())
    h.update(BATCHING.encode())
    for text, label in zip(texts, labels):
        h.update(f"{label}\t{text}\n".encode())
    return h.hexdigest()[:24]


def _base(encoder, settings) -> StanceClassifier:
    """A float32 copy of the encoder (the encoder itself keeps serving embeddings). What training
    never changes (the word embeddings; with ``frozen_layers`` also the other embeddings and the
    lowest layers) is shared with the encoder when it is float32 too: the word embeddings alone
    are 250,002 x 384 floats (366 MiB) not held twice."""
    import torch

    model, frozen = encoder.model, int(settings.get("frozen_layers", 0))
    kept = [model.get_input_embeddings().weight]
    if frozen:
        kept += list(model.embeddings.parameters())
        kept += [p for layer in model.encoder.layer[:frozen] for p in layer.parameters()]
    memo = {id(p): p for p in kept} if kept[0].dtype == torch.float32 else {}
    return StanceClassifier(copy.deepcopy(encoder.model, memo).float(), encoder.tokenizer, int(settings["max_tokens"]),
                            settings.get("pooling", "text"))


def train(encoder, texts: list[str], labels: list[int], settings: dict, progress: bool = True) -> StanceClassifier:
    """Fine-tune a copy of ``encoder`` on (input text, label index) pairs; seeded."""
    import torch
    from tqdm.auto import tqdm

    torch.manual_seed(int(settings["seed"]))
    clf = _base(encoder, settings)
    clf.model.train()
    for p in clf.model.get_input_embeddings().parameters():
        p.requires_grad = False
    frozen = int(settings.get("frozen_layers", 0))
    if frozen:  # the embeddings and the lowest layers keep the pretrained weights; backward stops above them
        for p in clf.model.embeddings.parameters():
            p.requires_grad = False
        for layer in clf.model.encoder.layer[:frozen]:
            for p in layer.parameters():
                p.requires_grad = False
    body = [p for p in clf.model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": body, "lr": float(settings["learning_rate"])},
                             {"params": clf.head.parameters(), "lr": float(settings["head_learning_rate"])}],
                            weight_decay=0.01)
    y = torch.tensor(labels)
    counts = np.bincount(labels, minlength=3).clip(min=1)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(len(labels) / (3 * counts), dtype=torch.float32))
    size, epochs = int(settings["batch_size"]), int(settings["epochs"])
    pool = POOL * size
    steps = epochs * sum(-(-min(pool, len(texts) - k) // size) for k in range(0, len(texts), pool))
    warmup = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps))
    order = torch.Generator().manual_seed(int(settings["seed"]))
    bar = tqdm(total=steps, desc="fine-tuning the stance model", unit="batch", disable=not progress)
    lengths = [len(ids) for ids in clf.tokenizer(list(texts), truncation=True, max_length=clf.max_tokens)["input_ids"]]
    for _ in range(epochs):
        for idx in _batches(torch.randperm(len(texts), generator=order).tolist(), lengths, size, order):
            loss = loss_fn(clf.logits([texts[i] for i in idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
    bar.close()
    clf.model.eval()
    return clf


def _batches(perm: list[int], lengths: list[int], size: int, generator, pool: int = POOL) -> list[list[int]]:
    """Batches of similar length (less padding, same examples): the shuffled order is cut
    into pools of ``pool`` batches, each pool sorted by length and cut into batches, and the
    batches are shuffled again; seeded like the rest of training."""
    import torch

    batches = []
    for k in range(0, len(perm), size * pool):
        chunk = sorted(perm[k:k + size * pool], key=lambda i: (lengths[i], i))
        batches += [chunk[j:j + size] for j in range(0, len(chunk), size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def load_or_train(encoder, texts: list[str], labels: list[int], settings: dict) -> StanceClassifier:
    """The fine-tuned classifier for these training inputs, from the cache or trained now."""
    from safetensors.torch import load_file, save_file

    from analysis.stance.encoder import EmbeddingCache

    key = _key(encoder, texts, labels, settings)
    path = stored(f"stance-finetuned-{key}.safetensors")
    if path.exists():
        clf = _base(encoder, settings)
        clf.load_trainable(load_file(path))
        clf.model.eval()
    else:
        clf = train(encoder, texts, labels, settings)
        with atomic_path(path) as tmp:  # stored like the logistic head (stance._fit_stored)
            save_file({k: v.contiguous() for k, v in clf.trainable(int(settings.get("frozen_layers", 0))).items()}, tmp)
    if encoder.cached:  # the key names these weights (and the encoder, dtype included, they were copied from)
        clf.cache = EmbeddingCache(f"stance-{key}")
    return clf
