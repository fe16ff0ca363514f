"""`actiontrack status` in a terminal: a rich table of where every action stands."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..derive import STATES, Snapshot

STATE_STYLES = {
    "overdue": "bold red",
    "at-risk": "yellow",
    "due-soon": "yellow",
    "not-reported": "dim",
    "not-started": "dim",
    "on-track": "green",
    "complete": "bold green",
    "cancelled": "dim strike",
}
RAG_STYLES = {"red": "bold white on red", "amber": "black on yellow", "green": "black on green"}


def rag_text(rag: str | None) -> Text:
    if rag is None:
        return Text("–", style="dim")
    return Text(f" {rag.upper()} ", style=RAG_STYLES[rag])


def state_text(state: str, label: str) -> Text:
    return Text(label, style=STATE_STYLES.get(state, ""))


def render_table(snapshot: Snapshot, console: Console) -> None:
    """Every action, one row each, grouped by plan."""
    workspace = snapshot.workspace
    for plan in workspace.plans:
        rows = [d for d in snapshot.actions if d.plan_slug == plan.slug]
        table = Table(
            title=f"{plan.title} ({plan.slug}) — as of {snapshot.as_of.isoformat()}",
            title_justify="left",
            show_lines=False,
            expand=True,
        )
        table.add_column("ID", no_wrap=True)
        table.add_column("Action", ratio=3, overflow="fold")
        table.add_column("Owners", ratio=2, overflow="fold")
        table.add_column("Due", no_wrap=True)
        table.add_column("Due date", no_wrap=True)
        table.add_column("State", no_wrap=True)
        table.add_column("RAG", no_wrap=True)
        for derived in rows:
            action = derived.action
            table.add_row(
                action.id,
                action.title,
                ", ".join(workspace.owner_name(o) for o in action.owners) or Text("none", style="red"),
                action.due.text if action.due else "–",
                derived.due_date.isoformat() if derived.due_date else "–",
                state_text(derived.state, derived.state_label),
                rag_text(derived.rag),
            )
        console.print(table)
    counts = snapshot.state_counts()
    summary = ", ".join(f"{counts[state]} {label.lower()}" for state, label in STATES.items() if counts[state])
    total = len(snapshot.actions)
    console.print(f"{total} action{'s' if total != 1 else ''}: {summary or 'none loaded'}")
