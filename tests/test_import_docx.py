"""import from Word documents and from the layouts real council plans use: built with python-docx and openpyxl,
imported, and checked field by field."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.importer import ImportProblem, import_table
from actiontrack.load import load_workspace

from .conftest import BUNDLED_PLANS

HEADINGS = ["Action", "Lead organisation", "Timeframe", "Success measure"]


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / "plans").mkdir()
    shutil.copy(BUNDLED_PLANS / "owners.yaml", tmp_path / "plans" / "owners.yaml")
    return tmp_path


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


def add_table(document, rows: list[list[str | list[str]]], *, repeat: bool = True):
    """A table whose first row is the header; a cell given as a list becomes a bulleted list of paragraphs."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            if isinstance(value, list):  # a bulleted list, one paragraph an item
                cell.text = ""
                cell.paragraphs[0].text = value[0]
                cell.paragraphs[0].style = document.styles["List Bullet"]
                for more in value[1:]:
                    cell.add_paragraph(more, style="List Bullet")
            else:
                cell.text = value
    if repeat:
        _repeat_header(table.rows[0])
    return table


def load(repo: Path, slug: str):
    workspace = load_workspace([], cwd=repo)
    assert workspace.problems == [], [p.format() for p in workspace.problems]
    [plan] = [p for p in workspace.plans if p.slug == slug]
    return workspace, plan, {a.action.id: a.action for a in plan.actions}


def test_word_tables_under_headings_with_merged_cells_and_no_numbering(repo, tmp_path):
    document = docx.Document()
    document.core_properties.title = "Smokefree Borough Action Plan 2019-22"
    document.add_paragraph("Smokefree Borough Action Plan 2019-22", style="Title")
    document.add_paragraph("This plan sets out what partners will do.")
    document.add_heading("Theme 1: Smokefree homes", level=2)
    first = add_table(
        document,
        [
            HEADINGS,
            ["Train midwives in very brief advice", "Local Maternity System", "S", ["Midwives trained", "50 midwives"]],
            ["Offer home visits", "Trading Standards", "M", "100 homes"],
            ["Run the campaign", "", "2024 and 2025", "1. All staff will be trained, 2. Leaflets in every GP"],
        ],
    )
    # the lead cell of row 2 is merged down over row 3: the same lead for both
    first.cell(2, 1).merge(first.cell(3, 1))
    document.add_paragraph("")
    document.add_heading("Theme 2: Young people", level=2)
    second = add_table(
        document,
        [
            HEADINGS,
            [
                "Work with schools",
                "Office for Health Improvement and Disparities (OHID) and Department of Health and Social Care (DHSC)",
                "L",
                "20 schools",
            ],
            ["Review the evidence", "DHSC", "March 2021", ""],
            HEADINGS,  # the header typed again on a new page
        ],
    )
    assert second is not None
    # a table continued on the next page, with no header row of its own
    add_table(document, [["Enforce age of sale", "Trading Standards", "S", "All retailers visited"]], repeat=False)
    path = tmp_path / "Smokefree plan.docx"
    document.save(path)

    result = import_table(
        load_workspace([], cwd=repo),
        path,
        "smokefree",
        due_codes=["S=March 2020", "M=March 2021", "L=March 2022"],
    )
    assert result.actions == 6
    assert [(t.id, t.title) for t in result.themes] == [("1", "Smokefree homes"), ("2", "Young people")]
    assert result.numbering and "1.1 to 2.3" in result.numbering
    _, plan, actions = load(repo, "smokefree")
    assert plan.plan.title == "Smokefree Borough Action Plan 2019-22" and plan.plan.period.text == "2019-22"
    assert {c: w.text for c, w in plan.plan.deadline_codes.items()} == {
        "S": "March 2020",
        "M": "March 2021",
        "L": "March 2022",
    }
    assert [p.id for p in plan.plan.priorities] == ["1", "2"]
    assert sorted(actions) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]
    a = actions["1.1"]
    assert (a.priority, a.title, a.due.text, a.due.end.isoformat()) == (
        "1",
        "Train midwives in very brief advice",
        "S",
        "2020-03-31",
    )
    assert [t.text for t in a.targets] == ["Midwives trained", "50 midwives"]  # two list paragraphs, two targets
    assert actions["1.3"].owners == actions["1.2"].owners == ["trading-standards"]  # merged down
    assert (actions["1.3"].due.start.isoformat(), actions["1.3"].due.end.isoformat()) == ("2024-01-01", "2025-12-31")
    assert [t.text for t in actions["1.3"].targets] == ["All staff will be trained", "Leaflets in every GP"]
    assert all(t.value is None for t in actions["1.3"].targets)  # a list's number is not a target
    assert actions["2.1"].owners == [
        "office-for-health-improvement-and-disparities",
        "department-of-health-and-social-care",
    ]
    assert actions["2.2"].owners == ["department-of-health-and-social-care"]  # the acronym alone: the same owner
    assert actions["2.3"].title == "Enforce age of sale" and actions["2.3"].priority == "2"
    new = {o.id: o for o in result.new_owners}
    assert new["department-of-health-and-social-care"].aliases == ["DHSC"]
    assert new["office-for-health-improvement-and-disparities"].kind == "partner"
    assert {new["trading-standards"].kind, new["local-maternity-system"].kind} == {"team"}  # not people
    assert "DHSC" not in {o.name for o in result.new_owners}


