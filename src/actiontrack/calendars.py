"""Calendar feeds (iCalendar, RFC 5545): each action's deadline, each dated milestone and each plan's "update due" days
as all-day events, for the calendar people already use (`actiontrack calendar`, and the feeds of the HTML site).

The events come from the derived snapshot (derive.py decides every date: deadlines, milestones, when each reporting
period's update is due); this module only words them and writes them with the icalendar library, which escapes text
and folds long lines as RFC 5545 requires.

Every event keeps its UID for good: "<plan>/<action>/deadline", "<plan>/<action>/milestone-<hash of its text>",
"<plan>/update-due/<period>", then "@" and the site's address (or "actiontrack"). A moved deadline is the same event
with a new date, so a subscriber's calendar moves it instead of adding a second one. Its SEQUENCE counts how often its
date has changed in the plans' git history, and LAST-MODIFIED (and DTSTAMP, which RFC 5545 makes the same for a
calendar without METHOD) is the time of the commit that last changed what the event shows. The output is
deterministic: the same files, history and options give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from .cache import Cache
from .derive import CLOSED, DerivedAction, Snapshot, UpdateDue, derive_action, update_schedule
from .discover import natural_key
from .load import ActionSource, PlanSource, Workspace

if TYPE_CHECKING:
    from .history import Timeline

PRODID = "-//actiontrack//actiontrack calendar feed//EN"
KINDS = ("deadline", "milestone", "update-due")
#: the time a feed's events carry when there is no git history to date them: 1 January 2000, UTC
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
REFRESH = timedelta(hours=12)  # how often subscribers are asked to fetch the feed again
CADENCE_WORDS = {"monthly": "monthly", "quarterly": "quarterly", "half-yearly": "half-yearly", "annual": "annual"}


@dataclass(frozen=True)
class Event:
    """One all-day event, in plain data. `content` is what it shows: it changes exactly when the event does."""

    key: str  # the UID before its "@": "<plan>/<action>/deadline"
    kind: str  # one of KINDS
    day: date
    summary: str
    description: str
    url: str | None
    cancelled: bool
    plan: str
    action: str | None  # the action's id (None for an update-due day, which is the plan's)
    owners: tuple[str, ...]  # who leads the action (none for an update-due day)
    partners: tuple[str, ...] = ()
    closed: bool = False  # of a complete or cancelled action, or a milestone done: left out unless asked for
    sequence: int = 0
    modified: datetime = EPOCH

    @property
    def content(self) -> tuple[object, ...]:
        return (self.day, self.summary, self.description, self.url, self.cancelled)

    def sort_key(self) -> tuple[object, ...]:
        return (self.day, natural_key(self.plan), natural_key(self.action or ""), KINDS.index(self.kind), self.key)


class Serialised(NamedTuple):
    """An event once serialised: what `select` chooses it by, where it sorts, and its VEVENT (`data`). A report keeps
    these per plan between builds, so an unchanged plan's events are neither worked out nor serialised again."""

    sort_key: tuple[object, ...]
    plan: str
    kind: str
    closed: bool
    owners: tuple[str, ...]
    partners: tuple[str, ...]
    data: bytes

    @classmethod
    def of(cls, event: Event, domain: str) -> Serialised:
        return cls(
            event.sort_key(),
            event.plan,
            event.kind,
            event.closed,
            event.owners,
            event.partners,
            event_block(event, domain),
        )


EventT = TypeVar("EventT", Event, Serialised)


@dataclass(frozen=True)
class Feed:
    """A calendar: its name, a line about it, and its events."""

    name: str
    description: str
    events: tuple[Event | Serialised, ...]
    url: str | None = None  # where it is published, when the site's address is known


# ---- words -------------------------------------------------------------------------------------------------------


