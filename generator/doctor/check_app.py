"""routes.auth, jwt.algorithms, jwt.verify: what the imported FastAPI app really does."""

from __future__ import annotations

from generator.doctor.facts import Facts
from generator.doctor.model import Check, failed, passed, skipped, warned

PUBLIC_PATHS = {"/health", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"}
_FAMILIES = {"HS": "HMAC", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "EdDSA"}
_IMPORT_FIX = "run `python -c 'import app.main'` in the backend folder with the project's Python and fix the error"


def _not_installed(check_id: str, facts: Facts) -> Check | None:
    """Not run (skip) when the backend's Python lacks its dependencies: nothing is wrong yet."""
    missing = facts.app.missing_dependency if facts.app else None
    if not missing:
        return None
    return skipped(
        check_id,
        f"not run: the backend's dependencies are not installed ({facts.app.python} has no {missing!r})",
        "cd backend && python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'",
    )


def _no_app(check_id: str, facts: Facts) -> Check | None:
    """The skip/fail result when the app could not be inspected, else None."""
    if facts.app is None:
        return skipped(check_id, "no backend folder with an app package found")
    if not_run := _not_installed(check_id, facts):
        return not_run
    if facts.app.import_error:
        source = facts.app.data.get("app_source") or "the app"
        return failed(check_id, f"{source} cannot be imported: {facts.app.import_error}", _IMPORT_FIX)
    return None


def check_routes(facts: Facts) -> Check:
    problem = _no_app("routes.auth", facts)
    if problem:
        return problem
    data = facts.app.data
    public = PUBLIC_PATHS | {p for p in data.get("docs_urls") or [] if p}
    routes = data.get("routes") or []
    open_routes = [r for r in routes if not r["requires_auth"] and r["path"] not in public]
    protected = [r for r in routes if r["requires_auth"]]
    if open_routes:
        shown = ", ".join(f"{' '.join(r['methods']) or r['kind'].upper()} {r['path']}" for r in open_routes[:5])
        more = f" and {len(open_routes) - 5} more" if len(open_routes) > 5 else ""
        return failed(
            "routes.auth",
            f"{len(open_routes)} route(s) without the get_current_user dependency: {shown}{more}",
            "add a `user: CurrentUser` parameter (Depends(get_current_user)) or put it in the router's dependencies",
        )
    if not protected:
        return failed("routes.auth", "no route depends on get_current_user", "protect the API routes with CurrentUser")
    allowed = sorted({r["path"] for r in routes if r["path"] in public})
    return passed(
        "routes.auth",
        f"all {len(protected)} API routes of {data.get('app_source') or 'the app'} require get_current_user "
        f"(public: {', '.join(allowed) or 'none'})",
    )


def _family(algorithm: str) -> str:
    return _FAMILIES.get(algorithm[:2], algorithm)


def check_algorithms(facts: Facts) -> Check:
    if facts.app is None:
        return skipped("jwt.algorithms", "no backend folder with an app package found")
    jwt = facts.app.data.get("jwt") or {}
    algorithms = jwt.get("algorithms")
    if facts.app.error or (algorithms is None and jwt.get("error")):
        return _missing("jwt.algorithms", facts, facts.app.error or jwt["error"])
    if algorithms is None:
        return _missing("jwt.algorithms", facts, "Settings.JWT_ALGORITHMS not found")
    fix = "pin exactly one algorithm: JWT_ALGORITHMS = ('HS256',) in shared_secret mode"
    if not algorithms or any(a.lower() == "none" for a in algorithms):
        return failed("jwt.algorithms", f"JWT_ALGORITHMS {algorithms} allows unsigned tokens (none)", fix)
    families = sorted({_family(a) for a in algorithms})
    if len(families) > 1:
        return failed(
            "jwt.algorithms",
            f"JWT_ALGORITHMS {algorithms} mixes {' and '.join(families)}: algorithm confusion attacks",
            fix,
        )
    hmac = families == ["HMAC"]
    if (facts.project.auth_mode == "jwks") == hmac:
        return failed(
            "jwt.algorithms",
            f"JWT_ALGORITHMS {algorithms} does not fit auth_mode {facts.project.auth_mode}",
            "shared_secret verifies HS256; jwks verifies the asymmetric algorithm of the published keys",
        )
    return passed("jwt.algorithms", f"JWT_ALGORITHMS pinned to {', '.join(algorithms)}")


def _missing(check_id: str, facts: Facts, why: str) -> Check:
    if not_run := _not_installed(check_id, facts):
        return not_run
    if facts.project.generated:
        return failed(check_id, why, "restore app/core/config.py and app/core/security.py from the template")
    return skipped(check_id, f"{why} (hand-written backend)")


_PROBES = {
    "no_exp": "a token without exp",
    "alg_none": "an alg=none (unsigned) token",
    "wrong_signature": "a token signed with another secret",
}


def check_verify(facts: Facts) -> Check:
    if facts.app is None:
        return skipped("jwt.verify", "no backend folder with an app package found")
    jwt = facts.app.data.get("jwt") or {}
    probes = jwt.get("probes")
    if facts.app.error or probes is None:
        return _missing("jwt.verify", facts, facts.app.error or jwt.get("error") or "verify_token not probed")
    accepted = [text for name, text in _PROBES.items() if probes.get(name) is None]
    if accepted:
        return failed(
            "jwt.verify",
            f"verify_token accepted {', '.join(accepted)}",
            "decode with algorithms pinned and options={'require': ['exp', 'iat', 'sub']} (see the template)",
        )
    if facts.project.auth_mode == "jwks":
        return skipped(
            "jwt.verify",
            "jwks mode: unsigned and foreign-signature tokens are rejected; the exp requirement needs the "
            "issuer's private key to probe",
        )
    if probes.get("valid") is not None:
        return warned(
            "jwt.verify",
            f"verify_token also rejected a well-formed token ({probes['valid']}): the probe is inconclusive",
            "check that verify_token reads BETTER_AUTH_SECRET and BETTER_AUTH_URL from Settings",
        )
    return passed(
        "jwt.verify", "verify_token rejects tokens without exp, alg=none and bad signatures; accepts a good one"
    )
