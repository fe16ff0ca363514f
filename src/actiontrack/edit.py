"""`update` and `new`: changing plan files without losing anything.

Every edit (1) checks the file with the safe reader first (so a hostile or broken file is refused, not rewritten),
(2) changes it by splicing only the lines it is about (splice.py), so every other line stays byte-identical,
(3) validates the result against the model, and (4) writes it atomically (writes.py): a crash or kill at any moment
leaves either the old file or the new one, never half of one. An edit that fails for any reason leaves the
repository as it was.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from .dates import DateError, Period, parse_when, reporting_periods
from .load import (
    ActionSource,
    LookupProblem,
    PlanSource,
    Problem,
    Workspace,
    did_you_mean,
    display_path,
    validation_problems,
)
from .model import Action, Owner, OwnersFile, Plan, validation_context
from .schemas import missing_schema_files, schema_line
from .splice import apply_edits, newline_of, round_trip, splice_item, yaml_lines
from .vocab import OWNER_KINDS, RAGS, STATUSES
from .words import slug
from .writes import FileChanged, atomic_write, write_all
from .yamlfile import YamlProblem, parse_text

BOM = "\ufeff"


class EditError(Exception):
    """An edit that cannot be made; nothing was written. The message says why (with file:line where there is one).

    `code` is the exit code: 1 when a file or the plan refuses the edit, 2 for a mistake in what was asked. `field`
    names what was asked wrongly ("period", "rag", "actual", "priority", "owner", "title", "plan"); the command
    line shows it as its flag. As a string, the error reads "field: message".
    """

    def __init__(self, message: str, code: int = 1, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.code = code
        self.field = field


@dataclass(frozen=True)
class EditResult:
    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, base: Path | None = None) -> str:
        name = display_path(self.path, base)
        return "".join(difflib.unified_diff(yaml_lines(self.before), yaml_lines(self.after), f"a/{name}", f"b/{name}"))


# ---- round trip ----


# what link() says on a file system without hard links (FAT, some network shares) or where they are not allowed


def check_action_text(text: str, path: Path, fy_start: int, plan: Plan | None = None) -> Action:
    """Parse and validate an action file's text (deadline codes read through `plan`'s legend); raise EditError
    listing every problem with its line."""
    try:
        doc = parse_text(text)
    except YamlProblem as problem:
        raise EditError(Problem(path, problem.line, problem.column, problem.message).format()) from None
    if not isinstance(doc.data, dict):
        raise EditError(f"{display_path(path)}:1:1: not an action file (expected keys such as id and title)")
    try:
        return Action.model_validate(doc.data, context=validation_context(fy_start, plan))
    except ValidationError as error:
        problems = validation_problems(error, doc, path, Action)
        raise EditError("\n".join(p.format() for p in problems)) from None


# ---- finding the action ----


def find_action(workspace: Workspace, action_id: str, plan_slug: str | None) -> tuple[PlanSource, ActionSource]:
    """Workspace.find_action, its problem as an EditError."""
    try:
        return workspace.find_action(action_id, plan_slug)
    except LookupProblem as problem:
        field = problem.field if problem.usage else None
        raise EditError(str(problem), 2 if problem.usage else 1, field) from None


# ---- update ----


_SHORT_PERIOD = re.compile(r"(?i)\s*(?P<part>[QH][1-4])\s*")


def reporting_period(plan: Plan | None, text: str, fy_start: int, as_of: date | None = None) -> tuple[str, Period]:
    """The plan's reporting period that `text` names, and its canonical label ("Q2 2022/23" -> "2022/23 Q2").
    A plan with no known period accepts any well-formed period. With `as_of`, a bare "Q2" or "H1" is the latest
    period of that name that has begun on that day (so "Q2" in October 2022 is "2022/23 Q2")."""
    cadence = plan.reporting if plan else "quarterly"
    short = _SHORT_PERIOD.fullmatch(text)
    if short and as_of is not None:
        text = _latest_named(cadence, short["part"].upper(), as_of, fy_start) or text
    try:
        when = parse_when(text, fy_start)
    except DateError as error:
        if "understands" not in str(error):  # a precise reason ("31/02/2023" is not a real date): that one
            raise EditError(str(error), 2, field="period") from None
        raise EditError(_not_a_period(text, cadence, fy_start, as_of), 2, field="period") from None
    example = ""
    if when.start is not None and when.end is not None:
        for label, span in reporting_periods(cadence, when.start, when.end, fy_start):
            if (span.start, span.end) == (when.start, when.end):
                start, end = (plan.start_date, plan.end_date) if plan else (None, None)
                if (start and span.end < start) or (end and span.start > end):
                    raise EditError(f"{label} is outside the plan's period ({start} to {end})", field="period")
                return label, span
        example = reporting_periods(cadence, when.start, when.start, fy_start)[0][0]
    hint = f', e.g. "{example}"' if example else ""
    raise EditError(f'"{text}" is not a {cadence} reporting period of this plan{hint}', field="period")


def _not_a_period(text: str, cadence: str, fy_start: int, as_of: date | None) -> str:
    """Why `text` names no reporting period, with examples of ones this plan's cadence has."""
    day = as_of or date.today()
    label = reporting_periods(cadence, day, day, fy_start)[0][0]
    short = label.rsplit(" ", 1)[-1] if cadence in ("quarterly", "half-yearly") else None
    also = f' or "{short}" for the latest {short}' if short else ""
    return f'"{text}" is not a {cadence} reporting period; write one as "{label}"{also}'


