"""End-to-end: a generated project's real Better Auth server and real FastAPI backend.

For each api_style, generate a project, install its frontend (once: node_modules is shared
between variants through hard links, the lock files being identical), build it, and run the
project's own end-to-end tests (frontend/e2e: API level, then a real Chromium).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import jwt
import pytest
import yaml
from processes import build_frontend, free_port, install_node_modules, require_node, run, stop, wait_http

from conftest import IN_CI, REPO, clean_env, generate, run_bafa, snapshot

ARTIFACTS = REPO / "artifacts" / "e2e"


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Node.js is here, and the default frontend's node_modules is in the cache (installed once)."""
    require_node()
    install_node_modules(generate(tmp_path_factory.mktemp("npm") / "npm-app") / "frontend")


def _node_test_counts(output: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"^# (pass|fail|skipped|cancelled|todo) (\d+)$", output, re.M)}


def _node_test_failures(output: str) -> str:
    """Each failing node:test subtest with its YAML block (the error, the stack), in order: a long
    run's tail alone often cuts the one that failed off (TAP prints it where it ran)."""
    block = re.compile(r"^( *)not ok \d+ - .*?(?:\n\1  ---\n.*?\n\1  \.\.\.$|$)", re.M | re.S)
    found = [m.group(0) for m in block.finditer(output)]
    return "\n".join(found)


