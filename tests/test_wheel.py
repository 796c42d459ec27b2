"""An installed wheel carries the template: `bafa new` works without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO, read_env


def installed_bafa(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`bafa ARGS` from the installed wheel (on env's PYTHONPATH), as a user runs it."""
    command = [sys.executable, "-m", "generator", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL)


def test_wheel_generates_a_project(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("bafa-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (site / "generator/_template/copier.yml").is_file()
    assert list((site / "generator/_template/resource/backend").rglob("*.jinja")), "bafa add resource's template"
    names = zipfile.ZipFile(wheel).namelist()
    leaked = [n for n in names if "__pycache__" in n or n.endswith((".pyc", "/.env", ".db")) or "node_modules" in n]
    assert leaked == [], "caches, secrets or databases leaked into the wheel"

    env = {**os.environ, "PYTHONPATH": str(site)}
    dest = tmp_path / "from-wheel"
    result = subprocess.run(
        [sys.executable, "-c", "import generator, sys; print(generator.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert result.stdout.strip().startswith(str(site)), "the test must run the installed copy"
    result = installed_bafa(env, tmp_path, "new", str(dest), "--defaults")
    assert result.returncode == 0, result.stderr
    assert (
        read_env(dest / "backend/.env")["BETTER_AUTH_SECRET"] == read_env(dest / "frontend/.env")["BETTER_AUTH_SECRET"]
    )
    assert (dest / "backend/app/core/security.py").is_file()
    answers = (dest / ".copier-answers.yml").read_text()
    assert "_src_path: https://github.com/bafa-project/bafa.git" in answers and str(site) not in answers

    added = installed_bafa(env, tmp_path, "add", "resource", "note", str(dest), "-f", "body:text")
    assert added.returncode == 0, added.stdout + added.stderr
    assert (dest / "backend/app/api/routes/notes.py").is_file()
    resource_answers = (dest / ".copier-answers.resource-note.yml").read_text()
    assert "_src_path: https://github.com/bafa-project/bafa.git" in resource_answers
    assert str(site) not in resource_answers

    # The wheel carries the template history: updating works offline from the installed package.
    assert "generator/_template.bundle" in names
    offline = {**env, "GIT_ALLOW_PROTOCOL": "file", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    offline.pop("BAFA_TEMPLATE", None)
    update = installed_bafa(offline, tmp_path, "update", str(dest))
    assert update.returncode == 0, update.stdout + update.stderr
    assert "already up to date" in update.stdout
