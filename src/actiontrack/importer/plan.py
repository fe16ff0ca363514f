"""Turning the tables of a plan into plan.yaml and one file per action.

How rows are read, in order:
- the header row is found by its headings (see columns.py); a Word document's tables are each read, and a table
  with no headings straight after one that has them (the same number of columns) continues it;
- themes: a row that is one cell across the table, or a single cell such as "Priority 1 - Housing for all" in the
  first column, starts a theme; so does a Word heading just above a table when the document holds several; a theme
  column (`--map "Theme=priority"`) gives each row's theme, a blank cell meaning "as above"; a Word heading (in a
  Heading style, not the document's title) just above even a single table is its theme. Themes become the
  plan's `priorities:`; one written "Theme 3: ..." or "3. ..." keeps its number, the others are numbered in order;
- a table with no numbering column takes each action's number from the start of its text when every action
  starts with one ("12 - Train midwives"); otherwise its actions are numbered in table order within their theme
  (1.1, 1.2, 2.1 ...), or 1, 2, 3 when it has no themes; a number merged down several rows (Word) gives 4.a, 4.b ...;
- a repeated header row (a page break) is skipped; in a table pulled out of a PDF, a row with no number, date or
  owner continues the row above;
- deadlines keep their text: a date, a span ("2024 and 2025"), or one of the plan's own codes given with
  `--due-code "S=March 2020"` (recorded in plan.yaml as `deadline_codes`). A deadline that cannot be read is kept
  as `due_as_written:` (lint reports it) and the summary names the codes it saw;
- RAG and progress cells become the update of `--period` (or of a period column); without one they are counted
  and left out, and the summary says how to bring them in. "Complete", "Not started" and the like set the status.
Nothing is dropped silently: every row or cell that is not imported is listed, and an unmapped column stops the
import before anything is written.
"""

from __future__ import annotations

import difflib
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from ..dates import DateError, parse_when
from ..edit import EditError, check_action_text, registry_with, reporting_period
from ..load import OWNERS_FILE, PLAN_FILE, Workspace, display_path
from ..model import ACTION_ID_PATTERN, Owner, Plan, validation_context
from ..schemas import missing_schema_files, schema_line
from ..words import slug
from ..writes import write_all
from .columns import NUMBERED, SECTION, clean, find_header, no_header, parse_maps
from .owners import propose_owner, split_owners
from .sources import ImportProblem, Source, SourceTable, read_source

RECURRING_START = {
    "quarterly": "quarterly",
    "6monthly": "half-yearly",
    "6 monthly": "half-yearly",
    "six monthly": "half-yearly",
    "monthly": "monthly",
    "annual": "annual",
    "annually": "annual",
}
RAG_WORDS = {"green": "green", "g": "green", "amber": "amber", "a": "amber", "red": "red", "r": "red"}
STATUS_WORDS = {
    "complete": "complete",
    "completed": "complete",
    "achieved": "complete",
    "done": "complete",
    "yes": "complete",
    "closed": "complete",
    "in progress": "in-progress",
    "in-progress": "in-progress",
    "ongoing": "in-progress",
    "on-going": "in-progress",
    "started": "in-progress",
    "on track": "in-progress",
    "partially": "in-progress",
    "partially achieved": "in-progress",
    "partly": "in-progress",
    "incomplete": "in-progress",
    "not complete": "in-progress",
    "not started": "not-started",
    "not-started": "not-started",
    "not yet started": "not-started",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "withdrawn": "cancelled",
    "no longer required": "cancelled",
    "stopped": "cancelled",
}
_NUMBER_IN_TEXT = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,2}[a-z]?\.?)\s*(?:[-–—:)]\s*|\.?\s+)(\S.*)$", re.S)
_ID_LIKE = re.compile(r"[A-Za-z]?\d{1,3}(?:[.\-][A-Za-z0-9]{1,3}){0,3}\.?|[A-Za-z][.)]")
_CODE_LIKE = re.compile(r"[A-Z][A-Z0-9+]{0,3}(?:\s*[/-]\s*[A-Z][A-Z0-9+]{0,3})*")

# the kinds of detail, in the order they are shown
DETAIL_KINDS = (
    "rows not imported",
    "rows joined to the row above (text that ran onto the next page)",
    "deadlines not read (kept as due_as_written)",
    "ratings not read",
    "updates",
    "owners",
    "tables",
)


@dataclass(frozen=True)
class Theme:
    id: str
    title: str


@dataclass
class Row:
    table: str
    number: int  # 1-based row in its table
    cells: dict[str, str]
    theme: Theme | None
    numbered: bool = True  # the table gives its number
    merged_id: bool = False  # its number is merged down from the row above (Word)

    @property
    def where(self) -> str:
        return f"{self.table}, row {self.number}" if self.table not in ("the table",) else f"row {self.number}"


