"""Editing without losing anything: update/new change only what they mean to, atomically, and refuse bad input."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
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
        update_action(workspace, "3.b", "2022/23 Q1", rag="amber", note="Behind")
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
        ({"period": "Q5 2022/23"}, "is not a quarterly reporting period"),
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


# ---- SIGKILL inside the write window ------------------------------------------------------------------------------
#
# atomic_write (edit.py) writes the new file in full to a hidden temporary file beside the action file, named by
# tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp") -- ".<file name>.<8 random characters>.tmp" -- fsyncs it and
# renames it over the file. The whole write takes a few milliseconds, so a kill at a random moment rarely lands in
# it. Here `update` runs under a wrapper (KILL_WRAPPER, in a process of its own) that stops at a chosen point of the
# write and says so; only then is it sent SIGKILL:
#   mid-write      half of the new bytes written to whichever file the writer writes (the temporary file)
#   before-rename  the new file written in full, the rename over the action file about to happen
#   after-rename   the rename done, the process not yet finished
# The wrapper slows every write to the action's folder (a file opened there, by open() or os.fdopen(), writes half
# its data, stops, then the rest; likewise os.write) and watches renames through an audit hook (os.replace raises
# "os.rename"), so it follows what the writer does, not how edit.py names its helpers.
# A kill cannot be cleaned up after: the temporary file of a write killed before its rename stays behind. README
# promises no more than "the old file or the new one"; what is held here besides is that such a leftover is only
# ever a hidden file of that pattern, which the loader ignores, so the next command works as before.

KILL_POINTS = ("mid-write", "before-rename", "after-rename")

KILL_WRAPPER = r"""
import atexit, builtins, io, os, sys, time

point, watched, mark = os.environ["KILL_AT"], os.environ["KILL_WATCH"], os.environ["KILL_MARK"]
_open, _fdopen, _write, _io_open = builtins.open, os.fdopen, os.write, io.open
reached, renamed = [], []


def reach(name):
    if name in reached:
        return
    reached.append(name)
    descriptor = os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    _write(descriptor, " ".join(reached).encode())
    os.close(descriptor)
    if name == point:
        time.sleep(120)  # the test kills the process here


def watched_path(path):
    return os.path.dirname(os.path.abspath(os.fsdecode(path))) == watched


def path_of(descriptor):
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:
        return ""


class SlowFile:
    def __init__(self, handle):
        self._handle = handle

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._handle.__exit__(*exc)

    def write(self, data):
        half = len(data) // 2
        self._handle.write(data[:half])
        self._handle.flush()
        reach("mid-write")
        return half + self._handle.write(data[half:])


def slow_open(file, mode="r", *args, **kwargs):
    handle = _open(file, mode, *args, **kwargs)
    writing = isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+")
    return SlowFile(handle) if writing and watched_path(file) else handle


def slow_fdopen(descriptor, mode="r", *args, **kwargs):
    handle = _fdopen(descriptor, mode, *args, **kwargs)
    writing = any(c in mode for c in "wax+")
    return SlowFile(handle) if writing and watched_path(path_of(descriptor)) else handle


def slow_write(descriptor, data):
    if not watched_path(path_of(descriptor)) or len(data) < 2:
        return _write(descriptor, data)
    half = len(data) // 2
    done = _write(descriptor, data[:half])
    reach("mid-write")
    return done + _write(descriptor, data[half:])


def audit(event, args):
    if event == "os.rename" and watched_path(args[1]) and not renamed:
        reach("before-rename")
        renamed.append(True)
    elif renamed and event != "os.rename":
        reach("after-rename")  # the first thing the process does once the rename is done


builtins.open, io.open, os.fdopen, os.write = slow_open, slow_open, slow_fdopen, slow_write
sys.addaudithook(audit)
atexit.register(lambda: renamed and reach("after-rename"))

if os.environ.get("KILL_NON_ATOMIC"):
    # the broken writer of the companion test: truncate the file and write the new bytes into it, in place
    import actiontrack.edit

    atomic = actiontrack.edit.atomic_write

    def write_in_place(path, content, *, expect=None):
        with open(path, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)

    for module in list(sys.modules.values()):
        if module.__name__.startswith("actiontrack") and getattr(module, "atomic_write", None) is atomic:
            module.atomic_write = write_in_place

