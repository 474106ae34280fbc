import numpy as np
import pandas as pd
import pytest

from analysis.paths import project_root
from analysis.stance import classifier as stance
from analysis.stance import finetune
from analysis.text import mentions

ANNOTATIONS = project_root() / "data" / "annotations"

TINY = {"epochs": 1, "learning_rate": 5e-5, "head_learning_rate": 1e-3, "batch_size": 4, "max_tokens": 32, "seed": 0}
TEXTS = [finetune.input_text("Algeria", "Vive [l'Algérie] !"),
         finetune.input_text("Morocco", "À bas le [Makhzen] !"),
         finetune.input_text("France", "[Paris] a publié un communiqué."),
         finetune.input_text("Russia", "Merci la [Russie].")]
LABELS = [0, 1, 2, 0]


def test_input_names_the_target_and_brackets_its_mentions():
    found = stance.find(["Vive l'Algérie, à bas le Makhzen ! Le Maroc, encore le Maroc."], mentions.load_targets())
    seg = stance.segments(["Vive l'Algérie, à bas le Makhzen ! Le Maroc, encore le Maroc."], found)
    inputs = sorted(finetune.input_text(t, x) for t, x in zip(seg.target, seg.input))
    assert inputs == ["query: Algeria: Vive l'[Algérie], à bas le Makhzen ! Le Maroc, encore le Maroc.",
                      "query: Morocco: Vive l'Algérie, à bas le [Makhzen] ! Le [Maroc], encore le [Maroc]."]


def test_long_text_is_read_in_windows_around_its_mentions():
    text = "mot " * 400 + "la France " + "fin " * 400 + "le Maroc " + "fin " * 10
    found = stance.find([text], mentions.load_targets())
    seg = stance.segments([text], found)
    france = seg[seg.target == "France"]
    assert len(france) == 1 and "[France]" in france.input.iloc[0]
    assert len(france.input.iloc[0]) <= 2 * finetune.WINDOW + 20
    assert seg[seg.target == "Morocco"].input.iloc[0].endswith("le [Maroc] " + "fin " * 9 + "fin ")


def test_training_is_seeded_and_cached(encoder, tmp_path, monkeypatch):
    monkeypatch.setattr(finetune, "cache_dir", lambda *parts: tmp_path.joinpath(*parts))
    (tmp_path / "models").mkdir()
    a = finetune.train(encoder, TEXTS, LABELS, TINY, progress=False).predict_proba(TEXTS)
    b = finetune.load_or_train(encoder, TEXTS, LABELS, TINY).predict_proba(TEXTS)  # trains, stores
    stored = list((tmp_path / "models").glob("stance-finetuned-*.safetensors"))
    assert len(stored) == 1
    c = finetune.load_or_train(encoder, TEXTS, LABELS, TINY).predict_proba(TEXTS)  # loads
    assert np.array_equal(a, b) and np.array_equal(b, c)
    assert a.shape == (4, 3) and np.allclose(a.sum(1), 1, atol=1e-5)
    d = finetune.load_or_train(encoder, TEXTS, LABELS, {**TINY, "seed": 1}).predict_proba(TEXTS)
    assert len(list((tmp_path / "models").glob("stance-finetuned-*"))) == 2 and not np.array_equal(c, d)


def test_fine_tuning_leaves_the_encoder_untouched(encoder):
    import torch

    before = {k: v.clone() for k, v in encoder.model.state_dict().items() if ".layer.0." in k}
    finetune.train(encoder, TEXTS, LABELS, TINY, progress=False)
    after = encoder.model.state_dict()
    assert before and all(torch.equal(v, after[k]) for k, v in before.items())


def test_unknown_method_is_refused(encoder):
    with pytest.raises(ValueError, match="finetune, head or prototype"):
        stance.fit(encoder, method="svm")


def test_every_named_target_of_a_comment_text_is_labelled():
    """stance_train_comments.csv gives a label for each target a text names (none if unjudged)."""
    df = pd.read_csv(ANNOTATIONS / "stance_train_comments.csv", keep_default_na=False)
    found = stance.find(df.text.tolist(), mentions.load_targets())
    missing = [(i + 2, t) for i, t in found[["row", "target"]].drop_duplicates().itertuples(index=False)
               if f"{t}:" not in df.labels[i]]
    assert not missing, f"stance_train_comments.csv lines without a label for a named target: {missing}"


def test_head_weights_are_stored_and_reused(encoder, tmp_path, monkeypatch):
    train = tmp_path / "train.csv"
    pd.DataFrame({"text": ["Vive l'Algérie !", "Honte au Makhzen.", "Paris a publié un communiqué.",
                           "Merci la Russie.", "La France pille l'Afrique.", "Rabat accueille un sommet."],
                  "target": ["Algeria", "Morocco", "France", "Russia", "France", "Morocco"],
                  "label": ["favor", "against", "none", "favor", "against", "none"]}).to_csv(train, index=False)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    a = stance.fit(encoder, train_path=train, method="head")
    stored = list((tmp_path / "cache" / "models").glob("stance-head-*.safetensors"))
    assert len(stored) == 1
    b = stance.fit(encoder, train_path=train, method="head")
    assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert a.W.shape == (encoder.dim + 6, 3)


def test_shipped_weights_match_the_configuration():
    """analysis/weights/ holds the fine-tuned model, the head and the parsed training rows for
    exactly the committed settings and training file, so a fresh install trains nothing."""
    from analysis.stance.encoder import load_encoder

    used = []
    real = finetune.stored
    try:
        finetune.stored = lambda name: used.append(name) or real(name)
        stance.fit(load_encoder(), mentions.load_targets())
    finally:
        finetune.stored = real
    assert len(used) == 4 and all((finetune.WEIGHTS_DIR / name).exists() for name in used), used  # +held rows
