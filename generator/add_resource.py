"""`bafa add resource NAME`: one more user-owned resource in a generated project, as new files only.

Copier renders the repository's resource/ template (copier.yml's `_subdirectory` follows the
answers file's name) into an empty staging folder, with the project's own answers (api_style,
ownership_error, ...) and the head of its Alembic history. bafa checks first (names, fields,
a clean git work tree, no file of the project overwritten), then copies the new files in,
regenerates the frontend's typed client (frontend/lib/api-schema.ts) when it can (otherwise
it says what to run), and commits it all as one commit. Nothing is written to the project when
a check or the rendering fails. The resource's answers are kept in
`.copier-answers.resource-NAME.yml`, so `bafa update` (or `copier update --answers-file`) brings
it to a newer template later.
"""

from __future__ import annotations

import keyword
import math
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import typed_client
from generator.copier_copy import copy_template
from generator.errors import BafaError
from generator.git_repo import git, require_clean_root
from generator.project_files import ANSWERS_FILE, read_answers
from generator.template_source import template_source

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,23}")
FIELD_PATTERN = re.compile(
    r"(?P<name>[^:]+):(?P<type>str(?:\(max=(?P<max>[0-9]+)\))?|text|int|float|bool|datetime|date"
    r"|enum\((?P<choices>[^)]*)\))(?P<optional>\?)?(?:=(?P<default>.*))?",
    re.DOTALL,
)
FIELD_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
CHOICE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
STR_MAX_DEFAULT = 200
STR_MAX_LIMIT = 2000
INT_LIMIT = 10**15 - 1  # the template's Int_ bounds (resource/backend/app/resources/)
FIELDS_MAX = 40
RESOURCE_ANSWERS_PREFIX = ".copier-answers.resource-"  # copier.yml's template_kind reads it too

