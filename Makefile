# sametime.deploy — one entry point for set-up, tests, the lab and the demo.
# Every target creates .venv when missing; nothing here needs a venv to be active.
SHELL := /bin/bash
.DEFAULT_GOAL := help
REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(REPO)/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
COLLECTION_LINK := $(REPO)/.collections/ansible_collections/sametime/deploy
# The Debian packages of bindep.txt (profiles lab, test, bench): installed when missing (root with apt), else the
# target stops first and names the packages and the apt-get command.
SYSDEPS := $(REPO)/tests/tools/sysdeps.sh
FIND_PYTHON := $(REPO)/tests/tools/find_python.sh
export ANSIBLE_CONFIG := $(REPO)/ansible.cfg
export PATH := $(VENV)/bin:$(PATH)

.PHONY: help venv link test lint sanity unit integration molecule lab-up lab-down lab-status demo bench build \
        release ee-context test-compat clean packages-lab packages-test packages-bench

COMPAT_VENV := $(REPO)/.venv-compat
COMPAT_STAMP := $(COMPAT_VENV)/.installed
COMPAT_PYTHON ?= $(shell for c in python3.12 python3.11 python3.10 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.11*/bin/python3.11 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10*/bin/python3.10; do $$c -c 'import ensurepip' >/dev/null 2>&1 && { echo $$c; break; }; done)

# Pillow: the photo resize unit tests make real images (its pin is the one in requirements-dev.txt)
$(COMPAT_STAMP): requirements.txt requirements-dev.txt Makefile
	@test -n "$(COMPAT_PYTHON)" || { echo "test-compat: no Python 3.10-3.12 found for ansible-core 2.16"; exit 1; }
	@test -x $(COMPAT_VENV)/bin/python || $(COMPAT_PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install -q --disable-pip-version-check 'ansible-core>=2.16.0,<2.17' \
	    $$(grep -vE '^(#|ansible-core)' requirements.txt) $$(grep -iE '^pillow' requirements-dev.txt) \
	    'pytest>=8,<10' 'bindep>=2.11,<3'
	@touch $@

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || { py=$$($(FIND_PYTHON)); $${py:-false} -c 'import venv, ensurepip' 2>/dev/null || \
	    $(SYSDEPS) venv; $$($(FIND_PYTHON)) -m venv $(VENV); }
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(STAMP) link ## create .venv and install the requirements

packages-lab: ## install the Debian packages the lab needs (bindep.txt profile lab)
	@$(SYSDEPS) lab

packages-test: ## install the Debian packages the lab and make test need (profiles lab, test, bench: the package-list test reads the benches too)
	@$(SYSDEPS) lab test bench

packages-bench: ## install the Debian packages the lab and the benches need (profiles lab, bench)
	@$(SYSDEPS) lab bench

link: ## make the checkout visible as sametime.deploy under .collections/
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../.. $(COLLECTION_LINK)

test: packages-test venv $(COMPAT_STAMP) ## lint + sanity + unit, then lab up -> integration + molecule -> lab down; one closing line
	$(PY) tests/tools/run_tests.py

lint: venv ## ansible-lint, production profile
	$(PY) tests/tools/run_tests.py --only lint

sanity: venv ## ansible-test sanity (offline)
	$(PY) tests/tools/run_tests.py --only sanity

unit: venv ## unit tests and emulator tests
	$(PY) tests/tools/run_tests.py --only unit

integration: packages-test venv ## integration tests on the lab (brings it up and down)
	$(PY) tests/tools/run_tests.py --only integration

molecule: packages-test venv ## molecule scenarios on the lab (brings it up and down)
	$(PY) tests/tools/run_tests.py --only molecule

lab-up: packages-lab venv ## build the lab estate (namespaces, sshd, Apache, slapd, emulators)
	$(PY) tests/lab/labctl up

lab-down: ## remove everything the lab made
	@if [ -x tests/lab/labctl ]; then $$( [ -x $(PY) ] && echo $(PY) || echo python3 ) tests/lab/labctl down; fi

lab-status: ## show the lab's hosts and processes
	$(PY) tests/lab/labctl status

demo: packages-lab venv ## lab up -> site.yml -> change report -> verification
	$(PY) tests/tools/demo.py

bench: packages-bench venv ## run every bench/*/run and print the ratios
	@set -e; for b in bench/*/run; do echo "== $$b"; $$b; done

ee-context: venv ## ansible-builder create (offline) and check the execution environment context
	VENV=$(VENV) tests/tools/ee_context.sh

release: venv ## build the tarball with the changelog from fragments (a rehearsal on a copy unless REAL_RELEASE=1)
	VENV=$(VENV) tests/tools/release.sh

.PHONY: docs
docs: venv ## HTML documentation site into build/docs/ (antsibull-docs + Sphinx, offline, zero warnings)
	$(PY) tests/tools/docs.py

build: venv ## build the collection tarball
	ansible-galaxy collection build --force --output-path build/

clean: lab-down ## remove build output (keeps .venv)
	rm -rf build .pytest_cache

test-compat: packages-test venv $(COMPAT_STAMP) ## ansible-core 2.16: sanity (target Pythons 3.6+) and unit tests
	SANITY_ALL_PYTHONS=1 RUN_TESTS_VENV=$(COMPAT_VENV) RUN_TESTS_STAGE_PREFIX=core2.16- $(COMPAT_VENV)/bin/python tests/tools/run_tests.py --only sanity,unit
