import json
import warnings

import pandas as pd
import pytest

from analysis.io.pages import CorpusError, CorpusWarning, load_json, load_page, load_table, parse_dump
from analysis.text.units import units


def test_seed_header_title_and_parts(seed_page):
    p = seed_page
    assert p.title.startswith("L’Algérie négocie avec la junte malienne")
    assert p.title.endswith("militaires russes de Wagner")
    assert p.kicker == "Exclusif."
    assert p.date == "2024-04-26"
    assert p.place == "Alger"
    assert len(p.paragraphs) == 10
    assert [c.number for c in p.comments] == [1, 2, 3, 4, 5, 6]
    assert {f.kind for f in p.furniture} == {"weather", "section", "comment_counter"}
    assert [f.text for f in p.furniture if f.kind == "section"] == ["dernières nouvelles", "Actualités"]


def test_every_nonblank_line_lands_in_exactly_one_field(seed_page, seed_path):
    p = seed_page
    used = [p.title_block.line] + list(p.header_lines.values())
    used += [f.line for f in p.furniture]
    for blk in p.paragraphs + p.comments:
        used += [ln for ln, (o, s, e) in zip(blk.lines, blk.segments) if e > s]
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    nonblank = [i + 1 for i, t in enumerate(lines) if t.strip()]
    assert sorted(used) == nonblank  # no line twice, none missing


def test_offsets_point_into_raw_text(seed_page, seed_units):
    p = seed_page
    for blk in [p.title_block] + p.paragraphs + p.comments:
        for off, s, e in blk.segments:
            assert blk.text[off:off + e - s] == p.raw[s:e]
    for row in seed_units.itertuples():
        assert " ".join(p.raw[row.start:row.end].split()) == " ".join(row.text.split())


def test_comments_keep_continuation_lines_and_mentions(seed_page):
    c4, c6 = seed_page.comments[3], seed_page.comments[5]
    assert c4.text.startswith("Fakenews à la sauce du Makhenez\nL’Algérie exige")
    assert c4.text.endswith("c’est la réalité")
    assert c6.mentions == ["karim70"]
    assert c6.reply_to == 5 and c6.reply_basis == "word overlap"
    assert seed_page.comments[0].reply_to is None


def test_units_table(seed_units):
    u = seed_units
    assert list(u.columns[:8]) == ["unit_id", "part", "comment_no", "paragraph_no", "sentence_no", "text", "start", "end"]
    assert u.unit_id.is_unique
    assert set(u[u.part == "comment"].comment_no) == {1, 2, 3, 4, 5, 6}
    assert (u[u.part == "article"].paragraph_no.max()) == 10
    assert (u.lang == "fr").mean() > 0.9
    # a line break ends a sentence in comments
    assert "Bullshit" in set(u.text)
    assert u.text.str.contains("Reuters a même révélé").sum() == 1


