# Sibimtek: `make run` serves the demo on SQLite, `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py
export SIBIMTEK_ENV ?= development
# Links in mails and QR codes point where `make run` serves (unless PUBLIC_BASE_URL is set).
export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install lint test-only browser pdf-libs translations messages bench clean-db help

help:
	@echo "make run   - install, migrate, load regions and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test  - install test dependencies (chromium too), ruff and the whole pytest suite"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the dependencies or their pinned versions change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations 2>&1 | grep -v "^compiling" || true

# After adding strings: refresh the catalogue, then translate app/translations/en/.../messages.po.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs=".venv .git instance tests" \
		--no-location --sort-output -o app/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations

install: $(VENV)/.installed translations

run: install pdf-libs
	$(BIN)/flask db upgrade
	$(BIN)/flask regions load
	$(BIN)/flask seed demo
	@echo
	@echo "Sibimtek berjalan di http://$(HOST):$(PORT)  (Ctrl+C untuk berhenti)"
	@echo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# WeasyPrint (PDFs) needs Pango; installed through apt when missing and root.
pdf-libs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so'; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Pango for WeasyPrint..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	else \
		echo "Pango is missing: PDFs need it (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; \
	fi

# Debian's chromium drives the browser tests, pdftoppm (poppler-utils) renders PDFs for the QR
# checks; installed through apt when missing and root.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian chromium and poppler-utils for the tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	else \
		echo "chromium is missing: install it (apt-get install chromium) or set SIBIMTEK_SKIP_BROWSER=1"; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app tests bench config.py wsgi.py
	$(BIN)/mypy

# pytest exits 5 when it collected no test at all: said loudly, and not a failure of make.
test-only: install
	@set +e; SIBIMTEK_ENV=testing $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected (exit 5)"; exit 0; fi; exit $$rc

test: install pdf-libs browser lint test-only

# Benchmarks print ratios measured in one run (see bench/).
bench: install pdf-libs
	SIBIMTEK_ENV=testing LOG_LEVEL=WARNING $(BIN)/python bench/pages.py
	SIBIMTEK_ENV=testing LOG_LEVEL=WARNING $(BIN)/python bench/certificates_bench.py
	SIBIMTEK_ENV=testing LOG_LEVEL=WARNING $(BIN)/python bench/registration_bench.py
	SIBIMTEK_ENV=testing LOG_LEVEL=WARNING $(BIN)/python bench/enumeration.py --smtp
	SIBIMTEK_ENV=testing LOG_LEVEL=WARNING $(BIN)/python bench/dashboard.py

clean-db:
	rm -f instance/sibimtek.db