def test_full_width_theme_rows_and_a_theme_column(repo, tmp_path):
    document = docx.Document()
    document.add_heading("Physical Activity Action Plan 2023/24", level=1)
    table = add_table(
        document,
        [
            ["No.", "Action", "Lead", "Deadline", "RAG", "Progress"],
            ["Healthy places", "", "", "", "", ""],
            ["1", "Map green spaces", "Planning Policy", "Q2 2023/24", "G", "Mapped 40 sites"],
            ["2", "Open school sites", "Jane Smith", "2023/24", "Complete", ""],
            ["Active people", "", "", "", "", ""],
            ["3", "Walking groups", "Cllr Ann Jones", "2023/24", "red", "Volunteers left"],
        ],
    )
    for row in (1, 4):  # one cell across the whole row: a theme
        table.cell(row, 0).merge(table.cell(row, 5))
    path = tmp_path / "pa.docx"
    document.save(path)
    result = import_table(load_workspace([], cwd=repo), path, "pa", period="2023/24 Q2")
    assert result.actions == 3 and [t.title for t in result.themes] == ["Healthy places", "Active people"]
    assert (result.ratings, result.progress, result.statuses) == (2, 2, 1)
    _, plan, actions = load(repo, "pa")
    assert plan.plan.title == "Physical Activity Action Plan 2023/24"
    assert [(a, actions[a].priority) for a in sorted(actions)] == [("1", "1"), ("2", "1"), ("3", "2")]
    first = actions["1"].updates[0]
    assert (first.period.text, first.rag, first.note) == ("2023/24 Q2", "green", "Mapped 40 sites")
    assert actions["2"].status == "complete" and actions["2"].updates == []
    assert actions["3"].updates[0].rag == "red"
    kinds = {o.name: o.kind for o in result.new_owners}
    assert kinds == {"Jane Smith": "person", "Cllr Ann Jones": "person"}

    # the same plan as a sheet with a theme column (blank = as above) and a theme-title column
    workbook = Workbook()
    sheet = workbook.active
    for row in [
        ["Theme", "Theme name", "Action", "Lead", "Deadline"],
        ["1", "Healthy places", "Map green spaces", "Planning Policy", "Q2 2023/24"],
        ["", "", "Open school sites", "Housing", "2023/24"],
        ["2", "Active people", "Walking groups", "Housing", "2023/24"],
    ]:
        sheet.append(row)
    xlsx = tmp_path / "pa.xlsx"
    workbook.save(xlsx)
    again = import_table(load_workspace([], cwd=repo), xlsx, "pa-sheet")
    assert again.actions == 3 and [(t.id, t.title) for t in again.themes] == [
        ("1", "Healthy places"),
        ("2", "Active people"),
    ]
    _, _, sheet_actions = load(repo, "pa-sheet")
    assert {a: sheet_actions[a].priority for a in sheet_actions} == {"1.1": "1", "1.2": "1", "2.1": "2"}


