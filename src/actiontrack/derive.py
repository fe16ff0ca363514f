"""The one place that decides where each action stands on a given date.

`derive(workspace, as_of)` computes, for every action: its due date, its state, its latest RAG, whether its
updates are stale, and its KPI progress. Lint, status and report all read this snapshot; none of them
recomputes a state, so they can never disagree.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import Period, reporting_periods
from .load import ActionSource, Baseline, PlanSource, Workspace, gc_paused, natural_key
from .model import Action, Milestone, Owner, Plan, Target, Update
from .vocab import RAGS_WORST_FIRST, STATES

CLOSED = frozenset({"complete", "cancelled"})
#: Why an action needs attention, most urgent first: late, rated red, a step late, a KPI behind its pace, rated
#: amber, no update for the last period, due soon, a step due soon; and a completed action with steps still open.
ATTENTION = (
    "overdue",
    "red",
    "milestone-overdue",
    "behind-pace",
    "amber",
    "stale",
    "due-soon",
    "milestone-due-soon",
    "open-milestones",
)
PACE_TOLERANCE = 0.9  # behind pace: below 90% of where a straight line to the target would be


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    label: str
    span: Period


@dataclass(frozen=True, slots=True)
class UpdateDue:
    """A reporting period and the day its update is due: the day it ends plus `update_due_days` of grace."""

    label: str
    span: Period
    due: date


@dataclass(frozen=True, slots=True)
class KpiProgress:
    """A target against its latest actual."""

    target: Target
    actual: float | None
    period: str | None  # the update period the actual comes from
    ratio: float | None  # actual / target for an increase; target / actual for a decrease (1.0 = met)
    met: bool | None
    expected: float | None = None  # where a straight line from the plan's start to the deadline puts it by then
    behind: bool = False  # the actual is short of `expected` by more than PACE_TOLERANCE
    history: tuple[tuple[str, float, float | None], ...] = ()  # every (period, actual, on pace), oldest first


@dataclass(frozen=True, slots=True)
class DerivedAction:
    source: ActionSource
    plan: PlanSource
    due_date: date | None
    days_left: int | None  # negative when overdue
    state: str
    status: str | None
    rag: str | None
    latest: Update | None
    last_period: ReportingPeriod | None  # the last reporting period that had ended on the as-of date
    stale: bool
    due_soon: bool  # open and due within due_soon_days (whatever its state, e.g. also when at risk)
    kpis: tuple[KpiProgress, ...]
    updates: tuple[Update, ...]  # the updates about periods that had begun on the as-of date
    milestones_overdue: tuple[Milestone, ...] = ()  # not done, and their date has passed
    milestones_due_soon: tuple[Milestone, ...] = ()  # not done, due within due_soon_days
    snapshot_as_of: date = date.min  # the date it was judged on
    moved_from: Baseline | None = None  # the deadline as first agreed, when today's falls on another day
    update_due: date | None = None  # when the update for last_period is due (its end plus update_due_days)
    current_period: ReportingPeriod | None = None  # the reporting period holding the as-of date
    reasons: tuple[str, ...] = ()  # why it needs attention (see `attention`), worked out once by derive_action

    @property
    def action(self) -> Action:
        return self.source.action

    @property
    def id(self) -> str:
        return self.source.action.id

    @property
    def plan_slug(self) -> str:
        return self.plan.slug

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def open_milestones(self) -> tuple[Milestone, ...]:
        return tuple(m for m in self.action.milestones if not m.done)

    @property
    def attention(self) -> tuple[str, ...]:
        """Why this action needs attention now, most urgent first (ATTENTION; empty when it does not)."""
        return self.reasons

    def _reasons(self) -> tuple[str, ...]:
        if not self.is_open:  # a closed action only needs attention when it was closed with steps still open
            return ("open-milestones",) if self.state == "complete" and self.open_milestones else ()
        found = {
            "overdue": self.state == "overdue",
            "red": self.rag == "red",
            "milestone-overdue": bool(self.milestones_overdue),
            "behind-pace": any(k.behind for k in self.kpis),
            "amber": self.rag == "amber",
            "stale": self.stale,
            "due-soon": self.due_soon,
            "milestone-due-soon": bool(self.milestones_due_soon),
        }
        return tuple(reason for reason in ATTENTION if found.get(reason))

    def urgency(self) -> tuple[int, int, tuple[object, ...]]:
        """Sort key, most urgent first: by the first reason in ATTENTION's order, then the deadline nearest first."""
        order = {reason: index for index, reason in enumerate(ATTENTION)}
        first = min((order[r] for r in self.attention), default=len(order))
        days = self.days_left if self.days_left is not None else 10**6
        return (first, days, natural_key(self.plan_slug) + natural_key(self.id))


