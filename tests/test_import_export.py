"""import (CSV, TSV, XLSX), export (CSV, XLSX) and init."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.importer import ImportProblem, import_table, propose_owner, split_owners
from actiontrack.load import load_workspace
from actiontrack.model import Owner

from .conftest import BUNDLED_PLANS
from .test_bundled_plans import norm

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
HW_TABLE = SEEDS / "health-wellbeing-action-plan-2022-23.txt"  # the published tables: tab-separated cells
HI_TABLE = SEEDS / "health-inequalities-action-plan-2021-23.txt"
HW, HI = "health-wellbeing-2022-23", "health-inequalities-2021-23"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A plans repository with the bundled owners registry and no plans yet."""
    (tmp_path / "plans").mkdir()
    shutil.copy(BUNDLED_PLANS / "owners.yaml", tmp_path / "plans" / "owners.yaml")
    return tmp_path


def as_csv(table: Path, out: Path) -> Path:
    rows = [line.split("\t") for line in table.read_text(encoding="utf-8").splitlines()]
    with out.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return out


def as_xlsx(table: Path, out: Path) -> Path:
    workbook = Workbook()
    for line in table.read_text(encoding="utf-8").splitlines():
        workbook.active.append(line.split("\t"))
    workbook.save(out)
    return out


def content(plans: Path, slug: str) -> dict:
    """What an action says, compared as text (layout such as a list restored from a flattened one set aside)."""
    workspace = load_workspace([plans / slug])
    assert workspace.problems == [], [p.format() for p in workspace.problems]
    actions = {}
    for source in workspace.actions:
        action = source.action
        actions[action.id] = {
            "priority": action.priority,
            "title": norm(action.title),
            "what": norm(action.what),
            "due": action.due.text if action.due else None,
            "owners": action.owners,
            "milestones": norm(" ".join(m.text for m in action.milestones)),
            "targets": [(t.text, t.value, t.unit) for t in action.targets],
            "outcome": norm(action.outcome),
        }
    [plan] = workspace.plans
    return {
        "title": plan.plan.title,
        "period": plan.plan.period.text,
        "priorities": [(p.id, p.title) for p in plan.plan.priorities],
        "actions": actions,
    }


@pytest.mark.parametrize("kind", ["tsv", "csv", "xlsx"])
@pytest.mark.parametrize(("slug", "table"), [(HW, HW_TABLE), (HI, HI_TABLE)])
def test_seed_tables_import_to_the_bundled_plans(repo, tmp_path, kind, slug, table):
    source = {
        "tsv": lambda: table,
        "csv": lambda: as_csv(table, tmp_path / f"{slug}.csv"),
        "xlsx": lambda: as_xlsx(table, tmp_path / f"{slug}.xlsx"),
    }[kind]()
    result = import_table(load_workspace([], cwd=repo), source, slug)
    assert result.actions == (25 if slug == HW else 19)
    imported, bundled = content(repo / "plans", slug), content(BUNDLED_PLANS, slug)
    assert imported["priorities"] == bundled["priorities"]
    assert (imported["title"], imported["period"]) == (bundled["title"], bundled["period"])
    assert imported["actions"] == bundled["actions"]
    assert [o.id for o in result.new_owners] == (["hwbb-education-sub-group"] if slug == HI else [])
    assert load_workspace([], cwd=repo).problems == []


def test_reimport_never_overwrites_without_force(repo):
    workspace = load_workspace([], cwd=repo)
    import_table(workspace, HI_TABLE, HI)
    edited = next((repo / "plans" / HI / "actions").glob("1-*.yaml"))
    edited.write_text(edited.read_text() + "status: complete\n")
    again = import_table(load_workspace([], cwd=repo), HI_TABLE, HI)
    assert again.actions == 0 and len(again.skipped) == 19
    assert edited.read_text().endswith("status: complete\n")
    forced = import_table(load_workspace([], cwd=repo), HI_TABLE, HI, force=True)
    assert forced.actions == 19 and "status: complete" not in edited.read_text()


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_unknown_headings_are_listed_and_nothing_is_written(repo, tmp_path):
    table = write_csv(
        tmp_path / "t.csv",
        [["Ref", "Action", "Budget", "Risk owner", "Deadline"], ["1", "Do it", "£5k", "Ann", "2023"]],
    )
    with pytest.raises(ImportProblem) as raised:
        import_table(load_workspace([], cwd=repo), table, "new-plan")
    assert 'unmapped columns: "Budget", "Risk owner"' in str(raised.value) and "--map" in str(raised.value)
    assert not (repo / "plans" / "new-plan").exists()
    result = import_table(load_workspace([], cwd=repo), table, "new-plan", maps=["Budget=skip", "Risk owner=owners"])
    assert result.actions == 1 and [o.name for o in result.new_owners] == ["Ann"]


