"""History and changes in words: `actiontrack history`, `actiontrack changes` (text, Markdown, JSON) and the
report's "Changes since" section and action timelines."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..history import KINDS, ActionChange, Change, Event, Point
from ..words import day_count, shown

#: how a summary names each kind of change, for one and for several
KIND_WORDS = {
    "added": ("added", "added"),
    "removed": ("removed", "removed"),
    "deadline-moved": ("deadline moved", "deadlines moved"),
    "status-changed": ("status changed", "statuses changed"),
    "owners-changed": ("owners changed", "owners changed"),
    "update-added": ("update added", "updates added"),
    "update-changed": ("update changed", "updates changed"),
    "target-changed": ("target changed", "targets changed"),
    "milestone-done": ("milestone done", "milestones done"),
    "text-changed": ("wording changed", "wording changed"),
}

FIELD_WORDS = {
    "title": "title",
    "what": "what we will do",
    "outcome": "outcome",
    "priority": "priority",
    "partners": "partners",
    "due": "deadline as written",
    "due_as_written": "deadline as written in the source",
    "milestones": "milestones",
    "lint": "lint settings",
}


def _quoted(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(_quoted(v) for v in value)
    if isinstance(value, dict):
        return f'"{shown(str(value.get("text", value)))}"'
    text = shown(str(value))
    return f'"{text if len(text) <= 80 else text[:77] + "..."}"'


def _update(update: dict[str, Any] | None) -> str:
    if not update:
        return "none"
    parts = [str(update.get("period", ""))]
    if update.get("rag"):
        parts.append(str(update["rag"]))
    if update.get("status"):
        parts.append(str(update["status"]).replace("-", " "))
    text = ", ".join(parts)
    if update.get("actuals"):
        figures = ", ".join(f"{key} {_number(value)}" for key, value in update["actuals"].items())
        text += f" ({figures})"
    if update.get("note"):
        text += f": {_quoted(update['note'])}"
    return text


def _number(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, float) and value.is_integer() else f"{value:,}"


def describe(change: Change) -> str:
    """One change in plain words."""
    kind = change.kind
    if kind == "added":
        due = f", due {change.after_date.isoformat()}" if change.after_date else ""
        return f"added: {_quoted(change.after)}{due}"
    if kind == "removed":
        return f"removed: {_quoted(change.before)}"
    if kind == "deadline-moved":
        before = f"{_quoted(change.before)}" + (f" ({change.before_date})" if change.before_date else "")
        after = f"{_quoted(change.after)}" + (f" ({change.after_date})" if change.after_date else "")
        days = change.days
        how = ""
        if days is not None:
            how = f", {day_count(days)} later" if days > 0 else f", {day_count(-days)} earlier"
        return f"deadline moved from {before} to {after}{how}"
    if kind == "status-changed":
        return f"status changed from {_word(change.before)} to {_word(change.after)}"
    if kind == "owners-changed":
        return f"owners changed from {_quoted(change.before)} to {_quoted(change.after)}"
    if kind == "update-added":
        return f"update added for {_update(change.after)}"
    if kind == "update-changed":
        if change.after is None:
            return f"update removed: {_update(change.before)}"
        return f"update for {change.after.get('period')} changed to {_update(change.after)}"
    if kind == "target-changed":
        return f"targets changed from {_quoted(change.before)} to {_quoted(change.after)}"
    if kind == "milestone-done":
        return f"milestone done: {_quoted(change.after)}"
    what = FIELD_WORDS.get(change.field or "", change.field or "text")
    if change.field == "milestones":
        return f"milestones changed: {_quoted([m.get('text') for m in change.before or []])} to " + _quoted(
            [m.get("text") for m in change.after or []]
        )
    return f"{what} changed from {_quoted(change.before)} to {_quoted(change.after)}"


def _word(status: str | None) -> str:
    return "not recorded" if status is None else status.replace("-", " ")


def counts_line(changes: list[ActionChange]) -> str:
    """ "2 added · 1 removed · 3 deadlines moved (2 later, 1 earlier) · 1 completed"."""
    counts = Counter(item.change.kind for item in changes)
    parts = []
    for kind in KINDS:
        count = counts[kind]
        if not count:
            continue
        one, many = KIND_WORDS[kind]
        part = f"{count} {one if count == 1 else many}"
        if kind == "deadline-moved":
            later = sum(1 for c in changes if c.change.kind == kind and (c.change.days or 0) > 0)
            earlier = sum(1 for c in changes if c.change.kind == kind and (c.change.days or 0) < 0)
            detail = [f"{later} later" if later else "", f"{earlier} earlier" if earlier else ""]
            part += f" ({', '.join(d for d in detail if d)})" if later or earlier else ""
        if kind == "status-changed":
            done = sum(1 for c in changes if c.change.kind == kind and c.change.after == "complete")
            dropped = sum(1 for c in changes if c.change.kind == kind and c.change.after == "cancelled")
            detail = [f"{done} completed" if done else "", f"{dropped} cancelled" if dropped else ""]
            part += f" ({', '.join(d for d in detail if d)})" if done or dropped else ""
        parts.append(part)
    return " · ".join(parts) if parts else "no changes"


def point_words(point: Point) -> str:
    if point.commit is None:
        return "the working tree (including changes not yet committed)"
    commit = point.commit
    asked = f"{point.label}: " if point.label not in (commit.id, commit.short) else ""
    return f"{asked}commit {commit.short} of {commit.day.isoformat()}"


def changes_json(since: Point, until: Point, changes: list[ActionChange]) -> dict[str, Any]:
    return {
        "since": since.as_json(),
        "until": until.as_json(),
        "changes": [{"plan": c.plan, "id": c.id, **c.change.as_json()} for c in changes],
        "summary": {kind: count for kind in KINDS if (count := sum(1 for c in changes if c.change.kind == kind))},
    }


def changes_text(since: Point, until: Point, changes: list[ActionChange], markdown: bool = False) -> str:
    lines = []
    heading = f"Changes since {point_words(since)}, up to {point_words(until)}"
    lines.append(f"# {heading}" if markdown else heading)
    lines.append("")
    lines.append(counts_line(changes))
    plan = None
    action = None
    for item in changes:
        if item.plan != plan:
            plan = item.plan
            action = None
            lines += ["", f"## {plan}" if markdown else plan]
        if (item.plan, item.id) != action:
            action = (item.plan, item.id)
            title = shown(item.title)
            lines.append(f"\n### {item.id} {title}\n" if markdown else f"  {item.id}  {title}")
        text = describe(item.change)
        lines.append(f"- {text}" if markdown else f"      {text}")
    return "\n".join(lines) + "\n"


def event_json(event: Event | None, changes: tuple[Change, ...], authors: bool = True) -> dict[str, Any]:
    if event is None:  # changes in the working tree, not committed yet
        return {
            "commit": None,
            "date": None,
            "author": None,
            "message": "not committed yet",
            "changes": [c.as_json() for c in changes],
        }
    commit = event.commit
    return {
        "commit": commit.id,
        "date": commit.date.isoformat(),
        "author": commit.author if authors else None,
        "message": commit.message,
        "changes": [c.as_json() for c in changes],
    }


def history_text(plan: str, action_id: str, title: str, events: list[dict[str, Any]], raw: list[tuple]) -> str:
    """The timeline, newest first, for a terminal."""
    lines = [f"{action_id}  {shown(title)}  ({plan})", ""]
    if not raw:
        lines.append("No recorded changes: the action is not in the git history yet.")
    for event, changes in raw:
        if event is None:
            lines.append("not committed yet")
        else:
            commit = event.commit
            lines.append(f"{commit.day.isoformat()}  {commit.short}  {shown(commit.author)}  {shown(commit.message)}")
        lines.extend(f"    {describe(change)}" for change in changes)
    return "\n".join(lines) + "\n"


def report_records(history: Any, show_authors: bool) -> dict[str, Any]:
    """Plain data for the report's templates: the changes since a point (by plan) and each action's timeline, newest
    first. Authors' names only when the settings allow it (commit names are personal data); e-mail never."""
    from ..history import ReportHistory

    assert isinstance(history, ReportHistory)
    by_plan: dict[str, list[dict[str, Any]]] = {}
    for item in history.changes:
        by_plan.setdefault(item.plan, []).append(
            {
                "plan": item.plan,
                "id": item.id,
                "title": item.title,
                "kind": item.change.kind,
                "text": describe(item.change),
            }
        )
    timelines: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for key in {*history.timelines, *history.pending}:
        entries = []
        if key in history.pending:
            entries.append(
                {
                    "date": None,
                    "commit": None,
                    "author": None,
                    "message": "not committed yet",
                    "changes": [describe(c) for c in history.pending[key]],
                }
            )
        for event in reversed(history.timelines.get(key, [])):
            commit = event.commit
            entries.append(
                {
                    "date": commit.day.isoformat(),
                    "commit": commit.short,
                    "author": commit.author if show_authors else None,
                    "message": commit.message,
                    "changes": [describe(c) for c in event.changes],
                }
            )
        timelines[key] = entries
    return {
        "since": point_words(history.since),
        "until": point_words(history.until),
        "counts": counts_line(history.changes),
        "count": len(history.changes),
        "by_plan": by_plan,
        "timelines": timelines,
    }
