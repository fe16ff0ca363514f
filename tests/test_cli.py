"""The command line, in-process (typer's CliRunner) and as a real subprocess of the installed script."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app

runner = CliRunner()
ACTION_PATH = "plans/test-plan/actions/1.a-promote.yaml"


def run(repo: Path, *args: str):
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        return runner.invoke(app, list(args))
    finally:
        os.chdir(cwd)


def test_validate_ok(make_repo):
    result = run(make_repo(), "validate")
    assert result.exit_code == 0
    assert "1 action in 1 plan: all valid" in result.stdout  # not "1 actions"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('id: "1.a"\ntitle: [broken\n', ':2:8: this "[" is never closed'),
        (
            'id: "1.a"\ntitle: A\nowners: 5\n',
            ':3:1: owners: expected a list (one "- " line per item), not the number 5',
        ),
        ('id: "1.a"\ntitle: A\nownres: []\n', ':3:1: unknown key "ownres"; did you mean "owners"?'),
        ('id: "1.a"\ntitle: A\ndue: someday\n', ':3:1: due: "someday" is not a date'),
    ],
)
def test_validate_reports_one_clear_message_and_exits_1(make_repo, content, message):
    result = run(make_repo({ACTION_PATH: content}), "validate")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(ACTION_PATH + message), lines
    assert lines[1:] == ["1 problem found"]
    assert "Traceback" not in result.output


def test_duplicate_id_exits_1(make_repo):
    result = run(make_repo({"plans/test-plan/actions/1.a-again.yaml": 'id: "1.a"\ntitle: B\n'}), "validate")
    assert result.exit_code == 1
    assert 'duplicate action id "1.a"' in result.stderr


def test_usage_errors_exit_2(make_repo):
    repo = make_repo()
    assert run(repo, "status", "--as-of", "30/06/2023").exit_code == 2
    missing = run(repo, "validate", "no-such-folder")
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr
    assert run(repo, "status", "--no-such-flag").exit_code == 2
    bad_config = run(make_repo({"actiontrack.yaml": "plans: [1\n"}), "validate")
    assert bad_config.exit_code == 2 and "actiontrack.yaml:" in bad_config.stderr


def test_status_json_shape(make_repo):
    result = run(make_repo(), "status", "--json", "--as-of", "2023-06-30")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2023-06-30"
    [action] = payload["actions"]
    assert {"plan", "id", "title", "owners", "due", "due_date", "state", "rag"} <= set(action)
    assert action["plan"] == "test-plan" and action["due"] == "2022/24" and action["due_date"] == "2024-03-31"
    assert action["state"] == "not-reported" and action["rag"] is None
    assert action["path"] == ACTION_PATH


def test_status_table_plain_when_piped(make_repo):
    result = run(make_repo(), "status", "--as-of", "2023-06-30")
    assert result.exit_code == 0
    assert "Promote" in result.stdout and "housing" in result.stdout and "test-plan" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not a terminal


def test_status_with_a_broken_file_shows_the_rest_and_exits_1(make_repo):
    repo = make_repo({"plans/test-plan/actions/2-b.yaml": "id: 2\ntitle: [x\n"})
    result = run(repo, "status", "--json", "--as-of", "2023-06-30")
    assert result.exit_code == 1
    assert [a["id"] for a in json.loads(result.stdout)["actions"]] == ["1.a"]
    assert '2-b.yaml:2:8: this "[" is never closed' in result.stderr


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("actiontrack ")


# ---- the installed script, as a user runs it ----------------------------------------------------------------


def installed_script() -> str:
    script = Path(sys.executable).parent / "actiontrack"
    found = str(script) if script.exists() else shutil.which("actiontrack")
    assert found, "the actiontrack console script is not installed (pip install -e .)"
    return found


def test_installed_script_validate_and_status(make_repo):
    repo = make_repo()
    script = installed_script()
    ok = subprocess.run([script, "validate"], cwd=repo, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    status = subprocess.run(
        [script, "status", "--json", "--as-of", "2023-06-30"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 0
    assert json.loads(status.stdout)["actions"][0]["due_date"] == "2024-03-31"


def test_installed_script_bad_file_no_traceback(make_repo):
    repo = make_repo({ACTION_PATH: "id: 1\ntitle: !!python/object/apply:os.system ['touch pwned']\n"})
    result = subprocess.run([installed_script(), "validate"], cwd=repo, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert f"{ACTION_PATH}:2:8: YAML tag !!python/object/apply:os.system is not allowed" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (repo / "pwned").exists()


def test_python_dash_m(make_repo):
    result = subprocess.run(
        [sys.executable, "-m", "actiontrack", "validate"],
        cwd=make_repo(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "all valid" in result.stdout


@pytest.mark.parametrize("value", ["20230630", "2023-W26-5", "2023-06-30\nx"])
def test_as_of_is_only_year_month_day(make_repo, value):
    result = run(make_repo(), "status", "--as-of", value)
    assert result.exit_code == 2
    assert "is not a date; write it as YYYY-MM-DD" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_command_has_an_example_in_its_help_and_a_task_group():
    from actiontrack.cli import app as cli_app

    names = [command.name or command.callback.__name__ for command in cli_app.registered_commands]
    assert len(names) >= 13
    for command in cli_app.registered_commands:
        name = command.name or command.callback.__name__
        assert command.rich_help_panel, name  # commands grouped by task in `actiontrack --help`
        result = CliRunner().invoke(cli_app, [name, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0 and "Example: actiontrack " in result.output, name
    overview = CliRunner().invoke(cli_app, ["--help"], env={"COLUMNS": "200"}).output
    for panel in ("Check the plans", "See where the plans stand", "Change the plans", "Set up and share"):
        assert panel in overview
