"""`bafa doctor`: every check fails on a project broken on purpose and passes on a fresh one.

The fresh project is generated once (conftest's session `default_project`); each breakage
works on its own copy, and every verdict comes from the CLI (`--json`), run in this process
(conftest.invoke_bafa); the human output and the usage errors go through the console command.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import generate, invoke_bafa, read_env, run_bafa

OTHER_SECRET = "Zq8vN2kLw5Rt-Yh3Pj7Xc0Bm9Sd4Fg6Ha1Ue"  # strong, but not the project's
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]


def doctor(path: Path, *args: str) -> tuple[int, dict]:
    result = invoke_bafa("doctor", str(path), "--json", *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def check(report: dict, check_id: str) -> dict:
    return next(c for c in report["checks"] if c["id"] == check_id)


@pytest.fixture
def project(default_project: Path, tmp_path: Path) -> Path:
    """A private copy of the default project (with its git repository) to break."""
    return Path(shutil.copytree(default_project, tmp_path / "app", symlinks=True))


def set_env(path: Path, **values: str) -> None:
    """Replace (or add) KEY=VALUE lines of a .env file."""
    lines = path.read_text().splitlines()
    for key, value in values.items():
        lines = [line for line in lines if not line.startswith(f"{key}=")] + [f"{key}={value}"]
    path.write_text("\n".join(lines) + "\n")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}: the template changed, update this test"
    path.write_text(text.replace(old, new))


def append(path: Path, text: str) -> None:
    with path.open("a") as f:
        f.write(text)


def git(project: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=project, check=True, capture_output=True)


# --- breakages: (name, how to break the copy, check id, expected status, finding must contain)


def _both_secrets(value: str) -> Callable[[Path], None]:
    def apply(p: Path) -> None:
        set_env(p / "backend/.env", BETTER_AUTH_SECRET=value)
        set_env(p / "frontend/.env", BETTER_AUTH_SECRET=value)

    return apply


def _commit_env_then_delete(p: Path) -> None:
    git(p, "add", "-f", "backend/.env")
    git(p, "commit", "-q", "-m", "oops")
    git(p, "rm", "-q", "--cached", "backend/.env")
    git(p, "commit", "-q", "-m", "remove it")


def _track_env(p: Path) -> None:
    git(p, "add", "-f", "frontend/.env")
    git(p, "commit", "-q", "-m", "oops")


def _https_url_http_origins(p: Path) -> None:
    for side in ("backend", "frontend"):
        set_env(p / f"{side}/.env", BETTER_AUTH_URL="https://tasks.example.com")
    set_env(p / "backend/.env", CORS_ORIGINS='["http://tasks.example.com"]')
    set_env(p / "frontend/.env", TRUSTED_ORIGINS="http://tasks.example.com")


def _unprotected_route(p: Path) -> None:
    route = '\n\n@router.get("/public/stats")\ndef public_stats() -> dict[str, int]:\n    return {"tasks": 0}\n'
    append(p / "backend/app/api/routes/tasks.py", route)


def _route_in_main(p: Path) -> None:
    """What uvicorn serves is app.main:app: a route added there must be audited too."""
    append(p / "backend/app/main.py", '\n\n@app.get("/api/leak")\nasync def leak() -> dict[str, str]:\n    return {}\n')


def _router_in_main(p: Path) -> None:
    (p / "backend/app/api/routes/reports.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/api/reports')\n\n\n"
        "@router.get('')\nasync def reports() -> list[str]:\n    return []\n"
    )
    include = "\nfrom app.api.routes import reports  # noqa: E402\n\napp.include_router(reports.router)\n"
    append(p / "backend/app/main.py", include)


def _frontend_moved(p: Path) -> None:
    """The frontend served on another port than the one the CORS list and TRUSTED_ORIGINS name."""
    for side in ("backend", "frontend"):
        set_env(p / f"{side}/.env", BETTER_AUTH_URL="http://localhost:19230")


def _serve_at(url: str, smtp_host: str = "smtp.example.com") -> Callable[[Path], None]:
    """The app moved to `url`, its origin added to the backend's CORS list (localhost kept), its
    account emails sent by `smtp_host` (port 587) instead of the development mail catcher."""

    def apply(p: Path) -> None:
        for side in ("backend", "frontend"):
            set_env(p / f"{side}/.env", BETTER_AUTH_URL=url)
        set_env(p / "backend/.env", CORS_ORIGINS=json.dumps([url, "http://localhost:3000"]))
        set_env(p / "frontend/.env", SMTP_HOST=smtp_host, SMTP_PORT="587" if smtp_host != "localhost" else "1025")

    return apply


def _answer(key: str, value: str) -> Callable[[Path], None]:
    def apply(p: Path) -> None:
        path = p / ".copier-answers.yml"
        text = re.sub(rf"^{key}: .*$", f"{key}: {value}", path.read_text(), flags=re.M)
        path.write_text(text)

    return apply


def _secret_in_answers(p: Path) -> None:
    append(p / ".copier-answers.yml", f"better_auth_secret: {read_env(p / 'backend/.env')['BETTER_AUTH_SECRET']}\n")


BREAKAGES = [
    ("mismatched secret", lambda p: set_env(p / "frontend/.env", BETTER_AUTH_SECRET=OTHER_SECRET),
     "secret.match", "fail", "differs between backend/.env and frontend/.env"),
    ("short secret", _both_secrets("Sh0rt-but-the-same"), "secret.strength", "fail", "is 18 characters"),
    ("placeholder secret", _both_secrets("changeme-changeme-changeme-changeme-12345"),
     "secret.strength", "fail", "is a placeholder"),
    ("repetitive secret", _both_secrets("ab" * 20), "secret.strength", "fail", "too repetitive"),
    # backend/.env is judged by the app's own Settings (here stricter than bafa's rule).
    ("the app's own secret rule",
     lambda p: replace_in(p / "backend/app/core/auth_modes/shared_secret.py", "MIN_SECRET_LENGTH = 32",
                          "MIN_SECRET_LENGTH = 200"),
     "secret.strength", "fail", "backend/.env: BETTER_AUTH_SECRET must be at least 200 characters"),
    ("the app's own URL rule",
     lambda p: replace_in(p / "backend/app/core/config.py", 'if value.endswith("/"):',
                          'if value.endswith(("/", ":3000")):'),
     "url.match", "fail", "BETTER_AUTH_URL in backend/.env must not end with '/'"),
    ("secret in answers", _secret_in_answers, "secret.answers", "fail", "contains the secret"),
    ("jwks mode with a backend secret", _answer("auth_mode", "jwks"), "secret.match", "fail", "jwks"),
    ("env committed then deleted", _commit_env_then_delete, "git.history", "fail", "backend/.env (added in"),
    ("env tracked", _track_env, "git.ignored", "fail", "frontend/.env tracked by git"),
    ("env not ignored", lambda p: (p / ".gitignore").write_text("node_modules/\n"),
     "git.ignored", "fail", "not git-ignored"),
    ("different BETTER_AUTH_URL", lambda p: set_env(p / "frontend/.env", BETTER_AUTH_URL="http://localhost:3001"),
     "url.match", "fail", "http://localhost:3000 (backend/.env) vs http://localhost:3001 (frontend/.env)"),
    ("trailing slash URL", lambda p: set_env(p / "frontend/.env", BETTER_AUTH_URL="http://localhost:3000/"),
     "url.match", "fail", "ends with '/'"),
    ("wildcard CORS", lambda p: set_env(p / "backend/.env", CORS_ORIGINS='["*"]'),
     "cors.explicit", "fail", "'*' is a wildcard"),
    ("null CORS", lambda p: set_env(p / "backend/.env", CORS_ORIGINS='["http://localhost:3000", "null"]'),
     "cors.explicit", "fail", "'null'"),
    ("missing frontend origin",
     lambda p: set_env(p / "frontend/.env", TRUSTED_ORIGINS="http://localhost:3000,https://app.example.com"),
     "cors.frontend", "fail", "https://app.example.com (frontend/.env TRUSTED_ORIGINS) not allowed"),
    ("https URL with http origins", _https_url_http_origins, "cors.https", "fail", "http://tasks.example.com is http"),
    ("unprotected route", _unprotected_route, "routes.auth", "fail", "GET /api/tasks/public/stats"),
    ("unprotected route in app/main.py", _route_in_main, "routes.auth", "fail", "GET /api/leak"),
    ("unprotected router included in app/main.py", _router_in_main, "routes.auth", "fail", "GET /api/reports"),
    ("frontend origin not in CORS", _frontend_moved, "cors.frontend", "fail",
     "http://localhost:19230 (frontend/.env BETTER_AUTH_URL, the frontend's own origin) not allowed"),
    ("app not importable", lambda p: (p / "backend/app/factory.py").write_text('raise RuntimeError("boom")\n'),
     "routes.auth", "fail", "app.main cannot be imported: RuntimeError: boom"),
    ("exp not required",
     lambda p: replace_in(p / "backend/app/core/security.py", '["exp", "iat", "sub"]', '["iat", "sub"]'),
     "jwt.verify", "fail", "accepted a token without exp"),
    ("mixed algorithms",
     lambda p: append(p / "backend/app/core/config.py", '\nSettings.JWT_ALGORITHMS = ("HS256", "RS256")\n'),
     "jwt.algorithms", "fail", "mixes HMAC and RSA"),
    ("account backends without the project's backend",
     lambda p: set_env(p / "frontend/.env", ACCOUNT_BACKENDS="http://localhost:9999"),
     "account.backends", "fail", "leaves out BACKEND_URL http://localhost:8000"),
    ("mail catcher in production", _serve_at("https://tasks.example.com", smtp_host="localhost"), "prod.smtp", "fail",
     "SMTP_HOST=localhost, SMTP_PORT=1025 is the development mail catcher in production"),
    ("compose's mail catcher in production", _serve_at("https://tasks.example.com", smtp_host="maildev"),
     "prod.smtp", "fail", "is the development mail catcher in production"),
    ("no SMTP server", lambda p: set_env(p / "frontend/.env", SMTP_HOST=""), "prod.smtp", "fail",
     "SMTP_HOST is not set in frontend/.env"),
    ("debug on",
     lambda p: replace_in(p / "backend/app/factory.py", "title=PROJECT_NAME,", "debug=True, title=PROJECT_NAME,"),
     "prod.debug", "fail", "debug=True"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("breaker", "check_id", "status", "finding"),
    [b[1:] for b in BREAKAGES],
    ids=[b[0] for b in BREAKAGES],
)
def test_breakage_is_reported(project: Path, breaker, check_id: str, status: str, finding: str) -> None:
    breaker(project)
    code, report = doctor(project)
    result = check(report, check_id)
    assert result["status"] == status, result
    assert finding in result["finding"], result
    assert result["fix"], "a non-pass check must say how to fix it"
    assert code == report["exit_code"] == 1


WARNINGS = [
    ("long jwt lifetime", _answer("jwt_ttl_minutes", "120"), "lifetime.jwt", "120 min"),
    ("readable .env", lambda p: (p / "backend/.env").chmod(0o644), "secret.permissions", "backend/.env (644)"),
    ("long session", _answer("session_ttl_days", "200"), "lifetime.session", "200 days"),
    ("http on a public host", _serve_at("http://tasks.example.com"), "prod.https", "http://tasks.example.com"),
    ("insecure cookies",
     lambda p: replace_in(p / "frontend/lib/auth.ts", 'useSecureCookies: baseURL.startsWith("https://")',
                          "useSecureCookies: false"),
     "prod.cookies", "useSecureCookies: false"),
    ("localhost origin left with https URL", _serve_at("https://tasks.example.com"), "cors.https",
     "http://localhost:3000"),
]  # fmt: skip


@pytest.mark.parametrize(("breaker", "check_id", "finding"), [w[1:] for w in WARNINGS], ids=[w[0] for w in WARNINGS])
def test_warning_fails_only_with_strict(project: Path, breaker, check_id: str, finding: str) -> None:
    breaker(project)
    code, report = doctor(project)
    assert check(report, check_id)["status"] == "warn", check(report, check_id)
    assert finding in check(report, check_id)["finding"]
    assert code == 0, [c for c in report["checks"] if c["status"] == "fail"]
    strict_code, strict_report = doctor(project, "--strict")
    assert strict_code == strict_report["exit_code"] == 1


def test_fresh_project_passes_every_check(default_project: Path) -> None:
    code, report = doctor(default_project, "--strict")
    assert [c for c in report["checks"] if c["status"] != "pass"] == []
    assert code == 0
    ids = [c["id"] for c in report["checks"]]
    assert len(ids) == len(set(ids)) == 22
    assert report["summary"] == {"pass": 22, "warn": 0, "fail": 0, "skip": 0}
    assert (
        "development: account emails go to the local mail catcher (localhost:1025)"
        in check(report, "prod.smtp")["finding"]
    )
    assert report["auth_mode"] == "shared_secret" and report["layout"]["frontend"] == "frontend"


def test_human_output_one_line_per_check_with_fixes(project: Path) -> None:
    set_env(project / "frontend/.env", BETTER_AUTH_SECRET=OTHER_SECRET)
    result = run_bafa("doctor", str(project))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert re.search(r"^\[FAIL\] secret\.match +BETTER_AUTH_SECRET differs", result.stdout, re.M)
    assert re.search(r"^\[pass\] routes\.auth ", result.stdout, re.M)
    fail_at = next(i for i, line in enumerate(lines) if line.startswith("[FAIL]"))
    assert lines[fail_at + 1].strip().startswith("fix: copy BETTER_AUTH_SECRET")
    assert lines[-1].startswith("FAILED: 21 pass, 0 warn, 1 fail, 0 skip")
    secret = read_env(project / "backend/.env")["BETTER_AUTH_SECRET"]
    assert secret not in result.stdout and OTHER_SECRET not in result.stdout


def test_fresh_clone_without_env_files_passes_with_skips(default_project: Path, tmp_path: Path) -> None:
    """What CI sees: no .env (only .env.example), full history."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(default_project), str(clone)], check=True)
    assert not (clone / "backend/.env").exists() and (clone / "backend/.env.example").exists()
    code, report = doctor(clone, "--strict")
    assert code == 0, [c for c in report["checks"] if c["status"] in ("fail", "warn")]
    assert check(report, "secret.strength")["status"] == "skip"
    assert "only .env.example" in check(report, "secret.strength")["finding"]
    assert check(report, "secret.match")["status"] == "skip"
    for still_checked in ("git.ignored", "git.history", "url.match", "cors.explicit", "cors.frontend", "routes.auth",
                          "jwt.algorithms", "jwt.verify"):  # fmt: skip
        assert check(report, still_checked)["status"] == "pass", check(report, still_checked)
    assert ".env.example" in check(report, "url.match")["finding"]


