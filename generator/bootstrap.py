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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from generator import rules
from generator.answers import read_yaml
from generator.errors import BafaError
from generator.secret import SECRET_ENV, SECRET_QUESTION

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,49}$")
MODES = ("jwks", "shared_secret")


# --- the manifest: its shape and every per-field rule ----------------------------------------


def _rule(ok: Callable[[Any], bool], problem: Callable[[Any], str]) -> BeforeValidator:
    """A check on the raw YAML value, before any conversion: `problem(value)` names what is wrong."""

    def check(value: Any) -> Any:
        if not ok(value):
            raise ValueError(problem(value))
        return value

    return BeforeValidator(check)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


Url = Annotated[
    str,
    _rule(
        lambda v: isinstance(v, str) and rules.url_problem(v) is None,
        lambda v: (
            f"an http(s) URL without a trailing slash is required (got {v!r}; no user, query or fragment, port 1-65535)"
        ),
    ),
]
Origin = Annotated[
    str,
    _rule(
        lambda v: isinstance(v, str) and rules.origin_problem(v) is None,
        lambda v: f"{v!r} is not scheme://host[:port] (no path, no wildcard, port 1-65535)",
    ),
]
Name = Annotated[
    str, _rule(lambda v: isinstance(v, str) and bool(SLUG.match(v)), lambda v: f"{v!r} must match {SLUG.pattern}")
]
Port = Annotated[
    int,
    _rule(lambda v: _is_int(v) and 1024 <= v <= 65535, lambda v: f"{v!r} must be a whole number from 1024 to 65535"),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Answers(_Section):
    """Answers a manifest may set for every service (defaults) or one (answers); Copier checks the values."""

    api_style: Any = None
    ownership_error: Any = None
    jwt_ttl_minutes: Any = None
    database: Any = None
    description: Any = None


class Issuer(_Section):
    url: Url = Field(default=None, validate_default=True)  # required: a missing url reads "got None"
    audience: Annotated[
        str | None,
        _rule(
            lambda v: v is None or (isinstance(v, str) and rules.audience_problem(v) is None),
            lambda v: "must be a non-empty string",
        ),
    ] = None  # default: url
    mode: Annotated[
        Literal["jwks", "shared_secret"], _rule(lambda v: v in MODES, lambda v: f"jwks or shared_secret (got {v!r})")
    ] = "jwks"
    jwt_algorithm: Any = "EdDSA"

    @field_validator("jwt_algorithm")
    @classmethod
    def _algorithm(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("mode") == "jwks" and value not in rules.JWKS_ALGORITHMS:  # no mode: its own error
            raise ValueError(f"one of {', '.join(rules.JWKS_ALGORITHMS)} (got {value!r})")
        return value  # shared_secret: ignored (HS256)


class Service(_Section):
    name: Name = Field(default=None, validate_default=True)
    port: Port = Field(default=None, validate_default=True)
    description: Any = None
    answers: Answers | None = None


class Manifest(_Section):
    issuer: Issuer
    origins: list[Origin] = Field(min_length=1)
    defaults: Answers | None = None
    services: list[Service] = Field(min_length=1)


# What a section must be, said when it is missing or of the wrong type ([] stands for an index).
_SECTIONS: dict[str, tuple[type[BaseModel] | None, str]] = {
    "issuer": (Issuer, "a mapping with url (and optionally audience, mode, jwt_algorithm) is required"),
    "origins": (None, 'a non-empty list of browser origins is required, e.g. ["https://app.example.com"]'),
    "defaults": (Answers, "must be a mapping of answers"),
    "services": (None, "a non-empty list of {name, port} is required"),
    "services[]": (Service, "must be a mapping with name and port"),
    "services[].answers": (Answers, "must be a mapping"),
}


def validate_manifest(data: Any, path: Path) -> Manifest:
    """The manifest, or BafaError naming every problem (field by field, then clashes between services)."""
    if not isinstance(data, dict):
        raise BafaError(f"manifest {path} must be a YAML mapping with issuer, origins and services")
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise BafaError("invalid manifest: " + "; ".join(_problems(exc))) from None
    clashes = _clashes(manifest.services)
    if clashes:
        raise BafaError("invalid manifest: " + "; ".join(clashes))
    return manifest


def _problems(error: ValidationError) -> list[str]:
    unknown_top: list[str] = []
    problems: list[str] = []
    for problem in error.errors():
        loc, kind = problem["loc"], problem["type"]
        where = _path(loc)
        if kind == "extra_forbidden" and len(loc) == 1:
            unknown_top.append(str(loc[0]))
        elif kind == "extra_forbidden":
            section = _SECTIONS[_path(loc[:-1], pattern=True)][0]
            word = "not settable here" if section is Answers else "unknown key"
            problems.append(f"{where}: {word} (allowed: {', '.join(sorted(section.model_fields))})")
        elif kind == "value_error":
            problems.append(f"{where}: {problem['ctx']['error']}")
        else:
            problems.append(f"{where}: {_SECTIONS.get(_path(loc, pattern=True), (None, problem['msg']))[1]}")
    if unknown_top:
        allowed = ", ".join(sorted(Manifest.model_fields))
        problems.insert(0, f"unknown manifest keys: {', '.join(sorted(unknown_top))} (allowed: {allowed})")
    return problems


def _path(loc: tuple[int | str, ...], *, pattern: bool = False) -> str:
    """('services', 0, 'port') -> services[0].port, or with `pattern` services[].port; an origin is
    named by its value in the message, not by its index."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += "[]" if pattern else "" if text == "origins" else f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _clashes(services: list[Service]) -> list[str]:
    problems: list[str] = []
    names: dict[str, int] = {}
    ports: dict[int, str] = {}
    for index, service in enumerate(services):
        if service.name in names:
            also = f"also services[{names[service.name]}]"
            problems.append(f"services[{index}].name: duplicate service name {service.name!r} ({also})")
        names.setdefault(service.name, index)
        if service.port in ports:
            problems.append(f"services[{index}].port: port {service.port} is already used by {ports[service.port]!r}")
        ports.setdefault(service.port, service.name)
    return problems


def load_manifest(path: Path) -> Manifest:
    return validate_manifest(read_yaml(path, "manifest"), path)


# --- planning: the answers each service is rendered with --------------------------------------


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


def plan_services(manifest: Manifest, secret: str | None) -> list[ServicePlan]:
    """One plan per service: the manifest's shared settings, its defaults, then the service's own answers.

    `secret` is the issuer's BETTER_AUTH_SECRET (from the environment), needed in shared_secret mode.
    """
    issuer = manifest.issuer
    problem = rules.secret_problem(secret) if secret else "is not set"
    if issuer.mode == "shared_secret" and problem:
        raise BafaError(
            f"invalid manifest: issuer.mode shared_secret: {SECRET_ENV} {problem}: set the issuer's secret "
            f"(at least {rules.MIN_SECRET_LENGTH} random characters) in the environment"
        )
    shared: dict[str, Any] = {
        "frontend": False,
        "auth_mode": issuer.mode,
        "auth_url": issuer.url,
        "jwt_audience": issuer.audience or issuer.url,
        "frontend_origins": list(manifest.origins),
    }
    if issuer.mode == "jwks":
        shared["jwt_algorithm"] = issuer.jwt_algorithm
    else:
        shared[SECRET_QUESTION] = secret
    defaults = _given(manifest.defaults)
    plans = []
    for service in manifest.services:
        answers = {**defaults, **_given(service.answers), **shared}
        answers.update(project_name=service.name, project_slug=service.name, backend_port=service.port)
        if "description" in service.model_fields_set:
            answers["description"] = service.description
        plans.append(ServicePlan(service.name, service.port, answers))
    return plans


def _given(answers: Answers | None) -> dict[str, Any]:
    return answers.model_dump(exclude_unset=True) if answers else {}


def bootstrap(manifest_path: Path, into: Path) -> BootstrapResult:
    """Generate every service of the manifest that does not exist yet under INTO."""
    from generator.new import create_project

    plans = plan_services(load_manifest(manifest_path), os.environ.get(SECRET_ENV))
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
