"""What one owner must do now (`actiontrack digest`): the updates missing for the period just ended, overdue actions,
milestones overdue, red and amber ratings, and actions and milestones due within `due_soon_days`; each with the
exact `actiontrack update` command to run or the file to edit.

Every fact comes from the derived snapshot (stale, last_period, update_due, overdue, due soon, milestones): this
module only chooses an owner's share and says what to do about each. An owner's digest covers the actions they lead
(`owners:`), not those they are a partner in: the lead reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .derive import DerivedAction, Snapshot
from .words import day_count, when_due

#: the sections of a digest, in the order they are shown: most urgent first
SECTIONS = (
    ("update-missing", "Updates missing for the period just ended"),
    ("overdue", "Overdue actions"),
    ("milestone-overdue", "Milestones overdue"),
    ("red-amber", "Rated red or amber"),
    ("due-soon", "Actions due soon"),
    ("milestone-due-soon", "Milestones due soon"),
)
KINDS = tuple(kind for kind, _ in SECTIONS)


@dataclass(frozen=True)
class Item:
    """One thing to do about one action."""

    kind: str  # one of KINDS
    plan: str
    plan_title: str
    action: str
    title: str
    text: str  # what is the matter, in words
    day: date | None  # the date it is about (an update's, a deadline's, a milestone's)
    command: str | None  # the actiontrack command that does it, where there is one
    path: str  # the action's file, to edit instead (or for what no command does)
    edit: str | None = None  # what to change in the file, where that is the way


@dataclass(frozen=True)
class Digest:
    owner: str
    name: str
    github: str | None
    registered: bool
    as_of: date
    window: int  # due_soon_days
    items: tuple[Item, ...]

    @property
    def outstanding(self) -> int:
        return len(self.items)

    def section(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]


def _quote(text: str) -> str:
    """A value for a command line in double quotes (period labels and notes are plain words)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`") + '"'


def update_command(derived: DerivedAction, period: str, *, rag: str | None = None, status: str | None = None) -> str:
    """`actiontrack update ID --plan SLUG --period "..." ...`: the command that records an update for `period`,
    with --replace when the action already has one for it."""
    parts = ["actiontrack", "update", derived.id, "--plan", derived.plan_slug, "--period", _quote(period)]
    if rag:
        parts += ["--rag", rag]
    if status:
        parts += ["--status", status]
    parts += ["--note", '"..."']
    if any(u.period.text == period for u in derived.action.updates):
        parts.append("--replace")
    return " ".join(parts)


def _this_period(derived: DerivedAction) -> str | None:
    """The period to record an update in now: the one holding the as-of date, or, once the plan has ended, its last
    (`update` refuses a period outside the plan's dates); None before the plan starts."""
    plan = derived.plan.plan
    current = derived.current_period
    if current is None:
        return None
    if plan is not None and plan.start_date is not None and current.span.end < plan.start_date:
        return None
    if plan is not None and plan.end_date is not None and current.span.start > plan.end_date:
        return derived.last_period.label if derived.last_period else None
    return current.label


def items_for(derived: DerivedAction, snapshot: Snapshot) -> list[Item]:
    """What the lead of `derived` must do about it now (nothing for a closed action)."""
    if not derived.is_open:
        return []
    workspace = snapshot.workspace
    path = workspace.machine_path(derived.source.path)
    action = derived.action
    base = {"plan": derived.plan_slug, "plan_title": derived.plan.title, "action": derived.id, "title": action.title}
    now = _this_period(derived)
    found: list[Item] = []
    if derived.stale and derived.last_period is not None:
        period = derived.last_period
        due = derived.update_due
        by = ""
        if due is not None:
            by = f"; it was due on {due.isoformat()}" if due < snapshot.as_of else f"; it is due by {due.isoformat()}"
        found.append(
            Item(
                "update-missing",
                text=f"no update for {period.label}, which ended on {period.span.end.isoformat()}{by}",
                day=due,
                command=update_command(derived, period.label, rag=derived.rag or "green"),
                path=path,
                **base,
            )
        )
    if derived.state == "overdue" and derived.due_date is not None and action.due is not None:
        late = -(derived.days_left or 0)
        found.append(
            Item(
                "overdue",
                text=f'was due "{action.due.text}" ({derived.due_date.isoformat()}), {day_count(late)} ago: record '
                "that it is complete, or agree a new deadline",
                day=derived.due_date,
                command=update_command(derived, now, status="complete") if now else None,
                path=path,
                edit="due: the new deadline, once agreed",
                **base,
            )
        )
    for milestone in derived.milestones_overdue:
        assert milestone.due is not None and milestone.due.end is not None
        late = (snapshot.as_of - milestone.due.end).days
        found.append(
            Item(
                "milestone-overdue",
                text=f'milestone "{milestone.text}" was due {milestone.due.end.isoformat()}, {day_count(late)} ago',
                day=milestone.due.end,
                command=None,
                path=path,
                edit="done: true under the milestone when it is done, or its new due: date",
                **base,
            )
        )
    if derived.rag in ("red", "amber") and derived.latest is not None:
        note = (derived.latest.note or "").strip()
        said = f": {' '.join(note.split())}" if note else " with no note"
        found.append(
            Item(
                "red-amber",
                text=f"rated {derived.rag} for {derived.latest.period.text}{said}; say what is being done in the "
                "next update",
                day=derived.latest.period.end,
                command=update_command(derived, now, rag=derived.rag) if now else None,
                path=path,
                **base,
            )
        )
    if derived.due_soon and derived.state != "overdue" and derived.due_date is not None and action.due is not None:
        found.append(
            Item(
                "due-soon",
                text=f'due "{action.due.text}" ({derived.due_date.isoformat()}), {when_due(derived.days_left or 0)}',
                day=derived.due_date,
                command=update_command(derived, now, status="complete") if now else None,
                path=path,
                **base,
            )
        )
    for milestone in derived.milestones_due_soon:
        assert milestone.due is not None and milestone.due.end is not None
        days = (milestone.due.end - snapshot.as_of).days
        found.append(
            Item(
                "milestone-due-soon",
                text=f'milestone "{milestone.text}" is due {milestone.due.end.isoformat()}, {when_due(days)}',
                day=milestone.due.end,
                command=None,
                path=path,
                edit="done: true under the milestone when it is done",
                **base,
            )
        )
    return found


def digest(snapshot: Snapshot, owner: str) -> Digest:
    """What `owner` must do now, section by section (SECTIONS), the most urgent action first within each.
    UsageError (field "owner") for an owner the plans do not have."""
    workspace = snapshot.workspace
    workspace.check_choice(owner=owner)
    mine = snapshot.actions_of(owner)
    ordered = sorted(mine, key=DerivedAction.urgency)
    items = [item for derived in ordered for item in items_for(derived, snapshot)]
    items.sort(key=lambda item: KINDS.index(item.kind))  # stable: urgency order within each section
    registered = workspace.owners.get(owner)
    return Digest(
        owner=owner,
        name=registered.name if registered else owner,
        github=registered.github if registered else None,
        registered=registered is not None,
        as_of=snapshot.as_of,
        window=workspace.config.due_soon_days,
        items=tuple(items),
    )


def every_digest(snapshot: Snapshot) -> list[Digest]:
    """Every owner's digest (those with nothing to do too, so a reminder can be closed), in the registry's order,
    then owners only named in actions."""
    return [digest(snapshot, owner) for owner in snapshot.workspace.owner_ids()]


def outstanding(digests: Sequence[Digest]) -> int:
    return sum(d.outstanding for d in digests)
