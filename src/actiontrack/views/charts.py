"""Inline SVG charts for the HTML report. Each is an image with a title and description for screen readers;
the templates put the same figures in a table beside it (the text equivalent). All text is escaped.

The charts have no viewBox: across they are placed in percentages of their width, down in CSS pixels, so they fill
any screen and their text keeps its size (FONT_SIZE px) instead of shrinking with the chart. Labels are laid out twice,
to fit the chart's width on the narrowest screen (NARROWEST) and on a wide one (WIDE); when the two differ both are
written and the stylesheet shows the one for the screen (.chart-narrow, .chart-wide). A label that does not fit is cut
short or left out: the table beside the chart has every figure. A chart's key is an HTML list under it, which wraps as
the screen narrows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

from ..vocab import STATES
from ..words import number

EMPTY = "empty"  # nothing to show (not reported, no rating): a white box with a grey border, unlike any filled one

# Chosen for contrast: every fill is at least 3:1 against the white page, and the text of its count (TEXT_ON) at least
# 4.5:1 against the fill. Red is a crimson and amber an orange, far apart in hue and in lightness; the three states
# that say nothing is moving are a mid grey, a charcoal and an empty box. Each has its label in the key and the table.
STATE_COLOURS = {
    "overdue": "#b1001f",
    "at-risk": "#e07000",
    "due-soon": "#4c2c92",
    "not-reported": EMPTY,
    "not-started": "#6f777b",
    "on-track": "#1d70b8",
    "complete": "#00703c",
    "cancelled": "#383f43",
}
RAG_COLOURS = {"red": "#b1001f", "amber": "#e07000", "green": "#00703c", "none": EMPTY}
TEXT_ON = {"#e07000": "#0b0c0c", EMPTY: "#0b0c0c"}  # every other fill carries white text
EMPTY_BORDER = "#505a5f"
PLAN_PERIOD = "#f3f2f1"  # the timeline's background over the plan's period
INK = "#0b0c0c"
HALO = 'stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'  # text readable over lines
GAP = 3  # px of white between adjacent bar segments, so they are told apart by more than their colours

FONT_SIZE = 14  # CSS px at every screen width (no viewBox scales it)
FONT = f'font-family="Arial, sans-serif" font-size="{FONT_SIZE}"'
NARROWEST = 288  # px: a chart's width on a 320 px screen (the page keeps 16 px either side)
WIDE = 608  # px: a chart's width, at least, on a screen wider than 640 px (style.css switches layouts there)
KPI_WIDE = 560  # px: a KPI chart's max-width (style.css), so its width on a wide screen
# Arial's advance widths in thousandths of an em (Liberation Sans, which stands in for Arial on Linux, has the same);
# any other character counts as a full em. Widths are estimated 8% wide, so a label said to fit does.
_WIDTHS = {
    **dict.fromkeys(" !,./:;I[]ft|", 278),
    **dict.fromkeys("ijl'", 222),
    **dict.fromkeys("()-r", 333),
    **dict.fromkeys("0123456789abdeghnopqu$#?_L", 556),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    "%": 889,
    "W": 944,
}


def _text_width(text: str) -> float:
    """The width of `text` in px at FONT_SIZE, a little over Arial's."""
    return 1.08 * FONT_SIZE * sum(_WIDTHS.get(char, 1000) for char in text) / 1000


def _fits(text: str, share: float, width: float) -> bool:
    """Whether `text` fits in `share` (0 to 1) of a chart `width` px wide."""
    return _text_width(text) + 4 <= share * width


def _clip(text: str, share: float, width: float) -> str:
    """`text`, cut short with "…" to fit `share` of a chart `width` px wide."""
    if _fits(text, share, width):
        return text
    while len(text) > 1 and not _fits(text + "…", share, width):
        text = text[:-1]
    return text.rstrip() + "…"


def _pct(share: float) -> str:
    return f"{share * 100:.2f}%"


def _by_width(draw: Callable[[float], list[str]], wide: float = WIDE) -> list[str]:
    """What `draw(width)` gives for the narrowest chart and for a wide one: once if the same, else both, each in a
    group the stylesheet shows only at its widths."""
    narrow, broad = draw(NARROWEST), draw(wide)
    if narrow == broad:
        return narrow
    return [f'<g class="chart-narrow">{"".join(narrow)}</g>', f'<g class="chart-wide">{"".join(broad)}</g>']


