"""Render every supported answer combination and run each generated backend's own tests."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, clean_env, generate, redis_test_url

AUTH_MODES = ["shared_secret", "jwks"]
API_STYLES = ["flat", "user_path"]
OWNERSHIP_ERRORS = ["forbidden", "not_found"]
ALL_COMBINATIONS = list(itertools.product(AUTH_MODES, API_STYLES, OWNERSHIP_ERRORS))
# These two run their whole generated suite (and ruff) in tests/test_add_resource.py already, with
# two resources added (its PROJECTS, backend-only, database=sqlite by default): running them
# here too would be the same 40-60 s twice. The test below keeps the union complete.
COVERED_BY_ADD_RESOURCE = [("shared_secret", "flat", "forbidden"), ("jwks", "user_path", "not_found")]
COMBINATIONS = [c for c in ALL_COMBINATIONS if c not in COVERED_BY_ADD_RESOURCE]


def run_generated_tests(backend: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The generated project's own suite, with Redis for its cross-instance tests when there is one."""
    redis = redis_test_url()
    env = clean_env() | ({"TEST_REDIS_URL": redis} if redis else {}) | (extra_env or {})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
        ],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("auth_mode", "api_style", "ownership_error"),
    COMBINATIONS,
    ids=["-".join(c) for c in COMBINATIONS],
)
def test_generated_backend_suite_passes(tmp_path: Path, auth_mode: str, api_style: str, ownership_error: str) -> None:
    project = generate(
        tmp_path / "app",
        f"auth_mode={auth_mode}",
        f"api_style={api_style}",
        f"ownership_error={ownership_error}",
        "database=sqlite",
    )
    result = run_generated_tests(project / "backend")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
    if redis_test_url():
        assert "TEST_REDIS_URL" not in result.stdout, "the Redis rate-limit test was skipped"
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project / "backend",
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    assert (project / "backend/tests/test_user_path.py").exists() == (api_style == "user_path")
    # Only the answers' own variants are generated (copier.yml's _exclude).
    for mode, files in MODE_FILES.items():
        for name in files:
            assert (project / "backend" / name).exists() == (mode == auth_mode), name


def test_every_combination_runs_its_generated_suite_somewhere() -> None:
    """Every auth_mode x api_style x ownership_error backend runs its whole generated suite: here,
    or (COVERED_BY_ADD_RESOURCE) in test_add_resource.py's projects, each with two resources."""
    import test_add_resource

    assert callable(test_add_resource.test_the_generated_suite_passes_with_the_resources)
    there = set()
    for answers in test_add_resource.PROJECTS.values():
        given = dict(answer.split("=", 1) for answer in answers)
        assert given.get("database", "sqlite") == "sqlite", given
        there.add((given["auth_mode"], given["api_style"], given["ownership_error"]))
    assert there == set(COVERED_BY_ADD_RESOURCE)
    assert set(COMBINATIONS) | there == set(ALL_COMBINATIONS)
    assert not set(COMBINATIONS) & there, "a combination's suite runs twice"
    # Each auth mode and each API style is still rendered with the frontend here (its file checks).
    for mode, style in itertools.product(AUTH_MODES, API_STYLES):
        assert any(c[:2] == (mode, style) for c in COMBINATIONS), (mode, style)


BACKEND = REPO / "template/backend"
# Each auth mode's files; the other mode's are not generated (copier.yml, _exclude).
MODE_FILES = {
    "jwks": ("app/core/auth_modes/jwks.py", "tests/signing_jwks.py", "tests/test_jwks.py"),
    "shared_secret": (
        "app/core/auth_modes/shared_secret.py",
        "tests/signing_shared_secret.py",
        "tests/test_secret_settings.py",
    ),
}
# What the rest of the backend uses of an auth mode (app/core/auth_settings.py imports it):
# each class's public methods and class variables, and their parameters.
AUTH_MODE_INTERFACE = {
    "AuthSettings": {"JWT_ALGORITHMS": None, "production_problems": ["self"]},
    "SigningKeys": {"__init__": ["self", "settings"], "key_for": ["self", "header"]},
}


def _module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _exported(module: ast.Module) -> list[str]:
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return [elt.value for elt in node.value.elts if isinstance(elt, ast.Constant)]
    raise AssertionError("no __all__")


def _members(module: ast.Module, class_name: str) -> dict[str, list[str] | None]:
    """A class's methods (with their parameters) and annotated class variables."""
    (cls,) = [n for n in module.body if isinstance(n, ast.ClassDef) and n.name == class_name]
    members: dict[str, list[str] | None] = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            members[node.name] = [arg.arg for arg in node.args.args]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members[node.target.id] = None
    return members


def test_every_variant_file_has_one_plain_name() -> None:
    """No `{% if %}` in a file name of the backend: a variant is a module, chosen in one place."""
    templated = [str(p.relative_to(BACKEND)) for p in BACKEND.rglob("*") if "{" in p.name]
    assert not templated, templated
    selection = (BACKEND / "app/core/auth_settings.py.jinja").read_text()
    assert "from app.core.auth_modes.{{ auth_mode }} import AuthSettings, SigningKeys" in selection
    for files in MODE_FILES.values():
        for name in files:
            assert (BACKEND / name).is_file(), name


def test_both_auth_modes_export_the_same_names() -> None:
    modes = {mode: _module(BACKEND / files[0]) for mode, files in MODE_FILES.items()}
    for mode, module in modes.items():
        assert _exported(module) == ["AuthSettings", "SigningKeys"], mode
        for class_name, interface in AUTH_MODE_INTERFACE.items():
            members = _members(module, class_name)
            for name, parameters in interface.items():
                assert name in members, f"{mode}: {class_name}.{name} is missing"
                assert members[name] == parameters, f"{mode}: {class_name}.{name}{members[name]}"
            public = {n for n in members if not n.startswith("_") and n.isidentifier()}
            fields = {n for n in public if n.isupper()} - {"JWT_ALGORITHMS"}
            extra = public - set(interface) - fields
            # jwks's SigningKeys also hands out its key set (its tests shorten the cache with it).
            assert extra <= {"key_set"}, f"{mode}: {class_name} has more public names: {extra}"


def test_both_test_signing_modules_export_the_same_names() -> None:
    jwks = _module(BACKEND / MODE_FILES["jwks"][1])
    shared_secret = _module(BACKEND / MODE_FILES["shared_secret"][1])
    jwks_only = next(
        [elt.value for elt in node.value.elts]
        for node in jwks.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "JWKS_ONLY"
    )
    assert set(_exported(jwks)) - set(jwks_only) == set(_exported(shared_secret))
    for module in (jwks, shared_secret):
        defined = {
            getattr(n, "name", None) or getattr(getattr(n, "targets", [None])[0], "id", None) for n in module.body
        }
        assert set(_exported(module)) <= defined, "__all__ names something the module lacks"
