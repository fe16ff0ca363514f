"""Changing plan files without losing anything: round-trip edits and atomic writes.

Every edit (1) checks the file with the safe reader first (so a hostile or broken file is refused, not rewritten),
(2) changes it through ruamel.yaml's round-trip loader set to the file's own indentation, quoting and line endings,
so every line it did not mean to change stays byte-identical, (3) validates the result against the model, and
(4) writes it to a temporary file in the same folder, fsyncs it and renames it over the original. A crash or kill at
any moment leaves either the old file or the new one, never half of one. Commands that write several files (import,
init) write them all first and rename them into place only then, undoing the renames made if one fails: an edit that
fails for any reason leaves the repository as it was.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import functools
import io
import math
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from .dates import DateError, Period, parse_when, reporting_periods
from .load import ActionSource, PlanSource, Problem, Workspace, did_you_mean, display_path, validation_problems
from .model import Action, Plan, validation_context
from .yamlsrc import YamlProblem, parse_text

STATUSES = ("not-started", "in-progress", "complete", "cancelled")
BOM = "\ufeff"
RAGS = ("green", "amber", "red")


class EditError(Exception):
    """An edit that cannot be made; nothing was written. The message says why (with file:line where there is one).

    `code` is the exit code: 1 when a file or the plan refuses the edit, 2 for a mistake in the options given.
    """

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class EditResult:
    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, base: Path | None = None) -> str:
        name = display_path(self.path, base)
        return "".join(difflib.unified_diff(_lines(self.before), _lines(self.after), f"a/{name}", f"b/{name}"))


# ---- round trip ----


_NESTED_KEY = re.compile(r"^( *)[^\s#-][^:\n]*:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( +)[^\s#-]", re.MULTILINE)


def _mapping_indent(text: str) -> int:
    """How far this file indents a nested mapping (2 unless it shows otherwise)."""
    match = _NESTED_KEY.search(text)
    return len(match.group(2)) - len(match.group(1)) if match else 2


def _round_trip(text: str) -> tuple[YAML, Any]:
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


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


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
    by someone else since it was read is refused with an EditError, not overwritten. Any failure (a full disk, a
    read-only folder, an interrupt) leaves `path` as it was and no temporary file behind.
    """
    temporary = _stage(path, content)
    try:
        if expect is not None and _current_bytes(path) != expect:
            raise EditError(
                f"{display_path(path)}: the file was changed by something else while this edit was being made; "
                "nothing was written: run the command again"
            )
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


# what link() says on a file system without hard links (FAT, some network shares) or where they are not allowed
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


def check_action_text(text: str, path: Path, fy_start: int, plan: Plan | None = None) -> Action:
    """Parse and validate an action file's text (deadline codes read through `plan`'s legend); raise EditError
    listing every problem with its line."""
    try:
        doc = parse_text(text)
    except YamlProblem as problem:
        raise EditError(Problem(path, problem.line, problem.column, problem.message).format()) from None
    if not isinstance(doc.data, dict):
        raise EditError(f"{display_path(path)}:1:1: not an action file (expected keys such as id and title)")
    try:
        return Action.model_validate(doc.data, context=validation_context(fy_start, plan))
    except ValidationError as error:
        problems = validation_problems(error, doc, path, Action)
        raise EditError("\n".join(p.format() for p in problems)) from None


# ---- finding the action ----


def find_action(workspace: Workspace, action_id: str, plan_slug: str | None) -> tuple[PlanSource, ActionSource]:
    plans = [p for p in workspace.plans if plan_slug is None or p.slug == plan_slug]
    if plan_slug is not None and not plans:
        raise EditError(f'no plan "{plan_slug}"', 2)
    matches = [(p, a) for p in plans for a in p.actions if a.action.id == action_id]
    if len(matches) > 1:
        slugs = ", ".join(p.slug for p, _ in matches)
        raise EditError(f'action "{action_id}" is in several plans ({slugs}): choose one with --plan', 2)
    if matches:
        return matches[0]
    # an invalid file is not loaded: say so rather than "not found"
    broken = [p for p in workspace.problems if p.path.name.startswith(f"{action_id}-") or p.path.stem == action_id]
    if broken:
        lines = "\n".join(p.format() for p in broken)
        raise EditError(f'the file of action "{action_id}" is invalid; fix it first:\n{lines}')
    raise EditError(f'no action "{action_id}"' + (f" in plan {plan_slug}" if plan_slug else ""))


# ---- update ----


def reporting_period(plan: Plan | None, text: str, fy_start: int) -> tuple[str, Period]:
    """The plan's reporting period that `text` names, and its canonical label ("Q2 2022/23" -> "2022/23 Q2").
    A plan with no known period accepts any well-formed period."""
    cadence = plan.reporting if plan else "quarterly"
    try:
        when = parse_when(text, fy_start)
    except DateError as error:
        raise EditError(f"--period: {error}", 2) from None
    example = ""
    if when.start is not None and when.end is not None:
        for label, span in reporting_periods(cadence, when.start, when.end, fy_start):
            if (span.start, span.end) == (when.start, when.end):
                start, end = (plan.start_date, plan.end_date) if plan else (None, None)
                if (start and span.end < start) or (end and span.start > end):
                    raise EditError(f"--period: {label} is outside the plan's period ({start} to {end})")
                return label, span
        example = reporting_periods(cadence, when.start, when.start, fy_start)[0][0]
    hint = f', e.g. "{example}"' if example else ""
    raise EditError(f'--period: "{text}" is not a {cadence} reporting period of this plan{hint}')


