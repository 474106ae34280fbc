"""Corpus throughput and peak memory, side by side in one run: this checkout (local, and a Dask
LocalCluster) against a baseline commit of the code in a git worktree.

For N synthetic comments (analysis/io/synthetic.py: random draws of the project's own
annotation sentences, 20 comments per article; stated as synthetic), each configuration
runs `python -m analysis corpus` in a fresh process with cold caches of embeddings and stance
probabilities (the converted and fine-tuned models are reused: the baseline's are made once,
untimed, in a cache of its own). The corpus repeats sentences (``distinct`` counts the unit
texts told apart): what a cache holds is served from it, in this checkout for both the
embeddings and the stance classifier, in the baseline for the embeddings only. Peak memory is
the largest sum of RSS over the whole process tree (workers included), sampled every 0.5 s.
The baseline defaults to 85d0118, the code when the speed issue (#14) was filed; both read the
same corpus files with the same Python packages. Usage:
    python benchmarks/corpus_throughput.py [N ...] [--baseline COMMIT | --no-baseline] [--no-dask]
    (default N: 1000 10000)
"""
import argparse
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


BASELINE = "85d0118"


def baseline_checkout(commit: str) -> tuple[Path, Path]:
    """A worktree of ``commit`` (made once, kept under the cache) and its models folder, with the
    baseline's own converted and fine-tuned models made there (untimed)."""
    home = cache_dir("benchmarks", f"baseline-{commit}")
    tree, models = home / "tree", home / "cache" / "models"
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True)
    models.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(models.parent), "PYTHONPATH": str(tree)}
    print(f"baseline {commit}: making its models once (untimed)", flush=True)
    subprocess.run([sys.executable, "-m", "analysis", "model"], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return tree, models


def measure(corpus: Path, out: Path, workers: int, code: Path = ROOT, models: Path | None = None) -> dict:
    cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    (cache / "models").symlink_to(models or cache_dir("models"))  # cold embeddings, models reused
    env = {**os.environ, "ANALYSIS_CACHE_DIR": str(cache), "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-m", "analysis", "corpus", str(corpus), "--out", str(out), "--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps, peak = psutil.Process(proc.pid), [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(ps))
            time.sleep(0.5)

    t = threading.Thread(target=sample)
    t.start()
    err = proc.stderr.read().decode(errors="replace")  # progress bars; drained so the pipe never fills
    rc = proc.wait()
    t.join()
    secs = time.perf_counter() - start
    if rc:
        raise SystemExit(f"{' '.join(cmd)} failed ({rc}): {err.strip().splitlines()[-1:]}")
    units = batch.read(out, "units")
    words = int(units.text.str.split().str.len().sum())  # whitespace tokens
    return {"seconds": secs, "units": len(units), "distinct": units.text.nunique(), "words": words,
            "peak_mb": peak[0] / 2**20}


def main(sizes, baseline: str | None, dask: bool):
    runs = [("local (1 process)", 1, ROOT, None)] + ([("Dask LocalCluster (2 workers)", 2, ROOT, None)] if dask else [])
    if baseline:
        tree, models = baseline_checkout(baseline)
        runs.append((f"baseline {baseline} (1 process)", 1, tree, models))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = Path(tmp, f"corpus-{n}")
            synthetic_corpus(corpus, n_comments=n, per_article=20, seed=0)
            for k, (label, workers, code, models) in enumerate(runs):
                r = measure(corpus, Path(tmp, f"out-{n}-{k}"), workers, code, models)
                rows.append({"N comments": n, "run": label, **r})
                print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    df["units/s"] = df.units / df.seconds
    df["words/s"] = df.words / df.seconds
    print()
    print(df[["N comments", "run", "units", "distinct", "seconds", "units/s", "words/s", "peak_mb"]].round(1)
          .to_string(index=False))
    print("(distinct: unit texts told apart; the corpus draws its sentences from the training texts, so at 10,000 "
          "comments most units repeat an earlier one, and the embedding and stance caches serve them)")
    by = {label: df[df["run"].str.startswith(label)].set_index("N comments") for label in ("local", "Dask", "baseline")}
    base = by["local"]
    if baseline:
        print(f"\nthis checkout / baseline {baseline}, units/s (same units, same run):",
              (base["units/s"] / by["baseline"]["units/s"]).round(2).to_dict())
    if dask:
        print("Dask / local speed-up:", (base.seconds / by["Dask"].seconds).round(2).to_dict())
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        for label, part in [("local", base)] + ([("Dask", by["Dask"])] if dask else []):
            marginal = (part.seconds[hi] - part.seconds[lo]) / (part.units[hi] - part.units[lo]) * 1000
            print(f"{label}: time ratio {hi}/{lo} comments = {part.seconds[hi] / part.seconds[lo]:.2f} "
                  f"(linear would be {hi / lo:.0f}; the rest is start-up), marginal {marginal:.1f} ms/unit; "
                  f"peak memory ratio {part.peak_mb[hi] / part.peak_mb[lo]:.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", type=int, nargs="*", default=[1000, 10000])
    ap.add_argument("--baseline", default=BASELINE, help="commit to compare with (a git worktree)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-dask", action="store_true")
    a = ap.parse_args()
    main(a.sizes, None if a.no_baseline else a.baseline, not a.no_dask)
