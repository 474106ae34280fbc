"""The ``sample`` command's input: a report folder, a corpus run or a page (analysed here),
read into the tables ``analysis.validation.sample`` draws from (validation sits below the
pipeline, so the reading is here)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import CorpusError
from analysis.validation import sample

TABLES = sample.TABLES


def load_tables(source, model: str | None = None) -> dict[str, pd.DataFrame]:
    """The tables of a report folder, of a corpus run (every finished article), or of a page
    (analysed here). Each gets an ``article`` column (a report's folder name, a page's file name)."""
    path = Path(source)
    if not path.exists():
        raise CorpusError(path, None, "no such file or folder; give a report folder, a corpus-run folder or a page")
    if path.is_dir():
        if (path / "_done").is_dir() or (path / "_configuration.json").is_file():
            from analysis.pipeline import batch

            tables = {t: batch.read(path, t) for t in TABLES}
            if tables["units"].empty:
                raise CorpusError(path, None, "corpus run with no finished article; run `python -m analysis corpus` first")
            return tables
        if (path / "units.parquet").is_file():
            tables = {}
            for t in TABLES:
                f = path / f"{t}.parquet"
                if not f.is_file():
                    raise CorpusError(f, None, "missing from the report folder; write it again with "
                                               "`python -m analysis report PAGE --out DIR`")
                tables[t] = pd.read_parquet(f).assign(article=path.name)
            return tables
        raise CorpusError(path, None, "neither a report folder (units.parquet...) nor a corpus run (_done/); "
                                      "give one of them or a page")
    from analysis.pipeline.report import analyze

    a = analyze(path, model=model)
    return {t: getattr(a, t).assign(article=path.name) for t in TABLES}


def write_sample(source, out_dir, n: int = 200, by=None, seed: int = 0, measure: str = "stance",
                 model: str | None = None, force: bool = False, mentioned_only: bool = True) -> dict:
    """The ``sample`` command: the output folder and options are checked before any work (a
    page is analysed), then ``sample.write`` draws and writes the sample."""
    sample.check_options(n, measure)
    sample.check_out(out_dir, inputs=[source], force=force)
    return sample.write(load_tables(source, model=model), out_dir, n=n, by=by, seed=seed, measure=measure,
                        force=force, mentioned_only=mentioned_only, source=source)
