"""secret.strength, secret.match, secret.answers, secret.permissions: the shared BETTER_AUTH_SECRET.
Values are never shown."""

from __future__ import annotations

from generator.doctor.facts import Facts, backend_env_problem
from generator.doctor.model import Check, failed, passed, skipped, warned
from generator.project_files import EnvFile, Project
from generator.rules import GENERATE_SECRET, secret_problem
from generator.secret import SECRET_ENV


def _sides(project: Project) -> list[tuple[EnvFile, EnvFile]]:
    """The .env files that must hold the secret in this auth mode (with their .env.example)."""
    sides = []
    if project.backend is not None and project.auth_mode != "jwks":
        sides.append((project.backend_env, project.backend_example))
    if project.frontend is not None:
        sides.append((project.frontend_env, project.frontend_example))
    return sides


def check_strength(facts: Facts) -> Check:
    sides = _sides(facts.project)
    if not sides:
        return skipped("secret.strength", f"no .env file needs {SECRET_ENV} here (jwks backend without a frontend)")
    problems, ok, absent, unexplained = [], [], [], []
    for env, example in sides:
        if not env.exists:
            (absent if example.exists else unexplained).append(env.relative)
            continue
        value = env.get(SECRET_ENV)
        if not value:
            problem: str | None = "is not set"
        elif env is facts.project.backend_env:
            problem = backend_env_problem(facts, SECRET_ENV, secret_problem)
        else:
            problem = secret_problem(value)
        if problem:
            problems.append(f"{env.relative}: {SECRET_ENV} {problem}")
        else:
            ok.append(env.relative)
    fix = f"generate one with {GENERATE_SECRET} and put the same value in every .env file"
    if problems:
        return failed("secret.strength", "; ".join(problems), fix)
    if unexplained:
        return warned(
            "secret.strength",
            f"{', '.join(unexplained)} not found (and no .env.example): {SECRET_ENV} must come from the environment",
            f"create {unexplained[0]} with {SECRET_ENV}=<generated>, or make sure the deployment sets it",
        )
    if not ok:
        return skipped(
            "secret.strength",
            f"no .env files, only .env.example ({', '.join(absent)} absent): secret not checked (normal in CI)",
            f"locally: cp {absent[0]}.example {absent[0]} and set a generated {SECRET_ENV}" if absent else "",
        )
    note = f" ({', '.join(absent)} absent: not checked)" if absent else ""
    return passed("secret.strength", f"{SECRET_ENV} in {', '.join(ok)}: long, random-looking, not a placeholder{note}")


def check_match(facts: Facts) -> Check:
    project = facts.project
    backend, frontend = project.backend_env, project.frontend_env
    if project.auth_mode == "jwks":
        if backend.exists and backend.get(SECRET_ENV):
            return failed(
                "secret.match",
                f"{backend.relative} holds {SECRET_ENV} although auth_mode is jwks "
                "(the backend needs only the public JWKS)",
                f"remove {SECRET_ENV} from {backend.relative}; keep it in the frontend only",
            )
        return passed("secret.match", f"jwks mode: the backend holds no {SECRET_ENV}")
    if project.frontend is None or project.backend is None:
        return skipped("secret.match", "no frontend folder found: nothing to compare the backend's secret with")
    if not (backend.exists and frontend.exists):
        missing = ", ".join(env.relative for env in (backend, frontend) if not env.exists)
        return skipped("secret.match", f"{missing} absent: secrets not compared (normal in CI)")
    if not (backend.get(SECRET_ENV) and frontend.get(SECRET_ENV)):
        return skipped("secret.match", f"{SECRET_ENV} is missing from a .env file (see secret.strength)")
    if backend.get(SECRET_ENV) != frontend.get(SECRET_ENV):
        return failed(
            "secret.match",
            f"{SECRET_ENV} differs between {backend.relative} and {frontend.relative}: "
            "every token gets 401 invalid signature",
            f"copy {SECRET_ENV} from {backend.relative} into {frontend.relative} (same value), "
            "then restart both servers",
        )
    return passed("secret.match", f"{SECRET_ENV} is identical in {backend.relative} and {frontend.relative}")


def check_permissions(facts: Facts) -> Check:
    project = facts.project
    present = [env for env in (project.backend_env, project.frontend_env) if env.exists]
    if not present:
        return skipped("secret.permissions", "no .env files (normal in CI)")
    readable = [
        f"{env.relative} ({(project.root / env.relative).stat().st_mode & 0o777:o})"
        for env in present
        if (project.root / env.relative).stat().st_mode & 0o077
    ]
    if readable:
        return warned(
            "secret.permissions",
            f"readable by other users of this machine: {', '.join(readable)}",
            "chmod 600 " + " ".join(env.relative for env in present),
        )
    names = ", ".join(env.relative for env in present)
    return passed("secret.permissions", f"{names}: readable by their owner only")


def check_answers(facts: Facts) -> Check:
    project = facts.project
    if not project.generated:
        return skipped("secret.answers", "no .copier-answers.yml (hand-written project)")
    values = [env.get(SECRET_ENV) for env in (project.backend_env, project.frontend_env) if env.get(SECRET_ENV)]
    if "better_auth_secret" in project.answers or any(v and v in project.answers_text for v in values):
        return failed(
            "secret.answers",
            ".copier-answers.yml contains the secret (it is committed with the project)",
            "remove better_auth_secret from .copier-answers.yml and rotate the secret in both .env files",
        )
    return passed("secret.answers", ".copier-answers.yml does not contain the secret")
