"""A report never has a silent gap (README, "Reports"): a file that cannot be read is named, with its reason, on every
page; or, with --refuse-incomplete, nothing is written and the previous report stays. `validate` checks references."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from actiontrack.cli import app

from .conftest import BUNDLED_PLANS

AS_OF = ["--as-of", "2022-10-14"]


def broken_repo(tmp_path):
    shutil.copytree(BUNDLED_PLANS, tmp_path / "plans")
    action = next((tmp_path / "plans" / "health-wellbeing-2022-23" / "actions").glob("6.c-*.yaml"))
    action.write_text(action.read_text().replace("rag: green", "rag: gren") + "updates:\n  - period: x\n")
    return tmp_path, action


def test_every_page_names_the_file_left_out(tmp_path, monkeypatch):
    repo, action = broken_repo(tmp_path)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(app, ["report", "--format", "html", "--out", "site", *AS_OF])
    assert result.exit_code == 1 and "1 unreadable file named on every page" in result.stderr
    pages = list((repo / "site").rglob("*.html"))
    assert len(pages) == 71  # 6.c's own page cannot be made
    name = f"plans/health-wellbeing-2022-23/actions/{action.name}"
    for page in pages:
        text = page.read_text()
        assert "Not everything is in this report" in text and name in text, page
    markdown = CliRunner().invoke(app, ["report", "--format", "md", "--out", "md", *AS_OF])
    assert markdown.exit_code == 1
    for page in (repo / "md").rglob("*.md"):
        assert "**Not everything is in this report.**" in page.read_text() and name in page.read_text(), page


def test_refuse_incomplete_writes_nothing_and_keeps_the_previous_site(tmp_path, monkeypatch):
    repo, action = broken_repo(tmp_path)
    monkeypatch.chdir(repo)
    good = action.read_text()
    action.write_text((BUNDLED_PLANS / "health-wellbeing-2022-23" / "actions" / action.name).read_text())
    assert CliRunner().invoke(app, ["report", "--out", "site", *AS_OF]).exit_code == 0
    before = {p: p.read_bytes() for p in (repo / "site").rglob("*") if p.is_file()}
    action.write_text(good)
    result = CliRunner().invoke(app, ["report", "--out", "site", "--refuse-incomplete", *AS_OF])
    assert result.exit_code == 1 and "nothing was written; site was left as it was" in result.stderr
    assert {p: p.read_bytes() for p in (repo / "site").rglob("*") if p.is_file()} == before


def test_validate_checks_owners_and_priorities_too(make_repo):
    repo = make_repo({"plans/test-plan/actions/1.b-x.yaml": 'id: "1.b"\npriority: "9"\ntitle: X\nowners: [nobody]\n'})
    result = CliRunner().invoke(app, ["validate", str(repo / "plans")])
    assert result.exit_code == 1
    assert 'unknown owner "nobody"' in result.stderr and 'unknown priority "9"' in result.stderr
    assert "2 references not found" in result.stderr
    # the bundled example's deliberate unknown owner is suppressed with a reason, which validate respects
    assert CliRunner().invoke(app, ["validate", str(BUNDLED_PLANS)]).exit_code == 0
