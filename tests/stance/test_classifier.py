import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.paths import PACKAGE_DATA_DIR, project_root
from analysis.stance import classifier as stance
from analysis.stats import bootstrap_mean
from analysis.validation import evaluation

ANNOTATIONS = project_root() / "data" / "annotations"


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
    assert row.loc[("d", "France"), "label"] == "against"
    assert np.allclose(df[["p_favor", "p_against", "p_none"]].sum(1), 1, atol=1e-4)


def test_two_targets_in_one_sentence_keep_their_own_stance(tmp_path):
    out = stance.stance_table(["d"], ["Merci à la Russie, et que la France dégage du Sahel."])
    row = out.set_index("target").label
    assert (row["Russia"], row["France"]) == ("favor", "against")


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
    assert "article" in set(mentions[mentions.holder != "author"].part)  # "selon nos sources", "Alger veut ..."
    c6 = mentions[(mentions.comment_no == 6) & (mentions.via == "address")]
    assert set(c6.target) == {"Morocco"}


def test_aggregate_is_seeded_and_author_only(seed_page, seed_units):
    table, _ = stance.score_units(seed_units, seed_page)
    a, b = stance.aggregate(table), stance.aggregate(table)
    pd.testing.assert_frame_equal(a, b)
    assert (a.ci_low <= a["mean"]).all() and (a["mean"] <= a.ci_high).all()
    # author-only: a unit whose stance is attributed never counts, whatever its probabilities
    mentioned = table[table.mentioned]
    held = mentioned.holder != "author"
    assert held.any() and (~held).any()
    loud = table.assign(p_favor=np.where(table.holder.ne("author") & table.mentioned, 1.0, table.p_favor),
                        p_against=np.where(table.holder.ne("author") & table.mentioned, 0.0, table.p_against))
    pd.testing.assert_frame_equal(stance.aggregate(loud), a)
    n = mentioned[~held].groupby(["part", "target"]).size()
    assert a.set_index(["part", "target"]).n.sort_index().equals(n.sort_index().rename("n"))


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
    dev = pd.read_csv(ANNOTATIONS / "stance_dev.csv", keep_default_na=False)
    pred = dev.rename(columns={"label": "gold"}).merge(stance.stance_table(dev.id, dev.text), on=["id", "target"])
    dev_f = evaluation.f_avg(pred.gold, pred.label)
    gold = pd.read_csv(ANNOTATIONS / "seed_gold.csv", keep_default_na=False)
    table, _ = stance.score_units(seed_units, seed_page)
    seed = gold.rename(columns={"label": "gold"}).merge(table, on=["unit_id", "target"])
    seed_f = evaluation.f_avg(seed.gold, seed.label)
    print(f"F_avg dev={dev_f:.3f} seed={seed_f:.3f}")
    # floors that catch a broken model, not targets: see the validation notebook for the numbers
    assert dev_f > 0.5 and seed_f > 0.3




def test_training_data_never_contains_evaluation_text():
    train = pd.read_csv(PACKAGE_DATA_DIR / "stance_train.csv", keep_default_na=False)
    texts = set(train.text)
    dev = set(pd.read_csv(ANNOTATIONS / "stance_dev.csv").text)
    test = set(pd.read_csv(ANNOTATIONS / "stance_test.csv").text)
    ood = set(pd.read_csv(ANNOTATIONS / "stance_dev_ood.csv").text)
    seed_text = (ANNOTATIONS.parents[1] / "data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt").read_text(encoding="utf-8")
    assert not texts & dev and not texts & test and not texts & ood
    assert not [t for t in texts if t in seed_text]
    registered = train[train.origin == "register"].drop_duplicates("text")
    assert len(registered) >= 1500  # hand-written register texts (registers/README.md)
    assert set(registered.register) == {"news", "editorial", "forum", "comment"}
    assert (~registered.lang.isin(["fr"])).sum() >= 300


def test_training_labels_are_balanced_per_target():
    """No state carries a prior: among favor/against labels each target is 35-65% favor."""
    train = pd.read_csv(PACKAGE_DATA_DIR / "stance_train.csv", keep_default_na=False)
    polar = train[train.label != "none"]
    share = (polar.label == "favor").groupby(polar.target).mean()
    assert share.between(0.35, 0.65).all(), share


