"""The `bafa` command line: wires options to one module per command, maps results to exit codes."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from generator import __version__
from generator.errors import BafaError

app = typer.Typer(
    name="bafa",
    help="Generate and update secure Better Auth + FastAPI task projects.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"bafa {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="Print the bafa version and exit.",
        ),
    ] = None,
) -> None:
    """Generate and update secure Better Auth + FastAPI task projects."""


@app.command()
def new(
    dest: Annotated[Path, typer.Argument(help="Folder to create the project in (must be empty or absent).")],
    defaults: Annotated[
        bool,
        typer.Option(
            "--defaults",
            help="Use the default answer for every question not given with --data; ask nothing.",
        ),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="Answer a question, e.g. -d api_style=user_path. Repeatable.",
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", metavar="FILE", help="YAML file of question: answer pairs (--data wins)."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Render into a non-empty DEST, overwriting files the template writes."),
    ] = False,
    git: Annotated[
        bool,
        typer.Option(
            "--git/--no-git",
            help="Create a git repository with one initial commit (needed by `bafa update`).",
        ),
    ] = True,
) -> None:
    """Generate a new Better Auth + FastAPI project in DEST."""
    from generator.answers import collect_answers
    from generator.new import create_project

    try:
        answers = collect_answers(data or [], data_file)
        result = create_project(dest, answers, defaults=defaults, force=force, git=git)
    except BafaError as exc:
        _fail(str(exc))
        return
    typer.echo(f"Created {result.answers.get('project_name')} in {result.path}")
    typer.echo(
        "  BETTER_AUTH_SECRET generated into backend/.env"
        + (" and frontend/.env" if result.answers.get("frontend") else "")
    )
    if result.git:
        typer.echo("  git repository initialised with one commit (.env files are ignored)")
    typer.echo(f"Next: cd {result.path} and follow README.md")


class ConflictStyle(StrEnum):
    inline = "inline"
    rej = "rej"


@app.command()
def update(
    path: Annotated[Path, typer.Argument(help="The generated project to update (default: this folder).")] = Path("."),
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="VERSION", help="Template version (git tag) to move to; default: the newest."),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change (a diff) without touching the project.")
    ] = False,
    conflict: Annotated[
        ConflictStyle,
        typer.Option("--conflict", help="How to leave conflicts: inline markers in the file, or .rej files beside it."),
    ] = ConflictStyle.inline,
) -> None:
    """Update a generated project to a newer template version, keeping edits, history and secrets."""
    from generator.update import update_project

    try:
        result = update_project(path, to=to, pretend=pretend, conflict=conflict.value)
    except BafaError as exc:
        _fail(str(exc))
        return
    if result.pretend:
        typer.echo(result.diff, nl=False)
    verb = "Would update" if result.pretend else "Updated"
    typer.echo(f"{verb} {result.path} from template {result.from_version} to {result.to_version}")
    for label, names in (("changed", result.changed), ("added", result.added), ("removed", result.removed)):
        for name in names:
            typer.echo(f"  {label:8} {name}")
    for env_file, keys in result.env_keys_added.items():
        typer.echo(f"  new keys in {env_file}: {', '.join(keys)}")
    if result.conflicts:
        typer.echo(f"{len(result.conflicts)} file(s) with conflicts to resolve:", err=True)
        for name in result.conflicts:
            typer.echo(f"  conflict {name}", err=True)
        raise typer.Exit(result.exit_code)
    if not (result.changed or result.added or result.removed):
        typer.echo("  already up to date")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
