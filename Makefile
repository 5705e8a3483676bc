# eha: set up, build, serve, test and measure. `make` on its own lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CHROMIUM_PATH ?= /usr/bin/chromium

GOVUK := node_modules/govuk-frontend/dist/govuk
NPM_STAMP := node_modules/.package-lock.json
STATIC := eha/static
AUTOCOMPLETE := node_modules/accessible-autocomplete/dist
ASSETS := $(STATIC)/css/application.css $(STATIC)/js/govuk-frontend.min.js \
	$(STATIC)/js/application.mjs $(STATIC)/assets/manifest.json \
	$(STATIC)/js/accessible-autocomplete.min.js $(STATIC)/css/accessible-autocomplete.min.css

# Workers and access log are in gunicorn.conf.py, shared with bench/http_bench.py.
GUNICORN := $(BIN)/gunicorn -c gunicorn.conf.py

.PHONY: help venv assets translations translations-update run dev test lint audit bench clean

help: ## List these targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z_-]+:.*## / {printf "  make %-7s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

venv: $(VENV)/.installed ## Create .venv and install eha with its test tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

assets: $(ASSETS) translations ## Build GOV.UK Frontend CSS, JS and images into eha/static, and the catalogues

# The gettext catalogues (issue 18): eha/translations/<code>/LC_MESSAGES/<domain>.po, compiled next to themselves.
# The app also compiles a stale one when it starts (eha/i18n.py), so a run without make still speaks Welsh.
TRANSLATIONS := eha/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
BABEL_KEYWORDS := -k _ -k gettext -k ngettext:1,2 -k lazy_gettext -k _l -k lazy_ngettext:1,2 -k N_

translations: $(MO_FILES) ## Compile the message catalogues (pybabel compile)

$(TRANSLATIONS)/%.mo: $(TRANSLATIONS)/%.po | venv
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations-update: venv ## Extract the interface's and the plan's strings and update every catalogue
	$(BIN)/pybabel extract --no-default-keywords $(BABEL_KEYWORDS) -F babel.cfg --sort-output --no-location \
		--project eha --copyright-holder "eha contributors" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -D messages -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete --no-wrap
	@# The printed plan's own domain: its fixed text is eha/pdf/wording.py (eha/pdf/i18n.py reads the .po files).
	$(BIN)/pybabel extract -F $(TRANSLATIONS)/plan.cfg -k N_ -k ngettext:1,2 --no-location --sort-output \
		--project=eha --copyright-holder "eha contributors" --msgid-bugs-address=early-help@example.gov.uk -o $(TRANSLATIONS)/plan.pot .
	$(BIN)/pybabel update -D plan -i $(TRANSLATIONS)/plan.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete --no-wrap

# Nothing here needs an install script; sass's optional file watcher is only for --watch.
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --omit=optional
	@touch $@

