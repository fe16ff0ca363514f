"""Editing without losing anything: update/new change only what they mean to, atomically, and refuse bad input."""

from __future__ import annotations

import difflib
import json
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.edit import EditError, new_action, next_action_id, update_action
from actiontrack.load import load_workspace
from actiontrack.schemas import schema_documents

from .conftest import BUNDLED_PLANS
from .test_cli import installed_script


@pytest.fixture
def plans(tmp_path) -> Path:
    shutil.copytree(BUNDLED_PLANS, tmp_path / "plans")
    return tmp_path / "plans"


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_update_every_bundled_action_changes_only_the_intended_lines(plans):
    workspace = load_workspace([plans])
    assert len(workspace.actions) == 44
    for source in workspace.actions:
        before = source.path.read_bytes()
        period = "2022/23 Q4"
        key = source.action.targets[0].key if source.action.targets and source.action.targets[0].key else None
        result = update_action(
            workspace,
            source.action.id,
            period,
            plan_slug=source.plan_slug,
            rag="amber",
            note="Progress: see the board paper.",
            actuals=[f"{key}=5"] if key else [],
        )
        after = source.path.read_bytes()
        assert after == result.after.encode()
        assert after.startswith(before)  # every existing byte kept
        expected = (
            "\nupdates:\n  - period: \"2022/23 Q4\"\n    rag: amber\n    note: 'Progress: see the board paper.'\n"
        )
        if key:
            expected += f"    actuals: {{{key}: 5}}\n"
        assert after[len(before) - 1 :].decode() == expected, source.path.name
    assert load_workspace([plans]).problems == []


STYLED = (
    "# Action 3.b — kept exactly as the officer wrote it\r\n"
    "id: '3.b'   # single-quoted id\r\n"
    'priority: "3"\r\n'
    "title: >-\r\n"
    "    A folded title that runs\r\n"
    "    over two lines\r\n"
    "owners:\r\n"
    "- economic-development   # dash at column 0\r\n"
    "due: 2022/23\r\n"
    "status: in-progress\r\n"
    "targets:\r\n"
    "- text: \"10 x 'volunteers'\"\r\n"
    "updates:\r\n"
    "- period: 2022/23 Q1\r\n"
    "  rag: green\r\n"
    "  note: |\r\n"
    "    First line\r\n"
    "    second line\r\n"
    "\r\n"
    "# a comment after the updates\r\n"
)


def styled_repo(make_repo) -> Path:
    return make_repo(
        {
            "plans/test-plan/plan.yaml": 'title: T\nperiod: "2022/23"\npriorities:\n  - id: "3"\n    title: Jobs\n',
            "plans/owners.yaml": "owners:\n  - id: economic-development\n    name: Economic Dev\n    kind: team\n",
            "plans/test-plan/actions/1.a-promote.yaml": "",
        }
    )


def write_styled(repo: Path) -> Path:
    (repo / "plans/test-plan/actions/1.a-promote.yaml").unlink()
    path = repo / "plans/test-plan/actions/3.b-styled.yaml"
    path.write_bytes(STYLED.encode())
    return path


def test_update_keeps_comments_quotes_style_and_crlf(make_repo):
    repo = styled_repo(make_repo)
    path = write_styled(repo)
    result = update_action(
        load_workspace([], cwd=repo),
        "3.b",
        "Q2 2022/23",
        rag="red",
        note="Slipped",
        status="in-progress",
        actuals=["volunteers=4"],
    )
    after = path.read_bytes().decode()
    assert "\r\n" in after and "\n" not in after.replace("\r\n", "")
    removed, added = changed_lines(STYLED, after)
    assert removed == []
    assert added == [
        '- period: "2022/23 Q2"\r\n',
        "  rag: red\r\n",
        "  status: in-progress\r\n",
        "  note: Slipped\r\n",
        "  actuals: {volunteers: 4}\r\n",
    ]
    assert result.changed


