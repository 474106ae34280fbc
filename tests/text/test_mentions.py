import pytest

from analysis.stance import classifier as stance
from analysis.text import mentions, nlp


@pytest.fixture(scope="module")
def targets():
    return mentions.load_targets()


def found(text, targets):
    return [(m["target"], m["surface"]) for m in mentions.find_mentions(nlp.french()(text), targets)]


@pytest.mark.parametrize("text, expected", [
    ("l’Algérie et d'Alger", [("Algeria", "Algérie"), ("Algeria", "Alger")]),
    ("ALGERIE, algerie, Algérie", [("Algeria", "ALGERIE"), ("Algeria", "algerie"), ("Algeria", "Algérie")]),
    ("les marochiens et le Makhenez", [("Morocco", "marochiens"), ("Morocco", "Makhenez")]),
    ("Taboune et le régime algérien", [("Algeria", "Taboune"), ("Algeria", "régime algérien")]),
    ("la Françafrique de Macron et l'opération Barkhane",
     [("France", "Françafrique"), ("France", "Macron"), ("France", "opération Barkhane")]),
    ("Poutine, le Kremlin et le groupe Wagner", [("Russia", "Poutine"), ("Russia", "le Kremlin"), ("Russia", "groupe Wagner")]),
    ("Algérie Part a révélé l'affaire", []),  # a newspaper, not the state
])
def test_alias_matching_is_case_accent_and_elision_insensitive(text, expected, targets):
    assert found(text, targets) == expected


def test_target_without_aliases_is_refused(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("Mali:\n  groups:\n    country:\n      why: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'Mali' has no aliases"):
        mentions.load_targets(str(f))


def test_unknown_target_name_is_refused():
    with pytest.raises(ValueError, match="unknown target"):
        mentions.load_targets(names=["Atlantis"])


def test_new_target_from_yaml(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("Mali:\n  groups:\n    country:\n      why: the state\n      phrases: [Mali, Bamako]\n", encoding="utf-8")
    tg = mentions.load_targets(str(f))
    assert found("La junte de Bamako", tg) == [("Mali", "Bamako")]


def test_second_person_resolved_to_the_addressee(targets):
    texts = ["@karim le marocain haineux, esclave de ton roi.", "Vous êtes des colonisateurs."]
    df = stance.find(texts, targets, groups=[1, 1], addressing={1: True})
    addr = df[df.via == "address"]
    assert set(addr.target) == {"Morocco"}
    assert {"ton", "Vous"} <= set(addr.surface)
    # without a reply or @name the same words are not resolved
    df = stance.find(["Vous êtes des colonisateurs."], targets)
    assert df.empty


def test_reflexive_imperative_is_not_address(targets):
    df = stance.find(["@ali le marocain: unissez-vous !"], targets)
    assert "vous" not in set(df.surface)


def anaphora(texts, targets, **kw):
    df = stance.find(texts, targets, **kw)
    return [(r.row, r.target, r.surface) for r in df[df.via == "anaphora"].itertuples()]


def test_anaphor_resolves_to_the_latest_compatible_target(targets):
    assert anaphora(["Tebboune a parlé hier. Ce régime ment."], targets) == [(0, "Algeria", "Ce régime")]
    # "la junte" after Bamako is Mali's (salience-only, so not a stance mention), never France's
    assert anaphora(["Paris a réagi. Bamako a répondu, la junte refuse."], targets) == []
    # across the sentences of one comment (same group), not across comments
    texts = ["Le Maroc a signé.", "Le royaume et ses dirigeants mentent.", "Ses dirigeants aussi."]
    assert anaphora(texts, targets, groups=[1, 1, 2]) == [(1, "Morocco", "ses dirigeants")]


def test_anaphor_that_is_a_mention_or_names_its_state_is_not_an_anaphor(targets):
    assert anaphora(["La France a parlé. Le pouvoir d'Alger proteste."], targets) == []
    assert anaphora(["La France a parlé. Le régime algérien proteste."], targets) == []
    assert anaphora(["La Russie a parlé. Les pays du Sahel écoutent."], targets) == []  # generic plural


def test_unresolved_anaphor_falls_back_to_the_page_dominant_target(targets):
    texts = ["L'Algérie et Alger, encore l'Algérie, puis la France.", "Ce régime ment."]
    assert anaphora(texts, targets, groups=[0, 1]) == []
    assert anaphora(texts, targets, groups=[0, 1], dominant=True) == [(1, "Algeria", "Ce régime")]


# sha256 of the mention lists (stance entities, then salience entities) of the first 600
# training texts, as the per-token getter matcher found them before mentions moved into the
# pipeline component and NORM (recorded once, before the change).
MATCHES_BEFORE_NORM = "e1dba9b164c5627289ce0b09def2ca81e5c2027701eda788164502b2b28b7ec7"


def test_the_pipeline_component_finds_the_same_mentions_as_before_on_the_training_set():
    import hashlib
    import json

    import pandas as pd

    from analysis.paths import PACKAGE_DATA_DIR

    texts = list(dict.fromkeys(pd.read_csv(PACKAGE_DATA_DIR / "stance_train.csv", keep_default_na=False).text))[:600]
    ent, sal = stance._entities(mentions.load_targets()), mentions.load_targets(salience=True)
    docs = nlp.docs(texts)
    assert all("targets" in d.spans for d in docs)
    found = [[mentions.find_mentions(d, ent), mentions.find_mentions(d, sal)] for d in docs]
    digest = hashlib.sha256(json.dumps(found, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    assert digest == MATCHES_BEFORE_NORM
    # a Doc made without the component (no spans) is matched on the spot, with the same result
    bare = [mentions.find_mentions(nlp.french().make_doc(t), ent) for t in texts[:50]]
    assert [[{k: m[k] for k in ("target", "start_char", "end_char")} for m in ms] for ms in bare] == \
        [[{k: m[k] for k in ("target", "start_char", "end_char")} for m in f[0]] for f in found[:50]]


def test_mentions_component_is_a_registered_factory_with_a_targets_config(tmp_path):
    import spacy

    custom = tmp_path / "targets.yaml"
    custom.write_text("Mali:\n  groups:\n    names: {phrases: [Mali, Bamako]}\n", encoding="utf-8")
    blank = spacy.blank("fr")
    blank.add_pipe("target_mentions", config={"targets": str(custom)})
    doc = blank("Bamako et le Mali, pas la France.")
    assert [(s.text, s.label_) for s in doc.spans["targets"]] == [("Bamako", "Mali|names|alias"), ("Mali", "Mali|names|alias")]