def test_blank_line_inside_comment_is_kept(tmp_path):
    f = tmp_path / "p.txt"
    f.write_text("Titre\n\nUn paragraphe.\n\n2 commentaires\n\n  1. Premier\n\n    suite du premier\n\n  2. Second\n",
                 encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = load_page(f)
    assert p.comments[0].text == "Premier\n\nsuite du premier"
    assert p.comments[1].text == "Second"


@pytest.mark.parametrize("content, message", [
    (b"", "file is empty"),
    (b"  \n\n", "file is empty"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "HTML page|no article found"),  # read as HTML (test_html.py)
    (b"Titre\n\nCorps \xe9t\xe9\n", "byte offset 13"),
])
def test_bad_input_names_file_and_line(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(CorpusError, match=message) as err:
        load_page(f)
    assert str(f) in str(err.value)
    assert err.value.line == (3 if b"\xe9" in content else None if b"<!DOCTYPE" in content else 1)


def test_other_encoding_can_be_given(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Titre\n\nCorps été.\n".encode("cp1252"))
    with pytest.warns(CorpusWarning, match="no comments"):
        p = load_page(f, encoding="cp1252")
    assert p.paragraphs[0].text == "Corps été."


def test_numbering_that_jumps_is_an_error(tmp_path):
    f = tmp_path / "jump.txt"
    f.write_text("Titre\n\nCorps.\n\n3 commentaires\n\n  1. un\n\n  2. deux\n\n  4. quatre\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="expected 3., found 4.") as err:
        load_page(f)
    assert err.value.line == 11


def test_page_without_comments_warns(tmp_path):
    f = tmp_path / "nocomment.txt"
    f.write_text("Titre\n\nCorps de l'article.\n", encoding="utf-8")
    with pytest.warns(CorpusWarning, match="no comments"):
        p = load_page(f)
    assert p.comments == [] and p.paragraphs[0].text == "Corps de l'article."


def test_counter_mismatch_warns():
    with pytest.warns(CorpusWarning, match="announces 3 comments, 1 were found"):
        parse_dump("Titre\n\nCorps.\n\n3 commentaires\n\n  1. seul\n")


def test_very_long_comment_is_kept_whole(tmp_path):
    long = ("La France est coloniale et le Maroc aussi. " * 25000).strip()  # ~1 MB
    f = tmp_path / "long.json"
    f.write_text(json.dumps({"title": "T", "body": ["Corps."], "comments": [{"text": long}]}), encoding="utf-8")
    p = load_json(f)
    u = units(p)
    c = u[u.part == "comment"]
    # parsed in chunks cut at word breaks: each sentence once, plus a split at each chunk cut
    assert 25000 <= len(c) <= 25000 + len(long) // 20000 + 1
    assert "".join(c.text).replace(" ", "") == long.replace(" ", "")


def test_json_article(tmp_path):
    f = tmp_path / "a.json"
    f.write_text(json.dumps({
        "title": "Paris et Alger", "date": "2024-05-02", "url": "https://example.org/a",
        "body": ["Premier paragraphe.", "Second paragraphe."],
        "comments": [{"id": "c1", "author": "amine", "text": "Vive l'Algérie."},
                     {"id": "c2", "author": "karim", "text": "@amine tu rêves.", "reply_to": "c1"}]}),
        encoding="utf-8")
    p = load_json(f)
    assert p.title == "Paris et Alger" and p.date == "2024-05-02" and p.url == "https://example.org/a"
    assert [c.author for c in p.comments] == ["amine", "karim"]
    assert p.comments[1].reply_to == 1 and p.comments[1].reply_basis == "reply_to field"
    u = units(p)
    for row in u.itertuples():
        assert p.raw[row.start:row.end] == row.text


def test_json_errors(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('{"title": "x",\n "body": [1, 2]}', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"body\[0\] must be a string, not int"):
        load_json(f)
    f.write_text('{"title": "x",\n "body": [}', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad.json:2: invalid JSON"):
        load_json(f)


def test_table_of_articles(tmp_path):
    df = pd.DataFrame({"article_id": ["a", "a", "a", "b", "b"],
                       "part": ["title", "body", "comment", "body", "comment"],
                       "text": ["T1", "Corps A.", "Com A.", "Corps B.", "Com B."]})
    f = tmp_path / "t.csv"
    df.to_csv(f, index=False)
    pages = load_table(f)
    assert [len(p.comments) for p in pages] == [1, 1]
    assert pages[0].title == "T1" and pages[1].paragraphs[0].text == "Corps B."
    df.drop(columns="part").to_csv(f, index=False)
    with pytest.raises(CorpusError, match="missing column"):
        load_table(f)


def test_units_command_writes_parquet(tmp_path, seed_path):
    import subprocess
    import sys

    out = tmp_path / "units.parquet"
    r = subprocess.run([sys.executable, "-m", "analysis", "units", str(seed_path), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(out)
    assert df.comment_no.nunique() == 6 and (df.part == "article").sum() == 27


# ----------------------------------------------------------------------------- hygiene at the input boundary
def _json(tmp_path, **fields):
    doc = {"title": "Paris et Alger", "body": ["La France et le Maroc."],
           "comments": [{"id": "c1", "author": "amine", "text": "Vive l'Algérie."}]}
    doc.update(fields)
    f = tmp_path / "a.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    return f


@pytest.mark.parametrize("fields, check", [
    ({"title": None}, lambda p: p.title == "" and p.title_block is None),
    ({"body": None}, lambda p: p.paragraphs == []),
    ({"body": ["Un.", None, "  ", "Deux."]}, lambda p: [b.text for b in p.paragraphs] == ["Un.", "Deux."]),
    ({"comments": [{"id": 1, "author": 42, "text": "Un."}, {"id": 2.0, "author": None, "text": "Deux.", "reply_to": 1}]},
     lambda p: [c.author for c in p.comments] == ["42", None] and p.comments[1].reply_to == 1),
    ({"comments": [{"text": "Un."}, {"text": "Deux.", "reply_to": 1}]},  # no ids: positions
     lambda p: p.comments[1].reply_to == 1 and p.comments[1].reply_basis == "reply_to field"),
    ({"comments": [{"id": "c1", "author": "na\u0000dia", "text": "Un\u001b[0m."}]},
     lambda p: p.comments[0].author == "na dia" and p.comments[0].text == "Un [0m."),
    ({"url": None, "date": None}, lambda p: p.url is None and p.date is None),
])
def test_json_fields_are_coerced_by_the_documented_rule(tmp_path, fields, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        assert check(load_json(_json(tmp_path, **fields)))


def test_a_link_found_by_the_heuristics_never_closes_a_reply_cycle(tmp_path):
    p = load_json(_json(tmp_path, comments=[
        {"id": "c1", "author": "amine", "text": "@karim tu rêves du Maroc", "reply_to": "c2"},  # forward link
        {"id": "c2", "author": "karim", "text": "@amine tu rêves du Maroc"}]))
    assert p.comments[0].reply_to == 2 and p.comments[1].reply_to is None


def test_raw_offsets_by_bisection_equal_the_linear_scan(seed_page):
    def linear(blk, i):
        for off, start, end in reversed(blk.segments):
            if i >= off:
                return min(start + (i - off), end)
        return blk.start

    for blk in [seed_page.title_block] + seed_page.paragraphs + seed_page.comments:
        assert all(blk.raw_offset(i) == linear(blk, i) for i in range(-1, len(blk.text) + 2))


def test_parquet_cells_are_read_as_text(tmp_path):
    f = tmp_path / "t.parquet"
    pd.DataFrame({"article_id": [7, 7, 7, 7, 8], "part": ["Title", "body ", "comment", "comment", "comment"],
                  "text": ["T", "Corps.", "Un.", "Deux.", "Trois."], "comment_id": [None, None, 1, 2, 1],
                  "reply_to": [None, None, None, 1.0, None], "author": [None, None, 42, 3, 5]}).to_parquet(f)
    pages = load_table(f)
    assert [p.source.rsplit("#")[1] for p in pages] == ["7", "8"]
    a = pages[0]
    assert a.title == "T" and a.paragraphs[0].text == "Corps." and a.comments[0].author == "42"
    assert a.comments[1].reply_to == 1 and a.comments[1].reply_basis == "reply_to field"  # 1.0 is id 1
    pd.DataFrame({"article_id": ["a"], "part": ["body"], "text": [["une", "liste"]]}).to_parquet(f)
    with pytest.raises(CorpusError, match=r"t.parquet: row 1: column 'text' holds"):
        load_table(f)


def test_csv_cells_over_the_csv_modules_limit_and_separator_hints(tmp_path):
    f = tmp_path / "t.csv"
    long = "La France. " * 20000  # 220,000 characters
    pd.DataFrame({"article_id": ["a"], "part": ["body"], "text": [long]}).to_csv(f, index=False)
    assert load_table(f)[0].paragraphs[0].text == long.strip()
    f.write_text("article_id;part;text\na;body;x\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="separated by semicolons"):
        load_table(f)


def test_reply_rules_reach_back_by_author_always_and_by_words_within_the_window(tmp_path):
    from analysis.io.pages import REPLY_WINDOW

    filler = [{"id": f"f{k}", "author": f"u{k}", "text": f"Commentaire numéro {k}."} for k in range(REPLY_WINDOW + 5)]
    p = load_json(_json(tmp_path, comments=[
        {"id": "a", "author": "amine", "text": "Les gazoducs transsahariens coûtent une fortune."}, *filler,
        {"id": "b", "author": "karim", "text": "@amine non."},  # the author is far back: still found
        {"id": "c", "author": "nadia", "text": "Tu oublies les gazoducs transsahariens."},  # only "a" shares words
        {"id": "d", "author": "sami", "text": "Tu parles du commentaire numéro 300 ?"}]))
    b, c, d = p.comments[-3:]
    assert (b.reply_to, b.reply_basis) == (1, "@author")
    assert c.reply_to is None  # its only match lies beyond the window
    assert d.reply_basis == "word overlap" and d.reply_to >= len(p.comments) - REPLY_WINDOW  # the latest best match