def test_stance_train_csv_is_built_from_its_sources(tmp_path):
    """stance_train.csv is what make_stance_train.py writes from the committed sources."""
    import shutil

    work = tmp_path / "data" / "annotations"
    shutil.copytree(ANNOTATIONS, work)
    (tmp_path / "analysis" / "data").mkdir(parents=True)
    subprocess.run([sys.executable, str(work / "make_stance_train.py")], check=True, capture_output=True)
    built = tmp_path / "analysis" / "data" / "stance_train.csv"
    assert built.read_bytes() == (PACKAGE_DATA_DIR / "stance_train.csv").read_bytes()


def test_long_text_is_searched_to_the_end():
    from analysis.text import mentions

    text = "Rien à signaler ici. " * 2000 + "Vive le Maroc !"  # ~42,000 characters, parsed in chunks
    df = stance.find([text], mentions.load_targets())
    assert df.target.tolist() == ["Morocco"]
    assert text[df.start[0]:df.end[0]] == "Maroc"


SWAP_FORMS = {"France": ("La France", "de la France", "France"), "Russia": ("La Russie", "de la Russie", "Russia"),
              "Morocco": ("Le Maroc", "du Maroc", "Morocco"), "Algeria": ("L'Algérie", "de l'Algérie", "Algeria")}


def test_neutral_sentences_give_no_state_a_prior():
    """Evaluation data written for this test (tests/data/stance_swap.csv): neutral news
    sentences told of each state in turn. The label stays none and the stance score moves
    less than 0.15 when one state is swapped for another."""
    frames = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "stance_swap.csv")
    rows = [(f"{f.frame}-{t}", f.text.format(Cap=cap, de=de, en=en), t)
            for f in frames.itertuples() for t, (cap, de, en) in SWAP_FORMS.items()]
    ids, texts, targets = zip(*rows)
    out = stance.stance_table(ids, texts, register="news")
    out = out.merge(pd.DataFrame({"id": ids, "target": targets}), on=["id", "target"])
    assert out.mentioned.all() and (out.label == "none").all(), out[out.label != "none"]
    score = (out.p_favor - out.p_against).groupby(out.id.str[:3])
    spread = score.max() - score.min()
    assert (spread < 0.15).all(), spread.sort_values()


def test_seed_article_holds_no_significant_author_stance(seed_page, seed_units):
    table, _ = stance.score_units(seed_units, seed_page)
    agg = stance.aggregate(table)
    art = agg[agg.part == "article"]
    assert not ((art.ci_low > 0) | (art.ci_high < 0)).any(), art


def test_seed_article_reported_stances_go_to_algiers(seed_page, seed_units):
    """What the article reports Algiers wants is attributed to Algeria, not to the author."""
    table, found = stance.score_units(seed_units, seed_page)
    art = stance.aggregate(table)
    art = art[art.part == "article"].set_index("target")
    assert "France" not in art.index or art.loc["France", "ci_low"] <= 0 <= art.loc["France", "ci_high"]
    graph = stance.holder_network(found[found.part == "article"])
    assert graph.has_edge("Algeria", "France") and graph.has_edge("Algeria", "Russia")
    assert graph["Algeria"]["France"]["stance"] < 0


def test_seed_article_algiers_favours_moscow(seed_page, seed_units):
    _, found = stance.score_units(seed_units, seed_page)
    graph = stance.holder_network(found[found.part == "article"])
    assert graph["Algeria"]["Russia"]["stance"] > 0


def test_attributed_stances_become_holder_training_rows(tmp_path):
    """A held-stance file (``holder`` column) gives, per attributed stance whose holder the
    frames find, the holder's content after HELD_MARK with the holder's label; others are left out."""
    from analysis.text import mentions

    src = tmp_path / "held.csv"
    pd.DataFrame({"id": ["a", "b"], "text": [
        "Selon nos sources, l'Algérie veut privilégier un partenariat stratégique avec la Russie.",
        "Il pleut sur Moscou et la Russie attend le printemps."],
        "target": ["Russia", "Russia"], "label": ["favor", "favor"], "holder": ["Algeria", "Algeria"],
        "lang": ["fr", "fr"], "register": ["news", "news"]}).to_csv(src, index=False)
    rows = stance.training_examples(src, mentions.load_targets())
    assert len(rows) == 1  # the second text attributes nothing to Algeria
    r = rows.iloc[0]
    assert r.label == "favor" and r.target == "Russia" and r.register == "news"
    assert r.input.startswith(stance.HELD_MARK) and "[Russie]" in r.input and "nos sources" not in r.input
