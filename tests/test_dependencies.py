"""The test environment can run generated backends: their declared dependencies are installed."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement

from conftest import generate


def test_generated_backend_dependencies_are_installed(tmp_path: Path) -> None:
    for database in ("sqlite", "postgresql"):
        project = generate(tmp_path / database, f"database={database}")
        meta = tomllib.loads((project / "backend/pyproject.toml").read_text())["project"]
        requirements = list(meta["dependencies"]) + list(meta.get("optional-dependencies", {}).get("dev", []))
        for line in requirements:
            requirement = Requirement(line)
            try:
                installed = version(requirement.name)
            except PackageNotFoundError:
                raise AssertionError(
                    f"{requirement.name} is needed by generated backends; add it to bafa's [test] extra"
                ) from None
            assert requirement.specifier.contains(installed, prereleases=True), f"{line} but {installed} is installed"
