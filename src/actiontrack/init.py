"""`actiontrack init`: a new plans repository with settings, an owners registry, an example plan, the publishing
workflow, a pre-commit configuration and the JSON Schemas editors use."""

from __future__ import annotations

import json
from pathlib import Path

from .edit import SCHEMA_DIR, schema_documents, write_all
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
    """Write the starter files into `directory` (created if needed); refuse if any of them exists already.

    All of them or none: a write that fails leaves no half-made repository that a second `init` would refuse."""
    files = starter_files()
    clashes = sorted(name for name in files if (directory / name).exists())
    if clashes:
        raise InitProblem(f"{directory} already has: {', '.join(clashes)}; nothing was written")
    write_all({directory / name: content for name, content in files.items()})
    return sorted(files)
