"""The frontend's typed client (frontend/lib/api-schema.ts), regenerated from the backend's schema.

The generated frontend does it itself (`npm run api:types`: scripts/api-types.mjs runs the
backend's Python, scripts/backend-python.mjs says which, then openapi-typescript); bafa runs that
command when it can, and otherwise says why not and what to run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

API_SCHEMA = "frontend/lib/api-schema.ts"
REGENERATE = "cd frontend && npm run api:types"
TIMEOUT_SECONDS = 300


def has_typed_client(project: Path) -> bool:
    return (project / API_SCHEMA).is_file() and (project / "frontend" / "scripts" / "api-types.mjs").is_file()


def regenerate(project: Path) -> str | None:
    """Run `npm run api:types` in the project's frontend: None when it wrote API_SCHEMA, else why
    it could not (API_SCHEMA is then as it was)."""
    frontend = project / "frontend"
    if shutil.which("npm") is None or shutil.which("node") is None:
        return "Node.js and npm are not installed"
    if not (frontend / "node_modules" / "openapi-typescript").is_dir():
        return "frontend/node_modules is not installed: npm ci"
    try:
        result = subprocess.run(
            ["npm", "run", "--silent", "api:types"],
            cwd=frontend,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return f"npm run api:types took more than {TIMEOUT_SECONDS} s"
    except OSError as exc:
        return f"npm could not run: {exc.strerror or exc}"
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        first = next((line for line in lines if line.startswith("error: ")), lines[0] if lines else "no output")
        return f"npm run api:types failed: {first.removeprefix('error: ')}"
    return None