def _milestone_keys(texts: Iterable[str]) -> list[str]:
    """A key per milestone from its text (so a milestone keeps its UID when its date moves or others are added):
    a hash of the text with case and spacing ignored, and "-2", "-3" for the same text again in one action."""
    seen: dict[str, int] = {}
    keys = []
    for text in texts:
        digest = hashlib.sha256(" ".join(text.casefold().split()).encode("utf-8")).hexdigest()[:10]
        seen[digest] = seen.get(digest, 0) + 1
        keys.append(f"milestone-{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else ""))
    return keys


def _uid_part(text: str) -> str:
    """A period label such as "2022/23 Q1" as part of a UID: "2022-23-q1"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "period"


def _names(ids: Sequence[str], workspace: Workspace) -> str:
    return ", ".join(workspace.owners[i].name if i in workspace.owners else i for i in ids)


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def action_page(site: str | None, plan: str, action_id: str) -> str | None:
    """An action's page in the published site (report.action_url's path after `site`)."""
    if site is None:
        return None
    return f"{site}plans/{plan}/actions/{_page_name(action_id)}.html"


def _page_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def action_events(derived: DerivedAction, workspace: Workspace) -> list[Event]:
    """The deadline and each dated milestone of an action, whether it is open or closed (the caller chooses)."""
    action = derived.action
    plan = derived.plan
    site = workspace.config.report.site_base
    url = action_page(site, plan.slug, action.id)
    closed = derived.state in CLOSED
    mark = f" ({derived.state})" if closed else ""
    about = [f"Action {action.id} of {plan.title}."]
    about.append(f"Action: {action.title}")
    if action.what:
        about.append(f"What we will do: {action.what}")
    if action.outcome:
        about.append(f"Outcome: {action.outcome}")
    about.append(f"Owners: {_names(action.owners, workspace) or 'none'}")
    if action.partners:
        about.append(f"Partners: {_names(action.partners, workspace)}")
    if closed:
        about.append(f"This action is {derived.state}.")
    more = [f"Its page: {url}"] if url else []
    events = []
    if derived.due_date is not None and action.due is not None:
        due = f'Due "{action.due.text}": {_long_date(derived.due_date)}.'
        events.append(
            Event(
                key=f"{plan.slug}/{action.id}/deadline",
                kind="deadline",
                day=derived.due_date,
                summary=f"Deadline {action.id}: {action.title}{mark}",
                description="\n".join([about[0], due, *about[1:], *more]),
                url=url,
                cancelled=derived.state == "cancelled",
                plan=plan.slug,
                action=action.id,
                owners=tuple(action.owners),
                partners=tuple(action.partners),
                closed=closed,
            )
        )
    for milestone, key in zip(action.milestones, _milestone_keys(m.text for m in action.milestones), strict=True):
        if milestone.due is None or milestone.due.end is None:
            continue
        done = " (done)" if milestone.done else ""
        lines = [
            f"A milestone of action {action.id} of {plan.title}.",
            f"Milestone: {milestone.text}",
            f'Due "{milestone.due.text}": {_long_date(milestone.due.end)}.'
            + (" It is done." if milestone.done else ""),
            *about[1:],
            *more,
        ]
        events.append(
            Event(
                key=f"{plan.slug}/{action.id}/{key}",
                kind="milestone",
                day=milestone.due.end,
                summary=f"Milestone {action.id}: {milestone.text}{done or mark}",
                description="\n".join(lines),
                url=url,
                cancelled=derived.state == "cancelled",
                plan=plan.slug,
                action=action.id,
                owners=tuple(action.owners),
                partners=tuple(action.partners),
                closed=closed or milestone.done,
            )
        )
    return events


def update_due_events(plan: PlanSource, schedule: Sequence[UpdateDue], workspace: Workspace) -> list[Event]:
    """One event per reporting period of the plan: the day its update is due."""
    site = workspace.config.report.site_base
    url = f"{site}plans/{plan.slug}/index.html" if site else None
    cadence = CADENCE_WORDS.get(plan.plan.reporting if plan.plan else "quarterly", "")
    grace = workspace.config.update_due_days
    events = []
    for period in schedule:
        lines = [
            f"The {cadence} update of {plan.title} for {period.label} is due.",
            f"The period ran from {_long_date(period.span.start)} to {_long_date(period.span.end)}; updates are due "
            f"{grace} day{'s' if grace != 1 else ''} after it ends.",
            "Record each open action's progress (a red or amber rating needs a note), for example:",
            f'actiontrack update ID --plan {plan.slug} --period "{period.label}" --rag green --note "..."',
            "What is outstanding for an owner: actiontrack digest --owner OWNER-ID",
        ]
        if url:
            lines.append(f"The plan's page: {url}")
        events.append(
            Event(
                key=f"{plan.slug}/update-due/{_uid_part(period.label)}",
                kind="update-due",
                day=period.due,
                summary=f"Update due: {plan.title}, {period.label}",
                description="\n".join(lines),
                url=url,
                cancelled=False,
                plan=plan.slug,
                action=None,
                owners=(),
            )
        )
    return events


# ---- the events of a selection -----------------------------------------------------------------------------------


def all_events(
    snapshot: Snapshot,
    timeline: Timeline | None = None,
    head: datetime | None = None,
    plans: Collection[str] | None = None,
) -> list[Event]:
    """Every event of every plan (or of `plans`, by slug), closed ones included, each dated and sequenced from
    `timeline` when given (see `history_for`), in date order. Choose from them with `select`."""
    workspace = snapshot.workspace
    found: list[Event] = []
    for derived in snapshot.actions:
        if plans is None or derived.plan_slug in plans:
            found += action_events(derived, workspace)
    for plan in workspace.plans:
        if plans is None or plan.slug in plans:
            found += update_due_events(plan, snapshot.update_schedule(plan), workspace)
    return sorted(_revise(found, snapshot, timeline, head, plans), key=Event.sort_key)


def select(
    snapshot: Snapshot,
    events: Sequence[EventT],
    *,
    plan: str | None = None,
    owner: str | None = None,
    include_closed: bool = False,
) -> list[EventT]:
    """The events (or serialised events) of one plan and/or one owner: the actions they lead or are a partner in, and
    the update-due days of the plans where they lead an open action. Closed ones (complete or cancelled actions,
    milestones done) only with `include_closed`."""
    leads = {a.plan_slug for a in snapshot.actions_of(owner) if a.is_open} if owner is not None else set()
    chosen = []
    for event in events:
        if plan is not None and event.plan != plan:
            continue
        if event.closed and not include_closed:
            continue
        if owner is not None:
            if event.kind == "update-due" and event.plan not in leads:
                continue
            if event.kind != "update-due" and owner not in event.owners and owner not in event.partners:
                continue
        chosen.append(event)
    return chosen


# ---- dating each event from git ------------------------------------------------------------------------------------


def history_for(workspace: Workspace, cache: Cache | None = None) -> tuple[Timeline | None, datetime | None]:
    """The plans' git history (None when they are not in a git repository with commits, or only a shallow clone of
    it) and the time of the commit the files are at, for `all_events`."""
    from .gitrepo import GitProblem, GitRepo
    from .history import Layout, cached_timeline

    repo = GitRepo.find_or_none(workspace.root)
    if repo is None or not repo.has_commits():
        return None, None
    try:
        until = workspace.revision.id if workspace.revision else "HEAD"
        found = cached_timeline(repo, Layout.of(repo, workspace), workspace.config.financial_year_start, until, cache)
        head = workspace.revision or repo.resolve("HEAD")
    except GitProblem:
        return None, None
    return found, head.date.astimezone(UTC)


def _revise(
    events: list[Event],
    snapshot: Snapshot,
    timeline: Timeline | None,
    head: datetime | None,
    only: Collection[str] | None = None,
) -> list[Event]:
    """Each event with its SEQUENCE (how often its date changed) and LAST-MODIFIED (the commit that last changed it).

    Each committed version of each action (and plan.yaml) is worded as the events it made then, judged on the same
    date and with the same settings, so a change counts only where the event itself changed. An event that differs
    from its last committed version (edits not committed yet) counts one more date change where its date differs,
    and takes the time of the commit the files are at. Without history: SEQUENCE 0, and a time the files give."""
    if timeline is None or head is None:
        undated = _Undated(snapshot.workspace)
        return [replace(e, modified=undated(e)) for e in events]
    past: dict[str, tuple[Event, int, datetime]] = {}  # key -> (last committed version, date changes, its time)
    workspace = snapshot.workspace
    current = {plan.slug: plan for plan in workspace.plans}
    actions_at: dict[str, list[tuple[tuple[str, str], object]]] = {}
    for key, versions in timeline.versions.items():
        if only is not None and key[0] not in only:  # the events of these plans only: the others are not replayed
            continue
        for commit, action in versions:
            actions_at.setdefault(commit.id, []).append((key, action))
    plans_at: dict[str, list[tuple[str, object]]] = {}
    for slug, plan_versions in timeline.plan_versions.items():
        if only is not None and slug not in only:
            continue
        for commit, plan in plan_versions:
            plans_at.setdefault(commit.id, []).append((slug, plan))
    # replayed commit by commit: what each event showed then, with the plan as it was then
    actions: dict[tuple[str, str], object] = {}
    plans: dict[str, PlanSource] = {}
    for commit in timeline.commits:
        when = commit.date.astimezone(UTC)
        changed_plans = set()
        for slug, plan in plans_at.get(commit.id, []):
            if slug in current:
                plans[slug] = replace(current[slug], plan=plan)
                changed_plans.add(slug)
        touched = set()
        for key, action in actions_at.get(commit.id, []):
            actions[key] = action
            touched.add(key)
        touched |= {key for key in actions if key[0] in changed_plans}
        for key in sorted(touched):
            plan = plans.get(key[0])
            if plan is not None:
                _step(past, _action_then(actions[key], plan, snapshot), when)
        for slug in sorted(changed_plans):
            _step(past, _plan_then(plans[slug], snapshot), when)
    revised = []
    for event in events:
        last = past.get(event.key)
        if last is None:  # never committed
            revised.append(replace(event, modified=head))
            continue
        before, changes, when = last
        if before.content != event.content:
            changes += before.day != event.day
            when = head
        revised.append(replace(event, sequence=changes, modified=when))
    return revised


def _step(past: dict[str, tuple[Event, int, datetime]], then: list[Event], when: datetime) -> None:
    """Fold one committed version's events into `past` (events no longer made are kept as they were last seen: one
    that comes back is compared with that)."""
    for event in then:
        last = past.get(event.key)
        if last is None:
            past[event.key] = (event, 0, when)
        elif last[0].content != event.content:
            past[event.key] = (event, last[1] + (last[0].day != event.day), when)


def _action_then(action, plan: PlanSource, snapshot: Snapshot) -> list[Event]:
    """The events an action made in one of its versions, with its plan as it was then."""
    if action is None:
        return []
    config = snapshot.workspace.config
    source = ActionSource(action, plan.directory, None, plan.slug)  # type: ignore[arg-type]
    derived = derive_action(
        source,
        plan,
        snapshot.as_of,
        config.financial_year_start,
        config.due_soon_days,
        None,
        grace=config.update_due_days,
    )
    return action_events(derived, snapshot.workspace)


def _plan_then(plan: PlanSource, snapshot: Snapshot) -> list[Event]:
    if plan.plan is None:
        return []
    config = snapshot.workspace.config
    schedule = update_schedule(plan.plan, config.financial_year_start, config.update_due_days)
    return update_due_events(plan, schedule, snapshot.workspace)


class _Undated:
    """Without git history, a time the files themselves give: the latest date an update of the action was written
    (`date:`), else the plan's start, else 1 January 2000. It changes only when the files do."""

    def __init__(self, workspace: Workspace) -> None:
        self.plans = {plan.slug: plan for plan in workspace.plans}
        self.actions = {(plan.slug, a.action.id): a for plan in workspace.plans for a in plan.actions}

    def __call__(self, event: Event) -> datetime:
        plan = self.plans.get(event.plan)
        days: list[date] = []
        if plan is not None and event.action is not None:
            source = self.actions.get((plan.slug, event.action))
            if source is not None:
                days = [u.date for u in source.action.updates if u.date is not None]
        if not days and plan is not None and plan.plan is not None and plan.plan.start_date is not None:
            days = [plan.plan.start_date]
        if not days:
            return EPOCH
        latest = max(days)
        return datetime(latest.year, latest.month, latest.day, tzinfo=UTC)


