"""`bafa token inspect` explains each 401 cause; `bafa token mint` makes tokens the backend accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from conftest import REPO, clean_env, read_env, run_bafa

URL = "http://localhost:3000"
OTHER_SECRET = "Zq8vN2kLw5Rt-Yh3Pj7Xc0Bm9Sd4Fg6Ha1Ue-other"


@pytest.fixture(scope="module")
def secret(default_project: Path) -> str:
    return read_env(default_project / "backend/.env")["BETTER_AUTH_SECRET"]


def craft(
    key: object, *, algorithm: str = "HS256", drop: tuple[str, ...] = (), headers: dict | None = None, **claims: object
) -> str:
    now = int(time.time())
    payload = {"sub": "user-1", "id": "user-1", "email": "a@example.test", "iat": now, "exp": now + 600,
               "iss": URL, "aud": URL, **claims}  # fmt: skip
    for name in drop:
        payload.pop(name)
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def inspect(project: Path, token: str) -> subprocess.CompletedProcess[str]:
    return run_bafa("token", "inspect", token, "--project", str(project))


def unsigned(**claims: object) -> str:
    header = jwt.utils.base64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    body = jwt.utils.base64url_encode(jwt.api_jws.json.dumps({"sub": "u", "iss": URL, "aud": URL, **claims}).encode())
    return f"{header}.{body.decode()}."


DIAGNOSES = [
    ("wrong algorithm", lambda s: craft(s, algorithm="HS512"), "wrong algorithm: the token is HS512"),
    ("alg none", lambda s: unsigned(exp=int(time.time()) + 60), "wrong algorithm: the token is none"),
    ("secret mismatch", lambda s: craft(OTHER_SECRET), "signature does not match BETTER_AUTH_SECRET in backend/.env"),
    ("wrong issuer", lambda s: craft(s, iss="http://localhost:4000"),
     "iss 'http://localhost:4000' differs from BETTER_AUTH_URL 'http://localhost:3000' (backend/.env)"),
    ("wrong audience", lambda s: craft(s, aud="https://api.example.com"),
     "aud 'https://api.example.com' differs from BETTER_AUTH_URL 'http://localhost:3000'"),
    ("expired", lambda s: craft(s, iat=int(time.time()) - 4 * 3600, exp=int(time.time()) - 3 * 3600 - 60),
     "expired 3 h ago"),
    ("not yet valid", lambda s: craft(s, iat=int(time.time()) + 12 * 60 + 30),
     "not yet valid: iat is 12 min in the future"),
    ("nbf in the future", lambda s: craft(s, nbf=int(time.time()) + 3 * 3600 + 60),
     "not yet valid: nbf is 3 h in the future"),
    ("missing sub", lambda s: craft(s, drop=("sub",)), "missing claim: sub"),
    ("missing exp", lambda s: craft(s, drop=("exp",)), "missing claim: exp"),
    ("missing iat", lambda s: craft(s, drop=("iat",)), "missing claim: iat"),
    # The backend's rules that PyJWT alone does not apply (tests/test_rule_parity.py has them all).
    ("blank sub", lambda s: craft(s, sub="   "), "missing claim: sub"),
    ("padded base64url", lambda s: craft(s) + "=", "not three base64url segments without padding"),
    ("exp as a string", lambda s: craft(s, exp=str(int(time.time()) + 600)),
     "invalid claim: exp must be a number of seconds"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "reason"), [d[1:] for d in DIAGNOSES], ids=[d[0] for d in DIAGNOSES])
def test_inspect_explains_the_rejection(default_project: Path, secret: str, make, reason: str) -> None:
    result = inspect(default_project, make(secret))
    assert result.returncode == 1, result.stderr
    assert "verdict: the backend would reject this token" in result.stdout
    assert f"  - {reason}" in result.stdout, result.stdout
    assert secret not in result.stdout + result.stderr


def test_inspect_shows_header_claims_and_human_times(default_project: Path, secret: str) -> None:
    result = inspect(default_project, craft(secret, exp=int(time.time()) - 3 * 3600 - 60))
    assert '{"alg": "HS256", "typ": "JWT"}' in result.stdout
    assert 'sub: "user-1"' in result.stdout and 'email: "a@example.test"' in result.stdout
    assert "expired 3 h ago" in result.stdout and " UTC, " in result.stdout
    fresh = inspect(default_project, craft(secret, exp=int(time.time()) + 10 * 60 + 40))
    assert fresh.returncode == 0 and "expires in 10 min" in fresh.stdout
    assert "verdict: the backend would accept this token" in fresh.stdout


def test_inspect_points_at_the_env_file_that_differs(default_project: Path, tmp_path: Path) -> None:
    project = Path(shutil.copytree(default_project, tmp_path / "app"))
    frontend_secret = read_env(project / "frontend/.env")["BETTER_AUTH_SECRET"]
    env = project / "backend/.env"
    env.write_text(env.read_text().replace(frontend_secret, OTHER_SECRET))
    result = inspect(project, craft(frontend_secret))  # what the frontend would mint
    assert result.returncode == 1
    assert "verifies with frontend/.env's BETTER_AUTH_SECRET: the two .env files differ" in result.stdout
    assert frontend_secret not in result.stdout and OTHER_SECRET not in result.stdout


def test_inspect_reads_stdin_and_bearer_prefix(default_project: Path, secret: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "token", "inspect", "-", "--project", str(default_project)],
        input=f"Bearer {craft(secret)}\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_mint_then_inspect_round_trip(default_project: Path) -> None:
    minted = run_bafa("token", "mint", "--sub", "user-42", "--email", "u@example.test", "--name", "U",
                      "--ttl", "5m", "--project", str(default_project))  # fmt: skip
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == claims["id"] == "user-42" and claims["email"] == "u@example.test" and claims["name"] == "U"
    assert claims["iss"] == claims["aud"] == URL and claims["exp"] - claims["iat"] == 300
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    result = inspect(default_project, token)
    assert result.returncode == 0 and "the backend would accept this token" in result.stdout


def test_minted_token_passes_the_generated_verify_token(default_project: Path) -> None:
    token = run_bafa("token", "mint", "--sub", "user-7", "--project", str(default_project)).stdout.strip()
    script = (
        "import asyncio, sys\n"
        "from app.core.config import get_settings\n"
        "from app.core.security import verify_token\n"
        "print(asyncio.run(verify_token(sys.argv[1], get_settings())).id)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, token], cwd=default_project / "backend", env=clean_env(),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "user-7"


def _copy_with(default_project: Path, tmp_path: Path, relative: str, old: str, new: str) -> Path:
    project = Path(shutil.copytree(default_project, tmp_path / "app"))
    path = project / relative
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    return project


@pytest.mark.parametrize(
    ("relative", "old", "new", "message"),
    [
        (".copier-answers.yml", "auth_mode: shared_secret", "auth_mode: jwks", "not available in jwks mode"),
        (
            "backend/.env",
            f"BETTER_AUTH_URL={URL}",
            "BETTER_AUTH_URL=https://tasks.example.com",
            "looks like production",
        ),
        ("frontend/.env", "DATABASE_URL=", "NODE_ENV=production\nDATABASE_URL=", "NODE_ENV=production"),
        # The generated backend's own switch (attack review: it was ignored).
        ("backend/.env", "DATABASE_URL=", "ENVIRONMENT=production\nDATABASE_URL=", "ENVIRONMENT=production"),
    ],
    ids=["jwks", "https host", "NODE_ENV", "backend ENVIRONMENT"],
)
def test_mint_refuses(default_project: Path, tmp_path: Path, relative: str, old: str, new: str, message: str) -> None:
    project = _copy_with(default_project, tmp_path, relative, old, new)
    result = run_bafa("token", "mint", "--sub", "u", "--project", str(project))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr


def test_inspect_in_jwks_mode_needs_a_kid(default_project: Path, tmp_path: Path) -> None:
    """The signature is not checked in jwks mode (the verdict says so), but a token without a kid
    is refused by every backend: it names no key."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    project = _copy_with(
        default_project, tmp_path, ".copier-answers.yml", "auth_mode: shared_secret", "auth_mode: jwks"
    )
    key = ed25519.Ed25519PrivateKey.generate()
    for headers, verdict in (({"kid": "k1"}, 0), (None, 1)):
        result = inspect(project, craft(key, algorithm="EdDSA", headers=headers))
        assert result.returncode == verdict, result.stdout + result.stderr
        assert "the signature was not checked" in result.stdout
    assert "  - missing key id" in result.stdout