def _number(text: str) -> int | float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() and "." not in text else value


def parse_actuals(pairs: list[str], action: Action) -> dict[str, int | float]:
    known = [t.key for t in action.targets if t.key]
    if pairs and not known:
        raise EditError("--actual: this action has no numeric target to record an actual against; add one first", 2)
    actuals: dict[str, int | float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise EditError(f'--actual: "{pair}" should be NAME=VALUE, e.g. volunteers=12', 2)
        if name not in known:
            raise EditError(f'--actual: this action has no target "{name}"; its targets measure: {", ".join(known)}', 2)
        try:
            actuals[name] = _number(value.strip())
        except ValueError:
            raise EditError(f'--actual: "{value}" is not a number', 2) from None
        if not math.isfinite(actuals[name]):
            raise EditError(f'--actual: "{value}" is not a usable number (too large, infinite or not a number)', 2)
    return actuals


def update_action(
    workspace: Workspace,
    action_id: str,
    period: str,
    *,
    plan_slug: str | None = None,
    rag: str | None = None,
    note: str | None = None,
    actuals: list[str] = (),  # type: ignore[assignment]
    status: str | None = None,
    replace: bool = False,
    written_on: date | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Add (or with `replace`, replace) one reporting period's update of an action, and optionally its status."""
    fy_start = workspace.config.financial_year_start
    plan, source = find_action(workspace, action_id, plan_slug)
    _check_plan_file(workspace, plan)
    label, span = reporting_period(plan.plan, period, fy_start)
    if rag is not None and rag not in RAGS:
        raise EditError(f'--rag: "{rag}" is not one of {", ".join(RAGS)}', 2)
    if status is not None and status not in STATUSES:
        raise EditError(f'--status: "{status}" is not one of {", ".join(STATUSES)}', 2)
    values = parse_actuals(list(actuals), source.action)
    path = source.path
    original = _read_for_edit(path)
    try:
        raw = original.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(f"{display_path(path)}: the file is not UTF-8 text; fix it first") from None
    bom = raw.startswith(BOM)
    before = raw[1:] if bom else raw
    check_action_text(before, path, fy_start, plan.plan)  # refuse to touch a file that is not valid now
    yaml, data = _round_trip(before.replace("\r\n", "\n"))  # positions only: the text itself is spliced

    entry = CommentedMap()
    entry["period"] = DoubleQuotedScalarString(label)
    if written_on is not None:
        entry["date"] = written_on.isoformat()
    if rag is not None:
        entry["rag"] = rag
    if status is not None:
        entry["status"] = status
    if note:
        entry["note"] = LiteralScalarString(note.strip() + "\n") if "\n" in note.strip() else note.strip()
    if values:
        actual_map = CommentedMap(values)
        actual_map.fa.set_flow_style()
        entry["actuals"] = actual_map

    updates = data.get("updates")
    existing = [i for i, u in enumerate(updates or []) if _same_period(u, span, fy_start)]
    if existing and not replace:
        raise EditError(f"{display_path(path)}: action {action_id} already has an update for {label}; use --replace")

    lines, edits = splice_item(before, yaml, data, "updates", [entry], existing[-1] if existing else None)
    if status is not None:
        edits.append(_status_edit(lines, data, status, _newline(before)))
    after = apply_edits(lines, edits)
    try:
        check_action_text(after, path, fy_start, plan.plan)
    except EditError as error:
        raise EditError(f"the update would make the file invalid, so nothing was written:\n{error}") from None
    result = EditResult(path, before, after)
    if not dry_run and result.changed:
        atomic_write(path, (BOM if bom else "") + after, expect=original)
    return result


def _read_for_edit(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise EditError(
            f"{display_path(path)}: the file has gone since the plans were read; nothing was written"
        ) from None
    except OSError as error:
        raise EditError(f"{display_path(path)}: cannot read: {error.strerror or error}") from None


def _check_plan_file(workspace: Workspace, plan: PlanSource) -> None:
    """Refuse to edit a plan whose plan.yaml does not read: its priorities, period and reporting are unknown."""
    if plan.plan is not None:
        return
    broken = [p for p in workspace.problems if p.path.resolve() == plan.path.resolve()]
    if broken:
        lines = "\n".join(p.format() for p in broken)
        raise EditError(f"{display_path(plan.path)} is invalid; fix it first:\n{lines}")


def _lines(text: str) -> list[str]:
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
    return [line.rstrip("\r\n") + newline for line in _lines(buffer.getvalue())[1:]]


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
    newline = _newline(text)
    lines = _lines(text)
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


def _status_edit(lines: list[str], data: CommentedMap, status: str, newline: str) -> tuple[int, int, list[str]]:
    if "status" in data:
        number = data.lc.key("status")[0]
        line = lines[number]
        match = re.match(r"^(status:[ \t]*)(['\"]?)[\w-]*\2(.*?)(\r?\n)?$", line)
        if match is None:
            raise EditError(f"line {number + 1}: `status:` is not written on one line; set it by hand")
        return number, number + 1, [f"{match[1]}{match[2]}{status}{match[2]}{match[3]}{match[4] or newline}"]
    position = data.lc.key("updates")[0] if "updates" in data else len(lines)
    # inserted just before `updates:` (or before a new updates block at the end of the file)
    return position, position, [f"status: {status}{newline}"]


def _same_period(update: Any, span: Period, fy_start: int) -> bool:
    try:
        when = parse_when(str(update.get("period", "")), fy_start)
    except (DateError, AttributeError):
        return False
    return (when.start, when.end) == (span.start, span.end)


# ---- new action ----


def next_action_id(plan: PlanSource, priority: str | None) -> str:
    """The next free id in the plan's own scheme: "2.e" after "2.d" in priority 2, "20" after "19"."""
    ids = [a.action.id for a in plan.actions]
    if priority is not None:
        letters = [i.split(".", 1)[1] for i in ids if i.startswith(f"{priority}.") and i.split(".", 1)[1].isalpha()]
        if letters or not any(i.isdigit() for i in ids):
            last = max(letters, key=lambda x: (len(x), x), default="")
            if not last:
                return f"{priority}.a"
            if last[-1] != "z":
                return f"{priority}.{last[:-1]}{chr(ord(last[-1]) + 1)}"
            return f"{priority}.{last}a"
    numbers = [int(i) for i in ids if i.isdigit()]
    return str(max(numbers, default=0) + 1)


def schema_comment(action_path: Path, root: Path) -> str:
    from .schemas import schema_line

    return schema_line(action_path, root, "action")


def _slug(text: str, words: int = 5, limit: int = 40) -> str:
    parts: list[str] = []
    for word in re.findall(r"[a-z0-9]+", text.lower().replace("'", "")):
        if len("-".join([*parts, word])) > limit or len(parts) == words:
            break
        parts.append(word)
    return "-".join(parts) or "action"


def _quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def new_action(
    workspace: Workspace,
    plan_slug: str,
    title: str,
    *,
    priority: str | None = None,
    owners: list[str] = (),  # type: ignore[assignment]
    due: str | None = None,
    dry_run: bool = False,
) -> EditResult:
    """Create the next action file of a plan from the template; nothing is overwritten."""
    plans = [p for p in workspace.plans if p.slug == plan_slug]
    if not plans:
        raise EditError(f'no plan "{plan_slug}"; plans: {", ".join(p.slug for p in workspace.plans)}', 2)
    plan = plans[0]
    _check_plan_file(workspace, plan)
    known = [p.id for p in (plan.plan.priorities if plan.plan else [])]
    if known and priority is None:
        raise EditError(f"--priority is required: this plan's priorities are {', '.join(known)}", 2)
    if priority is not None and priority not in known:
        listed = f"; it has {', '.join(known)}" if known else ""
        raise EditError(f'--priority: the plan has no priority "{priority}"{listed}', 2)
    for owner in owners:
        if owner not in workspace.owners:
            hint = did_you_mean(owner, workspace.owners) or "; add it to owners.yaml first"
            raise EditError(f'--owner: "{owner}" is not in owners.yaml{hint}', 2)
    if not title.strip():
        raise EditError("--title: the title is empty", 2)
    action_id = next_action_id(plan, priority)
    path = plan.directory / "actions" / f"{action_id}-{_slug(title)}.yaml"
    lines = [schema_comment(path, workspace.root), f"id: {_quote(action_id)}\n"]
    if priority is not None:
        lines.append(f"priority: {_quote(priority)}\n")
    lines.append(f"title: {_quote(title.strip())}\n")
    lines.append("# what: what the council will do (optional)\n")
    lines.append(f"owners: [{', '.join(owners)}]\n")
    lines.append(f"due: {_quote(due)}\n" if due else '# due: "2024/25", "March 2025" or "ongoing"\n')
    lines.append("# targets:\n#   - text: 10 x volunteers\n")
    lines.append("# outcome: what will change for residents when this is done\n")
    text = "".join(lines)
    check_action_text(text, path, workspace.config.financial_year_start, plan.plan)
    if path.exists() or any(p.name.startswith(f"{action_id}-") for p in path.parent.glob("*.y*ml")):
        raise EditError(f"{display_path(path)}: a file for action {action_id} already exists")
    if not dry_run:  # the schemas too, when missing, so the file's schema line resolves
        from .schemas import missing_schema_files

        # also removes the actions/ folder again if it made it and the write fails
        write_all({path: text, **missing_schema_files(workspace.root)})
    return EditResult(path, "", text)


# ---- JSON Schema ----


def schema_documents() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the files a plans repository holds, for editors (VS Code's YAML extension) and CI: see
    schemas.py, where they are made from the models."""
    from .schemas import schema_documents as documents

    return documents()
