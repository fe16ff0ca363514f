"""The command line: parse options, call the library, print, choose the exit code. Nothing else."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from . import __version__
from .vocab import OWNER_KINDS, RAGS, STATES, STATUSES

if TYPE_CHECKING:
    from .load import Problem, Workspace

# The library (pydantic, ruamel.yaml, rich, jinja2) is imported inside the commands that use it, so that
# `actiontrack --version` and `--help` start as fast as typer itself (see benchmarks/).

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="actiontrack",
    help="Keep a public body's action plan as text files in git: validate, lint, status and reports.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _as_of(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:  # only YYYY-MM-DD: fromisoformat also takes 20230630 and week dates
        day = date.fromisoformat(value) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) else None
    except ValueError:
        day = None
    if day is None:
        from .words import shown

        _fail(f'{option}: "{shown(value)}" is not a date; write it as YYYY-MM-DD, e.g. 2023-06-30')
    if not 1900 <= day.year <= 2999:
        _fail(f"{option}: {value} is outside the years 1900-2999")
    return day


PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Plan folders, plans folders or action files. Default: plans/ of this repository."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="YYYY-MM-DD", help="Judge deadlines and updates as of this date (default: today)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (documented in the README) instead of a table.")]
RevOpt = Annotated[
    str | None,
    typer.Option(
        "--rev",
        metavar="REV",
        help="Read the plans as they were at this git commit, tag or branch (--as-of still sets the judging date).",
    ),
]


def _flagged(error: Exception) -> str:
    """A library error for the command line: the field it names ("period", "due_code") shown as its flag."""
    field = getattr(error, "field", None)
    if not field:
        return str(error)
    return f"--{field.replace('_', '-')}: {getattr(error, 'message', error)}"


def _unprinted(message: str, workspace: Workspace) -> str:
    """`message` without the problem lines `_load` has already printed above it."""
    printed = {problem.format() for problem in workspace.problems}
    lines = [line for line in message.split("\n") if line not in printed]
    if len(lines) < len(message.split("\n")) and lines[-1].endswith(":"):
        lines[-1] = lines[-1][:-1] + " (the problems are listed above)"
    return "\n".join(lines)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"actiontrack: error: {message}", err=True)
    raise typer.Exit(code)


PROGRESS_FROM = 300  # files: below this, reading is too quick for a progress bar to help


class _TerminalProgress:
    """A transient "Reading plans" bar on stderr, shown only on a terminal and only for large repositories."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress

        # refreshed from this thread, not rich's timer thread: a large load forks worker processes, and forking
        # while another thread holds a lock is unsafe
        self.bar = Progress(console=Console(stderr=True), transient=True, auto_refresh=False)
        self.task: int | None = None
        self.shown_at = 0.0

    def start(self, total: int) -> None:
        if total >= PROGRESS_FROM:
            self.bar.start()
            self.task = self.bar.add_task("Reading plans", total=total)

    def advance(self) -> None:
        if self.task is not None:
            self.bar.advance(self.task)
            now = time.monotonic()
            if now - self.shown_at > 0.1:
                self.bar.refresh()
                self.shown_at = now

    def stop(self) -> None:
        if self.task is not None:
            self.bar.stop()


def _cannot_write(error: OSError) -> NoReturn:
    where = f"{error.filename}: " if error.filename else ""
    _fail(f"{where}cannot write: {error.strerror or error}")


@contextmanager
def _writing() -> Iterator[None]:
    """A file that cannot be written (a folder given as --out, no permission, a full disk) is one clear message."""
    try:
        yield
    except OSError as error:
        _cannot_write(error)


_options: dict[str, bool] = {"cache": True, "process": False}


def _load(paths: list[Path] | None, cached: bool = True, rev: str | None = None, baselines: bool = False) -> Workspace:
    """Load for a command, and print every file's problems to stderr; `cached=False` for commands that write, which
    always read the files afresh; `rev`: as at that git revision; `baselines`: read each action's first agreed
    deadline from git too. Every command that reads plans goes through here and ends with `_done`."""
    import gc

    from .gitrepo import GitProblem
    from .load import UsageError, load_workspace

    progress = _TerminalProgress() if sys.stderr.isatty() else None
    use_cache = cached and _options["cache"]
    whole_process = _options.get("process", False)  # the program itself, not a test calling the app
    if whole_process:
        gc.disable()  # until what was loaded is frozen below: a collection would walk all of it
    try:
        if rev is not None:
            from .gitplans import load_at

            workspace = load_at(rev, paths or [], progress=progress, use_cache=use_cache)
        else:
            workspace = load_workspace(paths or [], progress=progress, use_cache=use_cache)
    except UsageError as error:
        _fail(_flagged(error))
    except GitProblem as problem:
        _git_failed(problem, "--rev" if rev else None)
    finally:
        if progress is not None:
            progress.stop()
        if whole_process:
            gc.enable()
    if whole_process:
        gc.freeze()  # what was loaded lives until the command ends: later collections need not scan it again
    _print_problems(workspace.problems)
    if baselines:
        from .cache import Cache
        from .history import attach_baselines

        note = attach_baselines(workspace, Cache.for_repository(workspace.root, use_cache))
        if note:
            typer.echo(f"actiontrack: note: {note}", err=True)
    return workspace


def _done(workspace: Workspace) -> None:
    """The one exit policy (README, "Exit codes"): after doing what it can with the files that read, a command
    exits 1 when any plan file could not be read or is invalid."""
    if workspace.problems:
        raise typer.Exit(EXIT_PROBLEMS)


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)


