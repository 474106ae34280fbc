"""The coding sample (analysis/validation/sample.py): stratified, seeded, no model output in the sheet."""
import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.errors import ConfigError, OutputError
from analysis.pipeline.sampling import write_sample
from analysis.resources import load_yaml
from analysis.validation import sample as smp

TARGETS = ("Algeria", "Morocco")


def tables(n_art=12, n_com=40, seed=0) -> dict[str, pd.DataFrame]:
    """A hand-made report: article sentences in 3 paragraphs, comment sentences in 10 comments;
    each unit names Algeria ("l'Algérie") and every third one Morocco too."""
    rng = np.random.default_rng(seed)
    units, stance, mentions, frames, incivility = [], [], [], [], []
    frame_keys = list(load_yaml("frames.yaml")["frames"])
    for i in range(n_art + n_com):
        art = i < n_art
        uid = f"a-p{i % 3:02d}-s{i:02d}" if art else f"c{(i - n_art) // 4:02d}-s{i:02d}"
        text = f"Phrase {i} sur l'Algérie" + (" et le Maroc." if i % 3 == 0 else ".")
        units.append({"unit_id": uid, "part": "article" if art else "comment",
                      "comment_no": pd.NA if art else (i - n_art) // 4, "paragraph_no": i % 3 if art else pd.NA,
                      "sentence_no": i, "text": text, "lang": "fr" if i % 5 else "ar"})
        for t in TARGETS:
            mentioned = t == "Algeria" or i % 3 == 0
            p = rng.dirichlet([1, 1, 1]) if mentioned else np.array([0.0, 0.0, 1.0])
            label = ("favor", "against", "none")[int(np.argmax(p))]
            stance.append({"unit_id": uid, "part": units[-1]["part"], "comment_no": units[-1]["comment_no"],
                           "target": t, "mentioned": mentioned, "n_mentions": int(mentioned), "label": label,
                           "p_favor": p[0], "p_against": p[1], "p_none": p[2], "holder": "author" if mentioned else "",
                           "evidence": text if mentioned else ""})
            if mentioned:
                word = "Algérie" if t == "Algeria" else "Maroc"
                s = text.index(word)
                mentions.append({"unit_id": uid, "target": t, "start": s, "end": s + len(word)})
        sims = rng.random(len(frame_keys))
        frames.append({"unit_id": uid, "part": units[-1]["part"], **{f"sim_{k}": v for k, v in zip(frame_keys, sims)},
                       "frame": frame_keys[int(np.argmax(sims))]})
        incivility.append({"unit_id": uid, "part": units[-1]["part"], "obscenity": 0, "name_calling": int(i % 7 == 0),
                           "slurs": 0, "dehumanising": 0, "words": "idiot" if i % 7 == 0 else "",
                           "uncivil": i % 7 == 0, "p_uncivil": rng.random()})
    return {"units": pd.DataFrame(units), "stance": pd.DataFrame(stance), "mentions": pd.DataFrame(mentions),
            "frames": pd.DataFrame(frames), "incivility": pd.DataFrame(incivility)}


