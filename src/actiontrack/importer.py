"""Bringing in the action plans councils already have: a table (CSV, TSV or XLSX) becomes plan.yaml and one file per
action.

The table is read as rows of cells. The header row is found by its headings (both seed plans' and the usual
synonyms: Ref, Action, Lead, Timescale, Success measure, RAG, Progress ...; `--map "HEADING=field"` adds more).
A row with a single cell such as "Priority 1 - Housing for all" starts a priority; a repeated header row (a page
break) is skipped; a row with no id, no date and no owner continues the row above it (cells that ran onto the next
page); any other row without an id is listed, not imported. Owner cells
are split against the owners registry; names it does not know are proposed as new registry entries. Nothing is
dropped silently: every row or cell that cannot be imported is listed, and an unmapped column stops the import.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from .dates import DateError, parse_when
from .edit import (
    EditError,
    _round_trip,
    _slug,
    apply_edits,
    check_action_text,
    schema_comment,
    splice_item,
    write_all,
)
from .load import OWNERS_FILE, PLAN_FILE, Workspace, display_path
from .model import Owner, OwnersFile
from .yamlsrc import YamlProblem, parse_text

FIELDS = (
    "id",
    "title",
    "what",
    "due",
    "owners",
    "partners",
    "milestones",
    "targets",
    "outcome",
    "rag",
    "update",
    "skip",
)

#: Headings as councils write them -> fields. Compared after lower-casing and dropping punctuation at the ends.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(["no", "no.", "ref", "ref.", "reference", "number", "id", "action no", "action ref", "#"], "id"),
    **dict.fromkeys(
        ["objective", "objectives", "health inequality action", "action", "actions", "title", "aim", "priority action"],
        "title",
    ),
    **dict.fromkeys(["what we will do", "activity", "activities", "how we will do it", "description", "tasks"], "what"),
    **dict.fromkeys(
        [
            "by when",
            "expected completion date",
            "timescale",
            "timescales",
            "deadline",
            "due",
            "due date",
            "target date",
            "completion date",
            "when",
            "date",
        ],
        "due",
    ),
    **dict.fromkeys(
        [
            "who will deliver this?",
            "who will deliver this",
            "responsible person/org",
            "lead",
            "lead officer",
            "lead officers",
            "owner",
            "owners",
            "responsible",
            "responsibility",
            "responsible officer",
            "who",
            "lead organisation",
            "lead agency",
        ],
        "owners",
    ),
    **dict.fromkeys(["partners", "key partners", "partner", "partner organisations", "supporting"], "partners"),
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
            "measure",
            "measures",
            "performance indicator",
            "performance measure",
            "indicator",
        ],
        "targets",
    ),
    **dict.fromkeys(
        ["target/outcome", "expected outcome", "outcome", "outcomes", "expected outcomes", "impact"], "outcome"
    ),
    **dict.fromkeys(["rag", "rag status", "rag rating", "status (rag)"], "rag"),
    **dict.fromkeys(
        [
            "quarterly update",
            "quarterly update: q1, q2, q3, q4",
            "progress",
            "update",
            "updates",
            "comments",
            "progress update",
            "latest update",
            "commentary",
        ],
        "update",
    ),
}
SECTION = re.compile(
    r"^\s*(?:priority|theme|strategic priority|outcome area|section)\s+(\w{1,3})\s*[-–—:.)]\s*(.+?)\s*$", re.I
)
RECURRING_START = {
    "quarterly": "quarterly",
    "6monthly": "half-yearly",
    "6 monthly": "half-yearly",
    "six monthly": "half-yearly",
    "monthly": "monthly",
    "annual": "annual",
    "annually": "annual",
}
TEAM_WORDS = re.compile(
    r"\b(team|group|services?|officers?|trust|council|partnership|board|unit|department|network|forum|"
    r"committee|nhs|ccg|icb|police|fire|housing|community|communities|active|subgroup|health)\b",
    re.I,
)


class ImportProblem(Exception):
    """The table cannot be imported as given; the message lists what to fix. Nothing was written."""


@dataclass
class Row:
    number: int  # 1-based row in the table
    cells: dict[str, str]
    priority: tuple[str, str] | None


@dataclass
class ImportResult:
    plan_slug: str
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # existing files not overwritten
    new_owners: list[Owner] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rows or cells not imported, and why
    actions: int = 0


# ---- reading tables ----------------------------------------------------------------------------------------------


def read_table(path: Path, sheet: str | None = None) -> list[list[str]]:
    """The table's rows as lists of text cells (CSV, TSV/TXT, or the first or named XLSX sheet)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix not in (".csv", ".tsv", ".tab", ".txt"):
        raise ImportProblem(f"unknown table type {suffix or '(none)'}; use .csv, .tsv or .xlsx")
    if sheet is not None:
        raise ImportProblem(f"--sheet {sheet!r}: only an Excel workbook has sheets; this table is {suffix}")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportProblem(f"cannot read the table: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")  # what Excel writes for "CSV" on Windows
        except UnicodeDecodeError as error:
            raise ImportProblem(
                f"not UTF-8 or Windows-1252 text (byte 0x{raw[error.start]:02x}); save the table as CSV UTF-8"
            ) from None
    if suffix in (".tsv", ".tab", ".txt"):
        delimiter = "\t"
    else:  # Excel in many European locales writes ";" between cells
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [list(row) for row in reader]
    except csv.Error as error:
        raise ImportProblem(f"not a readable {suffix[1:].upper()} table: line {reader.line_num}: {error}") from None


