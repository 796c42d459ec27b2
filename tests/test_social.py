"""Social sign-in (oauth_providers): what each answer renders, the OAuth keys bafa never fills in,
and `bafa doctor`'s oauth.secrets and oauth.committed checks on real generated projects.

The sign-in itself (a real local OpenID Connect provider, Chromium, the backend) is proven by the
generated project's own e2e/social.test.mjs, run by tests/test_e2e.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import generate, read_env, run_bafa
from generator.env_files import append_new_keys

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
KEYS = {
    "github": ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
    "google": ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
    "oidc": ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"],
}
NEED_VALUE = {provider: [k for k in keys if k != "OIDC_NAME"] for provider, keys in KEYS.items()}
SOCIAL_FILES = [
    "frontend/lib/social-providers.ts",
    "frontend/components/social-buttons.tsx",
    "frontend/e2e/social.test.mjs",
]
SOCIAL_KEY = re.compile(r"^(?:GITHUB|GOOGLE|OIDC)_\w+", re.M)
A_SECRET = "gh-oauth-Zq8vN2kLw5Rt3Pj7Xc0Bm9"  # what a real client secret would look like


def providers_answer(*providers: str) -> str:
    return f"oauth_providers={json.dumps(list(providers))}"


@pytest.fixture(scope="module")
def github_oidc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with GitHub and OpenID Connect sign-in, generated once (git repository included)."""
    return generate(tmp_path_factory.mktemp("social") / "app", providers_answer("github", "oidc"))


def test_no_provider_means_no_social_files_keys_or_code(default_project: Path) -> None:
    for relative in [*SOCIAL_FILES, "frontend/e2e/oidc-test-provider.mjs"]:
        assert not (default_project / relative).exists(), relative
    for env in (".env", ".env.example"):
        text = (default_project / "frontend" / env).read_text()
        assert not SOCIAL_KEY.search(text), f"frontend/{env}: {SOCIAL_KEY.findall(text)}"
        assert "CLIENT_SECRET" not in text
    social = (default_project / "frontend/lib/social.ts").read_text()
    assert "social-providers" not in social and "plugins: []" in social
    assert "social-buttons" not in (default_project / "frontend/components/social.tsx").read_text()
    assert "oauth_providers: []" in (default_project / ".copier-answers.yml").read_text()


@pytest.mark.parametrize("provider", ["github", "google", "oidc"])
def test_each_provider_adds_exactly_its_keys_never_a_value(tmp_path: Path, provider: str) -> None:
    result = run_bafa("new", str(tmp_path / "app"), "--defaults", "--no-git", "--data", providers_answer(provider))
    assert result.returncode == 0, result.stderr
    project = tmp_path / "app"
    for relative in SOCIAL_FILES:
        assert (project / relative).is_file(), relative
    assert (project / "frontend/e2e/oidc-test-provider.mjs").exists() == (provider == "oidc")
    for env in (".env", ".env.example"):
        values = read_env(project / "frontend" / env)
        assert sorted(k for k in values if SOCIAL_KEY.match(k)) == sorted(KEYS[provider]), env
        assert all(values[k] == "" for k in NEED_VALUE[provider]), f"{env} has a value for an OAuth key"
    example = (project / "frontend/.env.example").read_text()
    assert "# generated: secret\nBETTER_AUTH_SECRET" in example
    assert example.count("# generated: secret") == 1, "no OAuth key is marked as generated"
    assert f"needs a value in frontend/.env: {', '.join(NEED_VALUE[provider])}" in result.stdout
    assert f'configureSocialSignIn(["{provider}"])' in (project / "frontend/lib/social.ts").read_text()
    assert not SOCIAL_KEY.search((project / "backend/.env.example").read_text()), "the backend needs nothing new"


def test_backend_only_project_has_no_social_sign_in(tmp_path: Path) -> None:
    project = generate(tmp_path / "svc", "frontend=false")
    assert not (project / "frontend").exists()
    assert not SOCIAL_KEY.search((project / "backend/.env.example").read_text())


def test_update_appends_oauth_keys_empty_and_reports_them(github_oidc: Path, tmp_path: Path) -> None:
    """What `bafa update` does to .env (generator/env_files.append_new_keys) for a project that gains providers."""
    project = Path(shutil.copytree(github_oidc, tmp_path / "app", symlinks=True))
    env = project / "frontend/.env"
    kept = [line for line in env.read_text().splitlines() if not SOCIAL_KEY.match(line)]
    env.write_text("\n".join(kept) + "\n")
    before = env.read_bytes()

    new = append_new_keys(project)

    assert env.read_bytes().startswith(before)
    assert new.added == {"frontend/.env": [*KEYS["github"], *KEYS["oidc"]]}
    assert new.need_value == {"frontend/.env": [*NEED_VALUE["github"], *NEED_VALUE["oidc"]]}
    values = read_env(env)
    assert all(values[k] == "" for k in [*NEED_VALUE["github"], *NEED_VALUE["oidc"]])
    assert values["OIDC_NAME"] == "SSO"
    assert read_env(project / "backend/.env")["BETTER_AUTH_SECRET"] == values["BETTER_AUTH_SECRET"]


