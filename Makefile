# The two commands: `make dev` and `make test`. Everything else is what they need.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
RUN := $(UV) run --frozen --no-sync

.PHONY: dev test lint bootstrap asyncapi token clean compose-plugin bench system-packages

# uv itself comes from PyPI into a private venv; it then uses this machine's Python.
$(UV):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml libs/*/pyproject.toml services/*/pyproject.toml
	$(UV) sync --frozen --python $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
	touch $@

bootstrap: .venv/.synced

dev: bootstrap system-packages
	$(RUN) mineadmin dev

test: lint compose-plugin system-packages
	$(RUN) pytest

# Debian's packages the reports and the GIS checks need: CJK fonts embedded in the PDF reports,
# and GDAL's command-line tools (`ogrinfo`) that the tests use as an outside GIS client.
# Installed only when missing (root, as on the CI machine).
system-packages:
	@command -v ogrinfo >/dev/null && fc-list :lang=zh family | grep -q "Noto Sans CJK" \
		&& ldconfig -p | grep -q libharfbuzz-subset || \
		(apt-get update -qq && apt-get install -y -qq --no-install-recommends gdal-bin \
			fonts-noto-cjk libharfbuzz-subset0)

# `docker compose config` checks deploy/docker-compose.yml in the tests. No Docker engine runs
# here, and the compose plugin is a client-side Go program: it is built from the Go module
# proxy into .tools/docker/cli-plugins (the tests point DOCKER_CONFIG there).
COMPOSE_VERSION := v2.40.3
COMPOSE_PLUGIN := $(TOOLS)/docker/cli-plugins/docker-compose
compose-plugin: $(COMPOSE_PLUGIN)

$(COMPOSE_PLUGIN):
	deploy/build-compose-plugin.sh $(COMPOSE_VERSION) $@

lint: bootstrap
	$(RUN) ruff check .
	$(RUN) ruff format --check .

# Every scenario next to its baseline, then bench/results.md. Not part of `make test`: it loads
# the machine for several minutes. The HTTP scenario needs wrk (Debian's package).
BENCH_SCENARIOS := rights_read event_latency rights_admission restoration_ledger notifier_sweep idempotency_key public_reads whole_system
bench: bootstrap
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	rm -rf bench/out
	for scenario in $(BENCH_SCENARIOS); do \
		echo "== bench/$$scenario.py"; PYTHONPATH=$(CURDIR) $(RUN) python bench/$$scenario.py || exit 1; \
	done
	$(RUN) python bench/results.py

asyncapi: bootstrap
	$(RUN) python -m contracts.asyncapi > docs/asyncapi.yaml

clean:
	rm -rf .venv $(TOOLS) .data
