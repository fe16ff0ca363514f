"""What changed in the plans, in plan terms, from git: an action's timeline, the changes between two points, and each
action's deadline as first agreed (its baseline).

An action is known by its plan and id, not its file: a renamed file keeps its history. Blobs are read in one batch
(gitrepo.py) and each is parsed at most once; an id is first sniffed from the text, so following one action parses
only that action's versions.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from .cache import Cache
from .discover import ACTIONS_DIR, PLAN_FILE, natural_key
from .gitrepo import SHALLOW_HINT, Commit, GitProblem, GitRepo
from .load import Baseline, Workspace
from .model import Action, Plan, validation_context
from .yamlfile import YamlProblem, parse_bytes

#: every kind of change, in the order a summary lists them
KINDS = (
    "added",
    "removed",
    "deadline-moved",
    "status-changed",
    "owners-changed",
    "update-added",
    "update-changed",
    "target-changed",
    "milestone-done",
    "text-changed",
)

Key = tuple[str, str]  # (plan slug, action id)


@dataclass(frozen=True)
class Change:
    """One change to one action. `before`/`after` are plain data: text, a list of owner ids, an update or target as
    a mapping. A moved deadline also has its dates and `days` (positive: later, a slip)."""

    kind: str
    field: str | None
    before: Any = None
    after: Any = None
    before_date: date | None = None
    after_date: date | None = None

    @property
    def days(self) -> int | None:
        if self.before_date and self.after_date:
            return (self.after_date - self.before_date).days
        return None

    def as_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "field": self.field, "from": self.before, "to": self.after}
        if self.kind == "deadline-moved":
            data.update(
                from_date=self.before_date.isoformat() if self.before_date else None,
                to_date=self.after_date.isoformat() if self.after_date else None,
                days=self.days,
            )
        return data


@dataclass(frozen=True)
class Event:
    """What one commit changed in one action."""

    commit: Commit
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Unreadable:
    """A version of a file that did not read at some commit (it is skipped: the versions either side are compared)."""

    commit: Commit
    path: str
    message: str
    key: Key | None = None  # the action it holds, where that could be told


# ---- comparing two versions of an action ----------------------------------------------------------------------


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json", exclude_none=True, exclude_defaults=True) if value is not None else None


def _text(when: Any) -> str | None:
    return when.text if when is not None else None


def compare(before: Action | None, after: Action | None) -> list[Change]:
    """The changes from one version of an action to the next (None: it did not exist)."""
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [Change("added", None, None, after.title, None, after.due.end if after.due else None)]
    if after is None:
        return [Change("removed", None, before.title, None)]
    changes: list[Change] = []
    old_due, new_due = before.due, after.due
    old_day, new_day = (old_due.end if old_due else None), (new_due.end if new_due else None)
    if old_day != new_day:
        changes.append(Change("deadline-moved", "due", _text(old_due), _text(new_due), old_day, new_day))
    elif _text(old_due) != _text(new_due):
        changes.append(Change("text-changed", "due", _text(old_due), _text(new_due)))
    if before.status != after.status:
        changes.append(Change("status-changed", "status", before.status, after.status))
    if before.owners != after.owners:
        changes.append(Change("owners-changed", "owners", list(before.owners), list(after.owners)))
    old_updates = {u.period.text: u for u in before.updates}
    for update in after.updates:
        old = old_updates.get(update.period.text)
        if old is None:
            changes.append(Change("update-added", "updates", None, _dump(update)))
        elif old != update:
            changes.append(Change("update-changed", "updates", _dump(old), _dump(update)))
    for period, old in old_updates.items():
        if period not in {u.period.text for u in after.updates}:
            changes.append(Change("update-changed", "updates", _dump(old), None))
    if before.targets != after.targets:
        changes.append(
            Change("target-changed", "targets", [_dump(t) for t in before.targets], [_dump(t) for t in after.targets])
        )
    done_before = {m.text for m in before.milestones if m.done}
    newly_done = [m.text for m in after.milestones if m.done and m.text not in done_before]
    changes.extend(Change("milestone-done", "milestones", None, text) for text in newly_done)
    rest_before = [_dump(m) | {"done": False} for m in before.milestones]
    rest_after = [_dump(m) | {"done": False} for m in after.milestones]
    if rest_before != rest_after:
        changes.append(Change("text-changed", "milestones", rest_before, rest_after))
    for name in ("title", "what", "outcome", "priority", "partners", "due_as_written", "lint"):
        old_value, new_value = getattr(before, name), getattr(after, name)
        if old_value != new_value:
            changes.append(Change("text-changed", name, _plain(old_value), _plain(new_value)))
    return changes


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return _dump(value)
    return list(value) if isinstance(value, list) else value


# ---- reading versions from blobs --------------------------------------------------------------------------------

_ID_LINE = re.compile(rb"^id:[ \t]*(?:\"([^\"\n]*)\"|'([^'\n]*)'|([^\s#][^\n#]*?))[ \t]*(?:#.*)?\r?$", re.MULTILINE)


def sniff_id(raw: bytes) -> str | None:
    """An action's id read from its text without parsing it (None when it is not written plainly on a line of its
    own): enough to tell which action a version belongs to before deciding to parse it."""
    values = {next((part for part in match if part), b"").strip() for match in _ID_LINE.findall(raw)}
    if len(values) != 1:  # none, or several different ones (both sides of a conflict agree on the id)
        return None
    try:
        return values.pop().decode("utf-8") or None
    except UnicodeDecodeError:
        return None


class Reader:
    """Parses blobs of one repository into actions and plans, each at most once."""

    def __init__(self, repo: GitRepo, fy_start: int) -> None:
        self.repo = repo
        self.fy_start = fy_start
        self._raw: dict[str, bytes] = {}
        self._actions: dict[tuple[str, tuple], Action | str] = {}
        self._plans: dict[str, Plan | None] = {}

    def fetch(self, blobs: Iterable[str | None]) -> None:
        wanted = [b for b in dict.fromkeys(blobs) if b is not None and b not in self._raw]
        self._raw.update(self.repo.blobs(wanted))

    def raw(self, blob: str) -> bytes:
        if blob not in self._raw:
            self.fetch([blob])
        return self._raw[blob]

    def plan(self, blob: str | None) -> Plan | None:
        if blob is None:
            return None
        if blob not in self._plans:
            try:
                doc = parse_bytes(self.raw(blob))
                self._plans[blob] = Plan.model_validate(doc.data, context=validation_context(self.fy_start))
            except (YamlProblem, ValueError):
                self._plans[blob] = None
        return self._plans[blob]

    def tree_actions(
        self, layout: Layout, tree: dict[str, str], files: dict[str, str] | None = None
    ) -> Iterator[tuple[str, str, Action | str]]:
        """(path, plan slug, the action or why it does not read) for each action file of `files` (default: all of
        `tree`), each read with its plan's deadline codes from `tree`; the blobs fetched in two batches."""
        plan_blobs = {
            place[0]: blob for path, blob in tree.items() if (place := layout.place(path)) and place[1] == "plan"
        }
        chosen = tree if files is None else files
        actions = [
            (path, place[0], blob)
            for path, blob in chosen.items()
            if (place := layout.place(path)) and place[1] == "action"
        ]
        self.fetch(plan_blobs.values())
        self.fetch(blob for _, _, blob in actions)
        plans = {slug: self.plan(blob) for slug, blob in plan_blobs.items()}
        for path, slug, blob in actions:
            yield path, slug, self.action(blob, plans.get(slug))

    def action(self, blob: str, plan: Plan | None) -> Action | str:
        """The action in the blob, or why it does not read (a message with its line)."""
        context = validation_context(self.fy_start, plan)
        key = (blob, context["deadline_codes"])
        if key not in self._actions:
            self._actions[key] = _parse_action(self.raw(blob), context)
        return self._actions[key]


