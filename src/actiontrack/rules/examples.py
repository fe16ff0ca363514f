"""Every rule's examples, in one place: a small repository where the rule fires, and one where it does not.

`actiontrack rules NAME` shows a rule's example; the tests run every one (tests/test_rules.py), so an example that
stops being true fails the suite. Each example is a few files laid over BASE, a valid one-action plan repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

OWNERS = """\
owners:
  - id: planning-policy
    name: Planning Policy
    kind: team
  - id: joel-matthews
    name: Joel Matthews
    kind: person
"""
PLAN = """\
title: Test plan 2022/23
period: "2022/23"
reporting: quarterly
priorities:
  - id: "1"
    title: Housing for all
"""
ACTION = "plans/test-plan/actions/1.a-promote.yaml"
HEAD = 'id: "1.a"\npriority: "1"\n'
GOOD = HEAD + (
    "title: Promote high design standards\nwhat: Review policy as part of Local Plan refresh\n"
    'owners: [planning-policy]\ndue: "2022/23"\noutcome: Better homes\n'
    'updates:\n  - period: "2022/23 Q4"\n    rag: green\n    note: on track\n'
)
BASE = {"plans/owners.yaml": OWNERS, "plans/test-plan/plan.yaml": PLAN, ACTION: GOOD}
AS_OF = date(2023, 3, 1)  # within 2022/23, Q3 ended, due 2023-03-31 is 30 days ahead


def action(**changes: str) -> str:
    """GOOD with some top-level keys replaced (an empty value: the key removed)."""
    keys = ["id", "priority", "title", "what", "owners", "due", "outcome", "updates"]
    blocks: dict[str, str] = {}
    current = ""
    for line in GOOD.splitlines(keepends=True):
        key = line.split(":", 1)[0]
        if key in keys and not line.startswith(" "):
            current = key
            blocks[current] = ""
        blocks[current] += line
    for key, value in changes.items():
        blocks[key] = value
    return "".join(v for v in blocks.values() if v)


@dataclass(frozen=True)
class Example:
    """Files (path -> text, laid over BASE) where the rule fires as of `as_of`, and where it does not."""

    fails: dict[str, str]
    passes: dict[str, str]
    as_of: date = AS_OF
    passes_as_of: date | None = None  # when the passing case is about another day (due-soon)
    committed: dict[str, str] | None = None  # files first committed to git (laid over BASE); the example's after

    def files(self, failing: bool) -> dict[str, str]:
        return {**BASE, **(self.fails if failing else self.passes)}

    def day(self, failing: bool) -> date:
        return self.as_of if failing or self.passes_as_of is None else self.passes_as_of


def _example(fails: dict[str, str], passes: dict[str, str], as_of: date = AS_OF) -> Example:
    return Example(fails, passes, as_of)


EXAMPLES: dict[str, Example] = {
    "yaml-syntax": _example({ACTION: HEAD + "title: [unclosed\n"}, {ACTION: GOOD}, AS_OF),
    "schema": _example({ACTION: GOOD + "ownres: [planning-policy]\n"}, {ACTION: GOOD}, AS_OF),
    "duplicate-id": _example(
        {"plans/test-plan/actions/1.a-again.yaml": GOOD},
        {"plans/test-plan/actions/1.b-other.yaml": GOOD.replace('"1.a"', '"1.b"')},
        AS_OF,
    ),
    "id-filename-mismatch": _example({ACTION: GOOD.replace('"1.a"', '"1.c"')}, {ACTION: GOOD}, AS_OF),
    "unknown-priority": _example({ACTION: GOOD.replace('priority: "1"', 'priority: "7"')}, {ACTION: GOOD}, AS_OF),
    "conflict-marker": _example(
        {ACTION: GOOD + "<<<<<<< HEAD\nstatus: complete\n=======\n>>>>>>> b\n"}, {ACTION: GOOD}, AS_OF
    ),
    "unparseable-deadline": _example({ACTION: action(due='due: "soonish"\n')}, {ACTION: GOOD}, AS_OF),
    "missing-owner": _example({ACTION: action(owners="owners: []\n")}, {ACTION: GOOD}, AS_OF),
    "unknown-owner": _example(
        {ACTION: action(owners="owners: [planning-polcy]\n")},
        {ACTION: action(owners="owners: [planning-policy, joel-matthews]\n")},
        AS_OF,
    ),
    "person-owner": _example(
        {ACTION: action(owners="owners: [joel-matthews]\n")},
        {ACTION: action(owners="owners: [planning-policy, joel-matthews]\n")},
        AS_OF,
    ),
    "missing-deadline": _example({ACTION: action(due="")}, {ACTION: action(due="due: ongoing\n")}, AS_OF),
    "overdue": _example({ACTION: GOOD}, {ACTION: GOOD + "status: complete\n"}, date(2023, 6, 30)),
    "due-soon": Example({ACTION: GOOD}, {ACTION: GOOD}, AS_OF, passes_as_of=date(2023, 1, 10)),
    "milestone-after-deadline": _example(
        {ACTION: GOOD + 'milestones:\n  - text: Report\n    due: "June 2023"\n'},
        {ACTION: GOOD + 'milestones:\n  - text: Report\n    due: "October 2022"\n'},
        AS_OF,
    ),
    "unread-deadline": _example(
        {ACTION: action(due='due_as_written: "S"\n')},
        {ACTION: action(due='due: "2022/23"\n')},
        AS_OF,
    ),
    "deadline-outside-plan": _example({ACTION: action(due='due: "2022/24"\n')}, {ACTION: GOOD}, AS_OF),
    "missing-outcome": _example({ACTION: action(outcome="")}, {ACTION: GOOD}, AS_OF),
    "unmeasurable-target": _example(
        {ACTION: GOOD + "targets:\n  - text: X programme attendances\n"},
        {ACTION: GOOD + "targets:\n  - text: 250 programme attendances\n"},
        AS_OF,
    ),
    "objective-restates-action": _example(
        {ACTION: action(what="what: Promote high-design standards.\n")},
        {ACTION: GOOD},
        AS_OF,
    ),
    "stale-update": _example(
        {ACTION: action(updates='updates:\n  - period: "2022/23 Q2"\n    rag: green\n')},
        {ACTION: GOOD},
        date(2023, 4, 2),
    ),
    "red-without-note": _example(
        {ACTION: action(updates='updates:\n  - period: "2022/23 Q4"\n    rag: red\n')},
        {ACTION: action(updates='updates:\n  - period: "2022/23 Q4"\n    rag: red\n    note: Bid refused\n')},
        AS_OF,
    ),
    "complete-with-unmet-target": _example(
        {ACTION: GOOD + "status: complete\ntargets:\n  - text: 10 x volunteers\n"},
        {
            ACTION: GOOD.replace("note: on track\n", "note: on track\n    actuals: {volunteers: 12}\n")
            + "status: complete\ntargets:\n  - text: 10 x volunteers\n"
        },
        AS_OF,
    ),
    "unused-ignore": _example(
        {ACTION: GOOD + "lint:\n  ignore: [overdue]\n  reason: agreed extension\n"},
        {ACTION: GOOD + "lint:\n  ignore: [due-soon]\n  reason: agreed extension\n"},
        AS_OF,
    ),
    "milestone-overdue": _example(
        {ACTION: GOOD + 'milestones:\n  - text: Report to the board\n    due: "October 2022"\n'},
        {ACTION: GOOD + 'milestones:\n  - text: Report to the board\n    due: "October 2022"\n    done: true\n'},
    ),
    "milestone-due-soon": _example(
        {ACTION: GOOD + 'milestones:\n  - text: Report to the board\n    due: "March 2023"\n'},
        {ACTION: GOOD + 'milestones:\n  - text: Report to the board\n    due: "March 2023"\n    done: true\n'},
    ),
    "complete-with-open-milestones": _example(
        {ACTION: GOOD + "status: complete\nmilestones:\n  - text: Report to the board\n"},
        {ACTION: GOOD + "status: complete\nmilestones:\n  - text: Report to the board\n    done: true\n"},
    ),
    "deadline-moved": Example(
        {ACTION: action(due='due: "2023/24"\n')},
        {ACTION: action(due='due: "2023/24"\n') + "lint:\n  ignore: [deadline-moved]\n  reason: agreed by the board\n"},
        AS_OF,
        committed={ACTION: GOOD},
    ),
    "kpi-behind-pace": _example(
        {
            ACTION: action(updates='updates:\n  - period: "2022/23 Q2"\n    rag: green\n    actuals: {visits: 310}\n')
            + "targets:\n  - text: 1200 x visits\n"
        },
        {
            ACTION: action(updates='updates:\n  - period: "2022/23 Q2"\n    rag: green\n    actuals: {visits: 650}\n')
            + "targets:\n  - text: 1200 x visits\n"
        },
    ),
}
