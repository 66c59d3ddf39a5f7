# Bedring: the README's commands. `make run` serves the demo; `make test` is what CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: run test lint types pytest install messages system-deps bench clean

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# gettext compiles the translation catalogues; Chromium drives the browser tests.
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  if [ "$(ROOT)" = yes ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing fonts-dejavu-core; \
	  else echo "Please install:$$missing (Debian packages)"; exit 1; fi; \
	fi

messages: install
	@command -v msgfmt >/dev/null || { [ "$(ROOT)" = yes ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

run: messages
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py load_demo --if-empty
	@echo "Bedring is serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - --log-level warning

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy .

pytest: install system-deps messages
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types pytest

bench: messages
	$(BIN)/python -m bedring.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
