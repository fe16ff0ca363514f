"""The loader: every model error maps to the right file:line:column with one clear message."""

import os
from pathlib import Path

import pytest

from actiontrack.load import UsageError, load_workspace, natural_key

from .conftest import ACTION

ACTION_PATH = "plans/test-plan/actions/1.a-promote.yaml"
REGISTRY = "owners:\n  - id: a\n    name: A\n    kind: team\n  - id: {second}\n    name: B\n    kind: {kind}\n"


def only_problem(repo: Path):
    workspace = load_workspace([], cwd=repo)
    assert len(workspace.problems) == 1, [p.format(repo) for p in workspace.problems]
    return workspace.problems[0]


def test_valid_repo_loads(make_repo):
    workspace = load_workspace([], cwd=make_repo())
    assert workspace.problems == []
    [source] = workspace.actions
    assert source.action.id == "1.a"
    assert source.action.due.end.isoformat() == "2024-03-31"
    assert workspace.owner_name("planning-policy") == "Planning Policy"


def test_finds_root_from_a_subfolder(make_repo):
    repo = make_repo()
    assert len(load_workspace([], cwd=repo / "plans" / "test-plan" / "actions").actions) == 1


@pytest.mark.parametrize(
    ("content", "line", "column", "expected"),
    [
        # broken YAML
        ('id: "1.a"\ntitle: [oops\nowners: []\n', 2, 8, 'this "[" is never closed'),
        # wrong type
        ('id: "1.a"\ntitle: A\nowners: planning-policy\n', 3, 1, "owners: expected a list"),
        # unknown key, with a suggestion
        (
            'id: "1.a"\ntitle: A\nownrs: [planning-policy]\n',
            3,
            1,
            'unknown key "ownrs"; did you mean "owners"?',
        ),
        # unknown key deep inside
        (
            'id: "1.a"\ntitle: A\nmilestones:\n  - text: x\n    dew: "2022/23"\n',
            5,
            5,
            'unknown key "dew"; did you mean "due"?',
        ),
        # missing required key points at the mapping that lacks it
        ('id: "1.a"\nwhat: x\n', 1, 1, 'missing required key "title"'),
        (
            'id: "1.a"\ntitle: A\nmilestones:\n  - due: "2022/23"\n',
            4,
            5,
            'missing required key "text" in milestones[0]',
        ),
        # a bad deadline names its text
        (
            'id: "1.a"\ntitle: A\ndue: "soonish"\n',
            3,
            1,
            'due: "soonish" is not a date actiontrack understands',
        ),
        (
            'id: "1.a"\ntitle: A\nmilestones:\n  - text: x\n    due: Smarch 2022\n',
            5,
            5,
            'milestones[0].due: "Smarch 2022"',
        ),
        # a bad RAG in an update
        (
            'id: "1.a"\ntitle: A\nupdates:\n  - period: "2022/23 Q1"\n    rag: purple\n',
            5,
            5,
            'updates[0].rag: "purple" is not one of: green, amber, red',
        ),
        # bad owner id form
        (
            'id: "1.a"\ntitle: A\nowners: [Planning Policy]\n',
            3,
            10,
            'owners[0]: "Planning Policy" cannot be used here: use lower-case letters, digits and hyphens',
        ),
        # not a mapping at all
        ("- just\n- a list\n", 1, 1, "the file is a list, not a set of keys"),
        ("", 1, 1, "the file is empty"),
        # hostile
        (
            'id: "1.a"\ntitle: !!python/object/apply:os.system ["true"]\n',
            2,
            8,
            "YAML tag !!python/object/apply:os.system",
        ),
    ],
)
def test_action_errors_are_positioned(make_repo, content, line, column, expected):
    repo = make_repo({ACTION_PATH: content})
    found = only_problem(repo)
    assert found.path == repo / ACTION_PATH
    assert found.message.startswith(expected) or expected in found.message, found.message
    assert (found.line, found.column) == (line, column), found.format()


def test_format_is_path_line_column_message(make_repo):
    repo = make_repo({ACTION_PATH: 'id: "1.a"\ntitle: A\nownrs: []\n'})
    assert only_problem(repo).format(repo) == f'{ACTION_PATH}:3:1: unknown key "ownrs"; did you mean "owners"?'


