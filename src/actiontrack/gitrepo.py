"""Reading a git repository through git's own plumbing: revisions, trees, blobs and the log.

One `git` process per question, never one per revision: a tree is listed by one `git ls-tree`, any number of blobs
come from one `git cat-file --batch`, and every commit that touched the plans from one `git log --raw`. Blob ids are
content hashes, so what is parsed from a blob can be cached under its id. Nothing here knows about plans; stdlib only.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

SHALLOW_HINT = (
    "this is a shallow clone, so older history is missing; fetch all of it (`git fetch --unshallow`, "
    "or `fetch-depth: 0` in GitHub's actions/checkout, `GIT_DEPTH: 0` in GitLab CI)"
)


class GitProblem(Exception):
    """Git could not answer: not a repository, an unknown revision, missing history. `usage` is True when what was
    asked needs changing (exit 2), False when the repository does (exit 1)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Commit:
    id: str
    date: datetime  # the author date, as written by the author's clock and zone
    author: str
    message: str  # the first line

    @property
    def short(self) -> str:
        return self.id[:7]

    @property
    def day(self) -> date:
        return self.date.date()


@dataclass(frozen=True)
class FileChange:
    """One file a commit changed: its blob before and after (None where it did not exist)."""

    path: str  # relative to the repository's top, forward slashes
    old: str | None
    new: str | None


@dataclass(frozen=True)
class LoggedCommit:
    commit: Commit
    files: tuple[FileChange, ...]


_NULL = re.compile(r"0+")
_FIELD = "\x1f"
_FORMAT = "%H%x1f%aI%x1f%an%x1f%s"


def _commit(line: str) -> Commit:
    commit_id, when, author, message = [*line.split(_FIELD, 3), "", "", ""][:4]
    return Commit(commit_id, datetime.fromisoformat(when), author, message)


