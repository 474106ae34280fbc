"""A corpus, article by article: ``python -m analysis corpus IN --out DIR``.

IN is a folder of raw page dumps (``.txt``), JSON articles and saved web pages (``.html``/``.htm``), or a CSV/Parquet table
(one row per title, paragraph or comment; see ``pages.load_table``). Each article runs
through :func:`analysis.report.analyze`, one at a time (bounded memory: only that
article's tables are in RAM; embeddings live in the on-disk cache), and its tables are
written as Hive partitions ``DIR/<table>/article=<id>/part.parquet`` before a marker
``DIR/_done/<id>.json`` says it is complete. A rerun skips finished articles, so a crash
or Ctrl-C loses nothing already written; partitions without a marker are ignored by
:func:`read` and rewritten by the rerun.

An article that fails (bad input, or a bug met on its text) does not stop the run: its error
is recorded in ``DIR/_failed/<id>.json``, listed in ``summary.json`` and reported at the
end; a rerun retries the failed articles only. Errors that concern the run itself (the
model, the output folder, the options) stop it.

With ``--workers N`` (N > 1) or ``--scheduler ADDRESS`` the articles are spread over a
Dask cluster (a local one, or an existing ``dask.distributed`` scheduler); each worker
process loads the model once and writes its own partitions. The numbers are the same as
the local run's.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError, ArticlesFailed, ConfigError, OutputError
from analysis.io import pages
from analysis.paths import PACKAGE_DATA_DIR
from analysis.resources import (
    CONFIG_DIR,
    atomic_path,
    check_output_dir,
    load_yaml,
    progress_enabled,
    same_file,
    trim_heap,
    write_table,
)
from analysis.stance import classifier as stance
from analysis.stance.encoder import EncoderError
from analysis.text.mentions import resolve_targets

TABLES = ("units", "stance", "mentions", "salience", "evidentiality", "incivility", "frames", "address")
# what a run writes at the top of DIR; files there are never read as articles
RUN_FILES = ("_done", "_failed", "_configuration.json", "summary.json", "per_article_stance.parquet") + TABLES
# errors about the run rather than one article: they stop the run
FATAL = (EncoderError, ConfigError, OutputError)


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


def _is_run_folder(folder: Path) -> bool:
    return (folder / "_configuration.json").is_file() or (folder / "_done").is_dir()


def _run_output(path: Path, root: Path, out: Path | None, seen: dict) -> bool:
    """Whether a file under ``root`` is an output of a corpus run (``out`` or an earlier one)."""
    for folder in [path.parent, *path.parent.parents]:
        if folder not in seen:
            seen[folder] = folder == out or _is_run_folder(folder)
        if seen[folder]:
            return True
        if folder == root:
            break
    if out is None:
        return False
    try:
        rel = path.relative_to(out)
    except ValueError:
        return False
    return rel.parts[0] in RUN_FILES  # the input folder lies inside --out: only the run's own files


ARTICLE_SUFFIXES = (".txt", ".json", ".html", ".htm")


def _saved_page_part(path: Path, root: Path) -> bool:
    """Whether a file lies in the ``NAME_files/`` folder of a saved ``NAME.html``/``NAME.htm``."""
    for folder in path.parents:
        if folder == root or root not in folder.parents:
            return False
        if folder.name.endswith("_files"):
            stem = folder.name[: -len("_files")]
            if any((folder.parent / f"{stem}{ext}").is_file() for ext in (".html", ".htm", ".HTML", ".HTM")):
                return True
    return False


def jobs(source, out_dir=None) -> list[Job]:
    """Articles of a folder (``*.txt``, ``*.json``, ``*.html``, ``*.htm``, sorted) or of a CSV/Parquet table.

    The ``NAME_files/`` folder a browser saves next to ``NAME.html`` ("Web page, complete") holds
    the page's parts, not articles. Files of a corpus run's output folder (``out_dir``, or any folder holding ``_done/``) are
    not articles."""
    source = Path(source)
    out = Path(out_dir).resolve() if out_dir is not None else None
    if source.is_dir():
        root = source.resolve()
        if _is_run_folder(root):
            raise pages.CorpusError(source, None, "is the output folder of a corpus run, not a folder of articles")
        files = sorted(p for p in source.rglob("*") if p.suffix.lower() in ARTICLE_SUFFIXES and p.is_file()
                       and not _saved_page_part(p, source))
        if not files:
            raise pages.CorpusError(source, None, "no .txt, .json or .html articles in this folder")
        seen = {}
        kept = [p for p in files if not _run_output(p.resolve(), root, out, seen)]
        if not kept:
            raise pages.CorpusError(source, None, "no .txt, .json or .html articles here outside corpus-run output folders")
        return [Job(article_id(str(p.relative_to(source))), str(p)) for p in kept]
    if source.suffix.lower() in (".csv", ".parquet"):
        return [Job(article_id(a), str(source), a) for a in _table(str(source))]
    if not source.exists():
        raise pages.CorpusError(source, None, "no such file or folder")
    raise pages.CorpusError(source, None, "give a folder of .txt/.json/.html articles or a .csv/.parquet table")


def _table(path: str) -> dict[str, pd.DataFrame]:
    p = Path(path)
    if not p.is_file():
        pages.read_table(p)  # its message
    st = p.stat()
    return _table_cached(str(p.resolve()), st.st_mtime_ns, st.st_size, path)


@lru_cache(maxsize=2)
def _table_cached(resolved: str, mtime_ns: int, size: int, path: str) -> dict[str, pd.DataFrame]:
    """The table read and checked once per process, split by article (row order kept)."""
    df = pages.read_table(path)
    return {a: g for a, g in df.groupby("article_id", sort=False)}


def load(job: Job) -> pages.Page:
    if job.key is None:
        return pages.load_page(job.path)
    return pages.table_page(_table(job.path)[job.key], job.path, job.key)


def _remove_partitions(out: Path, article: str) -> None:
    for name in TABLES:
        shutil.rmtree(out / name / f"article={article}", ignore_errors=True)


def _failure(job: Job, out: Path, err: BaseException) -> dict:
    """Record a failed article in ``_failed/<id>.json``; return the record."""
    where = job.path + (f"#{job.key}" if job.key is not None else "")
    if isinstance(err, AnalysisError):
        message = str(err)
    else:  # a bug met on this article's text: one line here, the traceback in the record
        first = str(err).splitlines()[0] if str(err) else ""
        message = f"{where}: {err.__class__.__name__}: {first} (unexpected: please report it with {out / '_failed' / (job.article + '.json')})"
    record = {"article": job.article, "source": job.path, "key": job.key, "error": message,
              "type": err.__class__.__name__, "failed": True, "units": 0,
              "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if not isinstance(err, AnalysisError):
        record["traceback"] = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    _remove_partitions(out, job.article)
    with atomic_path(out / "_failed" / f"{job.article}.json") as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return record


def process(job: Job, out_dir: str, model: str | None = None, targets=None) -> dict:
    """Analyse one article and write its partitions, then its marker. Returns the marker, or
    the failure record (``"failed": True``) when the article cannot be analysed."""
    from analysis.stance.encoder import release_word_pages

    try:
        return _process(job, out_dir, model, targets)
    finally:  # one article's memory at a time: its tables freed, the word-embedding rows it read released
        trim_heap()
        release_word_pages()


def _process(job: Job, out_dir: str, model: str | None, targets) -> dict:
    import warnings

    from analysis.pipeline.report import analyze

    out = Path(out_dir)
    marker = out / "_done" / f"{job.article}.json"
    if marker.exists():
        return json.loads(marker.read_text(encoding="utf-8"))
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pages.CorpusWarning)  # pages without comments are fine here
            a = analyze(load(job), model=model, targets=targets, progress=False)
    except FATAL:
        raise
    except Exception as err:  # this article only
        return _failure(job, out, err)
    for name in TABLES:  # the article id lives in the partition path, not in the file
        write_table(getattr(a, name), out / name / f"article={job.article}" / "part.parquet")
    info = {"article": job.article, "source": job.path, "key": job.key, "title": a.page.title,
            "units": len(a.units), "comments": len(a.page.comments),
            "tokens": int(sum(a.units.text.str.split().str.len())), "seconds": round(time.perf_counter() - start, 3)}
    with atomic_path(marker) as tmp:
        tmp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    (out / "_failed" / f"{job.article}.json").unlink(missing_ok=True)
    return info


def _distributed(todo, out_dir, model, targets, client):
    from dask.distributed import as_completed

    futures = client.map(process, todo, out_dir=str(out_dir), model=model, targets=targets, pure=False)
    job_of = dict(zip(futures, todo))
    for fut in as_completed(futures):
        try:
            yield fut.result()
        except FATAL:
            raise
        except Exception as err:  # a worker died on this article (memory...): record it, go on
            yield _failure(job_of[fut], Path(out_dir), err)


def _model_label(model: str | None) -> str:
    """The model as the results depend on it: the bundled one however it is named."""
    from analysis.resources import cache_dir
    from analysis.stance.encoder import BUNDLE_DIR

    if model is None:
        return "bundled multilingual-e5-small"
    path = Path(str(model)).expanduser()
    if path.exists():
        if same_file(path, cache_dir("models") / BUNDLE_DIR):
            return "bundled multilingual-e5-small"
        return str(path.resolve())
    return str(model)


def configuration(model: str | None, targets) -> dict:
    """What the results depend on besides the articles: model, dtype, target set, settings, data files.

    Resolved: the default targets and the same targets spelled out (in any order or case)
    give the same configuration, as do the bundled model and its path."""
    from analysis.stance.encoder import default_dtype

    digest = hashlib.sha256()
    for path in sorted(CONFIG_DIR.glob("*.yaml")) + [PACKAGE_DATA_DIR / load_yaml("stance.yaml")[k] for k in ("train_file", "held_file")]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return {"model": _model_label(model), "dtype": default_dtype(),
            "targets": sorted(resolve_targets(targets).names), "config_and_training_data": digest.hexdigest()[:16]}


def _resolved(stamp: dict) -> dict:
    """A stamp written by an earlier version (targets None or in the order given) resolved alike."""
    stamp = dict(stamp)
    try:
        stamp["targets"] = sorted(resolve_targets(stamp.get("targets")).names)
    except ConfigError:
        pass
    return stamp


def _check_configuration(out: Path, config: dict) -> None:
    """Refuse to resume a run made with another configuration (its numbers would mix).

    Only finished articles count: a folder whose run finished none (it failed or was stopped
    early) takes the new configuration."""
    stamp = out / "_configuration.json"
    before = None
    if stamp.exists():
        try:
            before = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = {}  # unreadable: differs from anything
    if before is not None and any((out / "_done").glob("*.json")):
        resolved = _resolved(before) if isinstance(before, dict) else {}
        if resolved != config:
            changed = ", ".join(k for k in config if resolved.get(k) != config[k])
            raise ConfigError(f"{out} holds results made with another configuration ({changed} changed); "
                              "give a new --out, or delete that folder to start again")
    if before != config:
        with atomic_path(stamp) as tmp:
            tmp.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _check_paths(source: Path, out: Path) -> None:
    """Before any work: the output folder can be written and writes no input."""
    check_output_dir(out)
    if source.is_dir() and same_file(source, out):
        raise OutputError(out, "is the input folder; give another --out (outside it, or a new folder inside it)")
    if source.is_file():
        try:
            rel = source.resolve().relative_to(out.resolve())
        except ValueError:
            return
        if rel.parts and rel.parts[0] in RUN_FILES:
            raise OutputError(out, f"the run would overwrite its input {source}; give another --out")


def run(source, out_dir, model: str | None = None, targets=None, workers: int = 1,
        scheduler: str | None = None, progress: bool | None = None) -> dict:
    """Analyse every article of ``source`` into ``out_dir``; return the corpus summary.

    A rerun resumes (done articles are skipped, failed ones retried) only with the same
    configuration (model, dtype, target set, configuration files and training data);
    otherwise it stops with an error. Articles that fail are listed in
    ``summary["failed"]`` (see :func:`failures`); the others complete.
    """
    from tqdm.auto import tqdm

    source = Path(source)
    out = Path(out_dir)
    if workers is None or int(workers) < 1:
        raise ConfigError(f"--workers must be 1 or more, not {workers}")
    _check_paths(source, out)
    all_jobs = jobs(source, out)
    config = configuration(model, targets)
    target_names = resolve_targets(targets).names if targets is not None else None
    out = out.resolve()
    client = cluster = None
    if scheduler or workers > 1:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:
            raise ConfigError(f"--workers/--scheduler need dask.distributed ({err})") from None
        try:
            if scheduler:
                client = Client(scheduler, timeout="20s")
            else:
                cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                client = Client(cluster)
        except (OSError, TimeoutError, ValueError) as err:
            raise ConfigError(f"cannot reach the Dask scheduler {scheduler or '(local)'} ({err}); start it, "
                              "check the address, or drop --scheduler") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
        _check_configuration(out, config)
        todo = [j for j in all_jobs if not (out / "_done" / f"{j.article}.json").exists()]
        bar = tqdm(total=len(all_jobs), initial=len(all_jobs) - len(todo), desc="articles", unit="article",
                   disable=not progress_enabled(progress))
        start, units, failed = time.perf_counter(), 0, 0
        try:
            if client is not None:
                stream = _distributed(todo, out, model, target_names, client)
            else:
                stream = (process(job, out, model, target_names) for job in todo)
            for info in stream:
                bar.update(1)
                units += info["units"]
                failed += bool(info.get("failed"))
                bar.set_postfix(units_per_s=f"{units / max(time.perf_counter() - start, 1e-9):.1f}",
                                **({"failed": failed} if failed else {}))
        except KeyboardInterrupt:
            done = sum((out / "_done" / f"{j.article}.json").exists() for j in all_jobs)
            raise KeyboardInterrupt(f"{done} of {len(all_jobs)} articles done in {out}; rerun the same command "
                                    "to resume") from None
        finally:
            bar.close()
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    return summarize(out, all_jobs)


def failures(summary: dict, out_dir) -> ArticlesFailed | None:
    """The error to report when some articles failed (None if none did): one line."""
    failed = summary.get("failed") or []
    if not failed:
        return None
    n, total = len(failed), summary["articles"] + len(failed)
    more = f" (and {n - 1} more)" if n > 1 else ""
    return ArticlesFailed(f"{n} of {total} articles failed, first: {failed[0]['error']}{more}; each error is in "
                          f"{Path(out_dir) / '_failed'} and summary.json; fix the input and rerun the same "
                          "command: only the failed articles are retried")


def _done_articles(out: Path) -> set[str]:
    return {p.stem for p in (out / "_done").glob("*.json")}


def read(out_dir, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of a corpus run, all finished articles (from its Parquet partitions); only
    ``columns`` (and ``article``) when given."""
    path = Path(out_dir) / table
    if not path.exists():
        return pd.DataFrame()
    df = pd.read_parquet(path, columns=None if columns is None else ["article", *(c for c in columns if c != "article")])
    df = df.assign(article=df.article.astype(str))
    done = _done_articles(Path(out_dir))  # partitions of an article stopped before its marker don't count
    return df[df.article.isin(done)].reset_index(drop=True)


AGGREGATED = ["unit_id", "part", "target", "mentioned", "holder", "label", "p_favor", "p_against"]


def summarize(out_dir, all_jobs=None) -> dict:
    """Corpus-level stance (article vs comments, overall and per article) with intervals, and
    the articles that failed (of ``all_jobs``, default: every ``_failed`` record)."""
    out = Path(out_dir)
    st = read(out, "stance", AGGREGATED)  # not the evidence texts: bounded memory on a large corpus
    done = sorted((out / "_done").glob("*.json"))
    wanted = {j.article for j in all_jobs} if all_jobs is not None else None
    failed = []
    for f in sorted((out / "_failed").glob("*.json")):
        if (wanted is None or f.stem in wanted) and not (out / "_done" / f.name).exists():
            try:
                rec = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            failed.append({k: rec.get(k) for k in ("article", "source", "key", "error", "type")})
    summary = {"articles": len(done), "articles_failed": len(failed), "units": 0, "stance": {},
               "per_article": "per_article_stance.parquet", "failed": failed}
    if st.empty:
        summary["per_article"] = None
        (out / "per_article_stance.parquet").unlink(missing_ok=True)
    else:
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
