"""The `bafa` command line: wires options to one module per command and prints its renderer's text.

Exit codes: 0 done; 1 the command's own verdict (update conflicts, doctor failures, a rejected
token); 2 a BafaError (bad input, a precondition that does not hold: `error: …`, one line) or a
usage error (Click's).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from generator.errors import BafaError
from generator.render import Output

ERROR_EXIT_CODE = 2


class _BafaGroup(TyperGroup):
    """Every command runs through here: the one place a BafaError becomes `error: …` and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BafaError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(ERROR_EXIT_CODE) from None


app = typer.Typer(
    name="bafa",
    cls=_BafaGroup,
    help="Generate and update secure Better Auth + FastAPI task projects.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain Click help: `Usage: bafa new [OPTIONS] DEST`, no type column
)


def _emit(output: Output) -> None:
    """Print a renderer's text; exit with its code when that is not 0."""
    if output.stdout:
        typer.echo(output.stdout, nl=False)
    if output.stderr:
        typer.echo(output.stderr, nl=False, err=True)
    if output.exit_code:
        raise typer.Exit(output.exit_code)


def _show_version(value: bool) -> None:
    if value:
        from generator.template_source import template_version

        typer.echo(f"bafa {template_version()}")
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
    dest: Annotated[
        Path, typer.Argument(metavar="DEST", help="Folder to create the project in (must be empty or absent).")
    ],
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
    from generator.render import new_text

    answers = collect_answers(data or [], data_file)
    _emit(new_text(create_project(dest, answers, defaults=defaults, force=force, git=git)))


class ConflictStyle(StrEnum):
    inline = "inline"
    rej = "rej"


@app.command()
def update(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The generated project to update (default: this folder).")
    ] = Path("."),
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="VERSION",
            help="Template version (a git tag, or HEAD) to move to; default: the newest release "
            "(HEAD for a project made after it).",
        ),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change (a diff) without touching the project.")
    ] = False,
    conflict: Annotated[
        ConflictStyle,
        typer.Option("--conflict", help="How to leave conflicts: inline markers in the file, or .rej files beside it."),
    ] = ConflictStyle.inline,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Update from a template source other than bafa's own (as the answers file names it), "
            "and let a template run code (Copier tasks, migrations). Never needed for bafa's template.",
        ),
    ] = False,
) -> None:
    """Update a generated project and its added resources to a newer template version, keeping edits and secrets."""
    from generator.render import update_text
    from generator.update import update_project

    _emit(update_text(update_project(path, to=to, pretend=pretend, conflict=conflict.value, trust=trust)))


@app.command()
def doctor(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="The project to audit (default: this folder).")] = Path(
        "."
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON report.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on failures.")] = False,
) -> None:
    """Audit the project's auth setup: secret, .env in git, URLs, CORS, protected routes, JWT checks."""
    from generator.doctor.render import as_json as render_json
    from generator.doctor.render import as_text
    from generator.doctor.runner import run_doctor

    report = run_doctor(path)
    text = render_json(report, strict=strict) if as_json else as_text(report, strict=strict)
    _emit(Output(f"{text}\n", exit_code=report.exit_code(strict=strict)))


@app.command()
def bootstrap(
    manifest: Annotated[
        Path,
        typer.Argument(
            metavar="MANIFEST", help="YAML manifest: issuer, origins and services (docs/jwks-and-services.md)."
        ),
    ],
    into: Annotated[
        Path, typer.Option("--into", metavar="DIR", help="Folder to create the services in (default: this folder).")
    ] = Path("."),
) -> None:
    """Generate several backend-only services that trust one Better Auth issuer."""
    from generator.bootstrap import bootstrap as run_bootstrap
    from generator.render import bootstrap_text

    _emit(bootstrap_text(run_bootstrap(manifest, into)))


add_app = typer.Typer(
    help="Add to a generated project: `bafa add resource NAME --field ...`.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(add_app, name="add")


@add_app.command("resource")
def add_resource(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The resource's name, singular: note, project, comment.")],
    project: Annotated[
        Path, typer.Argument(metavar="PROJECT", help="The generated project (default: this folder).")
    ] = Path("."),
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            "-f",
            metavar="NAME:TYPE[?][=DEFAULT]",
            help="A field: TYPE is str, str(max=N), text, int, float, bool, datetime, date or enum(a|b|c); "
            "? makes it optional. Repeatable, e.g. --field body:text --field pinned:bool=false.",
        ),
    ] = None,
) -> None:
    """Add a user-owned resource (models, migration, routes, tests) to PROJECT as one git commit."""
    from generator.add_resource import add_resource as run_add_resource
    from generator.render import add_resource_text

    _emit(add_resource_text(run_add_resource(project, name, field or [])))


token_app = typer.Typer(
    help="Explain why the backend would accept or reject a JWT, or mint a local test token.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(token_app, name="token")

_ProjectOption = Annotated[
    Path,
    typer.Option("--project", metavar="PATH", help="Project whose backend settings to use (default: this folder)."),
]


@token_app.command("inspect")
def token_inspect(
    token: Annotated[str, typer.Argument(metavar="TOKEN|-", help="The JWT, or - to read it from stdin.")],
    project: _ProjectOption = Path("."),
) -> None:
    """Decode TOKEN without trusting it and say why the project's backend would reject it (exit 1) or accept it."""
    from generator.token.diagnose import diagnose
    from generator.token.parse import decode_unverified, read_token
    from generator.token.policy import load_policy
    from generator.token.render import inspect_text

    decoded = decode_unverified(read_token(token))
    policy = load_policy(project)
    verdict = diagnose(decoded, policy)
    _emit(Output(f"{inspect_text(decoded, policy, verdict)}\n", exit_code=0 if verdict.accepted else 1))


@token_app.command("mint")
def token_mint(
    sub: Annotated[str, typer.Option("--sub", metavar="USER", help="User id: the token's sub (and id) claim.")],
    email: Annotated[str | None, typer.Option("--email", help="The email claim (omitted when not given).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The name claim (omitted when not given).")] = None,
    ttl: Annotated[str, typer.Option("--ttl", help="Lifetime: 90s, 15m, 2h or 1d (at most 1d).")] = "15m",
    project: _ProjectOption = Path("."),
) -> None:
    """Mint an HS256 token like Better Auth does, for local testing (refused in jwks mode and production)."""
    from generator.token.mint import mint, parse_ttl
    from generator.token.policy import load_policy

    _emit(Output(f"{mint(load_policy(project), sub, email=email, name=name, ttl_seconds=parse_ttl(ttl))}\n"))


def main() -> None:
    """Console-script entry point (also `python -m generator`: the help still says `bafa`)."""
    app(prog_name="bafa")


if __name__ == "__main__":
    main()
