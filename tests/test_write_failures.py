"""Issue 8: an `update`, `new` or `import` (and `init`) that fails for any reason leaves the repository as it was.

Each test snapshots the whole repository tree (every path; a file's bytes, a link's target; every mode), makes the
command fail, and checks that the tree is identical afterwards (so no temporary file, backup or empty folder is left
behind), that the exit code is the documented one and that the message says what went wrong, without a traceback.
Faults of the file system (a full disk, a read-only folder, Ctrl-C) are made in-process, inside the repository only.
"""

from __future__ import annotations

import csv
import errno
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import Workbook
from typer.testing import CliRunner

from actiontrack import writes
from actiontrack.cli import app
from actiontrack.edit import EditError, update_action
from actiontrack.load import load_workspace

from .conftest import PLAN, write_tree

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
HI_TABLE = SEEDS / "health-inequalities-action-plan-2021-23.txt"  # 19 actions, owners the small registry lacks
HI = "health-inequalities-2021-23"

OWNERS = """\
# who delivers the plans
owners:
  - id: planning-policy
    name: Planning Policy   # the team, not the document
    kind: team
"""

# an officer's own layout: comments, a folded title, four-space sequences, an unquoted due, a literal note
ACTION = """\
# Action 1.a: kept exactly as the officer wrote it
id: '1.a'
priority: "1"
title: >-
    Promote high design standards
    for new housing
owners: [planning-policy]    # lead team
due: 2022/24
targets:
    -   text: 10 x volunteers
updates:
    -   period: "2022/23 Q1"
        rag: green    # on track
        note: |
            Started.
"""
ACTION_FILE = "plans/test-plan/actions/1.a-promote.yaml"

TABLE = """\
Ref,Action,Lead,Deadline
Priority 1 - Housing for all
2,Open the cafe,Housing Team,2024
3,Paint the hall,Planning Policy,2025
"""

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
LEFTOVER = re.compile(r"\.(tmp|bak)$|^\.actiontrack-")


@pytest.fixture
def repo(tmp_path) -> Path:
    return write_tree(
        tmp_path / "repo",
        {"plans/owners.yaml": OWNERS, "plans/test-plan/plan.yaml": PLAN, ACTION_FILE: ACTION},
    )


@pytest.fixture
def table(tmp_path) -> Path:
    """A small table outside the repository: two new actions and one owner the registry lacks."""
    path = tmp_path / "table.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str | None, int]]:
    """Every path under `root` (and root itself): its kind, its bytes or link target, and its mode."""
    tree = {".": ("dir", None, stat.S_IMODE(root.lstat().st_mode))}
    for folder, folders, names in os.walk(root):
        for name in folders + names:
            path = Path(folder, name)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                entry: tuple[str, bytes | str | None] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                entry = ("dir", None)
            else:
                entry = ("file", path.read_bytes())
            tree[path.relative_to(root).as_posix()] = (*entry, stat.S_IMODE(info.st_mode))
    return tree


