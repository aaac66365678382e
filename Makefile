# Two commands set everything up: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app

.PHONY: run test bench lint translations translations-extract install docs-screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

# Compile the message catalogs (.mo files are build output, not committed).
translations: $(STAMP)
	$(BIN)/pybabel -q compile -d portal/translations

# Refresh the catalogs after changing user-facing strings; then fill in the German msgstr.
translations-extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".*" -o portal/translations/messages.pot .
	$(BIN)/pybabel -q update -N -i portal/translations/messages.pot -d portal/translations

run: install
	$(BIN)/python -m portal.dev.launcher

test: install
	$(BIN)/python -m pytest $(ARGS)

# `make bench` runs every benchmark, `make bench NAME=customer_list` one of them.
bench: install
	$(BIN)/python -m bench $(NAME)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The README's screenshots (docs/screenshots/), taken by the browser test of the owner's main path.
docs-screenshots: install
	DOCS_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser/test_erasure_request.py
