"""Running the lint rules over a derived snapshot: settings, suppressions, and the findings in a stable order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .cache import Cache
from .derive import DerivedAction, Snapshot, derive
from .discover import forge_root
from .load import (
    Problem,
    Progress,
    UsageError,
    Workspace,
    did_you_mean,
    display_path,
    find_files,
    load_workspace,
    natural_key,
    problems_by_folder,
)
from .rules import REGISTRY, SEVERITIES, Context, Finding, Hit, Rule, Severity, find_rule
from .words import escaped


@dataclass(frozen=True)
class RuleSettings:
    rule: Rule
    severity: Severity
    options: dict[str, Any]


@dataclass
class LintResult:
    as_of: str
    findings: list[Finding]
    actions_checked: int
    files_checked: int
    rules: list[Rule] = field(default_factory=list)  # the rules that ran, for SARIF's rule table
    root: str = ""  # the folder the findings' paths start at (the git repository's root, see Workspace.forge_root)
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why (e.g. a shallow clone)

    def counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.findings)

    def summary(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "errors": counts["error"],
            "warnings": counts["warning"],
            "info": counts["info"],
            "findings": len(self.findings),
            "files_checked": self.files_checked,
            "actions_checked": self.actions_checked,
            "by_rule": dict(sorted(Counter(f.rule for f in self.findings).items())),
        }

    def exit_code(self, strict: bool = False) -> int:
        counts = self.counts()
        return 1 if counts["error"] or (strict and counts["warning"]) else 0


def parse_rule_list(text: str | None, option: str) -> set[str]:
    """`--select overdue,AT101` -> rule names; an unknown one is a usage error."""
    names: set[str] = set()
    for part in (text or "").replace(" ", ",").split(","):
        if not part:
            continue
        found = find_rule(part)
        if found is None:
            raise UsageError(f'{option}: unknown rule "{part}"; `actiontrack rules` lists them')
        names.add(found.name)
    return names


def _config_error(workspace: Workspace, path: tuple[str | int, ...], message: str) -> UsageError:
    where = "actiontrack.yaml"
    if workspace.config_path is not None and workspace.config_doc is not None:
        line, column = workspace.config_doc.locate(path)
        where = f"{display_path(workspace.config_path)}:{line}:{column}"
    return UsageError(f"{where}: {message}")


def resolve_settings(workspace: Workspace) -> dict[str, RuleSettings | None]:
    """Each rule's severity and options after actiontrack.yaml; None for a rule turned off."""
    settings: dict[str, RuleSettings | None] = {
        name: RuleSettings(rule, rule.severity, dict(rule.options)) for name, rule in REGISTRY.items()
    }
    for key, value in workspace.config.lint.rules.items():
        where = ("lint", "rules", key)
        found = find_rule(key)
        if found is None:
            raise _config_error(workspace, where, f'unknown rule "{key}"; `actiontrack rules` lists them')
        entry = {"severity": value} if isinstance(value, str) else dict(value)
        severity = entry.pop("severity", found.severity)
        if severity == "off":
            settings[found.name] = None
            continue
        if severity not in SEVERITIES:
            raise _config_error(workspace, where, f'"{severity}" is not a severity: use error, warning, info or off')
        options = dict(found.options)
        for option, option_value in entry.items():
            if option not in found.options:
                known = ", ".join(found.options) or "none"
                raise _config_error(
                    workspace, (*where, option), f'{found.name} has no option "{option}" (options: {known})'
                )
            default = found.options[option]
            wanted = (int, float) if isinstance(default, float) else type(default)
            if not isinstance(option_value, wanted) or isinstance(option_value, bool) != isinstance(default, bool):
                raise _config_error(
                    workspace, (*where, option), f"{found.name}.{option} must be a {type(default).__name__}"
                )
            options[option] = type(default)(option_value)
        settings[found.name] = RuleSettings(found, severity, options)
    for glob, names in workspace.config.lint.ignore.items():
        for index, name in enumerate(names):
            if find_rule(name) is None:
                raise _config_error(workspace, ("lint", "ignore", glob, index), f'unknown rule "{name}"')
    return settings