def _parse_action(raw: bytes, context: dict) -> Action | str:
    from pydantic import ValidationError

    try:
        doc = parse_bytes(raw)
    except YamlProblem as problem:
        return f"line {problem.line}: {problem.message}"
    if not isinstance(doc.data, dict):
        return "line 1: the file is not a set of keys"
    try:
        return Action.model_validate(doc.data, context=context)
    except ValidationError as error:
        first = error.errors()[0]
        line, _ = doc.locate(tuple(first["loc"])) if first["loc"] else (1, 1)
        where = ".".join(str(part) for part in first["loc"])
        return f"line {line}: {where}: {first['msg']}"


# ---- where each file sits in a plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where the plans folder is in the repository (relative to its top, forward slashes)."""

    plans: str

    def place(self, path: str) -> tuple[str, str] | None:
        """(plan slug, "plan" or "action") for a file of a plan, else None."""
        relative = PurePosixPath(path)
        if self.plans:
            try:
                relative = relative.relative_to(self.plans)
            except ValueError:
                return None
        parts = relative.parts
        if len(parts) == 2 and parts[1] == PLAN_FILE:
            return parts[0], "plan"
        if len(parts) == 3 and parts[1] == ACTIONS_DIR and fnmatch.fnmatchcase(parts[2], "[!.]*.y*ml"):
            return parts[0], "action"
        return None

    @classmethod
    def of(cls, repo: GitRepo, workspace: Workspace) -> Layout:
        return cls(repo.relative(workspace.plans_dir))


