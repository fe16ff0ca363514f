"""What forges need from `lint` and `status --json`: paths from the git repository's root (plans two levels down),
every finding in the GitHub job summary, GitLab Code Quality JSON, and the schemas this repository publishes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.schemas import schema_files

from .conftest import BUNDLED_PLANS, REPO

AS_OF = ["--as-of", "2023-06-30"]


@pytest.fixture
def nested(tmp_path) -> Path:
    """A git repository whose plans repository sits two levels down: council/health/plans/."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    inner = tmp_path / "council" / "health"
    shutil.copytree(BUNDLED_PLANS, inner / "plans")
    (inner / "actiontrack.yaml").write_text("lint:\n  ignore:\n    plans/health-wellbeing-2022-23/*: [stale-update]\n")
    return inner


def lint(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["lint", *AS_OF, *args], env=env)


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "gitlab"])
def test_paths_start_at_the_git_repository_root(nested, monkeypatch, fmt):
    monkeypatch.chdir(nested)  # run where the plans are, as a pre-commit hook or a CI step in that folder does
    out = lint("--format", fmt).stdout
    prefix = "council/health/plans/"
    if fmt == "json":
        paths = {f["path"] for f in json.loads(out)["findings"]}
    elif fmt == "github":
        paths = {line.split("file=", 1)[1].split(",", 1)[0] for line in out.splitlines() if line.startswith("::")}
    elif fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        paths = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    else:
        paths = {issue["location"]["path"] for issue in json.loads(out)}
    assert paths and all(path.startswith(prefix) for path in paths), sorted(paths)[:3]
    assert all((nested.parent.parent / path).is_file() for path in paths)
    status = CliRunner().invoke(app, ["status", "--json", *AS_OF])
    assert all(a["path"].startswith(prefix) for a in json.loads(status.stdout)["actions"])


def test_the_path_ignore_still_applies_below_the_git_root(nested, monkeypatch):
    monkeypatch.chdir(nested)
    findings = json.loads(lint("--format", "json").stdout)["findings"]
    stale = {f["plan"] for f in findings if f["rule"] == "stale-update"}
    assert stale == {"health-inequalities-2021-23"}


def test_without_git_paths_start_at_the_folder_holding_actiontrack_yaml(tmp_path, monkeypatch):
    shutil.copytree(BUNDLED_PLANS, tmp_path / "health" / "plans")
    (tmp_path / "health" / "actiontrack.yaml").write_text("plans: plans\n")
    monkeypatch.chdir(tmp_path)
    findings = json.loads(lint(str(tmp_path / "health" / "plans"), "--format", "json").stdout)["findings"]
    assert findings and all(f["path"].startswith("plans/") for f in findings)


def test_the_job_summary_lists_every_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "council/plans",
        "GITHUB_SHA": "abc123",
    }
    result = lint("--format", "github", env=env)
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    text = summary.read_text()
    assert text.startswith("earlier step\n## actiontrack lint\n")  # appended, not overwritten
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert len(rows) == len(annotations) == 119  # all of them, not GitHub's 10 per kind
    assert "| AT401 `stale-update` | warning | 44 |" in text
    assert "https://github.com/council/plans/blob/abc123/plans/health-inequalities-2021-23/actions/" in text
    without = lint("--format", "json", env=env)  # only the github format writes a summary
    assert without.exit_code == 0 and summary.read_text() == text


def test_a_huge_summary_says_what_it_left_out(monkeypatch):
    from actiontrack.lint import LintResult
    from actiontrack.rules import Finding
    from actiontrack.views import lint_output

    monkeypatch.setattr(lint_output, "STEP_SUMMARY_LIMIT", 2000)
    findings = [
        Finding("AT202", "overdue", "warning", f"late {n}", "plans/p/a.yaml", n, 1, "p", str(n)) for n in range(1, 60)
    ]
    text = lint_output.to_step_summary(LintResult("2023-06-30", findings, 59, 59, []), environ={})
    assert "more findings** do not fit in a job summary" in text and len(text) < 2200


