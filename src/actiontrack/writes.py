"""Writing files so that nothing is ever half-written: one file atomically, or several all-or-nothing.

A file is written in full to a temporary file beside it, fsynced, given the mode the old file had (or the umask's),
and renamed over the original: a crash or kill at any moment leaves either the old file or the new one. Commands that
write several files (import, init, new with its schemas) stage them all first and rename them into place only then,
undoing the renames made if one fails. Report, export and init use this module only; nothing here knows YAML.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["FileChanged", "atomic_write", "current_umask", "write_all"]


class FileChanged(Exception):
    """The file changed (by someone else) between being read and being replaced; nothing was written."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def _about(path: Path, error: OSError) -> OSError:
    """`error` naming the file the user asked for, not the temporary file the failing call was given."""
    return OSError(error.errno, error.strerror or str(error), str(path))


def _stage(path: Path, content: str | bytes) -> Path:
    """`content` (text as UTF-8) written in full and fsynced to a new temporary file beside `path`, with the mode
    `path` has (or, for a new file, the usual umask mode: mkstemp makes 0600 files)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _about(path, error) from error
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~current_umask())
    except OSError as error:
        _discard(temporary)
        raise _about(path, error) from error
    except BaseException:
        _discard(temporary)
        raise
    return temporary


def _rename(source: Path, target: Path, named: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as error:
        raise _about(named, error) from error


def _sync_folder(folder: Path) -> None:
    """Make renames in `folder` durable. Best effort: the change is made by then, so failing here (a file system or
    platform that cannot open a folder) must not report the write as failed."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def atomic_write(path: Path, content: str | bytes, *, expect: bytes | None = None) -> None:
    """Write `content` (text is written as UTF-8) to `path` so readers see the old file or the new one, never a mix.

    With `expect`, the file must still hold exactly those bytes when the new one is renamed over it: a change made
    by someone else since it was read is refused with FileChanged, not overwritten. Any failure (a full disk, a
    read-only folder, an interrupt) leaves `path` as it was and no temporary file behind.
    """
    temporary = _stage(path, content)
    try:
        if expect is not None and _current_bytes(path) != expect:
            raise FileChanged(path)
        _rename(temporary, path, path)
    except BaseException:
        _discard(temporary)
        raise
    _sync_folder(path.parent)


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _about(path, error) from error


def _backup_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.bak")


def _make_folders(folder: Path, created: list[Path]) -> None:
    """Create `folder` and any missing parents, noting in `created` each one made here."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.is_dir():
            break
        missing.append(parent)
    for parent in reversed(missing):
        created.append(parent)  # noted first: an interrupt just after mkdir must still remove it
        try:
            parent.mkdir()
        except FileExistsError as error:
            created.remove(parent)
            if not parent.is_dir():
                raise _about(parent, error) from error
        except OSError as error:
            created.remove(parent)
            raise _about(parent, error) from error


def write_all(files: Mapping[Path, str | bytes], remove: Iterable[Path] = ()) -> None:
    """Write several files (text as UTF-8) and remove others as one change: all of it happens, or none of it does.

    Every file is first written in full and fsynced to a temporary file beside its target (creating the folders it
    needs), so a full disk, a read-only folder or an interrupt while writing changes nothing: the temporary files
    and the new folders are removed. Only then are they renamed into place, each file about to be replaced or
    removed being kept under a hard link (or a copy) first; a new file is put in place only if nothing has appeared
    there meanwhile. Should a rename fail or be interrupted, the renames made so far are undone, the removed files
    put back and the new folders removed.
    """
    remove = list(remove)
    created: list[Path] = []
    staged: list[tuple[Path, Path, bool]] = []  # (file, its temporary file, whether it is a new file)
    backups: dict[Path, Path] = {}  # backup -> the file it keeps
    undo: list[tuple[Path, Path | None]] = []  # (file, its backup or None for a new file), in the order made
    try:
        for path, content in files.items():
            _make_folders(path.parent, created)
            new = not os.path.lexists(path)  # decided now: a file that appears from here on is someone else's
            staged.append((path, _stage(path, content), new))
        # every file is written: from here on the repository changes, and is put back should anything fail
        for path in remove:
            backup = _backup_name(path)
            backups[backup] = path
            undo.append((path, backup))
            _rename(path, backup, path)
        for path, temporary, new in staged:
            if not new:
                backup = _backup_name(path)
                backups[backup] = path  # noted first: a copy cut short is removed, never put back
                try:
                    os.link(path, backup)
                except OSError:
                    shutil.copy2(path, backup)
                undo.append((path, backup))
            else:
                undo.append((path, None))
                if not _create(temporary, path):
                    undo.pop()  # the file there now is someone else's: never removed by the undo
                    raise FileExistsError(
                        errno.EEXIST, "the file was created by something else meanwhile; run the command again", path
                    )
                continue
            _rename(temporary, path, path)
    except BaseException as error:
        lost = _undo(undo)
        for _, temporary, _ in staged:
            _discard(temporary)
        for backup in backups:
            if backup not in lost:
                _discard(backup)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if lost:
            reason = (error.strerror or str(error)) if isinstance(error, OSError) else "interrupted"
            kept = "; ".join(f"{backups[b]} is kept as {b}" for b in lost)
            raise OSError(
                getattr(error, "errno", None), f"{reason}, and the change could not be undone: {kept}"
            ) from error
        if isinstance(error, OSError):
            raise OSError(error.errno, f"{error.strerror or error}; nothing was written", error.filename) from error
        raise
    for backup in backups:
        _discard(backup)
    for folder in dict.fromkeys([*(p.parent for p in files), *(p.parent for p in remove)]):
        _sync_folder(folder)


def _create(temporary: Path, path: Path) -> bool:
    """Put a new file in place only if nothing is there yet (False if something is): a hard link cannot replace a
    file, as a rename would. Where the file system has no hard links, a rename it is."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise _about(path, error) from error
        _rename(temporary, path, path)
        return True
    _discard(temporary)
    return True


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _undo(steps: list[tuple[Path, Path | None]]) -> list[Path]:
    """Put back each file changed by write_all, newest change first; return the backups that could not be."""
    lost = []
    for path, backup in reversed(steps):
        try:
            if backup is None:
                path.unlink(missing_ok=True)
            elif backup.exists():
                os.replace(backup, path)
        except OSError:
            if backup is not None:
                lost.append(backup)
    return lost


@functools.cache
def current_umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask
