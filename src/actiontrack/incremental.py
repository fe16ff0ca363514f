"""Answers worked out plan by plan, and kept while a plan's inputs are unchanged: the loop of "edit one file, look
again" in a repository of thousands of actions.

A command over many plans (`status`, `lint`) asks `per_plan` for one answer per plan folder. A folder whose files
(each known by its content digest, found through the stat cache without reading an unchanged file), whose shared
inputs (the configuration and the owners registry) and whose options (the as-of date, the command's own) are as on an
earlier run gets that run's answer back: a little plain data, read without parsing a file or building a model. The
folders that changed are parsed (in parallel, into the parse cache), then loaded, derived and answered a batch at a
time, so that memory stays bounded however large the repository. An answer is only reused for byte-identical inputs,
so it always equals the one worked out afresh (tests/test_cache.py checks every kind of edit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from .cache import Cache
from .discover import folder_digest, plan_dirs
from .load import Inventory, Progress, Workspace, gc_paused, load_workspace, prime, unit_count

T = TypeVar("T")
BATCH_FILES = 2000  # files loaded at once: about 60 MB of models, then let go


def per_plan(
    inventory: Inventory,
    cache: Cache,
    kind: str,
    options: Sequence[str],
    answer: Callable[[Workspace], dict[Path, T]],
    progress: Progress | None = None,
    valid: Callable[[Any], bool] = lambda _: True,
) -> tuple[Workspace, dict[Path, T]]:
    """The repository's shared part (configuration, owners, the problems that belong to no plan), and `answer`'s
    result for each plan folder of `inventory`, in its order: kept ones where the folder, the shared files and
    `options` are unchanged, else worked out by `answer` from a workspace holding a batch of the changed folders.

    `answer` must depend on nothing but the plans it is given, the shared files and `options`; a kept answer that
    `valid` refuses (an entry of another shape) is worked out again."""
    common = [kind, *options, inventory.shared_digest(cache)]
    shared = load_workspace(inventory=replace(inventory, folders={}, subset=set()), cache=cache)
    keys = {
        folder: cache.key("per-plan", *common, inventory.folder_digest(folder, cache)) for folder in inventory.folders
    }
    found: dict[Path, T] = {}
    missing: list[Path] = []
    for folder, key in keys.items():
        kept = cache.get(f"plans-{kind}", key) if folder not in inventory.subset else None
        if isinstance(kept, tuple) and len(kept) == 1 and valid(kept[0]):
            found[folder] = kept[0]  # kept as a 1-tuple: an answer may itself be None
        else:
            missing.append(folder)
    if missing:
        prime(inventory.only(missing), cache, progress)
        for batch in _batches(missing, inventory):
            with gc_paused():
                workspace = load_workspace(inventory=inventory.only(batch), cache=cache)
                answers = answer(workspace)
            for folder in batch:
                found[folder] = answers[folder]
            # kept only where the files are still the ones the key was made from (none was saved meanwhile)
            still = inventory.shared_digest(cache) == common[-1]
            for folder in batch:
                if still and folder not in inventory.subset and _unchanged(inventory, folder, cache):
                    cache.put(f"plans-{kind}", keys[folder], (answers[folder],))
            del workspace, answers
        if set(plan_dirs(inventory.plans_dir)) <= set(inventory.folders) | set(inventory.bad_folders):
            # of the whole repository: each plan's answer as it is now, and as before the last edits (an edit undone
            # is answered at once); a run over some plans leaves the others' alone
            cache.prune(f"plans-{kind}", 2 * len(keys) + 16)
            cache.prune("parsed", 2 * unit_count(inventory) + 16)
    cache.save_digests()
    return shared, {folder: found[folder] for folder in inventory.folders}


def _unchanged(inventory: Inventory, folder: Path, cache: Cache) -> bool:
    """Whether a plan folder's files are still those its key was made from (looked at again, by their stat data)."""
    return folder_digest(folder, inventory.folders[folder], cache) == inventory.folder_digest(folder, cache)


def _batches(folders: list[Path], inventory: Inventory) -> list[list[Path]]:
    batches: list[list[Path]] = [[]]
    size = 0
    for folder in folders:
        count = len(inventory.folders[folder])
        if batches[-1] and size + count > BATCH_FILES:
            batches.append([])
            size = 0
        batches[-1].append(folder)
        size += count
    return batches