def assert_unchanged(root: Path, before: dict) -> None:
    after = snapshot(root)
    strays = [name for name in after if LEFTOVER.search(name.rsplit("/", 1)[-1])]
    assert strays == [], strays
    assert sorted(set(after) - set(before)) == [], "created"
    assert sorted(set(before) - set(after)) == [], "removed"
    assert [name for name in before if before[name] != after[name]] == [], "changed"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def assert_failed_cleanly(result: Result, code: int, *phrases: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for phrase in phrases:
        assert phrase in result.output, result.output


def inside(path: str | os.PathLike[str], root: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(root)


class Fault:
    """Makes the `nth` rename or link into place (`at="replace"`) or temporary-file write (`at="write"`) inside `root`
    raise `error` once, as a disk that fills up or a Ctrl-C at that moment would; every other call goes through."""

    def __init__(self, monkeypatch, root: Path, at: str, error: BaseException, nth: int = 1) -> None:
        self.root, self.error, self.nth, self.calls = root, error, nth, 0
        self.fired = False
        if at == "replace":
            real_replace = os.replace

            def replace(source, target, **kwargs):
                if inside(target, root) and self._due():
                    raise self.error
                return real_replace(source, target, **kwargs)

            monkeypatch.setattr(os, "replace", replace)
            real_link = os.link

            def link(source, target, **kwargs):  # a new file is put in place by a hard link (never overwrites)
                if inside(target, root) and not str(target).endswith(".bak") and self._due():
                    raise self.error
                return real_link(source, target, **kwargs)

            monkeypatch.setattr(os, "link", link)
        else:
            ours: set[int] = set()
            real_mkstemp, real_fsync = tempfile.mkstemp, os.fsync

            def mkstemp(*args, **kwargs):
                descriptor, name = real_mkstemp(*args, **kwargs)
                if inside(name, root):
                    ours.add(descriptor)
                return descriptor, name

            def fsync(descriptor):
                if descriptor in ours and self._due():
                    ours.discard(descriptor)
                    raise self.error
                return real_fsync(descriptor)

            monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
            monkeypatch.setattr(os, "fsync", fsync)

    def _due(self) -> bool:
        self.calls += 1
        if self.calls == self.nth:
            self.fired = True
            return True
        return False


def deny_writes(folder: Path, monkeypatch) -> None:
    """Make `folder` read-only (chmod 0o555). Root ignores that, so when a write still gets through, the calls that
    create, rename or remove an entry of the folder are made to fail as the kernel would for anyone else."""
    folder.chmod(0o555)
    probe = folder / ".write-probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return
    probe.unlink()

    def refuse(name: str | os.PathLike[str]) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(name))

    def guard(real: Callable, *positions: int) -> Callable:
        def call(*args, **kwargs):
            for position in positions:
                if len(args) > position and Path(os.path.abspath(args[position])).parent == folder:
                    refuse(args[position])
            return real(*args, **kwargs)

        return call

    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if kwargs.get("dir") is not None and Path(os.path.abspath(kwargs["dir"])) == folder:
            refuse(folder)
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    for name, positions in (
        ("mkdir", (0,)),
        ("rmdir", (0,)),
        ("replace", (0, 1)),
        ("rename", (0, 1)),
        ("link", (1,)),
        ("unlink", (0,)),
    ):
        monkeypatch.setattr(os, name, guard(getattr(os, name), *positions))


@pytest.fixture
def read_only(monkeypatch):
    """deny_writes(folder), with the folder's mode put back afterwards so the temporary folder can be removed."""
    folders: list[Path] = []

    def make(folder: Path) -> None:
        folders.append(folder)
        deny_writes(folder, monkeypatch)

    yield make
    for folder in folders:
        folder.chmod(0o755)


# ---- option values, missing targets -------------------------------------------------------------------------------

UPDATE = ["update", "1.a"]
NEW = ["new", "--plan", "test-plan"]
OPTION_CASES = [
    ([*UPDATE, "--period", "2022/23 Q2", "--rag", "purple"], 2, "Invalid value for '--rag'"),
    ([*UPDATE, "--period", "2022/23 Q2", "--status", "done"], 2, "Invalid value for '--status'"),
    ([*UPDATE, "--period", "Q5 2022/23"], 2, '--period: "Q5 2022/23" is not a quarterly reporting period'),
    ([*UPDATE, "--period", "31/02/2023"], 2, "is not a real date"),
    ([*UPDATE, "--period", "2022/23"], 1, "is not a quarterly reporting period of this plan"),
    ([*UPDATE, "--period", "2030/31 Q1"], 1, "outside the plan's period"),
    (
        [*UPDATE, "--period", "2022/23 Q1", "--rag", "amber", "--note", "Slipped"],
        1,
        "already has an update for 2022/23 Q1; use --replace",
    ),
    ([*UPDATE, "--period", "2022/23 Q2", "--actual", "volunteers"], 2, "should be NAME=VALUE"),
    ([*UPDATE, "--period", "2022/23 Q2", "--actual", "staff=3"], 2, 'no target "staff"'),
    ([*UPDATE, "--period", "2022/23 Q2", "--actual", "volunteers=lots"], 2, '"lots" is not a number'),
    ([*UPDATE, "--period", "2022/23 Q2", "--actual", "volunteers=1e999"], 2, '"1e999" is not a usable number'),
    (["update", "9.z", "--period", "2022/23 Q2"], 1, 'no action "9.z"'),
    ([*UPDATE, "--plan", "nope", "--period", "2022/23 Q2"], 2, 'no plan "nope"'),
    (UPDATE, 2, "Missing option '--period'"),
    ([*NEW, "--priority", "1", "--title", "Open a hub", "--due", "someday"], 1, '"someday" is not a date'),
    ([*NEW, "--priority", "1", "--title", "Open a hub", "--due", "30/02/2024"], 1, "is not a real date"),
    ([*NEW, "--priority", "9", "--title", "Open a hub"], 2, 'the plan has no priority "9"'),
    ([*NEW, "--title", "Open a hub"], 2, "--priority: required"),
    ([*NEW, "--priority", "1", "--title", "Open a hub", "--owner", "nobody"], 2, '"nobody" is not in owners.yaml'),
    ([*NEW, "--priority", "1", "--title", "   "], 2, "the title is empty"),
    (["new", "--plan", "nope", "--title", "Open a hub"], 2, 'no plan "nope"; plans: test-plan'),
    (["import", "TABLE", "--plan", "Bad Slug"], 2, "use lower-case letters, digits and hyphens"),
    (["import", "TABLE", "--plan", "hub", "--map", "Lead"], 2, 'write it as "HEADING=field"'),
    (["import", "TABLE", "--plan", "hub", "--map", "Lead=boss"], 2, '"boss" is not a field'),
    (["import", "TABLE", "--plan", "hub", "--sheet", "Actions"], 2, "only an Excel workbook has sheets"),
    (["import", "MISSING", "--plan", "hub"], 2, "does not exist"),
]


@pytest.mark.parametrize(("args", "code", "message"), OPTION_CASES, ids=[" ".join(c[0]) for c in OPTION_CASES])
def test_bad_options_and_missing_targets_change_nothing(repo, table, args, code, message):
    before = snapshot(repo)
    names = {"TABLE": str(table), "MISSING": str(table.with_name("missing.csv"))}
    result = run(*[names.get(arg, arg) for arg in args], repo / "plans")
    assert_failed_cleanly(result, code, message)
    assert_unchanged(repo, before)


# ---- files that are broken before the edit ------------------------------------------------------------------------

BROKEN_ACTIONS = {
    "malformed YAML": ("id: '1.a'\ntitle: [Promote design\nowners: [planning-policy]\n", ":2:"),
    "misspelt key": (ACTION.replace("owners:", "ownres:"), "ownres"),
    "invalid value": (ACTION.replace("rag: green", "rag: purple"), "purple"),
    "not UTF-8": (ACTION.replace("Started.", "Caf\xe9.").encode("cp1252"), "UTF-8"),
}


@pytest.mark.parametrize("case", BROKEN_ACTIONS)
def test_update_refuses_an_action_file_that_is_invalid_before_the_edit(repo, case):
    content, detail = BROKEN_ACTIONS[case]
    write_tree(repo, {ACTION_FILE: content})
    before = snapshot(repo)
    result = run("update", "1.a", "--period", "2022/23 Q2", "--rag", "amber", "--note", "Slipped", repo / "plans")
    assert_failed_cleanly(result, 1, 'the file of action "1.a" is invalid; fix it first', detail)
    assert_unchanged(repo, before)


@pytest.mark.parametrize("command", ["update", "new"])
def test_update_and_new_refuse_a_plan_whose_plan_file_is_invalid(repo, command):
    write_tree(repo, {"plans/test-plan/plan.yaml": PLAN.replace("reporting: quarterly", "reporting: [quarterly")})
    before = snapshot(repo)
    args = {
        "update": ["update", "1.a", "--period", "2022/23 Q2"],
        "new": ["new", "--plan", "test-plan", "--priority", "1", "--title", "Open a hub"],
    }[command]
    result = run(*args, repo / "plans")
    # before: `new` said "the plan has no priority 1", and `update` wrote to an action of a plan it could not read
    assert_failed_cleanly(result, 1, "plans/test-plan/plan.yaml is invalid; fix it first", "plan.yaml:3:")
    assert_unchanged(repo, before)


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        (OWNERS.replace("kind: team", "kind: [team"), "is invalid; fix it first:\nplans/owners.yaml:5:11:"),
        (OWNERS.replace("    kind: team\n", ""), "could not add the new owners"),
        (OWNERS.replace("team, not", "team, n\xf6t").encode("cp1252"), "is invalid; fix it first"),
    ],
    ids=["malformed YAML", "owner without a kind", "not UTF-8"],
)
def test_import_refuses_to_add_owners_to_a_registry_that_does_not_read(repo, table, monkeypatch, registry, message):
    write_tree(repo, {"plans/owners.yaml": registry})
    before = snapshot(repo)
    monkeypatch.chdir(repo)
    result = run("import", table, "--plan", "hub", repo / "plans")  # before: a ruamel.yaml traceback for the first
    assert_failed_cleanly(result, 1, message)
    assert_unchanged(repo, before)


