import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from analysis.measures import address, evidentiality, frames, incivility, salience, specificity
from analysis.text.lexicon import Lexicon


def table(*texts, part="comment"):
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(texts))], "part": part, "text": list(texts)})


def test_evidentiality_cues():
    df = evidentiality.evidentiality(table(
        "Selon nos sources, le groupe Wagner serait payé 9 millions.",
        "Reuters a confirmé l'information.",
        "L’armée française est une armée coloniale, c’est la réalité.",
        "Le ministre arrive demain."))
    assert df.attribution.tolist()[0] >= 1 and df.conditional.tolist()[0] == 1
    assert df.reporting_verbs.tolist()[1] == 1
    assert df.evidential.tolist() == [True, True, False, False]
    assert df.certain.tolist() == [False, False, True, False]


def test_lexicon_matches_masked_words_prefixes_and_phrases():
    lex = Lexicon(["couilles", "marochi*", "baron du cannabis"])
    assert lex.find("L’Algérie a les COU.LLES") == ["cou.lles"]
    assert lex.find("les marochiens") == ["marochiens"]
    assert lex.find("le baron  du cannabis") == ["baron  du cannabis"]
    assert lex.find("les Marocains") == []


def test_masked_obscenities_are_written_out_for_the_classifier():
    from analysis.stance import finetune
    from analysis.text.lexicon import incivility_words

    words = incivility_words()
    assert words.unmask("L’Algérie a les COU.LLES de dire non") == "L’Algérie a les COUILLES de dire non"
    assert words.unmask("quelle m*rde, ce c.nnard") == "quelle merde, ce connard"
    # user names, abbreviations and masks hiding no listed word are left as written
    for kept in ("samir_31 a raison", "les U.S.A", "b*tches", "3.5 milliards"):
        assert words.unmask(kept) == kept
    assert finetune.input_text("France", "Les COU.LLES de [Paris]") == "query: France: Les COUILLES de [Paris]"


def test_incivility_lexicon_and_transformer(encoder):
    df = incivility.incivility(table("Ce régime de merde et ses séniles.", "Merci pour cet article très clair."),
                               encoder)
    assert df.uncivil.tolist() == [True, False]
    assert df.obscenity[0] == 1 and df.name_calling[0] == 1
    assert df.p_uncivil[0] > df.p_uncivil[1]


def test_frames_zero_shot(encoder):
    df = frames.frames(table("Les mercenaires et l'armée protègent la frontière contre les terroristes.",
                             "Le pays paiera 9 millions d'euros par mois et recevra des mines d'or."), encoder)
    assert df.frame.tolist() == ["security", "economy"]
    shares = frames.frame_shares(df)
    assert shares[shares.share > 0].set_index("frame").share.to_dict() == {"security": 0.5, "economy": 0.5}


def test_address_counts():
    df = address.address(table("Notre territoire est grand, nous le savons.", "Hirak, unissez-vous !",
                               "@karim tes maîtres te lâcheront."))
    assert df.first_plural.tolist() == [2, 0, 0]
    assert df.second_person.tolist() == [0, 0, 2]
    assert df.at_mentions.tolist() == [0, 0, 1]


def test_salience_marks_targets_brought_in_by_one_side():
    units = pd.concat([table("L’Algérie finance Wagner.", part="article"),
                       table("Le Maroc et l'Algérie.", "Rien.")], ignore_index=True)
    units["unit_id"] = ["a", "c1", "c2"]
    sal = salience.salience(salience.mention_table(units)).set_index("target")
    assert sal.loc["Morocco", "only_in"] == "comment" and sal.loc["Morocco", "comment"] == 0.5
    assert sal.loc["Algeria", "article"] == 1.0 and sal.loc["Algeria", "only_in"] == ""


def test_lafon_specificity_matches_the_hypergeometric_formula():
    counts = pd.DataFrame({"part": ["comment", "article", "comment", "article"],
                           "lemma": ["merde", "merde", "source", "source"], "f": [5, 0, 1, 9]})
    spec = specificity.specificity(counts).set_index("lemma")
    # merde: f=5 of F=5 in a part of t=6 tokens out of T=15
    assert spec.loc["merde", "specificity"] == pytest.approx(-np.log10(hypergeom.sf(4, 15, 5, 6)), abs=0.01)
    assert spec.loc["source", "specificity"] == pytest.approx(np.log10(hypergeom.cdf(1, 15, 10, 6)), abs=0.01)
    assert spec.index[0] == "merde"