@dataclass(frozen=True, slots=True)
class Totals:
    """Headline figures of some actions. Cancelled actions do not count toward % complete."""

    total: int
    complete: int
    percent_complete: int
    by_state: dict[str, int]  # in STATES order, states with none left out
    by_rag: dict[str, int]  # red, amber, green and "none"
    stale: int
    needs_attention: int

    @classmethod
    def of(cls, actions: Sequence[DerivedAction]) -> Totals:
        rags = Counter(a.rag for a in actions)
        return cls._counted(
            len(actions),
            Counter(a.state for a in actions),
            {rag or "none": rags[rag] for rag in (*RAGS_WORST_FIRST, None)},
            sum(1 for a in actions if a.stale),
            sum(1 for a in actions if a.attention),
        )

    @classmethod
    def sum(cls, parts: Iterable[Totals]) -> Totals:
        """The totals of several groups of actions together (each action in one group)."""
        total, states, rags, stale, attention = 0, Counter[str](), Counter[str](), 0, 0
        for part in parts:
            total += part.total
            states.update(part.by_state)
            rags.update(part.by_rag)
            stale += part.stale
            attention += part.needs_attention
        return cls._counted(
            total, states, {rag or "none": rags[rag or "none"] for rag in (*RAGS_WORST_FIRST, None)}, stale, attention
        )

    @classmethod
    def _counted(cls, total: int, states: Counter[str], rags: dict[str, int], stale: int, attention: int) -> Totals:
        countable = total - states["cancelled"]
        return cls(
            total=total,
            complete=states["complete"],
            percent_complete=round(100 * states["complete"] / countable) if countable else 0,
            by_state={state: states[state] for state in STATES if states[state]},
            by_rag=rags,
            stale=stale,
            needs_attention=attention,
        )


@dataclass(frozen=True, slots=True)
class PriorityGroup:
    """The actions of one priority of a plan (id None: actions naming no priority, or one the plan does not list)."""

    id: str | None
    title: str
    actions: tuple[DerivedAction, ...]
    totals: Totals


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan: PlanSource
    actions: tuple[DerivedAction, ...]
    totals: Totals
    priorities: tuple[PriorityGroup, ...]  # in the plan's order, then the actions with no known priority

    @property
    def slug(self) -> str:
        return self.plan.slug


@dataclass(frozen=True, slots=True)
class OwnerLoad:
    """One owner's share of the work: registered in owners.yaml, or only named in an action."""

    id: str
    owner: Owner | None
    actions: tuple[DerivedAction, ...]  # the actions the owner leads
    open: int
    overdue: int
    stale: int

    @property
    def plans(self) -> list[str]:
        return sorted({a.plan_slug for a in self.actions})


def priority_title(plan: PlanSource, priority: str | None) -> str | None:
    """The title of `priority` in `plan`, or None."""
    return next((p.title for p in (plan.plan.priorities if plan.plan else []) if p.id == priority), None)