def test_an_invalid_leeway_is_refused_as_the_backend_refuses_it(default_project: Path, tmp_path: Path) -> None:
    project = _copy_with(
        default_project, tmp_path, "backend/.env", "DATABASE_URL=", "JWT_LEEWAY_SECONDS=301\nDATABASE_URL="
    )
    result = inspect(project, craft("k" * 40))
    assert result.returncode == 2 and "JWT_LEEWAY_SECONDS in backend/.env must be a whole number from 0 to 300" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "inspect", "not-a-jwt"], "not a JWT: expected three base64url parts"),
        (["token", "inspect", "a.b.c"], "not a JWT:"),
        (["token", "inspect", "-"], "no token given"),
        (["token", "mint", "--sub", "u", "--ttl", "forever"], "--ttl must look like 15m"),
        (["token", "mint", "--sub", "u", "--ttl", "2d"], "--ttl must be between 1s and 1d"),
    ],
    ids=["not a jwt", "garbage parts", "empty stdin", "bad ttl", "ttl too long"],
)
def test_bad_input_exits_2(default_project: Path, args: list[str], message: str) -> None:
    result = run_bafa(*args, "--project", str(default_project))
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["missing", "not a project"])
def test_unusable_project_exits_2(tmp_path: Path, secret: str, where: str) -> None:
    project = tmp_path / "missing" if where == "missing" else tmp_path
    for args in (["inspect", craft(secret)], ["mint", "--sub", "u"]):
        result = run_bafa("token", *args, "--project", str(project))
        assert result.returncode == 2 and result.stderr.startswith("error: ")
        assert ("does not exist" if where == "missing" else "is not a Better Auth + FastAPI project") in result.stderr


def test_token_help_documents_every_option() -> None:
    for command in (["token", "inspect"], ["token", "mint"], ["doctor"]):
        result = run_bafa(*command, "--help", cwd=REPO)
        assert result.returncode == 0
    mint_help = run_bafa("token", "mint", "--help").stdout
    for option in ("--sub", "--email", "--name", "--ttl", "--project"):
        assert option in mint_help
