"""The reading view (analysis/reading.py) and the shareable HTML report (analysis/html_report.py)."""
import base64
import json
import re

import pytest

from analysis import analyze
from analysis.viz import plots, reading

PAGE = {"title": "Le Maroc et l'Algérie au menu", "date": "2024-05-02", "url": "https://example.org/a",
        "body": ["L'Algérie a signé un accord avec la Russie.", "La France observe."],
        "comments": [{"id": "c1", "author": "nadia", "text": "Bravo l'Algérie, un grand pays !", "reply_to": None},
                     {"id": "c2", "author": "yacine", "text": "@nadia le Maroc est un voisin honteux.",
                      "reply_to": "c1"},
                     {"id": "c3", "author": "sami", "text": "Il pleut aujourd'hui.", "reply_to": None}]}


@pytest.fixture(scope="module")
def small_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "small.json"
    path.write_text(json.dumps(PAGE, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(small_page):
    return analyze(small_page)


def _check_view(a):
    docs = reading.docs(a)
    spans = [s for d in docs for s in d.spans["sc"]]
    assert len(spans) == len(a.mentions)  # every target mention is highlighted
    for m in a.mentions.itertuples():
        label = reading.mention_label(m)
        assert m.target in label and f"{m.p_against:.2f}".replace("0.", ".") in label
        assert any(s.label_ == label and m.surface in s.text for s in spans), m.surface
    html = reading.render(a)
    assert 'class="spans"' in html  # displaCy's span renderer
    colours = {reading.stance_of(m) for m in a.mentions.itertuples()}
    for stance in colours:
        assert f"background: {reading.COLORS[stance]}" in html
    assert "<script" not in html.lower()
    return docs, html


def test_reading_view_on_the_seed(seed_result):
    a = seed_result
    docs, html = _check_view(a)
    assert [d.user_data.get("title") for d in docs if d.user_data.get("title")][:2] == ["Article", "Comment 1"]
    assert html.count("Comment ") >= len(a.page.comments)
    # the text reads as written: every block's words, elisions and punctuation as on the page
    for doc, block in zip(docs, reading.blocks(a)):
        assert doc.text.split() == block.text.split()
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html))
    assert "L’Algérie négocie" in " ".join(shown.split())
    # the palette is the figures' palette
    assert reading.COLORS == {"favor": plots.FAVOR, "against": plots.AGAINST, "none": plots.NEUTRAL}


def test_reading_view_narrows_to_a_comment_and_a_target(seed_result):
    a = seed_result
    assert reading.choices(a)[0] == "article" and "comment 4" in reading.choices(a)
    docs = reading.docs(a, "comment 4", "Morocco")
    assert len(docs) == 1 and all("Morocco" in s.label_ for s in docs[0].spans["sc"])
    units, mentions = reading.tables(a, "comment 4", "Morocco")
    assert set(units.unit_id.str[:3]) == {"c04"} and len(mentions) == (
        (a.mentions.comment_no == 4) & (a.mentions.target == "Morocco")).sum()
    assert "evidence (clause)" in mentions


def test_explorer_widget_updates(seed_result):
    w = reading.explorer(seed_result)
    part, target = w.children[0].children
    assert part.options[0] == ("whole page", "page") and ("comment 2", "comment 2") in part.options
    view = w.children[1]
    first = view.value
    part.value, target.value = "comment 2", "Algeria"  # the observers re-render the view
    assert view.value != first and "Comment 2" in view.value and "Mentions and evidence" in view.value
    assert "<table" in view.value


def test_reading_view_on_a_json_page(small):
    docs, html = _check_view(small)
    assert len(docs) == 1 + 2 + 3  # title, two paragraphs, three comments
    assert "Comment 2 by yacine, answering comment 1" in html
    assert "Il pleut aujourd" in html  # a block without any mention is still shown


def test_html_report_is_self_contained(tmp_path, small_page):
    from analysis.__main__ import main

    assert main(["report", str(small_page), "--out", str(tmp_path / "r"), "--html"]) == 0  # the command line
    out = tmp_path / "r"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "report.html").stat().st_mode & 0o777 == 0o644
    for section in ("Headline findings", "Key figures", "Reading view", "Tables", "Provenance"):
        assert section in html
    assert "<script" not in html.lower() and "<link" not in html.lower() and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)  # nothing fetched
    srcs = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(srcs) >= 6
    for src in srcs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'class="spans"' in html  # the reading view
    import hashlib

    assert hashlib.sha256(small_page.read_bytes()).hexdigest() in html  # provenance of the input
    assert "fingerprint" in html and "stance model" in html


def test_a_page_without_comments_or_mentions(tmp_path):
    from analysis.io.pages import CorpusWarning
    from analysis.pipeline import html_report

    path = tmp_path / "plain.json"
    path.write_text(json.dumps({"title": "Météo", "body": ["Il pleut sur la ville.", "Demain, du soleil."],
                                "comments": []}, ensure_ascii=False), encoding="utf-8")
    with pytest.warns(CorpusWarning):
        a = analyze(path)
    assert len(a.mentions) == 0
    html = reading.render(a)
    assert "Il pleut sur la ville." in html and "Demain, du soleil." in html
    report = html_report.render(a)
    assert "Reading view" in report and report.count("<img ") >= 4
