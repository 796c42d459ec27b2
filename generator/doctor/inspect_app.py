"""Inspect a FastAPI backend from the inside; run by `bafa doctor` with the project's Python.

Usage: python inspect_app.py BACKEND_DIR [MODULE:ATTR [--factory]]
(prints one JSON document after the marker line)

MODULE:ATTR is the application the project's start command serves (what uvicorn imports);
without it the usual places are tried.

Standalone on purpose: it imports nothing from bafa, only the project (and what the project
itself imports), so it runs in the project's own virtual environment. It sets a random strong
BETTER_AUTH_SECRET first, so the app imports without backend/.env, then reports:

- the routes and whether each one's dependency tree contains get_current_user;
- the CORS middleware options and app.debug;
- Settings.JWT_ALGORITHMS, and what verify_token does with crafted tokens (valid, no exp,
  alg=none, wrong signature). Tokens are built here with hmac: no JWT library needed;
- the app's own verdict on backend/.env's values (a JSON object on stdin, never argv): each
  field its Settings refuse, with the app's message (which never repeats the value).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import importlib
import inspect
import json
import os
import secrets
import sys
import time
import traceback

MARKER = "--- bafa-inspect ---"
AUTH_DEPENDENCY = "get_current_user"
# The token check get_current_user is built on: a route may take the verified token as it is
# (DELETE /api/me, deleting a deleted user's data again); it requires a valid token all the same.
AUTH_DEPENDENCIES = (AUTH_DEPENDENCY, "get_token_user")
APP_CANDIDATES = (("app.main", "app"), ("main", "app"), ("app.factory", "create_app"))
PROJECT_PACKAGES = {"app", "main", "tests"}  # a missing module outside these is a dependency


def _missing_dependency(exc: BaseException) -> str | None:
    """The top-level name of a third-party module that is not installed, if that is the error."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        if top not in PROJECT_PACKAGES:
            return top
    return None


def _last_line(exc: BaseException) -> str:
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def _load_app(spec: str | None, factory: bool) -> tuple[object | None, str, str | None, str | None]:
    """(app, where it came from, error's last line, a missing third-party module)."""
    candidates = [tuple(spec.split(":", 1))] if spec else list(APP_CANDIDATES)
    for module_name, attr in candidates:
        call = factory or (not spec and attr == "create_app")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not spec and exc.name and module_name.startswith(exc.name):
                continue  # this layout is not used; try the next one
            return None, module_name, _last_line(exc), _missing_dependency(exc)
        except BaseException as exc:  # noqa: BLE001 - SystemExit from app.main included
            return None, module_name, _last_line(exc), _missing_dependency(exc)
        target = getattr(module, attr, None)
        if target is None:
            if spec:
                return None, f"{module_name}:{attr}", f"{module_name} has no attribute {attr!r}", None
            continue
        try:
            app = target() if call else target
        except BaseException as exc:  # noqa: BLE001
            return None, f"{module_name}:{attr}", _last_line(exc), _missing_dependency(exc)
        return app, f"{module_name}:{attr}", None, None
    return None, "", "no app.main:app, main:app or app.factory:create_app found", None


def _auth_callable() -> tuple[object, ...]:
    try:
        deps = importlib.import_module("app.api.deps").__dict__
    except BaseException:  # noqa: BLE001
        return ()
    return tuple(deps[name] for name in AUTH_DEPENDENCIES if name in deps)


def _requires_auth(dependant: object, target: tuple[object, ...], seen: set[int]) -> bool:
    for sub in getattr(dependant, "dependencies", None) or []:
        call = getattr(sub, "call", None)
        if call is not None and (
            any(call is t for t in target) or getattr(call, "__name__", None) in AUTH_DEPENDENCIES
        ):
            return True
        if id(sub) not in seen:
            seen.add(id(sub))
            if _requires_auth(sub, target, seen):
                return True
    return False


def _route_items(routes: list, prefix: str):
    try:  # FastAPI >= 0.120 wraps included routers; this expands them
        from fastapi.routing import iter_route_contexts
    except ImportError:
        iter_route_contexts = None
    items = iter_route_contexts(routes) if iter_route_contexts else routes
    for route in items:
        original = getattr(route, "original_route", route)
        path = getattr(route, "path", None) or ""
        sub_app = getattr(original, "app", None)
        if type(original).__name__ in ("Mount", "Host"):
            inner = getattr(sub_app, "routes", None)
            if inner is not None:
                yield from _route_items(list(inner), prefix + path)
            else:
                yield {"path": prefix + path, "methods": [], "kind": "mount", "dependant": None}
            continue
        kind = "websocket" if "WebSocket" in type(original).__name__ else "http"
        yield {
            "path": prefix + path,
            "methods": sorted(getattr(route, "methods", None) or []),
            "kind": kind,
            "dependant": getattr(route, "dependant", None),
        }


def _routes(app: object) -> list[dict]:
    target = _auth_callable()
    found = []
    for item in _route_items(list(getattr(app, "routes", [])), ""):
        dependant = item.pop("dependant")
        item["inspectable"] = dependant is not None
        item["requires_auth"] = dependant is not None and _requires_auth(dependant, target, set())
        found.append(item)
    return found