def test_synonyms_sections_owners_and_notes(repo, tmp_path):
    rows = [
        ["Borough Health Plan 2024/25"],
        ["Ref", "Action", "Lead officer", "Timescale", "Success measure", "RAG", "Progress"],
        ["Theme A - Healthy homes", "", "", "", "", "", ""],
        ["A1", "Insulate homes", "Health & Wellbeing Team / Jane Smith", "Q3 2024/25", "150 homes", "", ""],
        ["A2", "Damp checks", "Regulatory Services; Housing", "when possible", "", "Amber", "Started in May"],
        ["", "Fix boilers", "Housing", "2025", "", "", ""],
    ]
    table = write_csv(tmp_path / "plan.csv", rows)
    result = import_table(load_workspace([], cwd=repo), table, "borough-health")
    assert result.actions == 2
    assert [o.id for o in result.new_owners] == ["jane-smith"] and result.new_owners[0].kind == "person"
    notes = "\n".join(result.notes)
    assert '"when possible" is not a date actiontrack understands (1 row: row 5)' in notes
    assert (result.ratings_left_out, result.progress_left_out) == (1, 1)  # no --period: counted, not lost
    assert any("left out: 1 RAG ratings and 1 progress notes" in line for line in result.summary())
    assert "row 6: no number: Fix boilers | Housing | 2025" in notes
    workspace = load_workspace([], cwd=repo)
    assert workspace.problems == []
    [plan] = [p for p in workspace.plans if p.slug == "borough-health"]
    assert (plan.plan.title, plan.plan.period.text, plan.plan.priorities[0].id) == (
        "Borough Health Plan 2024/25",
        "2024/25",
        "A",
    )
    a1 = next(a.action for a in plan.actions if a.action.id == "A1")
    assert a1.owners == ["health-wellbeing", "jane-smith"] and a1.targets[0].value == 150
    a2_text = next((repo / "plans" / "borough-health" / "actions").glob("A2-*.yaml")).read_text()
    assert 'due_as_written: "when possible"' in a2_text  # kept, and reported by lint as unread, not missing


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Planning Policy Health & Wellbeing", ["planning-policy", "health-wellbeing"]),
        ("Everyone Active Health & Wellbeing Team", ["everyone-active", "health-wellbeing"]),
        (
            "Communications Community Partnerships Leicestershire Partnership Trust",
            ["communications", "community-partnerships", "leicestershire-partnership-trust"],
        ),
        ("Jen Mackenzie/ Veronika Quintyne", ["jen-mackenzie", "veronika-quintyne"]),
        ("Housing, Mystery Team", ["housing", ("Mystery Team",)]),
        ("Unknown Lead Regulatory Services", [("Unknown Lead",), "regulatory-services"]),
    ],
)
def test_split_owners(cell, expected):
    assert split_owners(cell, load_workspace([BUNDLED_PLANS]).owners, None) == expected


def test_owner_separator_option():
    owners = load_workspace([BUNDLED_PLANS]).owners
    assert split_owners("Housing + Regulatory Services", owners, " + ") == ["housing", "regulatory-services"]