def test_a_file_changed_after_loading_is_checked_again_before_the_edit(repo):
    workspace = load_workspace([repo / "plans"])
    (repo / ACTION_FILE).write_text("id: '1.a'\ntitle: [broken\n", encoding="utf-8")  # another editor saves
    before = snapshot(repo)
    with pytest.raises(EditError, match=r"1\.a-promote\.yaml:2:"):
        update_action(workspace, "1.a", "2022/23 Q2", rag="amber", note="Slipped")
    assert_unchanged(repo, before)


# ---- edits that would make the file invalid ---------------------------------------------------------------------


@pytest.mark.parametrize("note", ["\x1b[31mRed\x1b[0m", "caf\udce9"], ids=["colour codes", "undecodable argument"])
def test_an_update_that_would_make_the_file_invalid_writes_nothing(repo, note):
    before = snapshot(repo)
    result = run("update", "1.a", "--period", "2022/23 Q2", "--note", note, repo / "plans")
    # the reader's wording is its own (tests/corpus): here, that the new text is refused, located in the file
    assert_failed_cleanly(result, 1, "the update would make the file invalid, so nothing was written:\n")
    assert re.search(r"actions/1\.a-promote\.yaml:1[78]:\d+: ", result.output), result.output
    assert_unchanged(repo, before)


