PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-spark lint sample bench screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# pyspark for the cross-engine suite; `make test` runs it when pyspark is installed (a Java 17
# runtime is needed too) and reports it skipped, with the reason, when not.
$(VENV)/.spark: requirements-spark.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-spark.txt
	touch $@

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-spark: $(VENV)/.spark
	$(BIN)/python -m pytest -m spark

lint: $(VENV)/.dev
	$(BIN)/ruff check .

sample: $(VENV)/.runtime
	$(BIN)/python -m journeylib.sample sample_data

bench: $(VENV)/.dev
	for script in bench/bench_*.py; do PYTHONPATH=. $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

screenshot: $(VENV)/.dev
	mkdir -p .pytest_cache docs
	$(BIN)/python tests/e2e.py docs/screenshot.png "Data quality" 1500
	$(BIN)/python tests/e2e.py docs/funnel.png "" 1150 funnel
	$(BIN)/python tests/e2e.py docs/journey-map.png "" 1150 journey_map