@dataclass
class ImportResult:
    plan_slug: str
    source: str = ""
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # existing files not overwritten
    new_owners: list[Owner] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)  # kind -> one line each
    actions: int = 0
    tables: list[str] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    numbering: str | None = None
    owners_matched: int = 0
    deadlines_read: int = 0
    deadlines_by_code: int = 0
    deadlines_unread: Counter[str] = field(default_factory=Counter)
    unread_rows: dict[str, list[Row]] = field(default_factory=dict)  # text -> the rows that wrote it
    unread_reasons: dict[str, str] = field(default_factory=dict)
    legend: dict[str, str] = field(default_factory=dict)
    period: str | None = None
    ratings: int = 0
    progress: int = 0
    statuses: int = 0
    ratings_left_out: int = 0
    progress_left_out: int = 0

    themes_existing: bool = False  # the themes are priorities plan.yaml already has

    def group_unread(self) -> None:
        """One detail line per deadline text that was not read, naming its rows."""
        for text, rows in self.unread_rows.items():
            shown = ", ".join(str(row.number) for row in rows[:12]) + (" ..." if len(rows) > 12 else "")
            table = f"{rows[0].table}, " if rows[0].table != "the table" else ""
            count = f"{len(rows)} rows" if len(rows) != 1 else "1 row"
            self.note(
                "deadlines not read (kept as due_as_written)",
                f"{self.unread_reasons[text]} ({count}: {table}row{'s' if len(rows) != 1 else ''} {shown})",
            )

    def note(self, kind: str, text: str) -> None:
        self.details.setdefault(kind, []).append(text)

    @property
    def notes(self) -> list[str]:
        """Every detail line, in the order of DETAIL_KINDS."""
        return [line for kind in (*DETAIL_KINDS, "other") for line in self.details.get(kind, [])]

    def summary(self, dry_run: bool = False) -> list[str]:
        """A few lines that say what happened, before any detail."""
        verb = "would import" if dry_run else "imported"
        lines = [f"{verb} {self.actions} action{'s' if self.actions != 1 else ''} into plan {self.plan_slug}"]
        if self.tables:
            lines.append(f"  tables: {'; '.join(self.tables)}")
        if self.themes:
            shown = ", ".join(f"{t.id} {t.title}" for t in self.themes[:4]) + (" ..." if len(self.themes) > 4 else "")
            where = "matched to the priorities in plan.yaml" if self.themes_existing else "now the plan's priorities"
            lines.append(f"  themes: {len(self.themes)}, {where} ({shown})")
        if self.numbering:
            lines.append(f"  numbering: {self.numbering}")
        people = Counter(o.kind for o in self.new_owners)
        kinds = ", ".join(f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in sorted(people.items()))
        lines.append(
            f"  owners: {self.owners_matched} found in owners.yaml, {len(self.new_owners)} new proposed"
            + (f" ({kinds}); check each name and kind" if self.new_owners else "")
        )
        unread = sum(self.deadlines_unread.values())
        deadline = f"  deadlines: {self.deadlines_read} read"
        if self.deadlines_by_code:
            codes = ", ".join(f"{c} = {m}" for c, m in self.legend.items())
            deadline += f" ({self.deadlines_by_code} through the plan's codes: {codes})"
        deadline += f", {unread} not read"
        if unread:
            codes = [text for text in self.deadlines_unread if _CODE_LIKE.fullmatch(text)]
            if codes:
                seen = ", ".join(f'"{c}" x{self.deadlines_unread[c]}' for c in codes)
                single = [c for c in codes if re.fullmatch(r"\w+\+?", c)][:4]
                example = " ".join(f'--due-code "{c}=March 2024"' for c in single)
                deadline += f"; codes seen: {seen}: say what each means with {example}"
            deadline += " (kept as due_as_written; lint reports them)"
        if not self.deadlines_read and not unread:
            deadline = "  deadlines: the table has no deadline column"
        lines.append(deadline)
        if self.period:
            lines.append(
                f"  updates for {self.period}: {self.ratings} RAG ratings, {self.progress} progress notes"
                + (f"; {self.statuses} statuses set" if self.statuses else "")
            )
        elif self.ratings_left_out or self.progress_left_out:
            lines.append(
                f"  left out: {self.ratings_left_out} RAG ratings and {self.progress_left_out} progress notes "
                '(which reporting period are they?); import them with --period, e.g. --period "2023/24 Q4"'
                + (f"; {self.statuses} statuses set" if self.statuses else "")
            )
        elif self.statuses:
            lines.append(f"  statuses set: {self.statuses}")
        lines.extend(f"  note: {line}" for line in self.details.get("other", []))
        not_imported = len(self.details.get("rows not imported", []))
        if not_imported:
            lines.append(f"  rows not imported: {not_imported} (listed below)")
        if self.skipped:
            lines.append(f"  skipped: {len(self.skipped)} actions whose files exist (use --force to overwrite)")
        return lines


# ---- rows ---------------------------------------------------------------------------------------------------------


def _theme_from_text(text: str) -> tuple[str | None, str]:
    """A theme's own number, if it gives one, and its name: "Theme 3: Smokefree homes" -> ("3", "Smokefree homes")."""
    text = " ".join(text.split())
    section = SECTION.match(text)
    if section:
        return section.group(1), section.group(2)
    numbered = NUMBERED.match(text)
    if numbered:
        return numbered.group(1), numbered.group(2)
    return None, text


