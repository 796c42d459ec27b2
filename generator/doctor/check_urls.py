"""url.match and cors.*: issuer/audience agreement and the backend's CORS origins."""

from __future__ import annotations

from urllib.parse import urlsplit

from generator.doctor.facts import (
    Facts,
    backend_auth_url,
    backend_env_problem,
    backend_origins,
    frontend_auth_url,
    frontend_origins,
)
from generator.doctor.model import Check, failed, passed, skipped, warned
from generator.rules import is_https, is_local, origin_problem, url_problem


def check_url_match(facts: Facts) -> Check:
    project = facts.project
    backend = backend_auth_url(project)
    frontend = frontend_auth_url(project) if project.frontend is not None else None
    found = [s for s in (backend, frontend) if s is not None]
    if not found:
        return skipped("url.match", "BETTER_AUTH_URL not found in any .env or .env.example file")
    for sourced in found:
        if sourced.source == project.backend_env.relative:
            problem = backend_env_problem(facts, "BETTER_AUTH_URL", url_problem)
        else:
            problem = url_problem(str(sourced.value))
        if problem:
            return failed(
                "url.match",
                f"BETTER_AUTH_URL in {sourced.source} {problem}",
                "use the Better Auth base URL without a trailing slash, e.g. http://localhost:3000",
            )
    if backend is None or frontend is None:
        side = "frontend" if frontend is None else "backend"
        return skipped("url.match", f"no {side} BETTER_AUTH_URL found: nothing to compare")
    if backend.value != frontend.value:
        return failed(
            "url.match",
            f"BETTER_AUTH_URL differs: {backend.value} ({backend.source}) vs {frontend.value} ({frontend.source});"
            " tokens get 401 invalid issuer/audience",
            "set the same BETTER_AUTH_URL in both .env files (it is the token's iss and aud), restart both",
        )
    return passed("url.match", f"BETTER_AUTH_URL {backend.value} is the same in {backend.source} and {frontend.source}")


def check_cors_explicit(facts: Facts) -> Check:
    origins = backend_origins(facts)
    if origins is None:
        return skipped("cors.explicit", "the backend's CORS origins were not found (no app, CORS_ORIGINS or answers)")
    if origins.value is None:
        return passed("cors.explicit", "the app has no CORSMiddleware: browsers refuse every cross-origin call")
    bad = [(o, p) for o in origins.value for p in [origin_problem(o)] if p]
    if bad:
        shown = "; ".join(f"{o!r} is {p}" for o, p in bad)
        return failed(
            "cors.explicit",
            f"CORS origins from {origins.source}: {shown}",
            "list each frontend origin explicitly (https://app.example.com), never * or null",
        )
    cors = facts.app.data.get("cors") if facts.app else None
    regex = cors.get("allow_origin_regex") if cors else None
    if regex:
        return warned(
            "cors.explicit",
            f"CORSMiddleware also allows origins matching the regex {regex!r}: not auditable",
            "replace allow_origin_regex with an explicit allow_origins list",
        )
    return passed("cors.explicit", f"{len(origins.value)} explicit CORS origin(s) from {origins.source}, no * or null")


def check_cors_frontend(facts: Facts) -> Check:
    project = facts.project
    if project.frontend is None:
        return skipped("cors.frontend", "no frontend folder found: frontend origins unknown")
    wanted: list[tuple[str, str]] = []  # (origin, where it was read)
    own = frontend_auth_url(project)
    if own is not None and urlsplit(str(own.value)).netloc:
        # The pages are served from BETTER_AUTH_URL: their origin calls the API first of all.
        parts = urlsplit(str(own.value))
        wanted.append((f"{parts.scheme}://{parts.netloc}", f"{own.source} BETTER_AUTH_URL, the frontend's own origin"))
    trusted = frontend_origins(project)
    if trusted is not None:
        wanted += [(origin, trusted.source) for origin in trusted.value]
    if not wanted:
        return skipped("cors.frontend", "the frontend .env / .env.example has no BETTER_AUTH_URL or TRUSTED_ORIGINS")
    allowed = backend_origins(facts)
    if allowed is None:
        return skipped("cors.frontend", "the backend's CORS origins were not found")
    allowed_list = allowed.value or []
    first_source: dict[str, str] = {}
    for origin, source in wanted:
        first_source.setdefault(origin, source)
    missing = [(o, source) for o, source in first_source.items() if o not in allowed_list]
    if not missing:
        return passed("cors.frontend", f"every frontend origin is allowed by {allowed.source}")
    shown = "; ".join(f"{origin} ({source})" for origin, source in missing)
    return failed(
        "cors.frontend",
        f"{shown} not allowed by the backend ({allowed.source}): the browser blocks its API calls",
        "add the exact origin to CORS_ORIGINS in backend/.env and restart the backend",
    )


def check_cors_https(facts: Facts) -> Check:
    url = backend_auth_url(facts.project)
    if url is None:
        return skipped("cors.https", "BETTER_AUTH_URL not found")
    if not is_https(str(url.value)):
        return passed("cors.https", f"BETTER_AUTH_URL {url.value} is http: https origins not required")
    allowed = backend_origins(facts)
    origins = list(allowed.value or []) if allowed else []
    front = frontend_origins(facts.project)
    origins += [o for o in (front.value if front else []) if o not in origins]
    plain = [o for o in origins if o.lower().startswith("http://")]
    remote = [o for o in plain if not is_local(o)]
    if remote:
        return failed(
            "cors.https",
            f"BETTER_AUTH_URL is https but {', '.join(remote)} is http: cookies and tokens would cross in clear text",
            "serve the frontend over https and list its https:// origin in CORS_ORIGINS and TRUSTED_ORIGINS",
        )
    if plain:
        return warned(
            "cors.https",
            f"BETTER_AUTH_URL is https but development origin(s) {', '.join(plain)} are still allowed",
            "remove localhost origins from the production CORS_ORIGINS and TRUSTED_ORIGINS",
        )
    return passed("cors.https", "BETTER_AUTH_URL and every origin use https")
