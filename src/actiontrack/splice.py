"""Round-trip splicing: change a YAML file by replacing only the lines an edit is about.

ruamel.yaml's round-trip loader, set to the file's own indentation, gives the positions of keys and items and formats
new lines; the text itself is spliced, so every other line (quoting, comments, block scalars, line endings) stays
byte for byte. `update` and `import` (adding owners to the registry) write through here.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.util import load_yaml_guess_indent

__all__ = ["apply_edits", "newline_of", "round_trip", "splice_item", "yaml_lines"]


_NESTED_KEY = re.compile(r"^( *)[^\s#-][^:\n]*:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( +)[^\s#-]", re.MULTILINE)


def _mapping_indent(text: str) -> int:
    """How far this file indents a nested mapping (2 unless it shows otherwise)."""
    match = _NESTED_KEY.search(text)
    return len(match.group(2)) - len(match.group(1)) if match else 2


def round_trip(text: str) -> tuple[YAML, Any]:
    """A round-trip YAML set to the file's own style (indentation, dash offset, quotes), and the file's data."""
    _, sequence_indent, dash_offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100_000  # never re-wrap a long line
    mapping = _mapping_indent(text)
    if sequence_indent is None:  # no block sequence in the file yet: the house style, "  - key: value"
        sequence_indent, dash_offset = mapping + 2, mapping
    yaml.indent(mapping=mapping, sequence=sequence_indent, offset=dash_offset or 0)
    return yaml, yaml.load(text)


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def yaml_lines(text: str) -> list[str]:
    """Lines as YAML counts them: split at \n only (str.splitlines also splits at U+2028 and friends)."""
    lines = text.split("\n")
    last = lines.pop()
    result = [line + "\n" for line in lines]
    if last:
        result.append(last)
    return result


def _fragment(yaml: YAML, key: str, entry: CommentedMap, newline: str) -> list[str]:
    """The lines of one new item of the top-level sequence `key`, in the file's own indentation."""
    buffer = io.StringIO()
    yaml.dump({key: [entry]}, buffer)
    return [line.rstrip("\r\n") + newline for line in yaml_lines(buffer.getvalue())[1:]]


def _block_end(lines: list[str], start: int, stop: int) -> int:
    """Where a block that starts at `start` ends, before `stop`: trailing blank and comment lines stay outside it."""
    end = stop
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def splice_item(
    text: str, yaml: YAML, data: CommentedMap, key: str, entries: list[CommentedMap], replace: int | None = None
) -> tuple[list[str], list[tuple[int, int, list[str]]]]:
    """The file's lines, and the edits that append `entries` to (or replace item `replace` of) the top-level
    sequence `key`. Only those lines change; ruamel.yaml gives the positions and formats the new lines, so every
    other line is kept byte for byte, whatever the file's indentation, quoting, comments or block scalars."""
    newline = newline_of(text)
    lines = yaml_lines(text)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    key_lines = sorted(data.lc.key(k)[0] for k in data)
    items = [line for entry in entries for line in _fragment(yaml, key, entry, newline)]
    sequence = data.get(key)
    if isinstance(sequence, list) and sequence and not sequence.fa.flow_style():
        following = [line for line in key_lines if line > data.lc.key(key)[0]]
        stop = following[0] if following else len(lines)
        if replace is not None:
            start = sequence.lc.item(replace)[0]
            # the item ends before the comments and blank lines that introduce the next one
            after = sequence.lc.item(replace + 1)[0] if replace + 1 < len(sequence) else stop
            return lines, [(start, _block_end(lines, start, after), items)]
        end = _block_end(lines, sequence.lc.item(len(sequence) - 1)[0], stop)
        return lines, [(end, end, items)]
    if key in data:  # `key: []` or a flow sequence: rewrite that key as a block, keeping an end-of-line comment
        start = data.lc.key(key)[0]
        following = [line for line in key_lines if line > start]
        end = _block_end(lines, start, following[0] if following else len(lines))
        kept = list(sequence or [])
        if replace is not None:
            kept[replace] = entries[0]
        else:
            kept.extend(entries)
        comment = re.search(r"[ \t]+#.*$", lines[start].rstrip("\r\n")) if end == start + 1 else None
        block = [f"{key}:{comment.group(0) if comment else ''}{newline}"]
        for existing in kept:
            block += _fragment(yaml, key, existing, newline)
        return lines, [(start, end, block)]
    return lines, [(len(lines), len(lines), [f"{key}:{newline}", *items])]


def apply_edits(lines: list[str], edits: list[tuple[int, int, list[str]]]) -> str:
    """Apply (first line, line after, new lines) edits numbered on the original lines."""
    for start, end, new_lines in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = new_lines
    return "".join(lines)
