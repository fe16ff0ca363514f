"""Every lint rule, with an example that fails it and one that passes it."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from actiontrack.derive import derive
from actiontrack.history import attach_baselines
from actiontrack.lint import run_lint
from actiontrack.load import load_workspace
from actiontrack.rules import REGISTRY
from actiontrack.rules.examples import ACTION, AS_OF, BASE, EXAMPLES, GOOD, action

from .gitbuild import Repo


def lint(make_repo, files, as_of, base=True, committed=None, **kwargs):
    """Lint a repository of `files`; with `committed`, a git repository whose first commit held those files (over
    BASE) and whose second holds `files`, so rules that read the history see it."""
    if committed is None:
        folder = make_repo(files, base=base)
    else:
        folder = make_repo({**BASE, **committed}, base=False)
        repo = Repo(folder)
        repo.commit("2022-04-01", "Alice Archer", "The plan as agreed", {})
        repo.commit("2022-09-01", "Bob Baker", "Changes", dict(files))
    workspace = load_workspace([], cwd=folder)
    attach_baselines(workspace)
    return run_lint(derive(workspace, as_of), **kwargs)


def test_every_rule_has_an_example():
    assert set(EXAMPLES) == set(REGISTRY)
    assert all(rule.example is EXAMPLES[name] for name, rule in REGISTRY.items())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_rule_fails_and_passes(make_repo, tmp_path, name):
    """The examples `actiontrack rules NAME` shows are true: the rule fires on the one, and not on the other."""
    example = EXAMPLES[name]
    first = example.committed
    found = lint(make_repo, example.files(True), example.day(True), base=False, committed=first).findings
    found = [f for f in found if f.rule == name]
    assert found, f"{name} did not fire"
    assert all(f.code == REGISTRY[name].code and f.severity == REGISTRY[name].severity for f in found)
    assert all(f.line >= 1 and f.column >= 1 and f.path.startswith("plans/") for f in found)
    shutil.rmtree(tmp_path / "plans")
    shutil.rmtree(tmp_path / ".git", ignore_errors=True)
    clean = lint(make_repo, example.files(False), example.day(False), base=False, committed=first).findings
    assert [f for f in clean if f.rule == name] == []


def test_findings_point_at_the_key(make_repo):
    result = lint(make_repo, {ACTION: action(owners="owners: [planning-policy, planing-policy]\n")}, AS_OF)
    [finding] = [f for f in result.findings if f.rule == "unknown-owner"]
    assert (finding.line, finding.column) == (5, 27)
    assert 'did you mean "planning-policy" (Planning Policy)?' in finding.message
    assert (finding.plan, finding.action) == ("test-plan", "1.a")


def test_select_and_ignore(make_repo):
    files = {ACTION: action(owners="owners: [joel-matthews]\n", outcome="")}
    everything = {f.rule for f in lint(make_repo, files, AS_OF).findings}
    assert {"person-owner", "missing-outcome", "due-soon"} <= everything
    assert {f.rule for f in lint(make_repo, files, AS_OF, select={"missing-outcome"}).findings} == {"missing-outcome"}
    assert "person-owner" not in {f.rule for f in lint(make_repo, files, AS_OF, ignore={"person-owner"}).findings}


def test_config_severity_options_and_off(make_repo):
    files = {
        ACTION: action(owners="owners: [joel-matthews]\n", what="what: Promote high design standard\n"),
        "actiontrack.yaml": "lint:\n  rules:\n    person-owner: error\n    AT203: off\n"
        "    objective-restates-action: {similarity: 0.99, severity: info}\n",
    }
    result = lint(make_repo, files, AS_OF)
    rules = {f.rule: f.severity for f in result.findings}
    assert rules["person-owner"] == "error"
    assert "due-soon" not in rules
    assert "objective-restates-action" not in rules  # 97% alike < 0.99
    assert result.exit_code() == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("lint:\n  rules:\n    no-such-rule: off\n", 'actiontrack.yaml:3:5: unknown rule "no-such-rule"'),
        ("lint:\n  rules:\n    overdue: fatal\n", '"fatal" is not a severity'),
        ("lint:\n  rules:\n    overdue: {days: 3}\n", 'overdue has no option "days"'),
        ("lint:\n  rules:\n    objective-restates-action: {similarity: high}\n", "similarity must be a float"),
        ("lint:\n  ignore:\n    'plans/**': [nope]\n", 'unknown rule "nope"'),
    ],
)
def test_bad_lint_config_is_a_usage_error(make_repo, config, message):
    from actiontrack.load import UsageError

    with pytest.raises(UsageError) as raised:
        lint(make_repo, {"actiontrack.yaml": config}, AS_OF)
    assert message in str(raised.value)


def test_per_path_ignore_and_its_unused_twin(make_repo):
    files = {
        ACTION: action(outcome=""),
        "actiontrack.yaml": "lint:\n  ignore:\n    'plans/test-plan/*': [missing-outcome]\n"
        "    'plans/other/*': [overdue]\n",
    }
    findings = lint(make_repo, files, AS_OF).findings
    assert "missing-outcome" not in {f.rule for f in findings}
    [unused] = [f for f in findings if f.rule == "unused-ignore"]
    assert (unused.path, unused.line) == ("actiontrack.yaml", 4)
    assert '"plans/other/*" lists "overdue"' in unused.message


def test_per_action_ignore_with_reason(make_repo):
    files = {ACTION: action(outcome="") + "lint:\n  ignore: [missing-outcome]\n  reason: outcome agreed at board\n"}
    assert {f.rule for f in lint(make_repo, files, AS_OF).findings} & {"missing-outcome", "unused-ignore"} == set()


def test_unused_ignore_points_at_the_entry(make_repo):
    files = {ACTION: GOOD + "lint:\n  ignore: [missing-outcome, AT202]\n  reason: agreed\n"}
    unused = [f for f in lint(make_repo, files, date(2022, 6, 1)).findings if f.rule == "unused-ignore"]
    assert [(f.line, f.column) for f in unused] == [(13, 12), (13, 29)]


def test_ignores_apply_to_problems_found_while_loading(make_repo):
    body = GOOD.replace('priority: "1"', 'priority: "7"')
    files = {ACTION: body + "lint:\n  ignore: [unknown-priority]\n  reason: the priority is being added\n"}
    rules = {f.rule for f in lint(make_repo, files, AS_OF).findings}
    assert "unknown-priority" not in rules and "unused-ignore" not in rules
    by_path = {ACTION: body, "actiontrack.yaml": "lint:\n  ignore:\n    'plans/test-plan/*': [AT005]\n"}
    rules = {f.rule for f in lint(make_repo, by_path, AS_OF).findings}
    assert "unknown-priority" not in rules and "unused-ignore" not in rules


def test_a_misspelt_rule_in_an_ignore_is_reported(make_repo):
    files = {ACTION: GOOD + "lint:\n  ignore: [person-ownr]\n  reason: x\n"}
    [finding] = [f for f in lint(make_repo, files, AS_OF).findings if f.rule == "unused-ignore"]
    assert finding.message == 'lint.ignore lists "person-ownr", which is not a rule; did you mean "person-owner"?'
