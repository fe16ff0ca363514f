"""The corpus of broken and hostile inputs (tests/corpus/, described in its README.md).

Each case of tests/corpus/cases.toml copies the small valid repository tests/corpus/base/ into a temporary folder,
puts its input in place (a file of tests/corpus/files/, or one made by a generator below), runs the installed
`actiontrack` as a real process in that repository and checks what a person would see: the exit code, every line
of stderr exactly, no traceback, and the repository (and anything a link points at) unchanged afterwards.

Speed is not asserted here: `make bench` (benchmarks/run.py) reports each case's wall time. The only limits are
guards against a runaway: a case still running after KILL_AFTER seconds is killed (and fails), and the process may
map at most ADDRESS_SPACE_LIMIT bytes, so one that chews through a hostile file fails instead of taking the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import CACHE_OFF

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = CORPUS / "base"
FILES = CORPUS / "files"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]

DEFAULT_PLACE = "plans/test-plan/actions/1.b-case.yaml"
DEFAULT_ARGS = ["validate"]
CASE_KEYS = {"name", "what", "file", "generator", "place", "args", "exit", "stderr", "stdout", "stdout_contains"}

# Cases run WORKERS at a time (one process each; the runner only waits), which halves the corpus's run time.
WORKERS = max(1, min(2, os.cpu_count() or 1))
# Guards, not measurements (the slowest case takes about a second): a case that has not finished by then is killed,
# and fails (a FIFO or /dev/zero must not hang the tool) ...
KILL_AFTER = 20.0
# ... and the process may not map more than this, so a tool reading /dev/zero to the end (or expanding an alias
# bomb) fails with an error instead of taking the machine's memory.
ADDRESS_SPACE_LIMIT = 1024**3


# ---- generators: inputs that cannot sensibly be committed -------------------------------------------------------

Generator = Callable[[Path, Path, Path], None]  # (where to put it, the case's repository, a session scratch folder)
GENERATORS: dict[str, Generator] = {}


def generator(function: Generator) -> Generator:
    GENERATORS[function.__name__.replace("_", "-")] = function
    return function


HEAD = 'id: "1.b"\npriority: "1"\ntitle: Support vulnerable adults\nowners: [planning-policy]\n'
BIG_FILE_BYTES = 50 * 1024 * 1024


_MAKING = threading.Lock()


def _session_file(scratch: Path, name: str, make: Callable[[Path], None]) -> Path:
    """A large input made once per session in the scratch folder (cases hard-link it, or copy it)."""
    path = scratch / name
    with _MAKING:  # cases run in threads
        if not path.exists():
            partial = path.with_suffix(".part")
            make(partial)
            partial.rename(path)
    return path


def _place_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # no 50 MB copy per run; the tool sees an ordinary file
    except OSError:
        shutil.copyfile(source, target)


@generator
def file_of_50_mb(target: Path, repo: Path, scratch: Path) -> None:
    """A 50 MB action file: an ordinary start, then a note of 50 MB of text."""

    def make(path: Path) -> None:
        start = (HEAD + "updates:\n  - period: 2022/23 Q1\n    note: ").encode()
        line = b"Lightbulb referrals up on last quarter; more volunteers recruited. " * 15 + b"\n      "
        with path.open("wb") as out:
            out.write(start)
            while out.tell() < BIG_FILE_BYTES - len(line):
                out.write(line)
            out.write(b"x" * (BIG_FILE_BYTES - out.tell() - 1) + b"\n")

    _place_copy(_session_file(scratch, "50mb.yaml", make), target)


@generator
def millions_of_values(target: Path, repo: Path, scratch: Path) -> None:
    """About 9 MB (under the 10 MB limit) holding 4.7 million tiny values in one flow list."""

    def make(path: Path) -> None:
        count = 9 * 1024 * 1024 // 2 - 100
        path.write_bytes((HEAD + "outcome: [" + "0," * count + "0]\n").encode())

    _place_copy(_session_file(scratch, "millions.yaml", make), target)


@generator
def block_nesting_100000(target: Path, repo: Path, scratch: Path) -> None:
    """100,000 levels of block lists on one line: "- - - ... x"."""
    target.write_text(HEAD + "milestones:\n" + "- " * 100_000 + "x\n", encoding="utf-8")


@generator
def flow_nesting_100000(target: Path, repo: Path, scratch: Path) -> None:
    """100,000 levels of flow lists: "[[[...]]]"."""
    target.write_text(HEAD + "milestones: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")


@generator
def flow_mapping_nesting_100000(target: Path, repo: Path, scratch: Path) -> None:
    """100,000 levels of flow mappings: "{a: {a: ... }}"."""
    target.write_text(HEAD + "lint: " + "{a: " * 100_000 + "x" + "}" * 100_000 + "\n", encoding="utf-8")


def _outside(repo: Path) -> Path:
    """A folder beside the case's repository: outside it, but still in the test's temporary folder."""
    folder = repo.parent / "outside"
    folder.mkdir(exist_ok=True)
    return folder


@generator
def link_outside_repository(target: Path, repo: Path, scratch: Path) -> None:
    """An action file that is a relative link to a (valid) action file outside the repository."""
    outside = _outside(repo) / "1.b-elsewhere.yaml"
    outside.write_text(HEAD, encoding="utf-8")
    target.symlink_to(os.path.relpath(outside, target.parent))


@generator
def link_to_etc_passwd(target: Path, repo: Path, scratch: Path) -> None:
    target.symlink_to("/etc/passwd")


@generator
def link_to_dev_zero(target: Path, repo: Path, scratch: Path) -> None:
    target.symlink_to("/dev/zero")


@generator
def dangling_link(target: Path, repo: Path, scratch: Path) -> None:
    target.symlink_to("1.b-deleted.yaml")


@generator
def link_inside_repository(target: Path, repo: Path, scratch: Path) -> None:
    """A link to a valid action file kept elsewhere inside the repository: allowed."""
    kept = repo / "drafts" / "1.b-support.yaml"
    kept.parent.mkdir(parents=True)
    kept.write_text(HEAD, encoding="utf-8")
    target.symlink_to(os.path.relpath(kept, target.parent))


@generator
def fifo(target: Path, repo: Path, scratch: Path) -> None:
    """A named pipe with no writer: opening it for reading blocks for ever."""
    os.mkfifo(target)


@generator
def folder_named_like_an_action(target: Path, repo: Path, scratch: Path) -> None:
    target.mkdir()
    (target / "1.b.yaml").write_text(HEAD, encoding="utf-8")


# ---- running a case ----------------------------------------------------------------------------------------------


def _cli() -> str:
    beside = Path(sys.executable).parent / "actiontrack"
    found = str(beside) if beside.exists() else shutil.which("actiontrack")
    assert found, "actiontrack is not installed in this environment (pip install -e .)"
    return found


@dataclass
class Run:
    """One run of the CLI on one case, and what it left behind."""

    code: int | None  # None: killed after KILL_AFTER seconds
    stdout: str
    stderr: str
    wall: float  # seconds, from start to exit (reported by `make bench`; not asserted here)
    changed: list[str]  # entries of the repository (or behind its links) that the run created, changed or removed


def _snapshot(*roots: Path) -> dict[str, tuple[str, str]]:
    """Every entry under `roots` (links not followed): its kind and its content (a file's hash, a link's target)."""
    found: dict[str, tuple[str, str]] = {}
    for root in roots:
        if not root.exists():
            continue
        for folder, dirs, files in os.walk(root):
            for name in dirs + files:
                path = Path(folder, name)
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode):
                    entry = ("link", os.readlink(path))
                elif stat.S_ISREG(mode):
                    with path.open("rb") as content:
                        entry = ("file", hashlib.file_digest(content, "sha256").hexdigest())
                elif stat.S_ISDIR(mode):
                    entry = ("folder", "")
                else:
                    entry = ("special", oct(stat.S_IFMT(mode)))
                found[str(path.relative_to(root.parent))] = entry
    return found


def _environment(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ACTIONTRACK_", "GITHUB_"))}
    env.update(
        {"NO_COLOR": "1", "ACTIONTRACK_CACHE_DIR": str(cache), "COLUMNS": "100", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    )
    if CACHE_OFF:  # ACTIONTRACK_NO_CACHE=1 make test
        env["ACTIONTRACK_NO_CACHE"] = "1"
    return env


# The process that runs the CLI: a bare Python that forks it with the address-space cap set (in the child only),
# waits for it and writes its exit status and wall time to a file.
_LAUNCHER = """
import json, os, resource, sys, time
report, limit, *command = sys.argv[1:]
started = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
        os.execv(command[0], command)
    finally:
        os._exit(127)