class _Recorder:
    """A stand-in for stdout or stderr that writes through and keeps a copy (isatty, fileno... are the stream's)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


@contextmanager
def _replay_or_record(command: str, paths: list[Path] | None, options: list[str]) -> Iterator[None]:
    """Print the output of an earlier identical run of `command`, or run it and remember its output.

    Identical means: the same files with the same bytes (a content hash of each), the same options and as-of
    date, the same actiontrack, and the same environment and terminal (colour and width decide the output)."""
    from .cache import Cache, OutputCache
    from .discover import UsageError, quick_fingerprint

    try:
        quick = quick_fingerprint(paths or [], Path.cwd(), Cache.for_repository) if _options["cache"] else None
    except UsageError:
        quick = None  # the command reports it
    if quick is None:  # caching off, or files the cache cannot fingerprint cheaply
        yield
        return
    outputs = OutputCache.for_run(*quick, command, options)
    found = outputs.replay()
    if found is not None:
        out, err, code = found
        sys.stdout.write(out)
        sys.stderr.write(err)
        raise typer.Exit(code)
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out_copy, err_copy = _Recorder(real_out), _Recorder(real_err)
    code = EXIT_OK
    try:
        yield
    except typer.Exit as done:
        code = done.exit_code
        raise
    finally:
        sys.stdout, sys.stderr = real_out, real_err
        if code in (EXIT_OK, EXIT_PROBLEMS):
            outputs.remember("".join(out_copy.parts), "".join(err_copy.parts), code)


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
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Read every file afresh, without the cache (also ACTIONTRACK_NO_CACHE=1)."),
    ] = False,
) -> None:
    """Keep a public body's action plan as text files in git."""
    _options["cache"] = not no_cache


@app.command(rich_help_panel="Check the plans")
def validate(paths: PathsArg = None) -> None:
    """Check every file against the schema, and that the owners and priorities actions name exist.

    Exit 1 on any problem.

    Example: actiontrack validate plans/health-plan-2024-25
    """
    from .derive import derive
    from .lint import run_lint

    workspace = _load(paths)
    # references between files: an owner missing from owners.yaml, a priority the plan does not list (their lint
    # rules, so an ignore with a reason in the action file holds here too)
    # (owners are judged only against a registry that reads: a broken one is reported above, once)
    registry_broken = any(p.path.resolve() == workspace.owners_path.resolve() for p in workspace.problems)
    rules = {"unknown-priority"} if registry_broken else {"unknown-owner", "unknown-priority"}
    references = run_lint(derive(workspace, date.today()), select=rules).findings
    for finding in references:
        print(f"{finding.path}:{finding.line}:{finding.column}: {finding.message}", file=sys.stderr)
    if references:
        print(f"{len(references)} reference{'s' if len(references) != 1 else ''} not found", file=sys.stderr)
        raise typer.Exit(EXIT_PROBLEMS)
    _done(workspace)
    plans, actions = len(workspace.plans), len(workspace.actions)
    typer.echo(f"{actions} action{'s' if actions != 1 else ''} in {plans} plan{'s' if plans != 1 else ''}: all valid")


# choices offered on the command line: the words of vocab.py (the model's), never typed out again here
State = StrEnum("State", {state: state for state in STATES})
Rag = StrEnum("Rag", {rag: rag for rag in RAGS})
Status = StrEnum("Status", {status: status for status in STATUSES})


PlanOpt = Annotated[str | None, typer.Option("--plan", metavar="SLUG", help="Only this plan (its folder name).")]


@app.command(rich_help_panel="See where the plans stand")
def status(
    paths: PathsArg = None,
    as_of: AsOfOpt = None,
    plan: PlanOpt = None,
    priority: Annotated[str | None, typer.Option("--priority", metavar="ID", help="Only this priority.")] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="ID", help="Only actions this owner delivers.")
    ] = None,
    state: Annotated[
        State | None, typer.Option("--state", case_sensitive=False, help="Only actions in this state.")
    ] = None,
    due_before: Annotated[
        str | None, typer.Option("--due-before", metavar="YYYY-MM-DD", help="Only actions due before this date.")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list every action, grouped by priority.")] = False,
    as_json: JsonOpt = False,
    rev: RevOpt = None,
) -> None:
    """Where the plan stands: counts by state and RAG, what needs attention now, and (--all) every action.

    Example: actiontrack status --as-of 2023-06-30 --plan health-wellbeing-2022-23
    """
    day = _as_of(as_of) or date.today()
    before = _as_of(due_before, "--due-before")
    options = [
        day.isoformat(),
        str(plan),
        str(priority),
        str(owner),
        str(state),
        str(before),
        str(show_all),
        str(as_json),
    ]
    if rev is not None:  # a revision's files are not in the folder the output cache fingerprints
        _status(paths, day, plan, priority, owner, state, before, show_all, as_json, rev)
        return
    with _replay_or_record("status", paths, options):
        _status(paths, day, plan, priority, owner, state, before, show_all, as_json)


def _status(
    paths: list[Path] | None,
    day: date,
    plan: str | None,
    priority: str | None,
    owner: str | None,
    state: State | None,
    before: date | None,
    show_all: bool,
    as_json: bool,
    rev: str | None = None,
) -> None:
    from .derive import derive

    if rev is None and _options["cache"] and not (plan or priority or owner or state or before or show_all or as_json):
        _status_by_plan(paths, day)
        return
    workspace = _load(paths, rev=rev)
    snapshot = derive(workspace, day)
    _check_choice(plan, [p.slug for p in workspace.plans], "--plan", "plan")
    _check_choice(
        owner, sorted({*workspace.owners, *(o for a in workspace.actions for o in a.action.owners)}), "--owner", "owner"
    )
    actions = snapshot.select(plan, priority, owner, state.value if state else None, before)
    if as_json:
        from .views.records import status_payload

        print(json.dumps(status_payload(snapshot, actions), indent=2, ensure_ascii=False))
    else:
        from .views.status import render

        render(snapshot, actions, _console(), show_all)
    _done(workspace)


