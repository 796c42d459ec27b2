#!/usr/bin/env bash
# Run bafa's whole test suite on a fresh machine: makes .venv, installs bafa with its
# test dependencies, then runs pytest on every core (pytest-xdist; BAFA_TEST_WORKERS=0 runs
# it in one process; extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
exec .venv/bin/python -m pytest -n "${BAFA_TEST_WORKERS:-auto}" "$@"