def test_gitlab_code_quality_report(monkeypatch):
    monkeypatch.chdir(REPO)
    first = json.loads(lint("--format", "gitlab").stdout)
    again = json.loads(lint("--format", "gitlab").stdout)
    assert first == again and len(first) == 119
    fingerprints = [issue["fingerprint"] for issue in first]
    assert len(set(fingerprints)) == len(fingerprints)
    for issue in first:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int) and (REPO / issue["location"]["path"]).is_file()


def test_this_repository_publishes_current_schemas():
    """schemas/ is what `actiontrack new` names in its first line: it must exist and match the models."""
    for name, text in schema_files().items():
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == text, "run: actiontrack schema --out schemas"


def test_gitlab_fingerprints_stay_the_same_from_one_day_to_the_next(monkeypatch):
    monkeypatch.chdir(REPO)

    def fingerprints(day: str) -> dict[tuple[str, str], str]:
        result = CliRunner().invoke(app, ["lint", "--as-of", day, "--format", "gitlab"])
        return {(i["check_name"], i["location"]["path"]): i["fingerprint"] for i in json.loads(result.stdout)}

    monday, tuesday = fingerprints("2023-06-30"), fingerprints("2023-07-01")
    overdue = [key for key in monday if key[0] == "AT202 overdue"]
    assert len(overdue) == 42 and all(monday[key] == tuesday[key] for key in overdue)  # "607 days ago" grew by one


def test_the_job_summary_shows_what_plan_files_say_as_text(tmp_path, monkeypatch):
    """A finding's message quotes the plan file, and a path is a file name: neither can make a link, emphasis, HTML
    or a new table cell in the job summary."""
    shutil.copytree(BUNDLED_PLANS, tmp_path / "plans")
    action = next((tmp_path / "plans" / "health-wellbeing-2022-23" / "actions").glob("1.a-*.yaml"))
    action.write_text(action.read_text().replace("owners: [", 'owners: ["[pwn](https://evil.example)", '))
    action.rename(action.with_name("1.a-x|y*b*.yaml"))
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    CliRunner().invoke(app, ["lint", *AS_OF, "--format", "github"], env={"GITHUB_STEP_SUMMARY": str(summary)})
    rows = [line for line in summary.read_text().splitlines() if "x\\|y" in line]
    assert rows and all(row.count(" | ") == 3 for row in rows)  # four cells: the pipe in the name is escaped
    text = summary.read_text()
    assert "](https://evil.example)" not in text and "\\[pwn\\]\\(https\\:" in text
    assert "*b*" not in text and "\\*b\\*" in text


def test_plans_named_through_a_link_from_anywhere_keep_their_repository_paths(nested, tmp_path, monkeypatch):
    link = tmp_path.parent / f"{tmp_path.name}-link"  # outside the repository
    link.symlink_to(nested)
    monkeypatch.chdir("/")  # the working folder is above both the link and the repository
    results = json.loads(lint(str(link / "plans"), "--format", "sarif").stdout)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris and all(uri.startswith("council/health/plans/") for uri in uris), sorted(uris)[:2]


def test_text_output_names_files_from_the_working_folder(nested, monkeypatch, tmp_path):
    """For people, a path opens from where they are: below the working folder it is relative to it; elsewhere it
    is the repository's path (machine formats always give the repository's)."""
    plans = str(nested / "plans")

    def paths() -> set[str]:
        out = CliRunner().invoke(app, ["lint", *AS_OF, plans, "--format", "text"], env={"NO_COLOR": "1"}).stdout
        return {line.split(":", 1)[0] for line in out.splitlines() if ":" in line and ".yaml" in line.split(":")[0]}

    monkeypatch.chdir(nested)  # inside the repository, above the files
    inside = paths()
    assert inside and all(p.startswith("plans/") and (nested / p).is_file() for p in inside)
    monkeypatch.chdir(tmp_path.parent)  # above the repository
    above = paths()
    lead = tmp_path.name
    assert above and all(p.startswith(f"{lead}/council/health/plans/") for p in above)
    assert all((tmp_path.parent / p).is_file() for p in above)
    monkeypatch.chdir(nested / "plans" / "health-wellbeing-2022-23")  # inside, with files outside it too
    here = paths()
    assert any(p.startswith("actions/") for p in here) and any(p.startswith("council/") for p in here)
