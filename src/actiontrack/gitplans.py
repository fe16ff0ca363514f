"""The plans as they were at a git revision, read straight from git's object store (no checkout, no temporary work
tree): the files are listed from the revision's tree, their bytes come from its blobs in one batch, and then they are
loaded exactly as the folder's files are (load.py), so every problem has its file and line.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from .cache import Cache
from .discover import ACTIONS_DIR, CONFIG_FILE, OWNERS_FILE, PLAN_FILE, PLAN_SLUG, UsageError, find_root, natural_key
from .gitrepo import Commit, GitProblem, GitRepo
from .load import Inventory, Progress, Workspace, load_config, load_workspace


@dataclass(frozen=True)
class RevisionFiles:
    """The files of a plans repository at one commit: working-tree path -> blob id."""

    repo: GitRepo
    commit: Commit
    root: Path  # the plans repository (the folder of actiontrack.yaml), as a path in the work tree
    blobs: dict[Path, str]

    def is_dir(self, path: Path) -> bool:
        prefix = os.path.join(path, "")
        return any(str(p).startswith(prefix) for p in self.blobs)

    def under(self, folder: Path) -> list[Path]:
        prefix = os.path.join(folder, "")
        return [p for p in self.blobs if str(p).startswith(prefix)]


def repository_of(paths: Sequence[Path], cwd: Path) -> tuple[GitRepo, Path]:
    """The git repository and the plans repository's root for a command given `paths` (which need not exist in the
    work tree: a plan may have been removed since)."""
    start = Path(os.path.abspath(paths[0])) if paths else cwd
    existing = next((p for p in (start, *start.parents) if p.is_dir()), cwd)
    return GitRepo.find(existing), find_root(existing)


def revision_files(repo: GitRepo, rev: str, root: Path) -> RevisionFiles:
    commit = repo.resolve(rev)
    prefix = repo.relative(root)
    top = repo.top
    blobs = {top / PurePosixPath(path): blob for path, blob in repo.tree(commit.id, prefix).items()}
    return RevisionFiles(repo, commit, root, blobs)


def _plan_folders(files: RevisionFiles, plans_dir: Path) -> list[Path]:
    folders = set()
    for path in files.under(plans_dir):
        parts = path.relative_to(plans_dir).parts
        if len(parts) >= 2 and (parts[1] == PLAN_FILE or (parts[1] == ACTIONS_DIR and len(parts) >= 3)):
            folders.add(plans_dir / parts[0])
    return sorted(folders, key=lambda p: p.name)


def _folder_names(files: RevisionFiles, folder: Path, only: set[Path] | None) -> list[str]:
    actions = folder / ACTIONS_DIR
    found = [
        p.name
        for p in files.under(actions)
        if p.parent == actions and not p.name.startswith(".") and fnmatch.fnmatchcase(p.name, "*.y*ml")
    ]
    if only is not None:
        found = [name for name in found if actions / name in only]
    names = [PLAN_FILE] if folder / PLAN_FILE in files.blobs else []
    return names + sorted(found, key=natural_key)


def inventory_at(files: RevisionFiles, paths: Sequence[Path]) -> tuple[Inventory, list[Path]]:
    """What a command would read at the revision, as `load.find_files` finds it in the folder; and every file whose
    bytes are needed."""
    root = files.root
    config_path = root / CONFIG_FILE
    wanted = [config_path] if config_path in files.blobs else []
    config_bytes = files.repo.blobs([files.blobs[p] for p in wanted])
    config, found_config, config_doc = load_config(root, {p: config_bytes[files.blobs[p]] for p in wanted})
    chosen: dict[Path, set[Path] | None] = {}
    label = f"{files.commit.short} ({files.commit.day.isoformat()})"
    if paths:
        plans_dir: Path | None = None
        for raw in paths:
            path = Path(os.path.abspath(raw))
            if path in files.blobs:
                if path.name == PLAN_FILE:
                    chosen[path.parent] = None
                    plans_dir = plans_dir or path.parent.parent
                elif path.parent.name == ACTIONS_DIR:
                    folder = path.parent.parent
                    if chosen.get(folder, set()) is not None:
                        chosen.setdefault(folder, set()).add(path)  # type: ignore[union-attr]
                    plans_dir = plans_dir or folder.parent
                continue
            if (path / PLAN_FILE) in files.blobs or files.is_dir(path / ACTIONS_DIR):
                chosen[path] = None
                plans_dir = plans_dir or path.parent
            elif path.name == ACTIONS_DIR and files.is_dir(path):
                chosen[path.parent] = None
                plans_dir = plans_dir or path.parent.parent
            elif _plan_folders(files, path):
                chosen.update(dict.fromkeys(_plan_folders(files, path)))
                plans_dir = plans_dir or path
            else:
                raise UsageError(f"{raw}: no plans there at {label}")
        assert plans_dir is not None
    else:
        plans_dir = (root / config.plans).resolve()
        if not files.is_dir(plans_dir):
            raise UsageError(f"no plans at {label}: {plans_dir.relative_to(root)}/ did not exist in that commit")
        chosen = dict.fromkeys(_plan_folders(files, plans_dir))
    bad = sorted(d for d in chosen if not PLAN_SLUG.fullmatch(d.name))
    folders = {d: _folder_names(files, d, only) for d, only in sorted(chosen.items()) if d not in bad}
    subset = {d for d, only in chosen.items() if only is not None}
    needed = [
        *wanted,
        *([plans_dir / OWNERS_FILE] if plans_dir / OWNERS_FILE in files.blobs else []),
        *(
            folder / name if name == PLAN_FILE else folder / ACTIONS_DIR / name
            for folder in folders
            for name in folders[folder]
        ),
    ]
    inventory = Inventory(root, plans_dir, config, found_config, config_doc, folders, subset, bad)
    return inventory, needed


def load_at(
    rev: str,
    paths: Sequence[Path] = (),
    cwd: Path | None = None,
    progress: Progress | None = None,
    use_cache: bool = False,
) -> Workspace:
    """The plans at `paths` (default: the repository's plans folder) as they were at the git revision `rev`.

    Raises GitProblem (not a repository, an unknown revision) or UsageError (no plans at that revision); problems in
    the files are the workspace's, each naming the revision."""
    repo, root = repository_of(paths, (cwd or Path.cwd()).resolve())
    files = revision_files(repo, rev, root)
    inventory, needed = inventory_at(files, paths)
    data = repo.blobs([files.blobs[p] for p in needed])
    contents = {p: data[files.blobs[p]] for p in needed}
    workspace = load_workspace(
        inventory=inventory,
        files=contents,
        progress=progress,
        cache=Cache.for_repository(root, use_cache),
    )
    workspace.revision = files.commit
    where = f" (at {files.commit.short}, {files.commit.day.isoformat()})"
    workspace.problems = [replace(p, message=p.message + where) for p in workspace.problems]
    return workspace


__all__ = ["GitProblem", "RevisionFiles", "inventory_at", "load_at", "repository_of", "revision_files"]
