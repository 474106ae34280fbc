"""Coder agreement (analysis/validation/agreement.py): alpha from the krippendorff package,
Label Studio exports, one-line errors for bad coder files, and sample -> agreement end to end."""
import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from test_sample import write_report  # tests/validation is on sys.path (pytest prepend mode)

from analysis.__main__ import main
from analysis.errors import CorpusError
from analysis.pipeline.sampling import write_sample
from analysis.validation import agreement as agr
from analysis.validation import sample as smp

LABELS = ["favor", "against", "none"]


def coder(name, labels, targets=None):
    ids = [f"s{i + 1:04d}" for i in range(len(labels))]
    return pd.DataFrame({"item_id": ids, "target": targets or ["Algeria"] * len(labels),
                         "label": [np.nan if v is None else v for v in labels], "coder": name})


def test_alpha_matches_krippendorff_on_random_inputs():
    rng = np.random.default_rng(0)
    for trial in range(20):
        n_coders, n_items = rng.integers(2, 5), rng.integers(5, 40)
        m = rng.integers(0, 3, (n_coders, n_items)).astype(float)
        m[rng.random(m.shape) < 0.15] = np.nan  # some gaps
        coders = [pd.DataFrame({"item_id": [f"i{j:03d}" for j in range(n_items)], "target": "T",
                                "label": [np.nan if np.isnan(v) else LABELS[int(v)] for v in row], "coder": f"c{i}"})
                  for i, row in enumerate(m)]
        ours = agr.alpha_table(coders, n_boot=20).alpha.iloc[0]
        ref = krippendorff.alpha(reliability_data=m, level_of_measurement="nominal")
        assert ours == pytest.approx(ref, abs=1e-12), trial


def test_alpha_by_hand():
    # 2 coders, 10 items, nominal:
    #   A: a a a a a b b b b b
    #   B: a a a a b b b b b a
    # coincidences: o_aa = 2*4 = 8, o_bb = 8, o_ab = o_ba = 2 (items 5 and 10); n = 20, n_a = n_b = 10
    # D_o = (o_ab + o_ba) / n = 4/20 = 0.2
    # D_e = 2 * n_a * n_b / (n (n - 1)) = 200/380
    # alpha = 1 - D_o / D_e = 1 - 0.2 * 380/200 = 1 - 0.38 = 0.62
    a = coder("A", ["favor"] * 5 + ["against"] * 5)
    b = coder("B", ["favor"] * 4 + ["against"] * 5 + ["favor"])
    table = agr.alpha_table([a, b], n_boot=200, seed=1)
    assert table.alpha.iloc[0] == pytest.approx(0.62)
    assert table.ci_low.iloc[0] <= 0.62 <= table.ci_high.iloc[0]
    assert table.equals(agr.alpha_table([a, b], n_boot=200, seed=1))  # seeded
    assert agr.alpha_table([a, a], n_boot=10).alpha.iloc[0] == 1.0


