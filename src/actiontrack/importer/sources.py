"""Reading the tables a plan is kept in: CSV, TSV (text pulled out of a PDF), an Excel sheet, or a Word document.

Every source becomes a `Source`: its title and its tables, each a grid of text cells in which a merged cell's
text sits in its first column (a cell merged across a whole row is marked as such) and a cell merged down
several rows repeats its text in each, as the reader of the printed table sees it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ImportProblem", "Source", "SourceTable", "read_source"]

TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".docx")


class ImportProblem(Exception):
    """The source cannot be imported as given; the message lists what to fix. Nothing was written.

    `code` is the exit code: 1 for a source that cannot be imported, 2 for a request made wrongly, and then `field`
    names what was asked wrongly ("map", "due_code", "period", "plan_period", "plan", "table", "sheet"); the command
    line shows it as its flag. As a string, the error reads "field: message"."""

    def __init__(self, message: str, code: int = 1, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.code = code
        self.field = field


@dataclass
class SourceTable:
    """One table of a source. Row and column numbers in messages are 1-based, as a user counts them."""

    name: str  # how messages name it: "table 2", "sheet Actions"
    rows: list[list[str]]
    heading: str | None = None  # the heading just above it (Word)
    heading_styled: bool = False  # in a Heading style, not just a short line
    full_width: set[int] = field(default_factory=set)  # rows that are one cell across the table
    repeated_header: set[int] = field(default_factory=set)  # rows Word repeats at the top of every page
    merged_down: dict[int, set[int]] = field(default_factory=dict)  # row -> columns whose text is the row above's
    follows_previous: bool = False  # nothing but blank paragraphs since the previous table (Word)
    continues_rows: bool = True  # a row with text only may be the previous row running onto a new page


@dataclass
class Source:
    path: Path
    kind: str  # "csv", "tsv", "xlsx", "docx"
    title: str | None
    tables: list[SourceTable]
    notes: list[str] = field(default_factory=list)


def read_source(path: Path, sheet: str | None = None) -> Source:
    """The tables in `path`. Raises ImportProblem for anything that is not a readable table."""
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        hint = " (save it as .docx from Word first)" if suffix in (".doc", ".rtf", ".odt") else ""
        raise ImportProblem(f"unknown table type {suffix or '(none)'}; use .docx, .xlsx, .csv or .tsv{hint}")
    if sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise ImportProblem(f"{sheet!r}: only an Excel workbook has sheets; this table is {suffix}", 2, "sheet")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportProblem(f"cannot read the file: {error.strerror or error}") from None
    if suffix in (".xlsx", ".xlsm", ".docx"):
        _check_package(raw, suffix)
        if suffix == ".docx":
            return _read_docx(path, raw)
        return _read_xlsx(path, raw, sheet)
    return Source(path, "tsv" if suffix != ".csv" else "csv", None, [_read_text(raw, suffix)])


# ---- Office files --------------------------------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file header of old .doc/.xls and of encrypted files


def _check_package(raw: bytes, suffix: str) -> None:
    what = "Word document" if suffix == ".docx" else "Excel workbook"
    if raw.startswith(_OLE):
        if "EncryptionInfo".encode("utf-16-le") in raw or "EncryptedPackage".encode("utf-16-le") in raw:
            raise ImportProblem(f"the {what} is password-protected; save a copy without a password and import that")
        old = ".doc" if suffix == ".docx" else ".xls"
        raise ImportProblem(f"this is an old-style {old} file named {suffix}; open it and save it as {suffix}")
    if not raw.startswith(b"PK"):
        raise ImportProblem(f"not a readable {what}: the file is not a {suffix} inside (another kind of file renamed?)")


def _damaged(what: str, error: BaseException) -> ImportProblem:
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
    return ImportProblem(f"not a readable {what} ({detail})")


# ---- text tables ---------------------------------------------------------------------------------------------------


def _read_text(raw: bytes, suffix: str) -> SourceTable:
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
        return SourceTable("the table", [list(row) for row in reader])
    except csv.Error as error:
        raise ImportProblem(f"not a readable {suffix[1:].upper()} table: line {reader.line_num}: {error}") from None


# ---- Excel ---------------------------------------------------------------------------------------------------------

_FULL_READ_LIMIT = 20_000_000  # bytes; past this the sheet is streamed, and merged cells are not known


def _xlsx_text(value: Any, number_format: str = "General") -> str:
    """A cell as the sheet shows it: a date formatted as a month ("Mar-24") is that month, not its first day;
    a percentage is a percentage."""
    import datetime as dt

    if value is None:
        return ""
    shape = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", (number_format or "General").lower())
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if "d" not in shape and "m" in shape:
            return f"{day:%B %Y}"
        if "d" not in shape and "m" not in shape and "y" in shape:
            return str(day.year)
        if isinstance(value, dt.datetime) and value.time() != dt.time():
            return value.isoformat()
        return day.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in shape:
        return f"{round(value * 100, 6):g}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, raw: bytes, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    streamed = len(raw) > _FULL_READ_LIMIT
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=streamed, data_only=True)
    except Exception as error:  # a damaged workbook fails deep inside openpyxl, with zip, XML and other errors
        raise _damaged("Excel workbook", error) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ImportProblem(f"no sheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}", 2, "sheet")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        rows = [
            [_xlsx_text(cell.value, getattr(cell, "number_format", "General")) for cell in cells]
            for cells in worksheet.iter_rows()
        ]
        table = SourceTable(f'sheet "{worksheet.title}"', rows)
        if not streamed:
            _spread_merged(table, worksheet)
        title = (workbook.properties.title or "").strip() or None
        others = [name for name in workbook.sheetnames if name != worksheet.title]
        notes = (
            [f"the workbook has other sheets, not imported: {', '.join(others)} (import each with --sheet NAME)"]
            if others
            else []
        )
        return Source(path, "xlsx", title, [table], notes)
    except ImportProblem:
        raise
    except Exception as error:  # a damaged sheet is only read (and fails) here
        raise _damaged("Excel workbook", error) from None
    finally:
        workbook.close()


def _spread_merged(table: SourceTable, worksheet: Any) -> None:
    """Merged cells as a reader sees them: text merged down repeats in each row; across, it stays in the first."""
    width = max((len(row) for row in table.rows), default=0)
    for merged in worksheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(table.rows) or left >= len(table.rows[top]):
            continue
        text = table.rows[top][left]
        if merged.min_col == 1 and merged.max_col >= width and merged.max_row == merged.min_row:
            table.full_width.add(top)
        for row in range(top + 1, min(merged.max_row, len(table.rows))):
            cells = table.rows[row]
            cells.extend([""] * (left + 1 - len(cells)))
            cells[left] = text
            table.merged_down.setdefault(row, set()).add(left)


# ---- Word ----------------------------------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"^(heading|title|subtitle)\b", re.I)


def _read_docx(path: Path, raw: bytes) -> Source:
    try:
        import docx
        from docx.oxml.ns import qn
    except ImportError:  # pragma: no cover - a dependency of the package
        raise ImportProblem("reading Word documents needs python-docx: pip install python-docx") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as error:  # not a Word package, a damaged one, XML errors
        raise _damaged("Word document", error) from None
    try:
        return _docx_source(path, document, qn)
    except ImportProblem:
        raise
    except Exception as error:  # odd XML inside a package that opened
        raise _damaged("Word document", error) from None


def _docx_source(path: Path, document: Any, qn: Any) -> Source:
    body = document.element.body
    blocks = list(_blocks(body, qn))
    paragraphs_before: list[tuple[str, str]] = []  # (style, text) since the previous table
    tables: list[SourceTable] = []
    title = (document.core_properties.title or "").strip() or None
    first_paragraphs: list[tuple[str, str]] = []  # before the first table of more than one row
    every_paragraph: list[tuple[str, str]] = []
    numbering: dict[tuple[str, str], int] = {}
    for kind, element in blocks:
        if kind == "p":
            text = _paragraph_text(element, qn).strip()
            style = _style_name(document, element, qn)
            if text:
                paragraphs_before.append((style, text))
                every_paragraph.append((style, text))
                if not any(len(t.rows) > 1 for t in tables):  # a letterhead or logo table does not count
                    first_paragraphs.append((style, text))
            continue
        table = _docx_table(element, qn, f"table {len(tables) + 1}", document, numbering)
        table.heading, table.heading_styled = _heading(paragraphs_before)
        table.follows_previous = bool(tables) and not paragraphs_before
        tables.append(table)
        paragraphs_before = []
    if title is None:
        title = next((text for style, text in every_paragraph if style.lower().startswith("title")), None)
    if title is None:
        title = next((text for style, text in first_paragraphs if _HEADING_STYLE.match(style)), None)
    if title is None and first_paragraphs and len(first_paragraphs[0][1]) <= 150:
        title = first_paragraphs[0][1]
    if not tables:
        raise ImportProblem("the Word document has no tables; actiontrack imports a plan kept as a table")
    return Source(path, "docx", title, tables)


def _blocks(parent: Any, qn: Any) -> Any:
    """The paragraphs and tables of the body in order, looking inside content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield "p", child
        elif child.tag == qn("w:tbl"):
            yield "tbl", child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, qn)


