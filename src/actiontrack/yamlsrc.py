"""Reading YAML safely, remembering where every value came from.

ruamel.yaml composes the file into nodes (with its C parser where installed, YAML 1.2); we build plain Python values
from the nodes ourselves, which lets us:
- record the line and column of every key and list item, so a validation error points at its line;
- refuse every tag outside YAML's own types (`!!python/object…`, `!!set`, custom `!tags`): plan files never need one;
- refuse aliases (`*name`), so an alias bomb ("billion laughs") costs nothing (an anchor alone is harmless);
- refuse nesting that could exhaust the parser, and files over 10 MB;
- keep a date exactly as written ("2023-03-31" stays text; the deadline grammar reads it).
"""

from __future__ import annotations

import functools
import os
import stat
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class YamlProblem(Exception):
    """A file that is not acceptable YAML; line and column are 1-based."""

    message: str
    line: int = 1
    column: int = 1
    rule: str = "yaml-syntax"

    def __str__(self) -> str:
        return self.message


class Marks:
    """Where each key and list item of a file sits: path -> (line, column), 1-based.

    Kept compact because a large repository holds tens of thousands of files: the list of paths is shared by every
    file of the same shape (most action files), the positions are one array; the lookup table is built on first use.
    """

    __slots__ = ("_index", "_paths", "_positions")

    def __init__(self, paths: tuple[Path_, ...], positions: array[int]) -> None:
        self._paths = _shared_shape(paths)
        self._positions = positions
        self._index: dict[Path_, int] | None = None

    @classmethod
    def from_dict(cls, marks: dict[Path_, tuple[int, int]]) -> Marks:
        return cls(tuple(marks), array("Q", [line << 32 | column for line, column in marks.values()]))

    def get(self, path: Path_, default: tuple[int, int] | None = None) -> tuple[int, int] | None:
        if self._index is None:
            self._index = {key: index for index, key in enumerate(self._paths)}
        index = self._index.get(path)
        if index is None:
            return default
        packed = self._positions[index]
        return packed >> 32, packed & 0xFFFFFFFF

    def __getitem__(self, path: Path_) -> tuple[int, int]:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found

    def __contains__(self, path: object) -> bool:
        return self.get(path) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._paths)

    def items(self) -> list[tuple[Path_, tuple[int, int]]]:
        return [
            (path, (packed >> 32, packed & 0xFFFFFFFF))
            for path, packed in zip(self._paths, self._positions, strict=True)
        ]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Marks) and self.items() == other.items()

    def __reduce__(self) -> tuple[Any, ...]:
        return (Marks, (self._paths, self._positions))


_SHAPES: dict[tuple[Path_, ...], tuple[Path_, ...]] = {}


def _shared_shape(paths: tuple[Path_, ...]) -> tuple[Path_, ...]:
    if len(_SHAPES) > 50_000:  # bounded: a repository has a handful of file shapes, hostile input has many
        _SHAPES.clear()
    return _SHAPES.setdefault(paths, paths)


@dataclass
class Document:
    """A parsed file: its data and where each key or list item sits (1-based line, column)."""

    data: Any
    marks: Marks = field(default_factory=lambda: Marks((), array("Q")))
    text: str = ""

    def locate(self, path: Path_) -> tuple[int, int]:
        """The position of `path`, or of its nearest ancestor that exists in the file."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:end]))
            if mark is not None:
                return mark
        return (1, 1)

    def positions_only(self) -> Document:
        """This document without its data and text: what a loaded file keeps to locate findings."""
        return Document(None, self.marks)


def _remembering(base: type) -> type:
    """A number type that remembers how it was written, so `id: 1.10` stays "1.10" (not 1.1) and `id: 007`
    stays "007" where text is expected, and is an ordinary number everywhere else."""

    class Written(base):  # type: ignore[valid-type,misc]
        text: str

        def __new__(cls, value: Any, text: str) -> Any:
            number = base.__new__(cls, value)
            number.text = text
            return number

        def __str__(self) -> str:
            return self.text

        def __reduce__(self) -> tuple[Any, ...]:  # for the cache: keep the text through pickling
            return (type(self), (base(self), self.text))

    Written.__name__ = Written.__qualname__ = f"Yaml{base.__name__.capitalize()}"
    return Written


YamlInt = _remembering(int)
YamlFloat = _remembering(float)


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(raw[:200]):
        raise YamlProblem("the file is UTF-16 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode("utf-8-sig", "replace")
        line, column = _line_col(before, len(before))
        raise YamlProblem(
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8",
            line,
            column,
        ) from None
    if "\x00" in text:
        raise YamlProblem("the file contains NUL bytes; it is not a text file", *_line_col(text, text.index("\x00")))
    return text


def _looks_like_utf16(head: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    return len(head) >= 8 and (head[0::2].count(0) > len(head) * 0.4 or head[1::2].count(0) > len(head) * 0.4)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset`; a line ends at "\n", "\r\n" or a lone "\r", as in YAML and editors."""
    if "\r" in text:
        before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
        text, offset = before, len(before)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_text(text: str) -> Document:
    """Parse one YAML document from `text`; raise YamlProblem with a position on anything unacceptable."""
    from .yamlparse import parse_text as parse  # ruamel.yaml is imported only when a file has to be parsed

    return parse(text)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def read_bytes(path: Path, inside: Path | None = None) -> bytes:
    """The bytes of a plan file; YamlProblem for one that cannot be a plan file (OSError if unreadable).

    Only a regular file is read: a FIFO would block for ever and a device such as /dev/zero never ends, so the file
    is opened without blocking and checked before reading. With `inside` (a resolved folder), a file that is, or
    lies in a folder that is, a link leading out of that folder is refused: a plan must not read what is outside
    its repository.
    """
    if inside is not None:
        _check_inside(path, inside)
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        if os.path.islink(path):
            raise YamlProblem("this file is a link to a file that does not exist") from None
        raise
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise YamlProblem("this is not an ordinary file; a plan file must be a regular file")
    with open(descriptor, "rb") as file:
        data = file.read(MAX_FILE_BYTES + 1) if info.st_size <= MAX_FILE_BYTES else b""
        size = max(info.st_size, len(data))  # a file that grew since fstat is measured by what was read
        if size > MAX_FILE_BYTES:
            raise YamlProblem(f"the file is {size // (1024 * 1024)} MB; a plan file is a few kilobytes (limit 10 MB)")
        return data


def _check_inside(path: Path, inside: Path) -> None:
    prefix = os.path.join(inside, "")
    if not real_folder(os.path.dirname(path)).startswith(prefix):
        raise YamlProblem(
            "this file is in a folder that is a link to a folder outside the repository; "
            "replace the link with the folder itself"
        )
    if not os.path.islink(path):
        return
    if not os.path.exists(path):
        raise YamlProblem("this file is a link to a file that does not exist")
    if not os.path.realpath(path).startswith(prefix):
        raise YamlProblem("this file is a link to a file outside the repository; replace the link with the file itself")


@functools.lru_cache(maxsize=1024)
def real_folder(folder: str) -> str:
    """A folder's real path; remembered, since a plan folder holds many files (links are fixed for one run)."""
    return os.path.join(os.path.realpath(folder), "")


def parse_bytes(raw: bytes) -> Document:
    """Decode (UTF-8, with or without a BOM) and parse; raise YamlProblem with a position."""
    return parse_text(_decode(raw))


def read_document(path: Path, inside: Path | None = None) -> Document:
    """Read and parse a YAML file; raise YamlProblem (or OSError for an unreadable file)."""
    return parse_bytes(read_bytes(path, inside))
