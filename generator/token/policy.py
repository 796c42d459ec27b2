"""What the project's backend accepts: mode, algorithms, issuer/audience, leeway and its key.

The key check is a small strategy per auth mode: shared_secret verifies the HMAC with
BETTER_AUTH_SECRET; jwks (generated projects have it) does not check the signature yet: the
verdict says so in a note. Looking the token's kid up in the issuer's JWKS, reporting "unknown
kid" / "JWKS unreachable", would belong in `JwksKeys.problem`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from generator import rules
from generator.errors import BafaError
from generator.project_files import Project, load_project
from generator.secret import SECRET_ENV

_ENV_NAMES = ("ENVIRONMENT", "ENV", "APP_ENV", "NODE_ENV")


@dataclass(frozen=True)
class SharedSecretKey:
    """HS256 with BETTER_AUTH_SECRET; `others` are secrets found elsewhere, for hints only."""

    secret: str | None = field(repr=False)
    source: str
    others: dict[str, str] = field(default_factory=dict, repr=False)

    def problem(self, raw: str, algorithm: str) -> str | None:
        """Why the signature is refused, or None when it verifies."""
        if not self.secret:
            return f"cannot verify the signature: no {SECRET_ENV} in {self.source} (the backend would not start)"
        if _verifies(raw, self.secret, algorithm):
            return None
        message = f"signature does not match {SECRET_ENV} in {self.source}: likely a secret mismatch"
        for where, other in self.others.items():
            if other != self.secret and _verifies(raw, other, algorithm):
                return f"{message} (the token verifies with {where}'s {SECRET_ENV}: the two .env files differ)"
        return message + " (or the token was minted for another environment)"


@dataclass(frozen=True)
class JwksKeys:
    """auth_mode=jwks: the token must name its key (kid); looking the kid up in the JWKS is not
    available in this release."""

    def problem(self, raw: str, algorithm: str) -> str | None:
        import jwt

        kid = jwt.get_unverified_header(raw).get("kid")
        if not isinstance(kid, str) or not kid:
            return "missing key id: the header has no kid, the backend cannot pick the issuer's key"
        return None

    note = "jwks mode: the signature was not checked (kid lookup in the JWKS is not available in this bafa release)"


@dataclass(frozen=True)
class Policy:
    auth_mode: str
    algorithms: tuple[str, ...]
    url: str | None
    url_source: str
    audience: str | None
    audience_source: str
    leeway: int
    keys: SharedSecretKey | JwksKeys
    environment: dict[str, str] = field(default_factory=dict, repr=False)

    def production_reason(self) -> str | None:
        """Why this looks like production (minting is refused there), or None."""
        for name in _ENV_NAMES:
            if self.environment.get(name, "").strip().lower() in {"production", "prod"}:
                return f"{name}={self.environment[name]}"
        if self.url and self.url.startswith("https://") and not rules.is_local(self.url):
            return f"BETTER_AUTH_URL is {self.url} (https on a non-localhost host)"
        return None


def load_policy(path: Path) -> Policy:
    project = load_project(path)
    backend, frontend = project.backend_env, project.frontend_env
    source = backend.relative or "backend/.env"
    url, url_source = _auth_url(project)
    audience, audience_source = _audience(project, url, url_source)
    leeway = rules.parse_leeway(backend.get("JWT_LEEWAY_SECONDS"))
    if leeway is None:
        raise BafaError(
            f"JWT_LEEWAY_SECONDS in {source} must be a whole number from 0 to {rules.MAX_LEEWAY_SECONDS} "
            "(the backend would not start)"
        )
    environment = {**frontend.values, **backend.values, **{k: v for k, v in os.environ.items() if k in _ENV_NAMES}}
    environment = {k: v for k, v in environment.items() if k in _ENV_NAMES}
    if project.auth_mode == "jwks":
        keys: SharedSecretKey | JwksKeys = JwksKeys()
        algorithms: tuple[str, ...] = (str(project.answers.get("jwt_algorithm") or "EdDSA"),)
    else:
        others = {frontend.relative: frontend.get(SECRET_ENV)} if frontend.exists and frontend.get(SECRET_ENV) else {}
        keys = SharedSecretKey(secret=backend.get(SECRET_ENV), source=source, others=others)
        algorithms = ("HS256",)
    return Policy(project.auth_mode, algorithms, url, url_source, audience, audience_source, leeway, keys, environment)


def _auth_url(project: Project) -> tuple[str | None, str]:
    if project.backend_env.get("BETTER_AUTH_URL"):
        return project.backend_env.get("BETTER_AUTH_URL"), project.backend_env.relative
    if project.answers.get("auth_url"):
        return str(project.answers["auth_url"]), ".copier-answers.yml (the backend's default)"
    return None, "nowhere"


def _audience(project: Project, url: str | None, url_source: str) -> tuple[str | None, str]:
    """JWT_AUDIENCE (newer templates), else the answers' jwt_audience, else BETTER_AUTH_URL."""
    audience = project.backend_env.get("JWT_AUDIENCE")
    if audience is not None:
        if rules.audience_problem(audience):
            raise BafaError(f"JWT_AUDIENCE in {project.backend_env.relative} is empty (the backend would not start)")
        return audience, f"{project.backend_env.relative} JWT_AUDIENCE"
    if project.answers.get("jwt_audience"):
        return str(project.answers["jwt_audience"]), ".copier-answers.yml (jwt_audience)"
    return url, url_source


def _verifies(raw: str, secret: str, algorithm: str) -> bool:
    import jwt

    try:
        jwt.decode(
            raw,
            key=secret,
            algorithms=[algorithm],
            options={"verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                     "verify_iss": False, "verify_aud": False, "require": []},
        )  # fmt: skip
    except jwt.InvalidSignatureError:
        return False
    except jwt.InvalidTokenError:
        return True  # the signature was fine; something else is wrong (reported by the claim checks)
    return True
