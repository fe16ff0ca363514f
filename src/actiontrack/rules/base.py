"""What a lint rule is: a code, a kebab-case name, a default severity, options, and a docstring that documents it.

Rules come in two kinds, each declared by how it is registered:
- action rules (`@rule`) look at one derived action and yield `Hit`s (a message and the key it is about);
- problem rules (`problem_rule`) check nothing themselves: they give a code and a name to the problems found while
  reading the files (broken YAML, schema errors, duplicate ids), so those are reported, selected and ignored like
  any rule.
Each rule's docstring is its documentation; its examples (a repository where it fires, and one where it does not)
are in examples.py, which `actiontrack rules NAME` shows and the tests run.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from ..derive import Snapshot
from ..load import Workspace

if TYPE_CHECKING:
    from .examples import Example

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
Scope = Literal["action", "problem"]


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

    @property
    def example(self) -> Example | None:
        """The rule's examples (examples.py): files where it fires, and files where it does not."""
        from .examples import EXAMPLES

        return EXAMPLES.get(self.name)


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
    """Register an action rule: `function(item, ctx)` yields a Hit for each thing wrong with one derived action."""

    def register(function: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        _register(Rule(code, name, severity, "action", function, options, inspect.getdoc(function) or ""))
        return function

    return register


def problem_rule(code: str, name: str, severity: Severity, doc: str) -> None:
    """Register a rule whose findings are the loader's problems tagged with `name`."""
    _register(Rule(code, name, severity, "problem", None, {}, inspect.cleandoc(doc)))
