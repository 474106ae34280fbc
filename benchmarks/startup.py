"""Start-up, side by side in one run, each in a fresh process with warm caches:

* floor: transformers loading the converted multilingual-e5-small and encoding 2 texts;
* the stance command line on a 2-row CSV;
* ``analyze(seed page)``.

Prints seconds and the ratios to the floor (goals: CLI <= 2x, analyze <= 3x) and the CPU's flags.
Usage: python benchmarks/startup.py [--repeat 2]
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.stance.encoder import bundled_model_dir, cpu_flags

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"
TEXTS = ["Vive l'Algérie libre et souveraine !", "Le Makhzen et ses mensonges, quelle honte."]

FLOOR = f"""
import torch
from transformers import AutoModel, AutoTokenizer
m = AutoModel.from_pretrained({str(bundled_model_dir())!r}, use_safetensors=True)
t = AutoTokenizer.from_pretrained({str(bundled_model_dir())!r})
with torch.inference_mode():
    m(**t(["passage: " + x for x in {TEXTS!r}], padding=True, return_tensors="pt"))
"""


def timed(cmd, cwd) -> float:
    """Wall seconds of one fresh process."""
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if out.returncode:
        raise SystemExit(f"{cmd[:3]} failed: {out.stderr[-2000:]}")
    return secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2, help="runs per command; the fastest counts")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="startup-"))
    (tmp / "in.csv").write_text("id,text\n" + "".join(f'{k},"{t}"\n' for k, t in enumerate(TEXTS)), encoding="utf-8")
    runs = {
        "floor (transformers load + encode 2 texts)": [sys.executable, "-c", FLOOR],
        "stance CLI, 2 texts": [sys.executable, "-m", "analysis", "stance", "--input", "in.csv", "--output", "out.csv"],
        "analyze(seed) fresh process": [sys.executable, "-c", f"from analysis import analyze; analyze({str(SEED)!r})"],
    }
    timed(runs["stance CLI, 2 texts"], tmp)  # warm every cache once
    res = {}
    for name, cmd in runs.items():
        res[name] = min(timed(cmd, tmp) for _ in range(args.repeat))
    floor = res["floor (transformers load + encode 2 texts)"]
    flags = sorted(f for f in cpu_flags() if f.startswith(("avx", "amx")))
    print(f"CPU flags: {' '.join(flags) or 'unknown'}")
    for name, secs in res.items():
        print(f"{name:45s} {secs:6.1f} s  {secs / floor:4.1f}x floor")


if __name__ == "__main__":
    main()
