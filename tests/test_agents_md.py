"""The generated AGENTS.md: every file, npm script and name it points to exists in the project."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import generate

VARIANTS = {
    "default": (),
    "jwks-user-path": ("auth_mode=jwks", "api_style=user_path"),
    "backend-only": ("frontend=false",),
}
# Names the guide tells people to use, and the file that must define them.
NAMES = {
    "CurrentUser": "backend/app/api/deps.py",
    "get_current_user": "backend/app/api/deps.py",
    "AuthFirstRoute": "backend/app/api/auth_gate.py",
    "TaskOwner": "backend/app/api/scope.py",
    "get_owned_task": "backend/app/api/ownership.py",
    "_Body": "backend/app/models.py",
    "JWT_ALGORITHMS": "backend/app/core/auth_settings.py",
}


@pytest.mark.parametrize("answers", list(VARIANTS.values()), ids=list(VARIANTS))
def test_everything_agents_md_names_exists(tmp_path: Path, answers: tuple[str, ...]) -> None:
    project = generate(tmp_path / "app", *answers)
    text = (project / "AGENTS.md").read_text()
    paths = set(re.findall(r"`((?:backend|frontend)/[\w./-]+)`", text))
    paths |= {f"backend/{p}" for p in re.findall(r"`cd backend && \.venv/bin/\w+ ([\w./-]+\.py)", text)}
    assert len(paths) >= 10, paths
    missing = sorted(p for p in paths if not (project / p).exists())
    assert not missing, f"AGENTS.md names files that do not exist: {missing}"
    if (project / "frontend").exists():
        scripts = json.loads((project / "frontend/package.json").read_text())["scripts"]
        for script in re.findall(r"npm run ([\w:-]+)", text):
            assert script in scripts, f"AGENTS.md runs `npm run {script}`, not in package.json"
    else:
        assert "frontend/" not in text, "a backend-only project's guide points into a frontend"
    for name, where in NAMES.items():
        if f"`{name}`" in text or f"{name}(" in text or f"{name} " in text:
            assert re.search(rf"\b{re.escape(name)}\b", (project / where).read_text()), (name, where)
    for tool in re.findall(r"\.venv/bin/(\w+)", text):
        assert tool in (project / "backend/pyproject.toml").read_text(), f"{tool} is not a backend dependency"
    assert "--strict" in text and "bafa doctor" in text
