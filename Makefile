# Shabaka: `make run` serves the app, `make test` runs the whole suite twice.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench screenshots install install-test migrate seed messages static lint format clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The interface's translations (locale/*.po → .mo) need gettext's msgfmt; as root on a
# fresh Debian machine it is installed here, else install the `gettext` package yourself.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } || \
	  { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0

# The web client's CSS and JS collected into STATIC_ROOT (var/static) with hashed names and
# compressed copies: what the site serves when DEBUG is off (WhiteNoise).
static: install
	$(PY) manage.py collectstatic --noinput -v 0

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed messages static
	@echo ""
	@echo "  Shabaka is starting on http://$(HOST):$(PORT)/"
	@echo "    API docs   http://$(HOST):$(PORT)/api/docs/"
	@echo "    admin      http://$(HOST):$(PORT)/admin/   (demo staff: admin / shabaka-demo)"
	@echo "    demo users amina.benali, youssef.elidrissi, … password shabaka-demo; who leads what:"
	@$(PY) manage.py demo_people
	@echo ""
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) --websocket_connect_timeout 30 --application-close-timeout 30 config.asgi:application

screenshots: install-test messages
	SHABAKA_SCREENSHOTS=1 $(VENV)/bin/pytest -q tests/web/test_browser.py \
	  tests/web/test_browser_phone.py tests/web/test_notifications_live.py \
	  tests/web/test_accessibility.py

test: install-test messages
	scripts/test.sh

bench: install-test
	scripts/bench.sh $(if $(SIZE),--size $(SIZE),)

lint: install-test
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy . && $(VENV)/bin/lint-imports

format: install-test
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var