from actiontrack.cli import main

sys.argv = ["actiontrack", *sys.argv[1:]]
main()
"""


def temporary_name(path: Path) -> re.Pattern[str]:
    """The name atomic_write's temporary file has (tempfile.mkstemp: 8 characters of [a-z0-9_])."""
    return re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")


@dataclass
class Killed:
    point: str
    before: bytes  # the action file before the update
    expected: bytes  # what the update writes when it completes
    after: bytes  # the action file after the kill
    at_kill: dict[str, bytes]  # files new in the action's folder at the moment of the kill, and their bytes
    leftovers: list[str]  # files new in the action's folder after the kill
    reached: list[str]  # the points of the write the process had reached, in order


def update_killed_at(plans: Path, point: str, attempt: int, *, non_atomic: bool = False) -> Killed:
    """Run `update` of HI action 1 under KILL_WRAPPER, SIGKILL it once it reaches `point` ("none": let it finish)."""
    path = next((plans / "health-inequalities-2021-23" / "actions").glob("1-*.yaml"))
    folder = path.parent
    before, names_before = path.read_bytes(), set(os.listdir(folder))
    period, replace = f"2021/22 Q{attempt % 4 + 1}", attempt % 2 == 1
    note = f"attempt {attempt}: " + "progress on the volunteer programme; " * 40  # a write of a few KB
    expected = update_action(
        load_workspace([plans]), "1", period, note=note, replace=replace, dry_run=True
    ).after.encode("utf-8")
    assert expected != before
    mark = plans.parent / f"reached-{attempt}-{point}"
    env = {
        **os.environ,
        "KILL_AT": point,
        "KILL_WATCH": str(folder),
        "KILL_MARK": str(mark),
        "KILL_NON_ATOMIC": "1" if non_atomic else "",
        "ACTIONTRACK_NO_CACHE": "1",
    }
    args = ["update", "1", str(plans), "--period", period, "--note", note, *(["--replace"] if replace else [])]
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_WRAPPER, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    try:
        while point != "none" and not (mark.exists() and point in mark.read_text().split()):
            assert process.poll() is None, f"the update finished without reaching {point}: {process.stderr.read()!r}"
            assert time.monotonic() < deadline, f"{point} not reached in 60 s"
            time.sleep(0.002)
        at_kill = {n: (folder / n).read_bytes() for n in sorted(set(os.listdir(folder)) - names_before)}
        if point != "none":
            process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if point == "none":
        assert process.returncode == 0, stderr.decode()
    else:
        assert process.returncode == -signal.SIGKILL  # killed there, not finished
    return Killed(
        point,
        before,
        expected,
        path.read_bytes(),
        at_kill,
        sorted(set(os.listdir(folder)) - names_before),
        mark.read_text().split() if mark.exists() else [],
    )


def assert_old_or_new(killed: Killed) -> None:
    """The action file is exactly the old one or exactly the new one, and valid."""
    assert killed.after in (killed.before, killed.expected), (
        f"killed at {killed.point}: the file is neither the old one nor the new one "
        f"({len(killed.after)} bytes; old {len(killed.before)}, new {len(killed.expected)})"
    )