def _read_xlsx(path: Path, sheet: str | None) -> list[list[str]]:
    import datetime as dt
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportProblem(f"not a readable Excel workbook ({error})") from None
    except Exception as error:  # a damaged workbook fails deep inside openpyxl, with XML and other errors
        raise ImportProblem(f"not a readable Excel workbook ({type(error).__name__}: {error})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ImportProblem(f"no sheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = []
        for values in worksheet.iter_rows(values_only=True):
            cells = []
            for value in values:
                if value is None:
                    cells.append("")
                elif isinstance(value, dt.datetime):
                    cells.append(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
                elif isinstance(value, dt.date):
                    cells.append(value.isoformat())
                elif isinstance(value, float) and value.is_integer():
                    cells.append(str(int(value)))
                else:
                    cells.append(str(value))
            rows.append(cells)
        return rows
    except ImportProblem:
        raise
    except Exception as error:  # a damaged sheet is only read (and fails) here, the workbook being read lazily
        raise ImportProblem(f"not a readable Excel workbook ({type(error).__name__}: {error})") from None
    finally:
        workbook.close()


def clean(text: str) -> str:
    """Undo extraction artefacts: HTML entities and tags from PDF exports; runs of spaces within a line."""
    text = html.unescape(re.sub(r"</?(?:b|i|u|strong|em|br)\s*/?>", " ", text))
    return "\n".join(" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")).strip()


def _heading_key(text: str) -> str:
    return " ".join(clean(text).lower().strip(" :*").split())


# ---- columns ------------------------------------------------------------------------------------------------------


def parse_maps(maps: list[str]) -> dict[str, str]:
    mapping = {}
    for item in maps:
        heading, sep, target = item.rpartition("=")
        target = target.strip().lower()
        if not sep or not heading.strip():
            raise ImportProblem(f'--map "{item}": write it as "HEADING=field"')
        if target not in FIELDS:
            raise ImportProblem(f'--map "{item}": "{target}" is not a field; fields: {", ".join(FIELDS)}')
        mapping[_heading_key(heading)] = target
    return mapping


def _column_field(heading: str, extra: dict[str, str]) -> str | None:
    key = _heading_key(heading)
    if key in extra:
        return extra[key]
    if key in SYNONYMS:
        return SYNONYMS[key]
    for synonym, name in SYNONYMS.items():  # "quarterly update: q1, q2, q3,q4" and other longer spellings
        if len(synonym) > 4 and key.startswith(synonym):
            return name
    return None


def find_header(rows: list[list[str]], extra: dict[str, str]) -> tuple[int, dict[int, str]]:
    """The header row's index and its columns -> fields. The first row with at least two known headings wins."""
    for index, row in enumerate(rows[:30]):
        columns = {i: _column_field(cell, extra) for i, cell in enumerate(row) if cell.strip()}
        known = {i: f for i, f in columns.items() if f}
        if len(known) >= 2 and ("title" in known.values() or "id" in known.values()):
            unmapped = [row[i].strip() for i, f in columns.items() if f is None]
            if unmapped:
                listed = ", ".join(f'"{clean(h)}"' for h in unmapped)
                raise ImportProblem(
                    f'unmapped columns: {listed}. Map each with --map "HEADING=field" (fields: '
                    f"{', '.join(FIELDS)}; use skip to leave a column out)"
                )
            mapping = {i: f for i, f in known.items() if f != "skip"}
            if (
                "id" not in mapping.values()
                and 0 not in columns
                and any(r[:1] and r[0].strip() for r in rows[index + 1 :])
            ):
                mapping[0] = "id"  # an unnamed first column of numbers, as in the Health Inequalities plan
            return index, mapping
    raise ImportProblem(
        "no header row found: the table needs a row of headings such as No., Action, Lead, Deadline "
        '(or map yours with --map "HEADING=field")'
    )


def table_rows(
    rows: list[list[str]], header: int, columns: dict[int, str], notes: list[str]
) -> tuple[list[Row], str | None]:
    """Data rows with their priority, continuations merged, repeated headers and blank rows skipped."""
    title = next((clean(c) for r in rows[:header] for c in r if clean(c)), None)
    header_cells = [clean(c) for c in rows[header]]
    priority: tuple[str, str] | None = None
    result: list[Row] = []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        cells = [clean(c) for c in row]
        filled = [c for c in cells if c]
        if not filled or cells[: len(header_cells)] == header_cells[: len(cells)]:
            continue
        if len(filled) == 1:
            section = SECTION.match(filled[0])
            if section:
                priority = (section.group(1), section.group(2))
                continue
        values = {f: cells[i] for i, f in columns.items() if i < len(cells) and cells[i]}
        if "id" not in values and result and not {"due", "owners"} & set(values):
            previous = result[-1]  # cells that ran onto the next page: text only, no id, date or owner
            for name, value in values.items():
                previous.cells[name] = f"{previous.cells[name]} {value}".strip() if name in previous.cells else value
            continue
        if "id" not in values or "title" not in values:
            notes.append(
                f"row {number}: not imported (no {'id' if 'id' not in values else 'title'}): {' | '.join(filled)}"
            )
            continue
        result.append(Row(number, values, priority))
    return result, title


# ---- owners -------------------------------------------------------------------------------------------------------


def _owner_names(owners: dict[str, Owner]) -> list[tuple[str, str]]:
    names = [(o.name, o.id) for o in owners.values()] + [(a, o.id) for o in owners.values() for a in o.aliases]
    return sorted(names, key=lambda pair: -len(pair[0]))


def split_owners(cell: str, owners: dict[str, Owner], separator: str | None) -> list[str | tuple[str]]:
    """Owner ids found in a "who" cell, in order; a name not in the registry comes back as a 1-tuple (name,).

    Registry names (and aliases) are found first, longest first, so a name holding a separator ("Fire and Rescue
    Service", "Planning/Housing") is not cut; the rest is split at / ; , " and ", newlines and `separator`, and
    words between known names become proposals.
    """
    names = _owner_names(owners)
    text = " ".join(cell.split())
    marked = text
    for index, (name, _) in enumerate(names):
        pattern = re.compile(r"(?<![\w&])" + re.escape(name) + r"(?![\w&])", re.IGNORECASE)
        marked = pattern.sub(f" \x00{index}\x00 ", marked)
    parts = [marked]
    for sep in ([separator] if separator else []) + ["/", ";", ",", " and "]:
        parts = [piece for part in parts for piece in part.split(sep)]
    found: list[str | tuple[str]] = []
    for part in parts:
        for token in re.split(r"(\x00\d+\x00)", part):
            token = " ".join(token.split())
            if not token:
                continue
            if token.startswith("\x00"):
                owner_id = names[int(token.strip("\x00"))][1]
                if owner_id not in found:
                    found.append(owner_id)
            elif (token,) not in found:
                found.append((token,))
    return found


def propose_owner(name: str, owners: dict[str, Owner]) -> Owner:
    """A registry entry for a name the registry does not know (the same name gives the same id)."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = _slug(ascii_name, words=8, limit=60) if re.search(r"[A-Za-z0-9]", ascii_name) else ""
    base = base if base and base != "action" else "owner"
    owner_id, number = base, 1
    while owner_id in owners and owners[owner_id].name != name:
        number += 1
        owner_id = f"{base}-{number}"
    words = name.split()
    looks_like_person = 2 <= len(words) <= 3 and all(w[:1].isupper() and w[1:].islower() for w in words)
    kind = "person" if looks_like_person and not TEAM_WORDS.search(name) else "team"
    return Owner(id=owner_id, name=name, kind=kind)


# ---- writing ------------------------------------------------------------------------------------------------------


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
        text = " ".join(piece.split())
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


def action_document(row: Row, owner_ids: list[str], fy_start: int, notes: list[str]) -> CommentedMap:
    cells = row.cells
    data = CommentedMap()
    data["id"] = DoubleQuotedScalarString(cells["id"])
    if row.priority:
        data["priority"] = DoubleQuotedScalarString(row.priority[0])
    data["title"] = _text(cells["title"])
    if "what" in cells:
        data["what"] = _text(cells["what"])
    data["owners"] = CommentedSeq(owner_ids)
    data["owners"].fa.set_flow_style()
    if "due" in cells:
        try:
            parse_when(cells["due"], fy_start)
            data["due"] = DoubleQuotedScalarString(cells["due"])
        except DateError as error:
            notes.append(f"row {row.number}: due not imported: {error}")
            data.yaml_add_eol_comment(f"due in the table: {cells['due']!r} (not a date actiontrack reads)", "owners")
    if "milestones" in cells:
        data["milestones"] = _milestones(cells["milestones"])
    if "targets" in cells:
        data["targets"] = CommentedSeq([CommentedMap(text=_text(cells["targets"]))])
    if "outcome" in cells:
        data["outcome"] = _text(cells["outcome"])
    if "update" in cells or "rag" in cells:
        written = f"{cells.get('rag', '')} {cells.get('update', '')}".strip()
        notes.append(
            f"row {row.number}: the update/RAG cell was not imported (which reporting period is it?); add it with "
            f"`actiontrack update {cells['id']} --period ...`: {written}"
        )
    return data


def _period_from_title(title: str | None, fy_start: int) -> str | None:
    for match in re.finditer(r"\d{4}\s*(?:[/–-]\s*\d{2,4})?(?:\s*[–-]\s*\d{4})?", title or ""):
        candidate = " ".join(match.group(0).split())
        try:
            if parse_when(candidate, fy_start).end:
                return candidate
        except DateError:
            continue
    return None


def import_table(
    workspace: Workspace,
    table: Path,
    plan_slug: str,
    *,
    maps: list[str] = (),  # type: ignore[assignment]
    owner_separator: str | None = None,
    sheet: str | None = None,
    title: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import `table` into plans/<plan_slug>/. Raises ImportProblem (nothing written) when it cannot be mapped."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", plan_slug):
        raise ImportProblem(f'--plan "{plan_slug}": use lower-case letters, digits and hyphens, e.g. health-plan-2024')
    fy_start = workspace.config.financial_year_start
    rows = read_table(table, sheet)
    header, columns = find_header(rows, parse_maps(list(maps)))
    if "title" not in columns.values():
        raise ImportProblem('no column for the action itself: map one with --map "HEADING=title"')
    result = ImportResult(plan_slug)
    data_rows, table_title = table_rows(rows, header, columns, result.notes)
    if not data_rows:
        raise ImportProblem("the table has a header but no action rows")

    owners = dict(workspace.owners)
    plan_dir = workspace.plans_dir / plan_slug
    files: dict[Path, str] = {}
    removed: list[Path] = []  # with --force, files of the same actions under an older name
    seen: set[str] = set()
    for row in data_rows:
        if row.cells["id"] in seen:
            result.notes.append(f"row {row.number}: not imported: id {row.cells['id']} appears twice in the table")
            continue
        seen.add(row.cells["id"])
        row_owners = dict(owners)  # names this row proposes join the registry only if the row is imported
        proposed: list[Owner] = []
        owner_ids: list[str] = []
        for key in ("owners", "partners"):
            for found in split_owners(row.cells.get(key, ""), row_owners, owner_separator) if key in row.cells else []:
                if isinstance(found, tuple):
                    proposal = propose_owner(found[0], row_owners)
                    if proposal.id not in row_owners:
                        row_owners[proposal.id] = proposal
                        proposed.append(proposal)
                    found = proposal.id
                if key == "owners" and found not in owner_ids:
                    owner_ids.append(found)
        document = action_document(row, owner_ids, fy_start, result.notes)
        if "partners" in row.cells:
            partner_ids = [
                f if isinstance(f, str) else propose_owner(f[0], row_owners).id
                for f in split_owners(row.cells["partners"], row_owners, owner_separator)
            ]
            document.insert(list(document).index("owners") + 1, "partners", CommentedSeq(partner_ids))
            document["partners"].fa.set_flow_style()
        path = plan_dir / "actions" / f"{row.cells['id']}-{_slug(row.cells['title'])}.yaml"
        text = schema_comment(path, workspace.root) + _dump(document)
        try:
            check_action_text(text, path, fy_start)
        except EditError as error:
            result.notes.append(f"row {row.number}: not imported: {error}")
            continue
        existing_files = list((plan_dir / "actions").glob(f"{row.cells['id']}-*.y*ml")) + [
            p for p in [(plan_dir / "actions" / f"{row.cells['id']}.yaml")] if p.exists()
        ]
        if existing_files and not force:
            result.skipped.append(display_path(existing_files[0], workspace.root))
            continue
        removed += [old for old in existing_files if old != path]
        files[path] = text
        owners = row_owners
        result.new_owners += proposed
        result.actions += 1
    if not result.actions and not result.skipped:
        listed = "\n".join(result.notes)
        raise ImportProblem(f"no row could be imported:\n{listed}")

    plan_path = plan_dir / PLAN_FILE
    if not plan_path.exists() or force:
        files[plan_path] = _plan_text(title or table_title or plan_slug, table, data_rows, fy_start)
    if result.new_owners:
        files[workspace.plans_dir / OWNERS_FILE] = _owners_text(workspace, result.new_owners)
    if not dry_run:
        write_all(files, remove=removed)  # all of them or, should one fail, none
    result.written = sorted(files)
    for owner in result.new_owners:
        names = [o.name.lower() for o in workspace.owners.values()]
        close = difflib.get_close_matches(owner.name.lower(), names, n=1, cutoff=0.88)
        if close:
            result.notes.append(f'new owner "{owner.name}" looks like "{close[0]}" in the registry: check the spelling')
    return result


def _plan_text(title: str, table: Path, rows: list[Row], fy_start: int) -> str:
    plan = CommentedMap()
    plan["title"] = title.rstrip(":").strip()
    period = _period_from_title(plan["title"], fy_start)
    if period:
        plan["period"] = DoubleQuotedScalarString(period)
    plan["reporting"] = "quarterly"
    plan["source"] = f"Imported from {table.name}"
    priorities = CommentedSeq()
    for priority in dict.fromkeys(r.priority for r in rows if r.priority):
        priorities.append(CommentedMap(id=DoubleQuotedScalarString(priority[0]), title=priority[1]))  # type: ignore[index]
    plan["priorities"] = priorities
    if not priorities:
        plan["priorities"].fa.set_flow_style()
    return _dump(plan)


def _owners_text(workspace: Workspace, new: list[Owner]) -> str:
    """The owners registry with the new entries appended in the file's own style; every other line is kept."""
    path = workspace.plans_dir / OWNERS_FILE
    shown = display_path(path, workspace.root)
    # a registry that does not parse is refused, not rewritten (one that parses but breaks the schema is caught below)
    unreadable = [p for p in workspace.problems if p.rule == "yaml-syntax" and p.path.resolve() == path.resolve()]
    if unreadable:
        lines = "\n".join(p.format() for p in unreadable)
        raise ImportProblem(f"the table names new owners, but {shown} is invalid; fix it first:\n{lines}")
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else "owners:\n"
        parse_text(before)  # the safe reader first, as for every edit
        yaml, data = _round_trip(before.replace("\r\n", "\n"))
    except (OSError, UnicodeDecodeError, YamlProblem, YAMLError) as error:  # changed since it was loaded
        raise ImportProblem(f"the table names new owners, but {shown} cannot be read ({error}); fix it first") from None
    if data is None:
        yaml, data = _round_trip("owners: []\n")
        before = "owners: []\n"
    entries = []
    for owner in new:
        entry = CommentedMap(id=owner.id, name=owner.name, kind=owner.kind)
        entries.append(entry)
    entries[0].yaml_set_start_comment(
        "added by actiontrack import: check each name and kind", indent=yaml.sequence_dash_offset
    )
    lines, edits = splice_item(before, yaml, data, "owners", entries)
    after = apply_edits(lines, edits)
    try:
        OwnersFile.model_validate(parse_text(after).data)
    except (YamlProblem, ValidationError) as error:  # never write a registry that no longer reads
        raise ImportProblem(f"{display_path(path)}: could not add the new owners ({error}); add them by hand") from None
    return after
