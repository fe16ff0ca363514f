"""Finding, parsing and validating a plans repository.

`load_workspace` never raises for bad plan files: every problem becomes a `Problem` with a file, line and
column, and the files that are fine are still loaded, so lint can report everything in one run.
Only a broken `actiontrack.yaml` or a path that does not exist stops it (`UsageError`, exit code 2).
"""

from __future__ import annotations

import difflib
import functools
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .model import Action, Config, Owner, OwnersFile, Plan
from .yamlsrc import Document, YamlProblem, read_document

CONFIG_FILE = "actiontrack.yaml"
PLAN_FILE = "plan.yaml"
OWNERS_FILE = "owners.yaml"
ACTIONS_DIR = "actions"
PLAN_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class UsageError(Exception):
    """A mistake in how the command was called or configured (exit code 2)."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input file; `rule` names the lint rule that reports it."""

    path: Path
    line: int
    column: int
    message: str
    rule: str = "schema"

    def format(self, base: Path | None = None) -> str:
        return f"{display_path(self.path, base)}:{self.line}:{self.column}: {self.message}"


@functools.lru_cache(maxsize=256)
def _resolved(path: Path) -> Path:
    return path.resolve()


def display_path(path: Path, base: Path | None = None) -> str:
    """`path` relative to `base` (or the working directory) where it lies inside, with forward slashes."""
    target = _resolved(path)
    for anchor in (base, Path.cwd()):
        if anchor is None:
            continue
        try:
            return target.relative_to(_resolved(anchor)).as_posix()
        except ValueError:
            continue
    return path.as_posix()


@dataclass
class ActionSource:
    """A valid action and the file it came from."""

    action: Action
    path: Path
    doc: Document
    plan_slug: str

    def locate(self, *path: str | int) -> tuple[int, int]:
        return self.doc.locate(path)


@dataclass
class PlanSource:
    slug: str
    directory: Path
    plan: Plan | None
    doc: Document | None
    actions: list[ActionSource] = field(default_factory=list)

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

    @property
    def actions(self) -> list[ActionSource]:
        return [source for plan in self.plans for source in plan.actions]

    def owner_name(self, owner_id: str) -> str:
        owner = self.owners.get(owner_id)
        return owner.name if owner else owner_id


def did_you_mean(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """'; did you mean "x"?' for the closest candidate, or "" when none is close."""
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=cutoff)
    return f'; did you mean "{close[0]}"?' if close else ""


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


def load_config(root: Path) -> tuple[Config, Path | None, Document | None]:
    path = root / CONFIG_FILE
    if not path.is_file():
        return Config(), None, None
    try:
        doc = read_document(path)
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