def _paint(colour: str) -> str:
    """The fill of a segment or marker: a colour, or a white box with a grey border for EMPTY."""
    if colour == EMPTY:
        return f'fill="#ffffff" stroke="{EMPTY_BORDER}" stroke-width="2"'
    return f'fill="{colour}"'


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str]) -> Markup:
    chart_id = str(escape(chart_id))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="100%" height="{height:g}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _key(entries: list[tuple[str, str]]) -> Markup:
    """The chart's key: a swatch and a label for each (label, shape), where shape is a colour, EMPTY, "dashed" (a
    dashed line) or "line". Hidden from screen readers, which have the chart's description and the table."""
    items = []
    for label, shape in entries:
        if shape in ("dashed", "line"):
            dashes = ' stroke-dasharray="6 4"' if shape == "dashed" else ""
            mark, width = f'<line x1="0" y1="8" x2="24" y2="8" stroke="{INK}" stroke-width="2"{dashes}/>', 24
        else:
            paint = f'{_paint(shape)} stroke="#b1b4b6"' if shape == PLAN_PERIOD else _paint(shape)  # light: edged
            mark, width = f'<rect x="1" y="1" width="14" height="14" {paint}/>', 16
        items.append(
            f'<li><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="16" focusable="false">{mark}</svg>'
            f"{escape(label)}</li>"
        )
    return Markup(f'<ul class="chart-key" aria-hidden="true">{"".join(items)}</ul>')


def stacked_bars(
    chart_id: str, title: str, rows: list[dict[str, Any]], key: str, colours: dict[str, str], labels: dict[str, str]
) -> Markup:
    """One horizontal bar per row (a priority), split by `row[key]` counts (states or RAG), its name above it and its
    total at its end; segments are parted by a white gap and carry their count where it fits."""
    bar_share, row_height, bar_height = 0.88, 54, 24
    present = [c for c in colours if any(row[key].get(c, 0) for row in rows)]
    body, parts = [], []
    for index, row in enumerate(rows):
        y = 4 + index * row_height
        bar_y = y + FONT_SIZE + 6
        name = f"{row['id']} {row['title']}" if row.get("id") else row["title"]
        total = row["total"] or 1
        counts = row[key]
        segments = []  # (category, colour, count, x, width)
        x = 0.0
        for category, colour in colours.items():
            count = counts.get(category, 0)
            if count:
                segments.append((category, colour, count, x, bar_share * count / total))
                x += bar_share * count / total
        for category, colour, count, x, width in segments:
            tip = f"{name}: {count} {labels[category].lower()}"
            body.append(
                f'<rect x="{_pct(x)}" y="{bar_y}" width="{_pct(width)}" height="{bar_height}" {_paint(colour)}>'
                f"<title>{escape(tip)}</title></rect>"
            )
        for _, _, _, x, _ in segments[1:]:  # a white gap where one segment meets the next
            body.append(
                f'<line x1="{_pct(x)}" y1="{bar_y - 1}" x2="{_pct(x)}" y2="{bar_y + bar_height + 1}" '
                f'stroke="#ffffff" stroke-width="{GAP}"/>'
            )

        def words(width: float, name: str = name, segments: list = segments, bar_y: int = bar_y, y: int = y) -> list:
            drawn = [f'<text x="0" y="{y + FONT_SIZE}" {FONT} fill="{INK}">{escape(_clip(name, 1.0, width))}</text>']
            for _, colour, count, x, share in segments:
                if _fits(str(count), share, width):
                    drawn.append(
                        f'<text x="{_pct(x + share / 2)}" y="{bar_y + 17}" {FONT} '
                        f'fill="{TEXT_ON.get(colour, "#ffffff")}" text-anchor="middle">{count}</text>'
                    )
            return drawn

        body += _by_width(words)
        body.append(f'<text x="{_pct(bar_share)}" dx="6" y="{bar_y + 17}" {FONT} fill="{INK}">{row["total"]}</text>')
        parts.append(
            f"{name}: " + ", ".join(f"{counts.get(c, 0)} {labels[c].lower()}" for c in colours if counts.get(c, 0))
        )
    description = "; ".join(parts) + "."
    svg = _svg(chart_id, title, description, 8 + row_height * len(rows), body)
    return svg + _key([(labels[c], colours[c]) for c in present])


