"""Every lint rule, with an example that fails it and one that passes it."""

from __future__ import annotations

from datetime import date

import pytest

from actiontrack.derive import derive
from actiontrack.lint import run_lint
from actiontrack.load import load_workspace
from actiontrack.rules import REGISTRY

ACTION = "plans/test-plan/actions/1.a-promote.yaml"
HEAD = 'id: "1.a"\npriority: "1"\n'
GOOD = HEAD + (
    "title: Promote high design standards\nwhat: Review policy as part of Local Plan refresh\n"
    'owners: [planning-policy]\ndue: "2022/23"\noutcome: Better homes\n'
    'updates:\n  - period: "2022/23 Q4"\n    rag: green\n    note: on track\n'
)
AS_OF = date(2023, 3, 1)  # within 2022/23, Q3 ended, due 2023-03-31 is 30 days ahead


def action(**changes: str) -> str:
    """GOOD with some top-level keys replaced (value None: key removed)."""
    lines = GOOD.splitlines(keepends=True)
    keys = ["id", "priority", "title", "what", "owners", "due", "outcome", "updates"]
    blocks: dict[str, str] = {}
    current = ""
    for line in lines:
        key = line.split(":", 1)[0]
        if key in keys and not line.startswith(" "):
            current = key
            blocks[current] = ""
        blocks[current] += line
    for key, value in changes.items():
        blocks[key] = value
    return "".join(v for v in blocks.values() if v)


CASES: dict[str, tuple[dict[str, str | bytes], dict[str, str | bytes], date]] = {
    # rule: (files that make it fire, files that do not, as-of date)
    "yaml-syntax": ({ACTION: HEAD + "title: [unclosed\n"}, {ACTION: GOOD}, AS_OF),
    "schema": ({ACTION: GOOD + "ownres: [planning-policy]\n"}, {ACTION: GOOD}, AS_OF),
    "duplicate-id": (
        {"plans/test-plan/actions/1.a-again.yaml": GOOD},
        {"plans/test-plan/actions/1.b-other.yaml": GOOD.replace('"1.a"', '"1.b"')},
        AS_OF,
    ),
    "id-filename-mismatch": ({ACTION: GOOD.replace('"1.a"', '"1.c"')}, {ACTION: GOOD}, AS_OF),
    "unknown-priority": ({ACTION: GOOD.replace('priority: "1"', 'priority: "7"')}, {ACTION: GOOD}, AS_OF),
    "conflict-marker": ({ACTION: GOOD + "<<<<<<< HEAD\nstatus: complete\n=======\n>>>>>>> b\n"}, {ACTION: GOOD}, AS_OF),
    "unparseable-deadline": ({ACTION: action(due='due: "soonish"\n')}, {ACTION: GOOD}, AS_OF),
    "missing-owner": ({ACTION: action(owners="owners: []\n")}, {ACTION: GOOD}, AS_OF),
    "unknown-owner": (
        {ACTION: action(owners="owners: [planning-polcy]\n")},
        {ACTION: action(owners="owners: [planning-policy, joel-matthews]\n")},
        AS_OF,
    ),
    "person-owner": (
        {ACTION: action(owners="owners: [joel-matthews]\n")},
        {ACTION: action(owners="owners: [planning-policy, joel-matthews]\n")},
        AS_OF,
    ),
    "missing-deadline": ({ACTION: action(due="")}, {ACTION: action(due="due: ongoing\n")}, AS_OF),
    "overdue": ({ACTION: GOOD}, {ACTION: GOOD + "status: complete\n"}, date(2023, 6, 30)),
    "due-soon": ({ACTION: GOOD}, {ACTION: GOOD}, AS_OF),  # the passing run is on 2023-01-10, see below
    "milestone-after-deadline": (
        {ACTION: GOOD + 'milestones:\n  - text: Report\n    due: "June 2023"\n'},
        {ACTION: GOOD + 'milestones:\n  - text: Report\n    due: "October 2022"\n'},
        AS_OF,
    ),
    "unread-deadline": (
        {ACTION: action(due='due_as_written: "S"\n')},
        {ACTION: action(due='due: "2022/23"\n')},
        AS_OF,
    ),
    "deadline-outside-plan": ({ACTION: action(due='due: "2022/24"\n')}, {ACTION: GOOD}, AS_OF),
    "missing-outcome": ({ACTION: action(outcome="")}, {ACTION: GOOD}, AS_OF),
    "unmeasurable-target": (
        {ACTION: GOOD + "targets:\n  - text: X programme attendances\n"},
        {ACTION: GOOD + "targets:\n  - text: 250 programme attendances\n"},
        AS_OF,
    ),
    "objective-restates-action": (
        {ACTION: action(what="what: Promote high-design standards.\n")},
        {ACTION: GOOD},
        AS_OF,
    ),
    "stale-update": (
        {ACTION: action(updates='updates:\n  - period: "2022/23 Q2"\n    rag: green\n')},
        {ACTION: GOOD},
        date(2023, 4, 2),
    ),
    "red-without-note": (
        {ACTION: action(updates='updates:\n  - period: "2022/23 Q4"\n    rag: red\n')},
        {ACTION: action(updates='updates:\n  - period: "2022/23 Q4"\n    rag: red\n    note: Bid refused\n')},
        AS_OF,
    ),
    "complete-with-unmet-target": (
        {ACTION: GOOD + "status: complete\ntargets:\n  - text: 10 x volunteers\n"},
        {
            ACTION: GOOD.replace("note: on track\n", "note: on track\n    actuals: {volunteers: 12}\n")
            + "status: complete\ntargets:\n  - text: 10 x volunteers\n"
        },
        AS_OF,
    ),
    "unused-ignore": (
        {ACTION: GOOD + "lint:\n  ignore: [overdue]\n  reason: agreed extension\n"},
        {ACTION: GOOD + "lint:\n  ignore: [due-soon]\n  reason: agreed extension\n"},
        AS_OF,
    ),
}
PASSING_AS_OF = {"due-soon": date(2023, 1, 10)}


def lint(make_repo, files, as_of, **kwargs):
    workspace = load_workspace([], cwd=make_repo(files))
    return run_lint(derive(workspace, as_of), **kwargs)


def test_every_rule_has_a_case():
    assert set(CASES) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_fails_and_passes(make_repo, tmp_path, name):
    failing, passing, as_of = CASES[name]
    found = [f for f in lint(make_repo, failing, as_of).findings if f.rule == name]
    assert found, f"{name} did not fire"
    assert all(f.code == REGISTRY[name].code and f.severity == REGISTRY[name].severity for f in found)
    assert all(f.line >= 1 and f.column >= 1 and f.path.startswith("plans/") for f in found)
    for leftover in tmp_path.joinpath("plans/test-plan/actions").glob("*"):
        leftover.unlink()
    clean = lint(make_repo, passing, PASSING_AS_OF.get(name, as_of)).findings
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
