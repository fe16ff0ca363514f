"""Parsing YAML with ruamel.yaml into plain values and positions.

ruamel.yaml composes the file into nodes (with its C parser where installed, YAML 1.2); we build plain Python values
from the nodes ourselves, which lets us:
- record the line and column of every key and list item, so a validation error points at its line;
- refuse every tag outside YAML's own types (`!!python/object…`, `!!set`, custom `!tags`): plan files never need one;
- refuse aliases (`*name`), so an alias bomb ("billion laughs") costs nothing (an anchor alone is harmless);
- refuse nesting that could exhaust the parser, and files over 10 MB;
- keep a date exactly as written ("2023-03-31" stays text; the deadline grammar reads it).
Parser errors are put in plain words by messages.py.
"""

from __future__ import annotations

import math
import re
from array import array
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import ComposerError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from ..words import shown
from .document import Document, Marks, Path_, YamlFloat, YamlInt, YamlProblem, line_col
from .messages import ALIAS, MERGE, ParserError, control_character, plain

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_CORE = ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary", "merge", "value", "yaml")
_SHARED_TAGS = {_TAG + name: Tag(suffix=_TAG + name) for name in _CORE}
_PLAIN_TEXT = {_STR, _TAG + "timestamp", _TAG + "binary"}
_MAX_DEPTH = 64
# The C composer recurses per level and crashes the process somewhere past 20,000 levels, so anything that could
# nest deeper than this is refused before it is composed. No plan file comes near it.
_MAX_PRECHECK_DEPTH = 200  # and the pure-Python parser (see _compose_checked) recurses past its limit at ~500
_BLOCK_PREFIX = re.compile(r"^[ \t?-]*", re.MULTILINE)
# A plan file holds a few hundred values; composing costs about 7 µs a value, so a file of millions (still under
# 10 MB) would take many seconds and gigabytes. Values are bounded before composing by counting what separates
# them (lines, commas, "- "), and exactly while building.
MAX_VALUES = 100_000
_TOO_MANY = f"the file holds more than {MAX_VALUES:,} values; a plan file holds a few hundred"
_MAX_DIGITS = 15  # beyond this an integer cannot be a count of anything in a plan, nor survive a float
# Control characters other than tab and newline: the reader refuses them written raw; this catches the escapes
# ("\0", "\e", "\x1b"), which could rewrite a reader's terminal.
# Characters that reorder the text around them ("Trojan source"): a reader would see something else than is written.
_BIDI_CHARS = "\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{_BIDI_CHARS}]")
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CHARS}]")
_PURE_UP_TO = 256 * 1024  # characters; plan files are a few kilobytes
_SEPARATOR = re.compile("[\x85\u2028\u2029]")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)


class _FastResolver(VersionedResolver):
    """ruamel's YAML 1.2 resolver with its table of implicit types built once (not once per file), returning one
    shared Tag per type: resolving is done for every scalar, so it is on the loader's hot path."""

    _table: Any = None

    @property
    def versioned_resolver(self) -> Any:
        cls = type(self)
        if cls._table is None:
            table = VersionedResolver.versioned_resolver.fget(self)  # type: ignore[attr-defined]
            cls._table = {
                first: [(_SHARED_TAGS[tag], regexp) for tag, regexp in entries] for first, entries in table.items()
            }
        return cls._table

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in (self._table or self.versioned_resolver).get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _SHARED_TAGS[_STR]
        return _SHARED_TAGS[_SEQ if kind is SequenceNode else _MAP]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # path-dependent resolvers are never registered

    def ascend_resolver(self) -> None:
        pass


def _compose_pure(text: str) -> Node | None:
    """Compose with the pure-Python parser (used where ruamel.yaml.clib is not installed, e.g. PyPy)."""
    nodes = [node for node in YAML(typ="safe", pure=True).compose_all(text) if node is not None]
    if len(nodes) > 1:
        raise _SecondDocument(nodes[1].start_mark)
    return nodes[0] if nodes else None


try:  # the C parser: composing is the loader's main cost, and YAML() is costly to create for every file
    from ruamel.yaml.clib._ruamel_yaml import CParser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the platform
    CParser = None


