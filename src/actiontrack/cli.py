"""The command line: parse options, call the library, print, choose the exit code. Nothing else."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import __version__
from .load import UsageError, Workspace, load_workspace

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="actiontrack",
    help="Keep a public body's action plan as text files in git: validate, lint, status and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f'"{value}" is not a date; write it as YYYY-MM-DD, e.g. 2023-06-30') from None


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Plan folders, plans folders or action files. Default: plans/ of this repository."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="YYYY-MM-DD", help="Judge deadlines and updates as of this date (default: today)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (documented in the README) instead of a table.")]


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"actiontrack: error: {message}", err=True)
    raise typer.Exit(code)


def _load(paths: list[Path] | None) -> Workspace:
    try:
        return load_workspace(paths or [])
    except UsageError as error:
        _fail(str(error))


def _print_problems(workspace: Workspace) -> None:
    for problem in workspace.problems:
        typer.echo(problem.format(), err=True)
    if workspace.problems:
        count = len(workspace.problems)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)


def _console(file=None):
    from rich.console import Console

    return Console(file=file or sys.stdout, highlight=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"actiontrack {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Keep a public body's action plan as text files in git."""


@app.command()
def validate(paths: PathsArg = None) -> None:
    """Check every plan, action and owners file against the schema. Exit 1 on any problem."""
    workspace = _load(paths)
    _print_problems(workspace)
    if workspace.problems:
        raise typer.Exit(EXIT_PROBLEMS)
    plans = len(workspace.plans)
    typer.echo(f"{len(workspace.actions)} actions in {plans} plan{'s' if plans != 1 else ''}: all valid")


@app.command()
def status(paths: PathsArg = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Where every action stands: due date, state and latest RAG."""
    from .derive import derive

    day = _as_of(as_of) or date.today()
    workspace = _load(paths)
    snapshot = derive(workspace, day)
    _print_problems(workspace)
    if as_json:
        from .views.records import action_record

        payload = {
            "as_of": day.isoformat(),
            "actions": [action_record(a, snapshot) for a in snapshot.actions],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        from .views.status import render_table

        render_table(snapshot, _console())
    if workspace.problems:
        raise typer.Exit(EXIT_PROBLEMS)


def main() -> None:
    app()
