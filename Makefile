# The two commands: `make demo` (standalone site on SQLite) and `make test` (everything CI runs).
PYTHON ?= python3.11
PYVER := $(shell $(PYTHON) -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")' 2>/dev/null)
ifeq ($(PYVER),)
$(error $(PYTHON) was not found: install Python 3.11 or 3.12, or set PYTHON=...)
endif
VENV ?= $(if $(filter py311,$(PYVER)),.venv,.venv-$(PYVER))
PY := $(VENV)/bin/python
LOCK := requirements/test-$(PYVER).txt
STAMP := $(VENV)/.installed-$(PYVER)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint unit unit-py312 integration e2e system-deps install messages locks clean-demo bench widget widget-test

system-deps:  ## OS packages: MySQL client headers (mysqlclient), mariadb-client (the backup drill), chromium (browser tests), gettext
	@missing=""; \
	for p in default-libmysqlclient-dev pkg-config mariadb-client sqlite3 chromium gettext; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(STAMP): $(LOCK) setup.cfg pyproject.toml
	$(MAKE) system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The learner's "My training" widget (frontend/my-training): npm packages from its lockfile,
# its tests (Vitest), and the bundle the standalone site serves on the learner's home.
WIDGET := frontend/my-training
WIDGET_DEPS := $(WIDGET)/node_modules/.installed
WIDGET_BUNDLE := conf/devsite/widget/my-training.js

$(WIDGET_DEPS): $(WIDGET)/package.json $(WIDGET)/package-lock.json
	cd $(WIDGET) && npm ci --no-audit --no-fund --loglevel=error
	touch $(WIDGET_DEPS)

$(WIDGET_BUNDLE): $(WIDGET_DEPS) $(wildcard $(WIDGET)/src/*) $(WIDGET)/vite.config.js
	cd $(WIDGET) && npx vite build --logLevel warn

widget: $(WIDGET_BUNDLE)

widget-test: $(WIDGET_DEPS)
	cd $(WIDGET) && npx vitest run

demo: $(STAMP) $(WIDGET_BUNDLE)  ## Standalone site with demo data on SQLite, served on $(HOST):$(PORT)
	ELEARN_DEMO_URL=http://$(HOST):$(PORT) $(PY) manage.py elearn_demo --reset
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The unit suite and the host-shaped harness (tests/host) on the stand-in LMS settings, then the
# harness's Studio tests on the stand-in Studio settings (one settings module per process).
UNIT = $(PY) -m pytest tests/unit tests/host
HOST_CMS = $(PY) -m pytest tests/host/cms --ds=tests.settings_cms -p no:xdist

XDIST ?=

unit: $(STAMP)
	$(UNIT) $(XDIST) $(PYTEST_ARGS)
	$(HOST_CMS) $(PYTEST_ARGS)

INTEGRATION = $(PY) -m pytest tests/integration --ds=tests.settings_integration --migrations -p no:xdist

integration: $(STAMP)  ## MariaDB + Redis + real Celery workers (skips without them unless ELEARN_REQUIRE_SERVICES=1)
	$(INTEGRATION) $(PYTEST_ARGS)

e2e: $(STAMP) $(WIDGET_BUNDLE)
	$(PY) -m pytest tests/e2e -p no:xdist $(PYTEST_ARGS)

# Tutor 21 (Ulmo) and 22 (Verawood), each in its own venv with the Tutor plugin (conf/tutor,
# tutor-contrib-elearn) installed editable: tests/host/test_tutor_*.py render it with both.
TUTOR_VENV := .venv-tutor
TUTOR := $(TUTOR_VENV)/bin/tutor
TUTOR22_VENV := .venv-tutor22
TUTOR22 := $(TUTOR22_VENV)/bin/tutor
TUTORS = ELEARN_TUTOR=$(CURDIR)/$(TUTOR) ELEARN_TUTOR22=$(CURDIR)/$(TUTOR22)

$(TUTOR): requirements/tutor.txt conf/tutor/pyproject.toml  ## Tutor 21 in its own venv, with conf/tutor
	test -x $(TUTOR_VENV)/bin/python || $(PYTHON) -m venv $(TUTOR_VENV)
	$(TUTOR_VENV)/bin/python -m pip install -q -r requirements/tutor.txt
	$(TUTOR_VENV)/bin/python -m pip install -q --no-deps -e conf/tutor
	touch $(TUTOR)

$(TUTOR22): requirements/tutor22.txt conf/tutor/pyproject.toml  ## Tutor 22 in its own venv, with conf/tutor
	test -x $(TUTOR22_VENV)/bin/python || $(PYTHON) -m venv $(TUTOR22_VENV)
	$(TUTOR22_VENV)/bin/python -m pip install -q -r requirements/tutor22.txt
	$(TUTOR22_VENV)/bin/python -m pip install -q --no-deps -e conf/tutor
	touch $(TUTOR22)

test: lint $(TUTOR) $(TUTOR22) $(WIDGET_BUNDLE)  ## Lint, import contract, unit suite and host harness (SQLite), integration (MariaDB/Redis), the widget's tests, browser tests, unit and harness on 3.12
	cd $(WIDGET) && npx vitest run
	$(TUTORS) $(UNIT) -n 2 $(PYTEST_ARGS)
	$(HOST_CMS) $(PYTEST_ARGS)
	$(INTEGRATION) $(PYTEST_ARGS)
	$(PY) -m pytest tests/e2e -p no:xdist $(PYTEST_ARGS)
	$(TUTORS) $(MAKE) --no-print-directory unit-py312

# pyenv's shim for python3.12 only works when 3.12 is a selected version; ask pyenv directly.
PY312 ?= $(or $(shell pyenv prefix 3.12 2>/dev/null | sed 's|$$|/bin/python3.12|'),python3.12)

unit-py312:  ## The unit suite and the harness again on Python 3.12 (Open edX Verawood), in .venv-py312
	@if $(PY312) -c 'import sys' >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory unit PYTHON=$(PY312) XDIST="-n 2"; \
	elif [ "$(ELEARN_REQUIRE_SERVICES)" = "1" ]; then \
	  echo "$(PY312) not found: the unit suite cannot run on Python 3.12" >&2; exit 1; \
	else echo "$(PY312) not found: the Python 3.12 unit run is skipped"; fi

# Extracted from the repository root so the standalone site's templates (conf/devsite) share the
# plugin's catalogue: conf/devsite/messages_settings.py sends every string to elearn_plugin/locale.
MSG_IGNORE = -i tests -i benchmarks -i var -i docs -i build -i dist -i '*.egg-info'

messages: $(STAMP)  ## Re-extract and compile translations (needs gettext)
	$(PY) manage.py makemessages --settings=conf.devsite.messages_settings -l zh_CN --no-obsolete $(MSG_IGNORE)
	$(PY) manage.py makemessages --settings=conf.devsite.messages_settings -d djangojs -l zh_CN --no-obsolete $(MSG_IGNORE)
	cd elearn_plugin && ../$(PY) ../manage.py compilemessages -l zh_CN

locks:  ## Re-pin the test environments (run once per Python)
	python3.11 -m piptools compile -q --strip-extras --allow-unsafe --no-emit-find-links --no-emit-index-url -o requirements/test-py311.txt requirements/test.in
	python3.12 -m piptools compile -q --strip-extras --allow-unsafe --no-emit-find-links --no-emit-index-url -o requirements/test-py312.txt requirements/test.in

bench: $(STAMP)
	for f in benchmarks/[!_]*.py; do $(PY) $$f; done

clean-demo:
	rm -rf var