def _latest_named(cadence: str, part: str, as_of: date, fy_start: int) -> str | None:
    """The label of the latest `cadence` period called `part` ("Q2") that has begun on `as_of`, or None."""
    begun = reporting_periods(cadence, as_of.replace(year=as_of.year - 2), as_of, fy_start)
    named = [label for label, span in begun if label.endswith(f" {part}") and span.start <= as_of]
    return named[-1] if named else None


def _number(text: str) -> int | float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() and "." not in text else value


def parse_actuals(pairs: list[str], action: Action) -> dict[str, int | float]:
    known = [t.key for t in action.targets if t.key]
    if pairs and not known:
        raise EditError(
            "this action has no numeric target to record an actual against; add one first with "
            '`actiontrack add-target ID --text "10 x volunteers"`',
            2,
            field="actual",
        )
    actuals: dict[str, int | float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise EditError(f'"{pair}" should be NAME=VALUE, e.g. volunteers=12', 2, field="actual")
        if name not in known:
            raise EditError(
                f'this action has no target "{name}"; its targets measure: {", ".join(known)}', 2, field="actual"
            )
        try:
            actuals[name] = _number(value.strip())
        except ValueError:
            raise EditError(f'"{value}" is not a number', 2, field="actual") from None
        if not math.isfinite(actuals[name]):
            raise EditError(
                f'"{value}" is not a usable number (too large, infinite or not a number)', 2, field="actual"
            )
    return actuals


def update_action(
    workspace: Workspace,
    action_id: str,
    period: str,
    *,
    plan_slug: str | None = None,
    rag: str | None = None,
    note: str | None = None,
    actuals: list[str] = (),  # type: ignore[assignment]
    status: str | None = None,
    replace: bool = False,
    written_on: date | None = None,
    as_of: date | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Add (or with `replace`, replace) one reporting period's update of an action, and optionally its status.

    Refused: a period that has not begun on `as_of` (default today: an update reports what happened), and a red or
    amber rating without a note (a committee needs to know why, and what is being done)."""
    fy_start = workspace.config.financial_year_start
    plan, source = find_action(workspace, action_id, plan_slug)
    _check_plan_file(workspace, plan)
    today = as_of or date.today()
    label, span = reporting_period(plan.plan, period, fy_start, today)
    if span.start > today:
        raise EditError(
            f"{label} has not begun on {today.isoformat()}: an update reports a period that has started "
            "(give --as-of to record one for another day)",
            2,
            field="period",
        )
    if rag is not None and rag not in RAGS:
        raise EditError(f'"{rag}" is not one of {", ".join(RAGS)}', 2, field="rag")
    if rag in ("red", "amber") and not (note or "").strip():
        raise EditError(
            f"{'a red' if rag == 'red' else 'an amber'} rating needs a note saying why and what is being done",
            2,
            "note",
        )
    if status is not None and status not in STATUSES:
        raise EditError(f'"{status}" is not one of {", ".join(STATUSES)}', 2, field="status")
    values = parse_actuals(list(actuals), source.action)
    path = source.path
    original, before, bom = _action_text(path, fy_start, plan.plan)
    yaml, data = round_trip(before.replace("\r\n", "\n"))  # positions only: the text itself is spliced

    entry = CommentedMap()
    entry["period"] = DoubleQuotedScalarString(label)
    if written_on is not None:
        entry["date"] = written_on.isoformat()
    if rag is not None:
        entry["rag"] = rag
    if status is not None:
        entry["status"] = status
    if note:
        entry["note"] = LiteralScalarString(note.strip() + "\n") if "\n" in note.strip() else note.strip()
    if values:
        actual_map = CommentedMap(values)
        actual_map.fa.set_flow_style()
        entry["actuals"] = actual_map

    updates = data.get("updates")
    existing = [i for i, u in enumerate(updates or []) if _same_period(u, span, fy_start)]
    if existing and not replace:
        raise EditError(f"{display_path(path)}: action {action_id} already has an update for {label}; use --replace")

    lines, edits = splice_item(before, yaml, data, "updates", [entry], existing[-1] if existing else None)
    if status is not None:
        edits.append(_status_edit(lines, data, status, newline_of(before)))
    after = apply_edits(lines, edits)
    return _finish(path, original, before, after, bom, fy_start, plan.plan, "update", dry_run)


def _action_text(path: Path, fy_start: int, plan: Plan | None) -> tuple[bytes, str, bool]:
    """An action file's bytes, its text without a BOM, and whether it had one; refused unless it is valid now."""
    original = _read_for_edit(path)
    try:
        raw = original.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{display_path(path)}: the file is not UTF-8 text; fix it first") from None
    bom = raw.startswith(BOM)
    before = raw[1:] if bom else raw
    check_action_text(before, path, fy_start, plan)  # refuse to touch a file that is not valid now
    return original, before, bom


def _finish(
    path: Path,
    original: bytes,
    before: str,
    after: str,
    bom: bool,
    fy_start: int,
    plan: Plan | None,
    what: str,
    dry_run: bool,
) -> EditResult:
    """An edited action file checked against the model and, unless `dry_run` or unchanged, written back."""
    try:
        check_action_text(after, path, fy_start, plan)
    except EditError as error:
        raise EditError(f"the {what} would make the file invalid, so nothing was written:\n{error}") from None
    result = EditResult(path, before, after)
    if not dry_run and result.changed:
        _write_back(path, after, bom, original)
    return result


def _write_back(path: Path, after: str, bom: bool, original: bytes) -> None:
    """The edited text, atomically, unless someone changed the file since it was read."""
    try:
        atomic_write(path, (BOM if bom else "") + after, expect=original)
    except FileChanged:
        raise EditError(
            f"{display_path(path)}: the file was changed by something else while this edit was being made; "
            "nothing was written: run the command again"
        ) from None


def _read_for_edit(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise EditError(
            f"{display_path(path)}: the file has gone since the plans were read; nothing was written"
        ) from None
    except OSError as error:
        raise EditError(f"{display_path(path)}: cannot read: {error.strerror or error}") from None


def _check_plan_file(workspace: Workspace, plan: PlanSource) -> None:
    """Refuse to edit a plan whose plan.yaml does not read: its priorities, period and reporting are unknown."""
    if plan.plan is not None:
        return
    broken = [p for p in workspace.problems if p.path.resolve() == plan.path.resolve()]
    if broken:
        lines = "\n".join(p.format() for p in broken)
        raise EditError(f"{display_path(plan.path)} is invalid; fix it first:\n{lines}")


def _status_edit(lines: list[str], data: CommentedMap, status: str, newline: str) -> tuple[int, int, list[str]]:
    if "status" in data:
        number = data.lc.key("status")[0]
        line = lines[number]
        match = re.match(r"^(status:[ \t]*)(['\"]?)[\w-]*\2(.*?)(\r?\n)?$", line)
        if match is None:
            raise EditError(f"line {number + 1}: `status:` is not written on one line; set it by hand")
        return number, number + 1, [f"{match[1]}{match[2]}{status}{match[2]}{match[3]}{match[4] or newline}"]
    position = data.lc.key("updates")[0] if "updates" in data else len(lines)
    # inserted just before `updates:` (or before a new updates block at the end of the file)
    return position, position, [f"status: {status}{newline}"]


def _same_period(update: Any, span: Period, fy_start: int) -> bool:
    try:
        when = parse_when(str(update.get("period", "")), fy_start)
    except (DateError, AttributeError):
        return False
    return (when.start, when.end) == (span.start, span.end)


# ---- new action ----


def next_action_id(plan: PlanSource, priority: str | None) -> str:
    """The next free id in the plan's own scheme: "2.e" after "2.d" in priority 2, "20" after "19"."""
    ids = [a.action.id for a in plan.actions]
    if priority is not None:
        letters = [i.split(".", 1)[1] for i in ids if i.startswith(f"{priority}.") and i.split(".", 1)[1].isalpha()]
        if letters or not any(i.isdigit() for i in ids):
            last = max(letters, key=lambda x: (len(x), x), default="")
            if not last:
                return f"{priority}.a"
            if last[-1] != "z":
                return f"{priority}.{last[:-1]}{chr(ord(last[-1]) + 1)}"
            return f"{priority}.{last}a"
    numbers = [int(i) for i in ids if i.isdigit()]
    return str(max(numbers, default=0) + 1)


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def new_action(
    workspace: Workspace,
    plan_slug: str,
    title: str,
    *,
    priority: str | None = None,
    owners: list[str] = (),  # type: ignore[assignment]
    due: str | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Create the next action file of a plan from the template; nothing is overwritten."""
    plans = [p for p in workspace.plans if p.slug == plan_slug]
    if not plans:
        raise EditError(f'no plan "{plan_slug}"; plans: {", ".join(p.slug for p in workspace.plans)}', 2, field="plan")
    plan = plans[0]
    _check_plan_file(workspace, plan)
    known = [p.id for p in (plan.plan.priorities if plan.plan else [])]
    if known and priority is None:
        raise EditError(f"required: this plan's priorities are {', '.join(known)}", 2, field="priority")
    if priority is not None and priority not in known:
        listed = f"; it has {', '.join(known)}" if known else ""
        raise EditError(f'the plan has no priority "{priority}"{listed}', 2, field="priority")
    for owner in owners:
        if owner not in workspace.owners:
            hint = did_you_mean(owner, workspace.owners) or (
                f'; add it first with `actiontrack add-owner {owner} --name "Its name" --kind team`'
            )
            raise EditError(f'"{owner}" is not in owners.yaml{hint}', 2, field="owner")
    if not title.strip():
        raise EditError("the title is empty", 2, field="title")
    action_id = next_action_id(plan, priority)
    path = plan.directory / "actions" / f"{action_id}-{slug(title)}.yaml"
    lines = [schema_line(path, workspace.root, "action"), f"id: {_quote(action_id)}\n"]
    if priority is not None:
        lines.append(f"priority: {_quote(priority)}\n")
    lines.append(f"title: {_quote(title.strip())}\n")
    lines.append("# what: what the council will do (optional)\n")
    lines.append(f"owners: [{', '.join(owners)}]\n")
    lines.append(f"due: {_quote(due)}\n" if due else '# due: "2024/25", "March 2025" or "ongoing"\n')
    lines.append("# targets:\n#   - text: 10 x volunteers\n")
    lines.append("# outcome: what will change for residents when this is done\n")
    lines.append("status: not-started                # in-progress, complete or cancelled as it moves on\n")
    text = "".join(lines)
    check_action_text(text, path, workspace.config.financial_year_start, plan.plan)
    if path.exists() or any(p.name.startswith(f"{action_id}-") for p in path.parent.glob("*.y*ml")):
        raise EditError(f"{display_path(path)}: a file for action {action_id} already exists")
    if not dry_run:  # the schemas too, when missing, so the file's schema line resolves
        # also removes the actions/ folder again if it made it and the write fails
        write_all({path: text, **missing_schema_files(workspace.root)})
    return EditResult(path, "", text)


# ---- the owners registry and targets ----


def registry_with(workspace: Workspace, new: list[Owner], note: str | None = None) -> str:
    """The owners registry with `new` entries appended in the file's own style (`note` as a comment above them);
    every other line is kept. A registry that does not read is refused, never rewritten."""
    path = workspace.owners_path
    shown_path = display_path(path, workspace.root)
    unreadable = [p for p in workspace.problems if p.rule == "yaml-syntax" and p.path.resolve() == path.resolve()]
    if unreadable:
        lines = "\n".join(p.format() for p in unreadable)
        raise EditError(f"{shown_path} is invalid; fix it first:\n{lines}")
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else schema_line(path, workspace.root, "owners")
        parse_text(before)  # the safe reader first, as for every edit
        yaml, data = round_trip(before.replace("\r\n", "\n"))
    except (OSError, UnicodeDecodeError, YamlProblem, YAMLError) as error:  # changed since it was loaded
        raise EditError(f"{shown_path} cannot be read ({error}); fix it first") from None
    if data is None:  # a new registry, or one holding only comments (its schema line): keep them
        before = (before.rstrip("\n") + "\n" if before.strip() else "") + "owners: []\n"
        yaml, data = round_trip(before)
    entries = []
    for owner in new:
        entry = CommentedMap(id=owner.id, name=owner.name, kind=owner.kind)
        if owner.aliases:
            entry["aliases"] = CommentedSeq(owner.aliases)
            entry["aliases"].fa.set_flow_style()
        entries.append(entry)
    if note:
        entries[0].yaml_set_start_comment(note, indent=yaml.sequence_dash_offset)
    lines, edits = splice_item(before, yaml, data, "owners", entries)
    after = apply_edits(lines, edits)
    try:
        OwnersFile.model_validate(parse_text(after).data)
    except (YamlProblem, ValidationError) as error:  # never write a registry that no longer reads
        raise EditError(f"{shown_path}: could not add the new owners ({error}); add them by hand") from None
    return after


def add_owner(
    workspace: Workspace,
    owner_id: str,
    name: str,
    kind: str,
    aliases: list[str] = (),  # type: ignore[assignment]
    dry_run: bool = False,
) -> EditResult:
    """Add one owner to plans/owners.yaml (created if missing), keeping every other line of it."""
    if owner_id in workspace.owners:
        raise EditError(f'"{owner_id}" is already in owners.yaml ({workspace.owners[owner_id].name})', 2, "id")
    if kind not in OWNER_KINDS:
        raise EditError(f'"{kind}" is not one of {", ".join(OWNER_KINDS)}', 2, "kind")
    try:
        owner = Owner(id=owner_id, name=name, kind=kind, aliases=list(aliases))
    except ValidationError as error:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise EditError(
            f"{detail} (an id is lower-case letters, digits and hyphens, e.g. trading-standards)", 2
        ) from None
    path = workspace.owners_path
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    after = registry_with(workspace, [owner])
    if not dry_run:
        write_all({path: after, **missing_schema_files(workspace.root)})
    return EditResult(path, before, after)


def add_target(
    workspace: Workspace, action_id: str, text: str, plan_slug: str | None = None, dry_run: bool = False
) -> EditResult:
    """Add a KPI target to an action ("1200 x visits"; its number and unit are read from the text)."""
    if not text.strip():
        raise EditError('the target\'s text is empty; write it as the plan does, e.g. "200 x advice visits"', 2, "text")
    fy_start = workspace.config.financial_year_start
    plan, source = find_action(workspace, action_id, plan_slug)
    _check_plan_file(workspace, plan)
    path = source.path
    original, before, bom = _action_text(path, fy_start, plan.plan)
    yaml, data = round_trip(before.replace("\r\n", "\n"))
    lines, edits = splice_item(before, yaml, data, "targets", [CommentedMap(text=text.strip())])
    after = apply_edits(lines, edits)
    return _finish(path, original, before, after, bom, fy_start, plan.plan, "target", dry_run)