@dataclass
class Snapshot:
    as_of: date
    workspace: Workspace
    actions: list[DerivedAction]

    def state_counts(self, actions: list[DerivedAction] | None = None) -> Counter[str]:
        return Counter(a.state for a in (self.actions if actions is None else actions))

    def plan_summaries(self, actions: Sequence[DerivedAction] | None = None) -> list[PlanSummary]:
        """Each plan with any of `actions` (default: all), in the workspace's order, with its totals and groups."""
        chosen = self.actions if actions is None else actions
        by_plan: dict[str, list[DerivedAction]] = {}
        for derived in chosen:
            by_plan.setdefault(derived.plan_slug, []).append(derived)
        return [self.plan_summary(plan, by_plan[plan.slug]) for plan in self.workspace.plans if plan.slug in by_plan]

    def plan_summary(self, plan: PlanSource, actions: Sequence[DerivedAction] | None = None) -> PlanSummary:
        members = tuple(self._by_plan.get(plan.slug, ())) if actions is None else tuple(actions)
        known = [(p.id, p.title) for p in (plan.plan.priorities if plan.plan else [])]
        ids = {pid for pid, _ in known}
        by_priority: dict[str | None, list[DerivedAction]] = {}
        for derived in members:
            by_priority.setdefault(derived.action.priority, []).append(derived)
        groups = []
        for priority_id, title in known:
            group = tuple(by_priority.get(priority_id, ()))
            if group:
                groups.append(PriorityGroup(priority_id, title, group, Totals.of(group)))
        others = tuple(a for a in members if a.action.priority not in ids)
        if others:
            groups.append(PriorityGroup(None, "No priority" if not ids else "Other", others, Totals.of(others)))
        return PlanSummary(plan, members, Totals.of(members), tuple(groups))

    def by_plan(self) -> dict[str, list[DerivedAction]]:
        """The actions of each plan (by slug), in order."""
        return self._by_plan

    @functools.cached_property
    def _by_plan(self) -> dict[str, list[DerivedAction]]:
        """The actions of each plan, in order (worked out once: a large repository has hundreds of plans)."""
        found: dict[str, list[DerivedAction]] = {}
        for derived in self.actions:
            found.setdefault(derived.plan_slug, []).append(derived)
        return found

    @functools.cached_property
    def _by_owner(self) -> dict[str, list[DerivedAction]]:
        found: dict[str, list[DerivedAction]] = {}
        for derived in self.actions:
            for person in dict.fromkeys(derived.action.owners):
                found.setdefault(person, []).append(derived)
        return found

    def actions_of(self, owner: str) -> list[DerivedAction]:
        """The actions `owner` leads (is one of the owners of), in order; indexed once for every owner."""
        return self._by_owner.get(owner, [])

    def owner_loads(self) -> list[OwnerLoad]:
        """Every owner (registered first, then those only named in actions), busiest first."""
        workspace = self.workspace
        owner_ids = list(workspace.owners)
        owner_ids += sorted({o for a in self.actions for o in a.action.owners} - set(owner_ids))
        loads = []
        for owner_id in owner_ids:
            mine = tuple(self.actions_of(owner_id))
            loads.append(
                OwnerLoad(
                    owner_id,
                    workspace.owners.get(owner_id),
                    mine,
                    open=sum(1 for a in mine if a.is_open),
                    overdue=sum(1 for a in mine if a.state == "overdue"),
                    stale=sum(1 for a in mine if a.stale),
                )
            )
        return sorted(loads, key=lambda load: (-load.overdue, -load.open, -len(load.actions), load.id))

    def update_schedule(self, plan: PlanSource) -> tuple[UpdateDue, ...]:
        """Each reporting period of `plan` and the day its update is due (see `update_schedule`)."""
        config = self.workspace.config
        return update_schedule(plan.plan, config.financial_year_start, config.update_due_days)

    def find(self, action_id: str, plan: str | None = None) -> DerivedAction:
        """The action `action_id` (of `plan`), by the same rules as the edit commands (Workspace.find_action)."""
        _, source = self.workspace.find_action(action_id, plan)
        return next(a for a in self.actions if a.source is source)

    def needs_attention(self, actions: list[DerivedAction] | None = None) -> list[DerivedAction]:
        """Overdue, red, stale and due-soon actions, most urgent first."""
        chosen = self.actions if actions is None else actions
        return sorted((a for a in chosen if a.attention), key=DerivedAction.urgency)

    def select(
        self,
        plan: str | None = None,
        priority: str | None = None,
        owner: str | None = None,
        state: str | None = None,
        due_before: date | None = None,
    ) -> list[DerivedAction]:
        """The actions matching every filter given (filters combine)."""
        return [
            a
            for a in self.actions
            if (plan is None or a.plan_slug == plan)
            and (priority is None or a.action.priority == priority)
            and (owner is None or owner in a.action.owners or owner in a.action.partners)
            and (state is None or a.state == state)
            and (due_before is None or (a.due_date is not None and a.due_date < due_before))
        ]


def last_ended_period(plan: Plan | None, as_of: date, fy_start: int) -> ReportingPeriod | None:
    """The latest reporting period of `plan` that ended before `as_of`, within the plan's dates."""
    try:
        return _last_ended_period(plan, as_of, fy_start)
    except (OverflowError, ValueError):  # a plan dated at the very ends of the calendar (year 1 or 9999)
        return None


