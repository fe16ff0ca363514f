"""`actiontrack init`: a repository that is right on the day it is made, with CI for its forge, the release that
made it pinned, and a schema line in every file that resolves."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from actiontrack import __version__
from actiontrack.cli import app
from actiontrack.load import load_workspace

from .conftest import REPO

DAYS = ["2026-04-01", "2026-06-30", "2026-07-01", "2026-11-30", "2027-01-02", "2027-03-10", "2027-03-31", "2030-09-15"]


@pytest.mark.parametrize("day", DAYS)
def test_a_new_repository_lints_clean_on_the_day_it_is_made(tmp_path, day):
    target = tmp_path / "council-plans"
    result = CliRunner().invoke(app, ["init", str(target), "--as-of", day])
    assert result.exit_code == 0, result.output
    workspace = load_workspace([], cwd=target)
    assert workspace.problems == [] and len(workspace.actions) == 1
    lint = CliRunner().invoke(app, ["lint", str(target / "plans"), "--as-of", day, "--format", "json"])
    assert lint.exit_code == 0 and json.loads(lint.stdout)["findings"] == [], lint.stdout
    [plan] = workspace.plans
    assert plan.plan.start_date <= date.fromisoformat(day) <= plan.plan.end_date  # dated in this financial year
    status = CliRunner().invoke(app, ["status", str(target / "plans"), "--as-of", day, "--json"])
    assert json.loads(status.stdout)["actions"][0]["state"] == "on-track"


def test_files_written_and_refused_the_second_time(tmp_path):
    target = tmp_path / "council-plans"
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for name in (
        "actiontrack.yaml",
        "requirements.txt",
        "plans/owners.yaml",
        "plans/example-plan/plan.yaml",
        ".github/workflows/publish-report.yml",
        ".pre-commit-config.yaml",
        "schemas/action.schema.json",
    ):
        assert (target / name).is_file(), name
    assert not (target / ".gitlab-ci.yml").exists()
    again = CliRunner().invoke(app, ["init", str(target)])
    assert again.exit_code == 1 and "already has" in again.output


@pytest.mark.parametrize(
    ("ci", "present", "absent"), [("gitlab", ".gitlab-ci.yml", ".github"), ("none", None, ".github")]
)
def test_ci_choice(tmp_path, ci, present, absent):
    result = CliRunner().invoke(app, ["init", str(tmp_path / "r"), "--ci", ci.upper()])  # choices: any case
    assert result.exit_code == 0, result.output
    assert present is None or (tmp_path / "r" / present).is_file()
    assert not (tmp_path / "r" / absent).exists()
    assert (tmp_path / "r" / ".gitlab-ci.yml").exists() is (ci == "gitlab")


def test_the_release_that_wrote_it_is_pinned_with_a_git_url_alternative(tmp_path):
    CliRunner().invoke(app, ["init", str(tmp_path), "--ci", "gitlab"])
    requirements = (tmp_path / "requirements.txt").read_text()
    assert re.search(rf"^actiontrack=={re.escape(__version__)}$", requirements, re.M)
    assert "actiontrack @ git+https://" in requirements  # how to install from the repository instead
    hook = YAML(typ="safe").load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    assert hook["additional_dependencies"] == [f"actiontrack=={__version__}"] and hook["language"] == "python"
    assert "git+https://" in (tmp_path / ".pre-commit-config.yaml").read_text()
    for name in (".gitlab-ci.yml",):
        text = (tmp_path / name).read_text()
        assert "pip install -r requirements.txt" in text and "@" not in text.replace("$CI_", "")


def test_every_written_yaml_file_has_a_schema_line_that_resolves(tmp_path):
    CliRunner().invoke(app, ["init", str(tmp_path)])
    yaml_files = [p for p in tmp_path.rglob("*.yaml") if ".github" not in p.parts and ".pre-commit" not in p.name]
    assert len(yaml_files) == 4
    for path in yaml_files:
        first = path.read_text().splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, path
        schema = (path.parent / match.group(1)).resolve()
        assert schema.is_file() and schema.parent == (tmp_path / "schemas").resolve(), (path, schema)
        kind = {"actiontrack.yaml": "config", "owners.yaml": "owners", "plan.yaml": "plan"}.get(path.name, "action")
        assert schema.name == f"{kind}.schema.json"


def test_the_init_templates_have_no_placeholder_left(tmp_path):
    CliRunner().invoke(app, ["init", str(tmp_path), "--ci", "github"])
    CliRunner().invoke(app, ["init", str(tmp_path / "gl"), "--ci", "gitlab"])
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".json":
            assert not re.search(r"@[A-Z_]+@", path.read_text()), path
    templates = {p.name for p in (REPO / "templates" / "init").rglob("*") if p.is_file()}
    assert {"requirements.txt", ".gitlab-ci.yml", "publish-report.yml"} <= templates


def test_init_below_the_top_of_a_git_repository_says_where_ci_files_must_go(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = CliRunner().invoke(app, ["init", str(tmp_path / "council" / "health")])
    assert result.exit_code == 0
    assert f"inside the git repository at {tmp_path.resolve()}" in result.stderr
    assert "`actiontrack lint council/health/plans`" in result.stderr
    # and the command it suggests works from the top
    lint = CliRunner().invoke(app, ["lint", str(tmp_path / "council" / "health" / "plans")])
    assert lint.exit_code == 0
    top = CliRunner().invoke(app, ["init", str(tmp_path)])  # at the top itself: nothing to move
    assert top.exit_code == 0 and "note:" not in top.stderr
