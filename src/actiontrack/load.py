"""Finding, parsing and validating a plans repository.

`load_workspace` never raises for bad plan files: every problem becomes a `Problem` with a file, line and
column, and the files that are fine are still loaded, so lint can report everything in one run.
Only a broken `actiontrack.yaml` or a path that does not exist stops it (`UsageError`, exit code 2).
"""

from __future__ import annotations

import difflib
import functools
import gc
import os
import types
import typing
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date as date_
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .cache import Cache, digest
from .discover import (
    ACTIONS_DIR,
    CONFIG_FILE,
    OWNERS_FILE,
    PLAN_FILE,
    PLAN_SLUG,
    UsageError,
    file_in,
    find_root,
    fingerprint,
    folder_digest,
    folder_files,
    forge_root,
    natural_key,
    plan_dirs,
    plans_setting_key,
    shared_digest,
    targets,
)
from .model import Action, Config, Owner, OwnersFile, Plan, validation_context
from .schema_words import plain_message
from .words import did_you_mean, escaped, shown
from .yamlfile import Document, YamlProblem, parse_bytes, read_bytes, read_document, real_folder

if TYPE_CHECKING:
    from .gitrepo import Commit


@dataclass(frozen=True)
class Baseline:
    """An action's deadline as first agreed: in the `baseline:` revision of actiontrack.yaml, else in the commit that
    added the action (history.py finds it; derive compares it with today's)."""

    text: str | None  # the deadline as written then (None: it had none)
    date: date_ | None
    commit: str
    commit_date: date_


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input file; `rule` names the lint rule that reports it."""

    path: Path
    line: int
    column: int
    message: str
    rule: str = "schema"

    def __post_init__(self) -> None:
        if not self.message.isprintable():  # user text quoted in it: one line, nothing a terminal would act on
            object.__setattr__(self, "message", escaped(self.message))

    def format(self, base: Path | None = None) -> str:
        return f"{display_path(self.path, base)}:{self.line}:{self.column}: {self.message}"


def in_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order they are reported: by file, then line and column (a file's own in the order found)."""
    return sorted(problems, key=lambda p: (str(p.path), p.line, p.column))


def problems_by_folder(problems: Iterable[Problem], folders: Iterable[Path]) -> dict[Path | None, list[Problem]]:
    """The problems of each plan folder's files (plan.yaml and actions/*), and under None those of no plan's
    (owners.yaml, a misnamed folder), each list in the order given."""
    known = set(folders)
    found: dict[Path | None, list[Problem]] = {}
    for problem in problems:
        parent = problem.path.parent
        folder = parent if parent in known else parent.parent if parent.parent in known else None
        found.setdefault(folder, []).append(problem)
    return found


@functools.lru_cache(maxsize=4096)
def _resolved_folder(folder: Path) -> Path:
    return folder.resolve()


def _resolved(path: Path) -> Path:
    """The path with its folders resolved (each folder once: thousands of files share a few); a file that is a link
    keeps its own name."""
    return _resolved_folder(path) if path.name in ("", ".", "..") else _resolved_folder(path.parent) / path.name


def _under(path: Path, base: Path) -> str:
    """`path` relative to the resolved folder `base`: the real path first, then as named; else the path as given.
    (On strings: lint asks this for every action, and pathlib's objects cost more than the answer.)"""
    home = str(base)
    prefix = home if home.endswith(os.sep) else home + os.sep
    name = path.name
    if name in ("", ".", ".."):
        real = str(_resolved(path))
    else:
        real = str(_resolved_folder(path.parent)).rstrip(os.sep) + os.sep + name
    for target in (real, os.path.abspath(path)):
        if target == home:
            return "."
        if target.startswith(prefix):
            return target[len(prefix) :].replace(os.sep, "/")
    return path.as_posix()


def display_path(path: Path, base: Path | None = None) -> str:
    """`path` relative to `base` (or the working directory) where it lies inside, with forward slashes."""
    return escaped(_relative(path, base))  # a file name may hold a newline or a terminal escape