def _lint_findings(repo, rule: str):
    from datetime import date

    from actiontrack.derive import derive
    from actiontrack.lint import run_lint

    workspace = load_workspace([], cwd=repo)
    assert workspace.problems == []  # a priority is the plan's business: the file itself reads fine
    return [f for f in run_lint(derive(workspace, date(2023, 1, 1))).findings if f.rule == rule]


def test_unknown_priority(make_repo):
    repo = make_repo({ACTION_PATH: 'id: "1.a"\npriority: "7"\ntitle: A\n'})
    [found] = _lint_findings(repo, "unknown-priority")
    assert found.line == 2
    assert found.message == 'unknown priority "7": the plan\'s priorities are 1'


def test_duplicate_id_within_a_plan(make_repo):
    repo = make_repo({"plans/test-plan/actions/1.a-copy.yaml": 'id: "1.a"\npriority: "1"\ntitle: Copy\n'})
    found = only_problem(repo)
    assert found.rule == "duplicate-id"
    # files load in name order, so the second one named is the duplicate
    assert found.path.name == "1.a-promote.yaml"
    assert found.message == 'duplicate action id "1.a": also used in 1.a-copy.yaml:1'
    # the same id in another plan is fine
    repo = make_repo(
        {
            "plans/test-plan/actions/1.a-copy.yaml": 'id: "1.b"\npriority: "1"\ntitle: B\n',
            "plans/other/plan.yaml": "title: Other\n",
            "plans/other/actions/1.a.yaml": 'id: "1.a"\ntitle: Other 1.a\n',
        }
    )
    assert load_workspace([], cwd=repo).problems == []


def test_every_problem_is_reported_at_once(make_repo):
    repo = make_repo(
        {
            "plans/test-plan/actions/2-a.yaml": "id: 2\ntitle: [x\n",
            "plans/test-plan/actions/3-b.yaml": "id: 3\ntitle: B\nfoo: 1\n",
            "plans/test-plan/actions/4-c.yaml": "id: 4\ntitle: C\ndue: never\n",
        }
    )
    workspace = load_workspace([], cwd=repo)
    assert [p.path.name for p in workspace.problems] == ["2-a.yaml", "3-b.yaml", "4-c.yaml"]
    assert [a.action.id for a in workspace.actions] == ["1.a"]  # the good file still loads


def test_numeric_id_is_text(make_repo):
    repo = make_repo({"plans/test-plan/actions/2.yaml": "id: 2\ntitle: Two\n"})
    workspace = load_workspace([], cwd=repo)
    assert [a.action.id for a in workspace.actions] == ["1.a", "2"]


def test_plan_yaml_errors(make_repo):
    repo = make_repo({"plans/test-plan/plan.yaml": 'title: T\nperiod: "forever"\nreportng: quarterly\n'})
    problems = [p.format(repo) for p in load_workspace([], cwd=repo).problems]
    assert len(problems) == 2
    assert problems[0].startswith('plans/test-plan/plan.yaml:2:1: period: "forever" is not a date')
    assert problems[1] == 'plans/test-plan/plan.yaml:3:1: unknown key "reportng"; did you mean "reporting"?'


def test_owners_registry_errors(make_repo):
    repo = make_repo({"plans/owners.yaml": REGISTRY.format(second="b", kind="tribe")})
    [found] = load_workspace([], cwd=repo).problems
    assert found.format(repo) == 'plans/owners.yaml:7:5: owners[1].kind: "tribe" is not one of: team, person, partner'


def test_duplicate_owner_id(make_repo):
    repo = make_repo({"plans/owners.yaml": REGISTRY.format(second="a", kind="team")})
    [found] = load_workspace([], cwd=repo).problems
    assert (found.line, found.rule, found.message) == (5, "duplicate-id", 'owner id "a" is listed twice')


def test_config_financial_year_start(make_repo):
    repo = make_repo({"actiontrack.yaml": "financial_year_start: July\n"})
    workspace = load_workspace([], cwd=repo)
    assert workspace.actions[0].action.due.end.isoformat() == "2024-06-30"  # "2022/24" with July years


