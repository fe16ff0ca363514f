"""The command line: parse options, call the library, print, choose the exit code. Nothing else."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from enum import StrEnum
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


class LintFormat(StrEnum):
    auto = "auto"
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


@app.command()
def lint(
    paths: PathsArg = None,
    as_of: AsOfOpt = None,
    output_format: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            "-f",
            help="text for people; json, github (annotations) or sarif for machines. "
            "auto: github when GITHUB_ACTIONS is set, else text.",
        ),
    ] = LintFormat.auto,
    select: Annotated[
        str | None,
        typer.Option("--select", metavar="RULES", help="Only these rules (names or codes, comma-separated)."),
    ] = None,
    ignore: Annotated[
        str | None, typer.Option("--ignore", metavar="RULES", help="Not these rules (names or codes, comma-separated).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too, not only errors.")] = False,
) -> None:
    """Find what goes wrong in action plans: overdue, unowned, unmeasurable, never updated. Exit 1 on errors."""
    from .derive import derive
    from .lint import parse_rule_list, run_lint
    from .views import lint_output

    day = _as_of(as_of) or date.today()
    try:
        selected = parse_rule_list(select, "--select") if select is not None else None
        ignored = parse_rule_list(ignore, "--ignore")
        workspace = load_workspace(paths or [])
        result = run_lint(derive(workspace, day), selected, ignored)
    except UsageError as error:
        _fail(str(error))
    chosen = output_format.value
    if chosen == "auto":
        chosen = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if chosen == "text":
        lint_output.write_text(result, sys.stdout)
    else:
        render = {"json": lint_output.to_json, "github": lint_output.to_github, "sarif": lint_output.to_sarif}[chosen]
        sys.stdout.write(render(result))
    raise typer.Exit(result.exit_code(strict))


@app.command("rules")
def list_rules(
    name: Annotated[str | None, typer.Argument(help="A rule name or code to explain in full.")] = None,
) -> None:
    """List every lint rule, or explain one (`actiontrack rules overdue`)."""
    from .rules import find_rule, rules_in_code_order

    if name is None:
        from rich.table import Table

        table = Table(box=None, show_header=True, pad_edge=False)
        for column in ("Code", "Name", "Severity", "What it finds"):
            table.add_column(column, overflow="fold")
        for rule in rules_in_code_order():
            table.add_row(rule.code, rule.name, rule.severity, rule.summary)
        _console().print(table)
        return
    rule = find_rule(name)
    if rule is None:
        _fail(f'unknown rule "{name}"; `actiontrack rules` lists them')
    options = ", ".join(f"{key} (default {value!r})" for key, value in rule.options.items()) or "none"
    typer.echo(f"{rule.code} {rule.name}\ndefault severity: {rule.severity}\noptions: {options}\n\n{rule.doc}")


def main() -> None:
    app()
