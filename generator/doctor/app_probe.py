"""Run inspect_app.py in the project's own Python and return what it found."""

from __future__ import annotations

import json
import os
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


def project_python(backend: Path) -> str:
    """backend/.venv's interpreter when there is one, else the one running bafa."""
    for candidate in (backend / ".venv" / "bin" / "python", backend / ".venv" / "Scripts" / "python.exe"):
        if candidate.is_file():
            return str(candidate)
    return sys.executable


def inspect_backend(backend: Path) -> AppFacts:
    """Import the backend's FastAPI app in a subprocess and describe its routes, CORS and JWT check."""
    python = project_python(backend)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    try:
        result = subprocess.run(
            [python, inspect_app.__file__, str(backend)],
            cwd=backend,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
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
