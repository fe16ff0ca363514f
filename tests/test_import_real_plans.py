"""Two real published action plans (tests/fixtures/real/README.md cites them), kept as their publisher keeps them,
import with every action, theme, owner, deadline and rating right: checked field by field against a transcription
made by hand (expected.json)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.load import load_workspace

REAL = Path(__file__).parent / "fixtures" / "real"
EXPECTED = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
SHEET = "sfws-action-plan-2019-22-jan-2020.xlsx"
WORD = "sfws-strategy-extension-action-plan-nov-2022.docx"


def words(text: str | None) -> str:
    return " ".join((text or "").split())


def run_import(repo: Path, source: str, slug: str, *options: str) -> str:
    (repo / "plans").mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL / source, repo / source)
    result = CliRunner().invoke(app, ["import", str(repo / source), "--plan", slug, *options, str(repo / "plans")])
    assert result.exit_code == 0, result.output
    return result.stderr


def imported(repo: Path, slug: str):
    workspace = load_workspace([], cwd=repo)
    assert workspace.problems == [], [p.format() for p in workspace.problems]
    [plan] = [p for p in workspace.plans if p.slug == slug]
    return workspace, plan, {a.action.id: a.action for a in plan.actions}


SHEET_MAPS = [
    *("--map", "ap_number=id", "--map", "ap_title=title", "--map", "ap_text=what"),
    *("--map", "success=targets", "--map", "partners=owners", "--map", "progress=update"),
    *("--map", "January update=update", "--map", "achieved=rag", "--map", "hic_number=priority"),
    *("--map", "hic_label=priority_title", "--map", "timeframe=due"),
    *("--map", "hic_class=skip", "--map", "level=skip", "--map", "Clarity required=skip"),
]


def test_the_partnership_spreadsheet_with_themes_codes_and_ratings(tmp_path):
    expected = EXPECTED[SHEET]
    summary = run_import(
        tmp_path,
        SHEET,
        "sfws-2019-22",
        *SHEET_MAPS,
        *[option for code, date in expected["legend"].items() for option in ("--due-code", f"{code}={date}")],
        *("--period", "2019/20 Q3"),
    )
    assert "imported 71 actions" in summary and "themes: 10" in summary
    assert "70 read (70 through the plan's codes" in summary and "0 not read" in summary
    assert "updates for 2019/20 Q3: 60 RAG ratings" in summary
    workspace, plan, actions = imported(tmp_path, "sfws-2019-22")
    assert plan.plan.title == expected["title"] and plan.plan.period.text == expected["period"]
    assert {c: w.text for c, w in plan.plan.deadline_codes.items()} == expected["legend"]
    themes = {p.id: p.title for p in plan.plan.priorities}
    assert len(themes) == 10
    assert len(actions) == len(expected["actions"]) == 71
    for want in expected["actions"]:
        got = actions[str(want["id"])]
        where = f"action {want['id']}"
        assert (got.priority, words(themes[got.priority])) == (str(want["theme_number"]), words(want["theme"])), where
        assert words(got.title) == words(want["title"]), where
        assert words(got.what) == words(want["description"]), where
        # the same name in another case ("Public health") is the same owner
        names = [words(workspace.owners[o].name).casefold() for o in got.owners]
        assert names == [words(o).casefold() for o in want["owners"]], where
        if "due" in want:
            assert got.due.text == want["due"], where  # kept as written: "S", "S/M"
            last_code = want["due"].split("/")[-1]  # a span of codes ends when its last code does
            assert got.due.end.strftime("%B %Y") == expected["legend"][last_code], where
        else:
            assert got.due is None and got.due_as_written is None, where
        targets = want.get("target_items") or [want["target"]]
        assert [words(t.text) for t in got.targets] == [words(t) for t in targets], where
        assert all(t.value is None for t in got.targets if t.text[:1].isalpha()), where
        update = got.updates[0] if got.updates else None
        if "rag" in want:
            assert update is not None and update.rag == want["rag"].strip().lower(), where
        else:
            assert update is None or update.rag is None, where
        for key in ("progress", "update"):
            if key in want:
                assert words(want[key]) in words(update.note), where
    spans = [a for a in actions.values() if a.due and a.due.text == "S/M/L"]
    assert len(spans) == 8 and {(a.due.start.isoformat(), a.due.end.isoformat()) for a in spans} == {
        ("2020-03-01", "2022-03-31")
    }


def test_the_partnership_word_table_with_numbers_in_the_action_text(tmp_path):
    expected = EXPECTED[WORD]
    summary = run_import(
        tmp_path,
        WORD,
        "sfws-extension",
        *("--map", "Which partners are involved=owners"),
        *("--period", "2022/23 Q2", "--plan-period", "2019/20 to 2022/23"),
    )
    assert "imported 88 actions" in summary and "numbers read from the start of each action's text" in summary
    assert "the table has no deadline column" in summary
    workspace, plan, actions = imported(tmp_path, "sfws-extension")
    assert plan.plan.title == expected["title"] and plan.plan.priorities == []
    assert len(actions) == len(expected["actions"]) == 88
    status = {"Complete": "complete", "Incomplete": "in-progress"}
    for want in expected["actions"]:
        got = actions[str(want["id"])]
        where = f"action {want['id']}"
        assert words(got.title) == words(want["title"]), where
        assert words(got.what) == words(want["description"]), where
        # the same name in another case ("Public health") is the same owner
        names = [words(workspace.owners[o].name).casefold() for o in got.owners]
        assert names == [words(o).casefold() for o in want["owners"]], where
        targets = want.get("target_items") or [want["target"]]
        assert [words(t.text) for t in got.targets] == [words(t) for t in targets], where
        assert got.status == status[want["status"]], where
        if "progress" in want:
            assert got.updates[0].period.text == "2022/23 Q2" and words(got.updates[0].note) == words(want["progress"])
        else:
            assert got.updates == [], where
    kinds = {o.name: o.kind for o in workspace.owners.values()}
    assert kinds["Local Maternity System"] == "team" and kinds["Trading Standards"] == "team"
    assert kinds["Western Sussex Hospitals NHS Foundation Trust"] == "partner"
    assert "person" not in kinds.values()  # no team or organisation here reads as a person's name


@pytest.mark.parametrize("source", [SHEET, WORD])
def test_the_real_plans_lint_without_crashing_and_report_every_action(tmp_path, source):
    if source == SHEET:
        run_import(tmp_path, source, "p", *SHEET_MAPS)  # no legend: the codes are kept as written
    else:
        run_import(tmp_path, source, "p")
    lint = CliRunner().invoke(app, ["lint", str(tmp_path / "plans"), "--as-of", "2020-01-31", "--format", "json"])
    assert lint.exit_code in (0, 1) and "Traceback" not in lint.output
    findings = json.loads(lint.stdout)["findings"]
    if source == SHEET:  # 70 deadlines kept as written: reported as unread, never as missing
        assert len([f for f in findings if f["rule"] == "unread-deadline"]) == 70
        assert [f["action"] for f in findings if f["rule"] == "missing-deadline"] == ["72"]  # the one with none
    report = CliRunner().invoke(app, ["report", str(tmp_path / "plans"), "-f", "md", "-o", str(tmp_path / "site")])
    assert report.exit_code in (0, 1) and "Traceback" not in report.output
    text = "\n".join(p.read_text() for p in (tmp_path / "site").rglob("*.md"))
    # every imported action (71 and 88 of them) has its own section, headed by its id and its title as imported
    actions = [source.action for source in load_workspace([tmp_path / "plans"]).actions]
    assert len(actions) == (71 if source == SHEET else 88)
    headings = [line for line in text.splitlines() if line.startswith("### ") and line[4:5].isdigit()]
    assert headings == [f"### {a.id} {words(a.title)}" for a in actions]
    assert text.count("Integrated stop smoking services across the Local Maternity System") >= 1
    if source == SHEET:  # a deadline kept as written is shown as written, never as "none"
        assert "S/M/L (not read as a date)" in text
        status = CliRunner().invoke(app, ["status", str(tmp_path / "plans"), "--json", "--as-of", "2020-01-31"])
        records = {a["id"]: a for a in json.loads(status.stdout)["actions"]}
        assert (records["1"]["due"], records["1"]["due_as_written"]) == (None, "M")
        show = CliRunner().invoke(app, ["show", "1", str(tmp_path / "plans"), "--as-of", "2020-01-31"])
        assert "M (as the plan wrote it; not read as a date)" in " ".join(show.stdout.split())


def test_the_national_action_plan_as_published(tmp_path):
    """DHSC's suicide prevention action plan (gov.uk, 2023): a heading above each table is its theme, leads with
    their acronyms, an acronym alone, "2024 and 2025", and a deadline that is not a date."""
    expected = json.loads((REAL / "dhsc-expected.json").read_text(encoding="utf-8"))
    summary = run_import(tmp_path, "dhsc-suicide-prevention-action-plan-2023.docx", "suicide-prevention")
    assert "imported 6 actions" in summary and "themes: 1" in summary
    assert "deadlines: 5 read, 1 not read" in summary
    workspace, plan, actions = imported(tmp_path, "suicide-prevention")
    assert plan.plan.title == expected["title"]
    themes = {p.id: p.title for p in plan.plan.priorities}
    assert len(actions) == len(expected["actions"])
    for number, want in enumerate(expected["actions"], start=1):
        got = actions[f"1.{number}"]  # no numbering column: numbered within the theme
        where = f"row {number}"
        assert themes[got.priority] == want["theme"] and words(got.title) == words(want["title"]), where
        assert len(got.owners) == len(want["owners"]), where
        for owner, written in zip(got.owners, want["owners"], strict=True):
            entry = workspace.owners[owner]  # the cell may give the name, its acronym, or both
            spellings = {entry.name, *entry.aliases, *(f"{entry.name} ({alias})" for alias in entry.aliases)}
            assert written in spellings, (where, written, spellings)
        written = got.due.text if got.due else got.due_as_written
        assert written == want["due"], where
    assert (actions["1.2"].due.start.isoformat(), actions["1.2"].due.end.isoformat()) == ("2024-01-01", "2025-12-31")
    assert actions["1.3"].due is None and actions["1.3"].due_as_written.startswith("Commissioning process")
    assert actions["1.4"].owners[0] == actions["1.5"].owners[0] == actions["1.6"].owners[0]  # "DHSC" is the department
    dhsc = workspace.owners[actions["1.5"].owners[0]]
    assert (dhsc.name, dhsc.aliases, dhsc.kind) == ("Department of Health and Social Care", ["DHSC"], "partner")
