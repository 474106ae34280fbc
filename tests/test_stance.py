import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import evaluation, stance
from analysis.stats import bootstrap_mean


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "stance", *args], capture_output=True, text=True)


def test_cli_writes_one_row_per_id_and_target(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d"], "text": [
        "Vive l'Algérie libre et souveraine !",
        "Le Makhzen et ses mensonges, quelle honte. Les Russes sont arrivés à Bamako.",
        "Il fait beau aujourd'hui.",
        "Merci à la Russie, et que la France dégage du Sahel."]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    r = cli("--input", str(src), "--output", str(out))
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(out, keep_default_na=False)
    assert list(df.columns) == ["id", "target", "mentioned", "label", "p_favor", "p_against", "p_none", "holder", "evidence"]
    assert len(df) == 16 and set(df.target) == {"France", "Russia", "Morocco", "Algeria"}
    row = df.set_index(["id", "target"])
    assert row.loc[("a", "Algeria"), "label"] == "favor"
    assert row.loc[("b", "Morocco"), "label"] == "against"
    assert not row.loc[("c", "France"), "mentioned"] and row.loc[("c", "France"), "label"] == "none"
    assert (row.loc[("d", "Russia"), "label"], row.loc[("d", "France"), "label"]) == ("favor", "against")
    assert np.allclose(df[["p_favor", "p_against", "p_none"]].sum(1), 1, atol=1e-4)


def test_cli_target_subset(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,La France et le Maroc.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli("--input", str(src), "--output", str(out), "--targets", "Morocco").returncode == 0
    assert pd.read_csv(out).target.tolist() == ["Morocco"]


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"ident,texte\n1,x\n", "missing column(s) id, text"),
    (b"id,text\n1,caf\xe9\n", "not valid UTF-8 at byte offset 13"),
    (b"id,text\n1,a\n1,b\n", "duplicate id"),
])
def test_cli_malformed_input(tmp_path, content, message):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    out = tmp_path / "out.csv"
    r = cli("--input", str(src), "--output", str(out))
    assert r.returncode != 0
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))


def test_seed_units_scored_per_target(seed_page, seed_units):
    table, mentions = stance.score_units(seed_units, seed_page)
    assert len(table) == len(seed_units) * 4
    morocco = table[(table.target == "Morocco") & table.mentioned]
    assert set(morocco.part) == {"comment"}  # the article never names Morocco
    assert (morocco.p_against > morocco.p_favor).mean() > 0.7
    assert set(mentions[mentions.holder != "author"].part) == {"article"}
    c6 = mentions[(mentions.comment_no == 6) & (mentions.via == "address")]
    assert set(c6.target) == {"Morocco"}


def test_aggregate_is_seeded_and_author_only(seed_page, seed_units):
    table, _ = stance.score_units(seed_units, seed_page)
    a, b = stance.aggregate(table), stance.aggregate(table)
    pd.testing.assert_frame_equal(a, b)
    assert (a.ci_low <= a["mean"]).all() and (a["mean"] <= a.ci_high).all()


def test_bootstrap_and_f_avg_known_values():
    mean, lo, hi = bootstrap_mean([1, 1, 1, 1])
    assert (mean, lo, hi) == (1.0, 1.0, 1.0)
    gold = ["favor", "against", "none", "favor"]
    pred = ["favor", "none", "none", "against"]
    # F1_favor = 2*1/(2+0+1) = 0.667; F1_against = 0
    assert evaluation.f_avg(gold, pred) == pytest.approx((2 / 3 + 0) / 2)
    cm = evaluation.confusion(gold, pred)
    assert cm.loc["favor", "against"] == 1 and cm.values.sum() == 4


def test_dev_and_seed_scores_are_reported(seed_page, seed_units):
    dev = pd.read_csv("data/annotations/stance_dev.csv", keep_default_na=False)
    pred = dev.rename(columns={"label": "gold"}).merge(stance.stance_table(dev.id, dev.text), on=["id", "target"])
    dev_f = evaluation.f_avg(pred.gold, pred.label)
    gold = pd.read_csv("data/annotations/seed_gold.csv", keep_default_na=False)
    table, _ = stance.score_units(seed_units, seed_page)
    seed = gold.rename(columns={"label": "gold"}).merge(table, on=["unit_id", "target"])
    seed_f = evaluation.f_avg(seed.gold, seed.label)
    print(f"F_avg dev={dev_f:.3f} seed={seed_f:.3f}")
    # floors that catch a broken model, not targets: see the validation notebook for the numbers
    assert dev_f > 0.5 and seed_f > 0.3


def test_training_data_never_contains_evaluation_text():
    train = set(pd.read_csv("data/annotations/stance_train.csv").text)
    dev = set(pd.read_csv("data/annotations/stance_dev.csv").text)
    test = set(pd.read_csv("data/annotations/stance_test.csv").text)
    seed_text = open("data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt", encoding="utf-8").read()
    assert not train & dev and not train & test
    assert not [t for t in train if t in seed_text]
    assert len(train) >= 400


def test_long_text_is_searched_to_the_end():
    from analysis import mentions

    text = "Rien à signaler ici. " * 2000 + "Vive le Maroc !"  # ~42,000 characters, parsed in chunks
    df = stance.find([text], mentions.load_targets())
    assert df.target.tolist() == ["Morocco"]
    assert text[df.start[0]:df.end[0]] == "Maroc"
