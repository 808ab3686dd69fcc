# Two commands do all set-up: `make demo` (the main job, offline) and `make test` (the suite).
# `make test-unit`, `make test-integration` and `make test-flows` run one folder of tests/ each.
# The interpreter: the first of PYTHON=... (if given) and these that is Python 3.11 or 3.12
# (pyproject.toml's requires-python); each one passed over is named. A .venv made with any other
# version is rebuilt.
PYTHON_CANDIDATES := python3.12 python3.11 python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 12))

.PHONY: demo test test-unit test-integration test-flows install lint bench serve clean FORCE

# An existing .venv whose Python is outside the range (or no longer runs) is rebuilt, whatever
# the stamp says: a failed first install with the wrong Python used to stick until `make clean`.
ifneq ($(wildcard $(BIN)/python),)
ifneq ($(shell $(BIN)/python -c '$(SUPPORTED)' >/dev/null 2>&1 && echo ok),ok)
$(STAMP): FORCE
endif
endif

$(STAMP): pyproject.toml requirements.lock
	@if [ -e $(BIN)/python ] && ! $(BIN)/python -c '$(SUPPORTED)' >/dev/null 2>&1; then \
	  echo "make: $(VENV) was made with $$($(BIN)/python --version 2>&1 || echo 'a Python that no longer runs');" \
	    "this project needs Python 3.11 or 3.12: removing $(VENV) and building it again"; \
	  rm -rf $(VENV); \
	fi
	@if [ ! -x $(BIN)/python ]; then \
	  py=; for c in $(PYTHON) $(PYTHON_CANDIDATES); do \
	    if $$c -c '$(SUPPORTED)' >/dev/null 2>&1; then py=$$c; break; fi; \
	    v=$$($$c --version 2>/dev/null) && echo "make: not using $$c ($$v): this project needs Python 3.11 or 3.12"; \
	  done; \
	  if [ -z "$$py" ]; then \
	    echo "make: no Python 3.11 or 3.12 found (tried: $(strip $(PYTHON) $(PYTHON_CANDIDATES)))."; \
	    echo "      Install one, or name it: make $(or $(MAKECMDGOALS),install) PYTHON=/path/to/python3.12"; \
	    exit 1; \
	  fi; \
	  echo "make: creating $(VENV) with $$py ($$($$py --version 2>&1))"; \
	  $$py -m venv $(VENV) || exit 1; \
	fi
	@echo "make: installing the pinned dependencies (requirements.lock) into $(VENV)" \
	  "(a few minutes the first time; then only when pyproject.toml or requirements.lock change)"
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --progress-bar on -c requirements.lock -e '.[dev]'
	@touch $(STAMP)
	@echo "make: $(VENV) is ready ($$($(BIN)/python --version))"

FORCE:

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/policywatch demo

# A fresh PREFECT_HOME per run, no telemetry, a generous start-up budget for Prefect's server.
PYTEST := PREFECT_HOME=$$(mktemp -d) PREFECT_SERVER_ANALYTICS_ENABLED=false \
	PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=90 \
	$(BIN)/python -m pytest

# Everything (pyproject.toml's testpaths): what .ci/run runs.
test: $(STAMP)
	$(PYTEST)

# Pure functions and a temporary SQLite store: no server, no subprocess, no Prefect (seconds).
test-unit: $(STAMP)
	$(PYTEST) tests/unit

# Loopback HTTP and SMTP servers, the real PostgreSQL (POLICYWATCH_TEST_POSTGRES_URL), the CLI.
test-integration: $(STAMP)
	$(PYTEST) tests/integration

# Anything that starts Prefect: the session's test server, served deployments, the monitor flow.
test-flows: $(STAMP)
	$(PYTEST) tests/flows

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

serve: $(STAMP)
	$(BIN)/policywatch serve

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP)
	$(BIN)/python -m bench.run $(ARGS)