def test_clone_of_a_history_with_a_committed_env_fails(project: Path, tmp_path: Path) -> None:
    _commit_env_then_delete(project)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project), str(clone)], check=True)
    code, report = doctor(clone)
    assert code == 1 and check(report, "git.history")["status"] == "fail"


def test_hand_written_project_runs_what_it_can(tmp_path: Path) -> None:
    backend = tmp_path / "service" / "backend"
    backend.mkdir(parents=True)
    (backend / "main.py").write_text(
        "from fastapi import Depends, FastAPI\n\n"
        "def get_current_user() -> str:\n    return 'u'\n\n"
        "app = FastAPI()\n\n"
        "@app.get('/api/items')\ndef items(user: str = Depends(get_current_user)) -> list:\n    return []\n\n"
        "@app.get('/api/open')\ndef open_items() -> list:\n    return []\n"
    )
    code, report = doctor(tmp_path / "service")
    assert code == 1
    layout = report["layout"]
    assert (layout["generated"], layout["backend"], layout["frontend"]) == (False, "backend", None)
    routes = check(report, "routes.auth")
    assert routes["status"] == "fail" and "GET /api/open" in routes["finding"] and "/api/items" not in routes["finding"]
    for skipped in ("secret.match", "secret.answers", "git.ignored", "cors.frontend", "jwt.algorithms", "lifetime.jwt"):
        assert check(report, skipped)["status"] == "skip", check(report, skipped)
        assert check(report, skipped)["finding"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda t: t / "missing", "does not exist"),
        (lambda t: t, "is not a Better Auth + FastAPI project"),
        (lambda t: (t / "file.txt").write_text("x") and t / "file.txt", "is not a folder"),
    ],
    ids=["missing", "not a project", "a file"],
)
def test_usage_errors_exit_2(tmp_path: Path, make, message: str) -> None:
    result = run_bafa("doctor", str(make(tmp_path)))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""


