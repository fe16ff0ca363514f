"""Finding the files of a plans repository, and a digest of them, without parsing any.

Light on purpose (the standard library and the cache only): a command whose output is cached decides whether it
can replay it from here, before anything heavy is imported.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .cache import Cache, digest
from .yamlfile import YamlProblem, read_bytes

CONFIG_FILE = "actiontrack.yaml"
PLAN_FILE = "plan.yaml"
OWNERS_FILE = "owners.yaml"
ACTIONS_DIR = "actions"
PLAN_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class UsageError(Exception):
    """A mistake in how the command was called or configured (exit code 2). `field` names what was asked wrongly
    ("out", "templates", "format"), which the command line shows as its flag; as a string: "field: message"."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "1.a" < "1.b" < "2" < "10" as people number things."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def find_root(start: Path) -> Path:
    """The plans repository holding `start`: the nearest ancestor with actiontrack.yaml or a plans/ folder."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    for candidate in (here, *here.parents):
        if (candidate / "plans").is_dir():
            return candidate
    return here


def forge_root(root: Path) -> Path:
    """The git repository holding the plans repository `root` (the nearest ancestor with `.git`, a folder or, in a
    worktree or submodule, a file), else `root`: forges attach annotations and SARIF results by paths from there."""
    here = root.resolve()
    for candidate in (here, *here.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return here


def _present(path: Path) -> bool:
    """Whether there is anything at `path` (a FIFO or a dangling link counts: loading says what is wrong with it)."""
    return os.path.lexists(path) and not path.is_dir()


def _is_plan_dir(path: Path) -> bool:
    return _present(path / PLAN_FILE) or (path / ACTIONS_DIR).is_dir()


def plan_dirs(plans_dir: Path) -> list[Path]:
    if not plans_dir.is_dir():
        return []
    return sorted((p for p in plans_dir.iterdir() if p.is_dir() and _is_plan_dir(p)), key=lambda p: p.name)


def targets(paths: Iterable[Path]) -> tuple[dict[Path, set[Path] | None], Path]:
    """Plan folders to load (with an optional set of action files to keep) and their plans folder."""
    chosen: dict[Path, set[Path] | None] = {}
    plans_dir: Path | None = None
    for raw in paths:
        path = Path(os.path.abspath(raw))  # links not followed: one leading out of the repository is refused later
        if not path.exists():
            raise UsageError(f"{raw}: no such file or folder")
        if not path.is_dir():
            if path.name == PLAN_FILE:
                found, only = [path.parent], None
            elif path.parent.name == ACTIONS_DIR:
                found, only = [path.parent.parent], path
            else:
                raise UsageError(f"{raw}: not a plan.yaml or an action file under a plan's actions/ folder")
        elif _is_plan_dir(path):
            found, only = [path], None
        elif path.name == ACTIONS_DIR and _is_plan_dir(path.parent):
            found, only = [path.parent], None
        else:
            found, only = plan_dirs(path), None
            if not found and (path.name == "plans" or (path / OWNERS_FILE).is_file()):
                plans_dir = plans_dir or path  # a plans folder with no plan yet (e.g. before an import)
            elif not found:
                raise UsageError(f"{raw}: no plans here (a plan is a folder with plan.yaml and actions/)")
        for plan_dir in found:
            if only is None:
                chosen[plan_dir] = None
            elif plan_dir not in chosen or chosen[plan_dir] is not None:
                chosen.setdefault(plan_dir, set()).add(only)  # type: ignore[union-attr]
            plans_dir = plans_dir or plan_dir.parent
    assert plans_dir is not None
    return chosen, plans_dir


def folder_files(directory: Path, only: set[Path] | None) -> list[str]:
    """plan.yaml (where there is one) and the action files to load, in a stable order."""
    try:
        with os.scandir(directory / ACTIONS_DIR) as entries:  # scandir: a large repository has many thousands
            found = [e.name for e in entries if not e.name.startswith(".") and fnmatch.fnmatchcase(e.name, "*.y*ml")]
    except (FileNotFoundError, NotADirectoryError):
        found = []
    except OSError as error:  # e.g. no permission: nothing in the plan can be checked, so say so and stop
        raise UsageError(f"{directory / ACTIONS_DIR}: cannot read the folder: {error.strerror or error}") from None
    if only is not None:
        found = [name for name in found if Path(os.path.abspath(directory / ACTIONS_DIR / name)) in only]
    names = [PLAN_FILE] if _present(directory / PLAN_FILE) else []
    return names + sorted(found, key=natural_key)


def file_in(folder: Path, name: str) -> Path:
    return folder / name if name == PLAN_FILE else folder / ACTIONS_DIR / name


def content_digest(path: str | Path, cache: Cache) -> str:
    try:
        return cache.file_digest(path, _read)
    except (OSError, YamlProblem) as error:  # loading reports it; its name and why are in the fingerprint
        return f"unreadable: {type(error).__name__}: {error}"


def _read(path: str | Path) -> bytes:
    return read_bytes(Path(path))


def folder_digest(folder: Path, names: list[str], cache: Cache) -> str:
    """A digest of one plan folder's file names and contents (an unchanged file known by its stat data, unread)."""
    base = str(folder)
    actions = os.path.join(base, ACTIONS_DIR)
    parts: list[str] = [base]
    for name in names:  # paths as strings: a large repository has many thousands, and pathlib costs more than a stat
        parts += [name, content_digest(os.path.join(base if name == PLAN_FILE else actions, name), cache)]
    return digest(*parts)