def test_the_kill_wrapper_changes_nothing_but_timing(plans):
    """Not killed, the wrapped `update` passes every point of the write in order and writes exactly the new file."""
    run = update_killed_at(plans, "none", 0)
    assert run.reached == list(KILL_POINTS)
    assert run.after == run.expected and run.leftovers == []


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_inside_the_write_leaves_the_old_or_the_new_file(plans, point):
    """SIGKILL `update` at each point of its write, adding an update and replacing one: the action file is exactly
    the old one (killed before the rename) or exactly the new one (after it), valid; what is left behind is at most
    the hidden temporary file, which every later command ignores."""
    path = next((plans / "health-inequalities-2021-23" / "actions").glob("1-*.yaml"))
    temporary = temporary_name(path)
    for attempt in (1, 2):  # --replace, then a new period
        killed = update_killed_at(plans, point, attempt)
        assert killed.reached[-1] == point
        assert_old_or_new(killed)
        if point == "after-rename":
            assert killed.after == killed.expected
            assert killed.at_kill == {} and killed.leftovers == []
        else:  # the kill landed inside the write: its temporary file was there, the action file untouched
            assert killed.after == killed.before
            [(name, content)] = killed.at_kill.items()
            assert temporary.fullmatch(name), name
            if point == "mid-write":
                assert 0 < len(content) < len(killed.expected) and killed.expected.startswith(content)
            else:
                assert content == killed.expected
            assert killed.leftovers == [name]
        workspace = load_workspace([plans])
        assert workspace.problems == [], [p.format() for p in workspace.problems]
        assert len(workspace.actions) == 44  # a leftover temporary file is not read as an action
    leftovers = sorted(p.name for p in plans.rglob("*") if p.name.startswith("."))
    assert all(temporary.fullmatch(name) for name in leftovers), leftovers
    # the next command works as if the kill had not happened
    after = subprocess.run(
        [installed_script(), "update", "1", str(plans), "--period", "2022/23 Q4", "--note", "after the kill"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert after.returncode == 0, after.stderr
    assert "note: after the kill" in path.read_text(encoding="utf-8")
    assert load_workspace([plans]).problems == []
    assert sorted(p.name for p in plans.rglob("*") if p.name.startswith(".")) == leftovers  # and adds none


def test_the_kill_test_catches_a_write_that_is_not_atomic(plans):
    """A negative control: with atomic_write replaced by a truncate-and-write in place, the same kill at mid-write
    leaves half a file, and the check above fails. So its passing means the real write is atomic."""
    killed = update_killed_at(plans, "mid-write", 1, non_atomic=True)
    assert killed.reached == ["mid-write"]
    with pytest.raises(AssertionError, match="neither the old one nor the new one"):
        assert_old_or_new(killed)
    assert 0 < len(killed.after) < len(killed.expected) and killed.expected.startswith(killed.after)  # torn
    assert load_workspace([plans]).problems != []  # and here the half file is not even valid
    # not killed, the broken writer writes the same bytes: only the kill tells the two apart
    shutil.copytree(BUNDLED_PLANS, plans.parent / "again", dirs_exist_ok=False)
    whole = update_killed_at(plans.parent / "again", "none", 1, non_atomic=True)
    assert whole.after == whole.expected and whole.reached == ["mid-write"]


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
        ({}, "priority: required"),  # the library names the field; the command line shows --priority
        ({"priority": "2", "owners": ["helth-wellbeing"]}, 'did you mean "health-wellbeing"'),
        ({"priority": "2", "due": "soonish"}, '"soonish" is not a date'),
    ],
)
def test_new_refusals(plans, kwargs, message):
    with pytest.raises(EditError, match=message):
        new_action(load_workspace([plans]), "health-wellbeing-2022-23", "X", **kwargs)


def test_the_command_line_shows_the_field_as_its_flag(plans):
    result = CliRunner().invoke(app, ["new", str(plans), "--plan", "health-wellbeing-2022-23", "--title", "X"])
    assert result.exit_code == 2
    assert "actiontrack: error: --priority: required: this plan's priorities are" in result.output
    period = CliRunner().invoke(app, ["update", "1.c", str(plans), "--period", "someday"])
    assert period.exit_code == 2 and "actiontrack: error: --period: " in period.output
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


def test_update_refuses_a_red_or_amber_without_a_note_and_a_period_not_begun(plans):
    for rag in ("red", "Amber"):  # any case on the command line
        result = CliRunner().invoke(app, ["update", "1.c", str(plans), "--period", "2022/23 Q2", "--rag", rag])
        assert result.exit_code == 2 and "rating needs a note saying why" in result.output, result.output
    future = CliRunner().invoke(
        app, ["update", "1.c", str(plans), "--period", "2022/23 Q3", "--note", "x", "--as-of", "2022-09-30"]
    )
    assert future.exit_code == 2 and "--period: 2022/23 Q3 has not begun on 2022-09-30" in future.output
    begun = CliRunner().invoke(
        app, ["update", "1.c", str(plans), "--period", "2022/23 Q3", "--note", "x", "--as-of", "2022-10-01"]
    )
    assert begun.exit_code == 0, begun.output


