"""How a message quotes what a user wrote: cut short, on one line, nothing a terminal would act on; the kind of a
value in a plan file's words; the closest known name. A leaf module: every layer that words a message uses it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any


def shown(text: str, limit: int = 60) -> str:
    """User text quoted in a message: cut short (a message names the value, it does not repeat a paragraph), and
    with any character a terminal would act on (control, invisible, bidi) written as an escape such as \\u202e."""
    text = escaped(text)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def escaped(text: str) -> str:
    """`text` whole, with the characters a terminal would act on written as escapes: for a message or a path that
    must stay on one line but must not be cut."""
    return text if text.isprintable() else "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def what_it_is(value: Any) -> str:
    """A YAML value's kind, as a person editing the file would call it."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of keys"
    if value is None:
        return "an empty value"
    if isinstance(value, (int, float)):
        return f"the number {shown(str(value), 20)}"
    return f'"{shown(str(value))}"'


def did_you_mean(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """'; did you mean "x"?' for the closest candidate (ignoring case), or "" when none is close."""
    if len(value) > 64:  # no name is that long, and difflib's cost grows with it
        return ""
    by_lower = {candidate.lower(): candidate for candidate in candidates}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=cutoff)
    return f'; did you mean "{by_lower[close[0]]}"?' if close else ""


def slug(text: str, words: int = 5, limit: int = 40) -> str:
    """A short file-name part from `text`: its first `words` words, lower case, hyphenated, at most `limit`
    characters ("Support the Lightbulb project" -> "support-the-lightbulb-project")."""
    parts: list[str] = []
    for word in re.findall(r"[a-z0-9]+", text.lower().replace("'", "")):
        if len("-".join([*parts, word])) > limit or len(parts) == words:
            break
        parts.append(word)
    return "-".join(parts) or "action"


def day_count(days: int) -> str:
    """ "1 day", "12 days": every count of days shown anywhere is said this way."""
    return f"{days} day{'' if abs(days) == 1 else 's'}"


def when_due(days: int) -> str:
    """How far off a date is, from the as-of date: "today", "in 1 day", "12 days ago"."""
    if days == 0:
        return "today"
    return f"in {day_count(days)}" if days > 0 else f"{day_count(-days)} ago"


def number(value: float | None) -> str:
    """A figure as the report shows it: "1,200", "296.7", "0.25"; "–" for none."""
    if value is None:
        return "–"
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")
