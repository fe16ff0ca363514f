"""The cache of parsed files, lint results and command output, so that a second run over unchanged plans is instant.

Entries are keyed by a hash of the files' contents (never by modification times), so a cached run gives exactly
the output an uncached one would; entries for files as they no longer are get pruned, those used last kept. It
lives outside the repository, in the user's cache folder (`$ACTIONTRACK_CACHE_DIR`, else `$XDG_CACHE_HOME/
actiontrack`, else `~/.cache/actiontrack`), one sub-folder per plans repository; entries are pickles, so the folder
must be the user's own (it is created 0700 and a folder that others can write to is never read). Delete it at any
time; `ACTIONTRACK_NO_CACHE=1` or `--no-cache` turns it off. Any problem with it (unwritable, corrupt, another
version's) means "not cached", never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__

# bump when what is cached changes shape; the package version is part of every key too
FORMAT = 1
#: entries kept of each kind whose key covers a whole run (every file's digest): the ones used last
KEEP = {"results": 8, "outputs": 32, "history": 8, "baselines": 8, "settings": 16}
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a cache made by actiontrack.\n"


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab", "c") differs from ("a", "bc")
        hasher.update(data)
    return hasher.hexdigest()


@functools.lru_cache(maxsize=1)
def code_signature() -> str:
    """Which build of actiontrack this is, down to its files' bytes: an edited checkout, or another build of the same
    version (whose files may carry the same times), must not reuse older results."""
    package = Path(__file__).resolve().parent
    parts: list[bytes | str] = []
    for path in sorted(package.rglob("*.py")):
        parts += [str(path.relative_to(package)), path.read_bytes()]
    return digest(*parts)


def environment_digest() -> str:
    """What a terminal view's output depends on besides its inputs: the environment (NO_COLOR, COLUMNS, TERM...),
    whether each output is a terminal, and its size."""
    import shutil
    import sys

    streams = [str(stream.isatty()) if hasattr(stream, "isatty") else "-" for stream in (sys.stdout, sys.stderr)]
    size = shutil.get_terminal_size((0, 0))
    return digest(*sorted(f"{name}={value}" for name, value in os.environ.items()), *streams, f"{size[0]}x{size[1]}")


def cache_home() -> Path | None:
    if os.environ.get("ACTIONTRACK_NO_CACHE", "").strip() not in ("", "0"):
        return None
    configured = os.environ.get("ACTIONTRACK_CACHE_DIR")
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "actiontrack"


class Cache:
    """The cache of one plans repository; `Cache(None)` is a cache that is off."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._ready = False
        self._digests: dict[str, tuple[tuple[int, ...], str]] | None = None
        self._digests_changed = False

    def __getstate__(self) -> dict[str, Any]:  # sent to worker processes: the folder, not what was read
        return {"directory": self.directory, "_ready": False, "_digests": None, "_digests_changed": False}

    def file_digest(self, path: str | Path, read: Callable[[Any], bytes]) -> str:
        """The digest of a file's bytes, remembered with its stat signature so an unchanged file is not re-read.

        Any write changes the signature (its ctime cannot be set back); a file changed within the last two
        seconds is hashed afresh every time, so two writes within one clock tick are not mistaken (as git does)."""
        if self.directory is None:
            return digest(read(path))
        if self._digests is None:
            found = self.get("digests", "files")
            self._digests = found if isinstance(found, dict) else {}
        info = os.stat(path)
        signature = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)
        name = str(path)
        known = self._digests.get(name)
        if isinstance(known, tuple) and len(known) == 2 and known[0] == signature and isinstance(known[1], str):
            return known[1]
        content = digest(read(path))
        if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > 2_000_000_000:
            self._digests[name] = (signature, content)
            self._digests_changed = True
        return content

    def save_digests(self) -> None:
        if self._digests_changed and self._digests is not None:
            self.put("digests", "files", self._digests)
            self._digests_changed = False

    @classmethod
    def for_repository(cls, root: Path, enabled: bool = True) -> Cache:
        home = cache_home() if enabled else None
        if home is None:
            return cls(None)
        return cls(home / f"v{FORMAT}" / digest(str(root.resolve()))[:24])

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def key(self, *parts: bytes | str) -> str:
        return digest(str(FORMAT), __version__, code_signature(), *parts)

    def get(self, kind: str, key: str) -> Any | None:
        if self.directory is None or not self._trusted():
            return None
        path = self.directory / kind / f"{key}.pickle"
        try:
            with open(path, "rb") as handle:
                found = pickle.load(handle)
        except Exception:  # missing, truncated, from another version: not cached
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: `prune` keeps the entries used last
        return found

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.directory is None:
            return
        try:
            folder = self.directory / kind
            self._prepare(folder)
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temp, folder / f"{key}.pickle")
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            self.directory = None  # cannot cache here: carry on without
            return
        if kind in KEEP:
            self.prune(kind, KEEP[kind])

    def prune(self, kind: str, keep: int) -> None:
        """Delete all but the `keep` entries of `kind` used last (reading an entry marks it used), so the cache does
        not grow with every edit: an entry for files as they no longer are is rarely asked for again."""
        if self.directory is None:
            return
        try:
            with os.scandir(self.directory / kind) as entries:
                found = [(entry.stat().st_mtime_ns, entry.path) for entry in entries if entry.name.endswith(".pickle")]
        except OSError:
            return
        found.sort()
        for _, path in found[: max(0, len(found) - keep)]:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def _prepare(self, folder: Path) -> None:
        if not self._ready:
            assert self.directory is not None
            home = self.directory.parent.parent
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
            tag = home / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(_TAG, encoding="utf-8")
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._ready = True
        folder.mkdir(mode=0o700, exist_ok=True)

    def _trusted(self) -> bool:
        """Only read a cache folder that this user owns and nobody else can write to: entries are pickles."""
        assert self.directory is not None
        try:
            info = self.directory.stat()
        except OSError:
            return False
        own = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        return own and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class OutputCache:
    """A command's whole output (stdout, stderr, exit code), replayed when an identical run comes again.

    Identical means: the same files with the same bytes (a content hash of each), the same options and as-of
    date, the same actiontrack, the same working folder, and the same environment and terminal (colour and width
    decide the output)."""

    def __init__(self, cache: Cache, key: str) -> None:
        self.cache = cache
        self.key = key

    @classmethod
    def for_run(cls, cache: Cache, files: str, command: str, options: list[str]) -> OutputCache:
        """The entry of a run of `command` with `options` over the files whose fingerprint is `files`."""
        return cls(cache, cache.key("output", command, *options, str(Path.cwd()), files, environment_digest()))

    def replay(self) -> tuple[str, str, int] | None:
        found = self.cache.get("outputs", self.key)
        if isinstance(found, tuple) and [type(part) for part in found] == [str, str, int]:
            self.cache.save_digests()
            return found
        return None

    def remember(self, out: str, err: str, code: int) -> None:
        self.cache.put("outputs", self.key, (out, err, code))