@dataclass
class _Suppression:
    """One ignore entry — in an action's `lint:` or in actiontrack.yaml — and whether it suppressed anything."""

    rule: str
    path: Path  # the file that holds the ignore
    position: tuple[int, int]
    glob: str | None = None  # for a per-path ignore in actiontrack.yaml
    used: bool = False

    def covers(self, name: str, relative: str) -> bool:
        if self.rule == name and (self.glob is None or fnmatchcase(relative, self.glob)):
            self.used = True
            return True
        return False


def _action_suppressions(item: DerivedAction) -> list[_Suppression]:
    settings = item.action.lint
    if settings is None:
        return []
    suppressions = []
    for index, name in enumerate(settings.ignore):
        found = find_rule(name)
        position = item.source.locate("lint", "ignore", index)
        suppressions.append(_Suppression(found.name if found else name, item.source.path, position))
    return suppressions


def _path_suppressions(workspace: Workspace) -> list[_Suppression]:
    if workspace.config_path is None or workspace.config_doc is None:
        return []
    return [
        _Suppression(
            find_rule(name).name,  # type: ignore[union-attr]  # names were checked by resolve_settings
            workspace.config_path,
            workspace.config_doc.locate(("lint", "ignore", glob, index)),
            glob,
        )
        for glob, names in workspace.config.lint.ignore.items()
        for index, name in enumerate(names)
    ]


def _plan_of(workspace: Workspace, path: Path) -> str | None:
    try:
        parts = path.resolve().relative_to(workspace.plans_dir.resolve()).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else None


@dataclass
class PlanFindings:
    """What one plan folder (or the files of no plan) gives a lint run; kept per plan between runs (incremental.py)."""

    findings: list[Finding]
    actions: int
    files: int
    used: frozenset[int]  # the actiontrack.yaml ignores (by their place in its list) that suppressed something here


