"""`bafa bootstrap MANIFEST`: generate several backend-only services that trust one issuer.

The manifest is the single place that names the issuer, the browser origins and the
services; every service is rendered from it. The whole manifest is validated, and every new
service rendered into a staging folder, before anything is moved into place: a bad manifest
or a failed render writes nothing. Services whose folder already exists are skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.answers import read_yaml
from generator.errors import BafaError

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,49}$")
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?$")
ALGORITHMS = ("EdDSA", "ES256", "RS256")
TOP_KEYS = {"issuer", "origins", "defaults", "services"}
ISSUER_KEYS = {"url", "audience", "mode", "jwt_algorithm"}
SERVICE_KEYS = {"name", "port", "description", "answers"}
# Answers a manifest may set for every service (defaults) or one (answers).
FREE_ANSWERS = {"api_style", "ownership_error", "jwt_ttl_minutes", "database", "description"}
SECRET_ENV = "BETTER_AUTH_SECRET"


@dataclass
class ServicePlan:
    name: str
    port: int
    answers: dict[str, Any]


@dataclass
class BootstrapResult:
    into: Path
    created: list[ServicePlan] = field(default_factory=list)
    skipped: list[ServicePlan] = field(default_factory=list)


def load_manifest(path: Path) -> dict[str, Any]:
    data = read_yaml(path, "manifest")
    if not isinstance(data, dict):
        raise BafaError(f"manifest {path} must be a YAML mapping with issuer, origins and services")
    return data


def plan_services(manifest: dict[str, Any]) -> list[ServicePlan]:
    """Validate the whole manifest; return one plan per service. Raises BafaError listing every problem."""
    problems: list[str] = []
    unknown = sorted(set(manifest) - TOP_KEYS)
    if unknown:
        problems.append(f"unknown manifest keys: {', '.join(unknown)} (allowed: {', '.join(sorted(TOP_KEYS))})")

    issuer = manifest.get("issuer")
    if not isinstance(issuer, dict):
        problems.append("issuer: a mapping with url (and optionally audience, mode, jwt_algorithm) is required")
        issuer = {}
    for key in sorted(set(issuer) - ISSUER_KEYS):
        problems.append(f"issuer.{key}: unknown key (allowed: {', '.join(sorted(ISSUER_KEYS))})")
    url = issuer.get("url")
    if not isinstance(url, str) or not URL.match(url) or url.endswith("/"):
        problems.append(f"issuer.url: an http(s) URL without a trailing slash is required (got {url!r})")
    audience = issuer.get("audience", url)
    if not isinstance(audience, str) or not audience.strip():
        problems.append("issuer.audience: must be a non-empty string")
    mode = issuer.get("mode", "jwks")
    if mode not in ("jwks", "shared_secret"):
        problems.append(f"issuer.mode: jwks or shared_secret (got {mode!r})")
    algorithm = issuer.get("jwt_algorithm", "EdDSA")
    if mode == "jwks" and algorithm not in ALGORITHMS:
        problems.append(f"issuer.jwt_algorithm: one of {', '.join(ALGORITHMS)} (got {algorithm!r})")
    if mode == "shared_secret" and len(os.environ.get(SECRET_ENV, "")) < 32:
        problems.append(
            f"issuer.mode shared_secret: set {SECRET_ENV} (the issuer's secret, >= 32 chars) in the environment"
        )

    origins = manifest.get("origins")
    if not isinstance(origins, list) or not origins:
        problems.append('origins: a non-empty list of browser origins is required, e.g. ["https://app.example.com"]')
        origins = []
    for origin in origins:
        if not isinstance(origin, str) or not ORIGIN.match(origin):
            problems.append(f"origins: {origin!r} is not scheme://host[:port] (no path, no wildcard)")

    defaults = manifest.get("defaults", {}) or {}
    if not isinstance(defaults, dict):
        problems.append("defaults: must be a mapping of answers")
        defaults = {}
    for key in sorted(set(defaults) - FREE_ANSWERS):
        problems.append(f"defaults.{key}: not settable here (allowed: {', '.join(sorted(FREE_ANSWERS))})")

    services = manifest.get("services")
    if not isinstance(services, list) or not services:
        problems.append("services: a non-empty list of {name, port} is required")
        services = []
    plans: list[ServicePlan] = []
    names: dict[str, int] = {}
    ports: dict[int, str] = {}
    for index, service in enumerate(services):
        where = f"services[{index}]"
        if not isinstance(service, dict):
            problems.append(f"{where}: must be a mapping with name and port")
            continue
        for key in sorted(set(service) - SERVICE_KEYS):
            problems.append(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(SERVICE_KEYS))})")
        name, port = service.get("name"), service.get("port")
        if not isinstance(name, str) or not SLUG.match(name):
            problems.append(f"{where}.name: {name!r} must match {SLUG.pattern}")
        elif name in names:
            problems.append(f"{where}.name: duplicate service name {name!r} (also services[{names[name]}])")
        else:
            names[name] = index
        if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
            problems.append(f"{where}.port: {port!r} must be a whole number from 1024 to 65535")
        elif port in ports:
            problems.append(f"{where}.port: port {port} is already used by {ports[port]!r}")
        else:
            ports[port] = str(name)
        own = service.get("answers", {}) or {}
        if not isinstance(own, dict):
            problems.append(f"{where}.answers: must be a mapping")
            own = {}
        for key in sorted(set(own) - FREE_ANSWERS):
            problems.append(f"{where}.answers.{key}: not settable here (allowed: {', '.join(sorted(FREE_ANSWERS))})")
        answers: dict[str, Any] = {
            **defaults,
            **own,
            "project_name": name,
            "project_slug": name,
            "frontend": False,
            "auth_mode": mode,
            "auth_url": url,
            "jwt_audience": audience,
            "frontend_origins": origins,
            "backend_port": port,
        }
        if "description" in service:
            answers["description"] = service["description"]
        if mode == "jwks":
            answers["jwt_algorithm"] = algorithm
        else:
            answers["better_auth_secret"] = os.environ.get(SECRET_ENV, "")
        plans.append(ServicePlan(str(name), port if isinstance(port, int) else 0, answers))
    if problems:
        raise BafaError("invalid manifest: " + "; ".join(problems))
    return plans


def bootstrap(manifest_path: Path, into: Path) -> BootstrapResult:
    """Generate every service of the manifest that does not exist yet under INTO."""
    from generator.new import create_project

    plans = plan_services(load_manifest(manifest_path))
    into = into.expanduser().absolute()
    if into.exists() and not into.is_dir():
        raise BafaError(f"{into} exists and is not a folder")
    result = BootstrapResult(into=into)
    todo = []
    for plan in plans:
        target = into / plan.name
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            result.skipped.append(plan)
        else:
            todo.append(plan)
    if not todo:
        return result
    created_into = not into.exists()
    into.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bafa-bootstrap-", dir=into))
    try:
        for plan in todo:
            try:
                create_project(staging / plan.name, plan.answers, defaults=True)
            except BafaError as exc:
                raise BafaError(f"service {plan.name}: {exc}") from None
        for plan in todo:
            target = into / plan.name
            if target.is_dir():
                target.rmdir()  # an empty folder: take its place
            (staging / plan.name).rename(target)
            result.created.append(plan)
    except BaseException:
        if created_into:
            shutil.rmtree(into, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result
