"""The cache (cache.py) must never change what a command prints: cached and uncached runs are byte-identical,
an edit is seen at once, and a cache that is corrupt, foreign or unwritable is ignored."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from actiontrack.cache import Cache, digest
from actiontrack.load import load_workspace

from .conftest import AS_OF, BUNDLED_PLANS, REPO

SCRIPT = Path(sys.executable).parent / "actiontrack"
sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


def run(args: list[str], cwd: Path, cache_dir: Path | None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, **env}
    environ.pop("ACTIONTRACK_NO_CACHE", None)
    if cache_dir is None:
        environ["ACTIONTRACK_NO_CACHE"] = "1"
    else:
        environ["ACTIONTRACK_CACHE_DIR"] = str(cache_dir)
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, env=environ, capture_output=True, text=True, check=False)


COMMANDS = [
    ["lint", "--as-of", AS_OF],
    ["lint", "--as-of", AS_OF, "--format", "json"],
    ["lint", "--as-of", AS_OF, "--format", "sarif", "--select", "overdue,missing-outcome"],
    ["status", "--as-of", AS_OF],
    ["status", "--as-of", AS_OF, "--all", "--owner", "joel-matthews"],
    ["status", "--as-of", AS_OF, "--json"],
    ["validate"],
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled plans plus a synthetic plan large enough for parallel parsing (2,000 actions)."""
    root = tmp_path_factory.mktemp("cached-repo")
    generate(2000, root)
    for item in BUNDLED_PLANS.iterdir():
        if item.is_dir():
            shutil.copytree(item, root / "plans" / item.name)
    bundled_owners = (BUNDLED_PLANS / "owners.yaml").read_text(encoding="utf-8").split("owners:\n", 1)[1]
    with open(root / "plans" / "owners.yaml", "a", encoding="utf-8") as registry:
        registry.write(bundled_owners)
    return root


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_cached_runs_print_exactly_what_uncached_runs_print(repository: Path, tmp_path: Path, args: list[str]):
    uncached = run(args, repository, None)
    assert uncached.returncode in (0, 1), uncached.stderr
    assert uncached.stdout or uncached.stderr  # something to compare
    cold = run(args, repository, tmp_path)
    warm = run(args, repository, tmp_path)
    for cached in (cold, warm):
        assert (cached.stdout, cached.stderr, cached.returncode) == (
            uncached.stdout,
            uncached.stderr,
            uncached.returncode,
        )
    assert any(tmp_path.rglob("*.pickle")), "the cached runs should have written the cache"


def test_an_edit_is_seen_by_the_next_run(repository: Path, tmp_path: Path):
    work = tmp_path / "repo"
    shutil.copytree(repository / "plans" / "health-wellbeing-2022-23", work / "plans" / "health-wellbeing-2022-23")
    shutil.copy(repository / "plans" / "owners.yaml", work / "plans" / "owners.yaml")
    cache = tmp_path / "cache"
    args = ["lint", "--as-of", AS_OF, "--format", "json"]
    before = run(args, work, cache)
    assert run(args, work, cache).stdout == before.stdout
    action = next((work / "plans" / "health-wellbeing-2022-23" / "actions").glob("5.b-*.yaml"))
    text = action.read_text(encoding="utf-8")
    action.write_text(text + "outcome: Fewer people report feeling isolated.\n", encoding="utf-8")
    after = run(args, work, cache)
    assert after.stdout == run(args, work, None).stdout
    assert after.stdout != before.stdout  # 5.b's missing-outcome finding is gone
    assert "5.b" in before.stdout and '"missing-outcome"' in before.stdout
    status_before = run(["status", "--as-of", AS_OF], work, cache).stdout
    action.write_text(text.replace("owners:", "status: complete\nowners:", 1), encoding="utf-8")
    status_after = run(["status", "--as-of", AS_OF], work, cache).stdout
    assert status_after == run(["status", "--as-of", AS_OF], work, None).stdout
    assert status_after != status_before


@pytest.mark.parametrize("command", ["lint", "status"])
def test_a_corrupt_cache_is_ignored(tmp_path: Path, command: str):
    cache = tmp_path / "cache"
    args = [command, str(BUNDLED_PLANS), "--as-of", AS_OF] + (["--format", "json"] if command == "lint" else [])
    expected = run(args, REPO, None).stdout
    assert run(args, REPO, cache).stdout == expected
    assert list(cache.rglob(f"plans-{command}/*.pickle"))  # each plan's answer, kept
    entries = list(cache.rglob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x80\x05not a pickle")
    assert run(args, REPO, cache).stdout == expected
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:10])  # truncated
    assert run(args, REPO, cache).stdout == expected
    for shape in (("x",), ["x"], (None, "x"), 7):  # whole pickles of another shape than their kind's
        for entry in cache.rglob("*.pickle"):
            entry.write_bytes(pickle.dumps(shape))
        again = run(args, REPO, cache)
        assert (again.stdout, "Traceback" in again.stderr) == (expected, False), shape
    result = run(args, REPO, cache)
    assert (result.stdout, result.returncode) == (
        expected,
        0,
    )  # the bundled plans lint clean (HI 6's defect is suppressed with a reason)
    assert "Traceback" not in result.stderr


