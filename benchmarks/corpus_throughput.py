"""Corpus throughput and peak memory, local vs a Dask LocalCluster, side by side.

For N synthetic comments (analysis/io/synthetic.py: random draws of the project's own
annotation sentences, 20 comments per article; stated as synthetic), each configuration
runs `python -m analysis corpus` in a fresh process with a cold embedding cache (the
converted model is shared). Peak memory is the largest sum of RSS over the whole process
tree (workers included), sampled every 0.5 s. Usage:
    python benchmarks/corpus_throughput.py [N ...]     (default: 1000 10000)
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

from analysis.io.synthetic import synthetic_corpus
from analysis.pipeline import batch
from analysis.resources import cache_dir

ROOT = Path(__file__).resolve().parents[1]


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(corpus: Path, out: Path, workers: int) -> dict:
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    (cache / "models").symlink_to(cache_dir("models"))  # cold embeddings, converted model reused
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "analysis", "corpus", str(corpus), "--out", str(out), "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ps, peak = psutil.Process(proc.pid), [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(ps))
            time.sleep(0.5)

    t = threading.Thread(target=sample)
    t.start()
    rc = proc.wait()
    t.join()
    secs = time.perf_counter() - start
    if rc:
        raise SystemExit(f"{' '.join(cmd)} failed ({rc})")
    units = batch.read(out, "units")
    words = int(units.text.str.split().str.len().sum())  # whitespace tokens
    return {"seconds": secs, "units": len(units), "words": words, "peak_mb": peak[0] / 2**20}


def main(sizes):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = Path(tmp, f"corpus-{n}")
            synthetic_corpus(corpus, n_comments=n, per_article=20, seed=0)
            for label, workers in (("local (1 process)", 1), ("Dask LocalCluster (2 workers)", 2)):
                r = measure(corpus, Path(tmp, f"out-{n}-{workers}"), workers)
                rows.append({"N comments": n, "run": label, **r})
                print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    df["units/s"] = df.units / df.seconds
    df["words/s"] = df.words / df.seconds
    print()
    print(df[["N comments", "run", "units", "seconds", "units/s", "words/s", "peak_mb"]].round(1).to_string(index=False))
    base = df[df["run"].str.startswith("local")].set_index("N comments")
    dask = df[df["run"].str.startswith("Dask")].set_index("N comments")
    print("\nDask / local speed-up:", (base.seconds / dask.seconds).round(2).to_dict())
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        for label, part in (("local", base), ("Dask", dask)):
            marginal = (part.seconds[hi] - part.seconds[lo]) / (part.units[hi] - part.units[lo]) * 1000
            print(f"{label}: time ratio {hi}/{lo} comments = {part.seconds[hi] / part.seconds[lo]:.2f} "
                  f"(linear would be {hi / lo:.0f}; the rest is start-up), marginal {marginal:.1f} ms/unit; "
                  f"peak memory ratio {part.peak_mb[hi] / part.peak_mb[lo]:.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
