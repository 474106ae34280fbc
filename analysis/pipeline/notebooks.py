"""Execute the notebooks headless (papermill), with parameters; they write ``figures/``.

The notebooks are kept as jupytext percent files (``notebooks/0*.py``, the source) and as
output-free ``.ipynb`` made from them by ``make notebooks``. Executed copies, with their
outputs, go to ``data/processed/notebooks/``.

The kernels started here get ``MPLBACKEND=Agg`` (no display, figures are saved); nothing in
``analysis`` chooses a backend, so in JupyterLab the same notebooks show their figures inline.
"""
from __future__ import annotations

import os
from pathlib import Path

from analysis.paths import require_project_root


def notebook_dir() -> Path:
    """The notebooks live in the project checkout, not in the package."""
    return require_project_root("running the notebooks") / "notebooks"


def sources() -> list[Path]:
    """The notebooks' jupytext sources."""
    return sorted(notebook_dir().glob("0*.py"))


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
    papermill.execute_notebook(str(unexecuted), str(executed), parameters=params, cwd=str(notebook_dir()),
                               kernel_name="python3", progress_bar=progress, log_output=False,
                               kernel_manager_class=headless_kernel_manager())
    unexecuted.unlink()
    return executed


def headless_kernel_manager():
    """A kernel manager class whose kernels run with ``MPLBACKEND=Agg`` (for papermill):
    only those kernels' environment changes, not this process's."""
    from jupyter_client.manager import AsyncKernelManager

    class HeadlessKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**os.environ, **(kw.get("env") or {}), "MPLBACKEND": "Agg"}
            return await super().start_kernel(**kw)

    return HeadlessKernelManager


def run_all(page=None, model=None, figures=None, out_dir=None) -> list[Path]:
    """Execute every notebook in order (``make figures``)."""
    root = require_project_root("running the notebooks")
    figures = Path(figures or root / "figures").resolve()
    out_dir = Path(out_dir or root / "data" / "processed" / "notebooks")
    return [run(src, out_dir, figures, page, model, progress=True) for src in sources()]
