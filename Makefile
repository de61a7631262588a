# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: demo test bench install dev clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Run history in .dagster_home, the same DAGSTER_HOME `make dev` serves, so the demo's runs are in the UI.
DAGSTER_HOME_DIR := $(CURDIR)/.dagster_home

$(DAGSTER_HOME_DIR)/dagster.yaml: deploy/dagster.yaml
	mkdir -p $(DAGSTER_HOME_DIR) && cp deploy/dagster.yaml $@

demo: $(STAMP) $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/aza-audit demo --patients $${PATIENTS:-2000}

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pipelines.bench --patients $${PATIENTS:-20000,100000}

dev: $(STAMP) $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) data reports .dagster_home