def test_a_cache_folder_others_can_write_to_is_not_read(tmp_path: Path):
    """Entries are pickles: one planted by another user must never be loaded."""
    cache = Cache(tmp_path / "repo-cache")
    cache.put("results", "k", {"value": 1})
    assert cache.get("results", "k") == {"value": 1}
    os.chmod(tmp_path / "repo-cache", 0o777)
    assert Cache(tmp_path / "repo-cache").get("results", "k") is None
    os.chmod(tmp_path / "repo-cache", 0o700)
    assert Cache(tmp_path / "repo-cache").get("results", "k") == {"value": 1}


def test_the_cache_lives_outside_the_repository_and_can_be_turned_off(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("ACTIONTRACK_CACHE_DIR")
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)  # set when the suite runs with the cache off
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = Cache.for_repository(REPO)
    assert cache.directory is not None and str(cache.directory).startswith(str(tmp_path / "xdg" / "actiontrack"))
    monkeypatch.setenv("ACTIONTRACK_NO_CACHE", "1")
    assert not Cache.for_repository(REPO).enabled


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    result = run(["lint", str(BUNDLED_PLANS), "--as-of", AS_OF, "--format", "json"], REPO, blocker)
    assert result.stdout == run(["lint", str(BUNDLED_PLANS), "--as-of", AS_OF, "--format", "json"], REPO, None).stdout
    assert "Traceback" not in result.stderr


def test_the_parallel_cached_load_equals_the_plain_one(repository: Path, tmp_path: Path, monkeypatch):
    """Over 1,500 files the loader uses worker processes and the cache; the workspace must be the same."""
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)  # set when the suite runs with the cache off
    plain = load_workspace([repository / "plans"])
    for _ in range(2):  # cold (parsed by workers, cached), then warm (from the cache)
        cached = load_workspace([repository / "plans"], use_cache=True)
        assert [p.slug for p in cached.plans] == [p.slug for p in plain.plans]
        assert [a.action for a in cached.actions] == [a.action for a in plain.actions]
        assert [a.path for a in cached.actions] == [a.path for a in plain.actions]
        assert [a.doc.marks.items() for a in cached.actions] == [a.doc.marks.items() for a in plain.actions]
        assert cached.problems == plain.problems
    assert any(tmp_path.rglob("*.pickle")), "the cached loads should have written the cache"
    assert len(plain.actions) == 2044


def test_digest_is_length_prefixed():
    assert digest("ab", "c") != digest("a", "bc")
    assert pickle.loads(pickle.dumps(Cache(None))).directory is None