def _workflow(project: Path) -> dict:
    return yaml.safe_load((project / ".github/workflows/ci.yml").read_text())


def test_generated_workflow_runs_tests_and_doctor(default_project: Path) -> None:
    workflow = _workflow(default_project)
    assert set(workflow["jobs"]) == {"lint", "backend", "backend-postgresql", "frontend", "e2e", "doctor"}
    text = json.dumps(workflow)
    assert "pip install -e './backend[dev]'" in text and "pytest" in text
    assert "npm ci" in text and "npm run typecheck" in text and "BETTER_AUTH_URL" in text
    doctor_steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["doctor"]["steps"])
    assert "bafa @ git+https://github.com/bafa-project/bafa" in doctor_steps
    assert "bafa doctor --strict" in doctor_steps
    checkout = workflow["jobs"]["doctor"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0, "git.history needs the whole history"


def test_backend_only_workflow_has_no_frontend_job(tmp_path: Path) -> None:
    project = generate(tmp_path / "api", "frontend=false")
    assert set(_workflow(project)["jobs"]) == {"lint", "backend", "backend-postgresql", "doctor"}
    code, report = doctor(project, "--strict")
    assert code == 0, [c for c in report["checks"] if c["status"] in ("fail", "warn")]
    assert check(report, "secret.match")["status"] == "skip"


def test_backend_without_its_dependencies_is_not_run_not_failed(project: Path) -> None:
    """A fresh project whose backend has a .venv without the packages: say so, do not blame the code."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / "backend/.venv")], check=True)
    code, report = doctor(project)
    for check_id in ("routes.auth", "jwt.algorithms", "jwt.verify"):
        result = check(report, check_id)
        assert result["status"] == "skip", result
        assert "dependencies are not installed" in result["finding"], result
        assert "pip install -e '.[dev]'" in result["fix"], result
    assert code == 0


def test_smtp_in_production_passes_with_a_real_server(project: Path) -> None:
    _serve_at("https://tasks.example.com")(project)
    result = check(doctor(project)[1], "prod.smtp")
    assert result["status"] == "pass" and "smtp.example.com:587 (frontend/.env)" in result["finding"], result


def test_smtp_check_skips_a_project_without_account_emails(tmp_path: Path) -> None:
    project = generate(tmp_path / "quiet", "account_emails=false")
    _serve_at("https://tasks.example.com", smtp_host="localhost")(project)  # the keys, written by hand, are unused
    result = check(doctor(project)[1], "prod.smtp")
    assert result["status"] == "skip" and "account_emails=false" in result["finding"], result
