"""Saved web pages (analysis/io/html.py). The fixtures under tests/data/html/ are written for
these tests (no real page's text or markup); the two encoded pages are written by
tests/data/html/make_encoded.py."""
import json
import shutil
import warnings
from pathlib import Path

import pytest

from analysis.io.html import decode_html, load_html
from analysis.io.pages import CorpusError, CorpusWarning, Page, load_page
from analysis.pipeline import batch
from analysis.text.units import units

DATA = Path(__file__).resolve().parents[1] / "data" / "html"

FURNITURE = ["Répondre", "dit :", "dit\xa0:", "Partager", "Facebook", "Articles similaires", "Laisser un commentaire",
             "Rechercher", "Articles récents", "Newsletter", "Mentions légales", "Tous droits réservés", "Accueil",
             "Politique", "Annuler la réponse", "Commentaire *", "Étiquettes", "Permalien", "Enregistrer", "Reply",
             "says", "a écrit", "Ajouter un commentaire", "Aller au contenu", "Disqus", "JavaScript"]


def quiet(path, **kw) -> Page:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_page(path, **kw)


def texts(page: Page) -> list[str]:
    return [page.title] + [p.text for p in page.paragraphs] + [c.text for c in page.comments] + \
        [c.author or "" for c in page.comments]


def assert_no_furniture(page: Page):
    for t in texts(page):
        for word in FURNITURE:
            assert word not in t, (word, t)


def assert_offsets(page: Page):
    for blk in [page.title_block, *page.paragraphs, *page.comments]:
        for off, s, e in blk.segments:
            assert blk.text[off:off + e - s] == page.raw[s:e]
    u = units(page)
    assert len(u) > 0
    for row in u.itertuples():
        assert page.raw[row.start:row.end] == row.text


# ----------------------------------------------------------------------------- WordPress
@pytest.fixture(scope="module")
def wordpress():
    return quiet(DATA / "wordpress_fr.html")


def test_wordpress_article(wordpress):
    p = wordpress
    assert p.title == "Le port de Tanger face à la concurrence d'Alger"
    assert p.date == "2024-03-14"
    assert p.url == "https://quotidien-detroit.example/2024/03/14/port-tanger-concurrence-alger/"
    assert p.author == "Salima Bennani" and p.site == "Le Quotidien du Détroit"
    assert p.kicker == "Économie"
    assert len(p.paragraphs) == 4
    assert p.paragraphs[0].text.startswith("Le trafic de conteneurs du port de Tanger Med")
    assert p.paragraphs[3].text.endswith("réclament un plan d'investissement.")
    assert p.page_id == "wordpress_fr" and p.source.endswith("wordpress_fr.html")


def test_wordpress_six_comments_and_the_reply(wordpress):
    p = wordpress
    assert p.comment_markup == "wordpress"
    assert [c.author for c in p.comments] == ["Karim", "Nadia B.", "Jean-Marc", "Samir", "Leïla", "Omar"]
    assert [c.comment_id for c in p.comments] == ["101", "102", "103", "104", "105", "106"]
    assert p.comments[0].date == "2024-03-14T09:12:00+00:00"
    # paragraphs (and <br>) kept as lines
    assert p.comments[0].text == ("Tanger Med est une réussite, il faut le reconnaître. Les chiffres parlent "
                                  "d'eux-mêmes.\nAlger aura du mal à rattraper dix ans de retard.")
    assert p.comments[3].text == ("Le problème reste la douane, l'article a raison.\nTrois semaines pour sortir "
                                  "un conteneur, c'est trop.")
    nadia = p.comments[1]
    assert nadia.reply_to == 1 and nadia.reply_basis == "markup: wordpress nesting"
    assert nadia.text.startswith("Dix ans, vraiment ?")
    assert all(c.reply_to is None for c in p.comments if c.number != 2)  # none of the others addresses anyone


def test_wordpress_has_no_furniture(wordpress):
    assert_no_furniture(wordpress)
    assert "Annuler" not in wordpress.raw and "Tétouan" not in wordpress.raw and "©" not in wordpress.raw


def test_units_offsets_point_into_raw(wordpress):
    assert_offsets(wordpress)
    u = units(wordpress)
    assert set(u.part) == {"title", "article", "comment"} or {"article", "comment"} <= set(u.part)


