# bangfu — two commands: `make run` and `make test`. Everything else is set up on the way.
# Needs only Python 3.11+ and make: uv is installed with pip when it is missing.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RAW_DIR ?= $(or $(BANGFU_RAW_DIR),raw)

export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
# Bytecode is compiled once at install (uv sync --compile-bytecode), so keep it.
export PYTHONDONTWRITEBYTECODE :=

# dbt's manifest, which the Dagster definitions are made from: generated, parsed again
# whenever the dbt project changes (the documented dagster-dbt way; nothing runs at import).
DBT_MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := dbt_project/dbt_project.yml dbt_project/profiles.yml \
	$(shell find dbt_project/models dbt_project/seeds dbt_project/macros dbt_project/tests -type f)

.PHONY: setup system-packages run test lint bench dagster sample clean

VENDOR := dashboards/vendor

setup: .venv/.synced $(DBT_MANIFEST) $(VENDOR)/node_modules/.installed

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

$(DBT_MANIFEST): .venv/.synced $(DBT_SOURCES)
	@# Absolute, as the pipeline and the tests give it: the parse (seed paths among it) is theirs.
	$(UV) run --frozen dbt parse --quiet --project-dir $(CURDIR)/dbt_project --profiles-dir $(CURDIR)/dbt_project
	@touch $@

# The browser libraries the site ships (plotly.js, DataTables), from the npm registry, locked.
$(VENDOR)/node_modules/.installed: $(VENDOR)/package.json $(VENDOR)/package-lock.json
	npm ci --prefix $(VENDOR) --no-audit --no-fund
	@touch $@

run: setup
	@# Forms written here a moment ago need not settle (bangfu run --settle, docs/operations.md).
	@settle=""; \
	if ! find "$(RAW_DIR)" -type f \( -iname '*.xlsx' -o -iname '*.xls' -o -iname '*.csv' \) \
		2>/dev/null | grep -q .; then \
		echo "bangfu: $(RAW_DIR)/ holds no forms; writing the sample corpus"; \
		$(UV) run --frozen bangfu sample; \
		settle="--settle 0"; \
	fi; \
	$(UV) run --frozen bangfu run $$settle

# The Debian packages the tests need (tests/system-packages.txt: Chromium, …): installed when
# missing and this user can, else `make test` stops at once saying what to install.
system-packages:
	@bash tests/system_packages.sh

# One test worker per CPU; a test file's tests stay together (they share its pipeline runs).
test: setup system-packages
	$(UV) run --frozen pytest -n auto --dist loadfile

lint: setup
	$(UV) run --frozen ruff check .

# Not part of `make test`: 30–60 minutes (bench/README.md). BENCH_ARGS="--sizes 2500" or "--quick".
bench: setup
	$(UV) run --frozen python -m bench $(BENCH_ARGS)

# The Dagster UI on http://127.0.0.1:3000, sharing run history with `bangfu run`.
dagster: setup
	DAGSTER_HOME=$(CURDIR)/.dagster $(UV) run --frozen dagster dev

sample: setup
	$(UV) run --frozen bangfu sample

clean:
	rm -rf warehouse dashboards/site dbt_project/target dbt_project/logs .dagster raw/sample