def shared_digest(root: Path, plans_dir: Path, config_path: Path | None, bad_folders: list[Path], cache: Cache) -> str:
    """A digest of what every plan is read with: the repository, its configuration, the owners registry, and the
    folders whose names cannot be a plan's."""
    parts: list[str] = [str(root), str(plans_dir), *map(str, bad_folders)]
    for path in (config_path, plans_dir / OWNERS_FILE):
        parts += [str(path), content_digest(path, cache) if path is not None else ""]
    return digest(*parts)


def fingerprint(
    root: Path,
    plans_dir: Path,
    config_path: Path | None,
    folders: dict[Path, list[str]],
    bad_folders: list[Path],
    cache: Cache,
    known: dict[Path, str] | None = None,
) -> str:
    """A digest of everything loading depends on: every file's name and contents (`known`: folder digests already
    worked out, and where new ones are kept)."""
    known = {} if known is None else known
    for folder, names in folders.items():
        if folder not in known:
            known[folder] = folder_digest(folder, names, cache)
    return cache.key(shared_digest(root, plans_dir, config_path, bad_folders, cache), *(known[f] for f in folders))


def config_file(root: Path) -> Path | None:
    path = root / CONFIG_FILE
    return path if path.is_file() else None


def plans_setting_key(cache: Cache, config_path: Path) -> str:
    return cache.key("plans-setting", content_digest(config_path, cache))


def quick_fingerprint(paths: list[Path], cwd: Path, cache_for: Any) -> tuple[Any, str] | None:
    """(cache, fingerprint) of the files a command would read, found without parsing any; None where that needs
    the configuration parsed and it has not been seen before. `cache_for(root)` gives the repository's cache."""
    if paths:
        chosen, plans_dir = targets(paths)
        root = find_root(plans_dir)
        cache = cache_for(root)
        config_path = config_file(root)
    else:
        root = find_root(cwd)
        cache = cache_for(root)
        config_path = config_file(root)
        setting = cache.get("settings", plans_setting_key(cache, config_path)) if config_path else "plans"
        if not isinstance(setting, str):
            return None
        plans_dir = (root / setting).resolve()
        if not plans_dir.is_dir():
            return None
        chosen = dict.fromkeys(plan_dirs(plans_dir))
    bad = sorted(d for d in chosen if not PLAN_SLUG.fullmatch(d.name))
    folders = {d: folder_files(d, only) for d, only in sorted(chosen.items()) if d not in bad}
    return cache, fingerprint(root, plans_dir, config_path, folders, bad, cache)
