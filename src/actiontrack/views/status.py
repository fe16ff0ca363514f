"""`actiontrack status`: where the plan stands, at a glance, in a terminal.

Per plan: a headline (counts by state and RAG, % complete), a bar per priority, then the actions that need
attention now, most urgent first; with --all, every selected action grouped by priority. Everything shown comes
from the derived snapshot; nothing here decides a state.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..derive import DerivedAction, PlanSummary, Snapshot, Totals
from ..vocab import STATES
from .records import attention_text

STATE_STYLES = {
    "overdue": "bold red",
    "at-risk": "yellow",
    "due-soon": "yellow",
    "not-reported": "magenta",
    "not-started": "dim",
    "on-track": "green",
    "complete": "bold green",
    "cancelled": "dim",
}
RAG_STYLES = {"red": "bold white on red", "amber": "black on yellow", "green": "black on green"}
BAR_WIDTH = 10
OVERVIEW_FROM = 10  # plans: from this many, one table of plans and one list of what needs attention across them
ATTENTION_ROWS = 50  # the most urgent actions listed (per plan, or across plans in the overview); the rest counted


def rag_text(rag: str | None) -> Text:
    if rag is None:
        return Text("–", style="dim")
    return Text(f" {rag.upper()} ", style=RAG_STYLES[rag])


def state_text(derived: DerivedAction) -> Text:
    return Text(derived.state_label, style=STATE_STYLES[derived.state])


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """A bar that reads without colour: █ for the done share, ░ for the rest."""
    filled = round(width * done / total) if total else 0
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    return bar


def owners_text(derived: DerivedAction, snapshot: Snapshot) -> Text:
    owners = derived.action.owners
    if not owners:
        return Text("no owner", style="red")
    return Text(", ".join(snapshot.workspace.owner_name(o) for o in owners))


def due_text(derived: DerivedAction) -> Text:
    due = derived.action.due
    if due is None:
        written = derived.action.due_as_written
        return Text(f"{written} (not a date)", style="dim") if written else Text("–", style="dim")
    if derived.due_date is None:
        return Text(due.text)
    text = Text(due.text)
    if due.text != derived.due_date.isoformat():
        text.append(f"\n{derived.due_date.isoformat()}", style="dim")
    return text


def why_text(derived: DerivedAction) -> Text:
    return Text(attention_text(derived, compact=True), style=STATE_STYLES.get(derived.state, ""))


def headline(totals: Totals, last_period: str | None) -> Text:
    text = Text()
    total = totals.total
    text.append(f"{total} action{'s' if total != 1 else ''}", style="bold")
    text.append(f" · {totals.percent_complete}% complete · ")
    states = list(totals.by_state.items())
    for index, (state, count) in enumerate(states):
        if index:
            text.append(", ")
        text.append(f"{count} {STATES[state].lower()}", style=STATE_STYLES[state])
    rags = totals.by_rag
    text.append("\nLatest RAG: ")
    if rags["none"] == total:
        text.append("none recorded", style="dim")
    else:
        shown = [f"{rags[r]} {r}" for r in ("red", "amber", "green") if rags[r]]
        if rags["none"]:
            shown.append(f"{rags['none']} none")
        text.append(", ".join(shown))
    if last_period:
        text.append(f" · {totals.stale} with no update for {last_period}")
    return text


def totals_table(heading: str, rows: list[tuple[Text, Totals]]) -> Table:
    """A row of figures per priority or per plan: actions, a bar of % complete, overdue, at risk, no update."""
    table = Table(box=None, pad_edge=False, show_edge=False, expand=False, padding=(0, 1))
    table.add_column(heading, overflow="fold", ratio=1)
    table.add_column("Actions", justify="right", no_wrap=True)
    table.add_column("Complete", no_wrap=True)
    table.add_column("Overdue", justify="right", no_wrap=True)
    table.add_column("At risk", justify="right", no_wrap=True)
    table.add_column("No update", justify="right", no_wrap=True)
    for label, totals in rows:
        bar = progress_bar(totals.complete, totals.total)
        bar.append(f" {totals.percent_complete:>3}%")
        overdue = totals.by_state.get("overdue", 0)
        table.add_row(
            label,
            str(totals.total),
            bar,
            Text(str(overdue), style="bold red" if overdue else ""),
            str(totals.by_state.get("at-risk", 0)),
            str(totals.stale),
        )
    return table


def priority_table(summary: PlanSummary) -> Table:
    # Text: brackets in a title are not markup
    rows = [(Text(f"{g.id} {g.title}" if g.id else g.title), g.totals) for g in summary.priorities]
    return totals_table("Priority", rows)


def _action_table(title: str) -> Table:
    table = Table(title=Text(title), title_justify="left", title_style="bold", expand=True, show_lines=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("Action", ratio=3, overflow="fold")
    table.add_column("Owners", ratio=2, overflow="fold")
    table.add_column("Due", overflow="fold", max_width=12)
    return table


def attention_table(
    actions: list[DerivedAction], snapshot: Snapshot, limit: int | None = None, with_plan: bool = False
) -> Table:
    """The actions that need attention, most urgent first: the first `limit` of them (all with None), the number
    left out said in the title and under the table, never dropped silently."""
    shown = actions if limit is None else actions[:limit]
    more = len(actions) - len(shown)
    title = f"Needs attention ({len(actions)}), most urgent first"
    if more:
        title += f": the first {len(shown)}"
    table = _action_table(title)
    if with_plan:
        table.add_column("Plan", overflow="fold", ratio=1)
    table.add_column("Why", ratio=2, overflow="fold")
    for derived in shown:
        due = Text(derived.action.due.text) if derived.action.due else due_text(derived)
        cells = [Text(derived.id), Text(derived.action.title), owners_text(derived, snapshot), due]
        if with_plan:
            cells.append(Text(derived.plan_slug))
        table.add_row(*cells, why_text(derived))
    if more:
        where = "--plan SLUG, --owner or --state to narrow it" if with_plan else "--state or --owner to narrow it"
        table.caption = Text(f"… and {more} more: use {where}, or --json for every one", style="yellow")
        table.caption_justify = "left"
    return table


def plans_table(summaries: list[PlanSummary]) -> Table:
    """One row per plan (the overview of many plans)."""
    return totals_table("Plan", [(Text(summary.plan.slug), summary.totals) for summary in summaries])


def full_table(summary: PlanSummary, snapshot: Snapshot) -> Group:
    tables = []
    for group in summary.priorities:
        name = f"Priority {group.id} – {group.title}" if group.id else group.title
        table = _action_table(name)
        table.add_column("State", no_wrap=True)
        table.add_column("RAG", no_wrap=True)
        for derived in group.actions:
            table.add_row(
                Text(derived.id),
                Text(derived.action.title),
                owners_text(derived, snapshot),
                due_text(derived),
                state_text(derived),
                rag_text(derived.rag),
            )
        tables.append(table)
    return Group(*tables)


def render(
    snapshot: Snapshot,
    actions: list[DerivedAction],
    console: Console,
    show_all: bool,
    limit: int | None = ATTENTION_ROWS,
) -> None:
    """The status screen for the selected `actions` (already filtered). From OVERVIEW_FROM plans (and without
    --all), one table of plans and the most urgent actions across them; else each plan in turn."""
    summaries = snapshot.plan_summaries(actions)
    if len(summaries) >= OVERVIEW_FROM and not show_all:
        overview(snapshot, actions, summaries, console, limit)
        return
    for summary in summaries:
        plan, members = summary.plan, list(summary.actions)
        console.rule(Text(f"{plan.title} ({plan.slug})", style="bold"), align="left")
        periods = {a.last_period.label for a in members if a.last_period}
        console.print(headline(summary.totals, periods.pop() if len(periods) == 1 else None))
        console.print(f"as of {snapshot.as_of.isoformat()}", style="dim")
        console.print()
        console.print(priority_table(summary))
        console.print()
        attention = snapshot.needs_attention(members)
        if attention:
            console.print(attention_table(attention, snapshot, None if show_all else limit))
        else:
            console.print("Nothing needs attention.", style="green")
        if show_all:
            console.print()
            console.print(full_table(summary, snapshot))
        console.print()
    if not actions:
        console.print("No actions match.", style="yellow")


def overview(
    snapshot: Snapshot,
    actions: list[DerivedAction],
    summaries: list[PlanSummary],
    console: Console,
    limit: int | None,
) -> None:
    """Many plans at once: the totals, a row per plan, and the most urgent actions across all of them."""
    console.rule(Text(f"{len(summaries)} plans", style="bold"), align="left")
    console.print(headline(Totals.of(actions), None))
    console.print(f"as of {snapshot.as_of.isoformat()} · `--plan SLUG` for one plan in full", style="dim")
    console.print()
    console.print(plans_table(summaries))
    console.print()
    attention = snapshot.needs_attention(actions)
    if attention:
        console.print(attention_table(attention, snapshot, limit, with_plan=True))
    else:
        console.print("Nothing needs attention.", style="green")
    console.print()
