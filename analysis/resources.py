"""Shared plumbing: configuration files, cache directory, atomic writes."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import yaml

CONFIG_DIR = Path(__file__).with_name("config")


@lru_cache(maxsize=None)
def load_yaml(name: str | os.PathLike) -> dict:
    """Load a YAML file from ``analysis/config`` (or an explicit path)."""
    path = Path(name)
    if not path.is_absolute() and not path.exists():
        path = CONFIG_DIR / path
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def cache_dir(*parts: str) -> Path:
    """``$ANALYSIS_CACHE_DIR`` (default ``~/.cache/discourse-analysis``) joined with parts."""
    root = os.environ.get("ANALYSIS_CACHE_DIR") or Path.home() / ".cache" / "discourse-analysis"
    path = Path(root, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    The file ends up world-readable (0644), like a file written in place (mkstemp makes 0600)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(df, path: str | os.PathLike) -> Path:
    """Write a DataFrame atomically as Parquet or CSV (by suffix)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        elif path.suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            raise ValueError(f"{path}: write .parquet or .csv")
    return path
