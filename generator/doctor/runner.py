"""`bafa doctor`: gather the facts once, run every check in a fixed order, build the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.doctor import (
    check_account,
    check_app,
    check_email,
    check_git,
    check_oauth,
    check_production,
    check_secrets,
    check_urls,
)
from generator.doctor.app_probe import inspect_backend
from generator.doctor.facts import Facts
from generator.doctor.git_facts import gather
from generator.doctor.model import Check, Report
from generator.project_files import load_project

CHECKS: list[Callable[[Facts], Check]] = [
    check_secrets.check_strength,
    check_secrets.check_match,
    check_secrets.check_answers,
    check_secrets.check_permissions,
    check_git.check_ignored,
    check_git.check_history,
    check_urls.check_url_match,
    check_urls.check_cors_explicit,
    check_urls.check_cors_frontend,
    check_urls.check_cors_https,
    check_app.check_routes,
    check_app.check_algorithms,
    check_app.check_verify,
    check_production.check_jwt_lifetime,
    check_production.check_session_lifetime,
    check_production.check_https,
    check_production.check_cookies,
    check_production.check_debug,
    check_account.check_account_backends,
    check_oauth.check_secrets,
    check_oauth.check_committed,
    check_email.check_smtp,
]


def run_doctor(path: Path) -> Report:
    """Audit the project at PATH; raises BafaError when PATH is missing or not a project."""
    project = load_project(path)
    backend_values = project.backend_env.values if project.backend_env.exists else None
    app = inspect_backend(project.backend, backend_values) if project.backend is not None else None
    facts = Facts(project=project, git=gather(project), app=app)
    layout = {
        "generated": project.generated,
        "backend": project.rel(project.backend) if project.backend else None,
        "frontend": project.rel(project.frontend) if project.frontend else None,
        "env_files": [e.relative for e in (project.backend_env, project.frontend_env) if e.exists],
        "python": app.python if app else None,
    }
    return Report(
        project=str(project.root),
        auth_mode=project.auth_mode,
        layout=layout,
        checks=[check(facts) for check in CHECKS],
    )