# Words SQL (PostgreSQL, SQLite) reserves, or that read badly as a table or column name.
SQL_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between binary both case
    cast check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user default
    deferrable delete desc distinct do drop else end except exists false fetch for foreign freeze
    from full grant group having ilike in index initially inner insert intersect into is isnull
    join key lateral leading left like limit localtime localtimestamp natural not notnull null
    offset on only or order outer overlaps placing primary references returning right row rows
    select session_user similar some symmetric table tablesample then to trailing true union
    unique update user using values variadic verbose view when where window with
    """.split()
)
# Names a resource cannot take: the task's, the project's own modules and packages, tables.
RESERVED_NAMES = frozenset(
    """
    task tasks health me responses routes models resources support signing conftest
    alembic_version app api core db main factory test tests sqlmodel metadata user users
    """.split()
    # Their class name (Note for note) would hide a name the generated modules import.
    + """
    field index string text date float boolean strict annotated response path query body status
    sequence any datetime
    """.split()
)
# Columns every resource has, and names SQLModel/pydantic use themselves.
RESERVED_FIELDS = frozenset(
    """
    id user_id created_at updated_at metadata registry model_config model_fields schema json
    dict copy validate construct base create update public
    """.split()
)


@dataclass(frozen=True)
class AddResourceResult:
    """What `bafa add resource` added."""

    path: Path
    name: str
    collection: str
    files: list[str]  # new
    commit: str
    changed: tuple[str, ...] = ()  # the frontend's typed client, regenerated
    client_stale: str | None = None  # why the typed client could not be regenerated


def add_resource(project_path: Path, name: str, field_specs: list[str]) -> AddResourceResult:
    """Render resource NAME with FIELD_SPECS into the project at PROJECT_PATH and commit it."""
    name = check_name(name)
    fields = parse_fields(field_specs)
    project = project_path.expanduser().resolve()
    answers = _check_project(project)
    backend = project / "backend"
    existing = existing_resources(project, backend)
    if name in existing:
        raise BafaError(f"the project already has a resource or table named {name!r}")
    collection = plural(name)
    if (backend / "app" / "api" / "routes" / f"{collection}.py").exists() or collection in RESERVED_NAMES:
        raise BafaError(f"the project already has a module or route named {collection!r}; choose another name")
    data = {k: v for k, v in answers.items() if not k.startswith("_")}
    data |= {
        "resource_name": name,
        "resource_fields": fields,
        "resource_down_revision": migration_heads(backend / "migrations" / "versions"),
    }
    answers_file = resource_answers_file(name)

    with tempfile.TemporaryDirectory(prefix="bafa-resource-") as tmp:
        staging = Path(tmp) / "project"
        _render(staging, data, answers_file)
        files = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        clashes = [f for f in files if (project / f).exists()]
        if clashes:
            raise BafaError(f"{clashes[0]} exists in the project; nothing was written")
        changed, client_stale = _commit_into(project, staging, files, f"Add the {name} resource with bafa")
    commit = git(project, "rev-parse", "--short", "HEAD").strip()
    return AddResourceResult(
        path=project,
        name=name,
        collection=collection,
        files=files,
        commit=commit,
        changed=tuple(changed),
        client_stale=client_stale,
    )


def _commit_into(project: Path, staging: Path, files: list[str], message: str) -> tuple[list[str], str | None]:
    """Copy the new FILES from STAGING into the project, regenerate the frontend's typed client when
    it can, and commit it all as one commit. Return the project's files that changed (the typed
    client) and, when the typed client could not be regenerated, why. On any failure the project is
    left as it was."""
    written: list[Path] = []
    changed: list[str] = []
    client_stale = None
    try:
        for relative in files:
            target = project / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(staging / relative, target)
            written.append(target)
        if typed_client.has_typed_client(project):
            client_stale = typed_client.regenerate(project)
            if client_stale:
                git(project, "checkout", "--quiet", "--", typed_client.API_SCHEMA)  # nothing half-written
            elif git(project, "status", "--porcelain", "--", typed_client.API_SCHEMA).strip():
                changed.append(typed_client.API_SCHEMA)
        git(project, "add", "--", *files, *changed)
        git(project, *_identity(project), "commit", "--quiet", "--no-verify", "-m", message, "--", *files, *changed)
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        git(project, "reset", "--quiet", "--", *files, ok=(0, 1, 128))
        if typed_client.has_typed_client(project):
            git(project, "checkout", "--quiet", "HEAD", "--", typed_client.API_SCHEMA, ok=(0, 1, 128))
        raise
    return changed, client_stale


def check_name(name: str) -> str:
    """NAME, or a BafaError saying why it cannot name a resource (a table, a module, a URL)."""
    if not NAME_PATTERN.fullmatch(name):
        raise BafaError(
            f"resource name {name!r} is invalid: use 1-24 lowercase letters, digits and underscores, "
            "starting with a letter (e.g. note)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in SQL_RESERVED:
        raise BafaError(f"resource name {name!r} is a reserved word in Python or SQL; choose another")
    if name in RESERVED_NAMES or plural(name) in RESERVED_NAMES:
        raise BafaError(f"resource name {name!r} is reserved: the project or its generated code uses it")
    return name


def plural(name: str) -> str:
    """The collection's name: note -> notes, category -> categories, box -> boxes (copier.yml
    computes the same for the template)."""
    if name.endswith("y") and name[-2:-1] not in "aeiou":
        return name[:-1] + "ies"
    if name.endswith(("s", "x", "z", "ch", "sh")):
        return name + "es"
    return name + "s"


def parse_fields(specs: list[str]) -> list[dict[str, Any]]:
    """`name:type[?][=default]` specs as the template's resource_fields, or a BafaError."""
    if not specs:
        raise BafaError("a resource needs at least one field: --field name:type (e.g. --field body:text)")
    if len(specs) > FIELDS_MAX:
        raise BafaError(f"at most {FIELDS_MAX} fields")
    fields: list[dict[str, Any]] = []
    for spec in specs:
        field = parse_field(spec)
        if any(f["name"] == field["name"] for f in fields):
            raise BafaError(f"field {field['name']!r} is given twice")
        fields.append(field)
    return fields


