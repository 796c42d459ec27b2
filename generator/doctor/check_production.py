"""prod.https, prod.cookies, prod.debug, lifetime.jwt, lifetime.session: production settings."""

from __future__ import annotations

import re

from generator.doctor.facts import Facts, backend_auth_url, backend_origins, frontend_auth_url
from generator.doctor.model import Check, failed, passed, skipped, warned
from generator.rules import is_https, is_local

JWT_MINUTES = (1, 60)
SESSION_DAYS = (1, 90)
_SECURE_COOKIES = re.compile(r"useSecureCookies\s*:\s*([^,\n}]+)")
_TRUE = {"1", "true", "yes", "on"}


def check_https(facts: Facts) -> Check:
    project = facts.project
    urls = [s for s in (backend_auth_url(project), frontend_auth_url(project)) if s is not None]
    origins = backend_origins(facts)
    candidates = [(str(s.value), s.source) for s in urls]
    candidates += [(o, origins.source) for o in (origins.value or [])] if origins else []
    plain = sorted(
        {f"{url} ({source})" for url, source in candidates if url.startswith("http://") and not is_local(url)}
    )
    if plain:
        return warned(
            "prod.https",
            f"http on a non-localhost host: {', '.join(plain)}",
            "serve Better Auth and the frontend over https and use https:// URLs in the .env files",
        )
    if not candidates:
        return skipped("prod.https", "no BETTER_AUTH_URL or origins found")
    return passed("prod.https", "URLs are https, or http on localhost only (development)")


def check_cookies(facts: Facts) -> Check:
    project = facts.project
    auth_ts = project.frontend / "lib" / "auth.ts" if project.frontend else None
    if auth_ts is None or not auth_ts.is_file():
        return skipped("prod.cookies", "no frontend lib/auth.ts found: cookie settings not checked")
    match = _SECURE_COOKIES.search(auth_ts.read_text(encoding="utf-8", errors="replace"))
    url = frontend_auth_url(project) or backend_auth_url(project)
    https = url is not None and is_https(str(url.value))
    where = project.rel(auth_ts)
    if match is None:
        return passed("prod.cookies", f"{where} leaves useSecureCookies to Better Auth (Secure when the URL is https)")
    value = match.group(1).strip()
    if value != "false":
        return passed("prod.cookies", f"{where}: useSecureCookies: {value}")
    finding = f"{where} sets useSecureCookies: false: session cookies are sent over plain http"
    fix = 'derive it from the URL: useSecureCookies: baseURL.startsWith("https://")'
    return failed("prod.cookies", finding, fix) if https else warned("prod.cookies", finding, fix)


def check_debug(facts: Facts) -> Check:
    env = facts.project.backend_env
    if facts.app is not None and facts.app.data.get("debug"):
        return failed(
            "prod.debug",
            "the FastAPI app runs with debug=True: tracebacks are sent to clients",
            "remove debug=True from FastAPI(...)",
        )
    if env.exists and (env.get("DEBUG") or "").strip().lower() in _TRUE:
        return warned(
            "prod.debug", f"{env.relative} sets DEBUG={env.get('DEBUG')}", f"remove DEBUG from {env.relative}"
        )
    if facts.app is None or facts.app.import_error:
        return skipped("prod.debug", "the app was not imported: debug not checked")
    return passed("prod.debug", "the FastAPI app runs with debug off")


def _lifetime(facts: Facts, check_id: str, key: str, bounds: tuple[int, int], unit: str) -> Check:
    value = facts.project.answers.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return skipped(check_id, f"{key} not in .copier-answers.yml: lifetime unknown")
    low, high = bounds
    if not low <= value <= high:
        return warned(
            check_id,
            f"{key} is {value} {unit} (sane range {low}-{high} {unit})",
            f"choose {low}-{high} {unit} for {key} and re-render (copier update -d {key}=N)",
        )
    return passed(check_id, f"{key} is {value} {unit} (within {low}-{high})")


def check_jwt_lifetime(facts: Facts) -> Check:
    return _lifetime(facts, "lifetime.jwt", "jwt_ttl_minutes", JWT_MINUTES, "min")


def check_session_lifetime(facts: Facts) -> Check:
    return _lifetime(facts, "lifetime.session", "session_ttl_days", SESSION_DAYS, "days")
