"""Check a register CSV: columns, values, and that every target the mention finder sees has a label.

Usage: .venv/bin/python data/annotations/registers/check.py FILE [FILE ...]
"""
import csv
import re
import sys
from collections import Counter
from pathlib import Path

REGISTERS = {"news", "editorial", "forum", "comment"}
LANGS = {"fr", "en", "ar", "ary", "ary-latn", "mixed"}
PHENOMENA = {"event_none", "minimal_neutral", "minimal_eval", "connotation", "contrast", "loss_regret",
             "vulgar_pride", "anaphora", "attribution", "sarcasm", "insult", "praise", "criticism",
             "negation", "question", "neutral_mention"}
TARGETS = {"France", "Russia", "Morocco", "Algeria"}
LABELS = {"favor", "against", "none"}
COLUMNS = ["id", "register", "lang", "phenomenon", "labels", "attributed", "text"]


def check(path: Path) -> list[str]:
    from analysis.text import mentions, nlp

    errors, rows = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != COLUMNS:
            return [f"{path}:1: header must be {','.join(COLUMNS)}"]
        for row in reader:
            rows.append((reader.line_num, row))
    ids = Counter(r["id"] for _, r in rows)
    targets = mentions.load_targets()
    docs = nlp.french().pipe([r["text"] for _, r in rows])
    stats = Counter()
    for (line, r), doc in zip(rows, docs):
        where = f"{path}:{line}"
        if ids[r["id"]] > 1:
            errors.append(f"{where}: duplicate id {r['id']}")
        for col, allowed in (("register", REGISTERS), ("lang", LANGS), ("phenomenon", PHENOMENA)):
            if r[col] not in allowed:
                errors.append(f"{where}: {col} {r[col]!r} not in {sorted(allowed)}")
        labels = {}
        for pair in r["labels"].split():
            t, _, lab = pair.partition(":")
            if t not in TARGETS or lab not in LABELS:
                errors.append(f"{where}: bad label pair {pair!r}")
            labels[t] = lab
            stats[(r["register"], t, lab)] += 1
        if not labels:
            errors.append(f"{where}: no labels")
        for pair in r["attributed"].split():
            if not re.fullmatch(r"(France|Russia|Morocco|Algeria):(favor|against|none)@[\w-]+", pair):
                errors.append(f"{where}: bad attributed pair {pair!r}")
        seen = {m["target"] for m in mentions.find_mentions(doc, targets)}
        for t in sorted(seen - set(labels)):
            errors.append(f"{where}: the text names {t} but has no label for it")
        words = len(r["text"].split())
        if not 5 <= words <= 120:
            errors.append(f"{where}: {words} words (5-120 expected)")
    print(f"{path}: {len(rows)} texts")
    for reg in sorted({k[0] for k in stats}):
        print(f"  {reg}: " + "  ".join(
            f"{t} " + "/".join(str(stats[(reg, t, lab)]) for lab in ("favor", "against", "none"))
            for t in sorted(TARGETS)) + "   (favor/against/none)")
    return errors


if __name__ == "__main__":
    errs = [e for f in sys.argv[1:] for e in check(Path(f))]
    print("\n".join(errs) or "OK")
    sys.exit(1 if errs else 0)