# ---- timelines -------------------------------------------------------------------------------------------------


@dataclass
class Timeline:
    """Every action's events, oldest first; what did not read on the way."""

    events: dict[Key, list[Event]] = field(default_factory=dict)
    first: dict[Key, tuple[Commit, Action]] = field(default_factory=dict)  # the version that first added each
    first_due: dict[Key, tuple[Commit, Action]] = field(default_factory=dict)  # the first version with a deadline
    unreadable: list[Unreadable] = field(default_factory=list)
    latest: dict[Key, Action] = field(default_factory=dict)  # each action's last readable version at the end
    # every readable version of each action, oldest first (None: removed then), and of each plan.yaml (None: it did
    # not read, or was removed): what a calendar event showed at each commit (calendars.py)
    versions: dict[Key, list[tuple[Commit, Action | None]]] = field(default_factory=dict)
    plan_versions: dict[str, list[tuple[Commit, Plan | None]]] = field(default_factory=dict)
    commits: list[Commit] = field(default_factory=list)  # every commit that touched the plans, oldest first


def timeline(
    repo: GitRepo,
    layout: Layout,
    fy_start: int,
    until: str = "HEAD",
    wanted: Callable[[Key], bool] | None = None,
    reader: Reader | None = None,
) -> Timeline:
    """The history of the actions `wanted` picks (default: all) from the first commit to `until`."""
    reader = reader or Reader(repo, fy_start)
    log = list(reversed(repo.log(layout.plans, until)))
    files = [
        (commit, change, layout.place(change.path))
        for commit, changes in ((c.commit, c.files) for c in log)
        for change in changes
    ]
    reader.fetch(b for _, change, place in files if place for b in (change.old, change.new))
    plan_blob: dict[str, str | None] = {}
    at_path: dict[str, Key] = {}  # which action each file holds
    holders: dict[Key, int] = {}  # how many files hold each action
    result = Timeline()
    current = result.latest

    def hold(path: str, key: Key) -> None:
        at_path[path] = key
        holders[key] = holders.get(key, 0) + 1

    for entry in log:
        commit = entry.commit
        result.commits.append(commit)
        touched: dict[Key, Action | None] = {}
        for change in entry.files:
            place = layout.place(change.path)
            if place is None:
                continue
            slug, kind = place
            if kind == "plan":
                plan_blob[slug] = change.new
                result.plan_versions.setdefault(slug, []).append((commit, reader.plan(change.new)))
                continue
            previous = at_path.pop(change.path, None)
            if previous is not None:
                holders[previous] -= 1
                touched.setdefault(previous, None)
            if change.new is None:
                continue
            raw = reader.raw(change.new)
            sniffed = sniff_id(raw)
            if sniffed is not None and wanted is not None and not wanted((slug, sniffed)):
                hold(change.path, (slug, sniffed))
                continue
            parsed = reader.action(change.new, reader.plan(plan_blob.get(slug)))
            if isinstance(parsed, str):  # skipped: compared with the version before when it next reads
                key = (slug, sniffed) if sniffed is not None else previous
                result.unreadable.append(Unreadable(commit, change.path, parsed, key))
                if key is not None:
                    hold(change.path, key)
                    if touched.get(key) is None:
                        touched.pop(key, None)
                continue
            key = (slug, parsed.id)
            hold(change.path, key)
            if wanted is None or wanted(key):
                touched[key] = parsed
        for key, after in touched.items():
            if after is None and holders.get(key, 0) > 0:
                continue  # its old file changed, but another file (or an unreadable one) still holds it
            changes = compare(current.get(key), after)
            if after is not None or key in current:
                result.versions.setdefault(key, []).append((commit, after))
            if after is None:
                current.pop(key, None)
            else:
                if key not in current and key not in result.first:
                    result.first[key] = (commit, after)
                if after.due is not None and key not in result.first_due:
                    result.first_due[key] = (commit, after)
                current[key] = after
            if changes:
                result.events.setdefault(key, []).append(Event(commit, tuple(changes)))
    return result


