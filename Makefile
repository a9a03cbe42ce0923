# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/governance.duckdb
PORT ?= 8501

.PHONY: run test venv sample db bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

$(DB): | $(VENV)/.installed
	$(PY) -m metrics init --sample --db $(DB)

db: $(DB)

run: $(VENV)/.installed $(DB)
	$(PY) -m streamlit run dashboard.py --server.port $(PORT) --server.address 127.0.0.1 --server.headless true

test: $(VENV)/.installed
	bash tests/setup_browser.sh
	$(PY) -m pytest -q -n 2 --dist loadfile

sample: $(VENV)/.installed
	$(PY) data/generate_sample.py

bench: $(VENV)/.installed
	$(PY) bench/bench_views.py
	$(PY) bench/bench_import.py --write docs/benchmarks.md
	$(PY) bench/bench_browser.py --write docs/benchmarks.md

clean:
	rm -rf $(VENV) $(DB) $(DB).wal data/archive