def _shift(day: date, days: int) -> date:
    """`day` moved by `days`, stopping at the ends of the calendar (a plan may say 9999-12-31)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _fy_ticks(start: date, end: date) -> list[date]:
    step = max(1, -(-(end.year - start.year) // 6))  # at most six year marks, however long the span: they must fit
    return [date(year, 1, 1) for year in range(start.year + 1, end.year + 1, step) if date(year, 1, 1) >= start]


def timeline(chart_id: str, actions: list[Any], as_of: date, start: date | None, end: date | None) -> Markup:
    """Each dated action as a marker at its due date, coloured by state, with a line at the as-of date."""
    dated = [a for a in actions if a.due_date is not None]
    if not dated:
        return Markup("")
    days = [a.due_date for a in dated] + [as_of] + [d for d in (start, end) if d]
    low, high = _shift(min(days), -15), _shift(max(days), 15)
    span = (high - low).days or 1
    left, right, row_height, top = 0.16, 0.97, 20, 6
    plot_top = top + 24
    height = plot_top + 14 + row_height * len(dated) + 22
    plot_bottom = height - 22

    def x_of(day: date) -> float:
        return left + (right - left) * (day - low).days / span

    present = [state for state in STATE_COLOURS if any(a.state == state for a in dated)]
    body = []
    if start and end:
        x0, x1 = x_of(start), x_of(end)
        body.append(
            f'<rect x="{_pct(x0)}" y="{plot_top}" width="{_pct(x1 - x0)}" height="{plot_bottom - plot_top}" '
            f'fill="{PLAN_PERIOD}"/>'
        )
    for tick in _fy_ticks(low, high):
        x = x_of(tick)
        body.append(f'<line x1="{_pct(x)}" y1="{plot_top}" x2="{_pct(x)}" y2="{plot_bottom}" stroke="#b1b4b6"/>')
        anchor = 'dx="3"' if x < 0.85 else 'dx="-3" text-anchor="end"'
        body.append(f'<text x="{_pct(x)}" {anchor} y="{top + FONT_SIZE}" {FONT} fill="{INK}">{tick.year}</text>')
    now = x_of(as_of)
    body.append(
        f'<line x1="{_pct(now)}" y1="{plot_top}" x2="{_pct(now)}" y2="{plot_bottom + 4}" stroke="{INK}" '
        'stroke-width="2"/>'
    )
    anchor = 'dx="-4" text-anchor="end"' if now > 0.5 else 'dx="4"'
    body.append(f'<text x="{_pct(now)}" {anchor} y="{height - 4}" {FONT} fill="{INK}">as of {as_of.isoformat()}</text>')
    ordered = sorted(dated, key=lambda a: (a.due_date, a.urgency()))
    rows = [(plot_top + 14 + index * row_height, derived) for index, derived in enumerate(ordered)]
    for y, derived in rows:
        x = x_of(derived.due_date)
        tip = f"{derived.id}: due {derived.due_date.isoformat()}, {derived.state_label.lower()}"
        body.append(
            f'<line x1="{_pct(left)}" y1="{y}" x2="{_pct(x)}" y2="{y}" stroke="#b1b4b6" stroke-dasharray="2 3"/>'
        )
        body.append(
            f'<circle cx="{_pct(x)}" cy="{y}" r="6" {_paint(STATE_COLOURS[derived.state])}>'
            f"<title>{escape(tip)}</title></circle>"
        )

    def ids(width: float) -> list[str]:
        return [
            f'<text x="0" y="{y + 5}" {FONT} fill="{INK}">{escape(_clip(derived.id, left, width))}</text>'
            for y, derived in rows
        ]

    body += _by_width(ids)
    overdue = sum(1 for a in dated if a.state == "overdue")
    description = (
        f"{len(dated)} actions with a deadline between {min(a.due_date for a in dated).isoformat()} and "
        f"{max(a.due_date for a in dated).isoformat()}; {overdue} overdue on {as_of.isoformat()}."
    )
    key = [(STATES[state], STATE_COLOURS[state]) for state in present]
    if start and end:
        key.append(("Plan period", PLAN_PERIOD))
    return _svg(chart_id, "Deadlines", description, height, body) + _key(key)


def _unit(target: Any) -> str:
    return f" {target.unit}" if target.unit and target.unit != "%" else (target.unit or "")


def kpi_bar(chart_id: str, kpi: Any) -> Markup:
    """A target's latest actual as a bar against the target value (a line). The figures are in words in the
    figure's caption; the chart labels only the two numbers."""
    target = kpi.target
    if target.value is None or kpi.actual is None:
        return Markup("")
    scale_max = max(target.value, kpi.actual) * 1.1 or 1
    width = kpi.actual / scale_max
    goal = target.value / scale_max
    colour = "#00703c" if kpi.met else "#1d70b8"
    goal_anchor = 'dx="-4" text-anchor="end"' if goal > 0.5 else 'dx="4"'
    actual_anchor = 'dx="-4" text-anchor="end"' if width > 0.5 else 'dx="4"'
    body = [
        f'<text x="{_pct(goal)}" {goal_anchor} y="{FONT_SIZE}" {FONT} fill="{INK}">'
        f"target {number(target.value)}</text>",
        f'<rect x="0" y="22" width="{_pct(width)}" height="24" fill="{colour}"/>',
        f'<line x1="{_pct(goal)}" y1="18" x2="{_pct(goal)}" y2="50" stroke="{INK}" stroke-width="3"/>',
        f'<text x="{_pct(width)}" {actual_anchor} y="{50 + FONT_SIZE + 4}" {FONT} fill="{INK}">'
        f"{number(kpi.actual)}</text>",
    ]
    unit = _unit(target)
    text = f"{number(kpi.actual)}{unit} of {number(target.value)}{unit} ({kpi.period})"
    description = f"Target {target.text}: latest actual {text}; {'met' if kpi.met else 'not yet met'}."
    return _svg(chart_id, f"Progress towards {target.text}", description, 74, body)