class _Themes:
    """Themes in order of appearance; the same name is the same theme."""

    def __init__(self) -> None:
        self.found: list[tuple[str | None, str]] = []

    def add(self, number: str | None, title: str) -> int:
        for index, (known_number, known_title) in enumerate(self.found):
            if known_title.casefold() == title.casefold() and (number is None or known_number in (None, number)):
                return index
            if number is not None and known_number == number and not title:
                return index
        self.found.append((number, title))
        return len(self.found) - 1

    def resolve(self) -> list[Theme]:
        used = {number for number, _ in self.found if number is not None}
        taken: set[str] = set()
        themes = []
        counter = 0
        for number, title in self.found:
            if number is None or number in taken:
                counter += 1
                while str(counter) in used or str(counter) in taken:
                    counter += 1
                number = str(counter)
            taken.add(number)
            themes.append(Theme(number, title or f"Priority {number}"))
        return themes


def table_rows(
    table: SourceTable,
    header: int,
    columns: dict[int, str],
    header_cells: list[str],
    themes: _Themes,
    start_theme: int | None,
    result: ImportResult,
) -> tuple[list[tuple[Row, int | None]], int | None]:
    """Data rows with their theme (an index into `themes`), continuations merged, repeated headers, blank rows
    and theme rows taken out. Returns the rows and the theme in force at the end of the table."""
    numbered = "id" in columns.values()
    by_column = bool({"priority", "priority_title"} & set(columns.values()))
    theme = start_theme
    found: list[tuple[Row, int | None]] = []
    for index in range(header + 1, len(table.rows)):
        number = index + 1
        cells = [clean(c) for c in table.rows[index]]
        filled = [(i, c) for i, c in enumerate(cells) if c]
        if not filled or index in table.repeated_header:
            continue
        if [c for c in cells if c] == [c for c in header_cells if c]:
            continue  # the header again, after a page break
        title_columns = {i for i, n in columns.items() if n == "title"}
        alone = len(filled) == 1 and (
            SECTION.match(filled[0][1]) is not None
            or (
                filled[0][0] == 0
                and 0 not in title_columns  # a lone action text is an action with blanks, not a theme
                and len(columns) >= 3
                and not by_column
                and not _ID_LIKE.fullmatch(filled[0][1])
            )
        )
        if index in table.full_width or alone:
            theme = themes.add(*_theme_from_text(filled[0][1]))
            continue
        values: dict[str, str] = {}
        for i, name in columns.items():  # several columns may feed one field (two update columns): joined
            if i < len(cells) and cells[i]:
                text = cells[i] if name in ("targets", "milestones") else _BULLETS.sub("", cells[i])
                values[name] = f"{values[name]}\n{text}" if name in values else text
        merged = table.merged_down.get(index, set())
        if by_column:
            theme_columns = {i for i, n in columns.items() if n in ("priority", "priority_title")}
            named = values.get("priority") or values.get("priority_title")
            if named and not (theme_columns & set(columns) <= merged and found):
                theme = themes.add(*_theme_of_row(values))
        if table.continues_rows and found:
            previous = found[-1][0]
            text_only = not {"due", "owners", "rag", "status", "period"} & set(values)
            lacks = ("id" if numbered else "title") not in values or (
                not numbered and values["title"][:1].islower()  # "and colleges": the action above ran on
            )
            if lacks and text_only and _runs_on(previous, values):
                _continue(previous, values)
                result.note(
                    "rows joined to the row above (text that ran onto the next page)",
                    f"{_where(table, number)} joined to {previous.where}: {' | '.join(c for _, c in filled)[:100]}",
                )
                continue
        if numbered and "id" not in values:
            if "title" in values:
                result.note(
                    "rows not imported", f"{_where(table, number)}: no number: {' | '.join(c for _, c in filled)}"
                )
            else:
                result.note(
                    "rows not imported", f"{_where(table, number)}: no action: {' | '.join(c for _, c in filled)}"
                )
            continue
        if "title" not in values:
            result.note(
                "rows not imported", f"{_where(table, number)}: no action text: {' | '.join(c for _, c in filled)}"
            )
            continue
        id_columns = {i for i, n in columns.items() if n == "id"}
        row = Row(table.name, number, values, None, numbered=numbered, merged_id=bool(id_columns & merged))
        found.append((row, theme))
    return found, theme


_BULLETS = re.compile(r"(?m)^• ")


def _theme_of_row(values: dict[str, str]) -> tuple[str | None, str]:
    """A row's theme from a theme column ("3", "Theme 3: Smokefree homes", "Smokefree homes") and a theme-name
    column beside it."""
    given, name = values.get("priority"), values.get("priority_title")
    if not given:
        return _theme_from_text(name or "")
    number, title = _theme_from_text(given)
    if re.fullmatch(r"\w{1,3}(?:\.\w{1,3})?", given):  # a number or a short code: the name is beside it
        return given, name or ""
    return number, name or title


def _runs_on(previous: Row, values: dict[str, str]) -> bool:
    """Whether text-only cells read as the row above running onto the next page: each continues an unfinished
    sentence or starts in lower case, or fills a cell the row above left empty."""
    for name, value in values.items():
        before = previous.cells.get(name, "")
        if before and before.rstrip()[-1:] in ".!?" and not value[:1].islower():
            return False
    return True


def _where(table: SourceTable, number: int) -> str:
    return f"row {number}" if table.name == "the table" else f"{table.name}, row {number}"


def _continue(previous: Row, values: dict[str, str]) -> None:
    """Cells that ran onto the next page: their text joins the row above."""
    for name, value in values.items():
        if name in ("priority", "priority_title"):
            continue
        previous.cells[name] = f"{previous.cells[name]} {value}".strip() if name in previous.cells else value