def test_vertically_merged_numbers_are_lettered_and_table_option(repo, tmp_path):
    document = docx.Document()
    document.add_paragraph("Version history")
    add_table(document, [["Version", "Date"], ["1", "2023-01-01"]])
    document.add_paragraph("Actions")
    table = add_table(
        document,
        [
            ["Ref", "Objective", "Activity", "Lead"],
            ["4", "Reduce falls", "Strength classes", "Housing"],
            ["", "Reduce falls", "Home checks", "Housing"],
        ],
    )
    table.cell(1, 0).merge(table.cell(2, 0))
    path = tmp_path / "falls.docx"
    document.save(path)
    result = import_table(load_workspace([], cwd=repo), path, "falls")
    assert result.actions == 2 and "lettered" in (result.numbering or "")
    assert any("table 1: left out" in note for note in result.notes)  # said, not silently dropped
    _, _, actions = load(repo, "falls")
    assert sorted(actions) == ["4.a", "4.b"] and actions["4.b"].what == "Home checks"
    picked = CliRunner().invoke(app, ["import", str(path), "--plan", "falls2", "--table", "1", str(repo / "plans")])
    assert picked.exit_code == 1 and "no header row found" in picked.output and "Row 1" in picked.output
    out_of_range = CliRunner().invoke(app, ["import", str(path), "--plan", "f3", "--table", "9", str(repo / "plans")])
    assert out_of_range.exit_code == 2 and "has 2 table(s)" in out_of_range.output


def test_deadline_codes_without_a_legend_are_kept_and_reported(repo, tmp_path):
    document = docx.Document()
    add_table(
        document,
        [HEADINGS, ["Do one", "Housing", "S", ""], ["Do two", "Housing", "M", ""], ["Do three", "Housing", "S", ""]],
    )
    path = tmp_path / "codes.docx"
    document.save(path)
    result = CliRunner().invoke(app, ["import", str(path), "--plan", "codes", str(repo / "plans")])
    assert result.exit_code == 0, result.output
    assert 'codes seen: "S" x2, "M" x1' in result.stderr and '--due-code "S=March 2024"' in result.stderr
    text = next((repo / "plans" / "codes" / "actions").glob("1-*.yaml")).read_text()
    assert 'due_as_written: "S"' in text and "\ndue:" not in text
    lint = CliRunner().invoke(app, ["lint", str(repo / "plans" / "codes"), "--as-of", "2023-01-01"])
    assert "unread-deadline" in lint.output and '"S"' in lint.output and "missing-deadline" not in lint.output
    # the legend added later in plan.yaml: `due: S` now reads everywhere
    plan_yaml = repo / "plans" / "codes" / "plan.yaml"
    plan_yaml.write_text(plan_yaml.read_text() + 'deadline_codes: {S: "March 2020", M: "March 2021"}\n')
    for action in (repo / "plans" / "codes" / "actions").glob("*.yaml"):
        action.write_text(action.read_text().replace("due_as_written:", "due:"))
    status = CliRunner().invoke(app, ["status", str(repo / "plans" / "codes"), "--json", "--as-of", "2020-06-01"])
    assert status.exit_code == 0, status.output
    assert '"2020-03-31"' in status.stdout