def _cors(app: object) -> dict | None:
    for middleware in getattr(app, "user_middleware", []) or []:
        cls = getattr(middleware, "cls", None)
        if getattr(cls, "__name__", "") == "CORSMiddleware":
            options = getattr(middleware, "kwargs", None) or getattr(middleware, "options", None) or {}
            return {
                "allow_origins": list(options.get("allow_origins", []) or []),
                "allow_origin_regex": options.get("allow_origin_regex"),
                "allow_credentials": bool(options.get("allow_credentials", False)),
            }
    return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token(header: dict, claims: dict, key: str | None) -> str:
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    if key is None:
        return signing_input + "."
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def _make_settings(config: object) -> object:
    settings_cls = getattr(config, "Settings", None)
    if settings_cls is not None:
        with contextlib.suppress(Exception):
            return settings_cls(_env_file=None)
        with contextlib.suppress(Exception):
            return settings_cls()
    get_settings = getattr(config, "get_settings", None)
    return get_settings() if get_settings else None


def _call_verify(verify: object, token: str, settings: object) -> str | None:
    """None when the token was accepted, else the rejection's last line."""
    try:
        params = len(inspect.signature(verify).parameters)  # type: ignore[arg-type]
        result = verify(token, settings) if params >= 2 else verify(token)  # type: ignore[operator]
        if inspect.isawaitable(result):
            asyncio.run(result)
    except BaseException as exc:  # noqa: BLE001 - any exception is a rejection
        return _last_line(exc)
    return None


def _jwt(secret: str) -> dict:
    report: dict = {"algorithms": None, "probes": None, "error": None}
    try:
        config = importlib.import_module("app.core.config")
        security = importlib.import_module("app.core.security")
    except BaseException as exc:  # noqa: BLE001
        report["error"] = f"app.core.config / app.core.security not importable: {_last_line(exc)}"
        report["missing_dependency"] = _missing_dependency(exc)
        return report
    settings_cls = getattr(config, "Settings", None)
    algorithms = getattr(settings_cls, "JWT_ALGORITHMS", None)
    if algorithms is not None:
        report["algorithms"] = [str(a) for a in algorithms]
    verify = getattr(security, "verify_token", None)
    if verify is None:
        report["error"] = "app.core.security has no verify_token"
        return report
    try:
        settings = _make_settings(config)
    except BaseException as exc:  # noqa: BLE001
        report["error"] = f"settings cannot be built: {_last_line(exc)}"
        return report
    url = getattr(settings, "BETTER_AUTH_URL", None) or "http://localhost:3000"
    secret = getattr(settings, "BETTER_AUTH_SECRET", None) or secret
    now = int(time.time())
    audience = getattr(settings, "JWT_AUDIENCE", None) or url
    base = {"sub": "bafa-doctor-user", "id": "bafa-doctor-user", "iat": now, "iss": url, "aud": audience}
    hs256 = {"alg": "HS256", "typ": "JWT"}
    tokens = {
        "valid": _token(hs256, {**base, "exp": now + 300}, secret),
        "no_exp": _token(hs256, base, secret),
        "alg_none": _token({"alg": "none", "typ": "JWT"}, {**base, "exp": now + 300}, None),
        "wrong_signature": _token(hs256, {**base, "exp": now + 300}, secret[::-1] + "x"),
    }
    report["probes"] = {name: _call_verify(verify, token, settings) for name, token in tokens.items()}
    return report


def _settings(values: dict) -> dict:
    """The fields Settings refuse when given VALUES (as backend/.env holds them), with the app's
    messages; {} when it accepts them all."""
    report: dict = {"problems": None, "error": None}
    try:
        settings_cls = importlib.import_module("app.core.config").Settings
        from pydantic import ValidationError
    except BaseException as exc:  # noqa: BLE001
        report["error"] = f"app.core.config.Settings not importable: {_last_line(exc)}"
        return report
    fields = getattr(settings_cls, "model_fields", {})
    try:
        settings_cls(_env_file=None, **{k: v for k, v in values.items() if k in fields})
    except ValidationError as exc:
        report["problems"] = {
            ".".join(str(part) for part in error["loc"]) or "settings": error["msg"].removeprefix("Value error, ")
            for error in exc.errors(include_input=False, include_url=False)
        }
        return report
    except BaseException as exc:  # noqa: BLE001
        report["error"] = _last_line(exc)
        return report
    report["problems"] = {}
    return report


def main() -> None:
    backend = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    given = sys.stdin.read() if not sys.stdin.isatty() else ""
    values = json.loads(given) if given.strip() else None
    secret = "bafa-doctor-" + secrets.token_urlsafe(48)
    os.environ["BETTER_AUTH_SECRET"] = secret
    sys.path.insert(0, backend)
    os.chdir(backend)
    result: dict = {"python": sys.executable}
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # whatever the app prints must not corrupt the JSON
    try:
        spec = sys.argv[2] if len(sys.argv) > 2 else None
        app, source, error, missing = _load_app(spec, factory="--factory" in sys.argv[3:])
        result.update(app_source=source, import_error=error, missing_dependency=missing)
        if app is not None:
            result.update(routes=_routes(app), cors=_cors(app), debug=bool(getattr(app, "debug", False)))
            result["docs_urls"] = [
                getattr(app, name, None)
                for name in ("docs_url", "redoc_url", "openapi_url", "swagger_ui_oauth2_redirect_url")
            ]
        result["jwt"] = _jwt(secret)
        if isinstance(values, dict):
            result["settings"] = _settings(values)
    finally:
        sys.stdout = real_stdout
    print(MARKER)
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