def baselines(workspace: Workspace, repo: GitRepo, rev: str | None = None) -> dict[Key, Baseline]:
    """Each action's deadline as first agreed: at `rev` (actiontrack.yaml's `baseline:`) when given, else in the
    commit that first added it. Read up to the workspace's revision (or HEAD)."""
    layout = Layout.of(repo, workspace)
    fy_start = workspace.config.financial_year_start
    until = workspace.revision.id if workspace.revision else "HEAD"
    found: dict[Key, Baseline] = {}
    if rev is not None:
        commit = repo.resolve(rev)
        tree = repo.tree(commit.id, layout.plans)
        for _, slug, action in Reader(repo, fy_start).tree_actions(layout, tree):
            if isinstance(action, Action):
                found[(slug, action.id)] = _baseline(action, commit)
        return found
    history = timeline(repo, layout, fy_start, until)
    for key, (commit, action) in history.first_due.items():  # a draft may have had no deadline yet
        found[key] = _baseline(action, commit)
    return found


def _baseline(action: Action, commit: Commit) -> Baseline:
    return Baseline(_text(action.due), action.due.end if action.due else None, commit.id, commit.day)


# ---- between two points -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One end of a comparison: a commit, or the work tree as it is (commit None)."""

    commit: Commit | None
    label: str  # as asked: a revision, a date, or "the working tree"

    def as_json(self) -> dict[str, Any]:
        if self.commit is None:
            return {"rev": None, "date": None}
        return {"rev": self.commit.id, "date": self.commit.date.isoformat()}


