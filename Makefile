# The pipeline, one target per step. The virtual environment lives in .venv and is
# created on demand, so on a fresh machine `make test` and `make figures` are enough.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PAGE   ?= data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt
NOTEBOOKS := $(sort $(wildcard notebooks/0*.py))

.PHONY: all setup model data report figures notebooks test lab benchmark clean
all: figures

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	# CPU wheel from local disk first: a bare `torch` requirement would pull a CUDA build
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e '.[dev,dask]'
	touch $@

setup: $(STAMP)

model: $(STAMP)                       ## convert the bundled multilingual-e5-small, fine-tune the stance model (once, cached)
	$(PY) -m analysis model

data: $(STAMP)                        ## raw page -> data/processed/units.parquet
	$(PY) -m analysis units $(PAGE) --out data/processed/units.parquet

report: model                         ## every measure -> data/processed/report/
	$(PY) -m analysis report $(PAGE) --out data/processed/report

notebooks: $(STAMP)                   ## notebooks/*.py (source) -> notebooks/*.ipynb (no outputs)
	$(VENV)/bin/jupytext --to ipynb --update $(NOTEBOOKS)

figures: model data notebooks         ## execute the notebooks headless; they write figures/
	$(PY) -m analysis notebooks --page $(PAGE)

test: model                           ## the whole suite, notebooks included
	$(PY) -m pytest -q

lab: notebooks                        ## JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab notebooks/

benchmark: model
	$(PY) benchmarks/encode_throughput.py

clean:
	rm -rf data/processed .pytest_cache build *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
