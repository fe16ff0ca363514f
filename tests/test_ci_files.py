"""The CI files a council copies: valid against their schemas (offline, as check-jsonschema vendors them), and
every actiontrack command they run is a real command with real options."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from actiontrack.cli import app

from .conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "publish-report.yml"
GITLAB = REPO / ".gitlab-ci.yml"


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "check-jsonschema"
    return subprocess.run(
        [str(script), "--builtin-schema", schema, str(path)], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-workflows", WORKFLOW), ("vendor.gitlab-ci", GITLAB)])
def test_ci_files_validate_against_their_schemas(schema, path, tmp_path):
    result = check_jsonschema(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr
    # and the schema does reject a broken file (so passing means something)
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace("runs-on:", "runs_on:").replace("stages:", "stages: 5\nx:"))
    assert check_jsonschema(schema, broken).returncode != 0


def actiontrack_commands() -> list[list[str]]:
    yaml = YAML(typ="safe")
    commands = []
    workflow = yaml.load(WORKFLOW.read_text())
    for job in workflow["jobs"].values():
        commands += [step["run"] for step in job.get("steps", []) if "run" in step]
    gitlab = yaml.load(GITLAB.read_text())
    for job in gitlab.values():
        if isinstance(job, dict):
            commands += job.get("script", [])
    found = []
    for line in commands:
        command = line.split("#", 1)[0].split("||", 1)[0].strip()
        if command.startswith("actiontrack "):
            found.append(shlex.split(command)[1:])
    return found


def test_workflows_lint_on_requests_and_publish_on_main():
    yaml = YAML(typ="safe")
    workflow = yaml.load(WORKFLOW.read_text())
    assert set(workflow["on"]) >= {"push", "pull_request"} and workflow["on"]["push"]["branches"] == ["main"]
    steps = {step.get("run", step.get("uses")) for job in workflow["jobs"].values() for step in job.get("steps", [])}
    assert "actiontrack lint --format github" in steps
    assert "actiontrack report --format html --out site" in steps
    assert "actions/deploy-pages@v4" in steps
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_every_actiontrack_command_in_ci_is_real(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    commands = actiontrack_commands()
    assert len(commands) >= 4
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    for args in commands:
        result = CliRunner().invoke(app, [*args, "--as-of", "2023-06-30"])
        assert result.exit_code in (0, 1), (args, result.output)  # 2 would be a usage error
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "public" / "index.html").is_file()