if CParser is not None:

    class _CComposer(CParser, _FastResolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _FastResolver.__init__(self, loadumper=self)

    def _compose_c(text: str) -> Node | None:
        composer = _CComposer(text)
        try:
            return composer.get_single_node()
        finally:
            composer.dispose()

    _compose = _compose_c
else:  # pragma: no cover - depends on the platform
    _compose = _compose_pure


def _compose_checked(text: str) -> Node | None:
    """Compose with the C parser; where it refuses, ask the pure-Python one, which follows YAML 1.2 more closely
    (libyaml refuses `[who?]` and `{b: c?}`, which ruamel.yaml itself writes). Its verdict stands; an error is
    reported in the C parser's words and positions, which the plain-words rules know."""
    if len(text) > _PURE_UP_TO:  # the pure parser takes about 6 s a megabyte: no second opinion on large files
        return _compose(text)
    if _SEPARATOR.search(text):
        # the C parser (YAML 1.1) ends a line at U+0085, U+2028 and U+2029; YAML 1.2 and editors do not, and the
        # pure parser follows them, so its values and positions are right (such files are rare; it is slower)
        return _compose_pure(text)
    try:
        return _compose(text)
    except MarkedYAMLError as error:
        # a composer error (an alias, a second document) or an escape the C parser refused is refused by both
        if _compose is _compose_pure or isinstance(error, ComposerError) or "escape" in (error.problem or ""):
            raise
        try:
            return _compose_pure(text)
        except (YAMLError, RecursionError):
            pass
        raise


class _SecondDocument(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self) -> None:
        self.paths: list[Path_] = []
        self.positions: array[int] = array("Q")
        self.seen: set[int] = set()

    def mark(self, path: Path_, node: Node) -> None:
        mark = node.start_mark
        if len(self.paths) >= MAX_VALUES:
            raise YamlProblem(_TOO_MANY, mark.line + 1, mark.column + 1)
        self.paths.append(path)
        self.positions.append((mark.line + 1) << 32 | (mark.column + 1))

    def marks(self) -> Marks:
        return Marks(tuple(self.paths), self.positions)

    def build(self, node: Node, path: Path_) -> Any:
        if id(node) in self.seen:
            # an alias shares its anchor's node (and position): point at the key or item that uses it
            used_at = path if path and isinstance(path[-1], str) else path[:-1]
            raise YamlProblem(
                ALIAS,
                *self.marks().get(used_at, _position(node)),  # type: ignore[misc]
            )
        self.seen.add(id(node))
        if len(path) > _MAX_DEPTH:
            raise YamlProblem(f"nesting deeper than {_MAX_DEPTH} levels", *_position(node))
        ctag = node.ctag
        # an implicit tag is one of the shared Tags (its suffix is the whole tag); an explicit one may use a handle
        tag = ctag.suffix if ctag.handle is None else str(ctag)
        kind = type(node)
        if kind is ScalarNode:
            return self._scalar(node, tag)
        if kind is MappingNode:
            if tag != _MAP:
                raise self._tag_error(node, tag)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path)
                if isinstance(key, (dict, list)):
                    raise YamlProblem("a key must be a plain word, not a list or mapping", *_position(key_node))
                key = key_node.value if isinstance(key_node, ScalarNode) else str(key)  # `true:` is the key "true"
                if key in result:
                    line, column = _position(key_node)
                    raise YamlProblem(f'duplicate key "{shown(key)}"', line, column)
                child = (*path, key)
                self.mark(child, key_node)
                result[key] = self.build(value_node, child)
            return result
        if kind is SequenceNode:
            if tag != _SEQ:
                raise self._tag_error(node, tag)
            items = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                self.mark(child, item)
                items.append(self.build(item, child))
            return items
        raise self._tag_error(node, tag)  # pragma: no cover - ruamel has no other node kinds

    @staticmethod
    def _tag_error(node: Node, tag: str) -> YamlProblem:
        if tag == _TAG + "merge":
            return YamlProblem(MERGE, *_position(node))
        written = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        return YamlProblem(f"YAML tag {written} is not allowed in plan files; remove it", *_position(node))

    def _scalar(self, node: ScalarNode, tag: str) -> Any:
        text: str = node.value
        if node.style == '"':  # whatever its tag: "\e" and the like exist only in double quotes
            control = _CONTROL.search(text)
            if control:
                code = ord(control.group())
                raise YamlProblem(f"text holds a control character (U+{code:04X}); remove it", *_position(node))
        if tag in _PLAIN_TEXT:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() in ("true", "yes", "on", "y")
        if tag == _INT:
            cleaned = text.replace("_", "")
            try:
                number = int(cleaned, 0) if cleaned[:2].lower() in ("0x", "0o", "0b") else int(cleaned)
            except ValueError:
                return text
            if len(cleaned.lstrip("+-0")) > _MAX_DIGITS:
                raise YamlProblem(
                    f'"{shown(text, 20)}" is too large a number; write it in quotes if it is text', *_position(node)
                )
            return number if str(number) == text else YamlInt(number, text)
        if tag == _FLOAT:
            spelled = text.lower().lstrip("+-")
            try:
                number = float("inf") if spelled in (".inf", ".nan") else float(text.replace("_", ""))
            except ValueError:
                return text
            if not math.isfinite(number):
                raise YamlProblem(
                    f'"{text}" is not a usable number (too large, infinite or not a number)', *_position(node)
                )
            return number if repr(number) == text else YamlFloat(number, text)
        raise self._tag_error(node, tag)


