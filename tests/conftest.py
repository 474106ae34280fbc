from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "raw" / "algeriepart_2024-04-26_algerie-wagner-mali.txt"


@pytest.fixture(scope="session")
def seed_path():
    return SEED


@pytest.fixture(scope="session")
def seed_page():
    from analysis.io.pages import load_page

    return load_page(SEED)


@pytest.fixture(scope="session")
def seed_units(seed_page):
    from analysis.text.units import units

    return units(seed_page)


@pytest.fixture(scope="session")
def encoder():
    from analysis.stance.encoder import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def seed_result(seed_path):
    """``analyze`` on the seed page, once per test session."""
    from analysis import analyze

    return analyze(seed_path)


@pytest.fixture(scope="session")
def headless_corpus_notebook(tmp_path_factory, seed_path):
    """``notebooks/01_corpus.py`` executed once by the headless runner (``make figures``'
    path): ``(executed notebook, figures folder)``."""
    from analysis.pipeline import notebooks

    tmp = tmp_path_factory.mktemp("headless")
    executed = notebooks.run(notebooks.notebook_dir() / "01_corpus.py", tmp / "nb", tmp / "fig", page=seed_path)
    return executed, tmp / "fig"
