# Developer entry points; CI runs `make test` through .ci/run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test lint run bench clean lint-deploy install-check

venv: $(STAMP)

# Reinstall only when the dependencies may have changed, not on every run.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[test]'
	touch $(STAMP)

lint: venv
	$(BIN)/ruff check .

# Both databases run even when the first fails, so one run shows every failure.
test: venv
	@status=0; \
	echo "== ruff check ."; $(BIN)/ruff check . || status=1; \
	echo "== pytest on SQLite"; NHACVIEC_TEST_DB=sqlite $(BIN)/pytest -q || status=1; \
	echo "== pytest on PostgreSQL"; NHACVIEC_TEST_DB=postgres $(BIN)/pytest -q || status=1; \
	exit $$status

# The deployment files, linted with pinned linters from npm (no Docker engine needed).
DOCKERFILELINT := dockerfilelint@1.8.0
DCLINT := dclint@3.1.0
lint-deploy:
	npx --yes $(DOCKERFILELINT) deploy/Dockerfile
	npx --yes $(DCLINT) --max-warnings 0 deploy/compose.yaml

# What ships: installed as deploy/Dockerfile installs it, then used outside the source tree.
install-check:
	PYTHON=$(PYTHON) sh deploy/install-check.sh

run: venv
	$(BIN)/nhacviec run

bench: venv
	$(BIN)/python bench/import.py
	$(BIN)/python bench/replies.py
	$(BIN)/python bench/inbound.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/report.py

# Caches and build output only: the venv and ./data (the database) stay.
clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
