"""Which column holds what: headings as councils write them, mapped to the fields of an action.

Headings are compared after lower-casing and dropping punctuation at the ends; `--map "HEADING=field"` adds more.
"""

from __future__ import annotations

import difflib
import html
import re

from .sources import ImportProblem, SourceTable

FIELDS = (
    "id",
    "priority",
    "priority_title",
    "title",
    "what",
    "due",
    "owners",
    "partners",
    "milestones",
    "targets",
    "outcome",
    "rag",
    "status",
    "update",
    "period",
    "plan",
    "skip",
)

FIELD_HELP = {
    "id": "the action's number",
    "priority": "its theme or priority (a name or a number)",
    "priority_title": "the theme's name, beside a column of theme numbers",
    "title": "the action itself",
    "what": "what will be done",
    "due": "the deadline",
    "owners": "who leads it",
    "partners": "who else delivers it",
    "milestones": "steps on the way",
    "targets": "KPI targets, success measures",
    "outcome": "the expected outcome",
    "rag": "a RAG rating (Green/Amber/Red, G/A/R; Complete or Not started set the status)",
    "status": "Complete, In progress, Not started, Cancelled",
    "update": "a progress note",
    "period": "the reporting period of each row's RAG and progress",
    "plan": "the plan's title (one value in every row)",
    "skip": "leave the column out",
}

#: Headings as councils write them -> fields.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(
        ["no", "no.", "ref", "ref.", "reference", "number", "id", "action no", "action ref", "#", "action number"],
        "id",
    ),
    **dict.fromkeys(
        [
            "theme",
            "themes",
            "priority",
            "priorities",
            "workstream",
            "work stream",
            "strategic priority",
            "priority area",
            "strand",
            "area of focus",
            "focus area",
            "pillar",
            "outcome area",
        ],
        "priority",
    ),
    **dict.fromkeys(["priority title", "theme title", "theme name", "priority name"], "priority_title"),
    **dict.fromkeys(
        [
            "objective",
            "objectives",
            "health inequality action",
            "action",
            "actions",
            "title",
            "aim",
            "priority action",
            "key action",
            "key actions",
            "recommendation",
            "commitment",
            "commitments",
        ],
        "title",
    ),
    **dict.fromkeys(
        ["activity", "activities", "how we will do it", "how", "description", "tasks", "detail", "details"], "what"
    ),
    **dict.fromkeys(
        [
            "by when",
            "expected completion date",
            "timescale",
            "timescales",
            "timeframe",
            "timeframes",
            "time frame",
            "time scale",
            "deadline",
            "due",
            "due date",
            "target date",
            "completion date",
            "delivery date",
            "date for completion",
            "when",
            "date",
            "timing",
        ],
        "due",
    ),
    **dict.fromkeys(
        [
            "who will deliver this?",
            "who will deliver this",
            "responsible person/org",
            "lead",
            "leads",
            "lead officer",
            "lead officers",
            "lead partner",
            "lead partners",
            "lead organisation",
            "lead organisations",
            "lead organization",
            "lead agency",
            "lead body",
            "lead team",
            "owner",
            "owners",
            "responsible",
            "responsibility",
            "responsible officer",
            "responsible organisation",
            "accountable",
            "who",
        ],
        "owners",
    ),
    **dict.fromkeys(
        [
            "partners",
            "key partners",
            "partner",
            "partner organisations",
            "supporting",
            "supporting partners",
            "other partners",
            "delivery partners",
            "working with",
            "which partners are involved",
            "partners involved",
        ],
        "partners",
    ),
    **dict.fromkeys(["milestones", "milestone", "key milestones"], "milestones"),
    **dict.fromkeys(
        [
            "kpi target",
            "kpi",
            "kpis",
            "target",
            "targets",
            "success measure",
            "success measures",
            "measure of success",
            "measures of success",
            "how will we measure success",
            "what does success look like",
            "what will success look like",
            "how we will measure success",
            "measure",
            "measures",
            "performance indicator",
            "performance measure",
            "indicator",
            "indicators",
            "output",
            "outputs",
        ],
        "targets",
    ),
    **dict.fromkeys(
        ["target/outcome", "expected outcome", "outcome", "outcomes", "expected outcomes", "impact"], "outcome"
    ),
    **dict.fromkeys(["rag", "rag status", "rag rating", "status (rag)", "rating", "latest rag"], "rag"),
    **dict.fromkeys(["status", "achieved", "progress status", "delivery status", "completed"], "status"),
    **dict.fromkeys(
        [
            "quarterly update",
            "quarterly update: q1, q2, q3, q4",
            "progress",
            "progress update",
            "progress to date",
            "update",
            "updates",
            "comments",
            "latest update",
            "commentary",
            "progress made",
            "progress and comments",
        ],
        "update",
    ),
    **dict.fromkeys(["period", "reporting period", "latest update period", "quarter"], "period"),
    "plan": "plan",
    # what `actiontrack export` writes beside the fields: derived from them, so worked out again on import
    **dict.fromkeys(["due date (derived)", "state", "latest actuals"], "skip"),
}
SYNONYMS.update({"due date": "skip_if_due", "what we will do": "what"})

#: Fields that two columns may feed: their cells are joined (two update columns, a lead officer and a lead team).
JOINABLE = {"update", "milestones", "targets", "partners", "owners", "what", "outcome"}

SECTION = re.compile(
    r"^\s*(?:priority|theme|strategic priority|outcome area|section|workstream|objective|aim|area)\s+"
    r"(\w{1,3})\s*[-–—:.)]?\s+(.+?)\s*$",
    re.I,
)
NUMBERED = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})?|[A-Z])\s*[.):–—-]\s*(.+?)\s*$")


