import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.pipeline import notebooks
from analysis.viz import plots

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


def _browser() -> bool:
    """Whether tests/test_browser.py can run (it then runs every notebook)."""
    import importlib.util

    return (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()
            and importlib.util.find_spec("selenium") is not None)


BROWSER = _browser()


@pytest.mark.notebooks
@pytest.mark.skipif(BROWSER, reason="tests/test_browser.py runs every notebook in JupyterLab and checks every figure")
def test_notebooks_run_headless_and_write_every_figure(tmp_path, seed_path):
    executed = notebooks.run_all(page=seed_path, figures=tmp_path / "fig", out_dir=tmp_path / "nb")
    assert [p.stem for p in executed] == ["01_corpus", "02_stance", "03_framing", "04_validation", "05_corpus"]
    for name in EXPECTED:
        for ext in ("png", "svg"):
            assert (tmp_path / "fig" / f"{name}.{ext}").stat().st_size > 1000, name


@pytest.mark.notebooks
def test_headless_runner_uses_a_non_interactive_backend(headless_corpus_notebook):
    """``make figures``' runner: its kernels draw with Agg (no inline images in the executed
    copy), the figures land in FIGURES, world-readable, and no cell writes to stderr."""
    import nbformat

    executed, figures = headless_corpus_notebook
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert not [o for o in outputs if "image/png" in o.get("data", {})]
    assert any("<Figure size" in o.get("data", {}).get("text/plain", "") for o in outputs)
    for ext in ("png", "svg"):
        path = figures / f"corpus_sentence_lengths.{ext}"
        assert path.stat().st_size > 1000 and path.stat().st_mode & 0o777 == 0o644


def test_importing_plots_changes_no_global_state():
    """No backend switch, no rcParams change, no global RNG use; figures come back detached
    from pyplot and every plot function returns a Figure."""
    import subprocess
    import sys

    code = """
import matplotlib, numpy as np
before = dict(matplotlib.rcParams); backend = matplotlib.rcParams._get_backend_or_none()
np.random.seed(123); state = np.random.get_state()[1].copy()
import pandas as pd
from matplotlib.figure import Figure
import matplotlib.pyplot as plt
from analysis.viz import plots
units = pd.DataFrame({"text": ["a b c", "a b", "a"], "part": ["article", "comment", "comment"]})
fig = plots.lengths_by_part(units, "t", "c")
per = pd.DataFrame({"part": ["article", "comment"], "target": ["France", "France"], "mean": [0.1, -0.2]})
fig2 = plots.per_article(per, ["France"], "t", "c")
assert isinstance(fig, Figure) and isinstance(fig2, Figure)
assert plt.get_fignums() == []
assert matplotlib.rcParams._get_backend_or_none() == backend
assert dict(matplotlib.rcParams) == before, {k for k in before if before[k] != matplotlib.rcParams[k]}
assert (np.random.get_state()[1] == state).all()
print("ok")
"""
    env = {k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_plotted_values_are_rounded_to_what_a_figure_shows(tmp_path):
    """A difference far below what a figure can show (1e-7) gives the same bytes."""
    agg = pd.DataFrame({"part": ["article", "comment"], "target": ["France", "France"], "n": [3, 4],
                        "mean": [0.2512, -0.4033], "ci_low": [0.1, -0.6], "ci_high": [0.4, -0.2]})
    noisy = agg.assign(**{c: agg[c] + 1e-7 for c in ("mean", "ci_low", "ci_high")})
    digests = []
    for k, df in enumerate((agg, noisy)):
        paths = plots.save(plots.stance_bars(df, ["France"], "t", "c"), "bars", tmp_path / str(k))
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]
    assert plots.rounded([0.12345, -0.00004]).tolist() == [0.123, 0.0]
    assert plots.rounded([123.456, 1.23456], decimals=None, significant=3).tolist() == [123.0, 1.0]


def test_committed_notebooks_match_their_sources_and_have_no_outputs():
    import jupytext
    import nbformat

    for src in notebooks.sources():
        ipynb = src.with_suffix(".ipynb")
        assert ipynb.exists(), f"run `make notebooks` to create {ipynb.name}"
        nb = nbformat.read(ipynb, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        assert [c.source for c in nb.cells] == [c.source for c in jupytext.read(src).cells]


def test_relative_paths_sit_in_the_parameters_cell():
    """Papermill and the browser test resolve relative paths of the parameters cell only: a
    "../" path in any other cell would break a notebook run from a copy."""
    import re

    from analysis.pipeline import notebooks

    for src in notebooks.sources():
        cells = re.split(r"^# %%", src.read_text(encoding="utf-8"), flags=re.M)
        for cell in cells:
            if 'tags=["parameters"]' not in cell.split("\n", 1)[0]:
                assert '"../' not in cell and "'../" not in cell, f"{src.name}: {cell[:200]}"