_, status = os.waitpid(pid, 0)
wall = time.monotonic() - started
with open(report, "w") as out:
    json.dump({"code": os.waitstatus_to_exitcode(status), "wall": wall}, out)
"""


def run_case(case: dict[str, Any], folder: Path, scratch: Path) -> Run:
    """Build the case's repository in `folder` (which must not exist yet), run the CLI there, and report."""
    repo, cache, capture = folder / "repo", folder / "cache", folder / "capture"
    shutil.copytree(BASE, repo, symlinks=True)
    capture.mkdir()
    target = repo / case.get("place", DEFAULT_PLACE)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.is_file():
        target.unlink()  # a case may replace a file of the base repository
    if "file" in case:
        shutil.copyfile(FILES / case["file"], target)
    else:
        GENERATORS[case["generator"]](target, repo, scratch)
    before = _snapshot(repo, folder / "outside")
    report = capture / "measured.json"
    command = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), str(ADDRESS_SPACE_LIMIT), _cli()]
    with (capture / "stdout").open("wb") as out, (capture / "stderr").open("wb") as err:
        launcher = subprocess.Popen(
            [*command, *case.get("args", DEFAULT_ARGS)],
            cwd=repo,
            env=_environment(cache),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: a hung CLI is killed with its launcher
        )
        try:
            launcher.wait(timeout=KILL_AFTER)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
    measured = json.loads(report.read_text()) if report.exists() else {"code": None, "wall": KILL_AFTER}
    after = _snapshot(repo, folder / "outside")
    return Run(
        measured["code"],
        (capture / "stdout").read_bytes().decode("utf-8", errors="replace"),
        (capture / "stderr").read_bytes().decode("utf-8", errors="replace"),
        measured["wall"],
        sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name)),
    )


