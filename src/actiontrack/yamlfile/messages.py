"""YAML parser errors in plain words, at the place a person would look.

A parser says "found unexpected end of stream while scanning a quoted scalar" at the end of the file; a policy
officer needs "this quote is never closed" at the opening quote. Each rule below matches the parser's problem (and
context) and says what is wrong and how to mend it. Anything unmatched keeps the parser's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .document import line_col

Mark = tuple[int, int]  # 1-based line, column


@dataclass(frozen=True)
class ParserError:
    """What the parser said: its problem and context, their positions, and the text it was reading."""

    problem: str
    context: str
    problem_at: Mark
    context_at: Mark | None
    text: str

    def char(self, at: Mark) -> str:
        line = self.line_text(at[0])
        return line[at[1] - 1] if 0 < at[1] <= len(line) else ""

    def offset(self, at: Mark) -> int:
        """The offset in the text of a 1-based line and column."""
        lines = self.text.split("\n")
        return sum(len(line) + 1 for line in lines[: at[0] - 1]) + at[1] - 1

    def line_text(self, number: int) -> str:
        lines = self.text.split("\n")
        return lines[number - 1] if 0 < number <= len(lines) else ""


QUOTE_NOT_CLOSED = "this quote ({q}) is never closed; end the text with a matching {q}"
INDENT = "this line is indented differently from the lines around it; line up keys of the same level"
TAB = "a tab character here; indent with spaces, not tabs"
ALIAS = "YAML aliases (*name) are not allowed in plan files; write the value out in full"
_KEY_WITHOUT_SPACE = re.compile(r"\s*(?:-\s+)?([A-Za-z_][\w.-]*):[^\s:]")
MERGE = "YAML merge keys (<<) are not allowed in plan files; write the keys out in full"


def plain(error: ParserError) -> tuple[str, Mark]:
    """The message and position to show for a parser error."""
    for rule in _RULES:
        found = rule(error)
        if found is not None:
            return found
    problem = error.problem + (f" {error.context}" if error.context and error.context != error.problem else "")
    return f"invalid YAML: {problem}", error.problem_at


def _unclosed_quote(error: ParserError) -> tuple[str, Mark] | None:
    if "quoted scalar" not in error.context or "end of stream" not in error.problem or error.context_at is None:
        return None
    quote = error.char(error.context_at) or '"'
    return QUOTE_NOT_CLOSED.format(q=quote), error.context_at


def _unclosed_bracket(error: ParserError) -> tuple[str, Mark] | None:
    if not error.problem.startswith(("did not find expected ','", "expected ','")) or error.context_at is None:
        return None
    opening, closing = ("[", "]") if "sequence" in error.context else ("{", "}")
    return (
        f'this "{opening}" is never closed; end it with "{closing}" and put commas between its items',
        error.context_at,
    )


def _bad_escape(error: ParserError) -> tuple[str, Mark] | None:
    # "unknown escape character", "invalid Unicode character escape code", "did not find expected hexdecimal number"
    if "escape c" not in error.problem and "hexdecimal" not in error.problem:
        return None
    line, column = error.problem_at
    text = error.line_text(line)
    column = text.rfind("\\", 0, column) + 1 or column  # at the backslash
    escape = re.match(r"\\(?:x[0-9A-Fa-f]{0,2}|u[0-9A-Fa-f]{0,4}|U[0-9A-Fa-f]{0,8}|.?)", text[column - 1 :])
    escape = escape.group() if escape else text[column - 1 : column + 1]
    return (
        f'"{escape}" is not a valid escape in double-quoted text; write \\\\ for a backslash, or use single quotes',
        (line, column),
    )


def _tab(error: ParserError) -> tuple[str, Mark] | None:
    if "tab character" in error.problem or error.char(error.problem_at) == "\t":
        return TAB, error.problem_at
    return None


def _bad_start(error: ParserError) -> tuple[str, Mark] | None:
    """Text starting with a character YAML reserves: @ ` % * & (the latter two read as an alias or anchor)."""
    if "cannot start any token" in error.problem:
        at = error.problem_at
    elif "expected alphabetic or numeric character" in error.problem and error.context_at is not None:
        at = error.context_at
    elif "node content" in error.problem:
        at = error.problem_at
    else:
        return None
    char = error.char(at)
    if not char:
        return None
    return f'text cannot start with "{char}" in YAML; put the whole value in quotes', at


def _colon(error: ParserError) -> tuple[str, Mark] | None:
    if "mapping values are not allowed" not in error.problem:
        return None
    line, column = error.problem_at
    before = error.line_text(line)[: column - 1]
    if ": " in before or before.rstrip().endswith(":") or before.lstrip().startswith("- "):
        return 'a colon followed by a space inside a value; put the whole value in quotes ("…")', (line, column)
    return INDENT, (line, len(before) - len(before.lstrip()) + 1)


def _colon_in_brackets(error: ParserError) -> tuple[str, Mark] | None:
    """The pure-Python scanner's words for a colon with no space after it inside [ ] or { } ("[a:b]")."""
    if "found unexpected ':'" not in error.problem:
        return None
    return 'a colon inside [ ] or { } must be followed by a space; or put the whole value in quotes ("…")', (
        error.problem_at
    )


def _missing_colon(error: ParserError) -> tuple[str, Mark] | None:
    if "could not find expected ':'" not in error.problem or error.context_at is None:
        return None
    key = _KEY_WITHOUT_SPACE.match(error.line_text(error.context_at[0]))
    if key:
        return (
            f'no space after "{key.group(1)}:"; put a space between a key\'s colon and its value',
            error.context_at,
        )
    return (
        'this line has no "key:"; add the key, or indent the line further to continue the text above',
        error.context_at,
    )


_UNEXPECTED = (  # the C parser's words, then the pure-Python parser's (used for files with U+2028 and the like)
    "did not find expected key",
    "did not find expected '-' indicator",
    "did not find expected <document start>",
    "expected <block end>",
    "expected '<document start>'",
)


def _after_closing(error: ParserError) -> tuple[str, Mark] | None:
    if not error.problem.startswith(_UNEXPECTED):
        return None
    line, column = error.problem_at
    before = error.line_text(line)[: column - 1].rstrip()
    if before.endswith(('"', "'")):
        opening = _opening_quote(error.text, error.offset((line, len(before))))
        if opening is not None and opening[0] < line:  # the quote ran on over lines: it was never closed
            return QUOTE_NOT_CLOSED.format(q=before[-1]), opening
        return (
            "text after the closing quote; put the whole value inside the quotes (inside single quotes, "
            "write '' for a quote)",
            (line, column),
        )
    if before.endswith(("]", "}")):
        return f'text after the closing "{before[-1]}"; put the value in quotes if it is text', (line, column)
    if "document start" in error.problem:
        return None  # text after a "..." line: _document_end
    if error.char((line, column)) == "-" and error.problem == "did not find expected key":
        return "a list item where a key was expected; check the indentation of this line", (line, column)
    return INDENT, (line, column)


def _list_after_key(error: ParserError) -> tuple[str, Mark] | None:
    if "sequence entries are not allowed" not in error.problem:
        return None
    return (
        'a list item ("- ") cannot follow a key on the same line; start the list on the next line, indented',
        error.problem_at,
    )


def _opening_quote(text: str, closing: int) -> Mark | None:
    """Where the quoted text closed at offset `closing` was opened (escaped quotes skipped)."""
    quote = text[closing]
    at = closing - 1
    while at >= 0:
        if text[at] == quote:
            if quote == '"' and at > 0 and text[at - 1] == "\\":
                at -= 2
                continue
            if quote == "'" and at > 0 and text[at - 1] == "'":
                at -= 2
                continue
            return line_col(text, at)
        at -= 1
    return None


def _block_header(error: ParserError) -> tuple[str, Mark] | None:
    if "block scalar" not in error.context:
        return None
    return (
        "after | or > only an indentation digit, + or - may follow; start the text on the next line",
        error.problem_at,
    )


def _document_end(error: ParserError) -> tuple[str, Mark] | None:
    if "document start>" not in error.problem:
        return None
    return "text after the end of the document (...); remove the ... line", error.problem_at


def _undefined_alias(error: ParserError) -> tuple[str, Mark] | None:
    return (ALIAS, error.problem_at) if "undefined alias" in error.problem else None


def _tag_handle(error: ParserError) -> tuple[str, Mark] | None:
    if "tag handle" not in error.problem and "tag" not in error.context:
        return None
    return "YAML tags (!name) are not allowed in plan files; remove it", error.context_at or error.problem_at


def _anchor(error: ParserError) -> tuple[str, Mark] | None:
    if "duplicate anchor" not in error.problem + error.context:
        return None
    return "this anchor (&name) is used twice; plan files do not need anchors: remove them", error.problem_at


def _ends_inside(error: ParserError) -> tuple[str, Mark] | None:
    if "node content" not in error.problem or error.char(error.problem_at):
        return None
    return "the file ends in the middle of a value; finish it or remove the line", error.problem_at


def _directive(error: ParserError) -> tuple[str, Mark] | None:
    if "directive" not in error.context:
        return None
    return "a line starting with % is a YAML directive; put the value in quotes or remove the line", error.problem_at


_RULES: list[Callable[[ParserError], tuple[str, Mark] | None]] = [
    _unclosed_quote,
    _unclosed_bracket,
    _bad_escape,
    _tab,
    _bad_start,
    _colon,
    _colon_in_brackets,
    _missing_colon,
    _after_closing,
    _list_after_key,
    _block_header,
    _document_end,
    _undefined_alias,
    _tag_handle,
    _anchor,
    _ends_inside,
    _directive,
]


def control_character(code: int) -> str:
    return f"the file holds a control character (U+{code:04X}) here; remove it"
