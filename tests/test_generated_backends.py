"""Generated backends' own suites, on a covering set of the answer combinations (every pair of
answers, every version of every backend file), and the auth-mode modules' shared interface."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, clean_env, generate, invoke_bafa, redis_test_url, snapshot

AUTH_MODES = ["shared_secret", "jwks"]
API_STYLES = ["flat", "user_path"]
OWNERSHIP_ERRORS = ["forbidden", "not_found"]
ALL_COMBINATIONS = list(itertools.product(AUTH_MODES, API_STYLES, OWNERSHIP_ERRORS))
# A whole generated suite takes one to two CI minutes, so it runs on a covering set of the eight
# combinations rather than on each: every pair of answers meets in one of them, and every version
# of every backend file that the eight render is in one of them (the two tests after this one).
# Two run in tests/test_add_resource.py (its PROJECTS, backend-only, database=sqlite by default),
# with two resources added; these three run here.
COMBINATIONS = [
    ("shared_secret", "user_path", "forbidden"),
    ("jwks", "flat", "forbidden"),
    ("shared_secret", "flat", "not_found"),
]
# Answers every full run shares: the backend-only render (the backend's files are the same with
# the frontend; test_agents_md.py renders the frontends) on the default SQLite.
COMMON_ANSWERS = ("frontend=false", "database=sqlite")


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
        *COMMON_ANSWERS,
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


def _full_runs() -> dict[tuple[str, str, str], tuple[str, ...]]:
    """Every combination whose whole generated suite runs, with the answers it is rendered with."""
    import test_add_resource

    assert callable(test_add_resource.test_the_generated_suite_passes_with_the_resources)
    runs = {}
    for answers in test_add_resource.PROJECTS.values():
        given = dict(answer.split("=", 1) for answer in answers)
        combination = (given.pop("auth_mode"), given.pop("api_style"), given.pop("ownership_error"))
        runs[combination] = tuple(f"{key}={value}" for key, value in given.items())
    for combination in COMBINATIONS:
        assert combination not in runs, f"{combination}'s suite runs twice"
        runs[combination] = COMMON_ANSWERS
    return runs


def test_every_pair_of_answers_meets_in_a_full_run() -> None:
    """Each auth_mode x api_style, auth_mode x ownership_error and api_style x ownership_error pair
    is in a combination whose whole generated suite runs (here or in test_add_resource.py)."""
    runs = list(_full_runs())
    for (i, first), (j, second) in itertools.combinations(enumerate((AUTH_MODES, API_STYLES, OWNERSHIP_ERRORS)), 2):
        for pair in itertools.product(first, second):
            assert any((run[i], run[j]) == pair for run in runs), f"no full run has {pair}"


def test_every_backend_file_version_runs_in_a_full_suite(tmp_path: Path) -> None:
    """Render the backend of all eight combinations: every version of every file among them is
    the one of a combination whose whole suite runs, rendered with the same other answers. A file
    that varies with all three answers would need its own run; this names it."""
    runs = _full_runs()
    assert set(runs.values()) <= {COMMON_ANSWERS, ("frontend=false",)}  # database=sqlite by default
    versions: dict[str, dict[bytes, list[tuple[str, str, str]]]] = {}
    for combination in ALL_COMBINATIONS:
        dest = tmp_path / "-".join(combination)
        answers = zip(("auth_mode", "api_style", "ownership_error"), combination, strict=True)
        data = [arg for key, value in answers for arg in ("--data", f"{key}={value}")]
        made = invoke_bafa("new", str(dest), "--defaults", "--no-git", *data, "--data", "frontend=false")
        assert made.returncode == 0, made.stderr
        for name, content in snapshot(dest / "backend").items():
            if name != ".env":  # its secret is new in every project
                versions.setdefault(name, {}).setdefault(content, []).append(combination)
    assert len(versions) > 50, sorted(versions)
    unrun = {
        name: rendered_by
        for name, found in versions.items()
        for rendered_by in found.values()
        if not set(rendered_by) & set(runs)
    }
    assert not unrun, f"file versions no full suite runs: {unrun}"


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
