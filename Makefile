# Two commands do everything: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is keyed on the content of pyproject.toml: editing it reinstalls, nothing else does.
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-16)

.PHONY: install browser demo test clean-runs

install: $(STAMP)

$(STAMP):  # no mtime prerequisite: nbdev-export rewrites pyproject.toml unchanged
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing torch 2.14.1 + torchvision 0.29.1 (a matched pair), then dvats[dev] into $(VENV)"
	$(BIN)/python -m pip install -q --disable-pip-version-check torch==2.14.1 torchvision==0.29.1
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# browser: Debian's headless Chromium and its driver for the browser tests, and node for the front end's syntax check (apt; no browser download at test time)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v node >/dev/null || { \
	  echo "installing chromium, chromium-driver and nodejs (apt)"; SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -qq chromium chromium-driver nodejs >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver nodejs >/dev/null; }; }

demo: install
	$(BIN)/dvats demo --out runs/demo

# test: the library matches the notebooks, notebooks are clean, every notebook's tests pass, then tests/.
test: install browser
	@tmp=$$(mktemp -d); cp -r dvats "$$tmp/dvats"; cp -r nbs "$$tmp/nbs"; \
	 $(BIN)/nbdev-clean && $(BIN)/nbdev-export; \
	 ok=1; \
	 diff -rq -x __pycache__ "$$tmp/dvats" dvats || { echo "nbdev-export changed dvats/: export the notebooks and commit dvats/"; ok=0; }; \
	 diff -rq -x .ipynb_checkpoints "$$tmp/nbs" nbs || { echo "nbdev-clean changed nbs/: run nbdev-clean and commit"; ok=0; }; \
	 rm -rf "$$tmp"; test $$ok = 1
	@# the explorer's front end is an ES module: node checks its syntax (stdin, so node reads it as a module)
	node --check --input-type=module < dvats/views/explorer.js
	@# two notebooks at a time on two cores: one thread each, so torch and numba do not oversubscribe the cores
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 $(BIN)/nbdev-test --n-workers 2
	$(BIN)/python -m pytest tests/ -q -p no:cacheprovider

clean-runs:
	rm -rf runs/