def _last_ended_period(plan: Plan | None, as_of: date, fy_start: int) -> ReportingPeriod | None:
    cadence = plan.reporting if plan else "quarterly"
    cutoff = as_of - timedelta(days=1)
    if plan and plan.end_date and plan.end_date < cutoff:
        cutoff = plan.end_date
    candidates = reporting_periods(cadence, cutoff, cutoff, fy_start)
    label, span = candidates[0]
    if span.end > cutoff:  # the period holding the cutoff is still running: take the one before it
        previous = reporting_periods(cadence, span.start - timedelta(days=1), span.start - timedelta(days=1), fy_start)
        label, span = previous[0]
    if plan and plan.start_date and span.end < plan.start_date:
        return None
    return ReportingPeriod(label, span)


def update_schedule(plan: Plan | None, fy_start: int, grace: int) -> tuple[UpdateDue, ...]:
    """Every reporting period of `plan` an update can be asked for (those that end within the plan's dates, as
    `last_ended_period` finds them), each with the day its update is due: its end plus `grace` days. None for a plan
    without dates."""
    if plan is None or plan.start_date is None or plan.end_date is None:
        return ()
    try:
        periods = reporting_periods(plan.reporting, plan.start_date, plan.end_date, fy_start)
        return tuple(
            UpdateDue(label, span, span.end + timedelta(days=grace))
            for label, span in periods
            if span.end <= plan.end_date
        )
    except (OverflowError, ValueError):  # a plan dated at the very ends of the calendar (year 1 or 9999)
        return ()


def current_period(plan: Plan | None, as_of: date, fy_start: int) -> ReportingPeriod | None:
    """The reporting period of `plan`'s cadence that holds `as_of` (an update may be recorded for it: it has begun)."""
    try:
        label, span = reporting_periods(plan.reporting if plan else "quarterly", as_of, as_of, fy_start)[0]
    except (OverflowError, ValueError, IndexError):
        return None
    return ReportingPeriod(label, span)


def latest_update(updates: tuple[Update, ...]) -> Update | None:
    """The update for the latest period (among updates for one period, the one written last)."""
    dated = [u for u in updates if u.period.end is not None]
    if not dated:
        return updates[-1] if updates else None
    return max(reversed(dated), key=lambda u: u.period.end)  # type: ignore[arg-type,return-value]


def _pace_span(plan: PlanSource, due: date | None) -> tuple[date, date] | None:
    """From the plan's start to the action's deadline: the straight line a KPI is expected to follow."""
    start = plan.plan.start_date if plan.plan else None
    return (start, due) if start is not None and due is not None and due > start else None


def _kpis(action: Action, updates: tuple[Update, ...], span: tuple[date, date] | None) -> tuple[KpiProgress, ...]:
    progress = []
    in_order = sorted(updates, key=lambda u: u.period.end or date.min) if action.targets else []
    for target in action.targets:
        actual: float | None = None
        period: str | None = None
        end: date | None = None
        key = target.key
        # the latest period wins; among updates for one period, the one written last
        history = []
        for update in in_order:
            if key is not None and key in update.actuals:
                actual, period, end = update.actuals[key], update.period.text, update.period.end
                history.append((period, actual, _on_pace(target, span, end)))
        ratio: float | None = None
        met: bool | None = None
        expected: float | None = None
        behind = False
        if actual is not None and target.value is not None:
            if target.direction == "decrease":
                ratio = (target.value / actual) if actual else 1.0
                met = actual <= target.value
            else:
                ratio = (actual / target.value) if target.value else 1.0
                met = actual >= target.value
            expected = _on_pace(target, span, end)
            if expected is not None and not met:
                baseline = target.baseline or 0.0
                if target.direction == "decrease":
                    behind = target.baseline is not None and baseline - actual < PACE_TOLERANCE * (baseline - expected)
                else:
                    behind = actual - baseline < PACE_TOLERANCE * (expected - baseline)
        progress.append(KpiProgress(target, actual, period, ratio, met, expected, behind, _latest_per_period(history)))
    return tuple(progress)


def _latest_per_period(history: list[tuple[str, float, float | None]]) -> tuple[tuple[str, float, float | None], ...]:
    """One entry per period (the one written last), oldest first."""
    by_period: dict[str, tuple[str, float, float | None]] = {}
    for entry in history:
        by_period.pop(entry[0], None)
        by_period[entry[0]] = entry
    return tuple(by_period.values())


