import pytest

from analysis.text.language import identify


@pytest.mark.parametrize("text, lang", [
    ("L’Algérie a décidé de renforcer son rapprochement avec la junte.", "fr"),
    ("The French army is a colonial army and everybody knows it.", "en"),
    ("الجزائر بلد عظيم", "ar"),
    ("wach nta khoya, bladi hna machi dyalkom", "ary"),
    ("123 !!!", "und"),
    ("Bullshit", "und"),
])
def test_identify(text, lang):
    assert identify(text)[0] == lang


def test_mixed_script_is_flagged():
    lang, mixed = identify("Vive l'Algérie, الله أكبر les amis de la France")
    assert lang == "fr" and mixed