def _case_id(case: dict[str, Any]) -> str:
    return case["name"]


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus-scratch")


@pytest.fixture(scope="session")
def corpus_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, scratch: Path
) -> dict[str, Run | BaseException]:
    """Every selected case run once, WORKERS at a time (each run is one process, mostly Python's start-up)."""
    names = {
        item.callspec.params["case"]["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_case" and hasattr(item, "callspec")
    }
    chosen = [case for case in CASES if case["name"] in names]
    root = tmp_path_factory.mktemp("corpus")

    def one(case: dict[str, Any]) -> Run | BaseException:
        try:
            return run_case(case, root / case["name"], scratch)
        except Exception as error:  # reported by the case's own test
            return error

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip([case["name"] for case in chosen], pool.map(one, chosen), strict=True))


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case(case: dict[str, Any], corpus_runs: dict[str, Run | BaseException]) -> None:
    run = corpus_runs[case["name"]]
    if isinstance(run, BaseException):
        raise run
    shown = f"\n--- stdout:\n{run.stdout[:3000]}\n--- stderr:\n{run.stderr[:3000]}"
    assert run.code is not None, f"still running after {KILL_AFTER:.0f} s: killed{shown}"
    assert "Traceback" not in run.stdout + run.stderr, shown
    assert run.stderr.splitlines() == case.get("stderr", []), shown
    assert run.code == case["exit"], shown
    if "stdout" in case:
        assert run.stdout.splitlines() == case["stdout"], shown
    for part in case.get("stdout_contains", []):
        assert part in run.stdout, shown
    # nothing written into the repository or through a link: no half-written file, no stray temporary file
    assert run.changed == [], f"the run created, changed or removed: {run.changed}"


# ---- the manifest itself -----------------------------------------------------------------------------------------


def test_the_corpus_is_large_enough_and_names_are_unique() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names), sorted(name for name in names if names.count(name) > 1)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case_is_well_formed(case: dict[str, Any]) -> None:
    assert set(case) <= CASE_KEYS, set(case) - CASE_KEYS
    assert case["name"].replace("-", "").isalnum() and case["name"] == case["name"].lower(), "kebab-case names"
    assert case.get("what"), "say what the case exercises"
    assert ("file" in case) != ("generator" in case), "exactly one of file and generator"
    if "file" in case:
        assert (FILES / case["file"]).is_file(), case["file"]
    else:
        assert case["generator"] in GENERATORS, sorted(GENERATORS)
    assert case["exit"] in (0, 1, 2)
    assert isinstance(case.get("stderr", []), list)
    assert not Path(case.get("place", DEFAULT_PLACE)).is_absolute()
    assert ".." not in Path(case.get("place", DEFAULT_PLACE)).parts


def test_every_file_and_generator_is_used() -> None:
    files = {path.relative_to(FILES).as_posix() for path in FILES.rglob("*") if path.is_file()}
    used_files = {case["file"] for case in CASES if "file" in case}
    assert files - used_files == set(), "files in tests/corpus/files/ that no case uses"
    used_generators = {case["generator"] for case in CASES if "generator" in case}
    assert set(GENERATORS) - used_generators == set(), "generators that no case uses"