def test_replace_changes_only_that_update(make_repo):
    repo = styled_repo(make_repo)
    path = write_styled(repo)
    workspace = load_workspace([], cwd=repo)
    with pytest.raises(EditError, match="already has an update for 2022/23 Q1; use --replace"):
        update_action(workspace, "3.b", "2022/23 Q1", rag="amber")
    assert path.read_bytes().decode() == STYLED
    update_action(workspace, "3.b", "2022/23 Q1", rag="amber", note="Revised", replace=True)
    removed, added = changed_lines(STYLED, path.read_bytes().decode())
    assert removed == [
        "- period: 2022/23 Q1\r\n",
        "  rag: green\r\n",
        "  note: |\r\n",
        "    First line\r\n",
        "    second line\r\n",
    ]
    assert added == ['- period: "2022/23 Q1"\r\n', "  rag: amber\r\n", "  note: Revised\r\n"]


def test_status_is_set_in_place(make_repo):
    repo = styled_repo(make_repo)
    path = write_styled(repo)
    update_action(load_workspace([], cwd=repo), "3.b", "2022/23 Q2", status="complete")
    removed, added = changed_lines(STYLED, path.read_bytes().decode())
    assert removed == ["status: in-progress\r\n"]
    assert added == ["status: complete\r\n", '- period: "2022/23 Q2"\r\n', "  status: complete\r\n"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "Q5 2022/23"}, "is not a date"),
        ({"period": "March 2023"}, 'not a quarterly reporting period of this plan, e.g. "2022/23 Q4"'),
        ({"period": "2024/25 Q1"}, "outside the plan's period"),
        ({"period": "2022/23 Q2", "actuals": ["volunters=3"]}, 'no target "volunters"'),
        ({"period": "2022/23 Q2", "actuals": ["volunteers=three"]}, "is not a number"),
        ({"period": "2022/23 Q2", "rag": "purple"}, '"purple" is not one of green, amber, red'),
    ],
)
def test_refusals_write_nothing(make_repo, kwargs, message):
    repo = styled_repo(make_repo)
    path = write_styled(repo)
    with pytest.raises(EditError, match=message):
        update_action(load_workspace([], cwd=repo), "3.b", **kwargs)
    assert path.read_bytes().decode() == STYLED


@pytest.mark.parametrize(
    "content",
    [
        'id: "1.a"\npriority: "1"\ntitle: [broken\n',
        'id: "1.a"\npriority: "1"\ntitle: !!python/object/apply:os.system ["x"]\n',
    ],
)
def test_an_invalid_file_is_refused_untouched(make_repo, content):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": content})
    with pytest.raises(EditError, match="invalid; fix it first"):
        update_action(load_workspace([], cwd=repo), "1.a", "2022/23 Q1", rag="green")
    assert (repo / "plans/test-plan/actions/1.a-promote.yaml").read_text() == content


