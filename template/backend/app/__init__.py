"""FastAPI backend: a per-user task list secured by Better Auth JWTs."""
