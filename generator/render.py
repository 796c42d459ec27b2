"""What `bafa new`, `update`, `bootstrap` and `add resource` print (doctor and token have their own render.py).

Each renderer turns a command's result into text and nothing else: the CLI echoes it. `Output`
keeps stdout and stderr apart and carries the exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.typed_client import API_SCHEMA, REGENERATE

if TYPE_CHECKING:  # the command modules import copier lazily; their types are enough here
    from generator.add_resource import AddResourceResult
    from generator.bootstrap import BootstrapResult
    from generator.new import NewResult
    from generator.update import UpdateResult


@dataclass(frozen=True)
class Output:
    stdout: str
    stderr: str = ""
    exit_code: int = 0


def new_text(result: NewResult) -> Output:
    lines = [
        f"Created {result.answers.get('project_name')} in {result.path}",
        "  BETTER_AUTH_SECRET generated into backend/.env"
        + (" and frontend/.env" if result.answers.get("frontend") else ""),
    ]
    for env_file, keys in result.need_value.items():
        lines.append(f"  needs a value in {env_file}: {', '.join(keys)}")
    if result.git:
        lines.append("  git repository initialised with one commit (.env files are ignored)")
    lines.append(f"Next: cd {result.path} and follow README.md")
    return Output(_text(lines))


def update_text(result: UpdateResult) -> Output:
    verb = "Would update" if result.pretend else "Updated"
    lines = [f"{verb} {result.path} from template {result.from_version} to {result.to_version}"]
    lines += _update_changes(result)
    for env_file, keys in result.env_keys_added.items():
        lines.append(f"  new keys in {env_file}: {', '.join(keys)}")
    for env_file, keys in result.env_keys_need_value.items():
        lines.append(f"  needs a value in {env_file}: {', '.join(keys)}")
    for part in result.resources:
        lines.append(f"{verb} resource {part.resource} from template {part.from_version} to {part.to_version}")
        lines += _update_changes(part)
    errors = []
    conflicts = result.all_conflicts
    if conflicts:
        errors.append(f"{len(conflicts)} file(s) with conflicts to resolve:")
        errors += [f"  conflict {name}" for name in conflicts]
    elif not any(part.changed or part.added or part.removed for part in [result, *result.resources]):
        lines.append("  already up to date")
    diff = result.diff if result.pretend else ""
    return Output(diff + _text(lines), _text(errors), result.exit_code)


def _update_changes(result: UpdateResult) -> list[str]:
    return [
        f"  {label:8} {name}"
        for label, names in (("changed", result.changed), ("added", result.added), ("removed", result.removed))
        for name in names
    ]


def bootstrap_text(result: BootstrapResult) -> Output:
    rows = [(p.name, str(p.port), "created", str(result.into / p.name)) for p in result.created]
    rows += [(p.name, str(p.port), "skipped (exists)", str(result.into / p.name)) for p in result.skipped]
    header = ("service", "port", "status", "path")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.append(f"{len(result.created)} created, {len(result.skipped)} skipped")
    return Output(_text(lines))


def add_resource_text(result: AddResourceResult) -> Output:
    lines = [f"Added the {result.name} resource to {result.path} (commit {result.commit})"]
    lines += [f"  added    {name}" for name in result.files]
    lines += [f"  changed  {name} (regenerated)" for name in result.changed]
    if result.client_stale:
        lines.append(f"  not regenerated: {API_SCHEMA} ({result.client_stale})")
        lines.append(f"To regenerate the frontend's typed client: {REGENERATE} (then commit it)")
    lines.append("Next: cd backend, run the tests, then `alembic upgrade heads`")
    return Output(_text(lines))


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)