# ---- iCalendar ----------------------------------------------------------------------------------------------------


def uid_domain(workspace: Workspace) -> str:
    """What follows "@" in every UID: the site's address without its scheme (so two councils' feeds never share a
    UID), else "actiontrack"."""
    site = workspace.config.report.site_base
    if site is None:
        return "actiontrack"
    return site.split("://", 1)[1].rstrip("/")


_END = b"END:VCALENDAR\r\n"


def to_ical(feed: Feed, domain: str, alarm_days: int | None = None) -> bytes:
    """The feed as an iCalendar file: CRLF line ends, text escaped and lines folded at 75 octets by icalendar.

    Each event is serialised on its own and the calendar put together from them (the same bytes icalendar writes
    for the whole), so an event shared by several feeds, or unchanged since the last build, is serialised once: a
    `Serialised` event (serialised with this domain, without alarms) is used as it is."""
    from icalendar import Calendar, vText

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", feed.name)  # RFC 7986
    # what Outlook, Google and Apple show as the calendar's name (text, escaped as TEXT: icalendar would not by itself)
    calendar.add("x-wr-calname", vText(feed.name))
    calendar.add("description", feed.description)
    calendar.add("x-wr-caldesc", vText(feed.description))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")  # Outlook's refresh hint
    if feed.url:
        calendar.add("url", feed.url)
    head = calendar.to_ical()
    assert head.endswith(_END)
    parts = [head[: -len(_END)]]
    for event in feed.events:
        if isinstance(event, Serialised):
            assert alarm_days is None
            parts.append(event.data)
        else:
            parts.append(event_block(event, domain, alarm_days))
    parts.append(_END)
    return b"".join(parts)


