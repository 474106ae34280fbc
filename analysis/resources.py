"""Shared plumbing: configuration files, cache directory, atomic writes, output checks."""
from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import yaml

from analysis.errors import ConfigError, OutputError
from analysis.paths import CONFIG_DIR, cache_root


def config_path(name: str | os.PathLike) -> Path:
    """A bare file name is the package's configuration file; anything else is a path."""
    return CONFIG_DIR / name if isinstance(name, str) and not Path(name).parent.parts else Path(name)


def load_yaml(name: str | os.PathLike) -> dict:
    """A configuration file: a bare file name (``"stance.yaml"``) is the package's own, in
    ``analysis/config`` (read once per process); a ``Path`` or a name with a folder is the
    caller's file (read each time, so edits show). A file of the same name in the working
    directory never replaces the package's."""
    path = config_path(name)
    return _package_yaml(path) if path.parent == CONFIG_DIR else _read_yaml(path)


@cache
def _package_yaml(path: Path) -> dict:
    return _read_yaml(path)


load_yaml.cache_clear = _package_yaml.cache_clear


def _read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except OSError as err:
        raise ConfigError(f"{path}: {_reason(err)}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML ({getattr(err, 'problem', None) or err})") from None


def check_keys(mapping: dict, known, where: str, required=()) -> None:
    """A configuration mapping has only ``known`` keys and every ``required`` one: else a
    ConfigError naming the file and the key."""
    if not isinstance(mapping, dict):
        raise ConfigError(f"{where}: expected a mapping of keys, got {type(mapping).__name__}")
    unknown = [k for k in mapping if k not in known]
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(known))}")
    missing = [k for k in required if k not in mapping]
    if missing:
        raise ConfigError(f"{where}: missing key {missing[0]!r}")


def cache_dir(*parts: str) -> Path:
    """``$ANALYSIS_CACHE_DIR`` (default ``~/.cache/discourse-analysis``) joined with parts."""
    path = Path(cache_root(), *parts)
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


@cache
def _malloc_trim():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows): nothing to do
        return None


def trim_heap() -> None:
    """Hand the heap's freed memory back to the system (glibc ``malloc_trim``; a no-op elsewhere).

    Called after each article of a corpus run: the transformer's varying batch shapes leave
    freed blocks that glibc keeps (about 120 MB over the first 30 articles of a cold run)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
