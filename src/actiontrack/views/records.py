"""Plain-data forms of the snapshot, shared by every machine-readable output (JSON, exports, templates)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from ..derive import RAGS, STATES, DerivedAction, Snapshot
from ..load import PlanSource, Workspace
from ..model import Update


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
    """Why an action needs attention, in words: "91 days late; no update for 2022/23 Q4"."""
    parts = []
    for reason in derived.attention:
        if reason == "overdue":
            parts.append(f"{-(derived.days_left or 0)} days late")
        elif reason == "red":
            parts.append("rated red")
        elif reason == "stale":
            period = derived.last_period.label if derived.last_period and not compact else None
            parts.append(f"no update for {period}" if period else "no update")
        else:
            parts.append(f"due in {derived.days_left} days")
    return "; ".join(parts)


def _counts(actions: list[DerivedAction]) -> dict[str, Any]:
    states = Counter(a.state for a in actions)
    countable = len(actions) - states["cancelled"]
    return {
        "total": len(actions),
        "complete": states["complete"],
        "percent_complete": round(100 * states["complete"] / countable) if countable else 0,
        "by_state": {state: states[state] for state in STATES if states[state]},
        "by_rag": {rag or "none": sum(1 for a in actions if a.rag == rag) for rag in (*RAGS, None)},
        "stale": sum(1 for a in actions if a.stale),
        "needs_attention": sum(1 for a in actions if a.attention),
    }


def plan_summary(plan: PlanSource, actions: list[DerivedAction]) -> dict[str, Any]:
    """Headline figures of one plan's `actions`: counts by state and RAG, % complete, and the same per priority."""
    summary: dict[str, Any] = {"plan": plan.slug, "title": plan.title, **_counts(actions), "priorities": []}
    priorities = [(p.id, p.title) for p in (plan.plan.priorities if plan.plan else [])]
    known = {pid for pid, _ in priorities}
    if any(a.action.priority not in known for a in actions):
        priorities.append((None, "No priority" if not known else "Other"))
    for priority_id, title in priorities:
        members = [
            a
            for a in actions
            if a.action.priority == priority_id or (priority_id is None and a.action.priority not in known)
        ]
        if members:
            summary["priorities"].append({"id": priority_id, "title": title, **_counts(members)})
    return summary


def status_payload(snapshot: Snapshot, actions: list[DerivedAction]) -> dict[str, Any]:
    """`status --json`: the selected actions, each plan's summary of them, and what needs attention."""
    selected = {id(a) for a in actions}
    plans = []
    for plan in snapshot.workspace.plans:
        members = [a for a in snapshot.actions if a.plan_slug == plan.slug and id(a) in selected]
        if members:
            plans.append(plan_summary(plan, members))
    return {
        "as_of": snapshot.as_of.isoformat(),
        "actions": [action_record(a, snapshot.workspace) for a in actions],
        "summary": {"plans": plans, "states": {s: n for s, n in snapshot.state_counts(actions).items()}},
        "needs_attention": [
            {"plan": a.plan_slug, "id": a.id, "reasons": list(a.attention)} for a in snapshot.needs_attention(actions)
        ],
    }


def action_detail(derived: DerivedAction, workspace: Workspace) -> dict[str, Any]:
    """`show --json`: one action in full, with owner names, dated milestones, KPI progress and updates newest first."""
    action = derived.action
    record = action_record(derived, workspace)
    record.update(
        {
            "what": action.what,
            "outcome": action.outcome,
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
    workspace = snapshot.workspace
    owner_ids = list(workspace.owners)
    owner_ids += sorted({o for a in snapshot.actions for o in a.action.owners} - set(owner_ids))
    rows = []
    for owner_id in owner_ids:
        mine = [a for a in snapshot.actions if owner_id in a.action.owners]
        rows.append(
            {
                **_owner(owner_id, workspace),
                "total": len(mine),
                "open": sum(1 for a in mine if a.is_open),
                "overdue": sum(1 for a in mine if a.state == "overdue"),
                "stale": sum(1 for a in mine if a.stale),
                "plans": sorted({a.plan_slug for a in mine}),
            }
        )
    return sorted(rows, key=lambda r: (-r["overdue"], -r["open"], -r["total"], r["id"]))
