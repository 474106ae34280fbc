"""Shared plumbing: configuration files, cache directory, atomic writes, output checks."""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import ConfigError, OutputError

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
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"cache folder {path}: {_reason(err)}; set ANALYSIS_CACHE_DIR to a folder "
                          "you can write to") from None
    return path


def _reason(err: OSError) -> str:
    return err.strerror or err.__class__.__name__


@contextmanager
def atomic_path(target: str | os.PathLike):
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    The file ends up world-readable (0644), like a file written in place (mkstemp makes 0600)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as err:
        raise OutputError(target, f"cannot write here ({_reason(err)}); choose a folder you can write to") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as err:  # disk full, target turned into a folder meanwhile...
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(target, f"cannot write ({_reason(err)}); nothing was written there") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


TABLE_SUFFIXES = (".parquet", ".csv")


def write_table(df, path: str | os.PathLike) -> Path:
    """Write a DataFrame atomically as Parquet or CSV (by suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise OutputError(path, "write .parquet or .csv (the suffix chooses the format)")
    with atomic_path(path) as tmp:
        if suffix == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
    return path



# ----------------------------------------------------------------------------- output checks
# Run before any computation: a bad output path costs the user a second, not the whole run.
def same_file(a, b) -> bool:
    """Whether two paths name the same file: symlinks, ``./x`` vs ``x``, hard links."""
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _check_folder(path: Path, folder: Path) -> None:
    """``folder`` (which may not exist yet) can be created and written into."""
    anc = folder
    while not anc.exists() and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        raise OutputError(path, f"{anc} is a file, not a folder; give a path inside a folder")
    try:
        with tempfile.TemporaryFile(dir=anc, prefix=".write-check-"):
            pass
    except OSError as err:
        raise OutputError(path, f"cannot write in {anc} ({_reason(err)}); choose a folder you can write to") from None


def check_output_file(path, inputs=(), suffixes=TABLE_SUFFIXES) -> Path:
    """Refuse an output file that would overwrite an input, is a folder, has another suffix,
    or lies where nothing can be written."""
    path = Path(path)
    if not path.name:
        raise OutputError(path, "give an output file name")
    if len(path.name.encode("utf-8", "surrogateescape")) > 200:
        raise OutputError(path, "the file name is too long; give a shorter one")
    if path.is_dir():
        raise OutputError(path, f"is a folder; give a file name such as {path / ('out' + suffixes[-1])}")
    if path.suffix.lower() not in suffixes:
        raise OutputError(path, f"write {' or '.join(suffixes)} (the suffix chooses the format)")
    for inp in inputs:
        if inp is not None and same_file(path, inp):
            raise OutputError(path, f"is the input {inp}; give another output path (inputs are never overwritten)")
    _check_folder(path, path.parent)
    return path


def check_output_dir(path, inputs=(), files=()) -> Path:
    """Refuse an output folder that is a file, lies under a file or where nothing can be written,
    or whose output ``files`` (names inside it) would overwrite an input or are folders."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(path, "is a file; --out must be a folder (new, or one this command wrote before)")
    _check_folder(path, path)
    for inp in inputs:
        if inp is not None and same_file(path, inp):
            raise OutputError(path, f"is the input {inp}; give another --out (inputs are never overwritten)")
    for name in files:
        f = path / name
        if f.is_dir():
            raise OutputError(f, "is a folder where an output file goes; move it away or give another --out")
        for inp in inputs:
            if inp is not None and same_file(f, inp):
                raise OutputError(f, f"would overwrite the input {inp}; give another --out")
    return path


# ----------------------------------------------------------------------------- options
def progress_enabled(flag: bool | None = None) -> bool:
    """Progress bars: ``flag`` if given, else ``ANALYSIS_PROGRESS=0/1``, else when stderr is
    a terminal or in a Jupyter kernel (widgets); captured logs and error messages stay free of
    bar redraws."""
    if flag is not None:
        return bool(flag)
    env = os.environ.get("ANALYSIS_PROGRESS", "").strip()
    if env in ("0", "1"):
        return env == "1"
    if type(sys.stderr).__module__.startswith("ipykernel"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def resolve_targets(names=None):
    """``--targets`` as :class:`analysis.mentions.Targets`: comma-separated or a list, spaces
    and case ignored, duplicates dropped; None: the stance targets of targets.yaml."""
    from . import mentions

    if isinstance(names, str):
        names = names.split(",")
    if names is not None:
        names = [str(n).strip() for n in names if n is not None and str(n).strip()]
        if not names:
            raise ConfigError("--targets names no target; give e.g. --targets France,Morocco")
        try:
            known = mentions.load_targets(salience=True).names
        except ValueError as err:
            raise ConfigError(str(err)) from None
        canonical = {k.casefold(): k for k in known}
        names = list(dict.fromkeys(canonical.get(n.casefold(), n) for n in names))
    try:
        return mentions.load_targets(names=names)
    except ValueError as err:
        raise ConfigError(f"--targets: {err}") from None
