#!/usr/bin/env bash
# Generate a project with the default answers and run the whole app: the FastAPI backend on
# SQLite and the Next.js + Better Auth frontend. Ctrl-C stops both.
#
#   bash scripts/quickstart.sh [DEST] [--backend-port N] [--frontend-port N] [--backend-only]
#
# DEST defaults to ./my-app. Ports also come from BACKEND_PORT / FRONTEND_PORT (defaults 8000 and
# 3000). An existing DEST is reused with the ports it was generated with.
set -euo pipefail

fail() { echo "error: $*" >&2; exit 2; }
step() { echo; echo "==> $*"; }

DEST="" BACKEND_ONLY=0
BACKEND_PORT="${BACKEND_PORT:-}" FRONTEND_PORT="${FRONTEND_PORT:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --backend-port) [ $# -ge 2 ] || fail "--backend-port needs a number"; BACKEND_PORT="$2"; shift 2 ;;
    --frontend-port) [ $# -ge 2 ] || fail "--frontend-port needs a number"; FRONTEND_PORT="$2"; shift 2 ;;
    --backend-only) BACKEND_ONLY=1; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) fail "unknown option $1 (see --help)" ;;
    *) [ -z "$DEST" ] || fail "one DEST only (got $DEST and $1)"; DEST="$1"; shift ;;
  esac
done
DEST="${DEST:-my-app}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
case "$DEST" in /*) ;; *) DEST="$PWD/$DEST" ;; esac
PYTHON="${PYTHON:-python3}"

answer() { sed -n "s/^$1: *//p" "$DEST/.copier-answers.yml" | tr -d "'\""; }
if [ -e "$DEST/.copier-answers.yml" ]; then
  [ -z "$BACKEND_PORT" ] || [ "$BACKEND_PORT" = "$(answer backend_port)" ] ||
    fail "$DEST was generated with backend port $(answer backend_port); use another DEST for port $BACKEND_PORT"
  BACKEND_PORT="$(answer backend_port)"
  AUTH_URL="$(answer auth_url)"
  FRONTEND_PORT="${AUTH_URL##*:}"
  [ "$(answer frontend)" = "false" ] && BACKEND_ONLY=1
elif [ -e "$DEST" ]; then
  fail "$DEST exists and is not a bafa project: choose another DEST"
fi
BACKEND_PORT="${BACKEND_PORT:-8000}" FRONTEND_PORT="${FRONTEND_PORT:-3000}"
for port in "$BACKEND_PORT" "$FRONTEND_PORT"; do
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] ||
    fail "ports must be numbers from 1024 to 65535 (got $port)"
done
[ "$BACKEND_PORT" != "$FRONTEND_PORT" ] || fail "the backend and the frontend need two different ports"

port_free() { "$PYTHON" -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }
port_free "$BACKEND_PORT" || fail "port $BACKEND_PORT is taken: stop what uses it or pass --backend-port N"
if [ "$BACKEND_ONLY" = 0 ]; then
  port_free "$FRONTEND_PORT" || fail "port $FRONTEND_PORT is taken: stop what uses it or pass --frontend-port N"
  command -v node >/dev/null && command -v npm >/dev/null || fail "Node.js 20.12+ and npm are needed for the frontend (or use --backend-only)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=12)?0:1)' ||
    fail "Node.js 20.12+ is needed (found $(node --version)); or use --backend-only"
fi

step "bafa (the generator) into $REPO/.venv"
[ -x "$REPO/.venv/bin/python" ] || "$PYTHON" -m venv "$REPO/.venv"
"$REPO/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$REPO"

if [ -e "$DEST/.copier-answers.yml" ]; then
  step "using the existing project in $DEST"
else
  step "generating $DEST"
  data=(--data "backend_port=$BACKEND_PORT" --data "auth_url=http://localhost:$FRONTEND_PORT")
  [ "$BACKEND_ONLY" = 1 ] && data+=(--data frontend=false)
  "$REPO/.venv/bin/bafa" new "$DEST" --defaults "${data[@]}"
fi

step "backend: installing its dependencies (pip, about a minute the first time)"
cd "$DEST/backend"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar on -e '.[dev]' | grep -v '^Requirement already satisfied' || true
.venv/bin/alembic upgrade head

PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # URL NAME LOG PID
  for _ in $(seq 1 240); do
    if "$PYTHON" -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; then return 0; fi
    kill -0 "$4" 2>/dev/null || { tail -20 "$3" >&2; fail "the $2 stopped (log: $3)"; }
    sleep 0.5
  done
  tail -20 "$3" >&2; fail "the $2 did not answer at $1 within 2 minutes (log: $3)"
}

step "backend: starting on http://localhost:$BACKEND_PORT"
.venv/bin/uvicorn app.main:app --host 127.0.0.1 --port "$BACKEND_PORT" >"$DEST/backend.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$BACKEND_PORT/health" backend "$DEST/backend.log" "${PIDS[-1]}"

if [ "$BACKEND_ONLY" = 0 ]; then
  step "frontend: installing its dependencies (npm ci, a few minutes the first time)"
  cd "$DEST/frontend"
  [ -d node_modules ] || npm ci --no-audit --no-fund
  step "frontend: starting on http://localhost:$FRONTEND_PORT"
  npm run dev >"$DEST/frontend.log" 2>&1 &   # the port of the project's auth_url
  PIDS+=($!)
  wait_for "http://127.0.0.1:$FRONTEND_PORT/api/auth/ok" frontend "$DEST/frontend.log" "${PIDS[-1]}"
  echo
  echo "Ready: open http://localhost:$FRONTEND_PORT and create an account (API: http://localhost:$BACKEND_PORT)."
else
  echo
  echo "Ready: the API is on http://localhost:$BACKEND_PORT (health: /health, docs: /docs)."
fi
echo "Logs: $DEST/backend.log$([ "$BACKEND_ONLY" = 0 ] && echo " and $DEST/frontend.log"). Ctrl-C stops everything."
wait
