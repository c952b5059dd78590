# Outreach: `make run` to try it, `make test` to check it. GNU make.
#
#   make run [PORT=5000]     install, migrate, seed demo data on first start, serve on 127.0.0.1
#   make test                the whole suite on SQLite, then on PostgreSQL when one is reachable
#   make vendor              install the scanner's QR decoder from npm into static/vendor/ (run and test do it)
#   make browser             install Debian's Chromium for the browser tests with apt if missing (test does it)
#   make bench-checkin       check-in API throughput and latency against a bare Flask endpoint
#   make bench-evaluation    dashboard and export speed over 1,000,000 attendances (SQLite, then PostgreSQL)
#   make fuzz                the property-based tests with 300 fresh random examples per form (the suite runs 6)
#   make security-scan       SQL injection scan (sqlmap) of a throwaway instance: SQLite, then PostgreSQL
#   make bench-load          gunicorn + PostgreSQL under a mixed city-sized load for a minute
#   make bench-scanner     fake-camera Chromium: ms from the pass's first frame to green, per way of holding it
#   make bench-enumeration   sign-up, sign-in and reset: median time for a known and an unknown address
#   make migration MSG=...   autogenerate a migration after changing the models
#   make messages            extract the words to translate and update each language's .po file
#   make translations        compile the .po files (the app also does it when it starts)
#   make clean               remove the virtualenv and caches (never instance/)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
PG_TEST_URL := postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# The browser tests drive Debian's Chromium at this path (tests/conftest.py reads it too).
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH
CHROMIUM_APT := apt-get install -y --no-install-recommends chromium fonts-dejavu-core
# A shell test: true when a PostgreSQL server answers at PG_TEST_URL.
PG_ANSWERS = $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' "$(PG_TEST_URL)" >/dev/null 2>&1

.PHONY: help venv vendor browser fonts run test migration messages translations clean bench-checkin bench-evaluation bench-load fuzz security-scan

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

# The stamp is newer than both requirements files once they are installed, so
# a second `make run` skips pip entirely.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

# The scanner's decoder (qr-scanner) comes from the npm registry, pinned by
# package-lock.json, and is copied into static/vendor/ (git-ignored). Without
# npm the scanner still works in browsers that have BarcodeDetector, and the
# pass-URL check-in needs no JavaScript at all, so a missing npm is a warning.
VENDOR := static/vendor/qr-scanner
$(VENDOR)/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && \
		mkdir -p $(VENDOR) && \
		cp node_modules/qr-scanner/qr-scanner.min.js node_modules/qr-scanner/qr-scanner-worker.min.js \
		   node_modules/qr-scanner/LICENSE $(VENDOR)/ && \
		touch $@; \
	else \
		echo "make: npm not found, so the scanner's QR decoder was not installed."; \
		echo "      The scanner will only work in browsers with BarcodeDetector (Chrome on Android);"; \
		echo "      install Node.js and npm, then run 'make vendor'."; \
	fi

vendor: $(VENDOR)/.installed

# Pass images draw a young person's first name in its own script (Urdu, Arabic, Bengali ...):
# Debian's Noto fonts have those letters. Without them a name the other fonts cannot draw is left
# off the image and the test that draws one is skipped, so a missing font is a message, not a failure.
NOTO_FONT := /usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf
fonts:
	@if [ -e "$(NOTO_FONT)" ] || ! command -v apt-get >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else echo "make: no Noto fonts; names in other scripts are left off passes (sudo apt-get install fonts-noto-core)"; exit 0; fi; \
	echo "make: installing Debian's fonts-noto-core (first names in every script on passes)"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-core >/dev/null 2>&1 || \
	{ $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-core >/dev/null; } || \
	echo "make: installing fonts-noto-core failed; names in other scripts are left off passes"