def _style_name(document: Any, paragraph: Any, qn: Any) -> str:
    properties = paragraph.find(qn("w:pPr"))
    style = properties.find(qn("w:pStyle")) if properties is not None else None
    if style is None:
        return ""
    style_id = style.get(qn("w:val")) or ""
    try:
        return document.styles.element.get_by_id(style_id).name_val or style_id
    except Exception:  # a style the document does not define
        return style_id


def _paragraph_text(paragraph: Any, qn: Any) -> str:
    """A paragraph's text as shown: tracked insertions in, deletions (w:delText) and field codes out. Paragraphs
    of a cell become its lines (a list's items, milestones); a line break within one is a space."""
    parts: list[str] = []
    t, tab, br, cr, hyphen = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
    for element in paragraph.iter():
        tag = element.tag
        if tag == t:
            parts.append(element.text or "")
        elif tag in (tab, br, cr):  # a line break inside a paragraph lays out one item: the paragraph is the unit
            parts.append(" ")
        elif tag == hyphen:
            parts.append("-")
    return "".join(parts)


BULLET = "• "


def _cell_text(cell: Any, qn: Any, document: Any, numbering: dict[tuple[str, str], int]) -> str:
    """A cell's paragraphs, one a line; a paragraph of a bulleted or numbered list starts with "• ". A list
    paragraph with no text of its own shows only Word's automatic number (a numbering column): it reads as that
    number, counted per list and level in document order."""
    lines = []
    for paragraph in cell.iter(qn("w:p")):
        text = _paragraph_text(paragraph, qn).strip()
        properties = paragraph.find(qn("w:pPr"))
        number = properties.find(qn("w:numPr")) if properties is not None else None
        if number is not None:
            key = (_attribute(number, "w:numId", qn), _attribute(number, "w:ilvl", qn) or "0")
            numbering[key] = numbering.get(key, 0) + 1
            if not text:
                lines.append(str(numbering[key]))
                continue
        if not text:
            continue
        if number is not None or _style_name(document, paragraph, qn).lower().startswith("list"):
            text = BULLET + text
        lines.append(text)
    return "\n".join(lines)


