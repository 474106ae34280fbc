"""Agreement of the two coding passes, and of the model with their consensus.

Writes both passes in the agreement tool's format to ``second_pass/coded/<set>/`` (committed:
04_validation reads them), the model's keys to ``data/processed/agreement/keys/`` and the
tool's outputs to ``data/processed/agreement/<set>/``
(``analysis.validation.agreement.write_agreement``).

Sets: ``seed_stance`` (sentence x target; first pass ``seed_gold.csv``, second pass
``coder2_seed_stance.csv``), ``dev_ood`` (text x target; a target one pass leaves unlabelled,
i.e. judged not referred to, counts as *none* for the writer), ``seed_frames`` and
``seed_incivility`` (coders 2 and 3: the project had no first pass for these; the model's
frames are zero-shot). The model's key is the pipeline's own output on the seed (``analyze``)
and, for dev_ood, ``stance_table`` per text.
Run: ``python data/annotations/second_pass/make_agreement.py``.
"""
import sys
from pathlib import Path

import pandas as pd

from analysis import analyze
from analysis.stance import stance_table
from analysis.validation import agreement
from analysis.validation.sample import frame_names

HERE = Path(__file__).resolve().parent
ANN = HERE.parent
ROOT = ANN.parents[1]
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"
OUT = ROOT / "data" / "processed" / "agreement"
CODED = HERE / "coded"  # both passes in the agreement tool's format (committed: 04_validation reads them)
TARGETS = ["France", "Russia", "Morocco", "Algeria"]


def _write(df: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    return path


def seed_stance(a):
    first = pd.read_csv(ANN / "seed_gold.csv", keep_default_na=False)
    second = pd.read_csv(HERE / "coder2_seed_stance.csv", keep_default_na=False)
    work = CODED / "seed_stance"
    coders = [_write(d.assign(item_id=d.unit_id + "|" + d.target)[["item_id", "target", "label"]], work / f"{n}.csv")
              for n, d in (("pass1", first), ("pass2", second))]
    key = a.stance.assign(item_id=a.stance.unit_id + "|" + a.stance.target)[["item_id", "target", "label"]]
    return coders, _write(key, OUT / "keys" / "seed_stance.csv"), "stance"


def _ood_long(df: pd.DataFrame) -> pd.DataFrame:
    return df.melt(id_vars=["id"], value_vars=TARGETS, var_name="target", value_name="label")


def dev_ood():
    first = pd.read_csv(ANN / "stance_dev_ood.csv", keep_default_na=False)
    rows = [(r.id, *pair.split(":")) for r in first.itertuples() for pair in r.labels.split()]
    p1 = pd.DataFrame(rows, columns=["id", "target", "label"])
    p2 = _ood_long(pd.read_csv(HERE / "coder2_dev_ood.csv", keep_default_na=False))
    p2 = p2[p2.label != ""]
    items = pd.concat([p1[["id", "target"]], p2[["id", "target"]]]).drop_duplicates()
    work = CODED / "dev_ood"
    coders = []
    for name, p in (("pass1", p1), ("pass2", p2)):
        d = items.merge(p, on=["id", "target"], how="left").fillna({"label": "none"})  # not referred to: none
        coders.append(_write(d.assign(item_id=d.id + "|" + d.target)[["item_id", "target", "label"]], work / f"{name}.csv"))
    texts = first.drop_duplicates("id")
    pred = stance_table(texts.id, texts.text, register=texts.register.tolist())
    key = items.merge(pred[["id", "target", "label"]], on=["id", "target"], how="left").fillna({"label": "none"})
    return coders, _write(key.assign(item_id=key.id + "|" + key.target)[["item_id", "target", "label"]],
                          OUT / "keys" / "dev_ood.csv"), "stance"


def seed_frames_incivility(a):
    frames = frame_names()
    paths = {"frames": [], "incivility": []}
    for name in ("coder2", "coder3"):
        f = HERE / f"{name}_seed_frames_incivility.csv"
        if not f.exists():
            print(f"{f.name} not there yet: frames and incivility agreement skipped", file=sys.stderr)
            return None
        d = pd.read_csv(f, keep_default_na=False, dtype=str)
        chosen = d.frames.str.split(";").apply(lambda xs: {x.strip() for x in xs if x.strip()})
        unknown = sorted(set().union(*chosen) - set(frames))
        if unknown:
            raise SystemExit(f"{f}: unknown frame(s) {unknown}")
        fr = pd.DataFrame({"item_id": d.unit_id, **{k: chosen.apply(lambda s, k=k: "1" if k in s else "0")
                                                    for k in frames}})
        paths["frames"].append(_write(fr, CODED / "seed_frames" / f"{name}.csv"))
        inc = pd.DataFrame({"item_id": d.unit_id, "label": d.uncivil.map({"1": "uncivil", "0": "civil"})})
        paths["incivility"].append(_write(inc, CODED / "seed_incivility" / f"{name}.csv"))
    fkey = _write(pd.DataFrame({"item_id": a.frames.unit_id, "label": a.frames.frame}),
                  OUT / "keys" / "seed_frames.csv")
    ikey = _write(pd.DataFrame({"item_id": a.incivility.unit_id,
                                "label": a.incivility.uncivil.map({True: "uncivil", False: "civil"})}),
                  OUT / "keys" / "seed_incivility.csv")
    return {"seed_frames": (paths["frames"], fkey, "frames"), "seed_incivility": (paths["incivility"], ikey, "incivility")}


def consensus_gold(name: str, coders) -> Path:
    """The consensus gold of a set: items both passes agree on, and the ties as adjudicated in
    ``adjudication.csv`` (every tie must be there). Columns ``item_id, target, label, source``."""
    passes = [pd.read_csv(c, dtype=str, keep_default_na=False).set_index("item_id") for c in coders]
    adj = pd.read_csv(HERE / "adjudication.csv", dtype=str, keep_default_na=False).set_index("item_id")
    rows = []
    for item, r in passes[0].iterrows():
        other = passes[1].loc[item, "label"]
        if r.label == other:
            rows.append((item, r.target, r.label, "agreed"))
        elif item in adj.index:
            rows.append((item, r.target, adj.loc[item, "adjudicated"], "adjudicated"))
        else:
            raise SystemExit(f"{HERE / 'adjudication.csv'}: tie {item} ({r.label} / {other}) not adjudicated")
    return _write(pd.DataFrame(rows, columns=["item_id", "target", "label", "source"]),
                  HERE / f"consensus_{name}.csv")


def main():
    a = analyze(SEED)
    sets = {"seed_stance": seed_stance(a), "dev_ood": dev_ood()}
    sets.update(seed_frames_incivility(a) or {})
    for name in ("seed_stance", "dev_ood"):
        print(f"consensus gold: {consensus_gold(name, sets[name][0])}")
    for name, (coders, key, measure) in sets.items():
        s = agreement.write_agreement(coders, OUT / name, model=key, measure=measure)
        overall = next(r for r in s["alpha"] if r.get("scope", "overall") == "overall")
        print(f"{name}: {s['items']} items, alpha {overall}")


if __name__ == "__main__":
    main()