def _status_by_plan(paths: list[Path] | None, day: date) -> None:
    """`status` of every action: each plan's standing is kept between runs (incremental.py), so after one edit in a
    large repository only that plan is read again."""
    from .cache import Cache
    from .derive import derive
    from .incremental import per_plan
    from .load import UsageError, find_files, in_order, problems_by_folder
    from .views.status import Standing, draw, standing

    def answer(workspace: Workspace) -> dict[Path, tuple[Standing | None, list[Problem]]]:
        snapshot = derive(workspace, day)
        problems = problems_by_folder(workspace.problems, (plan.directory for plan in workspace.plans))
        plans = {summary.plan.directory: summary for summary in snapshot.plan_summaries()}
        return {
            plan.directory: (
                standing(plans[plan.directory], snapshot) if plan.directory in plans else None,
                problems.get(plan.directory, []),
            )
            for plan in workspace.plans
        }

    def valid(kept: Any) -> bool:  # what `answer` gives: not an entry of another shape
        return (
            isinstance(kept, tuple)
            and len(kept) == 2
            and (kept[0] is None or isinstance(kept[0], Standing))
            and isinstance(kept[1], list)
        )

    progress = _TerminalProgress() if sys.stderr.isatty() else None
    try:
        inventory = find_files(paths or [])
        shared, parts = per_plan(
            inventory, Cache.for_repository(inventory.root), "status", [day.isoformat()], answer, progress, valid
        )
    except UsageError as error:
        _fail(_flagged(error))
    finally:
        if progress is not None:
            progress.stop()
    problems = in_order([*shared.problems, *(problem for _, found in parts.values() for problem in found)])
    _print_problems(problems)
    draw([plan for plan, _ in parts.values() if plan is not None], day, _console())
    if problems:
        raise typer.Exit(EXIT_PROBLEMS)


def _check_choice(value: str | None, known: list[str], option: str, what: str) -> None:
    if value is not None and value not in known:
        from .words import did_you_mean

        hint = did_you_mean(value, known) or f"; known: {', '.join(known)}"
        _fail(f'{option}: no {what} "{value}"{hint}')


@app.command(rich_help_panel="See where the plans stand")
def show(
    action_id: Annotated[str, typer.Argument(metavar="ID", help='The action\'s id, e.g. "1.c".')],
    paths: PathsArg = None,
    as_of: AsOfOpt = None,
    plan: PlanOpt = None,
    as_json: JsonOpt = False,
    rev: RevOpt = None,
) -> None:
    """One action in full: owners, milestones, targets against actuals, and its update history.

    Example: actiontrack show 1.c --as-of 2023-06-30
    """
    from .derive import derive
    from .load import LookupProblem

    day = _as_of(as_of) or date.today()
    workspace = _load(paths, rev=rev, baselines=True)
    try:
        found = derive(workspace, day).find(action_id, plan)
    except LookupProblem as problem:
        flag = "--plan: " if problem.field == "plan" else ""
        _fail(_unprinted(f"{flag}{problem}", workspace), EXIT_USAGE if problem.usage else EXIT_PROBLEMS)
    if as_json:
        from .views.records import action_detail

        typer.echo(json.dumps(action_detail(found, workspace), indent=2, ensure_ascii=False))
    else:
        from .views.show import render_action

        render_action(found, workspace, day, _console())
    _done(workspace)


@app.command(rich_help_panel="See where the plans stand")
def history(
    action_id: Annotated[str, typer.Argument(metavar="ID", help='The action\'s id, e.g. "1.c".')],
    paths: PathsArg = None,
    plan: PlanOpt = None,
    as_json: JsonOpt = False,
    rev: RevOpt = None,
) -> None:
    """An action's timeline from git, newest first: who changed what and when, in plan terms.

    Each commit that changed the action, and what it changed: added, deadline moved (and by how many days), status,
    owners, updates, targets, milestones done, wording, removed. A renamed file keeps its history; changes not yet
    committed come first.

    Example: actiontrack history 1.c --plan health-wellbeing-2022-23
    """
    from .gitrepo import GitProblem, GitRepo
    from .history import history_of, loaded, uncommitted
    from .views.history import event_json, history_text

    workspace = _load(paths, rev=rev)
    _check_choice(plan, [p.slug for p in workspace.plans], "--plan", "plan")
    try:
        repo = GitRepo.find(workspace.root)
        found, keys = history_of(repo, workspace, action_id, plan)
        _shallow_note(repo)
    except GitProblem as problem:
        _git_failed(problem)
    current = [(p.slug, a.action.id) for p in workspace.plans for a in p.actions if a.action.id == action_id]
    keys = sorted({*keys, *(k for k in current if plan is None or k[0] == plan)})
    if not keys:
        from .words import did_you_mean

        known = sorted({a.action.id for a in workspace.actions})
        where = f" in plan {plan}" if plan else ""
        _fail(f'no action "{action_id}"{where}, now or in the history{did_you_mean(action_id, known)}')
    if len(keys) > 1:
        _fail(f'action "{action_id}" is in several plans ({", ".join(k[0] for k in keys)}): choose one with --plan')
    key = keys[0]
    _say_unreadable([u for u in found.unreadable if u.key in (None, key)], "note", "that version is skipped")
    events = [(None, tuple(pending))] if (pending := uncommitted(found, workspace, key)) else []
    events += [(event, event.changes) for event in reversed(found.events.get(key, []))]
    shown = loaded(workspace, key) or found.latest.get(key)
    title = shown.title if shown else action_id
    if as_json:
        payload = {"plan": key[0], "id": key[1], "events": [event_json(e, c) for e, c in events]}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        typer.echo(history_text(key[0], key[1], title, [], events), nl=False)
    _done(workspace)


