# The two commands of the README: `make demo` and `make test`. Everything installs into .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install demo test lint browser messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
browser:
	@bash scripts/ensure-chromium.sh

demo: install
	$(BIN)/shaobao demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install browser lint
	$(BIN)/shaobao check --fail-level WARNING
	$(BIN)/pytest

messages: install
	cd shaobao && ../$(BIN)/shaobao makemessages -l en --no-obsolete && ../$(BIN)/shaobao compilemessages

clean:
	rm -rf $(VENV) demo.sqlite3*