def test_windows_csv_and_cli_dry_run(repo, tmp_path):
    table = tmp_path / "excel.csv"
    table.write_bytes("Ref,Action,Lead,Deadline\r\n1,Café opening hours,Housing,March 2024\r\n".encode("cp1252"))
    result = CliRunner().invoke(app, ["import", str(table), "--plan", "cafes", str(repo / "plans"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would write plans/cafes/actions/1-caf-opening-hours.yaml" in result.stdout
    assert not (repo / "plans" / "cafes").exists()
    real = CliRunner().invoke(app, ["import", str(table), "--plan", "cafes", str(repo / "plans")])
    assert real.exit_code == 0
    assert "Café opening hours" in next((repo / "plans" / "cafes" / "actions").glob("1-*.yaml")).read_text()
    bad = CliRunner().invoke(app, ["import", str(table), "--plan", "Bad Slug", str(repo / "plans")])
    assert bad.exit_code == 2 and "lower-case letters" in bad.output


def test_export_csv_and_xlsx(tmp_path):
    plans = tmp_path / "plans"
    shutil.copytree(BUNDLED_PLANS, plans)
    CliRunner().invoke(
        app, ["update", "1.c", str(plans), "--period", "2022/23 Q4", "--rag", "red", "--note", '=HYPERLINK("x")']
    )
    out = tmp_path / "actions.csv"
    result = CliRunner().invoke(
        app, ["export", str(plans), "--format", "csv", "--out", str(out), "--as-of", "2023-06-30"]
    )
    assert result.exit_code == 0 and "wrote 44 actions" in result.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 44
    row = next(r for r in rows if r["ID"] == "1.c")
    assert (row["Latest RAG"], row["Latest update period"], row["Due date"]) == ("RED", "2022/23 Q4", "2023-03-31")
    assert row["Latest update"] == '\'=HYPERLINK("x")'  # shown as text in a spreadsheet, never run
    assert row["Owners"] == "Regulatory Services" and row["State"] == "Overdue"
    xlsx = tmp_path / "actions.xlsx"
    assert (
        CliRunner()
        .invoke(app, ["export", str(plans), "-f", "xlsx", "-o", str(xlsx), "--as-of", "2023-06-30"])
        .exit_code
        == 0
    )
    sheet = load_workbook(xlsx).active
    assert sheet.max_row == 45 and sheet["B1"].value == "ID"
    assert [c.value for c in sheet[1]][:5] == ["Plan", "ID", "Priority", "Priority title", "Action"]


# ---- regressions found in review ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registry", "kept"),
    [
        ("owners:\n- id: team-a\n  name: Team A\n  kind: team\n", None),  # dashes at column 0
        ("owners: [{id: team-a, name: Team A, kind: team}]\n", "owners:\n  - {id: team-a, name: Team A, kind: team}\n"),
        ("# our teams\nowners:\n    -   id: team-a\n        name: Team A\n        kind: team\n", None),  # wide
    ],
)
def test_new_owners_are_added_in_the_registry_s_own_style(tmp_path, registry, kept):
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "owners.yaml").write_text(registry)
    table = write_csv(tmp_path / "t.csv", [["Ref", "Action", "Lead"], ["1", "Do it", "Team B / Team A"]])
    result = import_table(load_workspace([], cwd=tmp_path), table, "p")
    assert [o.id for o in result.new_owners] == ["team-b"]
    text = (tmp_path / "plans" / "owners.yaml").read_text()
    assert text.startswith(kept or registry)  # the existing lines are kept (a flow list becomes a block)
    workspace = load_workspace([], cwd=tmp_path)
    assert workspace.problems == [] and set(workspace.owners) == {"team-a", "team-b"}
    assert workspace.actions[0].action.owners == ["team-b", "team-a"]
    assert not any("looks like" in note for note in result.notes)  # "Team B" is not a misspelling of "Team A"


def test_registry_names_holding_separators_are_not_cut():
    owners = {
        "fire": Owner(id="fire", name="Leicestershire Fire and Rescue Service", kind="partner"),
        "ph": Owner(id="ph", name="Planning/Housing", kind="team"),
    }
    assert split_owners("Leicestershire Fire and Rescue Service and Planning/Housing", owners, None) == ["fire", "ph"]
    assert split_owners("planning/housing, Someone Else", owners, None) == ["ph", ("Someone Else",)]


def test_odd_tables_give_clear_messages(repo, tmp_path):
    semicolons = tmp_path / "eu.csv"
    semicolons.write_text("Ref;Action;Lead;Deadline\n1;Open the café;Housing;2024\n", encoding="utf-8")
    assert import_table(load_workspace([], cwd=repo), semicolons, "eu").actions == 1
    binary = tmp_path / "bad.csv"
    binary.write_bytes(b"Ref,Action\n1,caf\x81\n")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("Ref,Action\n1,x\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for table, message in [
        (binary, "not UTF-8 or Windows-1252"),
        (fake, "not a readable Excel workbook"),
        (empty, "the table is empty"),
    ]:
        result = CliRunner().invoke(app, ["import", str(table), "--plan", "x", str(repo / "plans")])
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_proposed_owner_ids_from_non_ascii_names():
    owners: dict = {}
    first = propose_owner("Équipe Été", owners)
    assert first.id == "equipe-ete"
    owners[first.id] = first
    assert propose_owner("東京チーム", owners).id == "owner"
    owners["owner"] = propose_owner("東京チーム", owners)
    assert propose_owner("大阪チーム", owners).id == "owner-2"  # different names never share an id


def test_written_files_follow_the_umask_and_bad_targets_are_clear(tmp_path, monkeypatch):
    import os
    import stat

    plans = tmp_path / "plans"
    shutil.copytree(BUNDLED_PLANS, plans)
    old = os.umask(0o022)
    try:
        out = tmp_path / "actions.csv"
        assert CliRunner().invoke(app, ["export", str(plans), "--out", str(out)]).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        site = tmp_path / "site"
        assert CliRunner().invoke(app, ["report", str(plans), "--out", str(site)]).exit_code == 0
        assert stat.S_IMODE(site.stat().st_mode) == 0o755  # a web server running as another user can read it
        assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o644
    finally:
        os.umask(old)
    for args in (
        ["export", str(plans), "--out", str(tmp_path)],
        ["schema", "--out", str(plans / "owners.yaml")],
        ["init", str(plans / "owners.yaml")],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output, args


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("slug", [HW, HI])
def test_export_then_import_gives_the_same_plan(tmp_path, kind, slug):
    """ids, priorities, owners, due text, targets and the latest update survive a round trip through a table."""
    source = tmp_path / "source"
    shutil.copytree(BUNDLED_PLANS.parent, source, ignore=shutil.ignore_patterns(".git", ".venv", "site"))
    plans = source / "plans"
    first = sorted(load_workspace([plans / slug]).actions, key=lambda a: a.action.id)[0].action.id
    for args in (
        [first, "--period", "2022/23 Q2", "--rag", "amber", "--note", "Slipped; see the minutes, item 4"],
        [first, "--period", "2022/23 Q3", "--rag", "green", "--note", "Back on track"],
    ):
        result = CliRunner().invoke(app, ["update", *args, "--plan", slug, str(plans)])
        assert result.exit_code == 0, result.output
    table = tmp_path / f"{slug}.{kind}"
    exported = CliRunner().invoke(app, ["export", str(plans / slug), "-f", kind, "-o", str(table)])
    assert exported.exit_code == 0, exported.output
    target = tmp_path / "target"
    (target / "plans").mkdir(parents=True)
    shutil.copy(plans / "owners.yaml", target / "plans" / "owners.yaml")
    imported = CliRunner().invoke(app, ["import", str(table), "--plan", slug, str(target / "plans")])
    assert imported.exit_code == 0, imported.output

    def facts(folder: Path) -> dict:
        workspace = load_workspace([folder])
        [plan] = workspace.plans
        return {
            "title": plan.plan.title,
            "priorities": [(p.id, p.title) for p in plan.plan.priorities],
            "actions": {
                a.action.id: (
                    a.action.priority,
                    a.action.title,
                    a.action.what,
                    a.action.owners,
                    a.action.due.text if a.action.due else None,
                    [t.text for t in a.action.targets],
                    a.action.outcome,
                    (lambda u: (u.period.text, u.rag, u.note) if u else None)(
                        a.action.updates[-1] if a.action.updates else None
                    ),
                )
                for a in plan.actions
            },
        }

    before, after = facts(plans / slug), facts(target / "plans" / slug)
    assert after["title"] == before["title"]
    assert set(after["priorities"]) == set(before["priorities"])
    assert after["actions"] == before["actions"]
    assert after["actions"][first][-1] == ("2022/23 Q3", "green", "Back on track")
