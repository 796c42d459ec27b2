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
    rich_markup_mode=None,  # plain Click help: `Usage: bafa new [OPTIONS] DEST`, no type column
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
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The generated project to update (default: this folder).")
    ] = Path("."),
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
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Update from a template source other than bafa's own (as the answers file names it), "
            "running its tasks and migrations. Never needed for bafa's template.",
        ),
    ] = False,
) -> None:
    """Update a generated project to a newer template version, keeping edits, history and secrets."""
    from generator.update import update_project

    try:
        result = update_project(path, to=to, pretend=pretend, conflict=conflict.value, trust=trust)
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

    try:
        report = run_doctor(path)
    except BafaError as exc:
        _fail(str(exc))
        return
    typer.echo(render_json(report, strict=strict) if as_json else as_text(report, strict=strict))
    raise typer.Exit(report.exit_code(strict=strict))


@app.command()
def bootstrap(
    manifest: Annotated[
        Path,
        typer.Argument(metavar="MANIFEST", help="YAML manifest: issuer, origins and services (docs/bootstrap.md)."),
    ],
    into: Annotated[
        Path, typer.Option("--into", metavar="DIR", help="Folder to create the services in (default: this folder).")
    ] = Path("."),
) -> None:
    """Generate several backend-only services that trust one Better Auth issuer."""
    from generator.bootstrap import bootstrap as run_bootstrap

    try:
        result = run_bootstrap(manifest, into)
    except BafaError as exc:
        _fail(str(exc))
        return
    rows = [(p.name, str(p.port), "created", str(result.into / p.name)) for p in result.created]
    rows += [(p.name, str(p.port), "skipped (exists)", str(result.into / p.name)) for p in result.skipped]
    header = ("service", "port", "status", "path")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"{len(result.created)} created, {len(result.skipped)} skipped")


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

    try:
        decoded = decode_unverified(read_token(token))
        policy = load_policy(project)
    except BafaError as exc:
        _fail(str(exc))
        return
    verdict = diagnose(decoded, policy)
    typer.echo(inspect_text(decoded, policy, verdict))
    raise typer.Exit(0 if verdict.accepted else 1)


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

    try:
        token = mint(load_policy(project), sub, email=email, name=name, ttl_seconds=parse_ttl(ttl))
    except BafaError as exc:
        _fail(str(exc))
        return
    typer.echo(token)


def main() -> None:
    """Console-script entry point (also `python -m generator`: the help still says `bafa`)."""
    app(prog_name="bafa")


if __name__ == "__main__":
    main()