def _number_rows(rows: list[Row], result: ImportResult) -> None:
    """Give numbers to rows of tables without a numbering column, and letters to numbers merged down rows."""
    unnumbered = [row for row in rows if not row.numbered]
    written = [_NUMBER_IN_TEXT.match(row.cells["title"]) for row in unnumbered]
    if unnumbered and all(written) and len({m.group(1) for m in written if m}) == len(written):
        for row, match in zip(unnumbered, written, strict=True):  # "12 - Train midwives": the number is the id
            assert match is not None
            row.cells["id"], row.cells["title"] = match.group(1).rstrip("."), match.group(2)
            row.numbered = True
        result.numbering = f"numbers read from the start of each action's text ({len(unnumbered)} actions)"
        unnumbered = []
    if unnumbered:
        counters: Counter[str] = Counter()
        for row in unnumbered:
            key = row.theme.id if row.theme else ""
            counters[key] += 1
            row.cells["id"] = f"{key}.{counters[key]}" if key else str(counters[key])
        first, last = unnumbered[0].cells["id"], unnumbered[-1].cells["id"]
        scheme = "within their theme" if any(row.theme for row in unnumbered) else "in order"
        result.numbering = (
            f"no numbering column: {len(unnumbered)} actions numbered {scheme} in table order, {first} to {last}"
        )
    groups: list[list[Row]] = []
    for row in rows:
        if row.numbered and row.merged_id and groups and groups[-1][0].cells.get("id") == row.cells.get("id"):
            groups[-1].append(row)
        elif row.numbered:
            groups.append([row])
    lettered = 0
    for group in groups:
        if len(group) > 1:
            base = group[0].cells["id"].rstrip(".")
            for index, row in enumerate(group):
                row.cells["id"] = f"{base}.{_letters(index)}"
            lettered += len(group)
    if lettered:
        text = f"{lettered} actions shared a number merged down rows and were lettered (e.g. 4.a, 4.b)"
        result.numbering = f"{result.numbering}; {text}" if result.numbering else text


def _letters(index: int) -> str:
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def _normalise_id(text: str) -> str:
    """The plan's numbering as an id: "1." -> "1", "1 a" -> "1.a", "(a)" -> "a"; its first line only, where
    merging cells in Word left the number twice."""
    text = next((line for line in text.splitlines() if line.strip()), "")
    text = text.strip().strip("()").rstrip(".):").strip()
    text = re.sub(r"\s*[()]\s*", ".", text).strip(".")
    return re.sub(r"\s+", ".", text)


# ---- the parts of an action ---------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 100_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(data: CommentedMap) -> str:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    return buffer.getvalue()


def _text(value: str) -> str:
    return LiteralScalarString(value + "\n") if "\n" in value else value


def _milestones(cell: str) -> CommentedSeq:
    items = CommentedSeq()
    for piece in re.split(r"\n+|(?<=\.)\s{2,}", cell):
        text = " ".join(piece.split()).lstrip("•·▪-–* ").strip()
        if not text:
            continue
        milestone = CommentedMap(text=_text(text))
        first = text.lower().split(" ", 1)[0]
        recurrence = RECURRING_START.get(first) or next(
            (v for k, v in RECURRING_START.items() if text.lower().startswith(k + " ")), None
        )
        if recurrence:
            milestone["due"] = recurrence
        items.append(milestone)
    return items


_LIST_ITEM = re.compile(r"(?:^|(?<=[\s,;]))(\d{1,2})[.)]\s+")
_BULLET = re.compile(r"^\s*[•·▪◦‣*-]\s+")


def _targets(cell: str) -> list[str]:
    """A targets cell as separate targets where it is a list: bulleted lines (Word's list paragraphs read as "• "),
    or a numbered list "1. ..., 2. ..." split at its numbers. Other line breaks stay inside one target."""
    lines = cell.split("\n")
    if len(lines) > 1 and all(_BULLET.match(line) for line in lines if line.strip()):
        items = [_BULLET.sub("", line, count=1) for line in lines]
    else:
        items = [cell]
    pieces: list[str] = []
    for item in items:
        flat = " ".join(item.split())
        starts = list(_LIST_ITEM.finditer(flat))
        numbers = [int(m.group(1)) for m in starts]
        if len(starts) >= 2 and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            bounds = [m.start() for m in starts] + [len(flat)]
            if flat[: bounds[0]].strip(" ,;"):
                pieces.append(flat[: bounds[0]].strip(" ,;"))
            for start, end in itertools.pairwise(bounds):
                piece = _LIST_ITEM.sub("", flat[start:end], count=1).strip(" ,;")
                if piece:
                    pieces.append(piece)
        elif len(starts) == 1 and starts[0].start() == 0 and numbers == [1]:
            pieces.append(flat[starts[0].end() :])  # a list of one: "1. The workforce have been trained"
        elif item.strip():
            pieces.append("\n".join(" ".join(line.split()) for line in item.split("\n") if line.strip()))
    return pieces


