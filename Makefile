# Every target creates what it needs: the virtual environment in .venv and the CDK CLI in node_modules.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CDK    := node_modules/.bin/cdk

# jsii runs on the node in PATH; Node 20 prints an end-of-life banner on every process without this.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export PYTHONDONTWRITEBYTECODE := 1

# Example context for `make synth`; override on the command line.
TRUSTED_PRINCIPAL ?= arn:aws:iam::111122223333:role/Vendor
EXTERNAL_ID ?= Abc123-example

.PHONY: help install test lint fmt synth templates permissions-doc demo bench clean

help:
	@echo "make demo       run the whole flow on a local AWS emulator"
	@echo "make test       lint and run the whole test suite (what CI runs)"
	@echo "make lint       ruff and mypy"
	@echo "make synth      synthesize the account stack with the CDK CLI into cdk.out/"
	@echo "make templates  write plain CloudFormation templates for review into templates/"
	@echo "make permissions-doc  regenerate docs/permissions.md from the permission catalog"
	@echo "make bench      run the benchmarks"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/pytest

synth: install
	$(CDK) synth --no-notices --quiet -c trustedPrincipal=$(TRUSTED_PRINCIPAL) -c externalId=$(EXTERNAL_ID)
	@echo "templates written to cdk.out/"

templates: install
	$(BIN)/python -m cdk_app.templates --out templates --trusted-principal $(TRUSTED_PRINCIPAL)

permissions-doc: $(VENV)/.installed
	$(BIN)/python -m collector.permissions_doc --out docs/permissions.md

demo: templates
	@for f in templates/*.json; do echo "== $$f"; cat $$f; echo; done

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules cdk.out templates .pytest_cache .mypy_cache .ruff_cache