def test_a_file_changed_between_read_and_write_is_not_overwritten(repo, monkeypatch):
    """Another editor saves the file while the update is being written: its change is kept, the update refused."""
    path = repo / ACTION_FILE
    theirs = ACTION.replace("Started.", "Started; the board approved the brief.")
    real_stage = writes._stage

    def stage_then_someone_saves(target: Path, content: str | bytes) -> Path:
        temporary = real_stage(target, content)
        path.write_text(theirs, encoding="utf-8")
        return temporary

    monkeypatch.setattr(writes, "_stage", stage_then_someone_saves)
    path.write_text(theirs, encoding="utf-8")  # the snapshot holds their version: the one that must survive
    before = snapshot(repo)
    path.write_text(ACTION, encoding="utf-8")
    result = run("update", "1.a", "--period", "2022/23 Q2", "--rag", "amber", "--note", "Slipped", repo / "plans")
    # before: their change was silently overwritten by the update
    assert_failed_cleanly(result, 1, "the file was changed by something else", "nothing was written")
    assert_unchanged(repo, before)


def test_new_does_not_overwrite_a_file_created_while_it_was_writing(repo, monkeypatch):
    """Someone saves an action file of the same name between `new`'s check and its write: theirs is kept."""
    real_stage = writes._stage
    theirs = b'id: "2"\ntitle: Theirs\n'

    def stage_then_someone_saves(target: Path, content: str | bytes) -> Path:
        temporary = real_stage(target, content)
        target.write_bytes(theirs)
        return temporary

    monkeypatch.setattr(writes, "_stage", stage_then_someone_saves)
    result = run(*COMMANDS["new"], repo / "plans")
    assert result.exit_code != 0 and "created by something else meanwhile" in result.output, result.output
    assert [p.read_bytes() for p in (repo / "plans/test-plan/actions").glob("1.b-*.yaml")] == [theirs]
    assert not [p for p in repo.rglob("*") if p.name.endswith((".tmp", ".bak"))]