def read_rating(text: str) -> tuple[str | None, str | None, bool]:
    """(rag, status, understood) from a RAG or status cell: "Green", "G", "amber", "Complete", "Red - not started"."""
    key = " ".join(re.sub(r"[^\w\s-]", " ", text.lower()).split())
    if not key:
        return None, None, True
    if key in RAG_WORDS:
        return RAG_WORDS[key], None, True
    if key in STATUS_WORDS:
        return None, STATUS_WORDS[key], True
    # "Amber/Green": the more cautious rating
    rag = next((RAG_WORDS[w] for w in ("red", "amber", "green") if re.search(rf"\b{w}\b", key)), None)
    status = next(
        (STATUS_WORDS[p] for p in sorted(STATUS_WORDS, key=len, reverse=True) if re.search(rf"\b{p}\b", key)), None
    )
    if rag or status:
        return rag, status, True
    return None, None, False


# ---- the import ---------------------------------------------------------------------------------------------------


@dataclass
class _Options:
    maps: dict[str, str]
    owner_separator: str | None
    legend: dict[str, str]
    period: str | None
    fy_start: int
    plan: Plan | None = None


def parse_due_codes(items: list[str], fy_start: int) -> dict[str, str]:
    """`--due-code "S=March 2020"` options as the plan's legend; each meaning must be a date the grammar reads."""
    legend: dict[str, str] = {}
    for item in items:
        code, sep, meaning = item.partition("=")
        code, meaning = code.strip(), " ".join(meaning.split())
        if not sep or not code or not meaning:
            raise ImportProblem(f'"{item}": write it as "CODE=DATE", e.g. "S=March 2020"', 2, "due_code")
        if not re.fullmatch(r"\S(.{0,18}\S)?", code):
            raise ImportProblem(f'"{item}": a code is 1 to 20 characters, e.g. S, M, L or "Year 1"', 2, "due_code")
        try:
            parse_when(meaning, fy_start)
        except DateError as error:
            raise ImportProblem(f'"{item}": {error}', 2, "due_code") from None
        legend[code] = meaning
    return legend


def import_table(
    workspace: Workspace,
    table: Path,
    plan_slug: str,
    *,
    maps: list[str] = (),  # type: ignore[assignment]
    owner_separator: str | None = None,
    sheet: str | None = None,
    table_number: int | None = None,
    title: str | None = None,
    due_codes: list[str] = (),  # type: ignore[assignment]
    period: str | None = None,
    plan_period: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import the plan in `table` (a .docx, .xlsx, .csv or .tsv) into plans/<plan_slug>/.

    Raises ImportProblem (nothing written) when it cannot be read or mapped."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", plan_slug):
        raise ImportProblem(
            f'"{plan_slug}": use lower-case letters, digits and hyphens, e.g. health-plan-2024', 2, "plan"
        )
    fy_start = workspace.config.financial_year_start
    legend = parse_due_codes(list(due_codes), fy_start)
    extra = parse_maps(list(maps))
    source = read_source(table, sheet)
    result = ImportResult(plan_slug, source=table.name)
    for note in source.notes:
        result.note("tables", note)
    rows, table_title, themes = _read_rows(source, extra, table_number, result)
    plan_dir = workspace.plans_dir / plan_slug
    keep_plan = (plan_dir / PLAN_FILE).exists() and not force
    plan_title = (title or _named_title(rows, table_title) or (source.title or "") or plan_slug).rstrip(":").strip()
    if keep_plan:
        plan_model, legend = _existing_plan(workspace, plan_dir, legend)
    else:
        plan_model = _plan_model(plan_title, plan_period, legend, fy_start)
    result.legend = legend
    options = _Options(extra, owner_separator, legend, None, fy_start, plan_model)
    if period is not None:
        options.period = result.period = _update_period(plan_model, period, fy_start, keep_plan or bool(plan_period))
    result.themes = themes.resolve()
    if keep_plan and result.themes:
        result.themes = _existing_priorities(result.themes, plan_model, display_path(plan_dir / PLAN_FILE))
        result.themes_existing = True
    data_rows = []
    for row, theme_index in rows:
        row.theme = result.themes[theme_index] if theme_index is not None else None
        if row.numbered:
            row.cells["id"] = _normalise_id(row.cells["id"])
        data_rows.append(row)
    _number_rows(data_rows, result)
    files, removed = _action_files(workspace, plan_dir, plan_model, data_rows, options, result, force)
    result.group_unread()
    if not result.actions and not result.skipped:
        listed = "\n".join(result.notes)
        raise ImportProblem(f"no row could be imported:\n{listed}")
    if not keep_plan:
        plan_path = plan_dir / PLAN_FILE
        files[plan_path] = schema_line(plan_path, workspace.root, "plan") + _plan_text(
            plan_title, plan_period, table, result.themes, legend, fy_start
        )
    if result.new_owners:
        files[workspace.plans_dir / OWNERS_FILE] = _owners_text(workspace, result.new_owners)
    if files:  # every file written names a schema that is there
        files.update(missing_schema_files(workspace.root))
    if not dry_run:
        write_all(files, remove=removed)  # all of them or, should one fail, none
    result.written = sorted(files)
    _note_lookalike_owners(workspace, result)
    return result


def _named_title(rows: list[tuple[Row, int | None]], table_title: str | None) -> str | None:
    """The title above the table, else the one plan a "Plan" column names (an export of several is refused)."""
    named = list(dict.fromkeys(row.cells["plan"] for row, _ in rows if row.cells.get("plan")))
    if len(named) > 1:
        raise ImportProblem(
            f"the table holds {len(named)} plans ({', '.join(named[:4])}); import one plan at a time "
            "(export each plan's folder on its own, or filter the table)"
        )
    return table_title or (named[0] if named else None)