def _attribute(parent: Any, tag: str, qn: Any) -> str:
    element = parent.find(qn(tag))
    return (element.get(qn("w:val")) or "") if element is not None else ""


def _int_attribute(parent: Any, tag: str, qn: Any, default: int) -> int:
    element = parent.find(qn(tag)) if parent is not None else None
    try:
        return int(element.get(qn("w:val"))) if element is not None else default
    except (TypeError, ValueError):
        return default


def _wrapped(parent: Any, tag: str, qn: Any) -> Any:
    """`parent`'s children named `tag` (rows of a table, cells of a row), including those wrapped in content
    controls (a repeating section) or custom XML."""
    for child in parent.iterchildren():
        if child.tag == qn(tag):
            yield child
        elif child.tag in (qn("w:sdt"), qn("w:customXml")):
            content = child.find(qn("w:sdtContent")) if child.tag == qn("w:sdt") else child
            if content is not None:
                yield from _wrapped(content, tag, qn)


def _docx_table(table: Any, qn: Any, name: str, document: Any, numbering: dict[tuple[str, str], int]) -> SourceTable:
    grid = table.find(qn("w:tblGrid"))
    width = len(grid.findall(qn("w:gridCol"))) if grid is not None else 0
    rows: list[list[str]] = []
    result = SourceTable(name, rows, continues_rows=False)
    above: dict[int, str] = {}  # grid column -> text of the merged cell that a vertical merge continues
    for tr in _wrapped(table, "w:tr", qn):
        index = len(rows)
        properties = tr.find(qn("w:trPr"))
        if properties is not None and properties.find(qn("w:tblHeader")) is not None:
            result.repeated_header.add(index)
        column = _int_attribute(properties, "w:gridBefore", qn, 0)
        cells: list[str] = [""] * column
        spans: list[int] = []
        for tc in _wrapped(tr, "w:tc", qn):
            tc_properties = tc.find(qn("w:tcPr"))
            span = max(1, _int_attribute(tc_properties, "w:gridSpan", qn, 1))
            merge = tc_properties.find(qn("w:vMerge")) if tc_properties is not None else None
            if merge is not None and (merge.get(qn("w:val")) or "continue") == "continue":
                text = above.get(column, "")  # nothing when no merged cell starts above (never the header)
                result.merged_down.setdefault(index, set()).add(column)
            else:
                text = _cell_text(tc, qn, document, numbering)
                if merge is None:
                    above.pop(column, None)
                else:
                    above[column] = text
            cells.extend([text] + [""] * (span - 1))
            spans.append(span)
            column += span
        width = max(width, column)
        if len(spans) == 1 and spans[0] > 1 and spans[0] >= width - _int_attribute(properties, "w:gridBefore", qn, 0):
            result.full_width.add(index)
        rows.append(cells)
    for cells in rows:
        cells.extend([""] * (width - len(cells)))
    return result


def _heading(paragraphs: list[tuple[str, str]]) -> tuple[str | None, bool]:
    """The heading just above a table, and whether it is in a Heading style: the last heading-styled paragraph
    since the previous table, else the last short paragraph (a bold line, a caption)."""
    for style, text in reversed(paragraphs):
        if style.lower().startswith("title"):
            break  # the document's title is not a table's heading
        if style.lower().startswith("heading") and len(text) <= 200:
            return text, True
    if paragraphs and len(paragraphs[-1][1]) <= 120 and not paragraphs[-1][1].endswith((".", ":")):
        return paragraphs[-1][1], False
    return None, False