def _on_pace(target: Target, span: tuple[date, date] | None, when: date | None) -> float | None:
    """Where the target's figure should be on `when` on a straight line from its baseline (0 where none is given, for
    an increase) at the plan's start to its value at the action's deadline."""
    if span is None or when is None or target.value is None:
        return None
    if target.direction == "decrease" and target.baseline is None:
        return None
    start, end = span
    share = min(max((when - start).days / (end - start).days, 0.0), 1.0)
    baseline = target.baseline or 0.0
    return baseline + (target.value - baseline) * share


def _state(status: str | None, rag: str | None, due: date | None, as_of: date, soon: int, updated: bool) -> str:
    if status in CLOSED:
        return status  # type: ignore[return-value]
    if due is not None and due < as_of:
        return "overdue"
    if rag in ("red", "amber"):
        return "at-risk"
    if due is not None and (due - as_of).days <= soon:
        return "due-soon"
    if status == "not-started":
        return "not-started"
    if status == "in-progress" or rag == "green":
        return "on-track"
    return "not-started" if updated else "not-reported"


def derive_action(
    source: ActionSource,
    plan: PlanSource,
    as_of: date,
    fy_start: int,
    soon: int,
    baselines: dict[tuple[str, str], Baseline] | None = None,
    period: ReportingPeriod | bool | None = False,
    grace: int = 14,
    now: ReportingPeriod | bool | None = False,
) -> DerivedAction:
    """Where one action stands on `as_of`. `period` and `now`: the plan's last ended reporting period and the one
    holding `as_of`, when the caller has worked them out already (they are the same for every action of a plan);
    False: work them out here."""
    action = source.action
    # an update about a period that had not begun on the as-of date does not count yet (reproducible --as-of)
    updates = tuple(u for u in action.updates if u.period.start is None or u.period.start <= as_of)
    latest = latest_update(updates)
    recorded = latest.status if latest else None
    # nothing hidden: the file's own status is the current one; later updates hidden: as the visible ones record it
    everything_visible = len(updates) == len(action.updates)
    status = (action.status or recorded) if everything_visible else (recorded or action.status)
    rag = latest.rag if latest else None
    due = action.due.end if action.due else None
    if period is False:
        period = last_ended_period(plan.plan, as_of, fy_start)
    assert period is not True
    covered = any(u.period.end is not None and period is not None and u.period.end >= period.span.end for u in updates)
    stale = period is not None and status in (None, "in-progress") and not covered
    days_left = (due - as_of).days if due else None
    state = _state(status, rag, due, as_of, soon, bool(updates))
    baseline = baselines.get((plan.slug, action.id)) if baselines else None
    moved = baseline is not None and baseline.date is not None and due is not None and baseline.date != due
    open_steps = [m for m in action.milestones if not m.done and m.due is not None and m.due.end is not None]
    if state in CLOSED:
        open_steps = []
    derived = DerivedAction(
        source=source,
        plan=plan,
        due_date=due,
        days_left=days_left,
        state=state,
        status=status,
        rag=rag,
        latest=latest,
        last_period=period,
        stale=stale,
        due_soon=state not in CLOSED and days_left is not None and 0 <= days_left <= soon,
        kpis=_kpis(action, updates, _pace_span(plan, due)),
        updates=updates,
        milestones_overdue=tuple(m for m in open_steps if m.due.end < as_of),  # type: ignore[union-attr]
        milestones_due_soon=tuple(m for m in open_steps if 0 <= (m.due.end - as_of).days <= soon),  # type: ignore
        snapshot_as_of=as_of,
        moved_from=baseline if moved else None,
        update_due=_plus_days(period.span.end, grace) if period is not None else None,
        current_period=current_period(plan.plan, as_of, fy_start) if now is False else now,  # type: ignore[arg-type]
    )
    object.__setattr__(derived, "reasons", derived._reasons())  # read by every view, often several times: once
    return derived


def _plus_days(day: date, days: int) -> date | None:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def derive(workspace: Workspace, as_of: date) -> Snapshot:
    """Where every loaded action stands on `as_of`."""
    config = workspace.config
    fy_start = config.financial_year_start
    with gc_paused():  # many objects that live on, and no cycles among them: see load.gc_paused
        actions = [
            derive_action(
                source,
                plan,
                as_of,
                fy_start,
                config.due_soon_days,
                workspace.baselines,
                period,
                config.update_due_days,
                now,
            )
            for plan in workspace.plans
            for period, now in [
                (last_ended_period(plan.plan, as_of, fy_start), current_period(plan.plan, as_of, fy_start))
            ]
            for source in plan.actions
        ]
    return Snapshot(as_of, workspace, actions)
