"""`actiontrack status`: where the plan stands, at a glance, in a terminal.

Per plan: a headline (counts by state and RAG, % complete), a bar per priority, then the actions that need
attention now, most urgent first; with --all, every selected action grouped by priority. Everything shown comes
from the derived snapshot; nothing here decides a state.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

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
    return _owners(_owner_names(derived, snapshot))


def _owner_names(derived: DerivedAction, snapshot: Snapshot) -> str | None:
    owners = derived.action.owners
    return ", ".join(snapshot.workspace.owner_name(o) for o in owners) if owners else None


def _owners(names: str | None) -> Text:
    return Text(names) if names is not None else Text("no owner", style="red")


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


@dataclass(frozen=True, slots=True)
class Row:
    """One action of a "Needs attention" table, as printed: plain data, kept between runs with its plan's Standing."""

    urgency: tuple[object, ...]  # DerivedAction.urgency: the order across plans
    id: str
    title: str
    owners: str | None  # the owners' names; None: no owner
    due: tuple[tuple[str, str], ...]  # the Due cell, as (text, style) pieces
    plan: str
    why: str
    state: str

    @classmethod
    def of(cls, derived: DerivedAction, snapshot: Snapshot) -> Row:
        due = Text(derived.action.due.text) if derived.action.due else due_text(derived)
        why = attention_text(derived, compact=True)
        owners = _owner_names(derived, snapshot)
        return cls(
            derived.urgency(),
            derived.id,
            derived.action.title,
            owners,
            _pieces(due),
            derived.plan_slug,
            why,
            derived.state,
        )


def _pieces(text: Text) -> tuple[tuple[str, str], ...]:
    """The text cut where its style changes: (characters, style) pieces."""
    styles = [str(text.style or "")] * len(text.plain)
    for span in text.spans:
        styles[span.start : span.end] = [str(span.style)] * (span.end - span.start)
    pairs = itertools.groupby(zip(text.plain, styles, strict=True), key=lambda pair: pair[1])
    return tuple(("".join(char for char, _ in group), style) for style, group in pairs)


@dataclass(frozen=True, slots=True)
class Standing:
    """One plan as `status` shows it (without --all): its figures and its most urgent actions. Plain data, worked out
    from the derived snapshot and kept between runs per plan (incremental.py)."""

    slug: str
    title: str
    totals: Totals
    period: str | None  # the last ended reporting period, when all its actions share one
    priorities: tuple[tuple[str | None, str, Totals], ...]
    attention: tuple[Row, ...]  # most urgent first, at most the limit asked for
    needing: int  # how many need attention


def standing(summary: PlanSummary, snapshot: Snapshot, limit: int | None = ATTENTION_ROWS) -> Standing:
    members = list(summary.actions)
    periods = {a.last_period.label for a in members if a.last_period}
    attention = snapshot.needs_attention(members)
    rows = tuple(Row.of(derived, snapshot) for derived in (attention if limit is None else attention[:limit]))
    return Standing(
        summary.plan.slug,
        summary.plan.title,
        summary.totals,
        periods.pop() if len(periods) == 1 else None,
        tuple((group.id, group.title, group.totals) for group in summary.priorities),
        rows,
        len(attention),
    )


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


def priority_table(plan: Standing) -> Table:
    # Text: brackets in a title are not markup
    rows = [(Text(f"{pid} {title}" if pid else title), totals) for pid, title, totals in plan.priorities]
    return totals_table("Priority", rows)


def _action_table(title: str) -> Table:
    table = Table(title=Text(title), title_justify="left", title_style="bold", expand=True, show_lines=False)
    table.add_column("ID", no_wrap=True)
    table.add_column("Action", ratio=3, overflow="fold")
    table.add_column("Owners", ratio=2, overflow="fold")
    table.add_column("Due", overflow="fold", max_width=12)
    return table


def attention_table(rows: Sequence[Row], count: int, limit: int | None = None, with_plan: bool = False) -> Table:
    """The most urgent of the `count` actions that need attention: the first `limit` of `rows` (all with None), the
    number left out said in the title and under the table, never dropped silently."""
    shown = rows if limit is None else rows[:limit]
    more = count - len(shown)
    title = f"Needs attention ({count}), most urgent first"
    if more:
        title += f": the first {len(shown)}"
    table = _action_table(title)
    if with_plan:
        table.add_column("Plan", overflow="fold", ratio=1)
    table.add_column("Why", ratio=2, overflow="fold")
    for row in shown:
        due = Text()
        for piece, style in row.due:
            due.append(piece, style=style or None)
        cells = [Text(row.id), Text(row.title), _owners(row.owners), due]
        if with_plan:
            cells.append(Text(row.plan))
        table.add_row(*cells, Text(row.why, style=STATE_STYLES.get(row.state, "")))
    if more:
        where = "--plan SLUG, --owner or --state to narrow it" if with_plan else "--state or --owner to narrow it"
        table.caption = Text(f"… and {more} more: use {where}, or --json for every one", style="yellow")
        table.caption_justify = "left"
    return table


def plans_table(plans: Sequence[Standing]) -> Table:
    """One row per plan (the overview of many plans)."""
    return totals_table("Plan", [(Text(plan.slug), plan.totals) for plan in plans])


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
    """The status screen for the selected `actions` (already filtered); with `show_all`, each plan's every action."""
    summaries = snapshot.plan_summaries(actions)
    plans = [standing(summary, snapshot, None if show_all else limit) for summary in summaries]
    full = [full_table(summary, snapshot) for summary in summaries] if show_all else None
    draw(plans, snapshot.as_of, console, limit, full)


def draw(
    plans: Sequence[Standing],
    as_of: date,
    console: Console,
    limit: int | None = ATTENTION_ROWS,
    full: Sequence[Group] | None = None,
) -> None:
    """The status screen of these plans (those with any selected action). From OVERVIEW_FROM plans (and without
    --all, whose every action is in `full`), one table of plans and the most urgent actions across them; else each
    plan in turn."""
    if len(plans) >= OVERVIEW_FROM and full is None:
        overview(plans, as_of, console, limit)
        return
    for index, plan in enumerate(plans):
        console.rule(Text(f"{plan.title} ({plan.slug})", style="bold"), align="left")
        console.print(headline(plan.totals, plan.period))
        console.print(f"as of {as_of.isoformat()}", style="dim")
        console.print()
        console.print(priority_table(plan))
        console.print()
        if plan.needing:
            console.print(attention_table(plan.attention, plan.needing, None if full is not None else limit))
        else:
            console.print("Nothing needs attention.", style="green")
        if full is not None:
            console.print()
            console.print(full[index])
        console.print()
    if not plans:
        console.print("No actions match.", style="yellow")


def overview(plans: Sequence[Standing], as_of: date, console: Console, limit: int | None) -> None:
    """Many plans at once: the totals, a row per plan, and the most urgent actions across all of them."""
    console.rule(Text(f"{len(plans)} plans", style="bold"), align="left")
    console.print(headline(Totals.sum(plan.totals for plan in plans), None))
    console.print(f"as of {as_of.isoformat()} · `--plan SLUG` for one plan in full", style="dim")
    console.print()
    console.print(plans_table(plans))
    console.print()
    count = sum(plan.needing for plan in plans)
    if count:
        rows = sorted((row for plan in plans for row in plan.attention), key=_urgency)  # each plan's first `limit`
        console.print(attention_table(rows, count, limit, with_plan=True))
    else:
        console.print("Nothing needs attention.", style="green")
    console.print()


def _urgency(row: Row) -> tuple[object, ...]:
    return row.urgency
