"""`actiontrack show` (one action in full) and `actiontrack owners` (workload per owner) in a terminal."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..derive import DerivedAction, priority_title
from ..load import Workspace, display_path
from ..words import when_due
from .records import original_due_text, updates_newest_first
from .status import STATE_STYLES, progress_bar, rag_text, state_text


def _field(table: Table, label: str, value: Text | str | None) -> None:
    if value in (None, ""):
        value = Text("–", style="dim")
    elif isinstance(value, str):
        value = Text(value)  # user text: brackets are not rich markup
    table.add_row(Text(label, style="bold"), value)


def _owner_line(owner_ids: list[str], workspace: Workspace) -> Text:
    text = Text()
    for index, owner_id in enumerate(owner_ids):
        if index:
            text.append("; ")
        owner = workspace.owners.get(owner_id)
        if owner is None:
            text.append(f"{owner_id} (not in owners.yaml)", style="red")
        else:
            text.append(owner.name)
            text.append(f" ({owner.kind}{', ' + owner.contact if owner.contact else ''})", style="dim")
    return text


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value):,}"


def render_action(derived: DerivedAction, workspace: Workspace, as_of: date, console: Console) -> None:
    """`actiontrack show`: the heading, the fields, milestones, targets against actuals, and the updates."""
    console.print(_heading(derived, as_of))
    console.print()
    console.print(_fields(derived, workspace))
    for section in (_milestones(derived), _targets(derived)):
        if section:
            console.print()
            for line in section:
                console.print(line)
    console.print()
    _updates(derived, console)


def _heading(derived: DerivedAction, as_of: date) -> Text:
    heading = Text(f"{derived.action.id}  ", style="bold")
    heading.append(derived.action.title, style="bold")
    heading.append("\n")
    heading.append_text(state_text(derived))
    heading.append("  ")
    heading.append_text(rag_text(derived.rag))
    heading.append(f"  as of {as_of.isoformat()}", style="dim")
    return heading


def _due(derived: DerivedAction) -> Text:
    action, due = derived.action, Text()
    if action.due is not None:
        due.append(action.due.text)
        if derived.due_date is not None:
            due.append(f" → {derived.due_date.isoformat()}")
            due.append(f" ({when_due(derived.days_left or 0)})", style=STATE_STYLES.get(derived.state, "dim"))
        elif action.due.recurrence:
            due.append(" (recurring)", style="dim")
    elif action.due_as_written is not None:
        due.append(action.due_as_written)
        due.append(" (as the plan wrote it; not read as a date)", style="dim")
    return due


def _fields(derived: DerivedAction, workspace: Workspace) -> Table:
    action, plan = derived.action, derived.plan
    fields = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
    fields.add_column(no_wrap=True)
    fields.add_column(overflow="fold", ratio=1)
    _field(fields, "Plan", f"{plan.title} ({plan.slug})")
    if action.priority:
        _field(fields, "Priority", f"{action.priority} {priority_title(plan, action.priority) or ''}".strip())
    _field(fields, "What we will do", action.what)
    _field(fields, "Owners", _owner_line(action.owners, workspace) if action.owners else Text("none", style="red"))
    if action.partners:
        _field(fields, "Partners", _owner_line(action.partners, workspace))
    _field(fields, "Due", _due(derived))
    original = original_due_text(derived)
    if original:
        _field(fields, "Original deadline", Text(original, style="yellow"))
    _field(fields, "Status", derived.status or Text("not recorded", style="dim"))
    if derived.last_period is not None:
        covered = Text(f"no update for {derived.last_period.label}", style="yellow") if derived.stale else None
        _field(fields, "Last period", covered or f"{derived.last_period.label} reported")
    _field(fields, "Outcome", action.outcome or Text("none stated", style="yellow"))
    _field(fields, "File", display_path(derived.source.path, workspace.root))
    return fields


def _milestones(derived: DerivedAction) -> list[Text]:
    if not derived.action.milestones:
        return []
    lines = [Text("Milestones", style="bold")]
    for milestone in derived.action.milestones:
        line = Text("  [x] " if milestone.done else "  [ ] ")
        line.append(milestone.text)
        if milestone.due is not None:
            when = f" — due {milestone.due.text}"
            if milestone.due.end and milestone.due.text != milestone.due.end.isoformat():
                when += f" ({milestone.due.end.isoformat()})"
            line.append(when, style="dim")
        lines.append(line)
    return lines


def _targets(derived: DerivedAction) -> list[Text]:
    if not derived.kpis:
        return []
    lines = [Text("Targets", style="bold")]
    for kpi in derived.kpis:
        target = kpi.target
        line = Text(f"  {target.text}")
        if target.value is None:
            line.append("  (no number to measure against)", style="yellow")
        elif kpi.actual is None:
            line.append("  no actual recorded", style="dim")
        else:
            line.append("\n    ")
            line.append_text(progress_bar(round(min(kpi.ratio or 0, 1) * 100), 100, 20))
            unit = f" {target.unit}" if target.unit and target.unit != "%" else (target.unit or "")
            line.append(f" {_number(kpi.actual)} of {_number(target.value)}{unit} ({kpi.period})")
            if kpi.met:
                line.append(" met", style="green")
        lines.append(line)
    return lines


def _updates(derived: DerivedAction, console: Console) -> None:
    updates = updates_newest_first(derived)
    console.print(Text(f"Updates ({len(updates)}), newest first", style="bold"))
    if not updates:
        console.print("  none yet", style="dim")
    for update in updates:
        line = Text(f"  {update.period.text}  ")
        line.append_text(rag_text(update.rag))
        if update.status:
            line.append(f"  {update.status}", style="dim")
        if update.actuals:
            actuals = ", ".join(f"{key} {_number(value)}" for key, value in update.actuals.items())
            line.append(f"  [{actuals}]", style="dim")
        console.print(line)
        if update.note:
            console.print(Text(update.note, overflow="fold"), style="", soft_wrap=False)


def render_owners(rows: list[dict[str, Any]], as_of: date, console: Console) -> None:
    table = Table(title=f"Owners — workload as of {as_of.isoformat()}", title_justify="left", expand=True)
    table.add_column("Owner", ratio=1, overflow="fold")
    table.add_column("Kind", no_wrap=True)
    table.add_column("Actions", justify="right", no_wrap=True)
    table.add_column("Open", justify="right", no_wrap=True)
    table.add_column("Overdue", justify="right", no_wrap=True)
    table.add_column("No update", justify="right", no_wrap=True)
    for row in rows:
        name = Text(row["name"] or row["id"])
        if not row["registered"]:
            name.append(" (not in owners.yaml)", style="red")
        overdue = Text(str(row["overdue"]), style="bold red" if row["overdue"] else "")
        table.add_row(name, Text(row["kind"] or "–"), str(row["total"]), str(row["open"]), overdue, str(row["stale"]))
    console.print(table)
