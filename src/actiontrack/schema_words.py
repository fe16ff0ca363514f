"""Validation errors in plain words: what was expected and what the file holds, without pydantic's vocabulary.

pydantic says "Input should be a valid dictionary or instance of Milestone"; an officer editing a file needs
"milestones[0]: expected keys such as "text", not a single value". Each pydantic error type has a sentence here;
user text quoted back is cut short (`shown`).
"""

from __future__ import annotations

import re
from typing import Any

from .model import ACTION_ID_PATTERN, SLUG_PATTERN
from .words import did_you_mean, what_it_is

_PATTERN_HELP = {
    SLUG_PATTERN: 'use lower-case letters, digits and hyphens, such as "planning-policy"',
    ACTION_ID_PATTERN: (
        'start with a letter or digit, then use letters, digits, dots, hyphens and underscores, such as "1.a" or "19"'
    ),
}


def _slug_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plain_message(item: dict[str, Any], example_keys: str | None) -> str | None:
    """A plain sentence for one pydantic error, or None where pydantic's own words are already plain."""
    kind = item["type"]
    value = item.get("input")
    context = item.get("ctx") or {}
    if kind == "string_type":
        return f"expected text, not {what_it_is(value)}" + ("; put it in quotes" if isinstance(value, bool) else "")
    if kind == "list_type":
        return f'expected a list (one "- " line per item), not {what_it_is(value)}'
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        keys = f" such as {example_keys}" if example_keys else ""
        return f"expected keys{keys}, not {what_it_is(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, not {what_it_is(value)}"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float", "finite_number"):
        return f"expected a number, not {what_it_is(value)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = context.get("ge", context.get("gt")), context.get("le", context.get("lt"))
        bound = f"at least {low}" if low is not None else f"at most {high}"
        return f"expected a number {bound}, not {what_it_is(value)}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(context.get("expected", "")))
        if not isinstance(value, str):
            return f"expected one of: {', '.join(allowed)}; not {what_it_is(value)}"
        return f"{what_it_is(value)} is not one of: {', '.join(allowed)}{did_you_mean(value, allowed)}"
    if kind == "string_pattern_mismatch" and value == "":
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern"))
        help_text = _PATTERN_HELP.get(pattern, f"it must match {pattern}")
        slug = _slug_of(value) if isinstance(value, str) and pattern == SLUG_PATTERN else ""
        if slug and slug != value:  # the example gives way to the value mended
            help_text = f'{help_text.split(", such as")[0]}; perhaps "{slug}"'
        return f"{what_it_is(value)} cannot be used here: {help_text}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"{what_it_is(value)} is too long (at most {context.get('max_length')} characters)"
    if kind == "too_short":
        return f"must list at least {context.get('min_length')} item"
    return None