def _edits(work: Path) -> list[tuple[str, object]]:
    """Every kind of edit an officer's tools make, as (name, function): each leaves the plans changed or not."""
    actions = work / "plans" / "health-wellbeing-2022-23" / "actions"

    def first(pattern: str) -> Path:
        return next(actions.glob(pattern))

    def content() -> None:
        path = first("1.c-*.yaml")
        path.write_text(path.read_text(encoding="utf-8") + "status: complete\n", encoding="utf-8")

    def touch() -> None:  # saved again with nothing changed
        os.utime(first("2.a-*.yaml"))

    def rename() -> None:
        path = first("2.b-*.yaml")
        path.rename(path.with_name("2.b-renamed.yaml"))

    def delete() -> None:
        first("2.c-*.yaml").unlink()

    def same_size_and_mtime() -> None:  # a change a stat check on size and mtime alone would miss
        path = first("3.a-*.yaml")
        info = path.stat()
        text = path.read_text(encoding="utf-8")
        swapped = text.replace('due: "2022/23"', 'due: "2023/24"') if 'due: "2022/23"' in text else text + "#"
        assert len(swapped.encode()) == info.st_size or swapped.endswith("#")
        if swapped.endswith("#"):  # keep the size: replace the last character with a comment mark
            swapped = text[:-2] + "#\n"
        path.write_text(swapped, encoding="utf-8")
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))

    def new_file() -> None:
        source = first("1.a-*.yaml").read_text(encoding="utf-8").replace('id: "1.a"', 'id: "1.z"')
        (actions / "1.z-new.yaml").write_text(source, encoding="utf-8")

    def broken() -> None:
        path = first("4.a-*.yaml")
        path.write_text(path.read_text(encoding="utf-8") + "owners: [unclosed\n", encoding="utf-8")

    plans = work / "plans"

    def plan_file() -> None:  # what every action of the plan is shown with: a priority's title
        path = plans / "health-wellbeing-2022-23" / "plan.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("Housing for all", "Homes for all"), encoding="utf-8")

    def owners() -> None:  # shared by every plan: an owner's name as status prints it
        path = plans / "owners.yaml"
        text = path.read_text(encoding="utf-8").replace("name: Housing\n", "name: Housing Services\n")
        path.write_text(text, encoding="utf-8")

    def settings() -> None:  # shared by every plan: what counts as due soon, and a rule's severity
        (work / "actiontrack.yaml").write_text(
            "due_soon_days: 90\nlint:\n  rules:\n    missing-outcome: error\n", encoding="utf-8"
        )

    def misnamed_folder() -> None:  # a problem that belongs to no plan
        shutil.copytree(plans / "health-inequalities-2021-23", plans / "Bad_Name")

    def new_plan() -> None:
        shutil.copytree(plans / "health-inequalities-2021-23", plans / "health-inequalities-2023-25")

    return [
        ("content", content),
        ("touch", touch),
        ("rename", rename),
        ("delete", delete),
        ("same size and mtime", same_size_and_mtime),
        ("new file", new_file),
        ("broken", broken),
        ("plan.yaml", plan_file),
        ("owners.yaml", owners),
        ("actiontrack.yaml", settings),
        ("misnamed folder", misnamed_folder),
        ("new plan", new_plan),
    ]


def test_cached_equals_uncached_after_every_kind_of_edit(tmp_path: Path):
    work = tmp_path / "repo"
    shutil.copytree(BUNDLED_PLANS, work / "plans")
    cache = tmp_path / "cache"
    commands = [
        ["lint", "--as-of", AS_OF, "--format", "json"],
        ["lint", "--as-of", AS_OF],
        ["status", "--as-of", AS_OF, "--json"],
        ["status", "--as-of", AS_OF],
    ]
    for args in commands:
        run(args, work, cache)  # fill the cache
    seen = set()
    for name, edit in _edits(work):
        edit()  # type: ignore[operator]
        for args in commands:
            cached, uncached = run(args, work, cache), run(args, work, None)
            seen.add((args[0], cached.stdout))
            assert (cached.stdout, cached.stderr, cached.returncode) == (
                uncached.stdout,
                uncached.stderr,
                uncached.returncode,
            ), (name, args)
    final = run(commands[0], work, cache).stdout
    assert "1.z" in final and "2.b-renamed.yaml" in final and "Bad_Name" in final
    status = run(commands[3], work, cache, COLUMNS="200").stdout  # wide: an owner's name on one line
    for seen_now in ("Homes for all", "Housing Services", "health-inequalities-2023-25"):
        assert seen_now in status, seen_now
    # the edits were seen: each command printed something new after most of them
    assert len({out for command, out in seen if command == "status"}) >= 8


def test_a_read_only_cache_and_one_from_another_version_are_ignored(tmp_path: Path):
    args = ["lint", str(BUNDLED_PLANS), "--as-of", AS_OF, "--format", "json"]
    expected = run(args, REPO, None).stdout
    cache = tmp_path / "cache"
    assert run(args, REPO, cache).stdout == expected
    # another version's entries sit under other keys (the version and the code's signature are in every key): a
    # planted entry under this version's folder name but written by "another version" is just another file
    for folder in cache.glob("v*"):
        shutil.copytree(folder, cache / "v999")
    for path in cache.rglob("*"):
        path.chmod(0o500 if path.is_dir() else 0o400)
    try:
        result = run(args, REPO, cache)
        assert (result.stdout, result.returncode) == (expected, 0)
        assert "Traceback" not in result.stderr
    finally:
        for path in cache.rglob("*"):
            path.chmod(0o700 if path.is_dir() else 0o600)


