#!/bin/sh
# Production start: migrate, then serve with several worker processes.
#   WEB_CONCURRENCY  worker processes (default 2); each has its own DB pool (DB_POOL_SIZE)
#   PORT             port to listen on (default 8000); HOST (default 0.0.0.0)
#   RUN_MIGRATIONS   0 to skip `alembic upgrade heads` (when a release job runs it instead)
# Run from backend/ (the Docker image's working directory).
set -eu
if [ "${RUN_MIGRATIONS:-1}" != "0" ]; then
  alembic upgrade heads
fi
exec uvicorn app.main:app \
  --host "${HOST:-0.0.0.0}" \
  --port "${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-2}" \
  --proxy-headers \
  --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
  --no-access-log
