# The two commands of the README: `make serve` and `make test`. Both install what is missing first
# and install nothing on a second run (the stamp file is newer than pyproject.toml).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install serve index test lint bench eval clean-knowledge e2e-deps fuzz loadtest

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

# The browser test drives Debian's Chromium (no Playwright browser download); CJK fonts for legible screenshots.
e2e-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-wqy-zenhei; \
	else \
		echo "e2e-deps: /usr/bin/chromium is missing and this is not root;" \
		     "run 'sudo apt-get install chromium' — the browser test will be skipped."; \
	fi

test: install e2e-deps
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check service tests bench
	$(VENV)/bin/ruff format --check service tests bench
	$(VENV)/bin/mypy

bench: index
	$(PY) -m bench.run

# Rehearsal turns over loopback HTTP at 1, 8 and 32 users next to the embedder's own ceiling (~2 min).
loadtest: index
	$(PY) -m bench.loadtest

# schemathesis, all checks, every operation, against uvicorn on SQLite and on PostgreSQL (~3 min).
FUZZ_EXAMPLES ?= 100
fuzz: index
	$(PY) -m bench.fuzz --max-examples $(FUZZ_EXAMPLES)

eval: index
	$(VENV)/bin/salescoach eval retrieval bench/data/retrieval_dev.jsonl --k 5

clean-knowledge: install
	$(VENV)/bin/salescoach clean