# ----------------------------------------------------------------------------- other markups
def test_json_ld_comments():
    p = quiet(DATA / "jsonld_comments.html")
    assert p.comment_markup == "json-ld"
    assert p.title == "Sécheresse : les barrages de l'Oranie à moitié vides"
    assert p.date == "2024-06-02" and p.author == "Yacine Ferhat" and p.site == "Revue du Sud"
    assert len(p.paragraphs) == 3
    assert [(c.comment_id, c.author) for c in p.comments] == [("7", "Fatiha"), ("8", "Rachid"), ("9", "Mourad")]
    assert p.comments[1].reply_to == 1 and p.comments[1].reply_basis == "markup: json-ld nesting"
    assert p.comments[1].text == "Le dessalement coûte cher en énergie.\nIl faut d'abord réparer les fuites du réseau."
    assert p.comments[2].reply_to is None and p.comments[2].date == "2024-06-03T08:15:00+01:00"
    assert_no_furniture(p)
    assert_offsets(p)


def test_microdata_comments():
    p = quiet(DATA / "microdata_comments.html")
    assert p.comment_markup == "microdata"
    assert p.title == "Le festival de Fès accueille ses premiers musiciens sahéliens" and p.date == "2024-05-20"
    assert len(p.paragraphs) == 3 and not any("Hamza" in x.text or "Réactions" in x.text for x in p.paragraphs)
    assert [c.author for c in p.comments] == ["Hamza", "Zineb", "Paul"]
    assert [c.date for c in p.comments] == ["2024-05-20T14:00:00Z", "2024-05-20T15:20:00Z", "2024-05-21T08:00:00Z"]
    assert p.comments[0].text == "Enfin une ouverture vers le sud, bravo aux organisateurs."  # not its reply's text
    assert p.comments[1].text == "D'accord, mais les billets à 400 dirhams, c'est non.\nQui peut payer ça ?"
    assert p.comments[1].reply_to == 1 and p.comments[1].reply_basis == "markup: microdata nesting"
    assert p.comments[2].reply_to is None
    assert_no_furniture(p)
    assert_offsets(p)


def test_drupal_comments():
    p = quiet(DATA / "drupal_comments.html")
    assert p.comment_markup == "drupal"
    assert p.title == "La ligne ferroviaire Oujda–Nador rouvre aux voyageurs" and p.date == "2024-09-10"
    assert len(p.paragraphs) == 3
    assert [(c.comment_id, c.author) for c in p.comments] == [("41", "Driss"), ("42", "Amal"), ("43", "Youssef")]
    assert p.comments[0].text == "Trois heures c'est encore long pour cent cinquante kilomètres."  # no subject line
    assert p.comments[1].reply_to == 1 and p.comments[1].reply_basis == "markup: drupal nesting"
    assert p.comments[2].reply_to is None and p.comments[2].date == "2024-09-11T19:10:00+01:00"
    assert_no_furniture(p)
    assert_offsets(p)


def test_comment_text_without_thread_markup_is_split_by_paragraph():
    p = quiet(DATA / "plain_comments.html")
    assert p.comment_markup == "trafilatura text"
    assert [c.text for c in p.comments] == [
        "Magnifique projet, j'aimerais envoyer des livres pour les enfants de Podor.",
        "Il faudrait aussi des livres en arabe pour la rive mauritanienne."]
    assert all(c.reply_basis.endswith("no thread markup: trafilatura's comment text split by paragraph")
               for c in p.comments)
    assert len(p.paragraphs) == 3 and not any("Podor." in x.text and "Magnifique" in x.text for x in p.paragraphs)


def test_javascript_comment_box_warns_how_to_save_them():
    with pytest.warns(CorpusWarning, match="loaded by JavaScript \\(Disqus\\)") as rec:
        p = load_page(DATA / "disqus_only.html")
    message = str(rec[0].message)
    assert "Web Page, complete" in message and "scroll" in message
    assert p.comments == [] and len(p.paragraphs) == 3
    assert_no_furniture(p)


# ----------------------------------------------------------------------------- charsets
def test_windows_1256_arabic_page():
    p = quiet(DATA / "arabic_windows1256.html")  # declared by <meta http-equiv="Content-Type">
    assert p.title == "افتتاح مكتبة جديدة في وهران"
    assert p.paragraphs[0].text.startswith("افتتحت بلدية وهران يوم الأربعاء")
    assert [(c.author, c.text) for c in p.comments] == [("سليم", "مبادرة رائعة، نتمنى أن تعمم على كل الأحياء.")]
    assert p.comments[0].comment_id == "7"  # li-comment-7 (older WordPress themes)
    assert "رد" not in p.comments[0].text.split() and "قال" not in p.comments[0].author


