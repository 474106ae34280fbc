"""Large inputs: time against size, side by side in one run, for the steps whose cost could grow
faster than the text (reading the page, sentence units with spaCy, target mentions with holders),
and the whole analysis of one long comment.

* a page dump of S MB (the seed's article, then many comments written by repeating the seed's
  comments), S in --page-mb (default 1.25 2.5 5): read, sentence units, each unit parsed once
  (as ``analyze`` does) and mentions with holders on those Docs; seconds per MB at each size
  (linear when they stay flat);
* one comment of --comment-mb MB (default 0.25 0.5 1): ``analyze`` end to end (encoder included).
Usage: python benchmarks/large_inputs.py [--page-mb 1.25 2.5 5] [--comment-mb 0.25 0.5 1]
"""
import argparse
import tempfile
import time
from pathlib import Path

from analysis import analyze
from analysis.io.pages import load_page
from analysis.stance import classifier
from analysis.text import mentions, nlp
from analysis.text.units import units

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"


def page_of(mb: float, folder: Path) -> Path:
    """The seed's text with its comment block repeated until the file is ``mb`` MB, comments renumbered."""
    raw = SEED.read_text(encoding="utf-8")
    head, _, tail = raw.partition("\n  1. ")
    comments = ("  1. " + tail).split("\n\n")
    bodies = [c.split(". ", 1)[1] if ". " in c[:8] else c for c in comments if c.strip()]
    out, k = [head.rstrip() + "\n\n"], 0
    size = len(out[0].encode())
    while size < mb * 1e6:
        text = f"  {k + 1}. {bodies[k % len(bodies)].strip()}\n\n"
        out.append(text)
        size += len(text.encode())
        k += 1
    path = folder / f"page_{mb}MB.txt"
    path.write_text("".join(out), encoding="utf-8")
    return path


def comment_of(mb: float, folder: Path) -> Path:
    """The seed page with its six comments replaced by one comment of ``mb`` MB (its lines repeated)."""
    raw = SEED.read_text(encoding="utf-8")
    head, _, tail = raw.partition("\n  1. ")
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip() and not ln.strip()[:3].rstrip(".").isdigit()]
    body, k = [], 0
    while sum(len(x) + 1 for x in body) < mb * 1e6:
        body.append(lines[k % len(lines)])
        k += 1
    path = folder / f"comment_{mb}MB.txt"
    path.write_text(head.rstrip() + "\n\n  1. " + "\n    ".join(body) + "\n", encoding="utf-8")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--page-mb", type=float, nargs="*", default=[1.25, 2.5, 5.0])
    ap.add_argument("--comment-mb", type=float, nargs="*", default=[0.25, 0.5, 1.0])
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="large-"))
    targets = mentions.load_targets()
    print("page dumps: read + sentence units + mentions and holders (no encoder)")
    for mb in args.page_mb:
        path = page_of(mb, tmp)
        t0 = time.perf_counter()
        page = load_page(path)
        t1 = time.perf_counter()
        u = units(page, progress=False)
        t2 = time.perf_counter()
        docs = nlp.docs(u.text.tolist())
        t3 = time.perf_counter()
        found = classifier.find(u.text.tolist(), targets, groups=u.comment_no.fillna(0).astype(int).tolist(),
                                docs=docs, dominant=True)
        t4 = time.perf_counter()
        total = t4 - t0
        print(f"  {mb:5.2f} MB  {len(page.comments):6d} comments {len(u):7d} units {len(found):6d} mentions  "
              f"read {t1 - t0:5.1f} s  units {t2 - t1:6.1f} s  unit docs {t3 - t2:6.1f} s  mentions {t4 - t3:6.1f} s  "
              f"total {total:6.1f} s  = {total / mb:5.1f} s/MB")
    print("one long comment: analyze() end to end")
    for mb in args.comment_mb:
        path = comment_of(mb, tmp)
        t0 = time.perf_counter()
        a = analyze(path)
        secs = time.perf_counter() - t0
        print(f"  {mb:5.2f} MB  {len(a.units):6d} units  {secs:7.1f} s  = {secs / mb:6.1f} s/MB")


if __name__ == "__main__":
    main()
