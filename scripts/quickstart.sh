#!/usr/bin/env bash
# Install the bafa CLI, generate a project with every default answer and run its backend.
# Usage: bash scripts/quickstart.sh [DEST]   (DEST defaults to ./my-app)
set -euo pipefail
cd "$(dirname "$0")/.."

DEST="${1:-my-app}"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

if [ -e "$DEST" ]; then
  echo "Using the existing project in $DEST"
else
  .venv/bin/bafa new "$DEST" --defaults
fi

cd "$DEST/backend"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet -e '.[dev]'
PORT="$(sed -n "s/^backend_port: *//p" ../.copier-answers.yml)"
echo "Backend on http://127.0.0.1:${PORT:-8000} (health: /health, API docs: /docs). Ctrl-C stops it."
.venv/bin/alembic upgrade head   # creates or updates the tables (backend/migrations/)
exec .venv/bin/uvicorn app.main:app --host 127.0.0.1 --port "${PORT:-8000}"
