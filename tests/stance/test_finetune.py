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


def test_each_distinct_input_is_read_once_and_kept_for_the_next_process(encoder, tmp_path, monkeypatch):
    from analysis.stance import encoder as enc_mod

    monkeypatch.setattr(finetune, "cache_dir", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(enc_mod, "cache_dir", lambda *parts: tmp_path.joinpath(*parts).mkdir(exist_ok=True) or
                        tmp_path.joinpath(*parts))
    (tmp_path / "models").mkdir()

    def counted(clf):
        reads, read = [], clf._read
        clf._read = lambda texts, size: reads.append(list(texts)) or read(texts, size)
        return clf, reads

    clf, reads = counted(finetune.load_or_train(encoder, TEXTS, LABELS, TINY))
    p = clf.predict_proba(TEXTS + TEXTS[:2])
    assert reads == [TEXTS] and np.array_equal(p[4:], p[:2])
    assert np.array_equal(p[:4], clf._read(TEXTS, 32))
    later, reads = counted(finetune.load_or_train(encoder, TEXTS, LABELS, TINY))  # as a new process would
    assert np.array_equal(later.predict_proba(TEXTS[::-1]), p[:4][::-1]) and reads == [[]]
    assert list(tmp_path.glob("embeddings/stance-*.sqlite"))
    other, reads = counted(finetune.load_or_train(encoder, TEXTS, LABELS, {**TINY, "seed": 1}))
    other.predict_proba(TEXTS)
    assert reads == [TEXTS]  # other weights: nothing read from the first one's outputs


def test_fine_tuning_leaves_the_encoder_untouched(encoder):
    import torch

    before = {k: v.clone() for k, v in encoder.model.state_dict().items() if ".layer.0." in k or "word_emb" in k}
    finetune.train(encoder, TEXTS, LABELS, TINY, progress=False)
    after = encoder.model.state_dict()
    assert len(before) == 17 and all(torch.equal(v, after[k]) for k, v in before.items())


def test_the_copy_shares_what_training_never_changes_with_a_float32_encoder(encoder):
    def query(model, k):
        return model.encoder.layer[k].attention.self.query.weight

    clf = finetune._base(encoder, TINY)
    assert clf.model.get_input_embeddings().weight is encoder.model.get_input_embeddings().weight  # 366 MiB
    assert query(clf.model, 0) is not query(encoder.model, 0)
    frozen = finetune._base(encoder, {**TINY, "frozen_layers": 2})
    assert query(frozen.model, 1) is query(encoder.model, 1) and query(frozen.model, 2) is not query(encoder.model, 2)
    assert frozen.model.embeddings.LayerNorm.weight is encoder.model.embeddings.LayerNorm.weight


def test_mention_mask_marks_the_bracketed_tokens_only(encoder):
    texts = [finetune.input_text("Algeria", "Vive [l'Algérie], à bas le Makhzen !"),
             finetune.input_text("Morocco", "Vive l'Algérie, à bas le [Makhzen] !"),
             finetune.input_text("France", "Rien sur elle.")]
    batch = encoder.tokenizer(texts, padding=True, return_offsets_mapping=True, return_tensors="pt")
    mask = finetune.mention_mask(texts, batch["offset_mapping"])
    pieces = ["".join(encoder.tokenizer.convert_ids_to_tokens([int(i) for i, m in zip(ids, row) if m]))
              for ids, row in zip(batch["input_ids"], mask)]
    assert pieces[0].replace("▁", "") == "[l'Algérie]"
    assert pieces[1].replace("▁", "") == "[Makhzen]"
    assert pieces[2] == ""  # no mention: the pooling falls back to the whole input


def test_mention_pooling_is_a_setting_of_its_own(encoder, tmp_path, monkeypatch):
    monkeypatch.setattr(finetune, "cache_dir", lambda *parts: tmp_path.joinpath(*parts))
    (tmp_path / "models").mkdir()
    pooled = {**TINY, "pooling": "text+mention"}
    clf = finetune.load_or_train(encoder, TEXTS, LABELS, pooled)
    assert clf.head.in_features == 2 * encoder.model.config.hidden_size
    again = finetune.load_or_train(encoder, TEXTS, LABELS, pooled)  # loads the stored weights
    assert np.array_equal(clf.predict_proba(TEXTS), again.predict_proba(TEXTS))
    finetune.load_or_train(encoder, TEXTS, LABELS, TINY)
    assert len(list((tmp_path / "models").glob("stance-finetuned-*"))) == 2
    with pytest.raises(ValueError, match="pooling must be one of"):
        finetune.load_or_train(encoder, TEXTS, LABELS, {**TINY, "pooling": "cls"})


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


@pytest.mark.parametrize("method,width", [("head", 6), ("prototype", None)])
def test_baseline_weights_are_stored_and_reused(encoder, tmp_path, monkeypatch, method, width):
    train = tmp_path / "train.csv"
    pd.DataFrame({"text": ["Vive l'Algérie !", "Honte au Makhzen.", "Paris a publié un communiqué.",
                           "Merci la Russie.", "La France pille l'Afrique.", "Rabat accueille un sommet."],
                  "target": ["Algeria", "Morocco", "France", "Russia", "France", "Morocco"],
                  "label": ["favor", "against", "none", "favor", "against", "none"]}).to_csv(train, index=False)
    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path / "cache"))
    a = stance.fit(encoder, train_path=train, method=method)
    stored = list((tmp_path / "cache" / "models").glob(f"stance-{method}-*.safetensors"))
    assert len(stored) == 1
    b = stance.fit(encoder, train_path=train, method=method)
    assert np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
    assert a.W.shape == ((encoder.dim + width, 3) if width else (3, encoder.dim))


def test_shipped_weights_match_the_configuration():
    """analysis/weights/ holds the fine-tuned model, the parsed training rows (writer's and
    held) and the two baselines 04_validation reports (logistic head, prototypes) for exactly
    the committed settings and training files, so a fresh install embeds no training text."""
    from analysis.stance.encoder import load_encoder

    used = []
    real = finetune.stored
    try:
        finetune.stored = lambda name: used.append(name) or real(name)
        for method in ("finetune", "head", "prototype"):
            stance.fit(load_encoder(), mentions.load_targets(), method=method)
    finally:
        finetune.stored = real
    used = sorted(set(used))
    assert len(used) == 5 and all((finetune.WEIGHTS_DIR / name).exists() for name in used), used
    assert sorted(p.name for p in finetune.WEIGHTS_DIR.glob("stance-*")) == used  # nothing stale ships
