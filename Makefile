# perfanalysis — `make help` lists the targets.
.DEFAULT_GOAL := help
.PHONY: help venv test score report lab lint bench docs clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEAR ?= 2019
OUT ?= out/report
DATA ?= data/sample/yiyang
SCHEME ?= data/schemes/yiyang_2018.yaml
RENDERER ?= auto
# Quarto installed by .ci/run from ../shared/tools/quarto (when present) is used first
export PATH := $(CURDIR)/$(VENV)/quarto/bin:$(PATH)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (perfanalysis)" > /dev/null
	@touch $(STAMP)

## Create .venv and install the package with its dev extra (done by every target)
venv: $(STAMP)

## Run the whole test suite (unit, property, notebook execution, rendering)
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (this machine image sets it):
# without it each xdist worker rewrote and compiled every test module again (about 9 s of
# CPU per worker at start-up) and every chapter kernel compiled the package from source.
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n auto --dist worksteal

## Print the sample scorecard (Yiyang sample, Yiyang 2018 preset, latest year)
score: $(STAMP)
	$(BIN)/perfanalysis score --data data/sample/yiyang --scheme data/schemes/yiyang_2018.yaml

## Run the annual report on the Yiyang sample (nbconvert fallback when quarto is absent)
report: $(STAMP)
	$(BIN)/perfanalysis run --data $(DATA) --scheme $(SCHEME) --year $(YEAR) --out $(OUT) --renderer $(RENDERER)

ARGS ?=
# JupyterLab refuses to start as root unless told to (containers, CI runners)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

## Open the notebooks in JupyterLab (kernel "python3" of .venv; extra options: ARGS="--port 8899")
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(ARGS)

## Lint with ruff
lint: $(STAMP)
	$(BIN)/ruff check perfanalysis tests benchmarks

## Run the benchmark scripts and print their figures
bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do $(BIN)/python $$f; done

QUARTO ?= quarto
# quarto from PATH (.venv/quarto/bin first, where .ci/run installs it), or QUARTO=/path/to/quarto:
# ../shared/tools/quarto/install.sh, or
# `conda install -c conda-forge quarto`, or https://quarto.org/docs/get-started/
## Build the docs site: API reference (quartodoc) + quarto render → docs/_site/index.html
docs: $(STAMP)
	@command -v $(QUARTO) > /dev/null || { echo "make docs needs Quarto on PATH: ../shared/tools/quarto/install.sh, or conda install -c conda-forge quarto (or QUARTO=/path/to/quarto)"; exit 1; }
	cd docs && $(abspath $(BIN))/quartodoc build && $(QUARTO) render .
	@echo "docs: docs/_site/index.html"

## Remove build output (out/, caches)
clean:
	rm -rf out .pytest_cache .hypothesis .ruff_cache

## Show this help
help:
	@awk '/^## /{desc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(desc){split($$1,t,":"); printf "  make %-8s %s\n", t[1], desc}; desc=""}' $(MAKEFILE_LIST)
