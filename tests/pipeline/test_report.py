import json
import subprocess
import sys

import pytest

from analysis import analyze


@pytest.fixture(scope="module")
def seed_analysis(seed_path):
    return analyze(seed_path)


def test_report_shows_what_a_careful_reader_sees(seed_analysis):
    s = seed_analysis.summary
    art, com = s["article"], s["comments"]
    assert art["salience"]["Morocco"] == 0 and com["salience"]["Morocco"] > 0
    assert {"Morocco", "Israel", "United States"} <= set(com["only_here"])
    assert com["stance"]["Morocco"]["ci_high"] < 0  # attacked in the comments
    france = com["stance"]["France"]  # hostile to France: more units against than in favour
    assert france["mean"] < 0 and france["against"] > france["favor"]
    assert com["incivility_rate"] > 3 * art["incivility_rate"]
    assert art["evidential_rate"] > 2 * com["evidential_rate"]
    assert com["certainty_rate"] > art["certainty_rate"]
    assert abs(sum(art["frames"].values()) - 1) < 1e-3


def test_report_command_writes_tables_and_summary(tmp_path, seed_path):
    out = tmp_path / "rep"
    r = subprocess.run([sys.executable, "-m", "analysis", "report", str(seed_path), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["page"]["comments"] == 6
    for name in ("units", "stance", "mentions", "evidentiality", "incivility", "frames", "address", "specificity"):
        assert (out / f"{name}.parquet").stat().st_size > 0 and (out / f"{name}.csv").exists()


def test_report_on_a_json_article(tmp_path):
    article = {
        "title": "Paris et Rabat signent un accord gazier",
        "date": "2024-05-02",
        "url": "https://example.org/own-article",
        "body": ["Selon l'agence officielle, la France et le Maroc auraient signé un accord sur le gaz.",
                 "Le texte pourrait être ratifié en juin, d'après des sources diplomatiques."],
        "comments": [
            {"id": "1", "author": "nadia", "text": "Bravo le Maroc, un vrai partenaire sérieux !"},
            {"id": "2", "author": "yacine", "text": "@nadia ton Makhzen vend tout à la France, quelle honte.",
             "reply_to": "1"},
        ]}
    path = tmp_path / "own.json"
    path.write_text(json.dumps(article, ensure_ascii=False), encoding="utf-8")
    a = analyze(path)
    s = a.summary
    assert s["page"]["comments"] == 2 and s["page"]["date"] == "2024-05-02"
    assert s["article"]["evidential_rate"] == pytest.approx(2 / 3, abs=1e-3)  # both paragraphs, not the title
    assert s["comments"]["stance"]["Morocco"]["favor"] + s["comments"]["stance"]["Morocco"]["against"] == 2
    g = a.interaction_graph()
    assert g.edges["c2", "c1"]["basis"] == "reply_to field"