class _Run:
    """One lint run: the settings in force, the suppressions, and the findings as they are emitted, a part (a plan,
    or the files of no plan) at a time; `finish` puts the parts together.

    Paths in findings start at the git repository's root (where forges attach them); ignore globs in
    actiontrack.yaml are relative to the folder that holds it."""

    def __init__(self, workspace: Workspace, select: set[str] | None, ignore: set[str] | frozenset[str]) -> None:
        self.workspace = workspace
        self.settings = resolve_settings(workspace)
        self.select, self.ignore = select, ignore
        self.findings: list[Finding] = []
        self.path_ignores = _path_suppressions(workspace)

    def active(self, name: str) -> RuleSettings | None:
        if name in self.ignore or (self.select is not None and name not in self.select):
            return None
        return self.settings.get(name)

    def emit(self, name: str, where: str, at: tuple[int, int], message: str, plan: str | None, action: str | None):
        setting = self.active(name)
        if setting is not None:
            message = escaped(message)  # user text quoted in it: one line, nothing a terminal would act on
            self.findings.append(Finding(setting.rule.code, name, setting.severity, message, where, *at, plan, action))

    def suppressed(self, name: str, where: str, own: list[_Suppression]) -> bool:
        # evaluate every ignore (no short-circuit) so each one that applies is marked used
        return any([s.covers(name, where) for s in (*own, *self.path_ignores)])

    def part(
        self, snapshot: Snapshot | None, problems: list[Problem], actions: Sequence[DerivedAction]
    ) -> PlanFindings:
        """The findings of one plan's `problems` and derived `actions` (of `snapshot`), or of problems of no plan."""
        self.findings = []
        for suppression in self.path_ignores:
            suppression.used = False
        own = {item.source.path: _action_suppressions(item) for item in actions}
        workspace = snapshot.workspace if snapshot is not None else self.workspace
        self.problems(workspace, problems, own)
        if snapshot is not None:
            self.actions(snapshot, actions, own)
        files = {a.source.path for a in actions} | {p.path for p in problems}
        used = frozenset(index for index, s in enumerate(self.path_ignores) if s.used)
        return PlanFindings(self.findings, len(actions), len(files), used)

    def problems(self, workspace: Workspace, problems: list[Problem], own: dict[Path, list[_Suppression]]) -> None:
        """The problems found while reading the files, as findings of their problem rules."""
        for problem in problems:
            if self.suppressed(problem.rule, workspace.repository_path(problem.path), own.get(problem.path, [])):
                continue
            where = workspace.machine_path(problem.path)
            at = (problem.line, problem.column)
            self.emit(problem.rule, where, at, problem.message, _plan_of(workspace, problem.path), None)

    def actions(
        self, snapshot: Snapshot, actions: Sequence[DerivedAction], own: dict[Path, list[_Suppression]]
    ) -> None:
        """Every action rule on every action, then the action's own ignores that suppressed nothing."""
        workspace = snapshot.workspace
        rules = [
            (setting, Context(snapshot, setting.options))
            for setting in (self.active(rule.name) for rule in REGISTRY.values() if rule.scope == "action")
            if setting is not None
        ]
        for item in actions:
            mine = own[item.source.path]
            local = workspace.repository_path(item.source.path)
            where = workspace.machine_path(item.source.path)
            for setting, context in rules:
                name = setting.rule.name
                for hit in setting.rule.check(item, context):  # type: ignore[misc]
                    if not self.suppressed(name, local, mine):
                        self.emit(name, where, item.source.locate(*hit.at), hit.message, item.plan_slug, item.id)
            for unused in mine:
                message = self._unused(unused)
                if message:
                    self.emit("unused-ignore", where, unused.position, message, item.plan_slug, item.id)

    def _unused(self, ignore: _Suppression) -> str | None:
        if find_rule(ignore.rule) is None:
            return f'lint.ignore lists "{ignore.rule}", which is not a rule{did_you_mean(ignore.rule, REGISTRY)}'
        if not ignore.used and self.active(ignore.rule) is not None:
            return f'lint.ignore lists "{ignore.rule}" but it finds nothing in this action'
        return None

    def finish(self, as_of: date, parts: Sequence[PlanFindings]) -> LintResult:
        """The parts together, with the actiontrack.yaml ignores that suppressed nothing anywhere, in a stable order."""
        self.findings = [finding for part in parts for finding in part.findings]
        for index, unused in enumerate(self.path_ignores):
            if not any(index in part.used for part in parts) and self.active(unused.rule) is not None:
                message = f'lint.ignore "{unused.glob}" lists "{unused.rule}" but it matches no finding'
                where = self.workspace.machine_path(unused.path)
                self.emit("unused-ignore", where, unused.position, message, None, None)
        paths = {path: natural_key(path) for path in {finding.path for finding in self.findings}}  # many a file
        self.findings.sort(key=lambda f: (paths[f.path], f.line, f.column, f.code, f.message))
        ran = sorted(
            (s.rule for s in self.settings.values() if s is not None and self.active(s.rule.name)),
            key=lambda rule: rule.code,
        )
        return LintResult(
            as_of.isoformat(),
            self.findings,
            sum(part.actions for part in parts),
            sum(part.files for part in parts),
            ran,
            str(self.workspace.forge_root),
        )


def run_lint(
    snapshot: Snapshot, select: set[str] | None = None, ignore: set[str] | frozenset[str] = frozenset()
) -> LintResult:
    """Every finding for `snapshot`, after settings, --select/--ignore and suppressions, in a stable order."""
    workspace = snapshot.workspace
    run = _Run(workspace, select, ignore)
    problems = problems_by_folder(workspace.problems, (plan.directory for plan in workspace.plans))
    elsewhere = run.part(None, problems.get(None, []), [])  # owners.yaml, a misnamed plan folder
    return run.finish(snapshot.as_of, [elsewhere, *_plan_parts(run, snapshot, problems).values()])