def _existing_plan(workspace: Workspace, plan_dir: Path, legend: dict[str, str]) -> tuple[Plan, dict[str, str]]:
    """The plan being added to, and its legend of deadline codes (which --due-code may not contradict)."""
    existing = next((p for p in workspace.plans if p.directory.resolve() == plan_dir.resolve()), None)
    if existing is None or existing.plan is None:
        raise ImportProblem(f"{display_path(plan_dir / PLAN_FILE)} is invalid; fix it first (or use --force)")
    known = {code: when.text for code, when in existing.plan.deadline_codes.items()}
    missing = {c: m for c, m in legend.items() if known.get(c) != m}
    if missing:
        raise ImportProblem(
            f"{display_path(plan_dir / PLAN_FILE)} exists and does not define "
            f"{', '.join(missing)} that way; add them to its deadline_codes (or re-import with --force)",
            2,
            "due_code",
        )
    return existing.plan, known


def _update_period(plan: Plan, period: str, fy_start: int, period_given: bool) -> str:
    """`--period` as the plan's reporting period label, checked as `actiontrack update` checks it."""
    try:
        label, _ = reporting_period(plan, period, fy_start)
    except EditError as error:
        hint = ""
        if "outside the plan's period" in error.message and not period_given:
            hint = (
                f' (read from the title: "{plan.period.text if plan.period else ""}"); '
                'if the plan runs longer, say so with --plan-period, e.g. --plan-period "2019/20 to 2022/23"'
            )
        raise ImportProblem(f"{error.message}{hint}", error.code, error.field) from None
    return label


def _note_lookalike_owners(workspace: Workspace, result: ImportResult) -> None:
    names = [o.name.lower() for o in workspace.owners.values()]
    for owner in result.new_owners:
        close = difflib.get_close_matches(owner.name.lower(), names, n=1, cutoff=0.88)
        if close:
            result.note(
                "owners", f'new owner "{owner.name}" looks like "{close[0]}" in the registry: check the spelling'
            )


def _read_rows(
    source: Source, extra: dict[str, str], table_number: int | None, result: ImportResult
) -> tuple[list[tuple[Row, int | None]], str | None, _Themes]:
    """Every data row of the tables that map, with its theme; the title found above the header; the themes."""
    tables = source.tables
    if table_number is not None:
        if not 1 <= table_number <= len(tables):
            raise ImportProblem(f"{table_number}: the document has {len(tables)} table(s)", 2, "table")
        tables = [tables[table_number - 1]]
    mapped: list[tuple[SourceTable, int, dict[int, str], list[str]]] = []
    previous: tuple[dict[int, str], list[str], int] | None = None
    for table in tables:
        found = find_header(table, extra)
        width = max((len(r) for r in table.rows), default=0)
        if found is not None:
            header, columns = found
            header_cells = [clean(c) for c in table.rows[header]]
            mapped.append((table, header, columns, header_cells))
            previous = (columns, header_cells, width)
        elif previous is not None and width == previous[2] and any(any(c.strip() for c in r) for r in table.rows):
            mapped.append((table, -1, previous[0], previous[1]))  # a table continued on the next page
        elif len(tables) == 1:
            raise no_header(table, extra)
        else:
            first = next(
                (" | ".join(clean(c) for c in r if c.strip()) for r in table.rows if any(c.strip() for c in r)), ""
            )
            result.note("tables", f"{table.name}: left out, no row of headings (first row: {first[:120] or 'empty'})")
    if not mapped:
        raise ImportProblem(
            f"none of the {len(tables)} tables has a row of headings such as Action, Lead, Deadline; "
            'map yours with --map "HEADING=field", or pick one with --table N. '
            + "; ".join(str(no_header(t, extra)) for t in tables[:3])
        )
    fields = {name for _, _, columns, _ in mapped for name in columns.values()}
    if "owners" not in fields:
        partner_headings = [
            cells[i] for _, _, columns, cells in mapped[:1] for i, name in columns.items() if name == "partners"
        ]
        hint = (
            f'; if "{partner_headings[0]}" names who leads, add --map "{partner_headings[0]}=owners"'
            if partner_headings
            else ""
        )
        result.note("other", f"no column says who leads each action, so none has an owner{hint}")
    themes = _Themes()
    title = None
    first_table, first_header = mapped[0][0], mapped[0][1]
    if first_header > 0:
        title = next((clean(c) for r in first_table.rows[:first_header] for c in r if clean(c)), None)
    headings = {m[0].heading for m in mapped if m[0].heading} - {source.title}
    headings_are_themes = len(headings) > 1  # a lone caption ("Table 1: Action plan") is not a theme
    rows: list[tuple[Row, int | None]] = []
    theme: int | None = None
    for table, header, columns, header_cells in mapped:
        heading = table.heading
        themed = headings_are_themes or table.heading_styled
        if heading and themed and heading != source.title and heading != title:
            theme = themes.add(*_theme_from_text(heading))
        found, theme = table_rows(table, header, columns, header_cells, themes, theme, result)
        rows.extend(found)
        label = table.name if len(source.tables) > 1 else None
        if label:
            shown = f"{label}{' (continued)' if header < 0 else ''}: {len(found)} rows"
            result.tables.append(shown)
    if not rows:
        looked = sum(max(0, len(t.rows) - h - 1) for t, h, _, _ in mapped)
        raise ImportProblem(
            f"the table has a header but no action rows ({looked} rows after the header, none an action)"
        )
    return rows, title, themes