def _say_unreadable(versions: list[Any], level: str, consequence: str) -> None:
    """Each version of a file that did not read at some commit (history.Unreadable), and what that means here."""
    for skipped in versions:
        commit = skipped.commit
        typer.echo(
            f"actiontrack: {level}: {skipped.path} did not read at {commit.short} ({commit.day.isoformat()}), so "
            f"{consequence}: {skipped.message}",
            err=True,
        )


def _git_failed(problem: Any, flag: str | None = None) -> NoReturn:
    """A question git could not answer (gitrepo.GitProblem): exit 2 when what was asked needs changing, else 1."""
    _fail(f"{flag}: {problem}" if flag else str(problem), EXIT_USAGE if problem.usage else EXIT_PROBLEMS)


def _shallow_note(repo) -> None:
    if repo.shallow:
        from .gitrepo import SHALLOW_HINT

        typer.echo(f"actiontrack: note: only the history this clone holds is shown: {SHALLOW_HINT}", err=True)


class ChangesFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


@app.command(rich_help_panel="See where the plans stand")
def changes(
    since: Annotated[
        str,
        typer.Option(
            "--since",
            metavar="REV|DATE",
            help="From this git revision, or the last commit on or before this date (YYYY-MM-DD).",
        ),
    ],
    paths: PathsArg = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="REV|DATE", help="Up to this revision or date (default: the files as they are now)."
        ),
    ] = None,
    output_format: Annotated[
        ChangesFormat, typer.Option("--format", "-f", help="text, md (Markdown) or json.")
    ] = ChangesFormat.text,
    as_json: Annotated[bool, typer.Option("--json", help="The same as --format json.")] = False,
) -> None:
    """What changed between two points in git, in plan terms: counts first, then each action's changes.

    Actions added, removed, completed, cancelled; deadlines moved (slips and pull-forwards); owners changed; new
    updates and RAG ratings; targets changed. Until defaults to the files as they are now, so edits not yet
    committed show too.

    Example: actiontrack changes --since 2023-04-01 --format md
    """
    from .gitrepo import GitProblem, GitRepo
    from .history import Point, changes_between, point
    from .views.history import changes_json, changes_text

    workspace = _load(paths)
    try:
        repo = GitRepo.find(workspace.root)
        _shallow_note(repo)
        start = point(repo, since)
        end = point(repo, until) if until is not None else Point(None, "the working tree")
        chosen = {plan.slug for plan in workspace.plans} if paths else None  # pointed at some plans: only those
        found, unreadable = changes_between(repo, workspace, start, end, chosen)
    except GitProblem as problem:
        _git_failed(problem)
    _say_unreadable(unreadable, "error", "its changes are not listed")
    chosen = "json" if as_json else output_format.value
    if chosen == "json":
        typer.echo(json.dumps(changes_json(start, end, found), indent=2, ensure_ascii=False))
    else:
        typer.echo(changes_text(start, end, found, markdown=chosen == "md"), nl=False)
    if unreadable:
        raise typer.Exit(EXIT_PROBLEMS)
    _done(workspace)


