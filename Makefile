# The two commands of the README: `make serve` and `make test`. Both install what is missing first
# and install nothing on a second run (the stamp file is newer than pyproject.toml).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install serve index test lint bench eval clean-knowledge

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first: the pinned CPU build lies on local disk; any other request pulls a CUDA build
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

index: install
	$(VENV)/bin/salescoach index

serve: index
	$(VENV)/bin/salescoach serve --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check service tests bench
	$(VENV)/bin/ruff format --check service tests bench
	$(VENV)/bin/mypy

bench: index
	$(PY) -m bench.run

eval: index
	$(VENV)/bin/salescoach eval retrieval bench/data/retrieval_dev.jsonl --k 5

clean-knowledge: install
	$(VENV)/bin/salescoach clean