@pytest.mark.parametrize("name, how", [("french_iso8859-1.html", "declared iso-8859-1"),
                                       ("french_undeclared.html", "charset-normalizer")])
def test_iso_8859_1_french_page(name, how):
    data = (DATA / name).read_bytes()
    assert "é".encode("latin-1") in data and "é".encode() not in data
    assert how in decode_html(data, name)[1]
    p = quiet(DATA / name)
    assert p.title == "Les cigognes de retour à Rabat"
    assert "Les premières cigognes blanches" in p.paragraphs[0].text
    assert p.comments[0].author == "Hélène" and p.comments[0].text.endswith("en février.")


def test_explicit_encoding_wins(tmp_path):
    data = (DATA / "french_iso8859-1.html").read_bytes()
    assert decode_html(data, "x", "cp1252")[1] == "cp1252 (given)"
    p = quiet(DATA / "french_iso8859-1.html", encoding="mac_roman")  # wrong on purpose: it is obeyed
    assert "Les cigognes de retour" in p.title and "à" not in p.title


def test_utf8_bytes_under_a_stale_charset_declaration(tmp_path):
    f = tmp_path / "p.html"
    f.write_bytes((DATA / "wordpress_fr.html").read_bytes().replace(b'<meta charset="UTF-8">',
                                                                   b'<meta charset="windows-1256">'))
    with pytest.warns(CorpusWarning, match="declares charset 'windows-1256' but its bytes are UTF-8"):
        p = load_page(f)
    assert p.title == "Le port de Tanger face à la concurrence d'Alger"


# ----------------------------------------------------------------------------- errors and dispatch
def test_page_without_article_is_an_error():
    with pytest.raises(CorpusError, match="no article found: the page has no visible text") as err:
        load_page(DATA / "no_article.html")
    assert err.value.path.endswith("no_article.html") and err.value.line is None


def test_furniture_only_page_is_an_error():
    with pytest.raises(CorpusError, match="no article found: the page holds only furniture") as err:
        load_page(DATA / "furniture_only.html")
    assert err.value.path.endswith("furniture_only.html")


def test_empty_html_file(tmp_path):
    f = tmp_path / "e.html"
    f.write_bytes(b"  \n")
    with pytest.raises(CorpusError, match="file is empty"):
        load_page(f)


def test_html_content_in_a_txt_file_is_read_as_html(tmp_path):
    f = tmp_path / "saved.txt"
    shutil.copy(DATA / "drupal_comments.html", f)
    p = quiet(f)
    assert p.comment_markup == "drupal" and len(p.comments) == 3
    assert load_html(DATA / "drupal_comments.html").raw == p.raw


def test_text_dump_that_holds_html_further_down_is_still_refused(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("Titre\n<html><body>x</body></html>\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="this is an HTML page") as err:
        load_page(f)
    assert err.value.line == 2


def test_corpus_folder_mixes_html_txt_and_json(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(DATA / "wordpress_fr.html", src / "a.html")
    shutil.copy(DATA / "drupal_comments.html", src / "sub" / "b.htm")
    (src / "c.txt").write_text("Titre\n\nCorps de l'article.\n\n1 commentaire\n\n  1. Un avis.\n", encoding="utf-8")
    (src / "d.json").write_text(json.dumps({"title": "T", "body": ["Corps."], "comments": [{"text": "c"}]}),
                                encoding="utf-8")
    # "Web page, complete" saves the page's parts next to it: not articles
    (src / "a_files").mkdir()
    (src / "a_files" / "frame.html").write_text("<html><body><p>cadre</p></body></html>", encoding="utf-8")
    (src / "a_files" / "style.css").write_text("p {}", encoding="utf-8")
    found = batch.jobs(src, tmp_path / "out")
    names = [Path(j.path).relative_to(src).as_posix() for j in found]
    assert names == ["a.html", "c.txt", "d.json", "sub/b.htm"]
    assert len({j.article for j in found}) == 4
    page = batch.load(found[0])
    assert page.comment_markup == "wordpress" and len(page.comments) == 6


def test_corpus_folder_of_other_files_names_html(tmp_path):
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(CorpusError, match="no .txt, .json or .html articles"):
        batch.jobs(tmp_path)
