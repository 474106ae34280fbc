"""A corpus, article by article: ``python -m analysis corpus IN --out DIR``.

IN is a folder of raw page dumps (``.txt``) and JSON articles, or a CSV/Parquet table
(one row per title, paragraph or comment; see ``corpus.load_table``). Each article runs
through :func:`analysis.report.analyze`, one at a time (bounded memory: only that
article's tables are in RAM; embeddings live in the on-disk cache), and its tables are
written as Hive partitions ``DIR/<table>/article=<id>/part.parquet`` before a marker
``DIR/_done/<id>.json`` says it is complete. A rerun skips finished articles, so a crash
or Ctrl-C loses nothing already written.

With ``--workers N`` (N > 1) or ``--scheduler ADDRESS`` the articles are spread over a
Dask cluster (a local one, or an existing ``dask.distributed`` scheduler); each worker
process loads the model once and writes its own partitions. The numbers are the same as
the local run's.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import corpus, stance
from .resources import CONFIG_DIR, atomic_path, load_yaml, write_table

TABLES = ("units", "stance", "mentions", "salience", "evidentiality", "incivility", "frames", "address")


@dataclass(frozen=True)
class Job:
    """One article: where it comes from and its id in the output."""

    article: str
    path: str
    key: str | None = None  # article_id inside a table


def article_id(name: str) -> str:
    """A file-system-safe id: the name's safe characters plus a short hash."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:60]
    return f"{safe}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def jobs(source) -> list[Job]:
    """Articles of a folder (``*.txt``, ``*.json``, sorted) or of a CSV/Parquet table."""
    source = Path(source)
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.suffix.lower() in (".txt", ".json") and p.is_file())
        if not files:
            raise corpus.CorpusError(source, None, "no .txt or .json articles in this folder")
        return [Job(article_id(str(p.relative_to(source))), str(p)) for p in files]
    if source.suffix.lower() in (".csv", ".parquet"):
        cols = pd.read_parquet(source, columns=["article_id"]) if source.suffix == ".parquet" else \
            pd.read_csv(source, usecols=["article_id"], dtype=str, keep_default_na=False)
        return [Job(article_id(a), str(source), a) for a in dict.fromkeys(cols.article_id)]
    raise corpus.CorpusError(source, None, "give a folder of .txt/.json articles or a .csv/.parquet table")


def load(job: Job) -> corpus.Page:
    if job.key is None:
        return corpus.load_page(job.path)
    table = pd.read_parquet(job.path) if job.path.endswith(".parquet") else \
        pd.read_csv(job.path, dtype=str, keep_default_na=False)
    sub = table[table.article_id == job.key]
    return corpus.pages_from_table(sub, job.path)[0]


def process(job: Job, out_dir: str, model: str | None = None, targets=None) -> dict:
    """Analyse one article and write its partitions, then its marker. Returns the marker."""
    import warnings

    from .report import analyze

    out = Path(out_dir)
    marker = out / "_done" / f"{job.article}.json"
    if marker.exists():
        return json.loads(marker.read_text(encoding="utf-8"))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", corpus.CorpusWarning)  # pages without comments are fine here
        a = analyze(load(job), model=model, targets=targets)
    for name in TABLES:  # the article id lives in the partition path, not in the file
        write_table(getattr(a, name), out / name / f"article={job.article}" / "part.parquet")
    info = {"article": job.article, "source": job.path, "key": job.key, "title": a.page.title,
            "units": len(a.units), "comments": len(a.page.comments),
            "tokens": int(sum(a.units.text.str.split().str.len())), "seconds": round(time.perf_counter() - start, 3)}
    with atomic_path(marker) as tmp:
        tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return info


def _distributed(todo, out_dir, model, targets, client):
    from dask.distributed import as_completed

    futures = client.map(process, todo, out_dir=str(out_dir), model=model, targets=targets, pure=False)
    for fut in as_completed(futures):
        yield fut.result()


