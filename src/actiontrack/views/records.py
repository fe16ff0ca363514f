"""Plain-data forms of the snapshot, shared by every machine-readable output (JSON, exports, templates)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..derive import DerivedAction, PlanSummary, Snapshot, Totals
from ..load import Workspace
from ..model import Update
from ..words import day_count, when_due


def action_record(derived: DerivedAction, workspace: Workspace) -> dict[str, Any]:
    """One action as the JSON of `status --json` documents it (README, "Machine-readable output")."""
    action = derived.action
    latest = derived.latest
    return {
        "plan": derived.plan_slug,
        "id": action.id,
        "title": action.title,
        "priority": action.priority,
        "owners": list(action.owners),
        "due": action.due.text if action.due else None,
        "due_date": derived.due_date.isoformat() if derived.due_date else None,
        "due_as_written": action.due_as_written,
        "days_left": derived.days_left,
        "state": derived.state,
        "rag": derived.rag,
        "status": derived.status,
        "stale": derived.stale,
        "last_update": latest.period.text if latest else None,
        "path": workspace.machine_path(derived.source.path),
    }


def attention_text(derived: DerivedAction, compact: bool = False) -> str:
    """Why an action needs attention, in words: "91 days late; a milestone is late (12 days); no update for 2022/23
    Q4"."""
    parts = []
    for reason in derived.attention:
        if reason == "overdue":
            parts.append(f"{day_count(-(derived.days_left or 0))} late")
        elif reason in ("red", "amber"):
            parts.append(f"rated {reason}")
        elif reason == "milestone-overdue":
            late = max((derived.snapshot_as_of - m.due.end).days for m in derived.milestones_overdue)  # type: ignore
            count = len(derived.milestones_overdue)
            parts.append(f"{'a milestone is' if count == 1 else f'{count} milestones are'} late ({day_count(late)})")
        elif reason == "behind-pace":
            kpi = next(k for k in derived.kpis if k.behind)
            parts.append(f"behind pace: {_figure(kpi.actual)} of {_figure(kpi.expected)} expected by {kpi.period}")
        elif reason == "stale":
            period = derived.last_period.label if derived.last_period and not compact else None
            parts.append(f"no update for {period}" if period else "no update")
        elif reason == "due-soon":
            parts.append(f"due {when_due(derived.days_left or 0)}")
        elif reason == "milestone-due-soon":
            soonest = min((m.due.end - derived.snapshot_as_of).days for m in derived.milestones_due_soon)  # type: ignore
            parts.append(f"a milestone is due {when_due(soonest)}")
        elif reason == "open-milestones":
            parts.append(f"complete, with {len(derived.open_milestones)} milestone(s) not done")
    return "; ".join(parts)


def _figure(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:,.1f}"


def totals_record(totals: Totals) -> dict[str, Any]:
    return {
        "total": totals.total,
        "complete": totals.complete,
        "percent_complete": totals.percent_complete,
        "by_state": dict(totals.by_state),
        "by_rag": dict(totals.by_rag),
        "stale": totals.stale,
        "needs_attention": totals.needs_attention,
    }


def plan_summary(summary: PlanSummary) -> dict[str, Any]:
    """Headline figures of one plan: counts by state and RAG, % complete, and the same per priority."""
    return {
        "plan": summary.slug,
        "title": summary.plan.title,
        **totals_record(summary.totals),
        "priorities": [{"id": g.id, "title": g.title, **totals_record(g.totals)} for g in summary.priorities],
    }


def status_payload(snapshot: Snapshot, actions: list[DerivedAction]) -> dict[str, Any]:
    """`status --json`: the selected actions, each plan's summary of them, and what needs attention."""
    plans = [plan_summary(summary) for summary in snapshot.plan_summaries(actions)]
    return {
        "as_of": snapshot.as_of.isoformat(),
        "actions": [action_record(a, snapshot.workspace) for a in actions],
        "summary": {"plans": plans, "states": {s: n for s, n in snapshot.state_counts(actions).items()}},
        "needs_attention": [
            {"plan": a.plan_slug, "id": a.id, "reasons": list(a.attention)} for a in snapshot.needs_attention(actions)
        ],
    }


def _original(derived: DerivedAction) -> dict[str, Any] | None:
    """The deadline as first agreed, when today's differs (history.py reads it from git)."""
    first = derived.moved_from
    if first is None:
        return None
    return {
        "due": first.text,
        "due_date": first.date.isoformat() if first.date else None,
        "commit": first.commit,
        "commit_date": first.commit_date.isoformat(),
    }


def original_due_text(derived: DerivedAction) -> str | None:
    """ "March 2023 (2023-03-31), as agreed on 2022-04-05" when the deadline has moved since, else None."""
    first = derived.moved_from
    if first is None or first.date is None:
        return None
    return f"{first.text} ({first.date.isoformat()}), as agreed on {first.commit_date.isoformat()}"


def action_detail(derived: DerivedAction, workspace: Workspace) -> dict[str, Any]:
    """`show --json`: one action in full, with owner names, dated milestones, KPI progress and updates newest first."""
    action = derived.action
    record = action_record(derived, workspace)
    record.update(
        {
            "what": action.what,
            "outcome": action.outcome,
            "original_due": _original(derived),
            "owners": [_owner(o, workspace) for o in action.owners],
            "partners": [_owner(o, workspace) for o in action.partners],
            "milestones": [
                {
                    "text": m.text,
                    "due": m.due.text if m.due else None,
                    "due_date": m.due.end.isoformat() if m.due and m.due.end else None,
                    "done": m.done,
                }
                for m in action.milestones
            ],
            "targets": [
                {
                    "text": k.target.text,
                    "value": k.target.value,
                    "unit": k.target.unit,
                    "direction": k.target.direction,
                    "actual": k.actual,
                    "actual_period": k.period,
                    "progress": None if k.ratio is None else round(k.ratio, 4),
                    "met": k.met,
                    "on_pace": None if k.expected is None else round(k.expected, 2),
                    "behind_pace": k.behind,
                    "history": [
                        {"period": period, "actual": actual, "on_pace": None if pace is None else round(pace, 2)}
                        for period, actual, pace in k.history
                    ],
                }
                for k in derived.kpis
            ],
            "updates": [
                {"period": u.period.text, "rag": u.rag, "status": u.status, "note": u.note, "actuals": u.actuals}
                for u in updates_newest_first(derived)
            ],
        }
    )
    return record


def updates_newest_first(derived: DerivedAction) -> list[Update]:
    """Updates by period, latest first; among updates for the same period, the one written last first."""
    indexed = list(enumerate(derived.updates))
    indexed.sort(key=lambda pair: (pair[1].period.end or date.min, pair[0]), reverse=True)
    return [update for _, update in indexed]


def _owner(owner_id: str, workspace: Workspace) -> dict[str, Any]:
    owner = workspace.owners.get(owner_id)
    if owner is None:
        return {"id": owner_id, "name": None, "kind": None, "registered": False}
    return {"id": owner.id, "name": owner.name, "kind": owner.kind, "registered": True}


def owner_workload(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Each owner (registered, or only named in an action) with open, overdue and not-updated counts, busiest first."""
    return [
        {
            **_owner(load.id, snapshot.workspace),
            "total": len(load.actions),
            "open": load.open,
            "overdue": load.overdue,
            "stale": load.stale,
            "plans": load.plans,
        }
        for load in snapshot.owner_loads()
    ]