def test_an_unknown_code_in_a_plan_with_a_legend_names_the_codes(repo, tmp_path):
    plan = repo / "plans" / "p"
    (plan / "actions").mkdir(parents=True)
    (plan / "plan.yaml").write_text('title: P\ndeadline_codes: {S: "March 2020"}\n')
    (plan / "actions" / "1-x.yaml").write_text('id: "1"\ntitle: X\nowners: [housing]\ndue: "Q"\n')
    workspace = load_workspace([], cwd=repo)
    [problem] = workspace.problems
    assert problem.line == 4 and "nor one of the plan's deadline codes" in problem.message and '"S"' in problem.message


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not a zip"), "not a readable Word document"),
        (
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le")),
            "password",
        ),
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64), "old-style .doc"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("x.txt", "x"), "not a readable Word document"),
    ],
)
def test_bad_word_files_are_clear_errors_and_write_nothing(repo, tmp_path, make, message):
    path = tmp_path / "plan.docx"
    make(path)
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    result = CliRunner().invoke(app, ["import", str(path), "--plan", "x", str(repo / "plans")])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before


def _png() -> bytes:
    """A 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def test_empty_tables_pictures_and_no_tables(repo, tmp_path):
    document = docx.Document()
    document.add_paragraph("Our plan, in prose only.")
    prose = tmp_path / "prose.docx"
    document.save(prose)
    with pytest.raises(ImportProblem, match="has no tables"):
        import_table(load_workspace([], cwd=repo), prose, "x")
    document = docx.Document()
    pictures = document.add_table(rows=2, cols=2)  # a table of pictures: an image in each cell, no text
    for cell in (c for row in pictures.rows for c in row.cells):
        cell.paragraphs[0].add_run().add_picture(io.BytesIO(_png()))
    empty = tmp_path / "pictures.docx"
    document.save(empty)
    with pytest.raises(ImportProblem, match=r"is empty \(no text in any cell; a table of pictures"):
        import_table(load_workspace([], cwd=repo), empty, "x")
    document = docx.Document()
    add_table(document, [HEADINGS])
    header_only = tmp_path / "header.docx"
    document.save(header_only)
    with pytest.raises(ImportProblem, match="header but no action rows"):
        import_table(load_workspace([], cwd=repo), header_only, "x")
    assert not (repo / "plans" / "x").exists()


def test_unknown_headings_show_the_row_and_the_nearest_known_ones(repo, tmp_path):
    workbook = Workbook()
    workbook.active.append(["Intervention", "Lead Partner", "Timeframe", "Sucess measure"])
    workbook.active.append(["Do it", "Housing", "2024", "10 homes"])
    path = tmp_path / "odd.xlsx"
    workbook.save(path)
    result = CliRunner().invoke(app, ["import", str(path), "--plan", "odd", str(repo / "plans")])
    assert result.exit_code == 1
    assert "Row 1 looks like headings" in result.output and '"Lead Partner" is owners' in result.output
    assert '"Sucess measure" is like "success measure"' in result.output
    assert '--map "Intervention=title"' in result.output
    fixed = CliRunner().invoke(
        app,
        [
            "import",
            str(path),
            "--plan",
            "odd",
            "--map",
            "Intervention=title",
            "--map",
            "Sucess measure=targets",
            str(repo / "plans"),
        ],
    )
    assert fixed.exit_code == 0, fixed.output


def test_bad_options_are_usage_errors(repo, tmp_path):
    document = docx.Document()
    add_table(document, [HEADINGS, ["Do one", "Housing", "S", ""]])
    path = tmp_path / "p.docx"
    document.save(path)
    for args, message in [
        (["--due-code", "S"], 'write it as "CODE=DATE"'),
        (["--due-code", "S=soonish"], "is not a date"),
        (["--period", "Q7"], "--period"),
        (["--map", "Action=titel"], 'did you mean "title"'),
    ]:
        result = CliRunner().invoke(app, ["import", str(path), "--plan", "p", *args, str(repo / "plans")])
        assert result.exit_code in (1, 2) and message in result.output, (args, result.output)
    assert CliRunner().invoke(app, ["import", str(path), "--plan", "p", "--due-code", "S"]).exit_code == 2


def test_the_installed_command_imports_a_word_plan(repo, tmp_path):
    import subprocess
    import sys

    document = docx.Document()
    document.add_heading("Air Quality Action Plan 2024-27", level=1)
    add_table(document, [HEADINGS, ["Monitor NO2 at schools", "Regulatory Services", "by March 2025", "12 sites"]])
    path = tmp_path / "aq.docx"
    document.save(path)
    run = subprocess.run(
        [sys.executable, "-m", "actiontrack", "import", str(path), "--plan", "air-quality"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith("imported 1 action into plan air-quality\n")
    assert "wrote plans/air-quality/actions/1-monitor-no2-at-schools.yaml" in run.stdout
    _, plan, actions = load(repo, "air-quality")
    assert plan.plan.period.text == "2024-27" and actions["1"].owners == ["regulatory-services"]
    assert (actions["1"].due.text, actions["1"].due.end.isoformat()) == ("by March 2025", "2025-03-31")
    assert actions["1"].targets[0].value == 12


# ---- found in review: each a way a real document went wrong --------------------------------------------------------


def _word(tmp_path: Path, name: str, build) -> Path:
    document = docx.Document()
    build(document)
    path = tmp_path / name
    document.save(path)
    return path


def test_word_lists_automatic_numbers_and_content_controls(repo, tmp_path):
    def build(document):
        table = add_table(document, [["No.", "Action", "Lead"], ["", "Map sites", ""], ["", "Open sites", "Housing"]])
        for row in (1, 2):  # Word's own numbering: the number is not text
            table.cell(row, 0).paragraphs[0].style = document.styles["List Number"]
            number = OxmlElement("w:numPr")
            for tag, value in (("w:ilvl", "0"), ("w:numId", "7")):
                element = OxmlElement(tag)
                element.set(qn("w:val"), value)
                number.append(element)
            table.cell(row, 0).paragraphs[0]._p.get_or_add_pPr().append(number)
        lead = table.cell(1, 2)  # a bulleted list of two leads
        lead.paragraphs[0].text = "Planning Policy"
        lead.paragraphs[0].style = document.styles["List Bullet"]
        lead.add_paragraph("Regulatory Services", style="List Bullet")
        # a third row inside a content control (Word's repeating section)
        sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
        extra = add_table(document, [["3", "Close sites", "Housing"]], repeat=False).rows[0]._tr
        content.append(extra)
        sdt.append(content)
        table._tbl.append(sdt)
        document.element.body.remove(document.element.body.findall(qn("w:tbl"))[-1])

    path = _word(tmp_path, "lists.docx", build)
    result = import_table(load_workspace([], cwd=repo), path, "lists")
    assert result.actions == 3 and result.new_owners == []
    _, _, actions = load(repo, "lists")
    assert sorted(actions) == ["1", "2", "3"] and actions["1"].owners == ["planning-policy", "regulatory-services"]
    assert actions["3"].title == "Close sites"


def test_merge_down_with_no_start_never_copies_the_header(repo, tmp_path):
    def build(document):
        table = add_table(document, [HEADINGS, ["Do one", "", "2024", ""]])
        merge = OxmlElement("w:vMerge")  # "continue" with no "restart" above it
        table.cell(1, 1)._tc.get_or_add_tcPr().append(merge)

    result = import_table(load_workspace([], cwd=repo), _word(tmp_path, "vm.docx", build), "vm")
    assert [o.name for o in result.new_owners] == []
    _, _, actions = load(repo, "vm")
    assert actions["1"].owners == []


def test_title_after_a_letterhead_table_and_a_caption_is_not_a_theme(repo, tmp_path):
    def build(document):
        document.add_table(rows=1, cols=2).cell(0, 0).text = "Borough Council"  # a letterhead
        document.add_paragraph("Healthy Weight Action Plan 2024-26", style="Title")
        document.add_paragraph("Table 1: Action plan")
        add_table(document, [HEADINGS, ["Do one", "Housing", "2025", ""]])
        add_table(document, [HEADINGS, ["Do two", "Housing", "2025", ""]])  # the table split, header repeated

    result = import_table(load_workspace([], cwd=repo), _word(tmp_path, "hw.docx", build), "hw")
    assert result.actions == 2 and result.themes == []
    _, plan, _ = load(repo, "hw")
    assert (plan.plan.title, plan.plan.period.text) == ("Healthy Weight Action Plan 2024-26", "2024-26")


def test_spreadsheet_rows_are_not_glued_and_lone_actions_are_actions(repo, tmp_path):
    workbook = Workbook()
    for row in [
        ["Action", "Lead", "Deadline", "Target"],
        ["Train midwives.", "Housing", "2024", "50 midwives"],
        ["Explore a vape amnesty scheme", "", "", "10 schools"],  # its own action, with blanks
        ["Survey schools", "", "", ""],  # a lone action text in the first column: an action, not a theme
        ["and colleges", "", "", ""],  # starts in lower case: the row above ran on
    ]:
        workbook.active.append(row)
    cell = workbook.active.cell(2, 3)
    cell.value = __import__("datetime").date(2024, 3, 1)
    cell.number_format = "mmm-yy"  # shown as "Mar-24": the month, not its first day
    workbook.active.cell(2, 4).value = 0.75
    workbook.active.cell(2, 4).number_format = "0%"
    path = tmp_path / "glue.xlsx"
    workbook.save(path)
    result = import_table(load_workspace([], cwd=repo), path, "glue")
    assert result.actions == 3 and result.themes == []
    assert any("row 5 joined to" in note for note in result.notes)  # said, not silent
    _, _, actions = load(repo, "glue")
    assert [actions[i].title for i in ("1", "2", "3")] == [
        "Train midwives.",
        "Explore a vape amnesty scheme",
        "Survey schools and colleges",
    ]
    assert (actions["1"].due.text, actions["1"].due.end.isoformat()) == ("March 2024", "2024-03-31")
    assert actions["1"].targets[0].text == "75%"


def test_theme_names_and_a_second_sheet_of_the_same_plan(repo, tmp_path):
    def sheet(rows: list[list[str]], name: str) -> Path:
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    first = sheet(
        [
            ["Theme", "Action", "Lead"],
            ["Smokefree homes", "Visit homes", "Housing"],
            ["Young people", "Visit", "Housing"],
        ],
        "y1.xlsx",
    )
    assert import_table(load_workspace([], cwd=repo), first, "two").actions == 2
    second = sheet(
        [["Theme", "Ref", "Action", "Lead"], ["Young people", "Y2", "School sessions", "Housing"]], "y2.xlsx"
    )
    again = import_table(load_workspace([], cwd=repo), second, "two")
    assert again.actions == 1 and "matched to the priorities in plan.yaml" in "\n".join(again.summary())
    _, plan, actions = load(repo, "two")
    assert actions["Y2"].priority == "2" and [p.title for p in plan.plan.priorities] == [
        "Smokefree homes",
        "Young people",
    ]
    third = sheet([["Theme", "Ref", "Action", "Lead"], ["Older people", "O1", "Falls", "Housing"]], "y3.xlsx")
    with pytest.raises(ImportProblem, match=r'no priority for the theme\(s\) "Older people"'):
        import_table(load_workspace([], cwd=repo), third, "two")
    only_names = sheet([["Theme name", "Action", "Lead"], ["Active travel", "Cycle lanes", "Housing"]], "n.xlsx")
    named = import_table(load_workspace([], cwd=repo), only_names, "named")
    assert [(t.id, t.title) for t in named.themes] == [("1", "Active travel")]


def test_a_period_column_is_checked_against_the_plan(repo, tmp_path):
    table = tmp_path / "p.csv"
    table.write_text(
        "Plan 2019-22\nRef,Action,Lead,RAG,Progress,Period\n1,Do it,Housing,Green,Fine,2030/31 Q1\n"
        "2,Do that,Housing,Amber/Green,Slower,2020/21 Q1\n",
        encoding="utf-8",
    )
    result = import_table(load_workspace([], cwd=repo), table, "periods")
    assert any("2030/31 Q1 is outside the plan's period" in note for note in result.notes)
    _, _, actions = load(repo, "periods")
    assert actions["1"].updates == [] and actions["2"].updates[0].rag == "amber"  # the more cautious rating
