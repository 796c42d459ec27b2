"""Everything the checks look at, gathered once: files, git, the imported app.

The effective-value helpers say where each value came from ("backend/.env",
"backend/.env.example", ".copier-answers.yml", "the app's CORSMiddleware"), because a CI
checkout has only the .env.example files and the findings must say what was audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.doctor.app_probe import AppFacts
from generator.doctor.git_facts import GitFacts
from generator.project_files import EnvFile, Project
from generator.rules import is_local, split_cors_origins, split_trusted_origins


@dataclass(frozen=True)
class Facts:
    project: Project
    git: GitFacts
    app: AppFacts | None  # None when there is no backend folder


@dataclass(frozen=True)
class Sourced:
    """A value and where it was read."""

    value: object
    source: str


def _from_env(key: str, *files: EnvFile) -> Sourced | None:
    for env in files:
        if env.exists and env.get(key) is not None:
            return Sourced(env.get(key), env.relative)
    return None


def backend_auth_url(project: Project) -> Sourced | None:
    found = _from_env("BETTER_AUTH_URL", project.backend_env, project.backend_example)
    if found is None and project.answers.get("auth_url"):
        found = Sourced(str(project.answers["auth_url"]), ".copier-answers.yml (auth_url)")
    return found


def frontend_auth_url(project: Project) -> Sourced | None:
    return _from_env("BETTER_AUTH_URL", project.frontend_env, project.frontend_example)


def deployed_site(url: Sourced | None) -> bool:
    """Whether the frontend at `url` (its BETTER_AUTH_URL) is a deployed site: any host but
    localhost, https or not. The frontend's own production refusals key on the same
    (lib/mailer.ts); doctor cannot see NODE_ENV, so every production check reads it here."""
    return url is not None and not is_local(str(url.value))


def backend_origins(facts: Facts) -> Sourced | None:
    """The backend's CORS origins: the live app's middleware first, then the files."""
    if facts.app is not None and not facts.app.import_error:
        cors = facts.app.data.get("cors")
        if cors is None:
            return Sourced(None, "the app (no CORSMiddleware)")
        return Sourced(list(cors.get("allow_origins") or []), "the app's CORSMiddleware")
    project = facts.project
    found = _from_env("CORS_ORIGINS", project.backend_env, project.backend_example)
    if found is not None:
        return Sourced([str(origin) for origin in split_cors_origins(str(found.value))], found.source)
    if isinstance(project.answers.get("frontend_origins"), list):
        return Sourced([str(o) for o in project.answers["frontend_origins"]], ".copier-answers.yml (frontend_origins)")
    return None


def frontend_origins(project: Project) -> Sourced | None:
    found = _from_env("TRUSTED_ORIGINS", project.frontend_env, project.frontend_example)
    if found is None:
        return None
    return Sourced(split_trusted_origins(str(found.value)), f"{found.source} TRUSTED_ORIGINS")


def backend_env_problem(facts: Facts, key: str, rule: Callable[[str], str | None]) -> str | None:
    """Why backend/.env's KEY is refused: the imported app's own answer when doctor could ask it
    (its Settings given the file's values, so an older or edited project is judged by its own
    rules), else bafa's copy of the rule (generator/rules.py). The words after the key name."""
    problems = facts.app.settings_problems if facts.app is not None else None
    if problems is None:
        return rule(str(facts.project.backend_env.get(key)))
    message = problems.get(key)
    return message.removeprefix(key).strip().split(";")[0] if message else None
