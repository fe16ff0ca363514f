"""Progress: are updates recorded, and do they add up? (AT4xx)"""

from __future__ import annotations

from collections.abc import Iterator

from ..derive import DerivedAction
from ..words import shown
from .base import Context, Hit, rule


@rule("AT401", "stale-update", "warning")
def stale_update(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action in progress (or with no recorded status) has no update for the last reporting period that ended.

    Periods follow the plan's `reporting:` cadence and the financial year: as of 2023-06-30 a quarterly plan's
    last ended period is "2022/23 Q4". Add an update (`actiontrack update`) for that period. Actions that are
    complete, cancelled or explicitly not started are not reported.
    """
    if item.stale and item.last_period is not None:
        period = item.last_period
        latest = f"; the latest is {item.latest.period.text}" if item.latest else "; there are no updates yet"
        yield Hit(
            f"no update for {period.label} (ended {period.span.end.isoformat()}){latest}",
            ("updates",) if item.action.updates else ("id",),
        )


@rule("AT402", "red-without-note", "warning")
def red_without_note(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """The latest update is RED but says nothing about why or what is being done.

    A red rating is the one a committee will ask about. Add a `note:` with the reason and the recovery plan.
    """
    latest = item.latest
    if latest is not None and latest.rag == "red" and not (latest.note or "").strip():
        index = next(i for i, update in enumerate(item.action.updates) if update is latest)
        yield Hit(
            f"the {latest.period.text} update is RED with no note: say why and what happens next",
            ("updates", index, "rag"),
        )


@rule("AT403", "complete-with-unmet-target", "warning")
def complete_with_unmet_target(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action is marked complete but a numeric target was missed or has no actual recorded.

    Record the final figure in the last update's `actuals:`; if the target was missed, say so in the note
    rather than marking the action done silently.
    """
    if item.state != "complete":
        return
    for index, kpi in enumerate(item.kpis):
        target = kpi.target
        if target.value is None:
            continue
        if kpi.actual is None:
            yield Hit(f'complete, but target "{target.text}" has no actual recorded', ("targets", index))
        elif kpi.met is False:
            yield Hit(
                f'complete, but target "{target.text}" was not met (latest actual {kpi.actual:g}, {kpi.period})',
                ("targets", index),
            )


@rule("AT404", "complete-with-open-milestones", "warning")
def complete_with_open_milestones(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action is marked complete but some of its milestones are not done.

    Either the steps were done (mark them `done: true`) or the action is not complete yet.
    """
    if item.state == "complete":
        for index, milestone in enumerate(item.action.milestones):
            if not milestone.done:
                yield Hit(
                    f'complete, but milestone "{shown(milestone.text)}" is not done', ("milestones", index, "text")
                )


@rule("AT405", "kpi-behind-pace", "warning")
def kpi_behind_pace(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """A KPI's latest actual is well behind a straight line from the plan's start to the action's deadline.

    At half-way through, a target of 1,200 expects about 600: 310 is behind, whatever the rating says. The line runs
    from the target's `baseline` (0 for an increase when none is given) to its value; "well behind" is below 90% of
    the way the line has gone (derive.py decides it, so status and the report say the same). A decrease needs a
    `baseline` to draw the line.
    """
    if item.state in ("complete", "cancelled"):
        return
    for index, kpi in enumerate(item.kpis):
        if kpi.behind and kpi.actual is not None and kpi.expected is not None:
            yield Hit(
                f'target "{shown(kpi.target.text)}": {kpi.actual:g} by {kpi.period}, where a steady pace to the '
                f"deadline would be {kpi.expected:,.0f}",
                ("targets", index, "text"),
            )