# ---- the disk write failing -------------------------------------------------------------------------------------

COMMANDS = {
    "update": ["update", "1.a", "--period", "2022/23 Q2", "--rag", "amber", "--note", "On track."],
    "new": ["new", "--plan", "test-plan", "--priority", "1", "--title", "Open a hub", "--due", "2023/24"],
    "new in a plan without actions/": ["new", "--plan", "empty-plan", "--title", "Open a hub"],
    "import": ["import", "TABLE", "--plan", "hub"],
    "import into an existing plan": ["import", "TABLE", "--plan", "test-plan"],
}
FAULTS = {
    "full disk at the rename": ("replace", ENOSPC, 2, "cannot write: No space left on device"),
    "full disk while writing": ("write", ENOSPC, 2, "cannot write: No space left on device"),
    "Ctrl-C at the rename": ("replace", KeyboardInterrupt(), 130, ""),
    "Ctrl-C while writing": ("write", KeyboardInterrupt(), 130, ""),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_failing_write_leaves_the_repository_as_it_was(repo, table, monkeypatch, command, fault):
    write_tree(repo, {"plans/empty-plan/plan.yaml": "title: Empty plan\nperiod: '2023/24'\n"})
    before = snapshot(repo)
    at, error, code, message = FAULTS[fault]
    injected = Fault(monkeypatch, repo, at, error)
    args = [str(table) if arg == "TABLE" else arg for arg in COMMANDS[command]]
    result = run(*args, repo / "plans")
    assert injected.fired
    assert_failed_cleanly(result, code, message)
    assert_unchanged(repo, before)


def _files_written_by(args: list[str | Path]) -> int:
    result = run(*args, "--dry-run")
    assert result.exit_code == 0, result.output
    return sum(line.startswith("would write ") for line in result.output.splitlines())


@pytest.mark.parametrize("at", ["replace", "write"])
@pytest.mark.parametrize("error", [ENOSPC, KeyboardInterrupt()], ids=["full disk", "Ctrl-C"])
@pytest.mark.parametrize("nth", ["first", "tenth", "last"])
def test_an_import_interrupted_at_any_file_writes_none_of_them(repo, monkeypatch, at, error, nth):
    """Import writes 25 files (19 actions, plan.yaml, owners.yaml, the 4 schemas their first lines name); failing at
    the Nth leaves no partial set."""
    args: list[str | Path] = ["import", HI_TABLE, "--plan", HI, repo / "plans"]
    total = _files_written_by(args)
    assert total == 25
    before = snapshot(repo)
    injected = Fault(monkeypatch, repo, at, error, nth={"first": 1, "tenth": 10, "last": total}[nth])
    result = run(*args)
    assert injected.fired
    # before: every file up to the Nth stayed, in a new plan folder that a second import then skipped
    if isinstance(error, OSError):
        assert_failed_cleanly(result, 2, "cannot write: No space left on device; nothing was written")
    else:
        assert_failed_cleanly(result, 130)
    assert_unchanged(repo, before)
    assert run(*args).exit_code == 0  # and nothing stands in the way of trying again
    assert load_workspace([repo / "plans"]).problems == []


@pytest.mark.parametrize("links", [True, False], ids=["hard links", "no hard links"])
def test_a_forced_reimport_that_fails_puts_back_every_file_it_replaced_or_removed(repo, monkeypatch, links):
    """--force replaces files and removes an action's file kept under an older name: a failure undoes both."""
    args: list[str | Path] = ["import", HI_TABLE, "--plan", HI, "--force", repo / "plans"]
    assert run(*args).exit_code == 0
    actions = repo / "plans" / HI / "actions"
    first = next(actions.glob("1-*.yaml"))
    # renamed and edited by hand: a forced import removes it, as it writes action 1 under the table's name
    (actions / "1-old-name.yaml").write_text(first.read_text(encoding="utf-8") + "status: complete\n", "utf-8")
    first.unlink()
    plan = repo / "plans" / HI / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("reporting: quarterly", "reporting: half-yearly"))
    plan.chmod(0o640)
    before = snapshot(repo)
    if not links:  # a file system without hard links (FAT, some network shares): backups are copies

        def no_link(*args, **kwargs):
            raise OSError(errno.EPERM, os.strerror(errno.EPERM))

        monkeypatch.setattr(os, "link", no_link)
    injected = Fault(monkeypatch, repo, "replace", ENOSPC, nth=_files_written_by(args) + 1)  # +1: the removal
    result = run(*args)
    assert injected.fired
    # before: 1-old-name.yaml was deleted while the table was still being read, whatever happened next
    assert_failed_cleanly(result, 2, "cannot write: No space left on device; nothing was written")
    assert_unchanged(repo, before)