def test_bad_config_is_a_usage_error(make_repo):
    repo = make_repo({"actiontrack.yaml": "financial_year_start: Smarch\n"})
    with pytest.raises(UsageError, match=r"actiontrack.yaml:1:1: .*Smarch"):
        load_workspace([], cwd=repo)


def test_paths(make_repo):
    repo = make_repo({"plans/other/plan.yaml": "title: Other\n", "plans/other/actions/1.yaml": 'id: "1"\ntitle: X\n'})
    assert len(load_workspace([repo / "plans"]).plans) == 2
    assert [p.slug for p in load_workspace([repo / "plans" / "other"]).plans] == ["other"]
    one = load_workspace([repo / ACTION_PATH])
    assert [a.action.id for a in one.actions] == ["1.a"]
    with pytest.raises(UsageError, match="no such file"):
        load_workspace([repo / "nope"])


def test_no_plans_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no plans found"):
        load_workspace([], cwd=tmp_path)


def test_natural_key():
    ids = ["10", "1.b", "2", "1.a", "19", "1"]
    assert sorted(ids, key=natural_key) == ["1", "1.a", "1.b", "2", "10", "19"]


def test_missing_priority_in_a_plan_with_priorities(make_repo):
    [found] = _lint_findings(make_repo({ACTION_PATH: 'id: "1.a"\ntitle: A\n'}), "unknown-priority")
    assert found.line == 1
    assert found.message == "no priority: add `priority:`; the plan's priorities are 1"


def test_lint_ignore_needs_a_reason(make_repo):
    found = only_problem(make_repo({ACTION_PATH: 'id: "1.a"\npriority: "1"\ntitle: A\nlint:\n  ignore: [overdue]\n'}))
    assert found.line == 4 and 'missing required key "reason" in lint' in found.message


def test_a_plan_folder_named_through_a_link_out_of_the_repository_is_refused(make_repo, tmp_path_factory):
    repo = make_repo()
    outside = tmp_path_factory.mktemp("outside") / "secret-plan"
    (repo / "plans/test-plan").rename(outside)
    (repo / "plans/linked").symlink_to(outside)
    for named in (repo / "plans/linked", repo / "plans/linked/actions/1.a-promote.yaml"):
        workspace = load_workspace([named], cwd=repo)
        assert workspace.actions == []
        assert {p.format(repo) for p in workspace.problems} >= {
            "plans/linked/actions/1.a-promote.yaml:1:1: this file is in a folder that is a link to a folder outside "
            "the repository; replace the link with the folder itself"
        }


def test_thousands_of_bad_keys_give_the_first_fifty_and_a_count(make_repo):
    bad_keys = "".join(f"bad{index}: 1\n" for index in range(2000))
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": ACTION + bad_keys})
    problems = load_workspace([], cwd=repo).problems
    assert len(problems) == 51
    assert "and 1,950 more problems in this file, not listed" in [p.message for p in problems]


def test_an_owners_registry_that_is_not_a_file_is_reported(make_repo):
    repo = make_repo()
    (repo / "plans/owners.yaml").unlink()
    (repo / "plans/owners.yaml").symlink_to(repo / "nowhere.yaml")
    [problem] = load_workspace([], cwd=repo).problems
    assert problem.format(repo) == "plans/owners.yaml:1:1: this file is a link to a file that does not exist"


def test_a_file_name_with_a_newline_or_escape_stays_on_one_line(make_repo):
    repo = make_repo({"plans/test-plan/actions/2-new\nline\x1b[31m.yaml": 'id: "2"\ntitle: x\nbogus: 1\n'})
    [problem] = load_workspace([], cwd=repo).problems
    assert problem.format(repo).startswith("plans/test-plan/actions/2-new\\x0aline\\x1b[31m.yaml:3:1: unknown key")


def test_an_unreadable_actions_folder_is_a_usage_error(make_repo, monkeypatch):
    repo = make_repo()
    real_scandir = os.scandir

    def refuse(path):  # chmod cannot stop root, who runs CI here: refuse the way the kernel would
        if str(path).endswith("actions"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(UsageError, match=r"actions: cannot read the folder: Permission denied"):
        load_workspace([], cwd=repo)
