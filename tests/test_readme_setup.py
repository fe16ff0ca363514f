"""The README's Install, GitHub Actions, GitLab CI, pre-commit and editor sections: each command and snippet in them
is a real one, checked here (with the real clients where one exists)."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys

from ruamel.yaml import YAML
from typer.testing import CliRunner

from actiontrack import PROJECT_URL, __version__
from actiontrack.cli import app

from .conftest import REPO
from .test_ci_files import actionlint, check_jsonschema

README = (REPO / "README.md").read_text(encoding="utf-8")
yaml = YAML(typ="safe")


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_install_names_this_release_and_the_project_url():
    install = section("Install")
    assert f"actiontrack=={__version__}" in install and f"git+{PROJECT_URL}@main" in install
    commands = [line.split("#")[0].strip() for block in blocks(install, "sh") for line in block.splitlines()]
    assert f"pipx install actiontrack=={__version__}" in commands
    assert "actiontrack init council-plans" in commands  # the same init the release test runs from the wheel
    assert "--install-completion" in install and "CHANGELOG.md" in install
    assert (REPO / "CHANGELOG.md").read_text().count(f"## {__version__}") == 1 and (REPO / "LICENSE").is_file()


def test_the_sarif_workflow_snippet_passes_actionlint_and_the_schema(tmp_path):
    [snippet] = [b for b in blocks(section("Use it in GitHub Actions"), "yaml") if "upload-sarif" in b]
    folder = tmp_path / "repo"
    (folder / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    workflow = folder / ".github" / "workflows" / "code-scanning.yml"
    workflow.write_text(snippet)
    linted = actionlint(folder)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert check_jsonschema("vendor.github-workflows", workflow).returncode == 0
    runs = [step["run"] for step in yaml.load(snippet)["jobs"]["sarif"]["steps"] if "run" in step]
    [lint] = [shlex.split(run.split(">")[0]) for run in runs if run.startswith("actiontrack")]
    result = CliRunner().invoke(app, [*lint[1:], str(REPO / "plans"), "--as-of", "2023-06-30"])
    assert result.exit_code == 0 and json.loads(result.stdout)["version"] == "2.1.0"


def test_the_gitlab_section_matches_the_files():
    text = section("Use it in GitLab CI")
    assert "actiontrack init --ci gitlab" in text
    for command in re.findall(r"`(actiontrack lint --format \w+|actiontrack report --format html --out public)`", text):
        assert command in (REPO / "templates" / "init" / ".gitlab-ci.yml").read_text(), command


def test_the_pre_commit_snippet_names_real_hooks_at_this_release():
    text = section("Use it with pre-commit")
    [snippet] = blocks(text, "yaml")
    [repo] = yaml.load(snippet)["repos"]
    hooks = {hook["id"] for hook in yaml.load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert repo["repo"] == PROJECT_URL and repo["rev"] == f"v{__version__}"
    assert {hook["id"] for hook in repo["hooks"]} <= hooks == {"actiontrack-lint", "actiontrack-validate"}
    assert f"pre-commit try-repo {PROJECT_URL} actiontrack-lint" in " ".join(text.split())


def test_the_editor_settings_map_every_file_init_writes_to_its_schema(tmp_path):
    text = section("Editor support (VS Code)")
    [settings] = blocks(text, "json")
    mapping = json.loads(settings)["yaml.schemas"]
    CliRunner().invoke(app, ["init", str(tmp_path)])
    kinds = {"actiontrack.yaml": "config", "owners.yaml": "owners", "plan.yaml": "plan"}
    files = [p for p in tmp_path.rglob("*.yaml") if ".github" not in p.parts and not p.name.startswith(".")]
    for path in files:
        relative = path.relative_to(tmp_path).as_posix()
        matched = [schema for schema, glob in mapping.items() if fnmatch.fnmatchcase(relative, glob)]
        assert matched == [f"./schemas/{kinds.get(path.name, 'action')}.schema.json"], relative
        assert (tmp_path / matched[0]).is_file()
    [line] = blocks(text, "yaml")
    first = (tmp_path / "plans" / "example-plan" / "actions").glob("*.yaml").__next__().read_text().splitlines()[0]
    assert line.strip() == first
    assert "actiontrack schema --out schemas" in text
    result = CliRunner().invoke(app, ["schema", "--out", str(tmp_path / "again")])
    assert result.exit_code == 0 and len(list((tmp_path / "again").glob("*.schema.json"))) == 4


def test_readme_commands_name_real_options():
    """Every `actiontrack ...` command in these sections parses: no option the tool does not have."""
    sections = "\n".join(
        section(name)
        for name in ("Install", "Use it in GitHub Actions", "Use it in GitLab CI", "Use it with pre-commit")
    )
    commands = {m.strip() for m in re.findall(r"`(actiontrack [^`]+)`", sections)}
    commands |= {
        line.split("#")[0].strip()
        for block in blocks(sections, "sh")
        for line in block.split("&&")
        if line.strip().startswith("actiontrack")
    }
    assert len(commands) >= 6
    for command in commands:
        args = shlex.split(command)[1:]
        if "init" in args or any(a.startswith("--install") or a.startswith("--show") for a in args):
            continue  # run by the init and release tests
        result = subprocess.run(
            [sys.executable, "-m", "actiontrack", *args, "--help"], capture_output=True, text=True, cwd=REPO
        )
        assert result.returncode == 0, (command, result.stderr)