def _existing_priorities(themes: list[Theme], plan: Plan, shown: str) -> list[Theme]:
    """The table's themes as the priorities of a plan that already exists (another sheet of the same plan): by name,
    else by number. A theme the plan does not have stops the import: plan.yaml is not rewritten without --force."""
    by_title = {p.title.casefold(): p for p in plan.priorities}
    by_id = {p.id: p for p in plan.priorities}
    matched, missing = [], []
    for theme in themes:
        known = by_title.get(theme.title.casefold()) or (
            by_id.get(theme.id) if theme.title in ("", f"Priority {theme.id}") else None
        )
        if known is None:
            missing.append(f'"{theme.title}"')
        else:
            matched.append(Theme(known.id, known.title))
    if missing:
        listed = ", ".join(f"{p.id} {p.title}" for p in plan.priorities) or "none"
        raise ImportProblem(
            f"{shown} exists and has no priority for the theme(s) {', '.join(missing)} (its priorities: {listed}); "
            "add them to its priorities first, import into a new plan, or use --force to write plan.yaml again"
        )
    return matched


def _period_from_title(title: str | None, fy_start: int) -> str | None:
    """The plan's period as its title gives it: "Action Plan 2019-22" -> "2019-22", "2021 – 2023" -> "2021 – 2023"."""
    pattern = r"\d{4}\s*(?:[/–-]\s*\d{2,4})?(?:\s*(?:[–-]|to)\s*\d{4}(?:\s*/\s*\d{2})?)?"
    for match in re.finditer(pattern, title or ""):
        candidate = " ".join(match.group(0).split())
        try:
            if parse_when(candidate, fy_start).end:
                return candidate
        except DateError:
            continue
    return None


def _plan_model(title: str, plan_period: str | None, legend: dict[str, str], fy_start: int) -> Plan:
    period = plan_period or _period_from_title(title, fy_start)
    data = {"title": title or "Imported plan", "deadline_codes": legend}
    if period:
        data["period"] = period
    try:
        return Plan.model_validate(data, context=validation_context(fy_start))
    except ValidationError as error:
        messages = "; ".join(e["msg"] for e in error.errors())
        raise ImportProblem(messages, 2, "plan_period" if plan_period else "title") from None


def _plan_text(
    title: str, plan_period: str | None, source: Path, themes: list[Theme], legend: dict[str, str], fy_start: int
) -> str:
    plan = CommentedMap()
    plan["title"] = title or "Imported plan"
    period = plan_period or _period_from_title(plan["title"], fy_start)
    if period:
        plan["period"] = DoubleQuotedScalarString(period)
    plan["reporting"] = "quarterly"
    plan["source"] = f"Imported from {source.name}"
    if legend:
        codes = CommentedMap((code, DoubleQuotedScalarString(meaning)) for code, meaning in legend.items())
        plan["deadline_codes"] = codes
    priorities = CommentedSeq()
    for theme in themes:
        priorities.append(CommentedMap(id=DoubleQuotedScalarString(theme.id), title=theme.title))
    plan["priorities"] = priorities
    if not priorities:
        plan["priorities"].fa.set_flow_style()
    return _dump(plan)


def _resolve_owners(
    rows: list[Row], workspace: Workspace, separator: str | None, result: ImportResult
) -> tuple[dict[int, dict[str, list[str]]], dict[str, Owner]]:
    """Each row's owner and partner ids, and the owners proposed for names the registry does not know.

    An acronym met before its full name ("OHID" in row 3, "Office for ... (OHID)" in row 9) ends up as that
    owner's alias, not as a second owner."""
    owners = dict(workspace.owners)
    proposed: dict[str, Owner] = {}
    by_row: dict[int, dict[str, list[str]]] = {}
    matched: set[str] = set()
    for index, row in enumerate(rows):
        by_row[index] = {}
        for key in ("owners", "partners"):
            ids: list[str] = []
            for found in split_owners(row.cells.get(key, ""), owners, separator) if key in row.cells else []:
                if isinstance(found, tuple):
                    owner = propose_owner(found[0], owners, aliases=tuple(found[1:]), partner=key == "partners")
                    if owner.id not in owners:
                        owners[owner.id] = proposed[owner.id] = owner
                    found = owner.id
                elif found in workspace.owners:
                    matched.add(found)
                if found not in ids:
                    ids.append(found)
            by_row[index][key] = ids
    # an owner first named by its acronym alone, later in full with that acronym: one owner
    renamed: dict[str, str] = {}
    for owner in list(proposed.values()):
        for other in proposed.values():
            if other is not owner and owner.name in other.aliases:
                renamed[owner.id] = other.id
    for old in renamed:
        del proposed[old]
    for ids in by_row.values():
        for key, values in ids.items():
            ids[key] = list(dict.fromkeys(renamed.get(v, v) for v in values))
    result.owners_matched = len(matched)
    return by_row, proposed


