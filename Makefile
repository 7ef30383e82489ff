# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-deps payday-deps test-embedded lint format ui doctor clean bench docs metrics

install: $(STAMP) $(MANIFEST)

# setuptools reminds every editable install that a folder named like the
# package shadows it: that folder is the package here, so the reminder is noise.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore::UserWarning:setuptools.command.editable_wheel" \
		$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The dbt manifest is built here, at install time, never at import.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet
	touch $@

run: install payday-deps
	$(BIN)/payroll demo --out .payroll/demo-input

# Modules run side by side on $(TEST_WORKERS) workers; a module's tests (and
# its module-scoped fixtures) stay on one worker.
TEST_WORKERS ?= 2

test: install lint test-deps payday-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The browser tests drive Debian's chromium (Playwright cannot download its
# own browser here); PAYROLL_SKIP_BROWSER=1 skips them instead. The deploy
# tests run Debian's promtool and prometheus; PAYROLL_SKIP_PROMETHEUS=1 skips them.
# The proxy tests run Debian's nginx (in /usr/sbin); PAYROLL_SKIP_NGINX=1 skips them.
# The point-in-time recovery test runs Debian's pgbackrest; PAYROLL_SKIP_PGBACKREST=1
# skips it.
AS_ROOT := $(if $(filter 0,$(shell id -u)),,sudo -n)
test-deps:
	@if [ "$${PAYROLL_SKIP_BROWSER:-}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then \
		echo "make: installing Debian's chromium for the browser tests" >&2; \
		{ $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
		&& $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends chromium </dev/null; } >/dev/null \
		|| { echo "make: cannot install chromium (apt-get install chromium), or set PAYROLL_SKIP_BROWSER=1" >&2; exit 1; }; \
	fi
	@if [ "$${PAYROLL_SKIP_PROMETHEUS:-}" != "1" ] && { ! command -v promtool >/dev/null 2>&1 || ! command -v prometheus >/dev/null 2>&1; }; then \
		echo "make: installing Debian's prometheus for the alert-rule and scrape tests" >&2; \
		{ $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
		&& $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends prometheus </dev/null; } >/dev/null \
		|| { echo "make: cannot install prometheus (apt-get install prometheus), or set PAYROLL_SKIP_PROMETHEUS=1" >&2; exit 1; }; \
	fi
	@if [ "$${PAYROLL_SKIP_PGBACKREST:-}" != "1" ] && ! command -v pgbackrest >/dev/null 2>&1; then \
		echo "make: installing Debian's pgbackrest for the point-in-time recovery test" >&2; \
		{ $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
		&& $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends pgbackrest </dev/null; } >/dev/null \
		|| { echo "make: cannot install pgbackrest (apt-get install pgbackrest), or set PAYROLL_SKIP_PGBACKREST=1" >&2; exit 1; }; \
	fi
	@if [ "$${PAYROLL_SKIP_NGINX:-}" != "1" ] && ! PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null 2>&1; then \
		echo "make: installing Debian's nginx for the proxy access tests" >&2; \
		{ $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
		&& $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends nginx </dev/null; } >/dev/null \
		|| { echo "make: cannot install nginx (apt-get install nginx), or set PAYROLL_SKIP_NGINX=1" >&2; exit 1; }; \
	fi

# The earnings statements: WeasyPrint renders them with Debian's Pango and
# DejaVu Sans; their tests read the PDFs back with poppler's pdftotext,
# pdftoppm and pdfinfo (PAYROLL_SKIP_PDF=1 skips those tests instead).
payday-deps:
	@if ! PATH="$$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 \
		|| [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		echo "make: installing Debian's Pango and DejaVu fonts for the earnings statements" >&2; \
		{ $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
		&& $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core </dev/null; } >/dev/null \
		|| { echo "make: cannot install Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)" >&2; exit 1; }; \
	fi
	@if [ "$${PAYROLL_SKIP_PDF:-}" != "1" ] && ! command -v pdftotext >/dev/null 2>&1; then \
		echo "make: installing Debian's poppler-utils for the earnings statement tests" >&2; \
		{ $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
		&& $(AS_ROOT) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends poppler-utils </dev/null; } >/dev/null \
		|| { echo "make: cannot install poppler-utils (apt-get install poppler-utils), or set PAYROLL_SKIP_PDF=1" >&2; exit 1; }; \
	fi

# The same suite on the embedded PostgreSQL, as on a machine without a server.
test-embedded: install
	PAYROLL_TEST_FORCE_EMBEDDED=1 $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# SQL: the models, singular tests and sql/ (.sqlfluff; .sqlfluffignore keeps
# out the macros and the applied, checksummed migrations).
SQL_PATHS := dbt_project/models dbt_project/tests sql
# One process, ~15 s on 2 cores; 2 take ~8 s but the pool's exit now and then
# warns of a leaked semaphore (sqlfluff issue 4080).
SQLFLUFF_PROCESSES ?= 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint $(SQL_PATHS) --processes $(SQLFLUFF_PROCESSES)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix $(SQL_PATHS) --processes $(SQLFLUFF_PROCESSES)

ui: install
	$(BIN)/payroll ui

doctor: install
	$(BIN)/payroll doctor

# The dbt docs site of the published marts on http://127.0.0.1:$(DOCS_PORT)
# (after `make run`, or with PAYROLL_DATABASE_URL set).
DOCS_PORT ?= 8080
docs: install
	$(BIN)/payroll docs --port $(DOCS_PORT)

# A semantic-layer query over the published marts; any other:
# `.venv/bin/payroll mf query --metrics … --group-by …`.
METRICS ?= labor_cost,gross_pay,employer_taxes,hours_worked,overtime_hours
GROUP_BY ?= location_period__tenant_id,location_period__location_id,metric_time__day
metrics: install
	$(BIN)/payroll mf query --metrics $(METRICS) --group-by $(GROUP_BY) \
		--order metric_time__day,location_period__location_id --decimals 2

# The benchmark: SIZE=S (default, 100 k shifts), M (1 M) or L (5 M); see bench/RESULTS.md.
bench: install
	$(BIN)/python -m bench.harness --size $(or $(SIZE),S)

clean:
	rm -rf .payroll dbt_project/target dbt_project/logs
