"""`actiontrack export`: one row per action with its latest update, as CSV or XLSX for committee papers.

`actiontrack import` reads the table back: every heading here is one it knows (Due date and State, worked out
from the others, are left out), so export then import gives the same plan."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from .derive import Snapshot
from .writes import atomic_write

COLUMNS = [
    ("Plan", "plan"),
    ("ID", "id"),
    ("Priority", "priority"),
    ("Priority title", "priority_title"),
    ("Action", "title"),
    ("What we will do", "what"),
    ("Owners", "owners"),
    ("Due", "due"),
    ("Due date", "due_date"),
    ("State", "state"),
    ("Status", "status"),
    ("Latest RAG", "rag"),
    ("Latest update period", "latest_period"),
    ("Latest update", "latest_note"),
    ("Targets", "targets"),
    ("Latest actuals", "actuals"),
    ("Outcome", "outcome"),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    workspace = snapshot.workspace
    result = []
    for derived in snapshot.actions:
        action = derived.action
        latest = derived.latest
        plan = derived.plan.plan
        titles = {p.id: p.title for p in plan.priorities} if plan else {}
        result.append(
            {
                "plan": derived.plan.title,
                "id": action.id,
                "priority": action.priority or "",
                "priority_title": titles.get(action.priority or "", ""),
                "title": action.title,
                "what": action.what or "",
                "owners": "; ".join(workspace.owner_name(o) for o in action.owners),
                "due": action.due.text if action.due else (action.due_as_written or ""),
                "due_date": derived.due_date.isoformat() if derived.due_date else "",
                "state": derived.state_label,
                "status": derived.status or "",
                "rag": (derived.rag or "").upper(),
                "latest_period": latest.period.text if latest else "",
                "latest_note": (latest.note or "") if latest else "",
                # several targets as a bulleted list, which import reads back as separate targets
                "targets": "\n".join(f"• {t.text}" for t in action.targets)
                if len(action.targets) > 1
                else "".join(t.text for t in action.targets),
                "outcome": action.outcome or "",
                # each measurable target's latest actual: "1200 x visits: 310 by 2022/23 Q2 (steady pace: 600)"
                "actuals": "\n".join(
                    f"{k.target.text}: {k.actual:g} by {k.period}"
                    + (f" (steady pace: {k.expected:,.0f})" if k.expected is not None and not k.met else "")
                    for k in derived.kpis
                    if k.actual is not None
                ),
            }
        )
    return result


def _safe(value: str) -> str:
    """A spreadsheet must show text, never run it: a cell starting like a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export(snapshot: Snapshot, fmt: str, out: Path) -> int:
    """Write the table; return the number of action rows."""
    records = rows(snapshot)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([heading for heading, _ in COLUMNS])
        for record in records:
            writer.writerow([_safe(str(record[key])) for _, key in COLUMNS])
        atomic_write(out, "\ufeff" + buffer.getvalue())  # the BOM makes Excel read UTF-8
        return len(records)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    sheet.append([heading for heading, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([_safe(str(record[key])) for _, key in COLUMNS])
    widths = {"title": 60, "what": 50, "latest_note": 50, "outcome": 50, "owners": 30, "targets": 30, "plan": 30}
    for index, (_, key) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = widths.get(key, 14)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    workbook.properties.creator = "actiontrack"
    buffer = io.BytesIO()
    workbook.save(buffer)
    atomic_write(out, buffer.getvalue())
    return len(records)