def parse_field(spec: str) -> dict[str, Any]:
    match = FIELD_PATTERN.fullmatch(spec)
    if match is None:
        raise BafaError(
            f"field {spec!r} is invalid: use name:type[?][=default], type one of str, str(max=N), text, "
            "int, float, bool, datetime, date, enum(a|b|c)"
        )
    name = match["name"]
    if not FIELD_NAME_PATTERN.fullmatch(name):
        raise BafaError(
            f"field name {name!r} is invalid: use lowercase letters, digits and underscores, starting with a letter"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in SQL_RESERVED or name in RESERVED_FIELDS:
        raise BafaError(f"field name {name!r} is reserved (Python, SQL or a column every resource has)")
    kind = match["type"].split("(")[0]
    field: dict[str, Any] = {"name": name, "type": kind, "optional": bool(match["optional"])}
    if kind == "str":
        size = int(match["max"]) if match["max"] else STR_MAX_DEFAULT
        if not 1 <= size <= STR_MAX_LIMIT:
            raise BafaError(f"field {name!r}: max must be 1-{STR_MAX_LIMIT} (use text for longer texts)")
        field["max"] = size
    if kind == "enum":
        choices = match["choices"].split("|")
        if not all(CHOICE_PATTERN.fullmatch(c) and not keyword.iskeyword(c) for c in choices):
            raise BafaError(
                f"field {name!r}: enum values must be lowercase identifiers separated by |, e.g. enum(low|high)"
            )
        if len(set(choices)) != len(choices):
            raise BafaError(f"field {name!r}: an enum value is given twice")
        field["choices"] = choices
    if match["default"] is not None:
        field["default"] = _default(field, match["default"])
    return field


def _default(field: dict[str, Any], text: str) -> Any:
    name, kind = field["name"], field["type"]
    bad = BafaError(f"field {name!r}: {text!r} is not a {kind} default")
    if kind in ("datetime", "date"):
        raise BafaError(f"field {name!r}: a {kind} field takes no default (make it optional with ?)")
    if kind in ("str", "text"):
        if "\x00" in text or len(text) > field.get("max", 10_000):
            raise bad
        return text
    if kind == "bool":
        if text not in ("true", "false"):
            raise BafaError(f"field {name!r}: a bool default is true or false")
        return text == "true"
    if kind == "int":
        if not re.fullmatch(r"-?[0-9]{1,16}", text) or abs(int(text)) > INT_LIMIT:
            raise bad
        return int(text)
    if kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise bad from None
        if not math.isfinite(value):
            raise bad
        return value
    if text not in field["choices"]:  # enum
        raise BafaError(f"field {name!r}: default {text!r} is not one of {'|'.join(field['choices'])}")
    return text


def _check_project(project: Path) -> dict[str, Any]:
    if not project.is_dir():
        raise BafaError(f"{project} is not a folder")
    if not (project / ANSWERS_FILE).is_file():
        raise BafaError(f"{project} is not a bafa project (no {ANSWERS_FILE})")
    answers, _ = read_answers(project)
    if not (project / "backend" / "app" / "resources" / "__init__.py").is_file():
        raise BafaError(
            f"{project} has no backend/app/resources/ package (made before resources existed): run `bafa update` first"
        )
    require_clean_root(project, "bafa add resource commits its files", "first")
    return answers


def resource_answers_file(name: str) -> str:
    """The answers file of resource NAME: Copier renders resource/ for an answers file so named."""
    return f"{RESOURCE_ANSWERS_PREFIX}{name}.yml"


def resource_answers_files(project: Path) -> dict[str, str]:
    """The project's added resources: name -> answers file (relative to the project), by name."""
    files = sorted(project.glob(resource_answers_file("*")))
    return {p.name.removeprefix(RESOURCE_ANSWERS_PREFIX).removesuffix(".yml"): p.name for p in files}


def existing_resources(project: Path, backend: Path) -> set[str]:
    """Names of the project's resources and tables: answers files, resource modules, migrations."""
    names = set(resource_answers_files(project))
    names |= {p.stem for p in (backend / "app" / "resources").glob("*.py") if p.stem != "__init__"}
    for path in (backend / "migrations" / "versions").glob("*.py"):
        names |= set(re.findall(r"create_table\(\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8")))
    return names


_REVISION = re.compile(r"^revision\b[^=\n]*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=\s*(.+)$", re.M)


def migration_heads(versions: Path) -> str:
    """The heads of the project's Alembic history, space-separated: the new migration follows them all.

    Two heads are normal (a resource added before a template version's own migration, brought by
    `bafa update`, both follow the same revision; `alembic upgrade heads` applies both branches);
    a new resource's migration then joins them again.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found[1])
        down = _DOWN_REVISION.search(text)
        if down:
            parents |= set(re.findall(r"[\"']([^\"']+)[\"']", down[1]))
    heads = sorted(revisions - parents)
    if not heads:
        raise BafaError("backend/migrations/versions has no Alembic head; restore the migrations from the template")
    return " ".join(heads)


def _render(staging: Path, data: dict[str, Any], answers_file: str) -> None:
    copy_template(staging, data, defaults=True, answers_file=answers_file)
    if (staging / "backend" / "app" / "main.py").exists():  # a template without resource/: the project
        raise BafaError(f"{template_source().path} has no resource template (copier.yml's _subdirectory)")


def _identity(project: Path) -> list[str]:
    known = all(git(project, "config", key, ok=(0, 1)).strip() for key in ("user.name", "user.email"))
    return [] if known else ["-c", "user.name=bafa", "-c", "user.email=bafa@localhost"]