@app.command(rich_help_panel="See where the plans stand")
def owners(paths: PathsArg = None, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Each owner's workload across plans: open, overdue and not-updated actions.

    Example: actiontrack owners --as-of 2023-06-30
    """
    from .derive import derive
    from .views.records import owner_workload

    day = _as_of(as_of) or date.today()
    workspace = _load(paths)
    rows = owner_workload(derive(workspace, day))
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(), "owners": rows}, indent=2, ensure_ascii=False))
    else:
        from .views.show import render_owners

        render_owners(rows, day, _console())
    _done(workspace)


DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the change as a diff; write nothing.")]


@app.command(rich_help_panel="Change the plans")
def update(
    action_id: Annotated[str, typer.Argument(metavar="ID", help='The action\'s id, e.g. "1.c".')],
    period: Annotated[str, typer.Option("--period", help='The reporting period, e.g. "2022/23 Q2".')],
    rag: Annotated[
        Rag | None, typer.Option("--rag", case_sensitive=False, help="The RAG rating for the period.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What happened (Markdown allowed).")] = None,
    actual: Annotated[
        list[str] | None, typer.Option("--actual", metavar="NAME=VALUE", help="A KPI actual; repeat for several.")
    ] = None,
    status_value: Annotated[
        Status | None, typer.Option("--status", case_sensitive=False, help="Also set the action's status.")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace an existing update for the period.")] = False,
    plan: PlanOpt = None,
    paths: PathsArg = None,
    as_of: AsOfOpt = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Record a reporting period's update on an action, changing nothing else in its file.

    Example: actiontrack update 1.c --period "2022/23 Q2" --rag amber --note "Recruitment delayed to October"

    A red or amber rating needs a note; the period must have begun (on --as-of, default today).
    """
    from .edit import update_action
    from .load import display_path

    workspace = _load(paths, cached=False)
    _edit(
        workspace,
        lambda: update_action(
            workspace,
            action_id,
            period,
            plan_slug=plan,
            rag=rag.value if rag else None,
            note=note,
            actuals=actual or [],
            status=status_value.value if status_value else None,
            replace=replace,
            as_of=_as_of(as_of),
            dry_run=dry_run,
        ),
        dry_run,
        lambda result: f"updated {display_path(result.path, workspace.root)}",
    )


@app.command(rich_help_panel="Change the plans")
def new(
    plan: Annotated[str, typer.Option("--plan", metavar="SLUG", help="The plan (its folder name).")],
    title: Annotated[str, typer.Option("--title", help="The action (or objective) as the plan states it.")],
    priority: Annotated[str | None, typer.Option("--priority", metavar="ID", help="The priority it serves.")] = None,
    owner: Annotated[
        list[str] | None, typer.Option("--owner", metavar="ID", help="An owner id; repeat for several.")
    ] = None,
    due: Annotated[str | None, typer.Option("--due", help='The deadline as written, e.g. "2024/25".')] = None,
    paths: PathsArg = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Create the next action of a plan (e.g. 2.e after 2.d) from the template.

    Example: actiontrack new --plan health-wellbeing-2022-23 --priority 2 --title "Pilot green social prescribing"
    """
    from .edit import new_action
    from .load import display_path

    workspace = _load(paths, cached=False)
    _edit(
        workspace,
        lambda: new_action(workspace, plan, title, priority=priority, owners=owner or [], due=due, dry_run=dry_run),
        dry_run,
        lambda result: display_path(result.path, workspace.root),
        err=False,  # the new file's path is the command's output, for scripts
    )


def _edit(
    workspace: Workspace, run: Callable[[], Any], dry_run: bool, done: Callable[[Any], str], err: bool = True
) -> None:
    """The one way an editing command ends: the library's refusal as an error (its field as the flag), the diff with
    --dry-run or what was done (to stderr, or to stdout with `err=False`), then the exit policy."""
    from .edit import EditError

    try:
        result = run()
    except EditError as error:
        _fail(_unprinted(_flagged(error), workspace), error.code)
    except OSError as error:
        _cannot_write(error)
    if dry_run:
        sys.stdout.write(result.diff(workspace.root))
    else:
        typer.echo(done(result), err=err)
    _done(workspace)


OwnerKind = StrEnum("OwnerKind", {kind: kind for kind in OWNER_KINDS})


@app.command("add-owner", rich_help_panel="Change the plans")
def add_owner(
    owner_id: Annotated[str, typer.Argument(metavar="ID", help="Its id, e.g. trading-standards.")],
    name: Annotated[str, typer.Option("--name", help='Its name as people write it, e.g. "Trading Standards".')],
    kind: Annotated[
        OwnerKind, typer.Option("--kind", case_sensitive=False, help="team, person or partner.")
    ] = OwnerKind["team"],
    alias: Annotated[
        list[str] | None, typer.Option("--alias", metavar="TEXT", help="Another spelling or an acronym; repeat.")
    ] = None,
    paths: PathsArg = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add an owner to plans/owners.yaml, keeping every other line of it.

    Example: actiontrack add-owner trading-standards --name "Trading Standards" --kind team
    """
    from .edit import add_owner as add
    from .load import display_path

    workspace = _load(paths, cached=False)
    _edit(
        workspace,
        lambda: add(workspace, owner_id, name, kind.value, alias or [], dry_run=dry_run),
        dry_run,
        lambda result: f"added {owner_id} to {display_path(result.path, workspace.root)}",
    )


@app.command("add-target", rich_help_panel="Change the plans")
def add_target(
    action_id: Annotated[str, typer.Argument(metavar="ID", help='The action\'s id, e.g. "1.c".')],
    text: Annotated[str, typer.Option("--text", help='The target as the plan writes it, e.g. "200 x advice visits".')],
    plan: PlanOpt = None,
    paths: PathsArg = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Add a KPI target to an action; its number and unit are read from the text.

    Example: actiontrack add-target 1.c --text "200 x advice visits"
    """
    from .edit import add_target as add
    from .load import display_path

    workspace = _load(paths, cached=False)
    _edit(
        workspace,
        lambda: add(workspace, action_id, text, plan, dry_run=dry_run),
        dry_run,
        lambda result: f"added a target to {display_path(result.path, workspace.root)}",
    )


@app.command(rich_help_panel="Set up and share")
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write plan, action, owners and config schemas here.")
    ] = None,
) -> None:
    """JSON Schemas of the plan files, for editors such as VS Code (and for checks in CI).

    Example: actiontrack schema --out schemas
    """
    from .schemas import schema_documents, schema_files
    from .writes import atomic_write

    if out is None:
        typer.echo(json.dumps(schema_documents(), indent=2, ensure_ascii=False))
        return
    with _writing():
        out.mkdir(parents=True, exist_ok=True)
        for name, text in schema_files().items():
            atomic_write(out / name, text)
            typer.echo(str(out / name))


@app.command("import", rich_help_panel="Change the plans")
def import_(
    table: Annotated[
        Path,
        typer.Argument(
            help="The plan as you have it: a Word document (.docx), an Excel workbook (.xlsx), or a CSV or TSV table.",
            metavar="FILE",
            exists=True,
            dir_okay=False,
        ),
    ],
    plan: Annotated[
        str,
        typer.Option("--plan", metavar="NAME", help="The plan's folder name, e.g. tobacco-control-2019-22."),
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="HEADING=FIELD",
            help='Say what a column holds, e.g. --map "Theme=priority" or --map "Notes=skip".',
        ),
    ] = None,
    due_code: Annotated[
        list[str] | None,
        typer.Option(
            "--due-code",
            metavar="CODE=DATE",
            help='What one of the plan\'s deadline codes means, e.g. --due-code "S=March 2020" (repeat for each).',
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="PERIOD",
            help='Import the RAG and progress columns as this period\'s update, e.g. "2019/20 Q4".',
        ),
    ] = None,
    plan_period: Annotated[
        str | None,
        typer.Option(
            "--plan-period",
            metavar="PERIOD",
            help='The years the plan covers, e.g. "April 2019 to March 2022" (default: read from its title).',
        ),
    ] = None,
    table_number: Annotated[
        int | None,
        typer.Option("--table", metavar="N", help="Import only the Nth table of a Word document (default: all)."),
    ] = None,
    owner_separator: Annotated[
        str | None,
        typer.Option(
            "--owner-separator", metavar="TEXT", help="Text between owners in a cell (besides / ; , and new lines)."
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", metavar="NAME", help="The Excel sheet (default: the first).")
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="The plan's title (default: the document's title)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing action files and plan.yaml.")] = False,
    paths: PathsArg = None,
    dry_run: DryRunOpt = False,
) -> None:
    """Create plan files from the plan you already have: its table of actions, themes, leads and deadlines.

    Example: actiontrack import "Tobacco Control Plan.docx" --plan tobacco-control --due-code "S=March 2020"

    Nothing is written when a column cannot be mapped; run with --dry-run first to see what would happen.
    """
    from .importer import ImportProblem, import_table
    from .importer.plan import DETAIL_KINDS
    from .load import display_path

    workspace = _load(paths, cached=False)
    try:
        result = import_table(
            workspace,
            table,
            plan,
            maps=map_ or [],
            owner_separator=owner_separator,
            sheet=sheet,
            table_number=table_number,
            title=title,
            due_codes=due_code or [],
            period=period,
            plan_period=plan_period,
            force=force,
            dry_run=dry_run,
        )
    except ImportProblem as error:
        _fail(f"{table}: {_flagged(error)}", error.code)
    except OSError as error:
        _cannot_write(error)
    for line in result.summary(dry_run):
        typer.echo(line, err=True)
    for kind in DETAIL_KINDS:
        lines = result.details.get(kind, [])
        if lines:
            typer.echo(f"{kind} ({len(lines)}):", err=True)
            for line in lines:
                typer.echo(f"  {line}", err=True)
    for owner in result.new_owners:
        if owner is result.new_owners[0]:
            typer.echo("new owners (check each in owners.yaml):", err=True)
        alias = f"; also written {', '.join(owner.aliases)}" if owner.aliases else ""
        typer.echo(f"  {owner.id}: {owner.name} ({owner.kind}{alias})", err=True)
    for skipped in result.skipped:
        typer.echo(f"skipped {skipped}: it exists (use --force to overwrite)", err=True)
    verb = "would write" if dry_run else "wrote"
    for path in result.written:
        typer.echo(f"{verb} {display_path(path, workspace.root)}")
    _done(workspace)


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@app.command(rich_help_panel="Set up and share")
def export(
    paths: PathsArg = None,
    output_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv or xlsx.")] = ExportFormat.csv,
    out: Annotated[Path, typer.Option("--out", "-o", help="The file to write.")] = Path("actions.csv"),
    as_of: AsOfOpt = None,
    rev: RevOpt = None,
) -> None:
    """One row per action with its latest update, for a spreadsheet or committee papers.

    Example: actiontrack export --format xlsx --out actions.xlsx --as-of 2023-06-30
    """
    from .derive import derive
    from .export import export as write_export

    day = _as_of(as_of) or date.today()
    workspace = _load(paths, rev=rev)
    if not out.parent.is_dir():
        _fail(f"--out: the folder {out.parent} does not exist")
    with _writing():
        count = write_export(derive(workspace, day), output_format.value, out)
    typer.echo(f"wrote {count} actions to {out}", err=True)
    _done(workspace)


OwnerOpt = Annotated[
    str | None, typer.Option("--owner", metavar="ID", help="Only this owner's actions (as owner or partner).")
]


@app.command(rich_help_panel="Set up and share")
def calendar(
    paths: PathsArg = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="FILE.ics", help="The calendar file to write (- prints it).")
    ] = Path("calendar.ics"),
    owner: OwnerOpt = None,
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    alarm_days: Annotated[
        int | None,
        typer.Option("--alarm-days", metavar="N", min=0, max=366, help="Add an alarm N days before each event."),
    ] = None,
    include_closed: Annotated[
        bool,
        typer.Option(
            "--include-closed", help='Also complete and cancelled actions and milestones done, marked "(complete)".'
        ),
    ] = False,
) -> None:
    """Deadlines, milestones and update due dates as an iCalendar file (.ics) for Outlook, Google or Apple Calendar.

    Example: actiontrack calendar --owner regulatory-services --out regulatory-services.ics

    Every event keeps its UID, so a moved deadline moves in the calendar instead of appearing twice.
    """
    from .calendars import all_events, feed_for, history_for, to_ical, uid_domain
    from .derive import derive
    from .load import UsageError

    day = _as_of(as_of) or date.today()
    workspace = _load(paths)
    snapshot = derive(workspace, day)
    try:
        from .cache import Cache

        cache = Cache.for_repository(workspace.root, _options["cache"])
        events = all_events(snapshot, *history_for(workspace, cache))
        feed = feed_for(snapshot, events, plan=plan, owner=owner, include_closed=include_closed)
    except UsageError as error:
        _fail(_unprinted(_flagged(error), workspace))
    data = to_ical(feed, uid_domain(workspace), alarm_days)
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        from .writes import atomic_write

        if not out.parent.is_dir():
            _fail(f"--out: the folder {out.parent} does not exist")
        with _writing():
            atomic_write(out, data)
        count = len(feed.events)
        typer.echo(f"wrote {count} event{'s' if count != 1 else ''} to {out}", err=True)
    _done(workspace)


class DigestFormat(StrEnum):
    text = "text"
    md = "md"
    json = "json"


@app.command(rich_help_panel="See where the plans stand")
def digest(
    paths: PathsArg = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="ID", help="The owner whose digest to show.")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every owner's digest, one file each in --out (with index.json, index.tsv).")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", metavar="DIR", help="With --all: the folder to write them in.")
    ] = None,
    output_format: Annotated[
        DigestFormat, typer.Option("--format", "-f", help="text, md (Markdown, as an issue body) or json.")
    ] = DigestFormat.text,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --all: also print the index (JSON, documented in the README).")
    ] = False,
    as_of: AsOfOpt = None,
) -> None:
    """What an owner must do now: updates missing, overdue actions, red and amber, due soon; each with its command.

    Example: actiontrack digest --owner regulatory-services --as-of 2023-06-30

    With --all --out DIR, every owner's digest is written to DIR/<owner>.<txt|md|json>, with DIR/index.json and
    DIR/index.tsv listing them (the reminders workflow of `actiontrack init --reminders` loops over index.tsv).
    """
    from .derive import derive
    from .digest import digest as owner_digest
    from .digest import every_digest
    from .load import UsageError
    from .views import digest as words

    if every == (owner is not None):
        _fail("give either --owner ID or --all")
    if every and out is None:
        _fail("--all needs --out DIR: the folder to write each owner's digest in")
    if not every and (out is not None or as_json):
        _fail(f"{'--out' if out is not None else '--json'} goes with --all; for one owner use --format")
    day = _as_of(as_of) or date.today()
    workspace = _load(paths)
    snapshot = derive(workspace, day)
    render = {"text": words.digest_text, "md": words.digest_markdown}
    if not every:
        try:
            found = owner_digest(snapshot, owner)  # type: ignore[arg-type]
        except UsageError as error:
            _fail(_unprinted(_flagged(error), workspace))
        if output_format.value == "json":
            typer.echo(json.dumps(words.digest_record(found), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(render[output_format.value](found))
        _done(workspace)
        return
    assert out is not None
    digests = every_digest(snapshot)
    suffix = {"text": "txt", "md": "md", "json": "json"}[output_format.value]
    names = {d.owner: f"{d.owner}.{suffix}" for d in digests}
    files: dict[Path, str] = {}
    for found in digests:
        if output_format.value == "json":
            text = json.dumps(words.digest_record(found), indent=2, ensure_ascii=False) + "\n"
        else:
            text = render[output_format.value](found)
        files[out / names[found.owner]] = text
    paths_in = {owner_id: (out / name).as_posix() for owner_id, name in names.items()}
    index = words.index_record(digests, paths_in)
    files[out / "index.json"] = json.dumps(index, indent=2, ensure_ascii=False) + "\n"
    files[out / "index.tsv"] = words.index_tsv(digests, paths_in)
    if out.exists() and not out.is_dir():
        _fail(f"--out: {out} is a file, not a folder")
    from .writes import write_all

    with _writing():
        write_all(files)
    if as_json:
        typer.echo(json.dumps(index, indent=2, ensure_ascii=False))
    waiting = sum(1 for d in digests if d.outstanding)
    typer.echo(f"wrote {len(digests)} digests to {out} ({waiting} with something outstanding)", err=True)
    _done(workspace)


class CiChoice(StrEnum):
    github = "github"
    gitlab = "gitlab"
    none = "none"


@app.command(rich_help_panel="Set up and share")
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the plans repository.", metavar="FOLDER")] = Path(
        "."
    ),
    ci: Annotated[
        CiChoice,
        typer.Option(
            "--ci",
            case_sensitive=False,
            help="Which CI to set up: github (a workflow that lints pull requests and publishes the report to "
            "Pages), gitlab (.gitlab-ci.yml: Code Quality and Pages) or none.",
        ),
    ] = CiChoice.github,
    reminders: Annotated[
        bool,
        typer.Option(
            "--reminders",
            help="Also add .github/workflows/reminders.yml: a scheduled workflow that opens, updates or closes one "
            "issue per owner with their digest (GitHub only).",
        ),
    ] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Start a plans repository: settings, owners, an example plan, CI, pre-commit, the pinned release, schemas.

    Example: actiontrack init council-plans --ci gitlab

    The example plan is dated in the current financial year, so the new repository lints clean today.
    """
    from .init import InitProblem, InitUsage, init_repository

    day = _as_of(as_of) or date.today()
    try:
        with _writing():
            written = init_repository(directory, day, ci.value, reminders)
    except InitProblem as error:
        _fail(str(error), EXIT_PROBLEMS)
    except InitUsage as error:
        _fail(_flagged(error))
    for name in written:
        typer.echo(f"created {(directory / name).as_posix()}")
    from .discover import forge_root

    top = forge_root(directory)
    if top != directory.resolve() and ci.value != "none":
        inner = directory.resolve().relative_to(top).as_posix()
        ci_file = ".github/" if ci.value == "github" else ".gitlab-ci.yml"
        typer.echo(
            f"note: {directory} is inside the git repository at {top}; forges read {ci_file} and pre-commit reads "
            f".pre-commit-config.yaml only at its top. Move them there and give each actiontrack command in them "
            f"the plans folder, e.g. `actiontrack lint {inner}/plans`, or run init at the top instead.",
            err=True,
        )
    typer.echo("next: edit plans/, then run `actiontrack lint` and `actiontrack status`", err=True)


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


@app.command(rich_help_panel="See where the plans stand")
def report(
    paths: PathsArg = None,
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help="md or html.")] = ReportFormat.html,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The folder to write (replaced if it holds a report).")
    ] = Path("site"),
    as_of: AsOfOpt = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="A folder of templates that override the built-in ones.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The report's title.")] = None,
    refuse_incomplete: Annotated[
        bool,
        typer.Option(
            "--refuse-incomplete",
            help="Write nothing (and keep the previous report) when a plan file cannot be read. By default the "
            "report is written with a banner on every page naming each file left out and why.",
        ),
    ] = False,
    rev: RevOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV|DATE",
            help='Add "Changes since ..." to the index and plan pages, and each action\'s history to its page: since '
            "this git revision, or the last commit on or before this date (YYYY-MM-DD).",
        ),
    ] = None,
) -> None:
    """Render the plans as a Markdown report or a static HTML site (an index, plans, actions and owners).

    Example: actiontrack report --format html --out site --as-of 2023-06-30

    A plan file that cannot be read is never left out silently: every page names it in a banner (exit 1).
    """
    from .derive import derive
    from .load import UsageError
    from .report import IncompleteReport, build

    day = _as_of(as_of) or date.today()
    workspace = _load(paths, rev=rev, baselines=True)
    history = _report_history(workspace, since, paths) if since is not None else None
    try:
        with _writing():
            from .cache import Cache

            cache = Cache.for_repository(workspace.root, _options["cache"])
            written = build(
                derive(workspace, day), output_format.value, out, title, templates, refuse_incomplete, history, cache
            )
    except UsageError as error:  # also a broken template override, named with its file
        _fail(_flagged(error))
    except IncompleteReport as error:
        _fail(f"{error}; {out} was left as it was (without --refuse-incomplete, the report names them)", EXIT_PROBLEMS)
    pages = sum(1 for name in written if name.endswith((".html", ".md")))
    count = len(workspace.problems)
    left_out = f"; {count} unreadable file{'s' if count != 1 else ''} named on every page" if count else ""
    typer.echo(f"wrote {pages} pages to {out} (as of {day.isoformat()}){left_out}", err=True)
    _done(workspace)