def configuration(model: str | None, targets) -> dict:
    """What the results depend on besides the articles: model, dtype, settings, data files."""
    from .encoder import default_dtype

    digest = hashlib.sha256()
    for path in sorted(CONFIG_DIR.glob("*.yaml")) + [stance.ROOT / load_yaml("stance.yaml")["train_file"]]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return {"model": model or "bundled multilingual-e5-small", "dtype": default_dtype(),
            "targets": list(targets) if targets else None, "config_and_training_data": digest.hexdigest()[:16]}


def _check_configuration(out: Path, config: dict) -> None:
    """Refuse to resume a run made with another configuration (its numbers would mix)."""
    stamp = out / "_configuration.json"
    if stamp.exists():
        before = json.loads(stamp.read_text(encoding="utf-8"))
        if before != config:
            changed = ", ".join(k for k in config if before.get(k) != config[k])
            raise ValueError(f"{out} holds results made with another configuration ({changed} changed); "
                             "give a new --out, or delete that folder to start again")
    else:
        with atomic_path(stamp) as tmp:
            tmp.write_text(json.dumps(config, indent=2), encoding="utf-8")


def run(source, out_dir, model: str | None = None, targets=None, workers: int = 1,
        scheduler: str | None = None, progress: bool = True) -> dict:
    """Analyse every article of ``source`` into ``out_dir``; return the corpus summary.

    A rerun resumes (done articles are skipped) only with the same configuration (model,
    dtype, targets, configuration files and training data); otherwise it stops with an error.
    """
    from tqdm.auto import tqdm

    out = Path(out_dir).resolve()
    all_jobs = [j for j in jobs(source) if not Path(j.path).resolve().is_relative_to(out)]  # outputs aren't input
    out.mkdir(parents=True, exist_ok=True)
    _check_configuration(out, configuration(model, targets))
    todo = [j for j in all_jobs if not (out / "_done" / f"{j.article}.json").exists()]
    bar = tqdm(total=len(all_jobs), initial=len(all_jobs) - len(todo), desc="articles", unit="article",
               disable=not progress)
    start, units = time.perf_counter(), 0
    client = cluster = None
    try:
        if scheduler or workers > 1:
            from dask.distributed import Client, LocalCluster

            if scheduler:
                client = Client(scheduler)
            else:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
            stream = _distributed(todo, out, model, targets, client)
        else:
            stream = (process(job, out, model, targets) for job in todo)
        for info in stream:
            bar.update(1)
            units += info["units"]
            bar.set_postfix(units_per_s=f"{units / max(time.perf_counter() - start, 1e-9):.1f}")
    finally:
        bar.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    return summarize(out)


def read(out_dir, table: str) -> pd.DataFrame:
    """One table of a corpus run, all articles (from its Parquet partitions)."""
    path = Path(out_dir) / table
    if not path.exists():
        return pd.DataFrame()
    df = pd.read_parquet(path)
    return df.assign(article=df.article.astype(str))


def summarize(out_dir) -> dict:
    """Corpus-level stance (article vs comments, overall and per article) with intervals."""
    out = Path(out_dir)
    st = read(out, "stance")
    done = sorted((out / "_done").glob("*.json"))
    summary = {"articles": len(done), "units": 0, "stance": {}, "per_article": "per_article_stance.parquet"}
    if st.empty:
        return summary
    summary["units"] = int(st.unit_id.astype(str).str.cat(st.article, sep="@").nunique())
    overall = stance.aggregate(st, by=("part", "target"))
    for r in overall.itertuples():
        summary["stance"].setdefault(r.part, {})[r.target] = {
            "n": int(r.n), "favor": int(r.favor), "against": int(r.against), "none": int(r.none),
            "mean": round(r.mean, 4), "ci_low": round(r.ci_low, 4), "ci_high": round(r.ci_high, 4)}
    write_table(stance.aggregate(st, by=("article", "part", "target")), out / "per_article_stance.parquet")
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
