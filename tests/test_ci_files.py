"""The CI files a council copies (and this repository's own): valid against their schemas (offline, as
check-jsonschema vendors them), clean under actionlint with shellcheck, using current major versions of every
action, and every actiontrack command they run is a real command with real options."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from actiontrack.cli import app

from .conftest import REPO

BIN = Path(sys.executable).parent
INIT = REPO / "templates" / "init"
WORKFLOWS = [
    REPO / ".github" / "workflows" / "publish-report.yml",
    REPO / ".github" / "workflows" / "release.yml",
    INIT / ".github" / "workflows" / "publish-report.yml",
    INIT / ".github" / "workflows" / "reminders.yml",  # only with `init --reminders`; run for real in test_digest.py
]
GITLABS = [REPO / ".gitlab-ci.yml", INIT / ".gitlab-ci.yml"]
#: The current major version of every action the workflows use (actionlint flags older ones as deprecated).
CURRENT = {
    "actions/checkout": "v6",
    "actions/setup-python": "v6",
    "actions/configure-pages": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "github/codeql-action/upload-sarif": "v4",
    "pypa/gh-action-pypi-publish": "release/v1",
}
yaml = YAML(typ="safe")


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-workflows", path) for path in WORKFLOWS] + [("vendor.gitlab-ci", path) for path in GITLABS],
    ids=lambda value: str(value.relative_to(REPO)) if isinstance(value, Path) else value,
)
def test_ci_files_validate_against_their_schemas(schema, path, tmp_path):
    result = check_jsonschema(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr
    # and the schema does reject a broken file (so passing means something)
    broken = tmp_path / path.name
    broken.write_text(path.read_text().replace("runs-on:", "runs_on:").replace("stages:", "stages: 5\nx:"))
    assert check_jsonschema(schema, broken).returncode != 0


def actionlint(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # shellcheck from the venv
    return subprocess.run([str(BIN / "actionlint"), "-oneline"], cwd=folder, capture_output=True, text=True, env=env)


def test_workflows_pass_actionlint_with_shellcheck(tmp_path):
    assert shutil.which("shellcheck", path=str(BIN)), "shellcheck must be installed for actionlint to use it"
    for workflow in WORKFLOWS:
        folder = tmp_path / workflow.parent.parent.parent.name / workflow.stem
        (folder / ".github" / "workflows").mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
        shutil.copy(workflow, folder / ".github" / "workflows" / workflow.name)
        result = actionlint(folder)
        assert result.returncode == 0, f"{workflow}:\n{result.stdout}{result.stderr}"
    # and it does find what it should: an old action version and an unquoted variable in a script
    bad = tmp_path / "bad"
    (bad / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(bad)], check=True)
    (bad / ".github" / "workflows" / "w.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo $HOME\n"
    )
    found = actionlint(bad).stdout
    assert "node20" in found and "shellcheck" in found


def test_every_action_is_at_its_current_major_version():
    used = set()
    for workflow in WORKFLOWS:
        for job in yaml.load(workflow.read_text())["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    name, _, version = step["uses"].partition("@")
                    assert CURRENT.get(name) == version, (workflow.name, step["uses"])
                    used.add(name)
    assert {"actions/checkout", "actions/deploy-pages", "pypa/gh-action-pypi-publish"} <= used


def test_pages_deploys_as_github_recommends_and_pull_requests_are_linted():
    for path in (WORKFLOWS[0], WORKFLOWS[2]):
        workflow = yaml.load(path.read_text())
        # one group for the whole run on pushes (build and deploy in order, never cancelled: an older site can never
        # be deployed over a newer one), as GitHub's starter workflow; a pull request's lint is superseded instead
        group, cancel = workflow["concurrency"]["group"], workflow["concurrency"]["cancel-in-progress"]
        assert group == "${{ github.event_name == 'pull_request' && format('lint-{0}', github.ref) || 'pages' }}"
        assert cancel == "${{ github.event_name == 'pull_request' }}"
        deploy, lint_job, build = (workflow["jobs"][name] for name in ("deploy", "lint", "build"))
        assert "concurrency" not in deploy and "concurrency" not in build
        assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
        for job in (lint_job, build):
            checkout, setup = job["steps"][0], job["steps"][1]
            assert checkout["with"]["fetch-depth"] == 0 and setup["with"]["cache"] == "pip"
        runs = [step.get("run") for job in workflow["jobs"].values() for step in job.get("steps", [])]
        assert "actiontrack lint --format github" in runs and "actiontrack report --format html --out site" in runs


def test_the_release_workflow_uses_trusted_publishing():
    text = WORKFLOWS[1].read_text()
    release = yaml.load(text)
    assert release["on"] == {"push": {"tags": ["v*"]}}
    publish = release["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"} and publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1] == {"uses": "pypa/gh-action-pypi-publish@release/v1"}  # no password: trusted
    assert not re.search(r"secrets\.|password|api[-_]token", text, re.IGNORECASE)


def test_init_files_match_the_repository_ones():
    """The repository's CI installs actiontrack from its checkout; the copies init writes install the release."""
    ours = WORKFLOWS[0].read_text()
    theirs = WORKFLOWS[2].read_text()
    assert [line for line in ours.splitlines() if not line.startswith("#")] == [
        line.replace("requirements.txt", "pyproject.toml").replace("-r pyproject.toml", ".")
        for line in theirs.splitlines()
        if not line.startswith("#")
    ]
    ours, theirs = GITLABS[0].read_text(), GITLABS[1].read_text()
    assert [line for line in ours.splitlines() if not line.startswith("#")] == [
        line.replace("requirements.txt", "pyproject.toml").replace("-r pyproject.toml", ".")
        for line in theirs.splitlines()
        if not line.startswith("#")
    ]


def actiontrack_commands() -> list[list[str]]:
    commands = []
    for workflow in WORKFLOWS:
        for job in yaml.load(workflow.read_text())["jobs"].values():
            commands += [step["run"] for step in job.get("steps", []) if "run" in step]
    for gitlab in GITLABS:
        for job in yaml.load(gitlab.read_text()).values():
            if isinstance(job, dict):
                commands += job.get("script", [])
    found = []
    for line in commands:
        command = re.split(r"#|\|\||>", line, maxsplit=1)[0].strip()
        if command.startswith("actiontrack "):
            found.append(shlex.split(command)[1:])
    return found


def test_every_actiontrack_command_in_ci_is_real(tmp_path, monkeypatch):
    commands = actiontrack_commands()
    assert ["lint", "--format", "gitlab"] in commands and ["lint", "--format", "github"] in commands
    shutil.copytree(REPO / "plans", tmp_path / "plans")
    monkeypatch.chdir(tmp_path)
    for args in commands:
        result = CliRunner().invoke(app, [*args, "--as-of", "2023-06-30"])
        assert result.exit_code in (0, 1), (args, result.output)  # 2 would be a usage error
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "public" / "index.html").is_file()


def test_ci_checks_out_the_whole_history():
    """Moved deadlines (AT209) and `changes` read the plan's history: CI's default shallow checkout would hide it."""
    for workflow in WORKFLOWS:
        for name, job in yaml.load(workflow.read_text())["jobs"].items():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout") and "publish" in workflow.name:
                    assert step.get("with", {}).get("fetch-depth") == 0, (workflow, name)
    for gitlab in GITLABS:
        assert str(yaml.load(gitlab.read_text())["variables"]["GIT_DEPTH"]) == "0", gitlab
