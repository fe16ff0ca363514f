"""A parsed YAML document and where its values came from: the document, its positions (marks), the problem a file
can raise, and numbers that remember how they were written. The bottom of the package: it imports nothing of it.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str | int, ...]


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


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset`; a line ends at "\n", "\r\n" or a lone "\r", as in YAML and editors."""
    if "\r" in text:
        before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
        text, offset = before, len(before)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
