# Everything installs itself into .venv on first use; Python 3.10+ as python3.
PYTHON ?= python3
VENV ?= .venv
# The README's openai examples also run on openai 3.x (the test venv has 2.x, which langchain needs).
OPENAI3 ?= .venv-openai3
PY := $(VENV)/bin/python
PORT ?= 8080
ARGS ?=

.PHONY: help serve test specs bench mutation clean

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
	$(PY) -m pytest --durations=15 $(ARGS)

specs: $(VENV)/.test-installed ## regenerate specs/ from the installed oci SDK
	$(PY) specs/generate.py

bench: $(VENV)/.test-installed ## print the benchmark figures (needs wrk: apt-get install wrk)
	$(PY) bench/run.py

$(VENV)/.mutation-installed: pyproject.toml $(VENV)/.test-installed
	$(PY) -m pip install -q -e '.[mutation]'
	touch $@

# mutmut reads [tool.mutmut] in pyproject.toml. It imports the mutated copy in mutants/; the
# editable install's import hook would hand the tests the original emulator/, so it is dropped
# (and the thin client, which it also served, comes from client/).
MUTMUT = PYTHONPATH=$(CURDIR)/client $(PY) -c "import sys; sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in getattr(f, '__module__', '')]; sys.argv[0] = 'mutmut'; from mutmut.__main__ import cli; cli()"
mutation: $(VENV)/.mutation-installed ## mutation testing of protocol/, store, lifecycle, resources (long: about an hour on 2 cores)
	rm -rf mutants
	$(MUTMUT) run --max-children $(or $(JOBS),2)
	$(MUTMUT) export-cicd-stats
	$(PY) -c "import json; s = json.load(open('mutants/mutmut-cicd-stats.json')); print('mutation score: {killed} killed of {total} mutants ({survived} survived, {no_tests} with no test, {timeout} timed out)'.format(**s))"

clean: ## remove the virtual environments and mutation results
	rm -rf $(VENV) $(OPENAI3) mutants
