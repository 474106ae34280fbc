"""The project's own errors: each one is a problem the user can fix, and ``str(err)`` is the
single line the command line prints (``error: ...``, exit status 2).

Anything else that escapes is a bug and keeps its traceback.
"""
from __future__ import annotations


class AnalysisError(Exception):
    """Base class: bad input, a bad output path, a bad option or configuration."""


class CorpusError(AnalysisError, ValueError):
    """Bad input, with the file and line (or key) it comes from."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = str(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # picklable across Dask workers
        return self.__class__, (self.path, self.line, self.message)


class OutputError(AnalysisError, ValueError):
    """An output path that cannot or must not be written (refused before any work)."""

    def __init__(self, path, message):
        self.path, self.message = str(path), message
        super().__init__(f"{path}: {message}")

    def __reduce__(self):
        return self.__class__, (self.path, self.message)


class ConfigError(AnalysisError, ValueError):
    """A bad option (targets, workers, scheduler) or a run folder made with another configuration."""


class ModelError(AnalysisError):
    """A model that cannot be loaded or used as asked (a missing path, a hub id not cached offline)."""


class ArticlesFailed(AnalysisError):
    """A corpus run finished but some articles failed (recorded in ``DIR/_failed/``)."""


class CacheWarning(UserWarning):
    """A cache that could not be used as it was (corrupt: moved aside and rebuilt)."""
