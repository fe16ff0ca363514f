"""`actiontrack init`: a new plans repository with settings, an owners registry, an example plan, the publishing
workflow, a pre-commit configuration and the JSON Schemas editors use."""

from __future__ import annotations

import json
from pathlib import Path

from .edit import SCHEMA_DIR, atomic_write, schema_documents
from .report import packaged_templates


class InitProblem(Exception):
    """The folder already holds files init would write; nothing was written."""


def starter_files() -> dict[str, bytes]:
    """Relative path -> content of every file a new repository gets."""
    root = packaged_templates() / "init"
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    for name, document in schema_documents().items():
        files[f"{SCHEMA_DIR}/{name}.schema.json"] = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    return files


def init_repository(directory: Path) -> list[str]:
    """Write the starter files into `directory` (created if needed); refuse if any of them exists already."""
    files = starter_files()
    clashes = sorted(name for name in files if (directory / name).exists())
    if clashes:
        raise InitProblem(f"{directory} already has: {', '.join(clashes)}; nothing was written")
    for name, content in files.items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, content)
    return sorted(files)