def test_init_that_fails_leaves_no_half_made_repository(tmp_path, monkeypatch):
    target = tmp_path / "new-repo"
    before = snapshot(tmp_path)
    injected = Fault(monkeypatch, tmp_path, "replace", ENOSPC, nth=3)
    result = run("init", target)
    assert injected.fired
    # before: the first two files stayed, and a second init refused ("already has: ...; nothing was written")
    assert_failed_cleanly(result, 2, "cannot write: No space left on device; nothing was written")
    assert_unchanged(tmp_path, before)
    monkeypatch.undo()
    assert run("init", target).exit_code == 0


# ---- a read-only folder -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "folder"),
    [
        ("update", "plans/test-plan/actions"),
        ("new", "plans/test-plan/actions"),
        ("import", "plans"),
        ("import into an existing plan", "plans/test-plan/actions"),
    ],
)
def test_a_read_only_folder_is_a_clear_error_and_changes_nothing(repo, table, read_only, command, folder):
    read_only(repo / folder)
    before = snapshot(repo)
    args = [str(table) if arg == "TABLE" else arg for arg in COMMANDS[command]]
    result = run(*args, repo / "plans")
    assert_failed_cleanly(result, 2, "cannot write: Permission denied")
    assert_unchanged(repo, before)


# ---- import sources that cannot be read ---------------------------------------------------------------------------


def _xlsx(path: Path, damage: str | None = None) -> Path:
    workbook = Workbook()
    for row in csv.reader(TABLE.splitlines()):
        workbook.active.append(row)
    workbook.save(path)
    if damage is None:
        return path
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, b"<worksheet><sheetData><row" if name.endswith(damage) else data)
    return path


SOURCES: dict[str, tuple[Callable[[Path], Path], list[str], str]] = {
    "binary CSV": (lambda d: _bytes(d / "t.csv", b"Ref,Action\n1,caf\x81\x8d\n"), [], "not UTF-8 or Windows-1252"),
    "CSV cell over the field limit": (
        lambda d: _bytes(d / "t.csv", b"Ref,Action,Lead\n1," + b"x" * 200_000 + b",Team\n"),
        [],
        "not a readable CSV table: line 2: field larger than field limit",
    ),
    "text saved as .xlsx": (lambda d: _bytes(d / "t.xlsx", TABLE.encode()), [], "not a readable Excel workbook"),
    "damaged workbook": (lambda d: _xlsx(d / "t.xlsx", "workbook.xml"), [], "not a readable Excel workbook"),
    "damaged sheet": (lambda d: _xlsx(d / "t.xlsx", "sheet1.xml"), [], "not a readable Excel workbook"),
    "missing sheet": (
        lambda d: _xlsx(d / "t.xlsx"),
        ["--sheet", "Actions"],
        "no sheet 'Actions'; sheets: Sheet",
    ),  # exit 2
    "Word document": (lambda d: _bytes(d / "plan.docx", b"PK\x03\x04"), [], "not a readable Word document"),
    "empty file": (lambda d: _bytes(d / "t.csv", b""), [], "the table is empty"),
    "header only": (lambda d: _bytes(d / "t.tsv", b"Ref\tAction\tLead\n"), [], "a header but no action rows"),
    "unmapped column": (
        lambda d: _bytes(d / "t.csv", b"Ref,Action,Budget\n1,Do it,5k\n"),
        [],
        'unmapped columns: "Budget"',
    ),
    "no row importable": (
        lambda d: _bytes(d / "t.csv", b"Ref,Action,Lead\n1,Do \x1b[1mit,New Team\n2,And \x1b[1mthis,New Team\n"),
        [],
        "no row could be imported:\nrow 2: ",
    ),
}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("source", SOURCES)
def test_an_import_source_that_cannot_be_read_changes_nothing(repo, tmp_path, source):
    make, options, message = SOURCES[source]
    path = make(tmp_path)
    before = snapshot(repo)
    # before: a damaged workbook or an over-long CSV cell was a traceback; a table whose every row was refused
    # still wrote plan.yaml and its owners
    result = run("import", path, "--plan", "hub", *options, repo / "plans")
    assert_failed_cleanly(result, 2 if options else 1, message)  # an option naming what is not there: usage
    assert_unchanged(repo, before)


