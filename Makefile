# Two commands set everything up on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
PYTEST_ARGS ?=

.PHONY: demo test install assets messages chromium lint serve bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP) assets messages

# Front-end assets come from the npm registry at install time; nothing third-party lives in the repo.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.package-lock.json

messages: $(STAMP) assets
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	@cd $(CURDIR) && $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules
	@$(PY) manage.py collectstatic --noinput -v0

# Debian's Chromium for the browser journeys (Playwright drives /usr/bin/chromium; no browser download).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(VENV)/bin/wastegrid load-guide
	$(VENV)/bin/wastegrid generate-demo
	$(VENV)/bin/wastegrid schedules-ensure
	@echo; echo "Demo logins (one per role) — open http://127.0.0.1:8000"
	@$(VENV)/bin/wastegrid demo-logins
	@echo
	$(MAKE) serve

# The job worker (django-q2's qcluster: imports, report builds, the schedules) runs beside gunicorn and stops
# with it: one command, no supervisor. Its queue is the database, so a job queued while it is down waits.
serve:
	@$(PY) manage.py qcluster & QCLUSTER=$$!; \
	trap 'kill -TERM $$QCLUSTER 2>/dev/null; wait $$QCLUSTER' EXIT; \
	$(VENV)/bin/gunicorn wastegrid.wsgi --bind 127.0.0.1:8000 --workers 3 --access-logfile - --timeout 120

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: install chromium
	@mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	WASTEGRID_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v1
	WASTEGRID_TESTING=1 WASTEGRID_JOBS_INLINE=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/grid_bench.py
	$(PY) bench/guide_eval.py
	$(PY) bench/guide_speed.py
	$(PY) bench/jobs_bench.py

clean:
	rm -rf $(VENV) node_modules staticfiles var/test*.sqlite3
