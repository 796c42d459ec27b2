"""The `bafa` command line: wires options to one module per command, maps results to exit codes."""

from __future__ import annotations

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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