def _relative(path: Path, base: Path | None) -> str:
    anchors = [anchor for anchor in (base, Path.cwd()) if anchor is not None]
    for target, anchored in ((Path(os.path.abspath(path)), os.path.abspath), (_resolved(path), _resolved)):
        for anchor in anchors:  # as named first (a link inside the repository stays as named), then resolved
            try:
                return target.relative_to(anchored(anchor)).as_posix()
            except ValueError:
                continue
    return path.as_posix()


class LookupProblem(Exception):
    """What was asked for is not there. `field` names what was wrong ("plan", "id"); `usage` is True when the
    request itself needs changing (exit 2 from the command line), False when a file does (exit 1)."""

    def __init__(self, field: str, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.usage = usage


@dataclass
class ActionSource:
    """A valid action and the file it came from."""

    action: Action
    path: Path
    doc: Document
    plan_slug: str
    content: str = ""  # the digest of the file's bytes, as loaded

    def locate(self, *path: str | int) -> tuple[int, int]:
        return self.doc.locate(path)


@dataclass
class PlanSource:
    slug: str
    directory: Path
    plan: Plan | None
    doc: Document | None
    actions: list[ActionSource] = field(default_factory=list)
    content: str = ""  # the digest of plan.yaml's bytes, as loaded ("" when it did not load)

    @property
    def path(self) -> Path:
        return self.directory / PLAN_FILE

    @property
    def title(self) -> str:
        return self.plan.title if self.plan else self.slug


@dataclass
class Workspace:
    """Everything loaded from one plans repository."""

    root: Path
    plans_dir: Path
    config: Config
    config_path: Path | None
    config_doc: Document | None
    owners: dict[str, Owner]
    owners_path: Path
    owners_doc: Document | None
    plans: list[PlanSource]
    problems: list[Problem]
    revision: Commit | None = None  # the git commit the files were read from; None: the folder as it is
    baselines: dict[tuple[str, str], Baseline] = field(default_factory=dict)  # (plan, id) -> as first agreed

    @property
    def actions(self) -> list[ActionSource]:
        return [source for plan in self.plans for source in plan.actions]

    def owner_name(self, owner_id: str) -> str:
        owner = self.owners.get(owner_id)
        return owner.name if owner else owner_id

    def owner_ids(self) -> list[str]:
        """Every owner id a feed or digest may be asked for: the registry's, then those only named in actions."""
        return list(self._owner_ids)

    @functools.cached_property
    def _owner_ids(self) -> tuple[str, ...]:  # worked out once: a loaded workspace is not changed; an edit reloads
        named = {o for a in self.actions for o in (*a.action.owners, *a.action.partners)}
        return (*self.owners, *sorted(named - set(self.owners)))

    def check_choice(self, plan: str | None = None, owner: str | None = None) -> None:
        """UsageError (field "plan" or "owner") for a plan or owner these plans do not have, with the closest name."""
        for name, value, known in (("plan", plan, [p.slug for p in self.plans]), ("owner", owner, self.owner_ids())):
            if value is not None and value not in known:
                hint = did_you_mean(value, known) or (f"; known: {', '.join(known)}" if known else "; there are none")
                raise UsageError(f'no {name} "{value}"{hint}', name)

    def find_action(self, action_id: str, plan_slug: str | None = None) -> tuple[PlanSource, ActionSource]:
        """The action `action_id` (in plan `plan_slug`): the one lookup that `show`, `update` and the library use.

        Raises LookupProblem naming the field at fault: "plan" for a plan that does not exist or an id found in
        several plans (choose one), "id" for no such action (or one whose file is invalid, with its problems)."""
        plans = [p for p in self.plans if plan_slug is None or p.slug == plan_slug]
        if plan_slug is not None and not plans:
            hint = did_you_mean(plan_slug, [p.slug for p in self.plans])
            raise LookupProblem("plan", f'no plan "{plan_slug}"{hint}', usage=True)
        matches = [(p, a) for p in plans for a in p.actions if a.action.id == action_id]
        if len(matches) > 1:
            slugs = ", ".join(p.slug for p, _ in matches)
            raise LookupProblem("plan", f'action "{action_id}" is in several plans ({slugs}): choose one', usage=True)
        if matches:
            return matches[0]
        # an invalid file is not loaded: say so rather than "not found"
        broken = [p for p in self.problems if p.path.name.startswith(f"{action_id}-") or p.path.stem == action_id]
        if broken:
            lines = "\n".join(p.format() for p in broken)
            raise LookupProblem("id", f'the file of action "{action_id}" is invalid; fix it first:\n{lines}')
        known = [a.action.id for p in plans for a in p.actions]
        where = f" in plan {plan_slug}" if plan_slug else ""
        raise LookupProblem("id", f'no action "{action_id}"{where}{did_you_mean(action_id, known)}')

    @functools.cached_property
    def settings_key(self) -> str:
        """A digest of what every page of a report is made with besides its plan and action files: the settings and
        the owners registry (as loaded), and the folder the plans are in."""
        owners = [owner.model_dump_json() for owner in self.owners.values()]
        return digest(str(self.root), str(self.plans_dir), self.config.model_dump_json(), *owners)

    @functools.cached_property
    def forge_root(self) -> Path:
        """Where machine output's paths start: the git repository's root, else the plans repository's."""
        return forge_root(self.root)

    def machine_path(self, path: Path) -> str:
        """`path` as machine output gives it (lint formats, JSON): relative to `forge_root`, forward slashes, whatever
        the working folder; a path named through a link is resolved first (a forge knows files by their real place)."""
        return escaped(_under(path, self.forge_root))

    def repository_path(self, path: Path) -> str:
        """`path` relative to the plans repository (the folder of actiontrack.yaml), as its ignore globs are written."""
        return _under(path, self.root.resolve())


def load_config(root: Path, files: Mapping[Path, bytes] | None = None) -> tuple[Config, Path | None, Document | None]:
    """actiontrack.yaml in `root` (from `files`, a revision's files by path, when given)."""
    path = root / CONFIG_FILE
    if not (path in files if files is not None else path.is_file()):
        return Config(), None, None
    try:
        doc = read_document(path, root.resolve()) if files is None else parse_bytes(files[path])
    except YamlProblem as problem:
        raise UsageError(Problem(path, problem.line, problem.column, problem.message).format()) from None
    try:
        return Config.model_validate(doc.data if doc.data is not None else {}), path, doc
    except ValidationError as error:
        messages = [p.format() for p in validation_problems(error, doc, path, Config)]
        raise UsageError("\n".join(messages)) from None


# ---- validation errors -> problems -------------------------------------------------------------------------


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of `loc`, for did-you-mean suggestions."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """The model inside `Model`, `list[Model]` or `Model | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            inner = _inner_model(arg)
            if inner is not None:
                return inner
    return None


def dotted(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _misspelt(items: list[Any], model: type[BaseModel]) -> set[tuple[str | int, ...]]:
    """Where a required key is missing because it was misspelt: the unknown key says so, the missing one need not."""
    found = set()
    for item in items:
        loc = tuple(item["loc"])
        if item["type"] == "extra_forbidden" and isinstance(loc[-1], str):
            holder = _model_at(model, loc)
            required = [name for name, info in holder.model_fields.items() if info.is_required()] if holder else []
            close = difflib.get_close_matches(loc[-1].lower(), required, n=1, cutoff=0.6)
            found.update((*loc[:-1], name) for name in close)
    return found


MAX_PROBLEMS_PER_FILE = 50


def validation_problems(error: ValidationError, doc: Document, path: Path, model: type[BaseModel]) -> list[Problem]:
    problems = []
    items = error.errors(include_url=False)
    misspelt = _misspelt(items, model)
    if len(items) > MAX_PROBLEMS_PER_FILE:  # a file of thousands of bad keys: its first problems say enough
        line, column = doc.locate(tuple(items[MAX_PROBLEMS_PER_FILE]["loc"]))
        more = f"and {len(items) - MAX_PROBLEMS_PER_FILE:,} more problems in this file, not listed"
        problems.append(Problem(path, line, column, more))
        items = items[:MAX_PROBLEMS_PER_FILE]
    for item in items:
        loc = tuple(part for part in item["loc"] if isinstance(part, (str, int)))
        kind = item["type"]
        if kind == "missing" and loc in misspelt:
            continue
        where = dotted(loc)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            holder = _model_at(model, loc)
            known = sorted(holder.model_fields) if holder else []
            hint = did_you_mean(key, known) or (f"; known keys: {', '.join(known)}" if known else "")
            message = f'unknown key "{shown(key)}"{hint}'
        elif kind == "missing":
            message = f'missing required key "{loc[-1]}"' + (f" in {dotted(loc[:-1])}" if len(loc) > 1 else "")
        elif kind in ("deadline", "period", "month"):
            message = f"{where}: {item['msg']}"
        else:
            holder = _model_at(model, (*loc, "")) if kind in ("model_type", "dict_type") else None
            said = plain_message(item, _example_keys(holder) if holder else None) or item["msg"]
            message = f"{where}: {said}" if where else said
        line, column = doc.locate(loc if kind != "missing" else loc[:-1])
        problems.append(
            Problem(path, line, column, message, "unparseable-deadline" if kind == "deadline" else "schema")
        )
    return problems


# ---- loading -------------------------------------------------------------------------------------------------


def _read(path: Path, problems: list[Problem], inside: Path, raw: bytes | None = None) -> Document | None:
    try:
        return read_document(path, inside) if raw is None else parse_bytes(raw)
    except YamlProblem as problem:
        problems.append(Problem(path, problem.line, problem.column, problem.message, problem.rule))
    except OSError as error:
        problems.append(Problem(path, 1, 1, f"cannot read the file: {error.strerror or error}", "yaml-syntax"))
    return None


def _validate(model: type[BaseModel], doc: Document, path: Path, context: dict, problems: list[Problem]) -> Any:
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else "a list" if isinstance(doc.data, list) else "a single value"
        what += "" if doc.data is None else ", not a set of keys"
        problems.append(Problem(path, 1, 1, f"the file is {what}; expected keys such as {_example_keys(model)}"))
        return None
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as error:
        problems.extend(validation_problems(error, doc, path, model))
        return None


def _example_keys(model: type[BaseModel]) -> str:
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    return ", ".join(f'"{name}"' for name in (required or list(model.model_fields)[:3]))


def load_owners(
    path: Path, problems: list[Problem], inside: Path, files: Mapping[Path, bytes] | None = None
) -> tuple[dict[str, Owner], Document | None]:
    if not (path in files if files is not None else os.path.lexists(path)):  # a FIFO or a dangling link is there,
        return {}, None  # and reading it says what is wrong
    doc = _read(path, problems, inside, files[path] if files is not None else None)
    if doc is None:
        return {}, None
    registry = _validate(OwnersFile, doc, path, {}, problems)
    owners: dict[str, Owner] = {}
    for index, owner in enumerate(registry.owners if registry else []):
        if owner.id in owners:
            line, column = doc.locate(("owners", index, "id"))
            problems.append(Problem(path, line, column, f'owner id "{owner.id}" is listed twice', "duplicate-id"))
        owners.setdefault(owner.id, owner)
    return owners, doc


class Progress(typing.Protocol):
    """Told how many files there are, then once per file read (a progress bar on a terminal)."""

    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...


@dataclass
class _Parsed:
    """What one file gives on its own, whatever the other files hold: cacheable by its bytes."""

    value: Any  # the validated model, or None
    doc: Document | None
    problems: list[tuple[int, int, str, str]]  # line, column, message, rule
    content: str = ""  # the digest of the file's bytes (what a report page's key is made of)


def _parse(path: Path, raw: bytes, model: type[BaseModel], context: dict, content: str) -> _Parsed:
    found: list[Problem] = []
    try:
        doc = parse_bytes(raw)
    except YamlProblem as problem:
        return _Parsed(None, None, [(problem.line, problem.column, problem.message, problem.rule)], content)
    value = _validate(model, doc, path, context, found)
    if model is Action:
        doc = doc.positions_only()  # an action keeps its model and where things are; not its text twice over
    return _Parsed(value, doc, [(p.line, p.column, p.message, p.rule) for p in found], content)


class _Unit(typing.NamedTuple):
    """Some files of one plan folder: what is parsed (and cached) together."""

    folder: Path
    shard: str
    names: list[str]
    context: dict
    cache: Cache
    inside: Path  # the repository (resolved): no file may lead out of it
    blobs: dict[str, bytes] | None = None  # the files' bytes at a git revision, by name; None: read the folder


def _raw(unit: _Unit, name: str) -> bytes:
    """A file's bytes: from the revision's blobs, or read safely from the folder."""
    if unit.blobs is not None:
        return unit.blobs[name]
    return read_bytes(file_in(unit.folder, name), unit.inside)


def _parse_unit(unit: _Unit, progress: Progress | None = None) -> dict[str, _Parsed | Problem]:
    """Parse these files of one plan folder (plan.yaml and/or actions), reusing cached results for unchanged ones."""
    directory, shard, names, context, cache = unit[:5]
    key = _unit_key(directory, shard, context, cache)
    cached: dict[str, tuple[str, _Parsed]] = _parsed_entry(cache.get("parsed", key)) or {}
    fresh: dict[str, tuple[str, _Parsed]] = {}
    results: dict[str, _Parsed | Problem] = {}
    for name in names:
        path = file_in(directory, name)
        if progress is not None and name != PLAN_FILE:
            progress.advance()
        try:
            raw = _raw(unit, name)
        except YamlProblem as problem:
            results[name] = Problem(path, problem.line, problem.column, problem.message, problem.rule)
            continue
        except OSError as error:
            results[name] = Problem(path, 1, 1, f"cannot read the file: {error.strerror or error}", "yaml-syntax")
            continue
        content = digest(raw)
        entry = cached.get(name)
        if entry is None or entry[0] != content:
            entry = (content, _parse(path, raw, Plan if name == PLAN_FILE else Action, context, content))
        fresh[name] = entry
        results[name] = entry[1]
    if fresh.keys() != cached.keys() or any(cached[name][0] != entry[0] for name, entry in fresh.items()):
        cache.put("parsed", key, fresh)
    return results


def _parsed_entry(found: Any) -> dict[str, tuple[str, _Parsed]] | None:
    """A parse cache entry (file name -> (content digest, what it gave)), or None for anything of another shape."""
    if not isinstance(found, dict):
        return None
    for entry in found.values():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], _Parsed)):
            return None
    return found


def _unit_key(directory: Path, shard: str, context: dict, cache: Cache) -> str:
    codes = repr(context.get("deadline_codes", ()))
    return cache.key("files", str(directory), str(context.get("fy_start")), codes, shard)


def _plan_value(parsed: dict[str, _Parsed | Problem]) -> Plan | None:
    result = parsed.get(PLAN_FILE)
    return result.value if isinstance(result, _Parsed) else None


SHARD_SIZE = 250  # files per cache entry and per unit of parallel work


def _units(names: list[str]) -> list[tuple[str, list[str]]]:
    """A folder's files split into shards, by a hash of the name so that adding a file disturbs one shard only
    (all of them when the folder grows past a multiple of SHARD_SIZE)."""
    shards = max(1, -(-len(names) // SHARD_SIZE))
    groups: dict[int, list[str]] = {}
    for name in names:
        groups.setdefault(zlib.crc32(name.encode("utf-8", "surrogatepass")) % shards, []).append(name)
    return [(f"{index}/{shards}", groups[index]) for index in sorted(groups)]


def load_plan(
    directory: Path, context: dict, problems: list[Problem], parsed: dict[str, _Parsed | Problem]
) -> PlanSource:
    """A plan from its parsed files: the checks that need several files (duplicate ids, priorities) happen here."""
    plan_path = directory / PLAN_FILE

    def outcome(name: str, path: Path) -> tuple[Any, Document | None, str]:
        result = parsed[name]
        if isinstance(result, Problem):
            problems.append(result)
            return None, None, ""
        problems.extend(Problem(path, line, column, message, rule) for line, column, message, rule in result.problems)
        return result.value, result.doc, result.content

    plan, doc, content = outcome(PLAN_FILE, plan_path) if PLAN_FILE in parsed else (None, None, "")
    if PLAN_FILE not in parsed:
        problems.append(Problem(plan_path, 1, 1, "plan.yaml is missing: every plan folder needs one"))
    source = PlanSource(directory.name, directory, plan, doc, content=content if plan is not None else "")
    seen: dict[str, ActionSource] = {}
    for name in sorted((n for n in parsed if n != PLAN_FILE), key=natural_key):
        path = directory / ACTIONS_DIR / name
        action, action_doc, content = outcome(name, path)
        if action is None or action_doc is None:
            continue
        loaded = ActionSource(action, path, action_doc, source.slug, content)
        first = seen.get(action.id)
        if first is not None:
            line, column = loaded.locate("id")
            where = f"{first.path.name}:{first.locate('id')[0]}"  # a sibling: same actions/ folder
            problems.append(
                Problem(
                    path,
                    line,
                    column,
                    f'duplicate action id "{action.id}": also used in {where}',
                    "duplicate-id",
                )
            )
            continue
        seen[action.id] = loaded
        source.actions.append(loaded)
    source.actions.sort(key=lambda a: natural_key(a.action.id))
    return source


@dataclass
class Inventory:
    """The files a command will read, found before any of them is parsed."""

    root: Path
    plans_dir: Path
    config: Config
    config_path: Path | None
    config_doc: Document | None
    folders: dict[Path, list[str]]  # plan folder -> plan.yaml and action file names to load
    subset: set[Path]  # plan folders of which only some files were named
    bad_folders: list[Path]  # folders whose names cannot be a plan's id
    _digests: dict[Path, str] = field(default_factory=dict, repr=False, compare=False)  # folder -> folder_digest

    @property
    def file_count(self) -> int:
        return sum(len(names) for names in self.folders.values())

    def fingerprint(self, cache: Cache) -> str:
        """A digest of everything loading depends on: every file's name and contents."""
        return fingerprint(
            self.root, self.plans_dir, self.config_path, self.folders, self.bad_folders, cache, self._digests
        )

    def only(self, folders: Iterable[Path]) -> Inventory:
        """The same repository with only these plan folders (and no misnamed ones: their problems are the whole
        repository's, reported once)."""
        chosen = set(folders)
        return replace(
            self,
            folders={folder: names for folder, names in self.folders.items() if folder in chosen},
            subset=self.subset & chosen,
            bad_folders=[],
        )

    def folder_digest(self, folder: Path, cache: Cache) -> str:
        """A digest of one plan folder's file names and contents (worked out once per inventory)."""
        if folder not in self._digests:
            self._digests[folder] = folder_digest(folder, self.folders[folder], cache)
        return self._digests[folder]

    def shared_digest(self, cache: Cache) -> str:
        """A digest of what every plan is read with (see discover.shared_digest)."""
        return shared_digest(self.root, self.plans_dir, self.config_path, self.bad_folders, cache)

    def remember_settings(self, cache: Cache) -> None:
        """Keep the plans folder the configuration names, so a later run can find its files without parsing it."""
        if self.config_path is not None and cache.enabled:
            key = plans_setting_key(cache, self.config_path)
            if cache.get("settings", key) != self.config.plans:
                cache.put("settings", key, self.config.plans)


def find_files(paths: Sequence[Path] = (), cwd: Path | None = None) -> Inventory:
    """The repository, its configuration and the plan files at `paths` (default: the plans/ folder around `cwd`)."""
    cwd = (cwd or Path.cwd()).resolve()
    if paths:
        chosen, plans_dir = targets(paths)
        root = find_root(plans_dir)
        config, config_path, config_doc = load_config(root)
    else:
        root = find_root(cwd)
        config, config_path, config_doc = load_config(root)
        plans_dir = (root / config.plans).resolve()
        if not plans_dir.is_relative_to(root.resolve()):
            line, column = _value_position(config_doc, ("plans",)) if config_doc else (1, 1)
            where = Problem(config_path or root / CONFIG_FILE, line, column, "").format()
            raise UsageError(
                f'{where}plans: "{shown(config.plans)}" is outside the repository; name a folder inside it'
            )
        if not plans_dir.is_dir():
            raise UsageError(
                f"no plans found: {display_path(plans_dir)} does not exist. Run actiontrack inside a plans "
                "repository (a folder with plans/ or actiontrack.yaml) or give the plans folder as an argument."
            )
        chosen = dict.fromkeys(plan_dirs(plans_dir))
    bad = sorted(d for d in chosen if not PLAN_SLUG.fullmatch(d.name))
    folders = {d: folder_files(d, only) for d, only in sorted(chosen.items()) if d not in bad}
    subset = {d for d, only in chosen.items() if only is not None}
    return Inventory(root, plans_dir, config, config_path, config_doc, folders, subset, bad)


def _value_position(doc: Document, path: tuple[str, ...]) -> tuple[int, int]:
    """Where the value of a `key: value` line starts (marks hold the key's position)."""
    line, column = doc.locate(path)
    text = doc.text.split("\n")[line - 1] if doc.text else ""
    colon = text.find(":", column - 1)
    if colon < 0:
        return line, column
    rest = text[colon + 1 :]
    return line, colon + 2 + len(rest) - len(rest.lstrip())


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while building many objects that live on: it would scan them again and again
    (loading 10,000 actions took twice as long with it running) and they hold no cycles to collect."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


PARALLEL_FROM = 1500  # files; below this, starting worker processes costs more than it saves


def load_workspace(
    paths: Sequence[Path] = (),
    cwd: Path | None = None,
    progress: Progress | None = None,
    use_cache: bool = False,
    inventory: Inventory | None = None,
    cache: Cache | None = None,
    files: Mapping[Path, bytes] | None = None,
) -> Workspace:
    """Load the plans at `paths` (default: the plans/ folder of the repository around `cwd`).

    With `use_cache`, files unchanged since an earlier run are not parsed again (see cache.py). A large
    repository is parsed by one process per core. With `files` (the plan files of a git revision, by the path they
    would have in the folder, and an `inventory` listing them), those bytes are read instead of the folder."""
    found = inventory or find_files(paths, cwd)
    real_folder.cache_clear()  # folders may have become links since an earlier load in this process
    _resolved_folder.cache_clear()
    problems: list[Problem] = []
    for directory in found.bad_folders:  # the folder name is the plan's id in links, report pages and `--plan`
        message = f'plan folder "{directory.name}": name it with lower-case letters, digits and hyphens'
        problems.append(Problem(directory / PLAN_FILE, 1, 1, message))
    owners_path = found.plans_dir / OWNERS_FILE
    inside = found.root.resolve()
    owners, owners_doc = load_owners(owners_path, problems, inside, files)
    fy_start = found.config.financial_year_start
    cache = cache or Cache.for_repository(found.root, use_cache)
    found.remember_settings(cache)

    def cache_for(folder: Path) -> Cache:
        return cache if folder not in found.subset else Cache(None)

    def blobs(folder: Path, names: list[str]) -> dict[str, bytes] | None:
        return None if files is None else {name: files[file_in(folder, name)] for name in names}

    # plan.yaml first: how an action's deadline reads depends on the plan's legend of deadline codes
    plan_units = [
        _Unit(
            folder,
            "plan",
            [PLAN_FILE],
            validation_context(fy_start),
            cache_for(folder),
            inside,
            blobs(folder, [PLAN_FILE]),
        )
        for folder, names in found.folders.items()
        if PLAN_FILE in names
    ]
    parsed: dict[Path, dict[str, _Parsed | Problem]] = {folder: {} for folder in found.folders}
    with gc_paused():
        for folder, results in _parse_units(plan_units, len(plan_units), None):
            parsed[folder].update(results)
    contexts = {folder: validation_context(fy_start, _plan_value(parsed[folder])) for folder in found.folders}
    units = [
        _Unit(folder, shard, names, contexts[folder], cache_for(folder), inside, blobs(folder, names))
        for folder, all_names in found.folders.items()
        for shard, names in _units([name for name in all_names if name != PLAN_FILE])
    ]
    if progress is not None:
        progress.start(sum(_action_count(names) for names in found.folders.values()))
    with gc_paused():
        for folder, results in _parse_units(units, found.file_count, progress):
            parsed[folder].update(results)
        plans = [load_plan(folder, contexts[folder], problems, parsed=parsed[folder]) for folder in found.folders]
    cache.save_digests()
    return Workspace(
        found.root,
        found.plans_dir,
        found.config,
        found.config_path,
        found.config_doc,
        owners,
        owners_path,
        owners_doc,
        plans,
        in_order(problems),
    )


def prime(inventory: Inventory, cache: Cache, progress: Progress | None = None) -> None:
    """Parse whatever of the inventory's files the cache does not hold yet into the cache, in parallel where there are
    many, keeping nothing: a command that then loads plans a batch at a time reads them back from there, and never
    holds every action at once."""
    if not cache.enabled:
        return
    fy_start = inventory.config.financial_year_start
    inside = inventory.root.resolve()
    folders = {folder: names for folder, names in inventory.folders.items() if folder not in inventory.subset}
    plan_units = [
        _Unit(folder, "plan", [PLAN_FILE], validation_context(fy_start), cache, inside)
        for folder, names in folders.items()
        if PLAN_FILE in names
    ]
    plans = {folder: _plan_value(results or {}) for folder, results in _parse_units(plan_units, len(plan_units), None)}
    units = [
        _Unit(folder, shard, names, validation_context(fy_start, plans.get(folder)), cache, inside)
        for folder, all_names in folders.items()
        for shard, names in _units([name for name in all_names if name != PLAN_FILE])
    ]
    if progress is not None:
        progress.start(sum(_action_count(names) for names in folders.values()))
    for _ in _parse_units(units, sum(len(unit.names) for unit in units), progress, keep=False):
        pass


def unit_count(inventory: Inventory) -> int:
    """How many entries the parse cache holds for these files: each plan.yaml, and each plan's shards of actions."""
    return sum(
        (PLAN_FILE in names) + len(_units([name for name in names if name != PLAN_FILE]))
        for names in inventory.folders.values()
    )


def _cached_unit(unit: _Unit) -> dict[str, _Parsed | Problem] | None:
    """The unit's results straight from the cache when every file in it is unchanged, else None."""
    folder, shard, names, context, cache, inside, blobs = unit
    if not cache.enabled:
        return None
    cached = _parsed_entry(cache.get("parsed", _unit_key(folder, shard, context, cache)))
    if cached is None or cached.keys() != set(names):
        return None
    read = functools.partial(read_bytes, inside=inside)
    for name in names:
        try:
            known = digest(blobs[name]) if blobs is not None else cache.file_digest(file_in(folder, name), read)
            if known != cached[name][0]:
                return None
        except (OSError, YamlProblem):
            return None
    return {name: cached[name][1] for name in names}


def _action_count(names: list[str]) -> int:
    """How many of a folder's file names are action files (what the progress bar counts)."""
    return len(names) - (PLAN_FILE in names)


def _parse_job(unit: _Unit) -> tuple[Path, int, dict[str, _Parsed | Problem] | None]:
    """A worker's share: parsed, and written to the cache when there is one (then only "done" goes back: the results
    are not pickled twice, and the parent reads them once from the cache)."""
    results = _parse_unit(unit)
    # a cache whose write failed turns itself off; a file that could not be read is not cached
    if unit.cache.enabled and all(isinstance(r, _Parsed) for r in results.values()):
        return unit.folder, _action_count(unit.names), None
    return unit.folder, _action_count(unit.names), results


def _parse_units(
    units: list[_Unit], file_count: int, progress: Progress | None, keep: bool = True
) -> Iterable[tuple[Path, dict[str, _Parsed | Problem] | None]]:
    """Each unit's results, from the cache or parsed (by worker processes when there are many files); `keep=False`:
    only see that the cache holds them, and give None for what the workers left there."""
    pending = []
    for unit in units:
        reused = _cached_unit(unit)
        if reused is None:
            pending.append(unit)
            continue
        if progress is not None:
            for _ in range(_action_count(unit.names)):
                progress.advance()
        yield unit.folder, reused
    workers = min(len(pending), os.cpu_count() or 1, 8)
    if sum(len(unit.names) for unit in pending) < PARALLEL_FROM or workers < 2:
        for unit in pending:
            yield unit.folder, _parse_unit(unit, progress)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork where the platform has it (no re-import); nothing else runs in this process yet, so forking is safe
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        for unit, (folder, count, results) in zip(pending, pool.map(_parse_job, pending, chunksize=1), strict=True):
            if progress is not None:
                for _ in range(count):
                    progress.advance()
            if results is None and keep:  # the worker left them in the cache
                stored = _parsed_entry(
                    unit.cache.get("parsed", _unit_key(unit.folder, unit.shard, unit.context, unit.cache))
                )
                results = {name: entry[1] for name, entry in (stored or {}).items()} if stored is not None else None
                if results is None or set(results) != set(unit.names):
                    results = _parse_unit(unit)
            yield folder, results
