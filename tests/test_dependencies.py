"""The test environment can run generated backends: their declared dependencies are installed."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from conftest import generate


def _check(requirement: Requirement, needed_by: str) -> None:
    try:
        installed = version(requirement.name)
    except PackageNotFoundError:
        raise AssertionError(f"{requirement.name} is needed by {needed_by}; add it to bafa's [test] extra") from None
    assert requirement.specifier.contains(installed, prereleases=True), f"{requirement} but {installed} is installed"
    for extra in requirement.extras:  # e.g. pyjwt[crypto] needs cryptography
        for line in requires(requirement.name) or []:
            dependency = Requirement(line)
            if dependency.marker is not None and dependency.marker.evaluate({"extra": extra}):
                _check(Requirement(f"{dependency.name}{dependency.specifier}"), f"{requirement}")


@pytest.mark.parametrize(
    "answers",
    [("database=sqlite",), ("database=postgresql",), ("auth_mode=jwks", "frontend=false")],
    ids=["sqlite", "postgresql", "jwks"],
)
def test_generated_backend_dependencies_are_installed(tmp_path: Path, answers: tuple[str, ...]) -> None:
    project = generate(tmp_path / "app", *answers)
    meta = tomllib.loads((project / "backend/pyproject.toml").read_text())["project"]
    for line in list(meta["dependencies"]) + list(meta.get("optional-dependencies", {}).get("dev", [])):
        _check(Requirement(line), "generated backends")
