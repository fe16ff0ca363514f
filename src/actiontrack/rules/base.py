"""What a lint rule is: a code, a kebab-case name, a default severity, options, and a docstring that documents it.

Rules come in three kinds:
- action rules look at one derived action and yield `Hit`s (a message and the key it is about);
- workspace rules look at the whole workspace (e.g. the owners registry) and yield `Finding`s;
- problem rules check nothing themselves: they give a code and a name to the problems the loader found
  (broken YAML, schema errors, duplicate ids), so those are reported, selected and ignored like any rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ..derive import Snapshot
from ..load import Workspace

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
Scope = Literal["action", "workspace", "problem"]


@dataclass(frozen=True, slots=True)
class Hit:
    """An action rule's finding: the message, and the key path in the action file it points at."""

    message: str
    at: tuple[str | int, ...] = ("id",)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    rule: str
    severity: Severity
    message: str
    path: str  # relative to the repository, forward slashes
    line: int
    column: int
    plan: str | None = None
    action: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled (for the cache) as its fields: a frozen dataclass's default unpickling is several times slower
        return (
            Finding,
            (
                self.code,
                self.rule,
                self.severity,
                self.message,
                self.path,
                self.line,
                self.column,
                self.plan,
                self.action,
            ),
        )


@dataclass
class Context:
    """What a rule may read: the snapshot (and through it the workspace) and its own options."""

    snapshot: Snapshot
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def workspace(self) -> Workspace:
        return self.snapshot.workspace

    @property
    def as_of(self) -> date:
        return self.snapshot.as_of


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    scope: Scope
    check: Callable[..., Iterator[Any]] | None
    options: dict[str, Any]
    doc: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else ""


#: Every rule, by name, in code order once the rule modules are imported (see rules/__init__.py).
REGISTRY: dict[str, Rule] = {}


def _register(rule: Rule) -> None:
    for other in REGISTRY.values():
        if rule.code == other.code or rule.name == other.name:
            raise ValueError(f"rule {rule.code} {rule.name} clashes with {other.code} {other.name}")
    REGISTRY[rule.name] = rule


def rule(
    code: str, name: str, severity: Severity, **options: Any
) -> Callable[[Callable[..., Iterator[Any]]], Callable[..., Iterator[Any]]]:
    """Register a checking rule. A function taking (item, ctx) is an action rule; one taking (ctx), a workspace rule."""

    def register(function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        parameters = list(inspect.signature(function).parameters)
        scope: Scope = "action" if parameters[0] == "item" else "workspace"
        _register(Rule(code, name, severity, scope, function, options, inspect.getdoc(function) or ""))
        return function

    return register


def problem_rule(code: str, name: str, severity: Severity, doc: str) -> None:
    """Register a rule whose findings are the loader's problems tagged with `name`."""
    _register(Rule(code, name, severity, "problem", None, {}, inspect.cleandoc(doc)))