def point(repo: GitRepo, text: str) -> Point:
    """A revision, or a date (YYYY-MM-DD: the last commit on or before it)."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise GitProblem(f'"{text}" is not a date; write it as YYYY-MM-DD', usage=True) from None
        return Point(repo.commit_on(day), text)
    return Point(repo.resolve(text), text)


@dataclass(frozen=True)
class ActionChange:
    plan: str
    id: str
    title: str
    change: Change


def changes_between(
    repo: GitRepo, workspace: Workspace, since: Point, until: Point, plans: set[str] | None = None
) -> tuple[list[ActionChange], list[Unreadable]]:
    """Every change between two points, by plan and action in their natural order. `until` with no commit is the
    work tree (pending edits included), read through the workspace already loaded. `plans`: only these plans (the
    ones a command was pointed at); None: every plan, those removed since included."""
    layout = Layout.of(repo, workspace)
    fy_start = workspace.config.financial_year_start
    reader = Reader(repo, fy_start)
    assert since.commit is not None

    def chosen(tree: dict[str, str]) -> dict[str, str]:
        if plans is None:
            return tree
        return {path: blob for path, blob in tree.items() if (place := layout.place(path)) and place[0] in plans}

    old_tree = chosen(repo.tree(since.commit.id, layout.plans))
    broken: dict[str, Key | None] = {}  # files of the work tree that do not read now, and whose action they hold
    if until.commit is not None:
        new_tree = chosen(repo.tree(until.commit.id, layout.plans))
        current: dict[Key, tuple[Action, str]] | None = None
    else:
        new_tree, current, broken = _work_tree(repo, workspace, layout)
    changed_old = {p: b for p, b in old_tree.items() if new_tree.get(p) != b}
    changed_new = {p: b for p, b in new_tree.items() if old_tree.get(p) != b}
    unreadable: list[Unreadable] = []
    unknown: set[Key | None] = set()  # actions a file that does not read may hold: left out, and said so
    old_keys: dict[str, Key] = {}
    before: dict[Key, Action] = {}
    for path, slug, action in reader.tree_actions(layout, old_tree, changed_old):
        if isinstance(action, str):
            unknown.add(_identity(slug, reader.raw(changed_old[path])))
            unreadable.append(Unreadable(since.commit, path, action))
        else:
            before[(slug, action.id)] = action
            old_keys[path] = (slug, action.id)
    for path, key in broken.items():  # reported by the loader; what it holds is neither changed nor gone
        unknown.add(key or old_keys.get(path) or _by_name(path, before))
    after: dict[Key, Action] = {}
    if current is not None:
        after = {key: action for key, (action, path) in current.items() if path in changed_new}
    else:
        assert until.commit is not None
        for path, slug, action in reader.tree_actions(layout, new_tree, changed_new):
            if isinstance(action, str):
                raw = reader.raw(changed_new[path])
                unknown.add(_identity(slug, raw) or old_keys.get(path) or _by_name(path, before))
                unreadable.append(Unreadable(until.commit, path, action))
            else:
                after[(slug, action.id)] = action
    found: list[ActionChange] = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: natural_key(k[0]) + natural_key(k[1])):
        old, new = before.get(key), after.get(key)
        if (old is None and new is None) or key in unknown:
            continue
        title = (new or old).title  # type: ignore[union-attr]
        if new is None and current is not None and key in current:
            continue  # its old file changed, but the work tree still holds it in another (renamed, say): not gone
        found.extend(ActionChange(key[0], key[1], title, change) for change in compare(old, new))
    return found, unreadable


def _identity(slug: str, raw: bytes) -> Key | None:
    sniffed = sniff_id(raw)
    return (slug, sniffed) if sniffed is not None else None


def _by_name(path: str, known: dict[Key, Action]) -> Key | None:
    """The action a file is named after ("1.b-housing-advice.yaml" is 1.b's), among `known`."""
    name = PurePosixPath(path).name
    slug = PurePosixPath(path).parent.parent.name
    found = [k for k in known if k[0] == slug and (name.startswith(f"{k[1]}-") or name.rsplit(".", 1)[0] == k[1])]
    return max(found, key=lambda k: len(k[1])) if found else None


def _work_tree(
    repo: GitRepo, workspace: Workspace, layout: Layout
) -> tuple[dict[str, str], dict[Key, tuple[Action, str]], dict[str, Key | None]]:
    """The work tree's plan files as a tree (path -> the blob id git would give them), its actions by key with their
    files, and its action files that do not read now with the action each seems to hold (by its `id:` line)."""
    from .yamlfile import read_bytes

    tree: dict[str, str] = {}
    current: dict[Key, tuple[Action, str]] = {}
    inside = workspace.root.resolve()
    for plan in workspace.plans:
        paths = [plan.path] + [Path(s.path) for s in plan.actions]
        for path in paths:
            try:
                tree[repo.relative(path)] = repo.blob_id(read_bytes(path, inside))
            except (OSError, YamlProblem):
                continue
        for source in plan.actions:
            current[(plan.slug, source.action.id)] = (source.action, repo.relative(source.path))
    broken: dict[str, Key | None] = {}
    for problem in workspace.problems:  # files that do not read now are changed files (and reported by the loader)
        try:
            relative = repo.relative(problem.path)
        except GitProblem:
            continue
        tree.setdefault(relative, "unreadable")
        place = layout.place(relative)
        if place is not None and place[1] == "action":
            try:
                raw = read_bytes(problem.path, inside)
            except (OSError, YamlProblem):
                raw = b""
            broken[relative] = _identity(place[0], raw)
    return tree, current, broken


def summary(changes: Iterable[ActionChange]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for item in changes:
        counts[item.change.kind] += 1
    return {kind: count for kind, count in counts.items() if count}


def history_of(
    repo: GitRepo, workspace: Workspace, action_id: str, plan: str | None = None
) -> tuple[Timeline, list[Key]]:
    """The timeline of every action with this id (in `plan`, when given) up to the workspace's revision (or HEAD),
    removed ones included; and their keys, in plan order."""
    until = workspace.revision.id if workspace.revision else "HEAD"
    layout = Layout.of(repo, workspace)

    def wanted(key: Key) -> bool:
        return key[1] == action_id and (plan is None or key[0] == plan)

    if not repo.has_commits():
        return Timeline(), []
    found = timeline(repo, layout, workspace.config.financial_year_start, until, wanted=wanted)
    return found, sorted(found.events, key=lambda k: natural_key(k[0]))


def loaded(workspace: Workspace, key: Key) -> Action | None:
    """The action `key` names as the workspace holds it (None: not there, or its file does not read)."""
    return next(
        (a.action for p in workspace.plans if p.slug == key[0] for a in p.actions if a.action.id == key[1]), None
    )


def uncommitted(found: Timeline, workspace: Workspace, key: Key) -> list[Change]:
    """What the working tree changes in the action, against its last committed version."""
    if workspace.revision is not None:
        return []
    now = loaded(workspace, key)
    return compare(found.latest.get(key), now) if now is not None or key in found.latest else []


def attach_baselines(workspace: Workspace, cache: Cache | None = None) -> str | None:
    """Fill `workspace.baselines` from git (see `baselines`), remembered per commit in `cache`. Returns a note to
    show when history cannot be read (a shallow clone, or a `baseline:` revision git does not know); None when all
    is well or the plans are simply not in a git repository with commits."""
    repo = GitRepo.find_or_none(workspace.root)
    if repo is None or not repo.has_commits():
        return None
    setting = workspace.config.baseline
    until = workspace.revision.id if workspace.revision else repo.git("rev-parse", "HEAD").strip()
    if repo.shallow and setting is None:
        return f"moved deadlines are not checked: {SHALLOW_HINT}"
    cache = cache or Cache(None)
    try:
        agreed = repo.resolve(setting).id if setting is not None else ""  # a moved tag is another baseline
        key = cache.key(
            "baselines",
            until,
            repo.relative(workspace.plans_dir),
            agreed,
            str(workspace.config.financial_year_start),
        )
    except GitProblem as problem:
        if setting is not None:
            return f"moved deadlines are not checked: baseline: {problem}"
        return None
    found = cache.get("baselines", key)
    if not isinstance(found, dict):
        try:
            found = baselines(workspace, repo, setting)
        except GitProblem as problem:
            return f"moved deadlines are not checked: baseline: {problem}"
        cache.put("baselines", key, found)
    workspace.baselines = found
    return None


@dataclass
class ReportHistory:
    """What `report --since` adds: the changes since a point, and every action's timeline (oldest first)."""

    since: Point
    until: Point
    changes: list[ActionChange]
    timelines: dict[Key, list[Event]]
    pending: dict[Key, list[Change]]  # changes in the work tree not committed yet
    unreadable: list[Unreadable]


def cached_timeline(
    repo: GitRepo, layout: Layout, fy_start: int, until: str = "HEAD", cache: Cache | None = None
) -> Timeline:
    """`timeline` of every action up to `until`, kept in `cache` under the commit's id (a commit never changes)."""
    commit = repo.resolve(until).id
    cache = cache or Cache(None)
    key = cache.key("timeline", commit, layout.plans, str(fy_start))
    found = cache.get("history", key)
    if isinstance(found, Timeline):
        return found
    found = timeline(repo, layout, fy_start, commit)
    cache.put("history", key, found)
    return found


def report_history(
    repo: GitRepo, workspace: Workspace, since_text: str, plans: set[str] | None = None, cache: Cache | None = None
) -> ReportHistory:
    """The history a report shows, up to the workspace's revision (or the work tree); `plans` as `changes_between`."""
    since = point(repo, since_text)
    until = Point(workspace.revision, workspace.revision.id) if workspace.revision else Point(None, "the working tree")
    changes, unreadable = changes_between(repo, workspace, since, until, plans)
    layout = Layout.of(repo, workspace)
    end = workspace.revision.id if workspace.revision else "HEAD"
    found = cached_timeline(repo, layout, workspace.config.financial_year_start, end, cache)
    pending: dict[Key, list[Change]] = {}
    if workspace.revision is None:
        for plan in workspace.plans:
            for source in plan.actions:
                key = (plan.slug, source.action.id)
                extra = compare(found.latest.get(key), source.action)
                if extra:
                    pending[key] = extra
    return ReportHistory(since, until, changes, found.events, pending, unreadable)