def validation_problems(error: ValidationError, doc: Document, path: Path, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        loc = tuple(part for part in item["loc"] if isinstance(part, (str, int)))
        kind = item["type"]
        where = dotted(loc)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            holder = _model_at(model, loc)
            known = sorted(holder.model_fields) if holder else []
            hint = did_you_mean(key, known) or (f"; known keys: {', '.join(known)}" if known else "")
            message = f'unknown key "{key}"{hint}'
        elif kind == "missing":
            message = f'missing required key "{loc[-1]}"' + (f" in {dotted(loc[:-1])}" if len(loc) > 1 else "")
        elif kind in ("deadline", "period", "month"):
            message = f"{where}: {item['msg']}"
        else:
            message = f"{where}: {item['msg']}" if where else item["msg"]
        line, column = doc.locate(loc if kind != "missing" else loc[:-1])
        problems.append(
            Problem(path, line, column, message, "unparseable-deadline" if kind == "deadline" else "schema")
        )
    return problems


# ---- loading -------------------------------------------------------------------------------------------------


def _read(path: Path, problems: list[Problem]) -> Document | None:
    try:
        return read_document(path)
    except YamlProblem as problem:
        problems.append(Problem(path, problem.line, problem.column, problem.message, problem.rule))
    except OSError as error:
        problems.append(Problem(path, 1, 1, f"cannot read the file: {error.strerror or error}", "yaml-syntax"))
    return None


def _validate(model: type[BaseModel], doc: Document, path: Path, context: dict, problems: list[Problem]) -> Any:
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {type(doc.data).__name__}, not a mapping of keys"
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


def load_owners(path: Path, problems: list[Problem]) -> tuple[dict[str, Owner], Document | None]:
    if not path.is_file():
        return {}, None
    doc = _read(path, problems)
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


def load_plan(
    directory: Path,
    context: dict,
    problems: list[Problem],
    only: set[Path] | None = None,
    progress: Progress | None = None,
) -> PlanSource:
    plan_path = directory / PLAN_FILE
    doc = _read(plan_path, problems) if plan_path.is_file() else None
    plan = _validate(Plan, doc, plan_path, context, problems) if doc else None
    if not plan_path.is_file():
        problems.append(Problem(plan_path, 1, 1, "plan.yaml is missing: every plan folder needs one"))
    source = PlanSource(directory.name, directory, plan, doc)
    files = sorted((directory / ACTIONS_DIR).glob("*.y*ml"), key=lambda p: natural_key(p.name))
    seen: dict[str, ActionSource] = {}
    for path in files:
        if only is not None and path.resolve() not in only:
            continue
        if progress is not None:
            progress.advance()
        action_doc = _read(path, problems)
        if action_doc is None:
            continue
        action = _validate(Action, action_doc, path, context, problems)
        if action is None:
            continue
        loaded = ActionSource(action, path, action_doc, source.slug)
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
        _check_priority(loaded, plan, problems)
        source.actions.append(loaded)
    source.actions.sort(key=lambda a: natural_key(a.action.id))
    return source


def _check_priority(source: ActionSource, plan: Plan | None, problems: list[Problem]) -> None:
    action = source.action
    if plan is None:
        return
    known = [p.id for p in plan.priorities]
    listed = f"the plan's priorities are {', '.join(known)}" if known else "the plan lists no priorities"
    if action.priority is None:
        if known:
            line, column = source.locate("id")
            message = f"no priority: add `priority:`; {listed}"
            problems.append(Problem(source.path, line, column, message, "unknown-priority"))
        return
    if action.priority not in known:
        line, column = source.locate("priority")
        message = f'unknown priority "{action.priority}": {listed}'
        problems.append(Problem(source.path, line, column, message, "unknown-priority"))


def _count_actions(directory: Path) -> int:
    return sum(1 for _ in (directory / ACTIONS_DIR).glob("*.y*ml"))


def _is_plan_dir(path: Path) -> bool:
    return (path / PLAN_FILE).is_file() or (path / ACTIONS_DIR).is_dir()


def _plan_dirs(plans_dir: Path) -> list[Path]:
    if not plans_dir.is_dir():
        return []
    return sorted((p for p in plans_dir.iterdir() if p.is_dir() and _is_plan_dir(p)), key=lambda p: p.name)


def _targets(paths: Iterable[Path]) -> tuple[dict[Path, set[Path] | None], Path]:
    """Plan folders to load (with an optional set of action files to keep) and their plans folder."""
    chosen: dict[Path, set[Path] | None] = {}
    plans_dir: Path | None = None
    for raw in paths:
        path = raw.resolve()
        if not path.exists():
            raise UsageError(f"{raw}: no such file or folder")
        if path.is_file():
            if path.name == PLAN_FILE:
                plan_dirs, only = [path.parent], None
            elif path.parent.name == ACTIONS_DIR:
                plan_dirs, only = [path.parent.parent], path
            else:
                raise UsageError(f"{raw}: not a plan.yaml or an action file under a plan's actions/ folder")
        elif _is_plan_dir(path):
            plan_dirs, only = [path], None
        elif path.name == ACTIONS_DIR and _is_plan_dir(path.parent):
            plan_dirs, only = [path.parent], None
        else:
            plan_dirs, only = _plan_dirs(path), None
            if not plan_dirs and (path.name == "plans" or (path / OWNERS_FILE).is_file()):
                plans_dir = plans_dir or path  # a plans folder with no plan yet (e.g. before an import)
            elif not plan_dirs:
                raise UsageError(f"{raw}: no plans here (a plan is a folder with plan.yaml and actions/)")
        for plan_dir in plan_dirs:
            if only is None:
                chosen[plan_dir] = None
            elif plan_dir not in chosen or chosen[plan_dir] is not None:
                chosen.setdefault(plan_dir, set()).add(only)  # type: ignore[union-attr]
            plans_dir = plans_dir or plan_dir.parent
    assert plans_dir is not None
    return chosen, plans_dir


def load_workspace(paths: Sequence[Path] = (), cwd: Path | None = None, progress: Progress | None = None) -> Workspace:
    """Load the plans at `paths` (default: the plans/ folder of the repository around `cwd`)."""
    cwd = (cwd or Path.cwd()).resolve()
    if paths:
        chosen, plans_dir = _targets(paths)
        root = find_root(plans_dir)
        config, config_path, config_doc = load_config(root)
    else:
        root = find_root(cwd)
        config, config_path, config_doc = load_config(root)
        plans_dir = (root / config.plans).resolve()
        if not plans_dir.is_dir():
            raise UsageError(
                f"no plans found: {display_path(plans_dir)} does not exist. Run actiontrack inside a plans "
                "repository (a folder with plans/ or actiontrack.yaml) or give the plans folder as an argument."
            )
        chosen = dict.fromkeys(_plan_dirs(plans_dir))
    problems: list[Problem] = []
    for directory in [d for d in chosen if not PLAN_SLUG.fullmatch(d.name)]:
        del chosen[directory]  # the folder name is the plan's id in links, report pages and `--plan`
        message = f'plan folder "{directory.name}": name it with lower-case letters, digits and hyphens'
        problems.append(Problem(directory / PLAN_FILE, 1, 1, message))
    owners_path = plans_dir / OWNERS_FILE
    owners, owners_doc = load_owners(owners_path, problems)
    context = {"fy_start": config.financial_year_start}
    if progress is not None:
        progress.start(sum(len(only) if only else _count_actions(d) for d, only in chosen.items()))
    plans = [load_plan(directory, context, problems, only, progress) for directory, only in sorted(chosen.items())]
    problems.sort(key=lambda p: (str(p.path), p.line, p.column))
    return Workspace(root, plans_dir, config, config_path, config_doc, owners, owners_path, owners_doc, plans, problems)
