"""Lint rules. Each module holds one family; importing this package registers them all in REGISTRY.

Codes are stable: AT0xx structure, AT1xx owners, AT2xx deadlines, AT3xx targets and outcomes, AT4xx progress,
AT9xx lint itself. A retired code is never reused.
"""

from . import deadlines, outcomes, owners, progress, structure  # noqa: F401  (registers the rules)
from .base import REGISTRY, SEVERITIES, Context, Finding, Hit, Rule, Severity, problem_rule, rule

problem_rule(
    "AT901",
    "unused-ignore",
    "warning",
    """An ignore suppresses nothing: the rule it names no longer finds anything there.

    Per-action ignores (`lint: {ignore: [rule], reason: ...}`) and per-path ignores in actiontrack.yaml should be
    removed once the problem is fixed, so they cannot hide a new one later.
    """,
)


def rules_in_code_order() -> list[Rule]:
    return sorted(REGISTRY.values(), key=lambda r: r.code)


def find_rule(name_or_code: str) -> Rule | None:
    key = name_or_code.strip()
    return REGISTRY.get(key) or next((r for r in REGISTRY.values() if r.code.lower() == key.lower()), None)


__all__ = [
    "REGISTRY",
    "SEVERITIES",
    "Context",
    "Finding",
    "Hit",
    "Rule",
    "Severity",
    "find_rule",
    "rule",
    "rules_in_code_order",
]