$(STATIC)/css/application.css: $(wildcard assets/scss/*.scss) $(NPM_STAMP)
	@mkdir -p $(@D)
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
		--load-path=$(GOVUK)/.. assets/scss/application.scss $@

$(STATIC)/js/govuk-frontend.min.js: $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(GOVUK)/govuk-frontend.min.js $(GOVUK)/govuk-frontend.min.js.map $(@D)/

# GOV.UK's accessible-autocomplete: the person pickers' search box, with JavaScript (eha.services.pickers).
$(STATIC)/js/accessible-autocomplete.min.js: $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(AUTOCOMPLETE)/accessible-autocomplete.min.js $(AUTOCOMPLETE)/accessible-autocomplete.min.js.map $(@D)/

$(STATIC)/css/accessible-autocomplete.min.css: $(NPM_STAMP)
	@mkdir -p $(@D)
	cp $(AUTOCOMPLETE)/accessible-autocomplete.min.css $@

$(STATIC)/js/application.mjs: assets/js/application.mjs
	@mkdir -p $(@D)
	cp $< $@

# Images and the web manifest, without the fonts (we use the council's font
# stack) and without the royal crest (central government's, not ours).
$(STATIC)/assets/manifest.json: $(NPM_STAMP)
	rm -rf $(STATIC)/assets
	mkdir -p $(STATIC)/assets
	cp -R $(GOVUK)/assets/. $(STATIC)/assets/
	rm -rf $(STATIC)/assets/fonts $(STATIC)/assets/*/govuk-crest.svg
	@touch $@

# The notifications worker (Huey's consumer) runs beside gunicorn. Whichever stops first, or Ctrl-C, or a
# kill of make, stops the other: the trap ends the worker's whole process group, so no worker is left sending.
run: venv assets ## Migrate, load demo data, start the notifications worker and serve on http://127.0.0.1:$PORT
	EHA_CONFIG=development $(FLASK) db upgrade
	EHA_CONFIG=development $(FLASK) demo
	@export EHA_CONFIG=development; \
	set -m; $(BIN)/python -m huey.bin.huey_consumer eha.notifications.tasks.huey --workers 1 --logfile instance/worker.log & worker=$$!; \
	set +m; server=; \
	trap 'kill -TERM -- -$$worker $$server 2>/dev/null; wait 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	echo "notifications worker $$worker: sends instance/mail/*.eml (log in instance/worker.log)"; \
	$(GUNICORN) -b 127.0.0.1:$${PORT:-5000} wsgi:app & server=$$!; \
	wait -n $$worker $$server; exit $$?

dev: venv assets ## Like run, but Flask's debug server reloading on change
	EHA_CONFIG=development $(FLASK) db upgrade
	EHA_CONFIG=development $(FLASK) demo
	EHA_CONFIG=development exec $(FLASK) run --debug -h 127.0.0.1 -p $${PORT:-5000}

# BROWSER_TESTS=no leaves the browser tests out, saying so: .ci/run's PostgreSQL pass uses it, because they
# serve from their own SQLite file whatever TEST_DATABASE_URL says, so its SQLite pass has already run them.
BROWSER_TESTS ?= yes
# DATABASE_TESTS_ONLY=yes leaves out the tests that reach no database (marked no_database by tests/conftest.py):
# .ci/run's PostgreSQL pass uses it, because its SQLite pass has run them and they cannot differ on PostgreSQL.
DATABASE_TESTS_ONLY ?= no
UNIT_TESTS := not browser$(if $(filter yes,$(DATABASE_TESTS_ONLY)), and not no_database)

test: venv assets lint ## Run lint, then the tests (PostgreSQL too when TEST_DATABASE_URL is set)
	@# Unit and request tests in two processes (each with its own database), then the browser tests in two
	@# (each with its own live server and Chromium; a file's tests stay on one worker, in order).
	@# worksteal: a worker that runs out takes queued tests from the other, so one long test does not end the run alone.
	@if [ "$(DATABASE_TESTS_ONLY)" = yes ]; then \
		echo "Tests that reach no database not run (DATABASE_TESTS_ONLY=yes): they cannot differ on another database"; \
	fi
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist worksteal -m "$(UNIT_TESTS)" $(PYTEST_ARGS)
	@if [ "$(BROWSER_TESTS)" = no ]; then \
		echo "Browser tests not run (BROWSER_TESTS=no): they always use their own SQLite server"; \
	elif [ -x "$(CHROMIUM_PATH)" ]; then \
		CHROMIUM_PATH="$(CHROMIUM_PATH)" $(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist loadfile -m browser $(PYTEST_ARGS); \
	else \
		echo "Chromium not found at $(CHROMIUM_PATH): skipping browser tests (apt-get install -y chromium)"; \
	fi

lint: venv ## Check the Python code with ruff: the lint rules (complexity included) and the formatter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Reads a pip-audit or npm audit JSON report. Exit 1 only for advisories (listed); a report that is missing, an
# error, or one in which nothing could be looked up means the advisory service was out of reach: said, not failed.
define AUDIT_REPORT
import json, sys
tool, report_path, errors_path = sys.argv[1:4]
try:
    with open(report_path) as file:
        report = json.load(file)
except (OSError, ValueError):
    report = {}
if tool == "pip-audit":
    packages = report.get("dependencies", [])
    found = [f"{p['name']} {p['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or ['no release yet'])})"
             for p in packages for v in p.get("vulns", [])]
    reached = any("skip_reason" not in p for p in packages)
else:
    found = [f"{name}: {v.get('severity')} ({', '.join(a['url'] for a in v['via'] if isinstance(a, dict)) or 'via ' + ', '.join(v['via'])})"
             for name, v in report.get("vulnerabilities", {}).items()]
    reached = "auditReportVersion" in report
if found:
    print(f"{tool}: {len(found)} advisories:", *found, sep="\n  ")
    sys.exit(1)
if reached:
    print(f"{tool}: no known advisories.")
else:
    with open(errors_path, errors="replace") as file:
        skipped = [p["skip_reason"] for p in report.get("dependencies", [])][:1]
        reason = report.get("message") or (skipped or file.read().strip().splitlines() or ["no report"])[-1]
    print(f"{tool}: COULD NOT REACH its advisory service, so nothing was checked ({reason[:200]}).")
endef
export AUDIT_REPORT

audit: venv ## Check Python and npm dependencies for known advisories (says so when it cannot reach them)
	@status=0; report=$$(mktemp -d); trap 'rm -rf "$$report"' EXIT; \
	$(BIN)/pip-audit --progress-spinner off --local --skip-editable --format json --output "$$report/pip.json" \
		>/dev/null 2>"$$report/pip.err"; \
	$(BIN)/python -c "$$AUDIT_REPORT" pip-audit "$$report/pip.json" "$$report/pip.err" || status=1; \
	if command -v npm >/dev/null; then \
		npm audit --package-lock-only --json >"$$report/npm.json" 2>"$$report/npm.err"; \
		$(BIN)/python -c "$$AUDIT_REPORT" "npm audit" "$$report/npm.json" "$$report/npm.err" || status=1; \
	else \
		echo "npm audit: npm is not installed, so package-lock.json was not checked."; \
	fi; \
	exit $$status

bench: venv assets ## Measure requests per second and p95 latency (bench/*_bench.py)
	@status=0; for script in bench/*_bench.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; \
		$(BIN)/python "$$script" || status=1; \
	done; exit $$status

clean: ## Remove built assets and node_modules (keeps .venv and instance/)
	rm -rf $(STATIC) node_modules

.PHONY: bench-scale
bench-scale: venv assets ## Build 1k/10k/100k episodes on BENCH_DATABASE_URL (PostgreSQL, emptied) and time the pages
	$(BIN)/python bench/scale_bench.py --sizes $${BENCH_SIZES:-1000,10000,100000} $(BENCH_ARGS)
