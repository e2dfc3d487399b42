# Two commands do everything: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# the default demo run that notebooks and tests/ share (dvats.pipeline.demo_base), computed once per version of the
# sources: one folder for both, so a clean clone computes it once, not once per home directory's cache
export DVATS_CACHE ?= $(CURDIR)/_build/cache
# The install stamp is keyed on the content of pyproject.toml and requirements.lock: editing either reinstalls, nothing else does.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)

.PHONY: install lock browser demo test docs lab clean-runs

install: $(STAMP)

$(STAMP):  # no mtime prerequisite: nbdev-export rewrites pyproject.toml unchanged
	@echo "installing requirements.lock into $(VENV) with a pinned pip (tools/installer.lock): torch 2.14.1 + torchvision 0.29.1 (a matched pair) and every dependency of dvats[dev], exact versions, hashes checked, nothing resolved; then dvats itself (editable)"
	PYTHON=$(PYTHON) tools/install.sh $(VENV) 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; test $${PIPESTATUS[0]} = 0
	@rm -f $(VENV)/.installed-*
	@touch $@

# lock: refresh requirements.lock (and tools/installer.lock, the pip that installs it), what `make install` installs: pyproject.toml's dependencies and dev extra, and the torch
# pair, resolved by uv for linux x86_64 (glibc 2.36) and CPython 3.11.7, with hashes. Versions already in the lock are kept
# while they still fit (`make lock UPGRADE=1` moves every one to the newest that fits); commit the file, `make install` applies it.
LOCK_PINS := torch==2.14.1 torchvision==0.29.1
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	printf '%s\n' $(LOCK_PINS) | $(BIN)/uv pip compile pyproject.toml - --extra dev --python-version 3.11.7 \
	  --python-platform x86_64-manylinux_2_36 --generate-hashes --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) \
	  -q -o requirements.lock
	@sed -i -e '2a # Resolved for linux x86_64 (manylinux_2_36: glibc 2.36) and CPython 3.11.7 only, from pyproject.toml (dependencies and' \
	  -e '2a # the dev extra) and $(LOCK_PINS) (a matched pair). torch 2.14.1 for Linux links the CUDA 13 runtime' \
	  -e '2a # and does not import without the nvidia-*, cuda-* and triton wheels below (about 2.3 GB; where pip.conf names a' \
	  -e '2a # local mirror that holds them, as on this project'"'"'s machines, pip reads them from disk instead of downloading).' \
	  -e '2a # `make install` installs exactly these versions, checking every hash; `make lock` refreshes this file.' requirements.lock
	@# the installer: the pip already pinned (UPGRADE=1: the newest), with its hash, under the file's two comment lines
	mkdir -p .cache && $(if $(UPGRADE),echo pip,grep -o '^pip==[^ ]*' tools/installer.lock) | $(BIN)/uv pip compile - --python-version 3.11.7 \
	  --python-platform x86_64-manylinux_2_36 --generate-hashes --no-header -q -o .cache/installer.pins \
	  && { sed -n '1,2p' tools/installer.lock; grep -v '^ *#' .cache/installer.pins; } > .cache/installer.lock && mv .cache/installer.lock tools/installer.lock

# browser: Debian's headless Chromium and its driver for the browser tests, and node for the front end's syntax check (apt; no browser download at test time)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v node >/dev/null || { \
	  echo "installing chromium, chromium-driver and nodejs (apt)"; SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -qq chromium chromium-driver nodejs >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver nodejs >/dev/null; }; }

demo: install
	$(BIN)/dvats demo --out runs/demo

# test: the library matches the notebooks, notebooks are clean, every notebook's tests pass, the docs build, then tests/.
test: install browser
	@tmp=$$(mktemp -d); cp -r dvats "$$tmp/dvats"; cp -r nbs "$$tmp/nbs"; \
	 $(BIN)/nbdev-clean && $(BIN)/nbdev-export; \
	 ok=1; \
	 diff -rq -x __pycache__ "$$tmp/dvats" dvats || { echo "nbdev-export changed dvats/: export the notebooks and commit dvats/"; ok=0; }; \
	 diff -rq -x .ipynb_checkpoints "$$tmp/nbs" nbs || { echo "nbdev-clean changed nbs/: run nbdev-clean and commit"; ok=0; }; \
	 rm -rf "$$tmp"; test $$ok = 1
	@# ruff (pyproject.toml's [tool.ruff]: lines of at most 120 characters, pyflakes) on the notebooks, the package, tests/, bench/ and tools/
	$(BIN)/ruff check --quiet
	@# the explorer's front end is an ES module: node checks its syntax (stdin, so node reads it as a module)
	node --check --input-type=module < dvats/views/explorer.js
	@# every notebook's tests, as nbdev-test runs them (two at a time on two cores, one thread each, so torch and numba do
	@# not oversubscribe the cores); the executed notebooks are kept in _build/executed for the docs
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 $(BIN)/python tools/notebooks.py --n-workers 2
	@# the docs site from those executed notebooks (nothing runs twice); tests/test_docs_browser.py follows its links
	NO_MKDOCS_2_WARNING=1 $(BIN)/python tools/docs.py
	@# one process: two (pytest-xdist, a file each) took 591 s, one 435 s: every run and browser slower on the shared cores.
	@# After the notebooks, not beside them: side by side (tests/ started once the shared demo was there) make test took
	@# 20 min 26 s against 20 min 33 s one after the other; tests/ alone keeps one core busy, but beside two notebooks it
	@# took 946 s instead of 544 s, and the notebooks 12 min instead of 7.
	$(BIN)/python -m pytest tests/ -q -p no:cacheprovider --durations=12

# docs: the site in _docs/site (open _docs/site/index.html), rendered offline by MkDocs from the executed notebooks that
# `make test` keeps in _build/executed (a notebook whose sources changed since is executed again first)
docs: install browser   # browser brings node, which 06_views runs when a notebook is executed again
	NO_MKDOCS_2_WARNING=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 $(BIN)/python tools/docs.py

# lab: JupyterLab on the demo's explorer notebook (the demo run is made first when it is missing)
lab: install
	@test -f runs/demo/stages.json || $(BIN)/dvats demo --out runs/demo
	$(BIN)/jupyter lab examples/explore.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)   # root (as in containers) must say so

clean-runs:
	rm -rf runs/