def clean(text: str) -> str:
    """Undo extraction artefacts: HTML entities and tags from PDF exports; runs of spaces within a line."""
    text = html.unescape(re.sub(r"</?(?:b|i|u|strong|em|br)\s*/?>", " ", text))
    return "\n".join(" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")).strip()


def heading_key(text: str) -> str:
    return " ".join(clean(text).lower().strip(" :*?").split())


def parse_maps(maps: list[str]) -> dict[str, str]:
    mapping = {}
    for item in maps:
        heading, sep, target = item.rpartition("=")
        target = target.strip().lower().replace("-", "_")
        if not sep or not heading.strip():
            raise ImportProblem(f'"{item}": write it as "HEADING=field", e.g. "Theme=priority"', 2, "map")
        if target not in FIELDS:
            close = difflib.get_close_matches(target, FIELDS, n=1)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            raise ImportProblem(f'"{item}": "{target}" is not a field{hint} Fields: {", ".join(FIELDS)}', 2, "map")
        mapping[heading_key(heading)] = target
    return mapping


def column_field(heading: str, extra: dict[str, str]) -> str | None:
    key = heading_key(heading)
    if key in extra:
        return extra[key]
    for variant in (key, key.strip("?.")):
        if variant in SYNONYMS:
            return SYNONYMS[variant]
    for synonym, name in SYNONYMS.items():  # "quarterly update: q1, q2, q3,q4" and other longer spellings
        if len(synonym) > 4 and re.match(re.escape(synonym) + r"\b", key) and name != "skip_if_due":
            return name
    return None


def find_header(table: SourceTable, extra: dict[str, str]) -> tuple[int, dict[int, str]] | None:
    """The header row's index and its columns -> fields, or None when no row of the first 30 reads as headings.

    The first row with at least two known headings, one of them the action itself or its number, wins. A heading
    the tool does not know stops the import (nothing is dropped silently): map it, or map it to skip."""
    rows = table.rows
    for index, row in enumerate(rows[:30]):
        columns = {i: column_field(cell, extra) for i, cell in enumerate(row) if cell.strip()}
        known = {i: f for i, f in columns.items() if f}
        if len(known) >= 2 and {"title", "id"} & set(known.values()):
            has_due = "due" in known.values()
            for i, name in list(known.items()):
                if name == "skip_if_due":  # "Due date" is the deadline, unless our export's "Due" column is there
                    known[i] = "skip" if has_due else "due"
            unmapped = [row[i].strip() for i, f in columns.items() if f is None]
            if unmapped:
                listed = ", ".join(f'"{clean(h)}"' for h in unmapped)
                raise ImportProblem(
                    f'{table.name}, row {index + 1}: unmapped columns: {listed}. Map each with --map "HEADING=field" '
                    f"(fields: {', '.join(FIELDS)}; use skip to leave a column out)"
                )
            mapping = {i: f for i, f in known.items() if f != "skip"}
            if (
                "id" not in mapping.values()
                and 0 not in columns
                and any(r[:1] and r[0].strip() for r in rows[index + 1 :])
            ):
                mapping[0] = "id"  # an unnamed first column of numbers, as in the Health Inequalities plan
            duplicated = sorted({f for f in mapping.values() if list(mapping.values()).count(f) > 1} - {"skip"})
            if duplicated and not JOINABLE.issuperset(duplicated):
                names = ", ".join(
                    " and ".join(f'"{clean(row[i])}"' for i, f in mapping.items() if f == name) for name in duplicated
                )
                raise ImportProblem(
                    f"{table.name}, row {index + 1}: two columns map to the same field: {names}. "
                    'Map one of them elsewhere with --map "HEADING=field" (or to skip)'
                )
            return index, mapping
    return None


def no_header(table: SourceTable, extra: dict[str, str]) -> ImportProblem:
    """Why no header was found: the row looked at, and the known headings nearest to its cells."""
    looked = next(((i, row) for i, row in enumerate(table.rows[:30]) if sum(1 for c in row if c.strip()) >= 2), None)
    if looked is None:
        if not any(c.strip() for row in table.rows for c in row):
            return ImportProblem(f"{table.name} is empty (no text in any cell; a table of pictures?)")
        return ImportProblem(f"{table.name}: no row of headings (every row has at most one cell of text)")
    index, row = looked
    cells = [clean(c) for c in row if c.strip()]
    nearest = []
    suggested = []
    unknown: list[str] = []
    for cell in cells:
        close = difflib.get_close_matches(heading_key(cell), list(SYNONYMS), n=1, cutoff=0.6)
        known = column_field(cell, extra)
        if known:
            nearest.append(f'"{cell}" is {known}')
        elif close:
            nearest.append(f'"{cell}" is like "{close[0]}" ({SYNONYMS[close[0]]})')
            if SYNONYMS[close[0]] in FIELDS:
                suggested.append(f'--map "{cell.replace(chr(34), "")}={SYNONYMS[close[0]]}"')
        else:
            nearest.append(f'"{cell}" is not known')
            unknown.append(cell)
    if (
        unknown
        and not any(s.endswith('=title"') for s in suggested)
        and not any(column_field(c, extra) == "title" for c in cells)
    ):
        suggested.insert(0, f'--map "{unknown[0].replace(chr(34), "")}=title"')
    return ImportProblem(
        f"{table.name}: no header row found. Row {index + 1} looks like headings but needs the action itself "
        f"(a heading such as Action, Objective) and one more known heading: {'; '.join(nearest)}. "
        'Map yours with --map "HEADING=field"'
        + (
            f", e.g. {' '.join(suggested[:3])}"
            if suggested
            else f', e.g. --map "{cells[0].replace(chr(34), "")}=title"'
        )
        + "; map a column to skip to leave it out"
    )
