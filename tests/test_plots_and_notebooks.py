import hashlib

import pandas as pd
import pytest

from analysis import notebooks, plots

EXPECTED = ["corpus_sentence_lengths", "stance_heatmap", "stance_article_vs_comments", "holder_network", "salience",
            "frames", "evidentiality_incivility", "interaction_graph", "specificity", "validation_confusion",
            "validation_confusion_test", "validation_calibration", "corpus_stance", "corpus_per_article"]


def test_saved_figures_are_deterministic(tmp_path):
    cm = pd.DataFrame([[3, 1, 0], [0, 2, 1], [1, 0, 5]], index=["favor", "against", "none"],
                      columns=["favor", "against", "none"])
    digests = []
    for k in range(2):
        fig = plots.confusion_matrix(cm, "t", "c")
        paths = plots.save(fig, "cm", tmp_path / str(k))
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]


@pytest.mark.notebooks
def test_notebooks_run_headless_and_write_every_figure(tmp_path, seed_path):
    executed = notebooks.run_all(page=seed_path, figures=tmp_path / "fig", out_dir=tmp_path / "nb")
    assert [p.stem for p in executed] == ["01_corpus", "02_stance", "03_framing", "04_validation", "05_corpus"]
    for name in EXPECTED:
        for ext in ("png", "svg"):
            assert (tmp_path / "fig" / f"{name}.{ext}").stat().st_size > 1000, name


def test_committed_notebooks_match_their_sources_and_have_no_outputs():
    import jupytext
    import nbformat

    for src in notebooks.sources():
        ipynb = src.with_suffix(".ipynb")
        assert ipynb.exists(), f"run `make notebooks` to create {ipynb.name}"
        nb = nbformat.read(ipynb, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        assert [c.source for c in nb.cells] == [c.source for c in jupytext.read(src).cells]