def test_dry_run_prints_a_diff_and_writes_nothing(plans):
    path = next((plans / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    before = path.read_bytes()
    result = CliRunner().invoke(
        app, ["update", "1.c", str(plans), "--period", "2022/23 Q1", "--rag", "green", "--note", "ok", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("--- a/plans/health-wellbeing-2022-23/actions/1.c-")
    assert '+  - period: "2022/23 Q1"\n+    rag: green\n+    note: ok\n' in result.stdout
    assert path.read_bytes() == before
    failed = CliRunner().invoke(app, ["update", "1.c", str(plans), "--period", "2030/31 Q1"])
    assert failed.exit_code == 1 and "outside the plan's period" in failed.output


def test_no_temporary_files_are_left(plans):
    workspace = load_workspace([plans])
    update_action(workspace, "1.c", "2022/23 Q1", rag="green")
    leftovers = [p for p in plans.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_kill_at_random_moments_leaves_old_or_new_file(plans):
    """SIGKILL an `update` at random moments, many times: the file is always the old one or the new one, valid."""
    path = next((plans / "health-inequalities-2021-23" / "actions").glob("1-*.yaml"))
    script = installed_script()
    rng = random.Random(20230630)
    started = time.perf_counter()  # one unkilled run sets the range of kill moments, so slow machines hit both
    subprocess.run(
        [script, "update", "1", str(plans), "--period", "2022/23 Q4", "--note", "timing"],
        check=True,
        capture_output=True,
    )
    full_run = time.perf_counter() - started
    outcomes = {"old": 0, "new": 0}
    for attempt in range(40):
        before = path.read_bytes()
        period = f"2021/22 Q{attempt % 4 + 1}"
        process = subprocess.Popen(
            [script, "update", "1", str(plans), "--period", period, "--note", f"attempt {attempt}", "--replace"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 1.5 * full_run))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = path.read_bytes()
        workspace = load_workspace([plans])
        assert workspace.problems == [], [p.format() for p in workspace.problems]
        if after == before:
            outcomes["old"] += 1
        else:
            outcomes["new"] += 1
            assert f"note: attempt {attempt}".encode() in after
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes  # both moments were really hit
    assert not [p for p in plans.rglob("*") if p.suffix == ".yaml" and p.name.startswith(".")]


def test_next_action_id():
    workspace = load_workspace([BUNDLED_PLANS])
    hw, hi = (
        next(p for p in workspace.plans if p.slug == s)
        for s in ("health-wellbeing-2022-23", "health-inequalities-2021-23")
    )
    assert next_action_id(hw, "2") == "2.e"
    assert next_action_id(hw, "6") == "6.g"
    assert next_action_id(hi, None) == "20"


def test_new_action(plans):
    workspace = load_workspace([plans])
    result = new_action(
        workspace,
        "health-wellbeing-2022-23",
        "Pilot green social prescribing",
        priority="2",
        owners=["health-wellbeing", "canals-rivers-trust"],
        due="2022/23",
    )
    assert result.path.name == "2.e-pilot-green-social-prescribing.yaml"
    text = result.path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/action.schema.json\n")
    # the line resolves: a repository without schemas/ gets them with its first new action
    assert (result.path.parent / "../../../schemas/action.schema.json").resolve().is_file()
    assert len(list((workspace.root / "schemas").glob("*.schema.json"))) == 4
    reloaded = load_workspace([plans])
    assert reloaded.problems == []
    assert [a.action.id for a in reloaded.actions if a.plan_slug == "health-wellbeing-2022-23"][-1] == "6.f"
    assert any(
        a.action.id == "2.e" and a.action.owners == ["health-wellbeing", "canals-rivers-trust"]
        for a in reloaded.actions
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"priority": "9"}, 'no priority "9"'),
        ({}, "--priority is required"),
        ({"priority": "2", "owners": ["helth-wellbeing"]}, 'did you mean "health-wellbeing"'),
        ({"priority": "2", "due": "soonish"}, '"soonish" is not a date'),
    ],
)
def test_new_refusals(plans, kwargs, message):
    with pytest.raises(EditError, match=message):
        new_action(load_workspace([plans]), "health-wellbeing-2022-23", "X", **kwargs)
    assert not list((plans / "health-wellbeing-2022-23" / "actions").glob("2.e-*"))


def test_json_schemas_accept_every_bundled_file_and_reject_typos(tmp_path):
    result = CliRunner().invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0
    schemas = {name: json.loads((tmp_path / f"{name}.schema.json").read_text()) for name in schema_documents()}
    yaml = YAML(typ="safe")
    for path in BUNDLED_PLANS.rglob("actions/*.yaml"):
        jsonschema.validate(yaml.load(path.read_text()), schemas["action"])
    for path in BUNDLED_PLANS.glob("*/plan.yaml"):
        jsonschema.validate(yaml.load(path.read_text()), schemas["plan"])
    jsonschema.validate(yaml.load((BUNDLED_PLANS / "owners.yaml").read_text()), schemas["owners"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "1", "title": "x", "ownres": []}, schemas["action"])


def test_cli_new_and_update(plans):
    created = CliRunner().invoke(
        app,
        [
            "new",
            str(plans),
            "--plan",
            "health-inequalities-2021-23",
            "--title",
            "Stop smoking service",
            "--owner",
            "health-improvement-officers",
            "--due",
            "March 2023",
        ],
    )
    assert created.exit_code == 0, created.output
    assert created.stdout.strip().endswith("actions/20-stop-smoking-service.yaml")
    updated = CliRunner().invoke(
        app, ["update", "20", str(plans), "--period", "2022/23 Q3", "--rag", "green", "--status", "in-progress"]
    )
    assert updated.exit_code == 0, updated.output
    status = json.loads(CliRunner().invoke(app, ["status", str(plans), "--json", "--as-of", "2023-03-10"]).stdout)
    record = next(a for a in status["actions"] if a["id"] == "20")
    assert (record["state"], record["rag"], record["last_update"]) == ("due-soon", "green", "2022/23 Q3")


# ---- regressions found in review ------------------------------------------------------------------------------------

THREE_UPDATES = (
    'id: "1.a"\npriority: "1"\ntitle: "A\u2028B"\nowners: [planning-policy]\ndue: "2022/23"\n'
    "targets:\n  - text: 10 x volunteers\n"
    'updates:\n  - period: "2022/23 Q1"\n    rag: red\n    note: first\n'
    "\n  # Q2: written by Bob\n"
    '  - period: "2022/23 Q2"\n    rag: amber\n    note: second\n'
    '  - period: "2022/23 Q3"\n    rag: green\n    note: third\n'
)


def test_line_separators_in_text_do_not_shift_the_edit(make_repo):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": THREE_UPDATES})
    path = repo / "plans/test-plan/actions/1.a-promote.yaml"
    update_action(load_workspace([], cwd=repo), "1.a", "2022/23 Q4", rag="green")
    after = path.read_text(encoding="utf-8")
    assert after.startswith(THREE_UPDATES)  # U+2028 is not a YAML line break; nothing moved
    [source] = load_workspace([], cwd=repo).actions
    assert [(u.period.text, u.note) for u in source.action.updates][-2:] == [
        ("2022/23 Q3", "third"),
        ("2022/23 Q4", None),
    ]


def test_replacing_a_middle_update_keeps_the_next_ones_comment(make_repo):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": THREE_UPDATES})
    path = repo / "plans/test-plan/actions/1.a-promote.yaml"
    update_action(load_workspace([], cwd=repo), "1.a", "2022/23 Q1", rag="amber", note="revised", replace=True)
    removed, added = changed_lines(THREE_UPDATES, path.read_text(encoding="utf-8"))
    assert removed == ["    rag: red\n", "    note: first\n"]
    assert added == ["    rag: amber\n", "    note: revised\n"]


def test_bom_and_empty_updates_comment_are_kept(make_repo):
    text = 'id: "1.a"\npriority: "1"\ntitle: A\nupdates: []   # none yet\n'
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": ("\ufeff" + text).encode()})
    path = repo / "plans/test-plan/actions/1.a-promote.yaml"
    update_action(load_workspace([], cwd=repo), "1.a", "2022/23 Q1", rag="green")
    after = path.read_bytes().decode("utf-8")
    assert after.startswith("\ufeffid:")
    assert 'updates:   # none yet\n  - period: "2022/23 Q1"\n    rag: green\n' in after


def test_option_mistakes_exit_2_and_refusals_exit_1(plans):
    def run(*args):
        return CliRunner().invoke(app, [*args, str(plans)]).exit_code

    assert run("update", "1.c", "--period", "2022/23 Q1", "--actual", "volunteers=3") == 2  # 1.c has no target
    assert run("update", "1.c", "--period", "2022/23 Q1", "--plan", "nope") == 2
    assert run("update", "1.c", "--period", "someday") == 2
    assert run("new", "--plan", "health-wellbeing-2022-23", "--priority", "9", "--title", "X") == 2
    assert run("update", "1.c", "--period", "2030/31 Q1") == 1  # the plan refuses it
