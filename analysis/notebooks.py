"""Execute the notebooks headless (papermill), with parameters; they write ``figures/``.

The notebooks are kept as jupytext percent files (``notebooks/0*.py``, the source) and as
output-free ``.ipynb`` made from them by ``make notebooks``. Executed copies, with their
outputs, go to ``data/processed/notebooks/``.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def sources() -> list[Path]:
    return sorted(NOTEBOOKS.glob("0*.py"))


def run(source: Path, out_dir: Path, figures: Path, page=None, model=None, progress: bool = False) -> Path:
    """Execute one notebook source with its parameters; return the executed copy."""
    import jupytext
    import papermill

    nb = jupytext.read(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    unexecuted = out_dir / f".{source.stem}.input.ipynb"
    jupytext.write(nb, unexecuted)
    params = {"FIGURES": str(figures)}
    if page:
        params["PAGE"] = str(Path(page).resolve())
    if model:
        params["MODEL"] = model
    declared = next((c.source for c in nb.cells if "parameters" in c.metadata.get("tags", [])), "")
    params = {k: v for k, v in params.items() if f"{k} =" in declared}
    executed = out_dir / f"{source.stem}.ipynb"
    papermill.execute_notebook(str(unexecuted), str(executed), parameters=params, cwd=str(NOTEBOOKS),
                               kernel_name="python3", progress_bar=progress, log_output=False)
    unexecuted.unlink()
    return executed


def run_all(page=None, model=None, figures=None, out_dir=None) -> list[Path]:
    """Execute every notebook in order (``make figures``)."""
    figures = Path(figures or ROOT / "figures").resolve()
    out_dir = Path(out_dir or ROOT / "data" / "processed" / "notebooks")
    return [run(src, out_dir, figures, page, model, progress=True) for src in sources()]