def write_report(folder, t=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (t or tables()).items():
        df.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def model_values(key: pd.DataFrame) -> set[str]:
    """Every model output of the key, as text (labels, probabilities, similarities, words)."""
    cols = [c for c in key if c in smp.MODEL_COLUMNS or c.startswith("sim_")]
    vals = set()
    for c in cols:
        for v in key[c]:
            vals |= {str(v)} if not isinstance(v, float) else {str(v), f"{v:.3f}", f"{v:.2f}", repr(v)}
    return {v for v in vals if v not in ("", "nan")}


def test_allocate_proportional_with_one_per_stratum():
    assert list(smp.allocate([100, 10, 1, 0], 20)) == [18, 1, 1, 0]  # quotas 18.0, 1.8, 0.2: the last gets its minimum
    assert list(smp.allocate([100, 10, 1], 30)) == [27, 2, 1]  # quotas 27.0, 2.7, 0.3
    a = smp.allocate([50, 30, 15, 3, 2], 25)
    assert a.sum() == 25 and (a >= 1).all() and (a <= [50, 30, 15, 3, 2]).all()
    assert list(smp.allocate([3, 2], 10)) == [3, 2]  # n above the population: everything
    with pytest.raises(ConfigError, match="smaller than the 3 non-empty strata"):
        smp.allocate([5, 5, 5], 2)


def test_stratified_seeded_every_stratum():
    pop = smp.population(tables(), "stance")
    assert pop.mentioned.all() and len(pop) == 52 + 18
    by = ["part", "target", "label", "lang"]
    strata = pop[by].astype(str).agg("|".join, axis=1)
    a = smp.stratified_sample(pop, 30, by=by, seed=3)
    b = smp.stratified_sample(pop, 30, by=by, seed=3)
    c = smp.stratified_sample(pop, 30, by=by, seed=4)
    assert len(a) == 30 and a.equals(b)  # same seed, same sample (and order)
    assert not a[["unit_id", "target"]].equals(c[["unit_id", "target"]])
    assert set(a.stratum) == set(strata)  # every non-empty stratum present
    counts, sizes = a.stratum.value_counts(), strata.value_counts()
    big = sizes.idxmax()
    assert counts[big] >= int(30 * sizes[big] / len(pop))  # proportional for the largest
    assert not a[["unit_id", "target"]].duplicated().any()


def test_bracketed_mentions_and_context():
    pop = smp.population(tables(), "stance")
    row = pop[(pop.unit_id == "a-p00-s00") & (pop.target == "Morocco")].iloc[0]
    assert row.text == "Phrase 0 sur l'Algérie et le [Maroc]."
    row = pop[(pop.unit_id == "a-p00-s03") & (pop.target == "Algeria")].iloc[0]
    assert row.context_before == "Phrase 0 sur l'Algérie et le Maroc."  # same paragraph, previous sentence
    assert row.context_after == "Phrase 6 sur l'Algérie et le Maroc."
    assert smp._bracket("abcdef", [(1, 3), (2, 4), (5, 6)]) == "a[bcd]e[f]"


@pytest.mark.parametrize("measure", ["stance", "frames", "incivility"])
def test_no_model_output_in_the_coder_sheet(tmp_path, measure):
    src = write_report(tmp_path / "report")
    out = tmp_path / "sample"
    s = write_sample(src, out, n=20, measure=measure, seed=1)
    sheet = pd.read_csv(out / "to_code.csv", dtype=str, keep_default_na=False)
    key = pd.read_csv(out / "key.csv", dtype=str, keep_default_na=False)
    assert s["items"] == len(sheet) == len(key) == 20 and list(sheet.item_id) == list(key.item_id)
    coder_cols = smp.coder_columns(measure)
    assert list(sheet.columns[-len(coder_cols):]) == coder_cols
    assert (sheet[coder_cols] == "").all().all()  # coder columns empty
    leaked = [c for c in sheet if (c in smp.MODEL_COLUMNS and c not in coder_cols) or c.startswith(("p_", "sim_"))]
    assert leaked == []
    assert {"label", "item_id"} <= set(key)
    values = model_values(key) - {"favor", "against", "none", "civil", "uncivil"} - set(smp.frame_names())
    text_cols = ["text", "context_before", "context_after", "item_id", "unit_id", "target", "lang", "part"]
    cells = {v for c in sheet.columns if c not in text_cols for v in sheet[c]} | set(sheet.item_id)
    assert not values & cells  # no probability, similarity or lexicon hit in any cell
    # the label words may occur in texts, never in cells of their own (and not in tasks.json's data keys)
    for c in sheet.columns:
        if c not in ("text", "context_before", "context_after"):
            assert not set(sheet[c]) & {"favor", "against", "uncivil", "civil"}, c
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 20 and all(set(t) == {"data"} for t in tasks)  # no "predictions"
    assert [t["data"]["item_id"] for t in tasks] == list(sheet.item_id)
    assert all(not set(t["data"]) & {"label", "p_favor", "frame", "uncivil", "p_uncivil"} for t in tasks)
    assert (out / "codebook.csv").is_file()
    cfg = ET.parse(out / "labelstudio.xml").getroot()
    names = {e.get("value").lstrip("$") for e in cfg.iter("Text")}
    assert names <= set(tasks[0]["data"])  # every $field of the config is in the tasks


def test_labelstudio_configs_match_codebooks():
    for measure, expected in (("stance", list(smp.STANCE_LABELS)), ("incivility", list(smp.INCIVILITY_LABELS)),
                              ("frames", smp.frame_names())):
        root = ET.parse(smp.labelstudio_config(measure)).getroot()
        assert [c.get("value") for c in root.iter("Choice")] == expected
        assert list(smp.codebook(measure).value) == expected


def test_cli_refuses_an_existing_sample_and_bad_options(tmp_path, capsys):
    src = write_report(tmp_path / "report")
    out = tmp_path / "s"
    assert main(["sample", str(src), "--n", "10", "--out", str(out), "--by", "part,label"]) == 0
    first = (out / "to_code.csv").read_bytes()
    assert main(["sample", str(src), "--n", "10", "--out", str(out)]) == 2
    assert "a sample is already here" in capsys.readouterr().err
    assert main(["sample", str(src), "--n", "10", "--out", str(out), "--by", "part,label", "--force"]) == 0
    assert (out / "to_code.csv").read_bytes() == first  # deterministic
    assert main(["sample", str(src), "--n", "10", "--out", str(tmp_path / "t"), "--by", "colour"]) == 2
    assert "--by 'colour': not a column" in capsys.readouterr().err
    assert main(["sample", str(tmp_path / "nothing"), "--out", str(tmp_path / "u")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file or folder" in err
    with pytest.raises(OutputError):
        smp.check_out(out)


def test_corpus_run_folder(tmp_path):
    from pathlib import Path

    run = Path(__file__).resolve().parents[2] / "data" / "processed" / "synthetic_corpus_results"
    if not run.is_dir():
        pytest.skip("no shipped corpus run")
    s = write_sample(run, tmp_path / "s", n=40, seed=0)
    key = pd.read_csv(tmp_path / "s" / "key.csv")
    assert s["items"] == 40 and key.article.nunique() > 1


def test_sample_of_a_page(tmp_path):
    """A page is analysed first (loads the shipped model: the one slow test here)."""
    page = {"title": "Le Maroc et l'Algérie", "date": "2024-05-02", "url": "https://example.org/a",
            "body": ["L'Algérie a signé un accord avec la Russie.", "La France observe le Maroc."],
            "comments": [{"id": "c1", "author": "nadia", "text": "Bravo l'Algérie, un grand pays !", "reply_to": None},
                         {"id": "c2", "author": "yacine", "text": "Le Maroc est un voisin honteux.", "reply_to": None}]}
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    s = write_sample(path, tmp_path / "s", n=50, by=["part"])
    sheet = pd.read_csv(tmp_path / "s" / "to_code.csv", dtype=str, keep_default_na=False)
    assert s["items"] == s["population"] == len(sheet) >= 4  # n above the population: every mention
    assert sheet.text.str.contains(r"\[", regex=True).all() and (sheet.label == "").all()


def test_write_from_tables_in_memory(tmp_path):
    """The notebook path: tables in, files out, the same sample as from a report folder."""
    s = smp.write(tables(), tmp_path / "a", n=20, seed=1)
    write_sample(write_report(tmp_path / "report"), tmp_path / "b", n=20, seed=1)
    a = pd.read_csv(tmp_path / "a" / "key.csv").drop(columns="article")
    b = pd.read_csv(tmp_path / "b" / "key.csv").drop(columns="article")
    assert s["items"] == 20 and a.equals(b)
