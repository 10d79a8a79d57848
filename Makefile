# Kvalitet: the two set-up commands are `make run` and `make test` (see README.md).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check -q

.PHONY: install install-test run lint test bench eval clean-index

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python
	$(PIP) install -e .

# torch is pinned to the CPU build that lies on this machine's disk; unpinned it pulls CUDA (GBs).
install-test: $(BIN)/python
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[st,test]'
	bash scripts/system-deps.sh

# Index the sample corpus and serve the API and web interface on http://127.0.0.1:8000; once
# the server is up it prints the address and each demo user with a fresh key.
run: install
	$(BIN)/kvalitet ingest; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 2 ] || exit $$rc
	$(BIN)/kvalitet serve --demo-users

# The linters (installed by install-test): ruff, mypy over kvalitet/ (config in pyproject.toml,
# cache in .mypy_cache) and the import rule's contracts.
lint:
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install-test
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q

bench: install-test
	$(BIN)/python benchmarks/run_all.py
	nice -n 10 $(BIN)/python benchmarks/bench_100k.py --out benchmarks/results/bench_100k.json

eval: install
	$(BIN)/kvalitet ingest; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 2 ] || exit $$rc
	$(BIN)/kvalitet eval retrieval tests/data/gold_retrieval.json
	KVALITET_INDEX_DIR=index/eval-kommuner KVALITET_CORPUS_DIR=tests/data/kommuner \
	  $(BIN)/kvalitet ingest tests/data/kommuner/tune tests/data/kommuner/heldout; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 2 ] || exit $$rc
	KVALITET_INDEX_DIR=index/eval-kommuner KVALITET_CORPUS_DIR=tests/data/kommuner \
	  $(BIN)/kvalitet eval retrieval tests/data/kommuner/questions.json

clean-index:
	rm -rf index/eval-kommuner index/chroma index/bm25 index/kvalitet.db* index/embcache.sqlite* index/quarantine
