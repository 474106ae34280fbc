"""Where things are, decided in one place.

* The package's own files (configuration, lexicons, the stance training table, shipped
  weights) are read from the installed package, so a wheel works anywhere.
* The cache (parsed training rows, fitted weights, converted encoder, embeddings):
  ``$ANALYSIS_CACHE_DIR``, default ``~/.cache/discourse-analysis``.
* The project checkout (notebooks, figures, ``data/``) exists only when the package runs from
  a clone: ``$ANALYSIS_PROJECT_ROOT`` if set, else the folder above the package when it holds
  the project's ``pyproject.toml`` and ``notebooks/``; ``None`` for an installed wheel.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_DIR = PACKAGE_DIR / "config"
PACKAGE_DATA_DIR = PACKAGE_DIR / "data"
WEIGHTS_DIR = PACKAGE_DIR / "weights"


def project_root() -> Path | None:
    """The project checkout, or None when the package is installed on its own."""
    env = os.environ.get("ANALYSIS_PROJECT_ROOT", "").strip()
    if env:
        return Path(env).resolve()
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir() else None


def require_project_root(what: str) -> Path:
    """The checkout, or a ConfigError saying that ``what`` needs one."""
    from analysis.errors import ConfigError

    root = project_root()
    if root is None:
        raise ConfigError(f"{what} needs the project checkout (notebooks/, data/); run it from a clone "
                          "or set ANALYSIS_PROJECT_ROOT to one")
    return root


def cache_root() -> Path:
    """``$ANALYSIS_CACHE_DIR`` or ``~/.cache/discourse-analysis`` (not created here)."""
    return Path(os.environ.get("ANALYSIS_CACHE_DIR") or Path.home() / ".cache" / "discourse-analysis")
