import json

import numpy as np
import pandas as pd
import pytest

from analysis.errors import CorpusError
from analysis.io.synthetic import synthetic_corpus
from analysis.pipeline import batch


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    synthetic_corpus(folder, n_comments=12, per_article=4, seed=1)
    return folder


@pytest.fixture(scope="module")
def local_run(synthetic, tmp_path_factory):
    out = tmp_path_factory.mktemp("local")
    summary = batch.run(synthetic, out, progress=False)
    return out, summary


def test_local_run_writes_partitions_and_summary(local_run):
    out, summary = local_run
    assert summary["articles"] == 3
    st = batch.read(out, "stance")
    assert st.article.nunique() == 3 and set(st.part) == {"article", "comment"}
    assert set(summary["stance"]) == {"article", "comment"}
    per_article = pd.read_parquet(out / "per_article_stance.parquet")
    assert set(per_article.article) <= set(st.article)
    assert json.loads((out / "summary.json").read_text())["units"] == summary["units"]


def test_rerun_skips_finished_articles(local_run, synthetic):
    out, _ = local_run
    markers = sorted((out / "_done").glob("*.json"))
    before = {m: m.stat().st_mtime_ns for m in markers}
    victim = markers[0]
    victim.unlink()  # as if the run had stopped before this article was complete
    batch.run(synthetic, out, progress=False)
    after = {m: m.stat().st_mtime_ns for m in sorted((out / "_done").glob("*.json"))}
    assert victim in after
    assert all(after[m] == before[m] for m in markers[1:])


def test_dask_local_cluster_gives_the_same_numbers(local_run, synthetic, tmp_path):
    pytest.importorskip("dask.distributed")
    out, _ = local_run
    dist = tmp_path / "dask"
    batch.run(synthetic, dist, workers=2, progress=False)
    key = ["article", "unit_id", "target"]
    a = batch.read(out, "stance").sort_values(key, ignore_index=True)
    b = batch.read(dist, "stance").sort_values(key, ignore_index=True)
    assert (a.label == b.label).all()
    assert np.allclose(a[["p_favor", "p_against", "p_none"]], b[["p_favor", "p_against", "p_none"]], atol=1e-5)


def test_table_input(tmp_path):
    df = pd.DataFrame({"article_id": ["x", "x", "y", "y"], "part": ["title", "comment", "body", "comment"],
                       "text": ["Paris et Alger", "Vive l'Algérie !", "Le Maroc signe.", "Honte au Makhzen."]})
    src = tmp_path / "t.csv"
    df.to_csv(src, index=False)
    summary = batch.run(src, tmp_path / "out", progress=False)
    assert summary["articles"] == 2


def test_bad_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="no .txt, .json or .html"):
        batch.run(tmp_path, tmp_path / "out", progress=False)


def test_a_run_folder_is_not_resumed_with_another_configuration(local_run, synthetic):
    out, _ = local_run
    with pytest.raises(ValueError, match="another configuration \\(targets changed\\)"):
        batch.run(synthetic, out, targets=["Morocco"], progress=False)


def test_partitions_without_a_marker_are_not_read(local_run, tmp_path):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(local_run[0], out)
    victim = sorted((out / "_done").glob("*.json"))[0]
    victim.unlink()  # as if the run had stopped after its partitions, before its marker
    st = batch.read(out, "stance")
    assert victim.stem not in set(st.article) and st.article.nunique() == 2


def test_outputs_of_other_runs_inside_the_input_folder_are_not_articles(tmp_path):
    src = tmp_path / "in"
    synthetic_corpus(src, n_comments=4, per_article=2, seed=1)
    (src / "old-run" / "_done").mkdir(parents=True)
    (src / "old-run" / "_done" / "x.json").write_text("{}")
    (src / "old-run" / "summary.json").write_text("{}")
    names = [batch.Path(j.path).name for j in batch.jobs(src, tmp_path / "out")]
    assert names == ["synthetic_00000.json", "synthetic_00001.json"]
    inside = [batch.Path(j.path).name for j in batch.jobs(src, src / "run")]  # --out inside the input folder
    assert inside == names
