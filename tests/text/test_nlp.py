import pandas as pd

from analysis.paths import PACKAGE_DATA_DIR
from analysis.text import nlp


def test_sentence_parse_leaves_out_components_without_changing_boundaries():
    """``parse(sentences_only=True)`` (units) cuts exactly where the full pipeline cuts."""
    texts = pd.read_csv(PACKAGE_DATA_DIR / "stance_train.csv").text.drop_duplicates().tolist()[::7][:400]
    texts += ["Le Dr. Martin est arrivé à 9 h. 30 hier.\nDeuxième ligne sans point\nTroisième !", "  ", "Mot"]
    light = [[(off, [(s.start_char, s.end_char) for s in d.sents]) for off, d in doc] for doc in nlp.parse(texts, sentences_only=True)]
    full = [[(0, [(s.start_char, s.end_char) for s in d.sents])] for d in nlp.french().pipe(texts, batch_size=64)]
    assert light == full
    assert not nlp.parse(["Vive l'Algérie."], sentences_only=True)[0][0][1].has_annotation("LEMMA")  # left out
    assert nlp.parse(["Vive l'Algérie."])[0][0][1].has_annotation("LEMMA")  # the default parses in full
