# Bedring: the README's commands. `make run` serves the demo; `make test` is what CI runs.
PYTHON ?= python3
# The Makefile is the demo and development entry point; a production install sets its own
# environment (BEDRING_SECRET_KEY, BEDRING_DEMO unset) and runs gunicorn itself.
export BEDRING_DEMO ?= true
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: run test lint types pytest install messages runtime-deps system-deps bench clean

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# gettext compiles the translation catalogues, Pango lets WeasyPrint write PDF letters,
# Chromium drives the browser tests. Installed from Debian when missing and run as root.
define apt_install
	@missing=""; for pair in $(1); do cmd=$${pair%%:*}; pkg=$${pair#*:}; \
	  sh -c "$$cmd" >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$(ROOT)" = yes ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install these Debian packages:$$missing"; exit 1; fi; \
	fi
endef
RUNTIME_PKGS := "command -v msgfmt:gettext" "ldconfig -p | grep -q libpangoft2-1.0:libpango-1.0-0 libpangoft2-1.0-0" "fc-list | grep -qi dejavu:fonts-dejavu-core"
TEST_PKGS := "test -x /usr/bin/chromium:chromium"

runtime-deps:
	$(call apt_install,$(RUNTIME_PKGS))

system-deps: runtime-deps
	$(call apt_install,$(TEST_PKGS))

messages: install runtime-deps
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

run: messages
	@mkdir -p var && touch var/demo-install
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py load_demo --if-empty
	@echo "Bedring is serving on http://$(HOST):$(PORT)/  (Ctrl-C stops it and the message worker)"
	@# The task worker (django-tasks' database backend: reminders, retries) runs beside the
	@# server; both stop together on Ctrl-C, on a signal to this shell, or when either exits.
	@trap 'kill $$server $$worker 2>/dev/null; wait $$server $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM HUP; \
	$(BIN)/python manage.py db_worker --no-reload --interval 2 --verbosity 0 & worker=$$!; \
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - --log-level warning & server=$$!; \
	wait $$server

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache

types: install
	$(BIN)/mypy .

# The suite runs on every core (pytest-xdist; each worker has its own test database and live
# server). PYTEST_WORKERS=0 (or PYTEST_ARGS="-n 0") runs it in one process, for debugging.
PYTEST_WORKERS ?= auto
pytest: install system-deps messages
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint types pytest

bench: messages
	$(BIN)/python -m bedring.synthetic.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
