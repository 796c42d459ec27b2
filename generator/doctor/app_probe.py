"""Run inspect_app.py in the project's own Python and return what it found."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.doctor import inspect_app

TIMEOUT_SECONDS = 90


@dataclass(frozen=True)
class AppFacts:
    """The inspection's JSON, or why there is none (`error`, one line)."""

    python: str
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def import_error(self) -> str | None:
        return self.error or self.data.get("import_error")

    @property
    def settings_problems(self) -> dict[str, str] | None:
        """The app's own verdict on backend/.env's values, field -> message ({}: all accepted);
        None when it could not be asked."""
        if self.error:
            return None
        return (self.data.get("settings") or {}).get("problems")

    @property
    def missing_dependency(self) -> str | None:
        """A third-party module the backend imports but its Python does not have."""
        return self.data.get("missing_dependency") or (self.data.get("jwt") or {}).get("missing_dependency")


# Where a project says how it is served: `uvicorn MODULE:ATTR [--factory]` in these files.
START_FILES = ("scripts/start.sh", "Dockerfile", "Procfile", "../compose.yaml", "../docker-compose.yml")
_UVICORN = re.compile(r"uvicorn[\"',\s]+([A-Za-z_][\w.]*:[A-Za-z_]\w*)([^\n]*)")


def served_app(backend: Path) -> tuple[str | None, bool]:
    """The import string the project's start command gives uvicorn, and whether it is a factory
    (None: no start command found; the inspection then tries the usual places, app.main first)."""
    for name in START_FILES:
        path = backend / name
        if path.is_file():
            match = _UVICORN.search(path.read_text(errors="replace"))
            if match:
                return match.group(1), "--factory" in match.group(2)
    return None, False


def project_python(backend: Path) -> str:
    """backend/.venv's interpreter when there is one, else the one running bafa."""
    for candidate in (backend / ".venv" / "bin" / "python", backend / ".venv" / "Scripts" / "python.exe"):
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def inspect_backend(backend: Path, env_values: dict[str, str] | None = None) -> AppFacts:
    """Import the backend's FastAPI app in a subprocess and describe its routes, CORS and JWT check;
    with ENV_VALUES (backend/.env's), also what its Settings say about them (sent on stdin)."""
    python = project_python(backend)
    spec, factory = served_app(backend)
    served = [spec, *(["--factory"] if factory else [])] if spec else []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    try:
        result = subprocess.run(
            [python, inspect_app.__file__, str(backend), *served],
            cwd=backend,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            input=json.dumps(env_values) if env_values is not None else "",
        )
    except subprocess.TimeoutExpired:
        return AppFacts(python, error=f"importing the app took more than {TIMEOUT_SECONDS} s")
    except OSError as exc:
        return AppFacts(python, error=f"cannot run {python}: {exc.strerror or exc}")
    _, marker, payload = result.stdout.rpartition(inspect_app.MARKER)
    if not marker:
        lines = (result.stderr or result.stdout).strip().splitlines()
        return AppFacts(python, error=lines[-1] if lines else f"inspection exited with {result.returncode}")
    try:
        return AppFacts(python, data=json.loads(payload))
    except json.JSONDecodeError:
        return AppFacts(python, error="the inspection printed invalid JSON")
