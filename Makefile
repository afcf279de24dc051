# The two commands of the README: `make demo` and `make test`. Everything installs into .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install demo test lint browser messages clean

install: $(VENV)/.installed
	@bash scripts/ensure-fonts.sh

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

# Refresh the English catalogue after adding strings, translate what msgattrib lists, recompile.
messages: install
	$(BIN)/shaobao makemessages -l en --no-obsolete --ignore=.venv --ignore=bench --ignore=tests --ignore='*/tests/*'
	msgattrib --untranslated shaobao/locale/en/LC_MESSAGES/django.po || true
	msgattrib --only-fuzzy shaobao/locale/en/LC_MESSAGES/django.po || true
	$(BIN)/shaobao compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) demo.sqlite3*
