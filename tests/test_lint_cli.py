"""`actiontrack lint` end to end on the bundled plans: what it finds, where, and in which format."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from actiontrack.cli import LintFormat, app
from actiontrack.rules import REGISTRY

from .conftest import BUNDLED_PLANS, HASH_SEEDS, REPO, assert_same_output, runs_under_each_seed, uncached_env
from .test_cli import installed_script

FIXTURES = Path(__file__).parent / "fixtures"
HW, HI = "health-wellbeing-2022-23", "health-inequalities-2021-23"


@functools.cache
def unsuppressed() -> Path:
    """The bundled plans without HI 6's `lint: ignore`, so its deliberate unknown owner is reported (an error)."""
    root = Path(tempfile.mkdtemp(prefix="actiontrack-lint-"))
    shutil.copytree(BUNDLED_PLANS, root / "plans")
    [hi6] = (root / "plans" / HI / "actions").glob("6-*.yaml")
    text = hi6.read_text(encoding="utf-8")
    hi6.write_text(text[: text.index("lint:\n")], encoding="utf-8")
    return root / "plans"


def lint(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(app, ["lint", str(unsuppressed()), "--as-of", "2023-06-30", *args], env=env)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def findings():
    result = lint("--format", "json")
    assert result.exit_code == 1  # HI 6's unknown owner is an error
    return json.loads(result.stdout)["findings"]


def test_the_bundled_plans_lint_clean_with_the_deliberate_defect_on_record():
    """The repository's own pull-request check: the example's unknown owner stays in the file, suppressed with a
    reason, so `lint` passes and the reason is there for anyone who reads the file."""
    result = CliRunner().invoke(app, ["lint", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--format", "json"])
    assert result.exit_code == 0
    assert not [f for f in json.loads(result.stdout)["findings"] if f["rule"] in ("unknown-owner", "unused-ignore")]
    [hi6] = (BUNDLED_PLANS / HI / "actions").glob("6-*.yaml")
    text = hi6.read_text(encoding="utf-8")
    assert "owners: [hwbb-education-sub-group]" in text and "ignore: [unknown-owner]" in text and "reason:" in text


def where(findings, rule: str) -> set[tuple[str, str]]:
    return {(f["plan"], f["action"]) for f in findings if f["rule"] == rule}


def line_of(path: str, key: str) -> int:
    lines = (REPO / path).read_text(encoding="utf-8").splitlines()
    return next(number for number, text in enumerate(lines, 1) if text.startswith(f"{key}:"))


def test_missing_outcome(findings):
    expected = {(HW, "5.b")} | {(HI, str(n)) for n in range(8, 20)}
    assert where(findings, "missing-outcome") == expected


def test_unmeasurable_target(findings):
    found = where(findings, "unmeasurable-target")
    assert {(HI, "8"), (HI, "9")} <= found
    placeholders = [f for f in findings if f["rule"] == "unmeasurable-target" and "placeholder" in f["message"]]
    assert {f["action"] for f in placeholders} == {"8", "9"}
    # numeric targets ("10 x volunteers", "75% of schools") are measurable
    assert not found & {(HI, n) for n in ("1", "2", "3", "4", "5", "7")}


def test_objective_restates_action(findings):
    assert where(findings, "objective-restates-action") == {(HW, "1.d"), (HW, "2.b")}


def test_overdue_is_every_action_due_by_march_2023(findings):
    status = CliRunner().invoke(app, ["status", str(BUNDLED_PLANS), "--json", "--as-of", "2023-06-30"])
    actions = json.loads(status.stdout)["actions"]
    due_by_march = {(a["plan"], a["id"]) for a in actions if date.fromisoformat(a["due_date"]) <= date(2023, 3, 31)}
    due_before = {(a["plan"], a["id"]) for a in actions if date.fromisoformat(a["due_date"]) < date(2023, 6, 30)}
    assert len(due_by_march) == 41 and due_before - due_by_march == {(HI, "7")}  # HI 7: May 2023
    assert where(findings, "overdue") == due_before


def test_stale_update_where_no_update_exists(findings):
    assert len(where(findings, "stale-update")) == 44


def test_unknown_owner_with_suggestion(findings):
    [finding] = [f for f in findings if f["rule"] == "unknown-owner"]
    assert (finding["plan"], finding["action"]) == (HI, "6")
    assert 'did you mean "hwbb-education-subgroup"' in finding["message"]


def test_each_finding_has_the_right_file_and_line(findings):
    key_of = {
        "overdue": "due",
        "missing-outcome": "title",
        "objective-restates-action": "what",
        "unknown-owner": "owners",
    }
    checked = 0
    for finding in findings:
        assert (REPO / finding["path"]).is_file()
        assert re.match(rf"plans/{finding['plan']}/actions/{re.escape(finding['action'])}-", finding["path"])
        key = key_of.get(finding["rule"])
        if key:
            assert finding["line"] == line_of(finding["path"], key), finding
            checked += 1
    assert checked > 50


def test_json_shape(findings):
    payload = json.loads(lint("--format", "json").stdout)
    assert payload["as_of"] == "2023-06-30"
    assert set(payload["findings"][0]) == {
        "code",
        "rule",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "plan",
        "action",
    }
    summary = payload["summary"]
    assert summary["findings"] == len(findings) == summary["errors"] + summary["warnings"] + summary["info"]
    assert summary["by_rule"]["overdue"] == 42


@pytest.mark.parametrize("output_format", [f.value for f in LintFormat if f is not LintFormat.auto])
def test_output_is_byte_identical_between_uncached_runs_under_different_hash_seeds(output_format, tmp_path):
    """Separate processes, the cache off, PYTHONHASHSEED 1, 2 and random: one output, byte for byte (a set or dict
    order leaking into the output would differ between them). And it is the output the in-process run gives."""
    args = ["lint", str(unsuppressed()), "--as-of", "2023-06-30", "--format", output_format]
    runs = runs_under_each_seed(args, tmp_path, cwd=Path.cwd())  # where the in-process run below runs
    stdout = assert_same_output(runs)
    assert runs["1"].returncode == 1 and stdout.count(b"\n") > 5  # HI 6's error, and a real amount of output
    assert stdout.decode("utf-8") == lint("--format", output_format).stdout


def test_the_hash_seeds_really_differ(tmp_path):
    """The determinism tests mean something only if the seeds change iteration order in the processes they start."""
    probe = ["-c", "print(list({f'owner-{i}' for i in range(50)}))"]
    orders = {
        seed: subprocess.run(
            [sys.executable, *probe], env=uncached_env(seed, tmp_path), capture_output=True, check=True
        ).stdout
        for seed in HASH_SEEDS
    }
    assert orders["1"] != orders["2"]


def test_sarif_validates_against_the_2_1_0_schema():
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(lint("--format", "sarif").stdout)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {r.code for r in REGISTRY.values()}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    # and the schema really checks: a wrong level fails
    run["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, schema)


def test_github_annotations():
    lines = lint("--format", "github").stdout.splitlines()
    annotation = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=AT\d{3} [a-z-]+::.+$")
    assert all(annotation.match(line) for line in lines[:-1]), lines[:3]
    assert any(line.startswith("::error file=plans/health-inequalities-2021-23/actions/6-") for line in lines)
    assert lines[-1].startswith("120 findings")


def test_format_auto_uses_github_in_actions():
    assert lint(env={"GITHUB_ACTIONS": "true"}).stdout.startswith("::")
    assert not lint(env={"GITHUB_ACTIONS": ""}).stdout.startswith("::")


def test_text_is_grouped_by_file_and_plain_when_piped():
    out = lint("--format", "text").stdout
    assert "\x1b[" not in out
    blocks = out.strip().split("\n\n")
    for block in blocks[:-1]:
        assert len({line.split(":", 1)[0] for line in block.splitlines()}) == 1
    first = blocks[0].splitlines()[0]
    assert re.match(r"^plans/\S+\.yaml:\d+:\d+ AT\d{3} [a-z-]+ (error|warning|info): ", first)
    assert blocks[-1].startswith("120 findings (1 error, 116 warnings, 3 info): 44 actions checked as of 2023-06-30.")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 1),
        (("--ignore", "unknown-owner"), 0),
        (("--ignore", "AT102", "--strict"), 1),
        (("--select", "missing-outcome,AT303"), 0),
        (("--select", "no-such-rule"), 2),
        (("--format", "xml"), 2),
    ],
)
def test_exit_codes(args, code):
    assert lint(*args).exit_code == code


def test_rules_command():
    listing = CliRunner().invoke(app, ["rules"])
    assert listing.exit_code == 0
    for rule in REGISTRY.values():
        assert rule.code in listing.stdout and rule.name in listing.stdout
    one = CliRunner().invoke(app, ["rules", "AT202"])
    assert one.exit_code == 0 and one.stdout.startswith("AT202 overdue\ndefault severity: warning")
    assert CliRunner().invoke(app, ["rules", "nope"]).exit_code == 2


def test_every_rule_is_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for rule in REGISTRY.values():
        assert len(rule.doc.splitlines()) >= 3, rule.name  # a summary, an explanation, examples
        assert f"`{rule.name}`" in readme and rule.code in readme, rule.name


@pytest.mark.parametrize(
    ("env", "coloured"), [({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)]
)
def test_colour_on_a_terminal_and_no_color(env, coloured):
    result = subprocess.run(
        [installed_script(), "lint", "--format", "text", "--as-of", "2023-06-30", "--select", "unknown-owner"],
        cwd=unsuppressed().parent,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TERM": "xterm-256color", **env},
    )
    assert result.returncode == 1
    colour = re.compile(r"\x1b\[[0-9;]*\b(3[0-8]|9[0-7])[;m]")  # foreground colours; NO_COLOR still allows bold
    assert bool(colour.search(result.stdout)) is coloured
    assert "AT102 unknown-owner error" in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)


def test_readme_config_example_is_valid(make_repo):
    from actiontrack.derive import derive
    from actiontrack.lint import run_lint
    from actiontrack.load import load_workspace

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("In `actiontrack.yaml`:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    repo = make_repo({"actiontrack.yaml": block})
    result = run_lint(derive(load_workspace([], cwd=repo), date(2023, 6, 30)))
    # the example's per-path ignore names a plan that is not in this repository, so it is reported as unused
    assert [f.rule for f in result.findings if f.path == "actiontrack.yaml"] == ["unused-ignore"]