def _action_files(
    workspace: Workspace,
    plan_dir: Path,
    plan: Plan | None,
    rows: list[Row],
    options: _Options,
    result: ImportResult,
    force: bool,
) -> tuple[dict[Path, str], list[Path]]:
    owner_ids, proposed = _resolve_owners(rows, workspace, options.owner_separator, result)
    files: dict[Path, str] = {}
    removed: list[Path] = []  # with --force, files of the same actions under an older name
    seen: dict[str, Row] = {}
    used_owners: set[str] = set()
    for index, row in enumerate(rows):
        action_id = row.cells["id"]
        if not re.fullmatch(ACTION_ID_PATTERN.strip("^$"), action_id) or len(action_id) > 20:
            result.note(
                "rows not imported", f'{row.where}: the number "{action_id}" cannot be an id: {row.cells["title"][:80]}'
            )
            continue
        if action_id in seen:
            result.note(
                "rows not imported",
                f"{row.where}: number {action_id} is also in {seen[action_id].where}: {row.cells['title'][:80]}",
            )
            continue
        seen[action_id] = row
        document = action_document(row, owner_ids[index], options, result)
        path = plan_dir / "actions" / f"{action_id}-{slug(row.cells['title'])}.yaml"
        text = schema_line(path, workspace.root, "action") + _dump(document)
        try:
            check_action_text(text, path, options.fy_start, plan)
        except EditError as error:
            result.note("rows not imported", f"{row.where}: {' '.join(str(error).split())}")
            continue
        existing_files = list((plan_dir / "actions").glob(f"{action_id}-*.y*ml")) + [
            p for p in [(plan_dir / "actions" / f"{action_id}.yaml")] if p.exists()
        ]
        if existing_files and not force:
            result.skipped.append(display_path(existing_files[0], workspace.root))
            continue
        removed += [old for old in existing_files if old != path]
        files[path] = text
        used_owners.update(owner_ids[index].get("owners", []) + owner_ids[index].get("partners", []))
        result.actions += 1
    result.new_owners = [owner for owner_id, owner in proposed.items() if owner_id in used_owners]
    return files, removed


def action_document(row: Row, owners: dict[str, list[str]], options: _Options, result: ImportResult) -> CommentedMap:
    cells = row.cells
    data = CommentedMap()
    data["id"] = DoubleQuotedScalarString(cells["id"])
    if row.theme:
        data["priority"] = DoubleQuotedScalarString(row.theme.id)
    data["title"] = _text(cells["title"])
    if "what" in cells:
        data["what"] = _text(cells["what"])
    data["owners"] = CommentedSeq(owners.get("owners", []))
    data["owners"].fa.set_flow_style()
    if "partners" in cells:
        data["partners"] = CommentedSeq(owners.get("partners", []))
        data["partners"].fa.set_flow_style()
    if "due" in cells:
        due = " ".join(cells["due"].split())
        try:
            when = parse_when(due, options.fy_start, codes=options.legend)
            data["due"] = DoubleQuotedScalarString(due)
            result.deadlines_read += 1
            result.deadlines_by_code += when.kind == "code"
        except DateError as error:
            data["due_as_written"] = DoubleQuotedScalarString(due)
            result.deadlines_unread[due] += 1
            result.unread_rows.setdefault(due, []).append(row)
            result.unread_reasons.setdefault(due, str(error).split(";")[0])
    if "milestones" in cells:
        data["milestones"] = _milestones(cells["milestones"])
    if "targets" in cells:
        data["targets"] = CommentedSeq([CommentedMap(text=_text(t)) for t in _targets(cells["targets"])])
    if "outcome" in cells:
        data["outcome"] = _text(cells["outcome"])
    _updates(row, data, options, result)
    return data


def _updates(row: Row, data: CommentedMap, options: _Options, result: ImportResult) -> None:
    """The row's status, and its RAG and progress as the update of the period (--period or the row's own)."""
    cells = row.cells
    rag = status = None
    for key in ("rag", "status"):
        if key not in cells:
            continue
        found_rag, found_status, understood = read_rating(cells[key])
        if not understood:
            result.note(
                "ratings not read",
                f'{row.where}: {key} "{cells[key][:60]}" is not a RAG rating or a status '
                "(Green/Amber/Red, G/A/R, Complete, In progress, Not started, Cancelled)",
            )
        rag = rag or found_rag
        status = status or found_status
    if status:
        data["status"] = status
        result.statuses += 1
    note = cells.get("update")
    if not rag and not note:
        return
    period = options.period
    if cells.get("period"):
        try:
            period, _ = reporting_period(options.plan, cells["period"], options.fy_start)
        except EditError as error:
            result.note("updates", f"{row.where}: update not imported: {str(error).removeprefix('--period: ')}")
            period = None
    if period is None:
        result.ratings_left_out += bool(rag)
        result.progress_left_out += bool(note)
        return
    update = CommentedMap(period=DoubleQuotedScalarString(period))
    if rag:
        update["rag"] = rag
        result.ratings += 1
    if note:
        update["note"] = _text(note)
        result.progress += 1
    if rag == "red" and not note:
        result.note("updates", f"{row.where}: red with no note: say why in the plan, or with actiontrack update")
    data["updates"] = CommentedSeq([update])
    if result.period is None:
        result.period = period if options.period is None else options.period


def _owners_text(workspace: Workspace, new: list[Owner]) -> str:
    """The owners registry with the new entries appended in the file's own style; every other line is kept."""
    try:
        return registry_with(workspace, new, "added by actiontrack import: check each name and kind")
    except EditError as error:
        raise ImportProblem(f"the table names new owners, but {error}") from None
