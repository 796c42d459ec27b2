#!/usr/bin/env bash
# Run every benchmark in turn (about 17-19 minutes on 2 cores); results in bench/results/*.json.
#
#   PYTHON=/path/to/venv/bin/python bash bench/run_all.sh   # default: python3 on PATH
#   SKIP_POSTGRES=1 bash bench/run_all.sh                   # no local PostgreSQL server
#   FSFT_BACKEND=DIR FSFT_PYTHON=PY [FSFT_LABEL=after] bash bench/run_all.sh   # also bench_fsft.py
#
# Needs: bafa installed in PYTHON's environment (pip install -e .) together with the generated
# backend's dependencies (fastapi, uvicorn, sqlmodel, pyjwt[crypto], pydantic-settings,
# psycopg[binary], pytest, httpx); wrk (apt-get install -y wrk) for the auth benchmark;
# optionally py-spy (pip install py-spy) for its profile. Load goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
PATH="$(dirname "$(command -v "$PYTHON")"):$PATH"  # bafa, py-spy of the same environment
export PATH
run() { echo; echo "+ $*"; "$PYTHON" "$@"; }

run bench_generation.py --runs 9
run bench_update.py --runs 5
profile=()
if command -v py-spy >/dev/null; then profile=(--profile); fi
run bench_auth.py --duration 8 --rounds 3 "${profile[@]}"
if [ -n "${SKIP_POSTGRES:-}" ]; then run bench_list.py --no-postgres; else run bench_list.py; fi
if [ -n "${SKIP_POSTGRES:-}" ]; then run bench_list_filters.py --no-postgres; else run bench_list_filters.py; fi
run bench_tests.py --runs 3 --modes shared_secret jwks
# vs FastAPI's full-stack template: FSFT prepared beforehand (bench/README.md), never installed here.
if [ -n "${SKIP_POSTGRES:-}" ]; then
  echo; echo "skipping bench_fsft.py: it needs PostgreSQL"
elif [ -n "${FSFT_BACKEND:-}" ] && [ -n "${FSFT_PYTHON:-}" ]; then
  run bench_fsft.py --fsft-backend "$FSFT_BACKEND" --fsft-python "$FSFT_PYTHON" ${FSFT_LABEL:+--label "$FSFT_LABEL"}
else
  echo; echo "skipping bench_fsft.py: set FSFT_BACKEND (FSFT's backend/ at commit a7275354) and FSFT_PYTHON" \
    "(a Python with it installed) to include it"
fi
echo; echo "results: $(pwd)/results/"
