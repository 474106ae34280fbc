"""Bad input through the command line, as a new user would give it (issue 17).

Every case ends in exit 0 with a correct result, or exit 2 with ONE line that names the file
(and line or key) and says what to do; never a traceback. Refusals come before any work:
the ``no_model`` fixture makes loading a model fail the test. The few tests that need the
model are grouped at the end and share one model load.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.io.synthetic import synthetic_corpus
from analysis.pipeline import batch
from analysis.stance import classifier as stance

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"


class ModelLoaded(BaseException):
    """Not an Exception: no error handler (corpus runs isolate Exceptions) can swallow it."""


@pytest.fixture
def no_model(monkeypatch):
    """Refused before work: any attempt to load a model fails the test."""
    import analysis.stance.encoder

    def boom(*args, **kwargs):
        raise ModelLoaded("a model was loaded: the input should have been refused before any work")

    monkeypatch.setattr(analysis.stance.encoder, "load_encoder", boom)
    monkeypatch.setattr(stance, "load_model", boom)


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working folder with a good input of each kind, a folder and a regular file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("id,text\n1,La France.\n2,Le Maroc.\n", encoding="utf-8")
    (tmp_path / "page.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("not a folder\n", encoding="utf-8")
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "a.json").write_text(json.dumps({"title": "T", "body": ["La France."]}), encoding="utf-8")
    return tmp_path


def run_cli(*args):
    """``python -m analysis ARGS`` in this process: (status, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def assert_refused(result, *needles):
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


def write(path, content):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def link(src, dst, hard=False):
    (os.link if hard else os.symlink)(src, dst)


# ----------------------------------------------------------------------------- stance
def _setup_stance(case, tmp):
    big = "x" * 2_000_001
    return {
        "symlink": lambda: link("in.csv", "link.csv"),
        "hardlink": lambda: link("in.csv", "hard.csv", hard=True),
        "output is a folder": lambda: (tmp / "out.csv").mkdir(),
        "header only": lambda: write("h.csv", "id,text\n"),
        "header only, CRLF": lambda: write("h.csv", b"id,text\r\n"),
        "empty": lambda: write("h.csv", b""),
        "missing column": lambda: write("h.csv", "ident,texte\n1,x\n"),
        "duplicate id after a multi-line cell": lambda: write("h.csv", 'id,text\n1,"un\ndeux\ntrois"\n2,b\n1,c\n'),
        "unterminated quote": lambda: write("h.csv", 'id,text\n1,ok\n2,"jamais fermé\n3,x\n'),
        "too many fields": lambda: write("h.csv", "id,text\n1,La France, et le Maroc\n"),
        "empty id": lambda: write("h.csv", "id,text\n1,a\n ,b\n"),
        "text too long": lambda: write("h.csv", f"id,text\n1,a\n2,{big}\n"),
        "bad register after a multi-line cell": lambda: write("h.csv", 'id,text,register\n1,"a\nb",news\n2,c,blog\n'),
        "latin-1": lambda: write("h.csv", "id,text\n1,café\n".encode("latin-1")),
        "utf-16": lambda: write("h.csv", "id,text\n1,café\n".encode("utf-16")),
        "parquet input": lambda: pd.DataFrame({"id": ["1"], "text": ["x"]}).to_parquet(tmp / "h.parquet"),
        "repeated column": lambda: write("h.csv", "id,text,text\n1,a,b\n"),
        "semicolon separated": lambda: write("h.csv", "id;text\n1;La France\n"),
    }.get(case, lambda: None)()


STANCE_CASES = [
    # case, arguments, what the one line says
    ("output is the input", ["--input", "in.csv", "--output", "in.csv"], ["in.csv: is the input"]),
    ("./x vs x", ["--input", "in.csv", "--output", "./in.csv"], ["is the input"]),
    ("absolute vs relative", ["--input", "in.csv", "--output", "{tmp}/in.csv"], ["is the input"]),
    ("symlink", ["--input", "in.csv", "--output", "link.csv"], ["link.csv: is the input in.csv"]),
    ("hardlink", ["--input", "in.csv", "--output", "hard.csv"], ["hard.csv: is the input"]),
    ("output is a folder", ["--input", "in.csv", "--output", "out.csv"], ["out.csv: is a folder"]),
    ("output suffix", ["--input", "in.csv", "--output", "out.txt"], ["out.txt: write .parquet or .csv"]),
    ("output under a regular file", ["--input", "in.csv", "--output", "file/out.csv"], ["file is a file, not a folder"]),
    ("unwritable output folder", ["--input", "in.csv", "--output", "/proc/out.csv"], ["cannot write in /proc"]),
    ("header only", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: the file has a header but no rows"]),
    ("header only, CRLF", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: the file has a header but no rows"]),
    ("empty", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: file is empty"]),
    ("missing column", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: missing column(s) id, text"]),
    ("duplicate id after a multi-line cell", ["--input", "h.csv", "--output", "o.csv"],
     ["h.csv:6: duplicate id '1' (first on line 2)"]),
    ("unterminated quote", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:3: cannot parse CSV", "quotes"]),
    ("too many fields", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:2: 3 fields where the header has 2"]),
    ("empty id", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:3: the id is empty"]),
    ("text too long", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:3: the text of id '2' is longer than 2,000,000"]),
    ("bad register after a multi-line cell", ["--input", "h.csv", "--output", "o.csv"],
     ["h.csv:4: register must be one of", "'blog'"]),
    ("latin-1", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:2: not valid UTF-8 at byte offset 13"]),
    ("utf-16", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: not valid UTF-8", "UTF-16"]),
    ("parquet input", ["--input", "h.parquet", "--output", "o.csv"], ["h.parquet: stance reads a CSV"]),
    ("repeated column", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: column 'text' appears twice"]),
    ("semicolon separated", ["--input", "h.csv", "--output", "o.csv"], ["h.csv:1: missing column(s)", "semicolons"]),
    ("input is a device", ["--input", "/dev/null", "--output", "o.csv"], ["/dev/null: is not a regular file"]),
    ("missing input", ["--input", "nope.csv", "--output", "o.csv"], ["nope.csv: no such file"]),
    ("input is a folder", ["--input", "folder", "--output", "o.csv"], ["folder: is a folder"]),
    ("unknown target", ["--input", "in.csv", "--output", "o.csv", "--targets", "France,Atlantis"],
     ["--targets: unknown target(s) Atlantis"]),
    ("empty targets", ["--input", "in.csv", "--output", "o.csv", "--targets", " , "], ["--targets names no target"]),
    ("unknown register", ["--input", "in.csv", "--output", "o.csv", "--register", "blog"], ["--register", "invalid choice"]),
    ("missing option", ["--input", "in.csv"], ["the following arguments are required: --output"]),
]


@pytest.mark.parametrize("case, args, needles", STANCE_CASES, ids=[c[0] for c in STANCE_CASES])
def test_stance_bad_input_is_refused_before_work(work, no_model, case, args, needles):
    _setup_stance(case, work)
    before = {p: p.read_bytes() for p in work.glob("*.csv") if p.is_file()}
    args = [a.format(tmp=work) for a in args]
    assert_refused(run_cli("stance", *args), *needles)
    assert {p: p.read_bytes() for p in work.glob("*.csv") if p.is_file()} == before  # inputs untouched
    assert not Path("o.csv").exists() and not list(work.glob(".o.csv*"))


# ----------------------------------------------------------------------------- units (one page)
def _article(**fields):
    doc = {"title": "Paris et Alger", "body": ["La France et le Maroc."],
           "comments": [{"id": "c1", "author": "amine", "text": "Vive l'Algérie."}]}
    doc.update(fields)
    return json.dumps(doc)


UNITS_CASES = [
    ("output is a link to the page", "page.txt", "link.parquet", ["link.parquet: is the input page.txt"]),
    ("output is a folder", "page.txt", "folder", ["folder: is a folder"]),
    ("output suffix", "page.txt", "units.json", ["units.json: write .parquet or .csv"]),
    ("output under a regular file", "page.txt", "file/units.parquet", ["file is a file, not a folder"]),
    ("unwritable output folder", "page.txt", "/proc/units.parquet", ["cannot write in /proc"]),
    ("missing page", "nope.txt", "u.parquet", ["nope.txt: no such file"]),
    ("page is a folder", "folder", "u.parquet", ["folder: is a folder"]),
    ("page is a device", "/dev/null", "u.parquet", ["/dev/null: is not a regular file"]),
    ("page is a table", "in.csv", "u.parquet", ["in.csv: a table of many articles", "corpus"]),
    ("html page", "p.html", "u.parquet", ["p.html: no article found"]),
    ("html in a .txt", "p.txt", "u.parquet", ["p.txt:2: this is an HTML page"]),
    ("empty page", "p.txt", "u.parquet", ["p.txt:1: file is empty"]),
    ("numbering jumps", "p.txt", "u.parquet", ["p.txt:9: comment numbering jumps: expected 2., found 3."]),
    ("unknown encoding", "page.txt", "u.parquet", ["page.txt: unknown encoding 'klingon'"]),
    ("title is a list", "p.json", "u.parquet", ["p.json: title must be a string, not a list"]),
    ("body is a number", "p.json", "u.parquet", ["p.json: 'body' must be a list of paragraph strings"]),
    ("comments is an object", "p.json", "u.parquet", ["p.json: 'comments' must be a list"]),
    ("comment text is null", "p.json", "u.parquet", ["p.json: comments[0] needs a non-empty 'text'"]),
    ("author is a list", "p.json", "u.parquet", ["p.json: comments[0].author must be a string or a number"]),
    ("duplicate comment ids", "p.json", "u.parquet", ["p.json: comments[1]: duplicate comment id 'c1' (also comments[0])"]),
    ("self-reply", "p.json", "u.parquet", ["p.json: comments[0]: comment 'c1' replies to itself"]),
    ("reply cycle", "p.json", "u.parquet", ["p.json: comments[0]: replies form a cycle ('c1' -> 'c2' -> 'c1')"]),
    ("a list of articles", "p.json", "u.parquet", ["p.json:1: expected a JSON object", "one article per file"]),
    ("invalid JSON", "p.json", "u.parquet", ["p.json:2: invalid JSON"]),
]


def _setup_units(case, tmp):
    two = [{"id": "c1", "text": "a", "reply_to": "c2"}, {"id": "c2", "text": "b", "reply_to": "c1"}]
    files = {
        "html page": ("p.html", "<p>x</p>"),
        "html in a .txt": ("p.txt", "Titre\n<html><body>x</body></html>\n"),
        "empty page": ("p.txt", "\n\n"),
        "numbering jumps": ("p.txt", "Titre\n\nCorps.\n\n2 commentaires\n\n  1. un\n\n  3. trois\n"),
        "title is a list": ("p.json", _article(title=["T"])),
        "body is a number": ("p.json", _article(body=3)),
        "comments is an object": ("p.json", _article(comments={"id": "c1"})),
        "comment text is null": ("p.json", _article(comments=[{"id": "c1", "text": None}])),
        "author is a list": ("p.json", _article(comments=[{"id": "c1", "text": "a", "author": ["x"]}])),
        "duplicate comment ids": ("p.json", _article(comments=[{"id": "c1", "text": "a"},
                                                               {"id": "c1", "text": "b", "reply_to": "c1"}])),
        "self-reply": ("p.json", _article(comments=[{"id": "c1", "text": "a", "reply_to": "c1"}])),
        "reply cycle": ("p.json", _article(comments=two)),
        "a list of articles": ("p.json", "[" + _article() + "]"),
        "invalid JSON": ("p.json", '{"title": "x",\n "body": [}'),
    }
    if case in files:
        write(tmp / files[case][0], files[case][1])
    if case == "output is a link to the page":
        link("page.txt", "link.parquet")


@pytest.mark.parametrize("case, page, out, needles", UNITS_CASES, ids=[c[0] for c in UNITS_CASES])
def test_units_bad_input_is_refused(work, no_model, case, page, out, needles):
    _setup_units(case, work)
    seed_bytes = (work / "page.txt").read_bytes()
    extra = ["--encoding", "klingon"] if case == "unknown encoding" else []
    assert_refused(run_cli("units", page, "--out", out, *extra), *needles)
    assert (work / "page.txt").read_bytes() == seed_bytes
    assert not Path("u.parquet").exists()


COERCED = [
    # case, article fields, what the units table must show
    ("title null: no title unit", {"title": None}, lambda u: "None" not in set(u.text) and (u.paragraph_no == 0).sum() == 0),
    ("body null: the title alone", {"body": None, "title": "Titre seul"},
     lambda u: list(u.text[u.part == "article"]) == ["Titre seul"]),
    ("author and ids as numbers", {"comments": [{"id": 1, "author": 42, "text": "Bravo."},
                                               {"id": 2, "author": 7, "text": "@42 tu rêves.", "reply_to": 1}]},
     lambda u: (u.part == "comment").sum() == 2),
    ("NUL next to a mention becomes a space", {"comments": [{"id": "c1", "text": "Vive\u0000la France\u0007!"}]},
     lambda u: "Vive la France !" in set(u.text)),
    ("lone surrogate", {"comments": [{"id": "c1", "text": "émoji \ud83d cassé"}]},
     lambda u: "émoji \ufffd cassé" in set(u.text)),
    ("reply_to names no comment: top-level", {"comments": [{"id": "c1", "text": "Un.", "reply_to": "c9"}]},
     lambda u: (u.part == "comment").sum() == 1),
    ("text instead of body: warned", {"body": None, "text": "Le corps."},
     lambda u: list(u.text[u.part == "article"]) == ["Paris et Alger"]),
]


@pytest.mark.parametrize("case, fields, check", COERCED, ids=[c[0] for c in COERCED])
def test_units_coerced_input_gives_the_right_units(work, no_model, case, fields, check):
    write("p.json", _article(**fields))
    code, out, err = run_cli("units", "p.json", "--out", "u.parquet")
    assert code == 0, err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1  # at most one warning line
    if "NUL" in case:
        assert err.startswith("warning: p.json: comments[0].text: 2 control character(s)")
    assert check(pd.read_parquet("u.parquet"))
    assert os.stat("u.parquet").st_mode & 0o777 == 0o644  # world-readable like any file


def test_units_of_a_page_with_nul_bytes(work, no_model):
    write("p.txt", "Titre\n\nLa France\x00est là. Le Maroc\x0baussi.\n\n2 commentaires\n\n  1. un\n\n  2. deux\n")
    code, out, err = run_cli("units", "p.txt", "--out", "u.csv")
    assert code == 0, err
    assert err.strip() == "warning: p.txt:3: 2 control character(s) (NUL and the like) replaced by spaces"
    u = pd.read_csv("u.csv")
    assert "La France est là." in set(u.text) and "Le Maroc aussi." in set(u.text)


# ----------------------------------------------------------------------------- report
REPORT_CASES = [
    ("--out under a regular file", "page.txt", "file/rep", ["file is a file, not a folder"]),
    ("--out is a file", "page.txt", "file", ["file: is a file; --out must be a folder"]),
    ("unwritable --out", "page.txt", "/proc/rep", ["cannot write in /proc"]),
    ("an output name is a folder", "page.txt", "rep", ["rep/summary.json: is a folder where an output file goes"]),
    ("the page is an output", "rep2/summary.json", "rep2", ["rep2/summary.json: would overwrite the input"]),
    ("missing page", "nope.txt", "rep", ["nope.txt: no such file"]),
]


@pytest.mark.parametrize("case, page, out, needles", REPORT_CASES, ids=[c[0] for c in REPORT_CASES])
def test_report_bad_output_is_refused_before_work(work, no_model, case, page, out, needles):
    if case == "an output name is a folder":
        (work / "rep" / "summary.json").mkdir(parents=True)
    if case == "the page is an output":
        write("rep2/summary.json", _article())
    assert_refused(run_cli("report", page, "--out", out), *needles)


# ----------------------------------------------------------------------------- corpus
def _setup_corpus(case, tmp):
    body = "article_id,part,text\n"
    files = {
        "header-only table": ("t.csv", body),
        "table without article_id": ("t.csv", "id,part,text\n1,body,x\n"),
        "empty table": ("t.csv", ""),
        "table with a bad quote": ("t.csv", body + 'a,body,"x\na,comment,y\n'),
        "table with an empty article_id after a multi-line cell": ("t.csv", body + 'a,body,"un\ndeux"\n,comment,y\n'),
        "table with too many fields": ("t.csv", body + "a,body,La France, et le Maroc\n"),
        "latin-1 table": ("t.csv", (body + "a,body,café\n").encode("latin-1")),
    }
    if case in files:
        write(tmp / files[case][0], files[case][1])
    if case == "parquet without article_id":
        pd.DataFrame({"part": ["body"], "text": ["x"]}).to_parquet(tmp / "t.parquet")
    if case == "empty parquet":
        pd.DataFrame({"article_id": [], "part": [], "text": []}).to_parquet(tmp / "t.parquet")
    if case == "the input table is an output of the run":
        write(tmp / "run" / "per_article_stance.parquet", b"PAR1")
    if case == "the input folder is a run's output":
        write(tmp / "old" / "_done" / "x.json", "{}")


CORPUS_CASES = [
    ("--out is an existing file", ["articles", "--out", "file"], ["file: is a file; --out must be a folder"]),
    ("--out under a regular file", ["articles", "--out", "file/run"], ["file is a file, not a folder"]),
    ("unwritable --out", ["articles", "--out", "/proc/run"], ["cannot write in /proc"]),
    ("--out is the input folder", ["articles", "--out", "articles"], ["articles: is the input folder"]),
    ("--out is the input folder, spelled ./", ["articles", "--out", "./articles/"], ["is the input folder"]),
    ("the input table is an output of the run", ["run/per_article_stance.parquet", "--out", "run"],
     ["would overwrite its input"]),
    ("the input folder is a run's output", ["old", "--out", "new"], ["old: is the output folder of a corpus run"]),
    ("header-only table", ["t.csv", "--out", "run"], ["t.csv:1: the file has a header but no rows"]),
    ("table without article_id", ["t.csv", "--out", "run"], ["t.csv:1: missing column(s) article_id"]),
    ("parquet without article_id", ["t.parquet", "--out", "run"], ["t.parquet: missing column(s) article_id"]),
    ("empty table", ["t.csv", "--out", "run"], ["t.csv:1: file is empty"]),
    ("empty parquet", ["t.parquet", "--out", "run"], ["t.parquet: the table has no rows"]),
    ("table with a bad quote", ["t.csv", "--out", "run"], ["t.csv:2: cannot parse CSV"]),
    ("table with an empty article_id after a multi-line cell", ["t.csv", "--out", "run"],
     ["t.csv:4: article_id is empty"]),
    ("table with too many fields", ["t.csv", "--out", "run"], ["t.csv:2: 4 fields where the header has 3"]),
    ("latin-1 table", ["t.csv", "--out", "run"], ["t.csv:2: not valid UTF-8"]),
    ("missing input", ["nope", "--out", "run"], ["nope: no such file or folder"]),
    ("folder without articles", ["folder", "--out", "run"], ["folder: no .txt, .json or .html articles"]),
    ("unknown target", ["articles", "--out", "run", "--targets", "Atlantis"], ["--targets: unknown target(s) Atlantis"]),
    ("no workers", ["articles", "--out", "run", "--workers", "0"], ["--workers must be 1 or more"]),
]


@pytest.mark.parametrize("case, args, needles", CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES])
def test_corpus_bad_input_is_refused_before_work(work, no_model, case, args, needles):
    _setup_corpus(case, work)
    assert_refused(run_cli("corpus", *args), *needles)
    assert not (work / "run" / "_configuration.json").exists()
    assert (work / "file").read_text(encoding="utf-8") == "not a folder\n"


BROKEN = {  # articles that fail on their own; the run goes on and records each
    "duplicate ids.json": (_article(comments=[{"id": "c1", "text": "a"}, {"id": "c1", "text": "b"}]),
                           "duplicate comment id 'c1'"),
    "cycle.json": (_article(comments=[{"id": "c1", "text": "a", "reply_to": "c2"},
                                      {"id": "c2", "text": "b", "reply_to": "c1"}]), "replies form a cycle"),
    "title list.json": (_article(title=["x"]), "title must be a string"),
    "bad json.json": ('{"title": "x",\n "body": [}', "bad json.json:2: invalid JSON"),
    "jump.txt": ("Titre\n\nCorps.\n\n2 commentaires\n\n  1. un\n\n  3. trois\n", "jump.txt:9: comment numbering jumps"),
}


def test_broken_articles_are_recorded_and_a_failed_run_does_not_block_the_next(work, no_model):
    src = work / "broken"
    for name, (content, _) in BROKEN.items():
        write(src / name, content)
    code, out, err = run_cli("corpus", src, "--out", "run", "--targets", "France")
    assert_refused((code, out, err), f"5 of 5 articles failed, first: {src}/", "run/_failed", "rerun")
    summary = json.loads((work / "run" / "summary.json").read_text(encoding="utf-8"))
    assert summary["articles"] == 0 and summary["articles_failed"] == 5
    errors = {Path(f["source"]).name: f["error"] for f in summary["failed"]}
    for name, (_, message) in BROKEN.items():
        assert message in errors[name]
        record = json.loads((work / "run" / "_failed" / f"{batch.article_id(name)}.json").read_text(encoding="utf-8"))
        assert record["type"] == "CorpusError" and message in record["error"]
    # nothing finished, so another configuration may take the folder over
    code, _, err = run_cli("corpus", src, "--out", "run", "--targets", "Russia,Morocco")
    assert code == 2 and "another configuration" not in err
    assert json.loads((work / "run" / "_configuration.json").read_text())["targets"] == ["Morocco", "Russia"]


def test_table_rows_fail_per_article_with_their_line(work, no_model):
    write("t.csv", "article_id,part,text,comment_id,reply_to\n"
                   'a,body,"un\ndeux",,\n'
                   "a,chapeau,x,,\n"          # line 4
                   "b,body,corps,,\n"
                   "b,comment,un,c1,\n"
                   "b,comment,deux,c1,\n"     # line 7
                   "c,comment,,c1,\n")        # line 8
    code, _, err = run_cli("corpus", "t.csv", "--out", "run")
    assert code == 2
    summary = json.loads((work / "run" / "summary.json").read_text(encoding="utf-8"))
    errors = sorted(f["error"] for f in summary["failed"])
    assert errors[0].startswith("t.csv:4: part must be title, body or comment, got 'chapeau'")
    assert errors[1].startswith("t.csv:7: article 'b': duplicate comment id 'c1' (also line 6)")
    assert errors[2].startswith("t.csv:8: article 'c': comment text is empty")


def test_the_configuration_check_compares_the_resolved_configuration(work, no_model):
    default = batch.configuration(None, None)
    assert batch.configuration(None, ["russia", " Algeria", "FRANCE", "Morocco"]) == default
    assert batch.configuration(None, "Morocco,France,Algeria,Russia") == default
    assert batch.configuration(None, ["France"]) != default
    run = work / "run"
    write(run / "_done" / "x.json", "{}")  # one finished article: the configuration now matters
    write(run / "_configuration.json", json.dumps({**default, "targets": None}))  # written by an older version
    batch._check_configuration(run, batch.configuration(None, ["Algeria", "Russia", "Morocco", "France"]))
    with pytest.raises(batch.ConfigError, match=r"another configuration \(targets changed\)"):
        batch._check_configuration(run, batch.configuration(None, ["France"]))


# ----------------------------------------------------------------------------- cache, scale, progress
@pytest.mark.parametrize("damage", ["not a database", "malformed pages"])
def test_a_corrupt_embedding_cache_is_moved_aside_and_rebuilt(tmp_path, monkeypatch, damage):
    from analysis.errors import CacheWarning
    from analysis.stance.encoder import EmbeddingCache

    monkeypatch.setenv("ANALYSIS_CACHE_DIR", str(tmp_path))
    texts = [f"texte numéro {i} " * 20 for i in range(2000)]
    vecs = np.random.default_rng(0).random((len(texts), 8), dtype=np.float32)
    cache = EmbeddingCache("f" * 40)
    cache.put("passage", texts, vecs)
    data = bytearray(cache.path.read_bytes())
    if damage == "not a database":
        data = b"garbage " * 100
    else:
        for off in range(8192, len(data), 4096):
            data[off:off + 300] = b"\xff" * 300
    cache.path.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="the embedding cache is corrupt .*moved aside .*rebuilt"):
        again = EmbeddingCache("f" * 40)
        assert again.get("passage", texts) == {}  # nothing usable: recomputed
    again.put("passage", texts[:3], vecs[:3])
    assert np.array_equal(again.get("passage", texts[:3])[2], vecs[2])
    assert len(list(tmp_path.glob("embeddings/*.corrupt-*.sqlite"))) >= 1


def test_stance_is_scored_in_chunks_with_a_progress_bar(work, monkeypatch, capsys):
    calls, registers = [], []

    def fake_table(ids, texts, model_name=None, targets=None, method=None, register=None):
        calls.append(list(ids))
        registers.extend(register)
        return pd.DataFrame({"id": ids, "target": "France", "mentioned": False, "label": "none", "p_favor": 0.0,
                             "p_against": 0.0, "p_none": 1.0, "holder": "", "evidence": ""})

    monkeypatch.setattr(stance, "stance_table", fake_table)
    monkeypatch.setattr(stance, "STANCE_CHUNK", 2)
    write("five.csv", "id,text,register\n" + "".join(f"{i},texte {i},{' News' if i else ''}\n" for i in range(5)))
    stance.stance_csv("five.csv", "out.csv", targets=["France"], register="forum", progress=True)
    assert calls == [["0", "1"], ["2", "3"], ["4"]]  # memory bounded by the chunk, not the input
    assert registers == ["forum"] + ["news"] * 4  # case and spaces ignored; empty: the --register default
    assert pd.read_csv("out.csv").id.tolist() == [0, 1, 2, 3, 4]
    assert "stance" in capsys.readouterr().err  # the bar


def test_progress_bars_follow_the_terminal_unless_told(monkeypatch):
    from analysis.resources import progress_enabled

    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    assert progress_enabled(True) and not progress_enabled(False)
    monkeypatch.setenv("ANALYSIS_PROGRESS", "1")
    assert progress_enabled(None)
    monkeypatch.setenv("ANALYSIS_PROGRESS", "0")
    assert not progress_enabled(None)


# ----------------------------------------------------------------------------- with the model
# One model load (in this process) for the tests below, plus two subprocesses stopped by Ctrl-C.
# 140,016 characters, over the csv module's default 131,072; long words keep the mention search quick
LONG = ("x" * 199 + " ") * 700 + "Vive la France !"


@pytest.fixture(scope="module")
def stance_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stance")
    src = tmp / "in.csv"
    pd.DataFrame({"id": ["long", "nul", "vt", "multi", "plain"], "text": [
        LONG, "Vive\x00la France !", "Honte au\x0bMaroc.", "Merci\nà la Russie.", "Il fait beau."]}).to_csv(src, index=False)
    out = tmp / "out.csv"
    result = run_cli("stance", "--input", src, "--output", out, "--targets", "France,Morocco,Russia")
    return result, out


def test_stance_long_text_and_control_characters(stance_run):
    (code, _, err), out = stance_run
    assert code == 0, err
    assert "Traceback" not in err and "warning: " in err and "2 control character(s)" in err
    df = pd.read_csv(out, keep_default_na=False).set_index(["id", "target"])
    assert len(df) == 15
    # the mention at the end of a 140,000-character text is found and read in its window (the
    # label on a window of filler letters is the model's business, not this test's)
    assert df.loc[("long", "France"), "mentioned"] and "Vive la France" in df.loc[("long", "France"), "evidence"]
    assert df.loc[("nul", "France"), "mentioned"]  # the NUL no longer hides the mention next to it
    assert df.loc[("vt", "Morocco"), "mentioned"] and df.loc[("multi", "Russia"), "mentioned"]
    assert not df.loc[("plain", "France"), "mentioned"]
    assert os.stat(out).st_mode & 0o777 == 0o644


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory):
    src = tmp_path_factory.mktemp("mixed")
    synthetic_corpus(src, n_comments=8, per_article=4, seed=2)  # 2 good articles
    write(src / "broken.json", '{"title": "x",\n "body": [}')
    write(src / "numbers.json", _article(title="Boom", comments=[{"id": 1, "author": 42, "text": "La France."}]))
    return src


def test_one_broken_article_does_not_stop_the_run_and_a_rerun_retries_only_it(mixed_corpus, tmp_path, monkeypatch):
    from analysis.pipeline import report

    real = report.analyze

    def buggy(page, **kw):  # a bug met on one article's text (not a CorpusError)
        if page.title == "Boom":
            raise TypeError("simulated bug")
        return real(page, **kw)

    monkeypatch.setattr(report, "analyze", buggy)
    out = tmp_path / "run"
    code, stdout, err = run_cli("corpus", mixed_corpus, "--out", out)
    assert_refused((code, stdout, err), "2 of 4 articles failed", "broken.json:2: invalid JSON", "rerun")
    assert stdout.startswith("2 articles")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["articles"] == 2 and summary["units"] > 0 and set(summary["stance"]) == {"article", "comment"}
    kinds = {Path(f["source"]).name: f["type"] for f in summary["failed"]}
    assert kinds == {"broken.json": "CorpusError", "numbers.json": "TypeError"}
    bug = json.loads((out / "_failed" / f"{batch.article_id('numbers.json')}.json").read_text(encoding="utf-8"))
    assert "simulated bug" in bug["error"] and "Traceback" in bug["traceback"]
    assert batch.read(out, "stance").article.nunique() == 2

    monkeypatch.setattr(report, "analyze", real)  # the bug is fixed, and so is the file
    write(mixed_corpus / "broken.json", _article(title="Réparé"))
    done = {p: p.stat().st_mtime_ns for p in (out / "_done").glob("*.json")}
    code, stdout, err = run_cli("corpus", mixed_corpus, "--out", out)
    assert code == 0, err
    assert all(p.stat().st_mtime_ns == t for p, t in done.items())  # only the failed ones ran
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["articles"] == 4 and summary["failed"] == [] and not list((out / "_failed").glob("*.json"))
    assert stdout.startswith("4 articles")


def _stopped_by_ctrl_c(cmd, ready, timeout=240, progress="0"):
    """Start ``python -m analysis CMD``, send SIGINT once ``ready(stderr so far)`` is true;
    return (status, stderr). Fails if the command ended before the signal could be sent."""
    import threading

    # SIGINT back to its default in the child: a suite started in the background (`make test &`)
    # runs with SIGINT ignored, which children inherit and Python then keeps
    proc = subprocess.Popen([sys.executable, "-m", "analysis", *map(str, cmd)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "ANALYSIS_PROGRESS": progress},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    chunks = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stderr.read(1), "")), daemon=True)
    reader.start()
    start = time.time()
    while not ready("".join(chunks)) and proc.poll() is None and time.time() - start < timeout:
        time.sleep(0.05)
    assert proc.poll() is None, f"the command ended before Ctrl-C: {''.join(chunks)[-2000:]}"
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    reader.join(timeout=10)
    return proc.returncode, "".join(chunks)


def test_ctrl_c_exits_130_with_one_line(tmp_path):
    """SIGINT once the first progress bar shows (the work has started; 8,000 texts take
    minutes): exit 130, the last line says so, no traceback, no output file."""
    src = tmp_path / "in.csv"
    src.write_text("id,text\n" + "".join(f"{k},\"La France et le Maroc, encore {k}.\"\n" for k in range(8000)),
                   encoding="utf-8")
    code, err = _stopped_by_ctrl_c(["stance", "--input", src, "--output", tmp_path / "o.csv"],
                                   lambda err: "%|" in err, progress="1")
    assert code == 130, err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("interrupted"), err[-2000:]
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_a_corpus_run_stopped_by_ctrl_c_resumes(tmp_path):
    src = tmp_path / "articles"
    synthetic_corpus(src, n_comments=60, per_article=2, seed=3)  # 30 articles: still running at the first marker
    out = tmp_path / "run"
    code, err = _stopped_by_ctrl_c(["corpus", src, "--out", out],
                                   lambda _: any((out / "_done").glob("*.json")) if (out / "_done").exists() else False)
    assert code == 130, err
    line = err.strip()
    assert len(line.splitlines()) == 1 and line.startswith("interrupted: ") and "of 30 articles done" in line, err
    assert "rerun the same command to resume" in line
    finished = len(list((out / "_done").glob("*.json")))
    assert 1 <= finished < 30
    code, stdout, err = run_cli("corpus", src, "--out", out)
    assert code == 0, err
    st = batch.read(out, "stance")
    assert st.article.nunique() == 30
    assert not st.duplicated(["article", "unit_id", "target"]).any()
