# Everything installs itself into .venv on first use; Python 3.10+ as python3.
PYTHON ?= python3
VENV ?= .venv
# The README's openai examples also run on openai 3.x (the test venv has 2.x, which langchain needs).
OPENAI3 ?= .venv-openai3
PY := $(VENV)/bin/python
PORT ?= 8080
ARGS ?=

.PHONY: help serve test specs bench clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.serve-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.serve-installed
	$(PY) -m pip install -q -e '.[test,semantic]'
	touch $@

$(OPENAI3)/.installed: Makefile
	$(PYTHON) -m venv $(OPENAI3)
	$(OPENAI3)/bin/python -m pip install -q 'openai>=3,<4'
	touch $@

serve: $(VENV)/.serve-installed ## start the emulator on http://127.0.0.1:$(PORT) (ARGS="--auth strict" etc.)
	$(VENV)/bin/oci-genai-emulator serve --port $(PORT) $(ARGS)

test: $(VENV)/.test-installed $(OPENAI3)/.installed ## run the whole test suite
	$(PY) -m pytest $(ARGS)

specs: $(VENV)/.test-installed ## regenerate specs/ from the installed oci SDK
	$(PY) specs/generate.py

bench: $(VENV)/.test-installed ## print the benchmark figures (needs wrk: apt-get install wrk)
	$(PY) bench/run.py

clean: ## remove the virtual environments
	rm -rf $(VENV) $(OPENAI3)