def _nesting_bound(text: str) -> tuple[int, int] | None:
    """The position of the first place that may nest deeper than _MAX_PRECHECK_DEPTH, or None.

    A block node is indented further than its parent (or follows "- " on the same line), so block depth is at
    most the longest run of spaces and dashes starting a line; flow depth is counted bracket by bracket.
    """
    for match in _BLOCK_PREFIX.finditer(text):
        if len(match.group()) > _MAX_PRECHECK_DEPTH:
            return line_col(text, match.start())
    if text.count("[") + text.count("{") <= _MAX_PRECHECK_DEPTH:
        return None
    depth, quote, too_deep = 0, "", 0
    for offset, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            if depth == _MAX_DEPTH + 1 and not too_deep:
                too_deep = offset  # shown: where the nesting first goes too deep, as the builder would say
            if depth > _MAX_PRECHECK_DEPTH:
                return line_col(text, too_deep)
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def parse_text(text: str) -> Document:
    """Parse one YAML document from `text`; raise YamlProblem with a position on anything unacceptable."""
    if "\r" in text:  # YAML reads every line break as "\n"; with one kind, every position below counts lines alike
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    deep = _nesting_bound(text)
    if deep is not None:
        raise YamlProblem(f"nesting deeper than {_MAX_DEPTH} levels", *deep)
    if text.count("\n") + text.count(",") + text.count("- ") > MAX_VALUES:
        raise YamlProblem(_TOO_MANY)
    marker = _CONFLICT.search(text)
    if marker:
        line, column = line_col(text, marker.start())
        raise YamlProblem(
            f"git merge conflict marker {marker.group(1)[:7]}: resolve the conflict, keep one version and "
            "delete the marker lines",
            line,
            column,
            rule="conflict-marker",
        )
    bidi = _BIDI.search(text)
    if bidi:
        raise YamlProblem(
            f"the file holds an invisible character that reorders text (U+{ord(bidi.group()):04X}) here; remove it",
            *line_col(text, bidi.start()),
        )
    try:
        node = _compose_checked(text)
    except _SecondDocument as second:
        raise YamlProblem(
            "the file holds more than one YAML document (---); keep one per file", second.mark.line + 1, 1
        ) from None
    except ComposerError as error:
        if error.problem and "another document" in error.problem and error.problem_mark:
            raise YamlProblem(
                "the file holds more than one YAML document (---); keep one per file", error.problem_mark.line + 1, 1
            ) from None
        raise _plain(error, text) from None
    except MarkedYAMLError as error:
        raise _plain(error, text) from None
    except YAMLError as error:  # a reader error: a character YAML does not accept, e.g. a raw control character
        position = getattr(error, "position", None)
        character = getattr(error, "character", None)
        if isinstance(character, str) and len(character) == 1:
            character = ord(character)
        if isinstance(character, int) and chr(character) in text:
            # the reader stops at the first one; its own position counts UTF-8 bytes, not characters
            raise YamlProblem(control_character(character), *line_col(text, text.index(chr(character)))) from None
        at = line_col(text, position) if isinstance(position, int) else (1, 1)
        raise YamlProblem(f"invalid YAML: {' '.join(str(error).split()).split(' in ')[0]}", *at) from None
    builder = _Builder()
    if node is None:
        builder.positions.append(1 << 32 | 1)
        builder.paths.append(())
        return Document(None, builder.marks(), text)
    builder.mark((), node)
    data = builder.build(node, ())
    return Document(data, builder.marks(), text)


def _plain(error: MarkedYAMLError, text: str) -> YamlProblem:
    def position(mark: Any) -> tuple[int, int] | None:
        return (mark.line + 1, mark.column + 1) if mark is not None else None

    problem_at = position(error.problem_mark) or position(error.context_mark) or (1, 1)
    said = ParserError(error.problem or "", error.context or "", problem_at, position(error.context_mark), text)
    message, (line, column) = plain(said)
    return YamlProblem(message, line, column)
