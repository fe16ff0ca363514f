"""Targets and outcomes: can anyone tell whether the action worked? (AT3xx)"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from ..derive import DerivedAction
from .base import Context, Hit, rule


@rule("AT301", "missing-outcome", "warning")
def missing_outcome(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An action does not say what outcome it is expected to achieve.

    The outcome is what changes for residents when the action is done ("Residents are able to access local green
    spaces"). Without one, a committee cannot judge whether the action was worth doing.
    """
    if not (item.action.outcome or "").strip():
        yield Hit("no expected outcome: add `outcome:` saying what will change when this is done", ("title",))


@rule("AT302", "unmeasurable-target", "warning", require_target=False)
def unmeasurable_target(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """A target has no number to measure progress against, or holds a placeholder such as "X".

    "10 x volunteers" and "75% of schools" can be met or missed; "Successful funding bids" cannot, and
    "X programme attendances" was never filled in. Write the number (or add `value:` and `unit:`).
    Option `require_target` (default false): also report open actions that have no target at all.
    """
    for index, target in enumerate(item.action.targets):
        if target.is_placeholder:
            yield Hit(f'target "{target.text}" is a placeholder: replace the "X" with a number', ("targets", index))
        elif target.value is None:
            yield Hit(f'target "{target.text}" has no number to measure progress against', ("targets", index))
    if ctx.options["require_target"] and not item.action.targets and item.is_open:
        yield Hit("no target: add `targets:` with a number, e.g. 10 x volunteers", ("title",))


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@rule("AT303", "objective-restates-action", "warning", similarity=0.9)
def objective_restates_action(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """The objective (`title`) and "what we will do" (`what`) say the same thing.

    The objective is the aim; "what we will do" is the concrete work towards it. When one repeats the other the
    plan does not say how the aim will be met. Option `similarity` (0-1, default 0.9) sets how alike the two
    must be, ignoring case and punctuation.
    """
    title, what = _words(item.action.title), _words(item.action.what or "")
    if not what:
        return
    threshold = ctx.options["similarity"]
    matcher = difflib.SequenceMatcher(None, title, what)
    # the quick ratios are upper bounds of ratio(): most pairs are ruled out without the full comparison
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return
    ratio = matcher.ratio()
    if ratio >= threshold:
        same = "repeats" if ratio == 1 else f"nearly repeats ({ratio:.0%} alike)"
        yield Hit(f'"what we will do" {same} the objective: say what concrete work will meet it', ("what",))