def run_node_tests(frontend: Path, args: list[str], artifacts: Path, timeout: int) -> dict[str, int]:
    """Runs the project's own end-to-end tests (node:test) against its real servers; fails with
    the failing subtests first, then the output's tail. Returns the TAP counts."""
    shutil.rmtree(artifacts, ignore_errors=True)
    env = {k: v for k, v in clean_env().items() if not k.startswith("SMTP_")}
    env |= {"BACKEND_PYTHON": sys.executable, "E2E_ARTIFACTS_DIR": str(artifacts)}
    result = subprocess.run(args, cwd=frontend, env=env, capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    counts = _node_test_counts(output)
    assert result.returncode == 0 and counts.get("fail") == 0, (
        f"failing:\n{_node_test_failures(output)[-12000:]}\n\ntail:\n{output[-4000:]}"
    )
    if IN_CI:
        assert counts.get("skipped", 0) == 0, f"CI must run the browser tests: {counts}\n{output[-4000:]}"
    return counts


def test_a_failing_subtest_is_reported_even_when_far_from_the_tail() -> None:
    ok = "".join(f"    ok {i} - fine {i}\n      ---\n      duration_ms: 1\n      ...\n" for i in range(400))
    failing = (
        "    not ok 7 - too many sign-in attempts\n      ---\n      duration_ms: 3001\n"
        "      error: 'waitForFunction: Timeout 3000ms exceeded.'\n      stack: |-\n        at x.mjs:1\n      ...\n"
    )
    output = f"# Subtest: suite\n{ok}{failing}{ok}not ok 1 - suite\n  ---\n  duration_ms: 9\n  ...\n# fail 1\n"
    report = _node_test_failures(output)
    assert "waitForFunction: Timeout 3000ms exceeded." in report and "at x.mjs:1" in report
    assert report.index("not ok 7") < report.index("not ok 1 - suite")
    assert "fine" not in report
    assert "waitForFunction" not in output[-10000:]  # what the old tail-only message showed


E2E_VARIANTS = [("shared_secret", "flat"), ("shared_secret", "user_path"), ("jwks", "flat")]
# What the UI says when something goes wrong and the account emails are the same code in every
# variant (the guard below proves it): they run on one variant, the one without social code, so
# the three variants take about as long each (CI time). Everything a variant changes — how the
# token is signed, the tasks URL, the social providers — runs on every variant.
ONE_VARIANT = {"e2e/browser-messages.test.mjs", "e2e/account-emails.test.mjs"}
ONE_VARIANT_RUNS_ON = ("shared_secret", "flat")
# The only frontend files that differ between the variants above (social code aside): what the
# all-variant tests (api, browser, account, social) exercise.
VARIANT_FILES = {
    *(".env", "e2e/project.mjs", "lib/tasks-url.ts", "lib/jwt-signing.ts"),
    *("lib/auth-modes/jwks.ts", "lib/auth-modes/shared_secret.ts"),
}


def test_the_one_variant_e2e_files_test_code_every_variant_shares(tmp_path: Path) -> None:
    """If a frontend file starts to differ between auth modes or API styles, the one-variant
    end-to-end files no longer test it everywhere: run them on every variant, or keep the
    difference in the variant modules that the other e2e files test on each."""
    trees = {}
    for auth_mode, api_style in E2E_VARIANTS:
        dest = tmp_path / f"{auth_mode}-{api_style}"
        made = run_bafa("new", str(dest), "--defaults", "--no-git", "--data", f"auth_mode={auth_mode}",
                        "--data", f"api_style={api_style}")  # fmt: skip
        assert made.returncode == 0, made.stderr
        trees[(auth_mode, api_style)] = snapshot(dest / "frontend")
    base = trees[ONE_VARIANT_RUNS_ON]
    for variant, tree in trees.items():
        differing = {name for name in base.keys() | tree.keys() if base.get(name) != tree.get(name)}
        outside = sorted(n for n in differing if n not in VARIANT_FILES)
        assert not outside, f"{variant} differs from {ONE_VARIANT_RUNS_ON} in {outside}"
    tests = {f"e2e/{p.name}" for p in (tmp_path / "shared_secret-flat/frontend/e2e").glob("*.test.mjs")}
    assert tests >= ONE_VARIANT


@pytest.mark.slow
@pytest.mark.parametrize(("auth_mode", "api_style"), E2E_VARIANTS)
def test_generated_project_end_to_end(tmp_path: Path, node_modules: None, auth_mode: str, api_style: str) -> None:
    # Social sign-in rides on existing variants instead of variants of their own (CI time): all
    # three providers on shared_secret-user_path (the backend also checks the token's sub against
    # the user id in the URL), the OpenID Connect one on jwks-flat (an EdDSA token), none on
    # shared_secret-flat (the project without social code). e2e/social.test.mjs signs in through a
    # real local OpenID Connect provider.
    providers = {"user_path": '["github","google","oidc"]', "flat": '["oidc"]' if auth_mode == "jwks" else ""}
    social = [f"oauth_providers={providers[api_style]}"] if providers[api_style] else []
    project = generate(
        tmp_path / f"e2e-{auth_mode}-{api_style}", f"auth_mode={auth_mode}", f"api_style={api_style}", *social
    )
    frontend = project / "frontend"
    install_node_modules(frontend)
    # `next build` type-checks every file of tsconfig.json, as `npm run typecheck` does (a type
    # error in a file no page imports fails it too): one pass, not two.
    build_frontend(frontend)

    artifacts = ARTIFACTS / f"{auth_mode}-{api_style}"
    everything = (auth_mode, api_style) == ONE_VARIANT_RUNS_ON
    files = sorted(f"e2e/{p.name}" for p in (frontend / "e2e").glob("*.test.mjs"))
    files = files if everything else [f for f in files if f not in ONE_VARIANT]
    command = ["node", "--test", "--test-concurrency=1", *files]
    assert "node --test --test-concurrency=1 e2e/" in (frontend / "package.json").read_text()  # what npm runs
    counts = run_node_tests(frontend, command, artifacts, timeout=900)
    assert counts.get("pass", 0) >= 14, f"too few end-to-end tests ran: {counts}"
    if counts.get("skipped", 0) == 0:
        shots = sorted(p.name for p in artifacts.glob("*.png"))
        assert len(shots) >= 7, shots


@pytest.mark.slow
def test_email_verification_required_end_to_end(tmp_path: Path, node_modules: None) -> None:
    """require_email_verification=true: sign-up gives no session, sign-in is refused until the
    emailed link is followed, sign-up leads to "Check your inbox" (a real maildev, real Chromium).
    Only the account-email tests run here: the variants above run them with the default answer."""
    project = generate(tmp_path / "e2e-verified", "require_email_verification=true")
    frontend = project / "frontend"
    install_node_modules(frontend)
    build_frontend(frontend)
    counts = run_node_tests(
        frontend,
        ["node", "--test", "--test-concurrency=1", "e2e/account-emails.test.mjs"],
        ARTIFACTS / "require-email-verification",
        timeout=600,
    )
    assert counts.get("pass", 0) >= (5 if counts.get("skipped", 0) == 0 else 3), counts


@pytest.mark.slow
def test_bootstrapped_services_trust_one_real_issuer(tmp_path: Path, node_modules: None) -> None:
    """Two backend-only services from one manifest accept a real Better Auth server's EdDSA tokens,
    and deleting the account there deletes the user's rows in both (ACCOUNT_BACKENDS)."""
    issuer = generate(tmp_path / "issuer", "auth_mode=jwks")
    frontend = issuer / "frontend"
    install_node_modules(frontend)
    build_frontend(frontend)

    auth_port, ports = free_port(), [free_port(), free_port()]
    auth_url = f"http://127.0.0.1:{auth_port}"
    auth_env = {
        **os.environ,
        "NODE_ENV": "production",
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(48),
        "BETTER_AUTH_URL": auth_url,
        "TRUSTED_ORIGINS": auth_url,
        "BACKEND_URL": f"http://127.0.0.1:{ports[0]}",
        "DATABASE_URL": str(tmp_path / "auth.db"),
        # Deleting an account reaches every service (frontend/lib/account-deletion.ts).
        "ACCOUNT_BACKENDS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
    }
    run(["npm", "run", "migrate"], cwd=frontend, env=auth_env)

    manifest = tmp_path / "services.yml"
    manifest.write_text(
        yaml.safe_dump(
            {
                "issuer": {"url": auth_url, "mode": "jwks", "jwt_algorithm": "EdDSA"},
                "origins": [auth_url],
                "services": [{"name": "billing", "port": ports[0]}, {"name": "reports", "port": ports[1]}],
            }
        )
    )
    result = run_bafa("bootstrap", str(manifest), "--into", str(tmp_path / "services"))
    assert result.returncode == 0, result.stderr
    assert "2 created, 0 skipped" in result.stdout

    processes: list[subprocess.Popen] = []
    try:
        log = tmp_path / "auth.log"
        processes.append(
            subprocess.Popen(
                ["node", "server.mjs", "--hostname", "127.0.0.1", "--port", str(auth_port)],
                cwd=frontend,
                env=auth_env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
        wait_http(f"{auth_url}/api/auth/ok", processes[-1], log)
        service_urls = []
        for name, port in zip(("billing", "reports"), ports, strict=True):
            service_log = tmp_path / f"{name}.log"
            backend = tmp_path / "services" / name / "backend"
            run([sys.executable, "-m", "alembic", "upgrade", "heads"], cwd=backend, env=clean_env())
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
                    cwd=tmp_path / "services" / name / "backend",
                    env=clean_env(),
                    stdout=service_log.open("w"),
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
            wait_http(f"http://127.0.0.1:{port}/health", processes[-1], service_log)
            service_urls.append(f"http://127.0.0.1:{port}")

        password = "pw-" + secrets.token_urlsafe(9)
        with httpx.Client(timeout=10) as http:
            signed_up = http.post(
                f"{auth_url}/api/auth/sign-up/email",
                json={"email": "ops@example.test", "password": password, "name": "Ops"},
                headers={"Origin": auth_url},
            )
            assert signed_up.status_code == 200, signed_up.text
            token = http.get(f"{auth_url}/api/auth/token").json()["token"]
            assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
            bearer = {"Authorization": f"Bearer {token}"}
            user_id = signed_up.json()["user"]["id"]
            for url in service_urls:
                me = http.get(f"{url}/api/me", headers=bearer)
                assert me.status_code == 200, me.text
                assert me.json()["id"] == user_id
            created = http.post(f"{service_urls[0]}/api/tasks", json={"title": "invoice"}, headers=bearer)
            assert created.status_code == 201, created.text
            assert http.get(f"{service_urls[1]}/api/tasks", headers=bearer).json() == [], (
                "each service has its own data"
            )
            forged = jwt.encode({"sub": user_id, "iat": int(time.time()), "exp": int(time.time()) + 60}, "x" * 48)
            for url in service_urls:
                refused = http.get(f"{url}/api/me", headers={"Authorization": f"Bearer {forged}"})
                assert refused.status_code == 401

            # Delete the account: both services delete the user's rows and refuse the still-valid token.
            created = http.post(f"{service_urls[1]}/api/tasks", json={"title": "report"}, headers=bearer)
            assert created.status_code == 201, created.text
            databases = [tmp_path / "services" / name / "backend" / "app.db" for name in ("billing", "reports")]
            assert [_rows_of(db, user_id) for db in databases] == [1, 1]
            deleted = http.post(
                f"{auth_url}/api/auth/delete-user", json={"password": password}, headers={"Origin": auth_url}
            )
            assert deleted.status_code == 200, deleted.text
            # The frontend calls every backend at once, before it answers.
            assert [_rows_of(db, user_id) for db in databases] == [0, 0]
            for url in service_urls:
                gone = http.get(f"{url}/api/tasks", headers=bearer)
                assert gone.status_code == 401 and gone.headers["www-authenticate"].startswith("Bearer"), gone.text
    finally:
        stop(processes)


def _rows_of(database: Path, user_id: str) -> int:
    """The user's task rows in a service's SQLite database, read from the file itself."""
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute("SELECT count(*) FROM task WHERE user_id = ?", (user_id,)).fetchone()[0]
