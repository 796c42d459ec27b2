"""Find a Better Auth + FastAPI project's parts on disk and read its .env and answers files.

Works on generated projects (`backend/`, `frontend/`, `.copier-answers.yml`) and, as far as
possible, on hand-written ones (a backend folder holding an `app` package or `main.py`, a
frontend folder holding `package.json`). Reading never fails on a missing file: absent files
read as empty and `exists` says so; only a missing or non-project PATH raises BafaError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.env_files import read_env
from generator.errors import BafaError

ANSWERS_FILE = ".copier-answers.yml"
DEFAULT_AUTH_MODE = "shared_secret"
_BACKEND_DIRS = ("backend", "api", "server", ".")
_FRONTEND_DIRS = ("frontend", "web", "client")
_FRONTEND_ENV_NAMES = (".env", ".env.local")


@dataclass(frozen=True)
class EnvFile:
    """One .env file: where it is (relative to the project), whether it exists, its values."""

    relative: str
    exists: bool
    values: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.values.get(key)


@dataclass(frozen=True)
class Project:
    """What was found at PATH. `backend`/`frontend` are None when no such folder was found."""

    root: Path
    backend: Path | None
    frontend: Path | None
    answers: dict[str, Any]
    answers_text: str
    backend_env: EnvFile
    backend_example: EnvFile
    frontend_env: EnvFile
    frontend_example: EnvFile

    @property
    def generated(self) -> bool:
        """True for a project rendered by bafa/Copier (it has an answers file)."""
        return bool(self.answers_text)

    @property
    def auth_mode(self) -> str:
        return str(self.answers.get("auth_mode") or DEFAULT_AUTH_MODE)

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)


def read_answers(root: Path) -> tuple[dict[str, Any], str]:
    """The Copier answers (a mapping) and the file's raw text; ({}, "") when there is none."""
    path = root / ANSWERS_FILE
    if not path.is_file():
        return {}, ""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise BafaError(f"{path} cannot be read: {exc}") from None
    except yaml.YAMLError:
        raise BafaError(f"{path} is not valid YAML") from None
    return (data if isinstance(data, dict) else {}), text


def load_project(path: Path) -> Project:
    """Locate the backend, frontend, .env and answers files below PATH, or raise BafaError."""
    root = path.expanduser().absolute()
    if not root.exists():
        raise BafaError(f"{path} does not exist")
    if not root.is_dir():
        raise BafaError(f"{path} is not a folder")
    try:
        answers, answers_text = read_answers(root)
        backend = _find_backend(root)
        frontend = _find_frontend(root)
        if backend is None and not answers_text:
            raise BafaError(
                f"{path} is not a Better Auth + FastAPI project "
                "(no .copier-answers.yml and no backend folder with an app package)"
            )
        return Project(
            root=root,
            backend=backend,
            frontend=frontend,
            answers=answers,
            answers_text=answers_text,
            backend_env=_env(root, backend, (".env",)),
            backend_example=_env(root, backend, (".env.example",)),
            frontend_env=_env(root, frontend, _FRONTEND_ENV_NAMES),
            frontend_example=_env(root, frontend, (".env.example",)),
        )
    except PermissionError as exc:
        raise BafaError(f"{path} cannot be read: permission denied ({exc.filename})") from None


def _find_backend(root: Path) -> Path | None:
    for name in _BACKEND_DIRS:
        folder = root / name
        if (folder / "app" / "__init__.py").is_file() or (folder / "app" / "main.py").is_file():
            return folder
        if name != "." and (folder / "main.py").is_file():
            return folder
    return None


def _find_frontend(root: Path) -> Path | None:
    for name in _FRONTEND_DIRS:
        folder = root / name
        if (folder / "package.json").is_file() or (folder / "lib" / "auth.ts").is_file():
            return folder
    return None


def _env(root: Path, folder: Path | None, names: tuple[str, ...]) -> EnvFile:
    if folder is None:
        return EnvFile(relative="", exists=False)
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            relative = candidate.relative_to(root).as_posix() if candidate.is_relative_to(root) else str(candidate)
            return EnvFile(relative=relative, exists=True, values=read_env(candidate))
    first = folder / names[0]
    relative = first.relative_to(root).as_posix() if first.is_relative_to(root) else str(first)
    return EnvFile(relative=relative, exists=False)