def _label_rows(slots: list[tuple[str, float, float]], width: float) -> list[list[tuple[str, float, str]]]:
    """Where each (label, start, end) goes under its slot, in a chart `width` px wide: rows of (label, x, anchor). On
    one row, centred, if every label fits its slot; else each from its slot's start (where a tick leads to it), on two
    or three rows taking turns, so a label has the room up to the next on its row; none if even that is short."""
    if all(_fits(label, x1 - x0, width) for label, x0, x1 in slots):
        return [[(label, (x0 + x1) / 2, "middle") for label, x0, x1 in slots]]
    for count in (2, 3):
        room = [(slots[i + count][1] if i + count < len(slots) else 1.0) - x0 for i, (_, x0, _) in enumerate(slots)]
        if all(_fits(label, share, width) for (label, _, _), share in zip(slots, room, strict=True)):
            return [[(label, x0, "start") for label, x0, _ in slots[row::count]] for row in range(count)]
    return []


def kpi_history(chart_id: str, derived: Any, index: int) -> Markup:
    """A target's actuals by period as columns, each spanning its period on a time axis, with the target as a line
    across and the steady pace as a straight dashed line from the plan's start (at the target's baseline) to the
    action's deadline (at its value). The actuals and the pace at each period's end are derive's
    (KpiProgress.history); this only places them, and draws a pace line only where derive gave a pace."""
    kpi = derived.kpis[index]
    target = kpi.target
    history = kpi.history
    if target.value is None or not history:
        return Markup("")
    periods = {update.period.text: update.period for update in derived.updates}
    spans = [(periods[p].start, periods[p].end) if p in periods else (None, None) for p, _, _ in history]
    plan_start: date | None = derived.plan.plan.start_date if derived.plan.plan else None
    due: date | None = derived.due_date
    timed = all(start is not None and end is not None for start, end in spans)
    paced = timed and plan_start is not None and due is not None and any(p is not None for _, _, p in history)
    if timed:
        days = [day for span in spans for day in span if day is not None]
        low = plan_start if paced and plan_start is not None else min(days)
        width_days = (max(days + ([due] if due else [])) - low).days or 1

        def x_of(day: date) -> float:
            return 0.01 + 0.98 * (day - low).days / width_days

        slots = [(x_of(start), x_of(_shift(end, 1))) for start, end in spans]  # type: ignore[arg-type]
    else:  # a period that is not a span of dates: one slot each, and no pace line (it needs a time axis)
        share = 0.98 / len(history)
        slots = [(0.01 + share * i, 0.01 + share * (i + 1)) for i in range(len(history))]

    top, plot_height = 32, 150
    base = top + plot_height
    values = [target.value, target.baseline or 0.0, *(a for _, a, _ in history), *(p for _, _, p in history if p)]
    scale_max = max(values) * 1.1 or 1.0

    def y_of(value: float) -> float:
        return base - plot_height * max(value, 0.0) / scale_max

    goal_y = y_of(target.value)
    body = [f'<line x1="0" y1="{goal_y:.1f}" x2="100%" y2="{goal_y:.1f}" stroke="{INK}" stroke-width="2"/>']
    for (period, actual, _), (x0, x1) in zip(history, slots, strict=True):
        top_y = y_of(actual)
        body.append(
            f'<rect class="kpi-actual" x="{_pct(x0)}" y="{top_y:.1f}" width="{_pct(x1 - x0)}" '
            f'height="{base - top_y:.1f}" fill="#1d70b8" stroke="#ffffff" stroke-width="{GAP}">'
            f"<title>{escape(f'{period}: {number(actual)}')}</title></rect>"
        )
    body.append(f'<line x1="0" y1="{base}" x2="100%" y2="{base}" stroke="{EMPTY_BORDER}"/>')
    x_start = x_due = 0.0
    if paced:
        assert plan_start is not None and due is not None
        x_start, x_due = x_of(plan_start), x_of(due)
        body.append(
            f'<line class="kpi-pace" x1="{_pct(x_start)}" y1="{y_of(target.baseline or 0.0):.1f}" '
            f'x2="{_pct(x_due)}" y2="{goal_y:.1f}" stroke="{INK}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    # the words go over the lines, each with a white halo
    goal_label = f"target {number(target.value)}"
    body.append(f'<text x="0" y="{goal_y - 6:.1f}" {FONT} fill="{INK}" {HALO}>{goal_label}</text>')
    layouts = {
        width: _label_rows([(p, x0, x1) for (p, _, _), (x0, x1) in zip(history, slots, strict=True)], width)
        for width in (NARROWEST, KPI_WIDE)
    }
    height = base + 8 + 20 * max(len(rows) for rows in layouts.values())
    if paced:
        height = base + 32 + 20 * max(max(len(rows), 1) for rows in layouts.values())

    def words(width: float) -> list[str]:
        drawn = []
        for (_, actual, _), (x0, x1) in zip(history, slots, strict=True):
            if not _fits(number(actual), x1 - x0, width):
                continue
            if base - y_of(actual) >= FONT_SIZE + 10:  # inside the top of a tall enough column, in white
                place = f'y="{y_of(actual) + FONT_SIZE + 4:.1f}" {FONT} fill="#ffffff"'
            else:  # above it, with a halo
                place = f'y="{y_of(actual) - 6:.1f}" {FONT} fill="{INK}" {HALO}'
            drawn.append(f'<text x="{_pct((x0 + x1) / 2)}" {place} text-anchor="middle">{number(actual)}</text>')
        rows = layouts[width]
        ticks, names = [], []
        for row, labels in enumerate(rows):
            y = base + 20 + 20 * row
            for period, x, anchor in labels:
                shift = ""
                if anchor == "start":  # a tick from the axis at the slot's start leads to its label
                    ticks.append(f'<line x1="{_pct(x)}" y1="{base}" x2="{_pct(x)}" y2="{y}" stroke="{EMPTY_BORDER}"/>')
                    shift = ' dx="4"'
                names.append(
                    f'<text x="{_pct(x)}" y="{y}"{shift} {FONT} fill="{INK}" {HALO} text-anchor="{anchor}">'
                    f"{escape(period)}</text>"
                )
        drawn += ticks + names  # a label's halo hides the tick of a later row's label where it passes under it
        if paced:
            assert plan_start is not None and due is not None
            dates_y = base + 24 + 20 * max(len(rows), 1)
            ends, starts = f"deadline {due.isoformat()}", plan_start.isoformat()
            drawn.append(f'<text x="{_pct(x_due)}" text-anchor="end" y="{dates_y}" {FONT} fill="{INK}">{ends}</text>')
            if (x_due - x_start) * width >= _text_width(ends) + _text_width(starts) + 12:
                drawn.append(f'<text x="{_pct(x_start)}" y="{dates_y}" {FONT} fill="{INK}">{starts}</text>')
        return drawn

    body += _by_width(words, KPI_WIDE)
    said = [
        f"{number(actual)} by {period}" + (f" (a steady pace: {number(pace)})" if pace is not None else "")
        for period, actual, pace in history
    ]
    description = (
        f"{'; '.join(said)}. The target is {number(target.value)}{_unit(target)}"
        + (f" by {due.isoformat()}" if due else "")
        + '. The table "Actuals by period" below gives the same figures.'
    )
    key = [("Actual in each period", "#1d70b8"), ("Target", "line")]
    if paced:
        key.append(("Steady pace from the plan's start to the deadline", "dashed"))
    return _svg(chart_id, f"{target.text}: actuals by period", description, height, body) + _key(key)