def event_block(event: Event, domain: str, alarm_days: int | None = None) -> bytes:
    """One VEVENT, serialised (BEGIN:VEVENT ... END:VEVENT, CRLF line ends)."""
    from icalendar import Alarm
    from icalendar import Event as VEvent

    item = VEvent()
    item.add("uid", f"{event.key}@{domain}")
    item.add("dtstamp", event.modified)
    item.add("last-modified", event.modified)
    item.add("sequence", event.sequence)
    item.add("dtstart", event.day)
    item.add("dtend", event.day + timedelta(days=1))
    item.add("summary", event.summary)
    item.add("description", event.description)
    if event.url:
        item.add("url", event.url)
    item.add("categories", [{"deadline": "Deadline", "milestone": "Milestone", "update-due": "Update due"}[event.kind]])
    item.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    if event.cancelled:
        item.add("status", "CANCELLED")
    if alarm_days is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.summary)
        alarm.add("trigger", timedelta(days=-alarm_days))
        item.add_component(alarm)
    return item.to_ical()


# ---- the feeds -------------------------------------------------------------------------------------------------------


def feed_for(
    snapshot: Snapshot,
    events: Sequence[Event | Serialised],
    *,
    plan: str | None = None,
    owner: str | None = None,
    include_closed: bool = False,
    title: str | None = None,
    url: str | None = None,
) -> Feed:
    """One feed: every plan's, one plan's, one owner's (or one owner's in one plan), named for what it holds."""
    workspace = snapshot.workspace
    workspace.check_choice(plan, owner)
    chosen = select(snapshot, events, plan=plan, owner=owner, include_closed=include_closed)
    parts = []
    if owner is not None:
        parts.append(workspace.owners[owner].name if owner in workspace.owners else owner)
    if plan is not None:
        parts.append(next(p.title for p in workspace.plans if p.slug == plan))
    name = ": ".join(parts) if parts else (title or workspace.config.report.title or "Action plans")
    what = "deadlines, milestones and update due dates"
    left_out = "" if include_closed else "; complete and cancelled actions and milestones done are left out"
    description = f"{name}: {what} of the action plans, from actiontrack{left_out}."
    return Feed(name, description, tuple(chosen), url)


def write_feed(path: Path, data: bytes) -> None:
    from .writes import atomic_write

    atomic_write(path, data)
