"""Deadlines: when actions are due, judged on the --as-of date (AT2xx)."""

from __future__ import annotations

from collections.abc import Iterator

from ..derive import DerivedAction
from ..words import day_count, shown, when_due
from .base import Context, Hit, rule


def _due(item: DerivedAction) -> str:
    due = item.action.due
    assert due is not None and item.due_date is not None
    return f'"{due.text}" ({item.due_date.isoformat()})'


@rule("AT201", "missing-deadline", "warning")
def missing_deadline(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An open action has no deadline.

    Without `due:` nobody can tell whether the action is late. Use "ongoing" or "annual" for work that recurs.
    """
    if item.action.due is None and item.action.due_as_written is None and item.is_open:
        yield Hit('no deadline: add `due:`, e.g. "2022/23", "March 2023" or "ongoing"')


@rule("AT202", "overdue", "warning")
def overdue(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action's due date has passed and it is not complete or cancelled.

    Judged on the --as-of date (default today). Mark finished work `status: complete`; agree and record a new
    deadline for work that slipped.
    """
    if item.state == "overdue":
        days = -(item.days_left or 0)
        yield Hit(f"was due {_due(item)}, {day_count(days)} ago", ("due",))


@rule("AT203", "due-soon", "info")
def due_soon(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An open action falls due within `due_soon_days` (actiontrack.yaml, 30 by default) of the --as-of date.

    A reminder, reported as info. Set `due_soon_days` in actiontrack.yaml to change the window.
    """
    if item.due_soon:
        days = item.days_left or 0
        when = when_due(days)
        yield Hit(f"due {when}: {_due(item)}", ("due",))


@rule("AT204", "milestone-after-deadline", "warning")
def milestone_after_deadline(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """A milestone is due after the action it belongs to.

    A milestone is a step towards the action's deadline, so it cannot come later. One of the two dates is wrong.
    """
    if item.due_date is None:
        return
    for index, milestone in enumerate(item.action.milestones):
        if milestone.due is not None and milestone.due.end is not None and milestone.due.end > item.due_date:
            yield Hit(
                f'milestone "{milestone.text}" is due "{milestone.due.text}" ({milestone.due.end.isoformat()}), '
                f"after the action's deadline {_due(item)}",
                ("milestones", index, "due"),
            )


@rule("AT205", "deadline-outside-plan", "warning")
def deadline_outside_plan(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action is due before its plan starts or after it ends.

    The plan's dates come from `period:` in plan.yaml (or `starts:`/`ends:`). An action due after the plan ends
    will not be reported on by this plan; move it to the next plan or correct the date.
    """
    plan = item.plan.plan
    if plan is None or item.due_date is None:
        return
    start, end = plan.start_date, plan.end_date
    period = f'"{plan.period.text}"' if plan.period else "its dates"
    if end is not None and item.due_date > end:
        yield Hit(f"due {_due(item)}, after the plan ends ({end.isoformat()}, period {period})", ("due",))
    elif start is not None and item.due_date < start:
        yield Hit(f"due {_due(item)}, before the plan starts ({start.isoformat()}, period {period})", ("due",))


@rule("AT206", "unread-deadline", "warning")
def unread_deadline(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action keeps its deadline only as the source plan wrote it (`due_as_written:`), not as a date.

    `actiontrack import` keeps a deadline it cannot read ("S", "Year 2", "when funding allows") rather than lose
    it. Until `due:` says when, nobody can tell whether the action is late. If the plan uses codes for its
    deadlines, give their meaning once in plan.yaml (`deadline_codes: {S: "March 2020"}`) and write `due: S`;
    otherwise write the date in `due:` and delete `due_as_written:`.
    """
    written = item.action.due_as_written
    if written is not None and item.action.due is None:
        legend = f'deadline_codes: {{{shown(written)}: "March 2023"}}'
        yield Hit(
            f'the deadline "{shown(written)}" is not a date actiontrack reads: write it in `due:` as a date, or, if '
            f"it is one of the plan's codes, define it in plan.yaml ({legend}) "
            f"and write `due: {shown(written)}`",
            ("due_as_written",),
        )


@rule("AT207", "milestone-overdue", "warning")
def milestone_overdue(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """A milestone of an open action is past its date and not marked done.

    A late step is the earliest sign that the action will be late. Mark it `done: true` when it is done, or agree a
    new date for it.
    """
    for index, milestone in enumerate(item.action.milestones):
        if milestone in item.milestones_overdue:
            late = (ctx.as_of - milestone.due.end).days  # type: ignore[union-attr,operator]
            yield Hit(
                f'milestone "{shown(milestone.text)}" was due "{milestone.due.text}" '  # type: ignore[union-attr]
                f"({milestone.due.end.isoformat()}), {day_count(late)} ago, and is not done",  # type: ignore
                ("milestones", index, "due"),
            )


@rule("AT208", "milestone-due-soon", "info")
def milestone_due_soon(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """A milestone of an open action falls due within `due_soon_days` (actiontrack.yaml, 30 by default).

    A reminder, reported as info, as `due-soon` is for the action itself.
    """
    for index, milestone in enumerate(item.action.milestones):
        if milestone in item.milestones_due_soon:
            days = (milestone.due.end - ctx.as_of).days  # type: ignore[union-attr,operator]
            yield Hit(
                f'milestone "{shown(milestone.text)}" is due {when_due(days)}: "{milestone.due.text}"',  # type: ignore
                ("milestones", index, "due"),
            )


@rule("AT209", "deadline-moved", "warning")
def deadline_moved(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action's deadline is not the one first agreed: it was moved since the plan's baseline.

    The baseline is the revision `baseline:` names in actiontrack.yaml (e.g. the tag of the plan as approved), else
    the commit that first added the action; it is read from git, so this rule needs the plans in a git repository
    with their history (in CI: `fetch-depth: 0`). A move agreed by committee is recorded with the action's own
    `lint: {ignore: [deadline-moved], reason: ...}`, so the reason stays on record.
    """
    first = item.moved_from
    if first is None or first.date is None or item.due_date is None:
        return
    days = (item.due_date - first.date).days
    direction = f"{day_count(days)} later" if days > 0 else f"{day_count(-days)} earlier"
    yield Hit(
        f'deadline moved from "{first.text}" ({first.date.isoformat()}, as agreed in commit {first.commit[:7]} of '
        f"{first.commit_date.isoformat()}) to {_due(item)}: {direction}",
        ("due",),
    )
