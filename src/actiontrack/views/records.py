"""Plain-data forms of the snapshot, shared by every machine-readable output (JSON, exports, templates)."""

from __future__ import annotations

from typing import Any

from ..derive import DerivedAction, Snapshot
from ..load import display_path


def action_record(derived: DerivedAction, snapshot: Snapshot) -> dict[str, Any]:
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
        "days_left": derived.days_left,
        "state": derived.state,
        "rag": derived.rag,
        "status": derived.status,
        "stale": derived.stale,
        "last_update": latest.period.text if latest else None,
        "path": display_path(derived.source.path, snapshot.workspace.root),
    }