def test_the_cache_keeps_what_was_used_last_and_does_not_grow_with_every_edit(tmp_path: Path, monkeypatch):
    """Every edit makes new entries (keyed by the files' bytes); those for files as they no longer are get pruned:
    whole-run results beyond the last few, per-plan answers beyond two for each plan. What was used last stays."""
    from actiontrack.cache import KEEP
    from actiontrack.incremental import per_plan
    from actiontrack.load import find_files

    work = tmp_path / "repo"
    shutil.copytree(BUNDLED_PLANS, work / "plans")
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(cache_dir))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    action = next((work / "plans" / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    original = action.read_text(encoding="utf-8")

    def count(workspace):
        return {plan.directory: len(plan.actions) for plan in workspace.plans}

    def must_not_run(workspace):
        raise AssertionError("every plan's answer should have come from the cache")

    for index in range(2 * 2 + 16 + 5):  # more edits than the per-plan answers kept for two plans
        action.write_text(original + f"# edit {index}\n", encoding="utf-8")
        if index < KEEP["results"] + 3:
            assert run(["lint", "--as-of", AS_OF, "--format", "json"], work, cache_dir).returncode == 0
        inventory = find_files([work / "plans"])
        _, answers = per_plan(inventory, Cache.for_repository(inventory.root), "count", [], count)
        assert sorted(answers.values()) == [19, 25]
    [folder] = cache_dir.glob("v*/*")
    assert 0 < len(list((folder / "results").iterdir())) <= KEEP["results"]
    assert len(list((folder / "plans-lint").iterdir())) <= 2 * 2 + 16
    assert len(list((folder / "plans-count").iterdir())) == 2 * 2 + 16  # the oldest edits' answers pruned
    inventory = find_files([work / "plans"])
    _, answers = per_plan(inventory, Cache.for_repository(inventory.root), "count", [], must_not_run)
    assert sorted(answers.values()) == [19, 25]  # the answers used last were kept


def test_an_answer_worked_out_while_a_file_was_saved_is_not_kept(tmp_path: Path, monkeypatch):
    """A plan's answer is kept under the key of its files as they were when the run began; a file saved after that
    and before it was read means the answer (of the new bytes) is not kept under the old key, so undoing the edit
    later is not answered from it."""
    import actiontrack.incremental as incremental
    from actiontrack.load import find_files

    work = tmp_path / "repo"
    shutil.copytree(BUNDLED_PLANS, work / "plans")
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    action = next((work / "plans" / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    original = action.read_bytes()
    os.utime(action, ns=(1, 1))  # an old file: its digest is remembered by its stat data
    saved = original.replace(b'id: "1.c"', b'id: "1.zz"')
    assert saved != original
    prime = incremental.prime

    def saved_meanwhile(*args, **kwargs):  # someone saves the file after the run made its keys, before it reads it
        action.write_bytes(saved)
        return prime(*args, **kwargs)

    def ids(workspace):
        return {plan.directory: sorted(a.action.id for a in plan.actions) for plan in workspace.plans}

    with monkeypatch.context() as here:
        here.setattr(incremental, "prime", saved_meanwhile)
        inventory = find_files([work / "plans"])
        _, answers = incremental.per_plan(inventory, Cache.for_repository(inventory.root), "ids", [], ids)
    assert "1.zz" in answers[action.parent.parent]  # what the run read
    action.write_bytes(original)  # the edit undone: the same bytes as when that run made its keys
    inventory = find_files([work / "plans"])
    _, answers = incremental.per_plan(inventory, Cache.for_repository(inventory.root), "ids", [], ids)
    assert "1.c" in answers[action.parent.parent] and "1.zz" not in answers[action.parent.parent]


def test_the_head_marker_follows_git_as_git_does(tmp_path: Path, monkeypatch):
    """What keys lint's and the report's history-dependent answers: it moves with every commit, and with a fetch of
    more history; GIT_DIR (set in git hooks) is followed; a repository without commits has a stable one."""
    from actiontrack.gitrepo import head_marker

    from .gitbuild import Repo

    repo = Repo(tmp_path / "repo")
    empty = head_marker(repo.path)
    assert empty == head_marker(repo.path) and not empty.startswith("unknown")
    repo.commit("2024-01-02", "Alice Archer", "first", {"a.txt": "a"})
    first = head_marker(repo.path)
    repo.commit("2024-01-03", "Alice Archer", "second", {"a.txt": "b"})
    assert head_marker(repo.path) not in (first, empty)
    (repo.path / ".git" / "shallow").write_text("0" * 40 + "\n")
    shallow = head_marker(repo.path)
    (repo.path / ".git" / "shallow").unlink()
    assert head_marker(repo.path) != shallow
    monkeypatch.setenv("GIT_DIR", str(repo.path / ".git"))
    assert head_marker(tmp_path) == head_marker(repo.path)  # found through GIT_DIR, wherever the plans are
    monkeypatch.delenv("GIT_DIR")
    assert head_marker(tmp_path) == ""  # outside any repository