def _plan_parts(
    run: _Run, snapshot: Snapshot, problems: dict[Path | None, list[Problem]] | None = None
) -> dict[Path, PlanFindings]:
    """Each plan's part of a lint run, by plan folder (`problems`: the workspace's, grouped by problems_by_folder)."""
    workspace = snapshot.workspace
    if problems is None:
        problems = problems_by_folder(workspace.problems, (plan.directory for plan in workspace.plans))
    by_plan = snapshot.by_plan()
    return {
        plan.directory: run.part(snapshot, problems.get(plan.directory, []), by_plan.get(plan.slug, []))
        for plan in workspace.plans
    }


__all__ = ["Finding", "Hit", "LintResult", "parse_rule_list", "resolve_settings", "run_lint"]


def _baseline_commit(root: Path, setting: str | None) -> str:
    """The commit `baseline:` names now ("" without one, or when git cannot tell)."""
    if setting is None:
        return ""
    from .gitrepo import GitProblem, GitRepo

    try:
        return GitRepo.find(root).resolve(setting).id
    except GitProblem:
        return "unknown"


def lint_repository(
    paths: list[Path],
    as_of: date,
    select: set[str] | None = None,
    ignore: set[str] | frozenset[str] = frozenset(),
    use_cache: bool = False,
    progress: Progress | None = None,
    rev: str | None = None,
) -> LintResult:
    """Load, derive and lint. With `use_cache`, an unchanged repository (same files, same bytes, same options,
    same as-of date, same actiontrack, same git HEAD) gets its earlier result back without parsing anything. With
    `rev`, the plans as they were at that git revision (GitProblem when git cannot answer)."""
    from .gitrepo import head_marker  # the standard library only: the warm path below imports nothing heavy

    if rev is not None:
        from .gitplans import load_at
        from .history import attach_baselines

        workspace = load_at(rev, paths, progress=progress, use_cache=use_cache)
        note = attach_baselines(workspace, Cache.for_repository(workspace.root, use_cache))
        result = run_lint(derive(workspace, as_of), select, ignore)
        result.notes = [note] if note else []
        return result
    inventory = find_files(paths)
    cache = Cache.for_repository(inventory.root, use_cache)
    key = None
    options: list[str] = []
    if cache.enabled:
        chosen = ",".join(sorted(select)) if select is not None else "*"
        options = [
            as_of.isoformat(),
            chosen,
            ",".join(sorted(ignore)),
            str(Path.cwd()),
            str(forge_root(inventory.root)),
            head_marker(inventory.root),  # moved deadlines are judged against the history
            _baseline_commit(inventory.root, inventory.config.baseline),  # and a tag can be moved
        ]
        key = cache.key("lint", inventory.fingerprint(cache), *options)
        found = cache.get("results", key)
        if isinstance(found, LintResult):
            cache.save_digests()
            return found
    from .history import attach_baselines

    if key is None or inventory.subset:  # no cache, or some files of a plan only: read everything named
        workspace = load_workspace(inventory=inventory, progress=progress, cache=cache)
        note = attach_baselines(workspace, cache)
        result = run_lint(derive(workspace, as_of), select, ignore)
        result.notes = [note] if note else []
        if key is not None:
            cache.put("results", key, result)
        return result
    from .incremental import per_plan

    def answer(workspace: Workspace) -> dict[Path, PlanFindings]:  # a batch of the plans that changed
        attach_baselines(workspace, cache)
        return _plan_parts(_Run(workspace, select, ignore), derive(workspace, as_of))

    shared, parts = per_plan(
        inventory, cache, "lint", options, answer, progress, lambda kept: isinstance(kept, PlanFindings)
    )
    run = _Run(shared, select, ignore)
    # the shared workspace holds no plan folder: its problems are all of files of no plan
    result = run.finish(as_of, [run.part(None, shared.problems, []), *parts.values()])
    note = attach_baselines(shared, cache)
    result.notes = [note] if note else []
    cache.put("results", key, result)
    return result