# --- bafa doctor


def doctor(path: Path) -> tuple[int, dict, str]:
    result = run_bafa("doctor", str(path), "--json")
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stdout


def check(report: dict, check_id: str) -> dict:
    return next(c for c in report["checks"] if c["id"] == check_id)


def set_env(path: Path, **values: str) -> None:
    lines = [line for line in path.read_text().splitlines() if line.split("=")[0] not in values]
    path.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in values.items())]) + "\n")


def git(project: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=project, check=True, capture_output=True)


@pytest.fixture
def app(github_oidc: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(github_oidc, tmp_path / "app", symlinks=True))


def test_doctor_without_providers_passes(default_project: Path) -> None:
    _, report, _ = doctor(default_project)
    assert check(report, "oauth.secrets")["status"] == "pass"
    assert check(report, "oauth.committed")["status"] == "pass"


def test_doctor_missing_keys_warn_in_development_fail_in_production(app: Path) -> None:
    code, report, _ = doctor(app)
    result = check(report, "oauth.secrets")
    assert result["status"] == "warn" and "GITHUB_CLIENT_SECRET" in result["finding"], result
    assert "not offered" in result["finding"] and code == 0

    for side in ("backend", "frontend"):
        set_env(app / f"{side}/.env", BETTER_AUTH_URL="https://tasks.example.com")
    code, report, _ = doctor(app)
    result = check(report, "oauth.secrets")
    assert result["status"] == "fail" and "refuses to start" in result["finding"] and code == 1, result
    assert "OIDC_ISSUER" in result["finding"] and result["fix"]
    # Deployed means a site other than localhost, https or not: the rule prod.smtp and
    # prod.https use (generator/doctor/facts.py deployed_site), not a second one.
    for side in ("backend", "frontend"):
        set_env(app / f"{side}/.env", BETTER_AUTH_URL="http://tasks.internal:3000")
    _, report, _ = doctor(app)
    assert check(report, "oauth.secrets")["status"] == "fail", check(report, "oauth.secrets")

    keys = {k: f"value-{i}-{A_SECRET}" for i, k in enumerate([*NEED_VALUE["github"], *NEED_VALUE["oidc"]])}
    set_env(app / "frontend/.env", **keys)
    _, report, stdout = doctor(app)
    assert check(report, "oauth.secrets")["status"] == "pass", check(report, "oauth.secrets")
    assert check(report, "oauth.committed")["status"] == "pass"
    assert A_SECRET not in stdout, "doctor never prints a secret"


@pytest.mark.parametrize(
    ("where", "line"),
    [
        ("deploy/prod.env.txt", f"GITHUB_CLIENT_SECRET={A_SECRET}"),
        ("compose.override.yaml", f"      OIDC_CLIENT_SECRET: '{A_SECRET}'"),
        ("scripts/run.sh", f'export GOOGLE_CLIENT_SECRET="{A_SECRET}"'),
    ],
)
def test_doctor_fails_on_a_committed_client_secret(app: Path, where: str, line: str) -> None:
    path = app / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# settings\n{line}\n")
    git(app, "add", where)
    git(app, "commit", "-q", "-m", "add settings")
    code, report, stdout = doctor(app)
    result = check(report, "oauth.committed")
    assert result["status"] == "fail" and where in result["finding"] and "tracked" in result["finding"], result
    assert code == 1 and A_SECRET not in stdout

    git(app, "rm", "-q", where)  # gone from the tree, still in history
    git(app, "commit", "-q", "-m", "remove it")
    _, report, stdout = doctor(app)
    result = check(report, "oauth.committed")
    assert result["status"] == "fail" and "added in" in result["finding"], result
    assert A_SECRET not in stdout


@pytest.mark.parametrize(
    "line",
    [
        "GITHUB_CLIENT_SECRET=",
        "GITHUB_CLIENT_SECRET=  # from the OAuth app",
        "      GITHUB_CLIENT_SECRET: ${GITHUB_CLIENT_SECRET}",
        "  clientSecret: process.env.GITHUB_CLIENT_SECRET,",
        "GITHUB_CLIENT_SECRET=<your client secret>",
        "    OIDC_CLIENT_SECRET: oidc.clientSecret,",  # code (e2e/harness.mjs), not a YAML setting
    ],
)
def test_doctor_accepts_empty_and_referenced_client_secrets(app: Path, line: str) -> None:
    (app / "notes.txt").write_text(line + "\n")
    git(app, "add", "notes.txt")
    git(app, "commit", "-q", "-m", "notes")
    _, report, _ = doctor(app)
    assert check(report, "oauth.committed")["status"] == "pass", check(report, "oauth.committed")


def test_doctor_fresh_social_project_commits_no_secret(github_oidc: Path) -> None:
    """`bafa new`'s first commit holds the .env.example (keys empty), never a .env."""
    _, report, _ = doctor(github_oidc)
    assert check(report, "oauth.committed")["status"] == "pass"
    assert check(report, "git.history")["status"] == "pass"