class GitRepo:
    """A git repository, found from a folder inside it."""

    def __init__(self, top: Path, git_dir: Path, shallow: bool, object_format: str) -> None:
        self.top = top
        self.git_dir = git_dir
        self.shallow = shallow
        self.object_format = object_format
        self._commits: dict[str, Commit] = {}

    @classmethod
    def find(cls, folder: Path) -> GitRepo:
        """The repository holding `folder`; GitProblem when there is none (or git is not installed)."""
        try:
            out = _git(
                folder,
                "rev-parse",
                "--show-toplevel",
                "--absolute-git-dir",
                "--is-shallow-repository",
                "--show-object-format",
            )
        except GitProblem as problem:
            raise GitProblem(f"{folder} is not in a git repository ({problem})", usage=True) from None
        lines = out.splitlines()
        if len(lines) < 4:
            raise GitProblem(f"{folder} is not in a git repository's work tree", usage=True)
        return cls(Path(lines[0]), Path(lines[1]), lines[2] == "true", lines[3])

    @classmethod
    def find_or_none(cls, folder: Path) -> GitRepo | None:
        try:
            return cls.find(folder)
        except GitProblem:
            return None

    def git(self, *args: str, data: bytes | None = None) -> str:
        return _git(self.top, *args, data=data)

    # ---- revisions ----

    def has_commits(self) -> bool:
        try:
            self.git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        except GitProblem:
            return False
        return True

    def resolve(self, rev: str) -> Commit:
        """The commit `rev` names (a commit id, tag, branch, HEAD~3...)."""
        if rev.startswith("-") or not rev.strip() or "\n" in rev:
            raise GitProblem(f'"{rev}" is not a revision: give a commit, tag or branch', usage=True)
        try:
            commit_id = self.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()
        except GitProblem:
            hint = f"; {SHALLOW_HINT}" if self.shallow else ""
            raise GitProblem(f'unknown revision "{rev}": no commit, tag or branch has that name{hint}', True) from None
        return self.commit(commit_id)

    def commit(self, commit_id: str) -> Commit:
        if commit_id not in self._commits:
            line = self.git("show", "-s", f"--format={_FORMAT}", "--end-of-options", commit_id).rstrip("\n")
            self._commits[commit_id] = _commit(line)
        return self._commits[commit_id]

    def commit_on(self, day: date) -> Commit:
        """The last commit (of HEAD's history) made on or before `day`, by the committer's date."""
        if not self.has_commits():
            raise GitProblem("the repository has no commits yet", usage=True)
        found = self.git("rev-list", "-1", f"--before={day.isoformat()}T23:59:59", "HEAD").strip()
        if not found:
            first = self.git("rev-list", "--max-parents=0", "HEAD").split()[0]
            first_day = self.commit(first).day.isoformat()
            hint = f"; {SHALLOW_HINT}" if self.shallow else ""
            raise GitProblem(f"no commit on or before {day.isoformat()}: the history starts on {first_day}{hint}", True)
        return self.commit(found)

    # ---- trees and blobs ----

    def tree(self, commit_id: str, prefix: str = "") -> dict[str, str]:
        """Every file under `prefix` (a folder relative to the top) at the commit: path -> blob id."""
        args = ["ls-tree", "-r", "-z", "--full-tree", commit_id]
        if prefix:
            args += ["--", prefix.rstrip("/") + "/"]
        files: dict[str, str] = {}
        for entry in self.git(*args).split("\0"):
            if not entry:
                continue
            meta, path = entry.split("\t", 1)
            mode, kind, blob = meta.split(" ")
            if kind == "blob" and mode != "120000":  # links are not followed out of a revision
                files[path] = blob
        return files

    def blobs(self, ids: list[str]) -> dict[str, bytes]:
        """The contents of these blobs, by one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        out = _run(self.top, ["cat-file", "--batch"], ("\n".join(wanted) + "\n").encode())
        found: dict[str, bytes] = {}
        at = 0
        for blob in wanted:
            end = out.index(b"\n", at)
            header = out[at:end].decode()
            at = end + 1
            if header.endswith(" missing"):
                hint = f" ({SHALLOW_HINT})" if self.shallow else ""
                raise GitProblem(f"the repository does not hold object {blob}{hint}")
            size = int(header.rsplit(" ", 1)[1])
            found[blob] = out[at : at + size]
            at += size + 1
        return found

    def blob_id(self, data: bytes) -> str:
        """The id git gives a blob with these bytes (so a working-tree file can be compared with a revision's)."""
        algorithm = hashlib.sha256 if self.object_format == "sha256" else hashlib.sha1
        return algorithm(b"blob %d\0" % len(data) + data).hexdigest()

    # ---- the log ----

    def log(self, prefix: str, until: str = "HEAD", since: str | None = None) -> list[LoggedCommit]:
        """Every commit from `until` back (to `since`, not included) that changed a file under `prefix`, newest first,
        with each file's blob before and after (renames are a removal and an addition: plans identify actions by
        their id, not their file). The history is the first-parent line, a merge diffed against its first parent:
        one straight line of versions, each the plans as they stood on that branch."""
        span = f"{since}..{until}" if since else until
        args = [
            "log",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            "--first-parent",
            "--diff-merges=first-parent",
            f"--format=\x01{_FORMAT}",
            span,
        ]
        out = self.git(*args, "--", prefix.rstrip("/") + "/" if prefix else ".")
        commits: list[LoggedCommit] = []
        for chunk in out.split("\x01")[1:]:
            header, _, rest = chunk.partition("\0")
            parts = rest.lstrip("\n").split("\0")
            files = []
            for meta, path in zip(parts[0::2], parts[1::2], strict=False):
                if not meta.startswith(":"):
                    continue
                old_mode, new_mode, old, new, _ = meta[1:].split(" ", 4)
                if old_mode == "120000":  # a link is not a plan file (as in `tree`): its target is not read
                    old = "0"
                if new_mode == "120000":
                    new = "0"
                if _NULL.fullmatch(old) and _NULL.fullmatch(new):
                    continue
                files.append(
                    FileChange(path, None if _NULL.fullmatch(old) else old, None if _NULL.fullmatch(new) else new)
                )
            commits.append(LoggedCommit(_commit(header), tuple(files)))
        return commits

    def is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", older, newer)
        except GitProblem:
            return False
        return True

    def relative(self, path: Path) -> str:
        """`path` relative to the top of the repository, with forward slashes ("" for the top itself)."""
        try:
            relative = path.resolve().relative_to(self.top.resolve())
        except ValueError:
            raise GitProblem(f"{path} is outside the git repository at {self.top}", usage=True) from None
        return "" if relative == Path(".") else relative.as_posix()


def _run(folder: Path, args: list[str], data: bytes | None = None) -> bytes:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args], cwd=folder, input=data, capture_output=True, env=env
        )
    except FileNotFoundError:
        raise GitProblem("git is not installed (it is needed to read the plans' history)", usage=True) from None
    except OSError as error:
        raise GitProblem(f"cannot run git in {folder}: {error.strerror or error}", usage=True) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitProblem(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def _git(folder: Path, *args: str, data: bytes | None = None) -> str:
    return _run(folder, list(args), data).decode("utf-8", "surrogateescape")


def head_marker(folder: Path) -> str:
    """A cheap stand-in for "which commit is checked out, with how much history" without starting git: the text of
    HEAD and of the ref it names (a loose ref, else the time packed-refs or a reftable last changed), and whether the
    clone is shallow; "" outside a repository. It changes whenever a commit, checkout, reset or fetch of more history
    moves it. Where it cannot tell (an unreadable .git), it is never the same twice, so nothing keyed on it is
    reused. GIT_DIR and GIT_COMMON_DIR (set for git hooks) are followed as git follows them."""
    if os.environ.get("GIT_DIR"):
        return _marker(Path(os.environ["GIT_DIR"]).resolve())
    for candidate in (folder, *folder.parents):
        dot_git = candidate / ".git"
        if not os.path.lexists(dot_git):
            continue
        try:
            git_dir = dot_git
            if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
                git_dir = (candidate / dot_git.read_text().split(":", 1)[1].strip()).resolve()
        except (OSError, IndexError):
            return f"unknown {time.time_ns()}"
        return _marker(git_dir)
    return ""


def _marker(git_dir: Path) -> str:
    try:
        head = (git_dir / "HEAD").read_text()
        ref = head[5:].strip() if head.startswith("ref: ") else ""
        common = git_dir
        if os.environ.get("GIT_COMMON_DIR"):
            common = Path(os.environ["GIT_COMMON_DIR"]).resolve()
        elif (git_dir / "commondir").is_file():
            common = (git_dir / (git_dir / "commondir").read_text().strip()).resolve()
        target = ""
        if ref:
            loose = common / ref
            if loose.is_file():
                target = loose.read_text()
            elif (common / "reftable").is_dir():  # refs kept in tables: tables.list names the newest
                target = (common / "reftable" / "tables.list").read_text()
            elif (common / "packed-refs").exists():
                target = str((common / "packed-refs").stat().st_mtime_ns)
            else:
                target = "no commit yet"
        shallow = common / "shallow"
        depth = f"shallow {shallow.stat().st_mtime_ns}" if shallow.exists() else "complete"
    except OSError:
        return f"unknown {time.time_ns()}"
    return f"{git_dir}\n{head}{target}{depth}"