def test_per_target_alpha_pairwise_and_consensus():
    t = ["Algeria"] * 4 + ["Morocco"] * 4
    a = coder("A", ["favor", "favor", "against", "none", "none", "against", "against", "favor"], t)
    b = coder("B", ["favor", "favor", "against", "none", "against", "against", "none", "favor"], t)
    c = coder("C", ["favor", "against", "against", "none", "favor", "against", "none", "favor"], t)
    table = agr.alpha_table([a, b, c], n_boot=50)
    assert list(table.scope) == ["overall", "target", "target"] and list(table.value) == ["", "Algeria", "Morocco"]
    alg = table[table.value == "Algeria"].alpha.iloc[0]
    m = np.array([[0, 0, 1, 2], [0, 0, 1, 2], [0, 1, 1, 2]], float)
    assert alg == pytest.approx(krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"))
    pairs = agr.pairwise([a, b, c])
    ab = pairs[(pairs.coder_a == "A") & (pairs.coder_b == "B")]
    assert ab.n.sum() == 8 and ab[ab.value_a == ab.value_b].n.sum() == 6
    cons, adj = agr.consensus([a, b, c])
    assert list(adj.item_id) == ["s0005"]  # none / against / favor: a three-way tie
    assert dict(zip(cons.item_id, cons.label))["s0002"] == "favor"
    assert dict(zip(cons.item_id, cons.votes))["s0002"] == 2
    _, adj2 = agr.consensus([a, b])  # two coders: every disagreement is a tie
    assert list(adj2.item_id) == ["s0005", "s0007"] and list(adj2.A) == ["none", "against"]


def labelstudio_export(coders: dict[int, list[str]], ids, choices_name="label"):
    """An export as Label Studio writes it (JSON, one task per item, one annotation per annotator)."""
    tasks = []
    for k, item in enumerate(ids):
        anns = [{"id": 100 * k + who, "completed_by": who, "was_cancelled": False, "ground_truth": False,
                 "lead_time": 4.2, "created_at": "2024-05-01T10:00:00.000000Z",
                 "result": [{"id": f"r{k}{who}", "type": "choices", "from_name": choices_name, "to_name": "text",
                             "origin": "manual",
                             "value": {"choices": labels[k] if isinstance(labels[k], list) else [labels[k]]}}]}
                for who, labels in coders.items()]
        anns.append({"id": 9999 + k, "completed_by": 7, "was_cancelled": True, "result": []})  # skipped: ignored
        tasks.append({"id": 1000 + k, "data": {"item_id": item, "target": "Algeria", "text": "..."},
                      "annotations": anns, "predictions": [], "project": 3})
    return tasks


def test_labelstudio_round_trip(tmp_path):
    ids = [f"s{i + 1:04d}" for i in range(6)]
    a = ["favor", "against", "none", "none", "favor", "against"]
    b = ["favor", "against", "none", "favor", "favor", "none"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(labelstudio_export({1: a, 2: b}, ids)), encoding="utf-8")
    coders = agr.read_coders([path])
    assert [c.coder.iloc[0] for c in coders] == ["export:1", "export:2"]
    assert list(coders[0].label) == a and list(coders[1].label) == b
    # the same labels in coder CSVs give the same alpha
    for name, labels in (("a", a), ("b", b)):
        pd.DataFrame({"item_id": ids, "target": "Algeria", "label": labels}).to_csv(tmp_path / f"{name}.csv",
                                                                                    index=False)
    from_csv = agr.read_coders([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert agr.alpha_table(coders, n_boot=30).alpha.iloc[0] == agr.alpha_table(from_csv, n_boot=30).alpha.iloc[0]
    # a mix of one export per annotator and a CSV
    one = tmp_path / "one.json"
    one.write_text(json.dumps(labelstudio_export({5: a}, ids)), encoding="utf-8")
    mixed = agr.read_coders([one, tmp_path / "b.csv"])
    assert [c.coder.iloc[0] for c in mixed] == ["one", "b"]


def test_labelstudio_frames(tmp_path):
    ids = ["f0001", "f0002", "f0003"]
    path = tmp_path / "frames.json"
    path.write_text(json.dumps(labelstudio_export({1: [["security"], ["economy", "morality"], []],
                                                   2: [["security"], ["economy"], ["identity"]]}, ids, "frames")))
    assert agr.guess_measure([path]) == "frames"
    c1, c2 = agr.read_coders([path], "frames")
    assert c1.set_index("item_id").loc["f0002", ["economy", "morality", "security"]].tolist() == ["1", "1", "0"]
    assert (c1.set_index("item_id").loc["f0003", smp.frame_names()] == "0").all()  # no frame chosen
    table = agr.alpha_table([c1, c2], n_boot=20)
    assert table.scope.tolist() == ["overall"] + ["frame"] * len(smp.frame_names())


@pytest.mark.parametrize("edit, message", [
    (lambda df: df.assign(label=["favor", "maybe", "none", "none"]), r"b\.csv:3: item s0002: unknown label 'maybe'"),
    (lambda df: pd.concat([df, df.iloc[[1]]]), r"b\.csv:6: duplicate item s0002 \(also on line 3\)"),
    (lambda df: df.iloc[:3], r"b\.csv: coder b: missing item s0004"),
    (lambda df: df.assign(label=["favor", "", "none", "none"]), r"b\.csv:3: item s0002 has no label"),
    (lambda df: df.drop(columns="label"), r"b\.csv:1: no label column"),
])
def test_bad_coder_files(tmp_path, capsys, edit, message):
    good = pd.DataFrame({"item_id": ["s0001", "s0002", "s0003", "s0004"], "target": "Algeria",
                         "label": ["favor", "against", "none", "none"]})
    good.to_csv(tmp_path / "a.csv", index=False)
    edit(good).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(CorpusError, match=message):
        agr.read_coders([tmp_path / "a.csv", tmp_path / "b.csv"])
    assert main(["agreement", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(tmp_path / "b.csv") in err


def test_bad_labelstudio_export(tmp_path):
    ids = ["s0001", "s0002"]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(labelstudio_export({1: ["favor", "pro"], 2: ["favor", "none"]}, ids)))
    with pytest.raises(CorpusError, match=r"x\.json: task 2: item s0002: unknown label 'pro'"):
        agr.read_coders([path])
    path.write_text('[{"data": {"item_id": "s1"}, "annotations": [}')
    with pytest.raises(CorpusError, match=r"x\.json:1: not valid JSON"):
        agr.read_coders([path, path])


def test_sample_then_agreement_end_to_end(tmp_path, capsys):
    src = write_report(tmp_path / "report")
    out = tmp_path / "sample"
    assert main(["sample", str(src), "--n", "24", "--out", str(out), "--seed", "2"]) == 0
    sheet = pd.read_csv(out / "to_code.csv", dtype=str, keep_default_na=False)
    key = pd.read_csv(out / "key.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(5)
    truth = np.where(rng.random(len(key)) < 0.75, key.label, rng.choice(LABELS, len(key)))  # model right 3/4
    for name, p in (("ana", 0.9), ("ben", 0.8)):  # coders mostly agree with the truth
        filled = sheet.assign(label=np.where(rng.random(len(sheet)) < p, truth, rng.choice(LABELS, len(sheet))))
        filled.to_csv(out / f"{name}.csv", index=False)
    res = tmp_path / "agreement"
    assert main(["agreement", str(out / "ana.csv"), str(out / "ben.csv"), "--model", str(out / "key.csv"),
                 "--out", str(res), "--n-boot", "200"]) == 0
    assert "2 coders, 24 items, alpha" in capsys.readouterr().out
    summary = json.loads((res / "summary.json").read_text())
    assert summary["coders"] == ["ana", "ben"] and summary["items"] == 24
    alphas = pd.read_csv(res / "alpha.csv", keep_default_na=False)
    ana, ben = (agr.read_coders([out / "ana.csv", out / "ben.csv"]))
    m, _ = agr.reliability_matrix([ana, ben])
    assert alphas.alpha.iloc[0] == pytest.approx(krippendorff.alpha(reliability_data=m, level_of_measurement="nominal"))
    cons = pd.read_csv(res / "consensus.csv", dtype=str)
    adj = pd.read_csv(res / "adjudication.csv", dtype=str)
    assert len(cons) + len(adj) == 24 and not set(cons.item_id) & set(adj.item_id)
    scores = pd.read_csv(res / "model_scores.csv", keep_default_na=False)
    f = scores[(scores.metric == "f_avg") & (scores.scope == "overall")].iloc[0]
    gold = cons.merge(key, on="item_id", suffixes=("", "_model"))
    from analysis.validation.evaluation import f_avg

    assert f.score == pytest.approx(f_avg(gold.label, gold.label_model)) and f.ci_low <= f.score <= f.ci_high
    assert {"favor", "against", "none"} <= set(scores[scores.metric == "f1"].value)
    md = (res / "agreement.md").read_text()
    assert "| overall |" in md and "f_avg" in md
    conf = pd.read_csv(res / "model_confusion.csv")
    assert conf.n.sum() == len(cons)


def test_frames_sample_then_agreement(tmp_path):
    src = write_report(tmp_path / "report")
    out = tmp_path / "sample"
    write_sample(src, out, n=15, measure="frames", seed=0, by=["part"])
    sheet = pd.read_csv(out / "to_code.csv", dtype=str, keep_default_na=False)
    key = pd.read_csv(out / "key.csv", dtype=str, keep_default_na=False)
    frames = smp.frame_names()
    rng = np.random.default_rng(0)
    for name in ("ana", "ben"):
        filled = sheet.copy()
        for f in frames:  # the model's frame, plus a second one now and then; an empty cell is 0
            filled[f] = np.where((key.label == f) | (rng.random(len(sheet)) < 0.15), "1", "")
        filled.loc[filled[frames].eq("").all(axis=1), frames[0]] = "0"  # coded: no frame
        filled.to_csv(out / f"{name}.csv", index=False)
    assert agr.guess_measure([out / "ana.csv"]) == "frames"
    s = agr.write_agreement([out / "ana.csv", out / "ben.csv"], tmp_path / "agr", model=out / "key.csv", n_boot=50)
    assert s["measure"] == "frames" and s["items"] == 15
    alphas = pd.DataFrame(s["alpha"])
    assert alphas.iloc[0]["items"] == 15 and set(alphas.value[1:]) == set(frames)
    scores = pd.read_csv(tmp_path / "agr" / "model_scores.csv", keep_default_na=False)
    assert set(scores.value) == set(frames) and (scores.metric == "f1").all()