def test_a_bare_quarter_is_the_latest_one_begun_and_a_wrong_period_is_answered_with_periods(plans):
    def dry(period, as_of):
        return CliRunner().invoke(
            app, ["update", "1.c", str(plans), "--period", period, "--rag", "green", "--as-of", as_of, "--dry-run"]
        )

    assert '+  - period: "2022/23 Q2"' in dry("Q2", "2022-10-14").output  # in Q3 2022/23: this year's Q2
    assert '+  - period: "2022/23 Q1"' in dry("q1", "2022-10-14").output
    last_year = dry("Q4", "2022-10-14")  # the latest Q4 begun is 2021/22's, before this plan started
    assert last_year.exit_code == 1 and "2021/22 Q4 is outside the plan's period" in last_year.output
    wrong = dry("H1", "2022-10-14")
    assert wrong.exit_code == 2, wrong.output
    assert '"H1" is not a quarterly reporting period; write one as "2022/23 Q3" or "Q3"' in wrong.output
    assert "March 2023" not in wrong.output  # periods, not the date formats of a deadline


def test_a_new_action_is_not_started_so_not_stale_at_once(plans):
    result = CliRunner().invoke(
        app, ["new", str(plans), "--plan", "health-wellbeing-2022-23", "--priority", "2", "--title", "Pilot"]
    )
    assert result.exit_code == 0, result.output
    path = next((plans / "health-wellbeing-2022-23" / "actions").glob("2.e-*.yaml"))
    assert "\nstatus: not-started" in path.read_text()
    status = CliRunner().invoke(app, ["show", "2.e", str(plans), "--json", "--as-of", "2022-10-14"])
    detail = json.loads(status.stdout)
    assert (detail["state"], detail["stale"]) == ("not-started", False)


def test_add_target_and_add_owner_change_only_what_they_add(plans):
    target_file = next((plans / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    before = target_file.read_text()
    refused = CliRunner().invoke(
        app, ["update", "1.c", str(plans), "--period", "2022/23 Q1", "--actual", "volunteers=3"]
    )
    assert refused.exit_code == 2 and '`actiontrack add-target ID --text "10 x volunteers"`' in refused.output
    added = CliRunner().invoke(app, ["add-target", "1.c", str(plans), "--text", "10 x volunteers"])
    assert added.exit_code == 0, added.output
    assert target_file.read_text() == before + "targets:\n  - text: 10 x volunteers\n"  # nothing else changed
    recorded = CliRunner().invoke(
        app,
        ["update", "1.c", str(plans), "--period", "2022/23 Q1", "--actual", "volunteers=3", "--as-of", "2022-07-01"],
    )
    assert recorded.exit_code == 0, recorded.output

    registry = plans / "owners.yaml"
    original = registry.read_text()
    unknown = CliRunner().invoke(
        app,
        ["new", str(plans), "--plan", "health-wellbeing-2022-23", "--priority", "2", "--title", "X", "--owner", "tsx"],
    )
    assert unknown.exit_code == 2 and '`actiontrack add-owner tsx --name "Its name" --kind team`' in unknown.output
    owner = CliRunner().invoke(
        app, ["add-owner", "tsx", str(plans), "--name", "Trading Standards", "--kind", "Partner", "--alias", "TS"]
    )
    assert owner.exit_code == 0, owner.output
    after = registry.read_text()
    assert after.startswith(original.rstrip("\n")) and after.endswith(
        "  - id: tsx\n    name: Trading Standards\n    kind: partner\n    aliases: [TS]\n"
    )
    again = CliRunner().invoke(app, ["add-owner", "tsx", str(plans), "--name", "Other"])
    assert again.exit_code == 2 and "already in owners.yaml" in again.output
    bad = CliRunner().invoke(app, ["add-owner", "Not An Id", str(plans), "--name", "X"])
    assert bad.exit_code == 2 and "lower-case letters, digits and hyphens" in bad.output
