# The pipeline, one target per step. The virtual environment lives in .venv and is
# created on demand, so on a fresh machine `make test` and `make figures` are enough.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PAGE   ?= data/raw/algeriepart_2024-04-26_algerie-wagner-mali.txt
NOTEBOOKS := $(sort $(wildcard notebooks/0*.py))

.PHONY: all help setup model data report agreement figures notebooks test lint wheel lab benchmark clean
all: figures

help:                                 ## this list
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):[^#]*## /  make \1\t/' | expand -t 18

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

report: model                         ## every measure -> data/processed/report/ (tables, summary.json, report.html)
	$(PY) -m analysis report $(PAGE) --out data/processed/report --html

agreement: model                      ## the coding passes -> alpha, consensus gold, model vs consensus (data/processed/agreement/)
	$(PY) data/annotations/second_pass/make_agreement.py

notebooks: $(STAMP)                   ## notebooks/*.py (source) -> notebooks/*.ipynb (no outputs)
	$(VENV)/bin/jupytext --to ipynb --update $(NOTEBOOKS)

figures: model data notebooks         ## execute the notebooks headless; they write figures/
	$(PY) -m analysis notebooks --page $(PAGE)

test: model                           ## the whole suite, notebooks included (in JupyterLab too, with Debian chromium)
	$(PY) -m pytest -q --durations=15

lint: $(STAMP)                        ## ruff over the package, tests, benchmarks and notebook sources
	$(VENV)/bin/ruff check analysis tests benchmarks notebooks/*.py data/annotations

wheel: $(STAMP)                       ## build the installable wheel into dist/
	$(PY) -m pip wheel --no-deps --no-build-isolation -w dist .

LAB_PORT ?= 8888
lab: notebooks                        ## JupyterLab on the notebooks; prints the URL and token to open
	@token=$$($(PY) -c 'import secrets; print(secrets.token_hex(16))'); \
	echo; echo "  JupyterLab: open http://127.0.0.1:$(LAB_PORT)/lab?token=$$token"; \
	echo "  (token $$token; another port: make lab LAB_PORT=8890; stop with Ctrl-C)"; echo; \
	exec $(VENV)/bin/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	    --ServerApp.port_retries=0 --IdentityProvider.token=$$token --ServerApp.root_dir=notebooks \
	    $$([ "$$(id -u)" = 0 ] && echo --allow-root)

benchmark: model                      ## encoder throughput
	$(PY) benchmarks/encode_throughput.py

clean:                                ## remove data/processed and build leftovers
	rm -rf data/processed .pytest_cache build dist *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
