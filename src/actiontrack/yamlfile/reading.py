"""Reading plan files safely: only regular files inside the repository, at most 10 MB, UTF-8 text; then parsing
(parsing.py, imported only when a file has to be parsed, so a command served from the cache never imports
ruamel.yaml).
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from .document import Document, YamlProblem, line_col

MAX_FILE_BYTES = 10 * 1024 * 1024


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(raw[:200]):
        raise YamlProblem("the file is UTF-16 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode("utf-8-sig", "replace")
        line, column = line_col(before, len(before))
        raise YamlProblem(
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8",
            line,
            column,
        ) from None
    if "\x00" in text:
        raise YamlProblem("the file contains NUL bytes; it is not a text file", *line_col(text, text.index("\x00")))
    return text


def _looks_like_utf16(head: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    return len(head) >= 8 and (head[0::2].count(0) > len(head) * 0.4 or head[1::2].count(0) > len(head) * 0.4)


def parse_text(text: str) -> Document:
    """Parse one YAML document from `text`; raise YamlProblem with a position on anything unacceptable."""
    from .parsing import parse_text as parse  # ruamel.yaml is imported only when a file has to be parsed

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