def _report_history(workspace: Workspace, since: str, paths: list[Path] | None = None) -> dict[str, Any]:
    from .gitrepo import GitProblem, GitRepo
    from .history import report_history
    from .views.history import report_records

    try:
        repo = GitRepo.find(workspace.root)
        _shallow_note(repo)
        from .cache import Cache

        chosen = {plan.slug for plan in workspace.plans} if paths else None
        cache = Cache.for_repository(workspace.root, _options["cache"])
        found = report_history(repo, workspace, since, chosen, cache)
    except GitProblem as problem:
        _git_failed(problem, "--since")
    _say_unreadable(found.unreadable, "note", "its changes are not listed")
    return report_records(found, workspace.config.report.show_authors)


class LintFormat(StrEnum):
    auto = "auto"
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    gitlab = "gitlab"


@app.command(rich_help_panel="Check the plans")
def lint(
    paths: PathsArg = None,
    as_of: AsOfOpt = None,
    output_format: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            "-f",
            help="text for people; json, github (annotations, and the job summary), sarif (code scanning) or "
            "gitlab (Code Quality) for machines. auto: github when GITHUB_ACTIONS is set, else text.",
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
    rev: RevOpt = None,
) -> None:
    """Find what goes wrong in action plans: overdue, unowned, unmeasurable, never updated. Exit 1 on errors.

    Example: actiontrack lint --as-of 2023-06-30 --format github
    """
    from .gitrepo import GitProblem
    from .lint import lint_repository, parse_rule_list
    from .load import UsageError
    from .views import lint_output

    day = _as_of(as_of) or date.today()
    try:
        selected = parse_rule_list(select, "--select") if select is not None else None
        ignored = parse_rule_list(ignore, "--ignore")
        progress = _TerminalProgress() if sys.stderr.isatty() else None
        try:  # (loading and deriving pause the cycle collector themselves; between plans it frees the last ones)
            result = lint_repository(paths or [], day, selected, ignored, _options["cache"], progress, rev)
        finally:
            if progress is not None:
                progress.stop()
    except UsageError as error:
        _fail(_flagged(error))
    except GitProblem as problem:
        _git_failed(problem, "--rev" if rev else None)
    for note in result.notes:
        typer.echo(f"actiontrack: note: {note}", err=True)
    chosen = output_format.value
    if chosen == "auto":
        chosen = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if chosen == "text":
        lint_output.write_text(result, sys.stdout)
    else:
        render = {
            "json": lint_output.to_json,
            "github": lint_output.to_github,
            "sarif": lint_output.to_sarif,
            "gitlab": lint_output.to_gitlab,
        }[chosen]
        sys.stdout.write(render(result))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if chosen == "github" and summary:
        try:  # appended, as GitHub expects: other steps of the job write there too
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(lint_output.to_step_summary(result))
        except OSError as error:
            typer.echo(f"actiontrack: warning: cannot write the job summary {summary}: {error.strerror}", err=True)
    raise typer.Exit(result.exit_code(strict))


@app.command("rules", rich_help_panel="Check the plans")
def list_rules(
    name: Annotated[str | None, typer.Argument(help="A rule name or code to explain in full.")] = None,
) -> None:
    """List every lint rule, or explain one with an example of what it finds (`actiontrack rules overdue`).

    Example: actiontrack rules overdue
    """
    from .rules import find_rule, rules_in_code_order
    from .views.rules import explain, rules_table

    if name is None:
        _console().print(rules_table(rules_in_code_order()))
        return
    rule = find_rule(name)
    if rule is None:
        _fail(f'unknown rule "{name}"; `actiontrack rules` lists them')
    typer.echo(explain(rule), nl=False)


def main() -> None:
    _options["process"] = True
    app()
