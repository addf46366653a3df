# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make serve   install into .venv, build data/samverkan.db if missing or stale, serve it at http://127.0.0.1:8001
#   make test    install into .venv and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install serve test build verify lint bench clean chromium mutation

# `make serve` installs only what serving needs; the test extras (pytest, Playwright, ruff) come with `make test`.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(TEST_STAMP)

install: $(STAMP)

serve: $(STAMP)
	@echo "kb is not on PATH: run .venv/bin/kb --help, or source .venv/bin/activate and then kb --help"
	$(BIN)/kb serve

build: $(STAMP)
	$(BIN)/kb build

verify: $(STAMP)
	$(BIN)/kb verify

# The browser tests drive Debian's chromium (Playwright's own browser download is not used); the
# accessibility test installs axe-core with npm into test-artifacts/axe by itself.
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium and npm for the browser tests ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium npm >/dev/null; }

test: $(TEST_STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

# issue 20: mutation testing of the modules whose numbers we publish (minutes; not in CI). MODULES=... to narrow.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet "mutmut>=3.8,<4"
	$(BIN)/python dev/mutation.py $(MODULES)

clean:
	rm -rf $(VENV) .pytest_cache
