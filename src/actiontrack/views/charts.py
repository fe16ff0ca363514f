"""Inline SVG charts for the HTML report. Each is an image with a title and description for screen readers;
the templates put the same figures in a table beside it (the text equivalent). All text is escaped."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from ..vocab import STATES

# GOV.UK palette, chosen for contrast on white; every colour also has a text label in the table beside the chart.
STATE_COLOURS = {
    "overdue": "#d4351c",
    "at-risk": "#a04000",
    "due-soon": "#4c2c92",
    "not-reported": "#505a5f",
    "not-started": "#6f777b",
    "on-track": "#1d70b8",
    "complete": "#00703c",
    "cancelled": "#8a8f92",
}
RAG_COLOURS = {"red": "#d4351c", "amber": "#a04000", "green": "#00703c", "none": "#6f777b"}
WIDTH = 720
FONT = 'font-family="Arial, sans-serif" font-size="13"'


def _svg(chart_id: str, title: str, description: str, height: int, body: list[str]) -> Markup:
    chart_id = str(escape(chart_id))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _legend(y: int, entries: list[tuple[str, str]]) -> list[str]:
    """A row of colour swatches with their labels (the key to the colours)."""
    body, x = [], 0
    for label, colour in entries:
        body.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{x + 17}" y="{y + 11}" {FONT} fill="#0b0c0c">{escape(label)}</text>')
        x += 30 + 8 * len(label)
    return body


def stacked_bars(
    chart_id: str, title: str, rows: list[dict[str, Any]], key: str, colours: dict[str, str], labels: dict[str, str]
) -> Markup:
    """One horizontal bar per row (a priority), split by `row[key]` counts (states or RAG)."""
    label_width, bar_width, row_height = 220, WIDTH - 220 - 60, 28
    present = [c for c in colours if any(row[key].get(c, 0) for row in rows)]
    body = _legend(0, [(labels[c], colours[c]) for c in present])
    parts = []
    for index, row in enumerate(rows):
        y = 26 + index * row_height
        name = f"{row['id']} {row['title']}" if row.get("id") else row["title"]
        shown = name if len(name) <= 30 else name[:29] + "…"
        body.append(f'<text x="0" y="{y + 15}" {FONT} fill="#0b0c0c">{escape(shown)}</text>')
        total = row["total"] or 1
        x = float(label_width)
        counts = row[key]
        for category, colour in colours.items():
            count = counts.get(category, 0)
            if not count:
                continue
            width = bar_width * count / total
            tip = f"{name}: {count} {labels[category].lower()}"
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="20" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            if width >= 22:
                middle = x + width / 2
                body.append(
                    f'<text x="{middle:.1f}" y="{y + 15}" {FONT} fill="#ffffff" text-anchor="middle">{count}</text>'
                )
            x += width
        body.append(f'<text x="{label_width + bar_width + 6}" y="{y + 15}" {FONT} fill="#0b0c0c">{row["total"]}</text>')
        parts.append(
            f"{name}: " + ", ".join(f"{counts.get(c, 0)} {labels[c].lower()}" for c in colours if counts.get(c, 0))
        )
    description = "; ".join(parts) + "."
    return _svg(chart_id, title, description, 34 + row_height * len(rows), body)


def _shift(day: date, days: int) -> date:
    """`day` moved by `days`, stopping at the ends of the calendar (a plan may say 9999-12-31)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _fy_ticks(start: date, end: date) -> list[date]:
    step = max(1, (end.year - start.year) // 12)  # at most a dozen year marks, however long the span
    return [date(year, 1, 1) for year in range(start.year + 1, end.year + 1, step) if date(year, 1, 1) >= start]


def timeline(chart_id: str, actions: list[Any], as_of: date, start: date | None, end: date | None) -> Markup:
    """Each dated action as a marker at its due date, coloured by state, with a line at the as-of date."""
    dated = [a for a in actions if a.due_date is not None]
    if not dated:
        return Markup("")
    days = [a.due_date for a in dated] + [as_of] + [d for d in (start, end) if d]
    low, high = _shift(min(days), -15), _shift(max(days), 15)
    span = (high - low).days or 1
    left, right, row_height, top = 70, WIDTH - 20, 16, 22
    height = 62 + row_height * len(dated)

    def x_of(day: date) -> float:
        return left + (right - left) * (day - low).days / span

    present = [state for state in STATE_COLOURS if any(a.state == state for a in dated)]
    body = _legend(0, [(STATES[state], STATE_COLOURS[state]) for state in present])
    if start and end:
        x0, x1 = x_of(start), x_of(end)
        body.append(
            f'<rect x="{x0:.1f}" y="{top + 18}" width="{x1 - x0:.1f}" height="{height - top - 22}" fill="#f3f2f1"/>'
        )
        body.append(f'<text x="{x0 + 3:.1f}" y="{height - 20}" {FONT} fill="#505a5f">plan period</text>')
    for tick in _fy_ticks(low, high):
        x = x_of(tick)
        body.append(f'<line x1="{x:.1f}" y1="{top + 18}" x2="{x:.1f}" y2="{height - 4}" stroke="#b1b4b6"/>')
        body.append(f'<text x="{x + 3:.1f}" y="{top + 12}" {FONT} fill="#0b0c0c">{tick.year}</text>')
    now = x_of(as_of)
    body.append(
        f'<line x1="{now:.1f}" y1="{top + 18}" x2="{now:.1f}" y2="{height - 4}" stroke="#0b0c0c" stroke-width="2"/>'
    )
    label = f"as of {as_of.isoformat()}"
    body.append(f'<text x="{now - 4:.1f}" y="{height - 6}" {FONT} fill="#0b0c0c" text-anchor="end">{label}</text>')
    ordered = sorted(dated, key=lambda a: (a.due_date, a.urgency()))
    for index, derived in enumerate(ordered):
        y = top + 28 + index * row_height
        x = x_of(derived.due_date)
        tip = f"{derived.id}: due {derived.due_date.isoformat()}, {derived.state_label.lower()}"
        body.append(f'<text x="0" y="{y + 4}" {FONT} fill="#0b0c0c">{escape(derived.id)}</text>')
        body.append(f'<line x1="{left}" y1="{y}" x2="{x:.1f}" y2="{y}" stroke="#dddddd"/>')
        colour = STATE_COLOURS[derived.state]
        body.append(f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{colour}"><title>{escape(tip)}</title></circle>')
    overdue = sum(1 for a in dated if a.state == "overdue")
    description = (
        f"{len(dated)} actions with a deadline between {min(a.due_date for a in dated).isoformat()} and "
        f"{max(a.due_date for a in dated).isoformat()}; {overdue} overdue on {as_of.isoformat()}."
    )
    return _svg(chart_id, "Deadlines", description, height, body)


def kpi_bar(chart_id: str, kpi: Any) -> Markup:
    """A target's latest actual as a bar against the target value (a line)."""
    target = kpi.target
    if target.value is None or kpi.actual is None:
        return Markup("")
    scale_max = max(target.value, kpi.actual) * 1.1 or 1
    left, right = 10, WIDTH - 20
    width = (right - left) * kpi.actual / scale_max
    goal = left + (right - left) * target.value / scale_max
    colour = "#00703c" if kpi.met else "#1d70b8"
    unit = f" {target.unit}" if target.unit and target.unit != "%" else (target.unit or "")
    text = f"{kpi.actual:g}{unit} of {target.value:g}{unit} ({kpi.period})"
    body = [
        f'<rect x="{left}" y="8" width="{width:.1f}" height="22" fill="{colour}"/>',
        f'<line x1="{goal:.1f}" y1="2" x2="{goal:.1f}" y2="36" stroke="#0b0c0c" stroke-width="3"/>',
        f'<text x="{left}" y="54" {FONT} fill="#0b0c0c">{escape(text)}</text>',
    ]
    description = f"Target {target.text}: latest actual {text}; {'met' if kpi.met else 'not yet met'}."
    return _svg(chart_id, f"Progress towards {target.text}", description, 62, body)
