# The verbs a newcomer types. Every target builds the venv first if it is missing.
#
# The venv is made from the system's own python3 (/usr/bin/python3) when there is
# one: an interpreter installed under a private home directory (pyenv under /root)
# cannot be read by the unprivileged user that runs student code.

SYSTEM_PYTHON := $(firstword $(wildcard /usr/bin/python3) $(shell command -v python3))
VENV := .venv
PY := $(VENV)/bin/python
EXERCISE ?= discrete
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: venv test test-fast test-unprivileged lint oldest grade bench autograder handout clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(SYSTEM_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $@

test: venv
	$(PY) -m pytest -q -n auto --dist loadfile

test-fast: venv
	$(PY) -m pytest -q -n auto --dist loadfile -m "not slow"

test-unprivileged: venv
	tests/as_unprivileged.sh

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Every handout's self-check run with the oldest torch and numpy its README claims, in a venv of
# their own holding nothing else (not the project's .venv).
OLDEST := .venv-oldest
OLDEST_STAMP := $(OLDEST)/.installed-$(shell cksum < .ci/oldest-requirements.txt | cut -d' ' -f1)

$(OLDEST_STAMP): .ci/oldest-requirements.txt
	@test -x $(OLDEST)/bin/python || $(SYSTEM_PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --disable-pip-version-check -r .ci/oldest-requirements.txt
	@rm -f $(OLDEST)/.installed-* && touch $@

oldest: venv $(OLDEST_STAMP)
	OLDEST_PYTHON=$(abspath $(OLDEST))/bin/python $(PY) -m pytest -q -n auto tests/verbs/test_handout_oldest.py

# The default exercise's example class is examples/; another exercise's, examples/NAME/, which
# the default's batch skips (an exercise NAME is a folder assignment/NAME/ with an exercise.py).
EXAMPLES := $(if $(wildcard examples/$(EXERCISE)/.),examples/$(EXERCISE),examples)
NAMES := $(patsubst assignment/%/exercise.py,%,$(wildcard assignment/*/exercise.py))
EXERCISE_FOLDERS := $(foreach name,$(NAMES),$(if $(wildcard examples/$(name)/.),$(name)))

grade: venv
	$(PY) -m grader batch $(EXAMPLES) --out out/$(subst /,-,$(EXAMPLES)) --exercise $(EXERCISE) \
		--skip extra_tests.py $(EXERCISE_FOLDERS)

bench: venv
	$(PY) tests/bench.py

autograder: venv
	$(PY) -m grader.package autograder dist/autograder.zip --exercise $(EXERCISE)

handout: venv
	$(PY) -m grader.package handout dist/handout.zip --exercise $(EXERCISE)

clean:
	rm -rf out dist .pytest_cache $(OLDEST)