# Chromium for the browser tests, from Debian's packages with apt when it is missing and this is
# root or sudo is at hand. Otherwise (or if apt fails) a message says how; the suite still runs,
# and the browser tests fail with that same message.
browser:
	@if [ -x "$(CHROMIUM_PATH)" ]; then exit 0; fi; \
	how="install it with: sudo $(CHROMIUM_APT)  (or point CHROMIUM_PATH at a Chromium)"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make: Chromium not found at $(CHROMIUM_PATH), and there is no apt-get here to install it."; \
		echo "      The browser tests need it: install Chromium and set CHROMIUM_PATH to it."; exit 0; \
	fi; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else \
		echo "make: Chromium not found at $(CHROMIUM_PATH), and installing it needs root."; \
		echo "      The browser tests need it: $$how"; exit 0; \
	fi; \
	echo "make: Chromium not found at $(CHROMIUM_PATH): installing Debian's chromium for the browser tests"; \
	if $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	   $$sudo env DEBIAN_FRONTEND=noninteractive $(CHROMIUM_APT) -qq >/dev/null; then \
		if [ ! -x "$(CHROMIUM_PATH)" ]; then \
			echo "make: Debian's chromium is installed (/usr/bin/chromium), but CHROMIUM_PATH is $(CHROMIUM_PATH)."; \
		fi; \
	else \
		echo "make: installing Chromium failed (see apt's message above)."; \
		echo "      The browser tests need it: $$how"; \
	fi

# Links in passes and emails point at the port served, unless BASE_URL says otherwise.
run: export BASE_URL := $(or $(BASE_URL),http://127.0.0.1:$(PORT))
run: venv vendor
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Outreach on http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/python scripts/run_dev.py -- $(FLASK) --no-debug run --host 127.0.0.1 --port $(PORT) --no-reload

# SQLite always; PostgreSQL when TEST_DATABASE_URL is set or a server answers on
# 127.0.0.1:5432 (the tests create and drop their own database there). The two passes run
# side by side (scripts/run_tests.sh; TEST_SERIAL=1 runs one after the other).
test: venv vendor browser fonts
	@pg_url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$pg_url" ] && $(PG_ANSWERS); then pg_url="$(PG_TEST_URL)"; fi; \
	if [ -z "$$pg_url" ]; then \
		echo "== PostgreSQL == skipped: no server answered on 127.0.0.1:5432 and TEST_DATABASE_URL is not set"; \
	fi; \
	status=0; scripts/run_tests.sh $(BIN)/pytest "$$pg_url" $(PYTEST_ARGS) || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED"; else echo "make test: all passed"; fi; \
	exit $$status

# gunicorn (gunicorn.conf.py, 4 workers) on PostgreSQL with Redis rate limits, under guardians
# browsing and booking, 32 door scanners and a lead exporting, for a minute. BENCH_ARGS passes
# options on (--reseed, --duration 120, --workers 2 ...). Ends with errors=N and checkin_p95_ms=...
bench-load: venv
	@if ! $(PG_ANSWERS); then echo "bench-load: needs PostgreSQL on 127.0.0.1:5432"; exit 1; fi
	$(BIN)/python bench/load.py $(BENCH_ARGS)

# The hypothesis tests of every form and JSON endpoint, many more examples, freshly random each run.
fuzz: venv
	FUZZ_PROFILE=long $(BIN)/pytest -n 2 tests/web/test_fuzz.py $(PYTEST_ARGS)

# SQL injection scan with Debian's sqlmap against a throwaway instance (SQLite, then PostgreSQL when
# one answers): sign-in, catalogue search, booking, check-in API, pass page. SCAN_ARGS passes options
# on (default: level 3, risk 2, which also runs the time-based and stacked tests on SQLite),
# e.g. SCAN_ARGS="--level 2" or SCAN_ARGS="--only login --keep".
SCAN_ARGS ?= --level 3 --risk 2
security-scan: venv
	@if [ ! -x /usr/bin/sqlmap ]; then \
		echo "security-scan: /usr/bin/sqlmap missing, installing Debian's sqlmap"; \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo apt-get install -y --no-install-recommends sqlmap; \
	fi
	$(BIN)/python scripts/security_scan.py $(SCAN_ARGS)
	@if $(PG_ANSWERS); then \
		$(BIN)/python scripts/security_scan.py --database "$(PG_TEST_URL)" $(SCAN_ARGS); \
	else echo "security-scan: PostgreSQL not reachable on 127.0.0.1:5432, skipped"; fi

# Autogenerate against a throwaway SQLite database brought up to the latest
# revision, so the new file holds exactly the model changes. Read it before
# committing: renames come out as drop + add.
# The pybabel workflow (scripts/translations.py): mark words with _() in templates and gettext()
# or lazy_gettext() in Python, `make messages`, translate the new entries in
# outreach/translations/<language>/LC_MESSAGES/messages.po, then `make translations`.
# tests/i18n fail while a shipped language lacks a word.
messages: venv
	$(BIN)/python scripts/translations.py messages
	$(BIN)/python scripts/translations.py check || true

translations: venv
	$(BIN)/python scripts/translations.py compile

migration: venv
	@if [ -z "$(MSG)" ]; then echo 'usage: make migration MSG="what changed"'; exit 2; fi
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export DATABASE_URL="sqlite:///$$tmp/migration.db" SECRET_KEY=migration OUTREACH_INSTANCE_PATH="$$tmp"; \
	$(FLASK) db upgrade && $(FLASK) db migrate -m "$(MSG)"

# Check-in API against a bare Flask endpoint, on SQLite and (when reachable) PostgreSQL.
bench-checkin: venv
	$(BIN)/python bench/checkin.py
	@if $(PG_ANSWERS); then \
		$(BIN)/python bench/checkin.py --database "$(PG_TEST_URL)"; \
	else echo "bench-checkin: PostgreSQL not reachable on 127.0.0.1:5432, skipped"; fi

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

# Seeds 1M attendances once (reused on later runs; add BENCH_ARGS=--reseed to start again).
bench-evaluation: venv
	$(BIN)/python bench/evaluation.py $(BENCH_ARGS)
	@if $(PG_ANSWERS); then \
		$(BIN)/python bench/evaluation.py --database "$(PG_TEST_URL)" $(BENCH_ARGS); \
	else echo "bench-evaluation: PostgreSQL not reachable on 127.0.0.1:5432, skipped"; fi

# Median times of sign-up, sign-in and password reset for an address with an account and one
# without, with a mail server that never answers (SQLite, then PostgreSQL). BENCH_ARGS: --tries 60 ...
.PHONY: bench-scanner
bench-scanner: venv vendor browser
	@SCANNER_BENCH=1 $(VENV)/bin/python -m pytest -q -s -p no:cacheprovider tests/browser/test_scanner.py \
		-k every_pass_reads 2>&1 | grep -oE "scanner_green_ms\[[^]]*\]=[0-9]+|[0-9]+ (passed|failed).*"

.PHONY: bench-enumeration
bench-enumeration: venv
	$(BIN)/python bench/enumeration.py $(BENCH_ARGS)
	@if $(PG_ANSWERS); then \
		$(BIN)/python bench/enumeration.py --database "$(PG_TEST_URL)" $(BENCH_ARGS); \
	else echo "bench-enumeration: PostgreSQL not reachable on 127.0.0.1:5432, skipped"; fi
