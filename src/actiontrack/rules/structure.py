"""Structure: files that cannot be read, or that do not fit the schema (AT0xx)."""

from __future__ import annotations

from collections.abc import Iterator

from ..derive import DerivedAction
from .base import Context, Hit, problem_rule, rule

problem_rule(
    "AT001",
    "yaml-syntax",
    "error",
    """The file is not valid YAML, not UTF-8 text, or uses a YAML feature plan files do not allow.

    Plan files are plain YAML: no tags beyond YAML's own (`!!python/...` is refused), no aliases (`*name`), one
    document per file, no duplicate keys, no deep nesting. The message gives the line and column where reading
    stopped.
    """,
)

problem_rule(
    "AT002",
    "schema",
    "error",
    """A key is unknown, missing or holds the wrong kind of value.

    Every key is checked, so a typo is an error rather than a field silently ignored; the message suggests the
    key you probably meant. See the README for the keys of plan, action and owners files.
    """,
)

problem_rule(
    "AT003",
    "duplicate-id",
    "error",
    """Two actions of one plan (or two owners in the registry) share an id.

    Ids are how updates, reports and links find an action, so each must be unique within its plan.
    """,
)

problem_rule(
    "AT006",
    "conflict-marker",
    "error",
    """The file still holds git merge conflict markers (`<<<<<<<`, `=======`, `>>>>>>>`).

    A merge stopped half-way: keep the version you want, delete the marker lines, and commit.
    """,
)

problem_rule(
    "AT007",
    "unparseable-deadline",
    "error",
    """A deadline or period is written in a way actiontrack cannot read as a date.

    Accepted: "2023-03-31", "March 2023", "2022/23" (financial year), "2022/24", "Q3 2022/23", "2023",
    "ongoing", "quarterly", "annual" (see the README's table), or, for a deadline, one of the codes the plan
    defines in plan.yaml (`deadline_codes: {S: "March 2020"}`). The message quotes the text.
    """,
)


@rule("AT004", "id-filename-mismatch", "warning")
def id_filename_mismatch(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action file's name does not start with its id.

    Files are named `<id>-<short-name>.yaml` so that a folder listing reads like the plan and a finding's path
    says which action it is about. A file renamed or copied without changing its id breaks that.
    """
    stem = item.source.path.stem
    action_id = item.action.id
    if stem != action_id and not stem.startswith(f"{action_id}-"):
        yield Hit(f'the file name does not start with the action id "{action_id}" (expected {action_id}-….yaml)')


@rule("AT005", "unknown-priority", "error")
def unknown_priority(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action names a priority its plan does not list, or names none in a plan that has priorities.

    Every action of a plan with priorities belongs to one of them: the report groups actions by priority, and an
    action under a priority the plan does not list would be shown under "Other". Add the priority to plan.yaml, or
    correct the action's `priority:`.
    """
    plan = item.plan.plan
    if plan is None:
        return
    known = [p.id for p in plan.priorities]
    listed = f"the plan's priorities are {', '.join(known)}" if known else "the plan lists no priorities"
    if item.action.priority is None:
        if known:
            yield Hit(f"no priority: add `priority:`; {listed}")
    elif item.action.priority not in known:
        yield Hit(f'unknown priority "{item.action.priority}": {listed}', ("priority",))