def test_an_import_into_a_plan_that_has_every_action_already_changes_nothing(repo, tmp_path):
    table = _bytes(tmp_path / "t.csv", b"Ref,Action,Lead,Deadline\n1.a,Promote design,Brand New Team,2024\n")
    before = snapshot(repo)
    result = run("import", table, "--plan", "test-plan", repo / "plans")
    assert result.exit_code == 0, result.output
    assert "skipped plans/test-plan/actions/1.a-promote.yaml: it exists (use --force to overwrite)" in result.output
    assert "imported 0 actions into plan test-plan" in result.output
    # before: owners.yaml gained "Brand New Team", the owner of a row that was not imported
    assert "new owner proposed" not in result.output
    assert_unchanged(repo, before)


# ---- and the success paths still keep every byte ------------------------------------------------------------------


def test_successful_writes_keep_comments_formatting_and_modes(repo, table):
    action = repo / ACTION_FILE
    action.chmod(0o640)
    result = run(
        "update",
        "1.a",
        "--period",
        "2022/23 Q2",
        "--rag",
        "amber",
        "--note",
        "Slipped",
        "--actual",
        "volunteers=4",
        repo / "plans",
    )
    assert result.exit_code == 0, result.output
    assert action.read_text(encoding="utf-8") == ACTION + (
        '    -   period: "2022/23 Q2"\n        rag: amber\n        note: Slipped\n        actuals: {volunteers: 4}\n'
    )
    assert stat.S_IMODE(action.stat().st_mode) == 0o640

    result = run("new", "--plan", "test-plan", "--priority", "1", "--title", "Open a hub", repo / "plans")
    assert result.exit_code == 0, result.output
    assert (
        (repo / "plans/test-plan/actions/1.b-open-a-hub.yaml")
        .read_text(encoding="utf-8")
        .startswith('# yaml-language-server: $schema=../../../schemas/action.schema.json\nid: "1.b"\npriority: "1"\n')
    )

    result = run("import", table, "--plan", "test-plan", repo / "plans")
    assert result.exit_code == 0, result.output
    owners = (repo / "plans/owners.yaml").read_text(encoding="utf-8")
    assert owners.startswith(OWNERS)  # the registry's comments and layout kept; the new owner appended
    assert owners[len(OWNERS) :] == (
        "  # added by actiontrack import: check each name and kind\n"
        "  - id: housing-team\n    name: Housing Team\n    kind: team\n"
    )
    assert (repo / "plans/test-plan/plan.yaml").read_text(encoding="utf-8") == PLAN  # an existing plan.yaml kept
    assert sorted(p.name for p in (repo / "plans/test-plan/actions").iterdir()) == [
        "1.a-promote.yaml",
        "1.b-open-a-hub.yaml",
        "2-open-the-cafe.yaml",
        "3-paint-the-hall.yaml",
    ]
    assert [name for name in snapshot(repo) if LEFTOVER.search(name.rsplit("/", 1)[-1])] == []
    assert load_workspace([repo / "plans"]).problems == []
