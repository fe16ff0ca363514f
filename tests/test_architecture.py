"""The house (ARCHITECTURE.md): imports point one way, with no cycle even through imports made inside functions;
the library never imports the command line; the core never imports a view; every module the document names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "src" / "actiontrack"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the package that `name` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known and c != name}
    return found


GRAPH = {name: imports(name, path, modules()) for name, path in modules().items()}


def test_the_graph_is_read_for_real():
    assert "actiontrack.yamlfile.parsing" in GRAPH["actiontrack.yamlfile.reading"]  # a lazy import, counted
    assert "actiontrack.derive" in GRAPH["actiontrack.lint"] and len(GRAPH) >= 40


def test_no_import_cycle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(GRAPH[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    assert cycles == []


def test_an_injected_cycle_would_be_found(monkeypatch):
    monkeypatch.setitem(GRAPH, "actiontrack.dates", GRAPH["actiontrack.dates"] | {"actiontrack.derive"})
    try:
        test_no_import_cycle()
    except AssertionError:
        return
    raise AssertionError("the cycle dates -> derive -> ... -> dates was not found")


def test_the_library_never_imports_the_command_line():
    for name, targets in GRAPH.items():
        if name not in ("actiontrack.cli", "actiontrack.__main__"):
            assert "actiontrack.cli" not in targets, name
            assert not re.search(r"^\s*(import typer|from typer)", modules()[name].read_text(), re.M), name


def test_the_core_never_imports_a_view():
    core = ["model", "dates", "targets", "vocab", "load", "discover", "derive", "lint", "edit", "writes", "splice"]
    for short in core:
        name = f"actiontrack.{short}"
        views = {t for t in GRAPH[name] if t.startswith("actiontrack.views") or t == "actiontrack.report"}
        assert views == set(), (name, views)


def test_architecture_md_names_only_modules_that_exist():
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_/]+\.py|[a-z_]+/)`", text))
    named |= {m.split("`")[0] for m in re.findall(r"`((?:views|rules|yamlfile|importer)/[a-z_]+\.py)", text)}
    named = {entry for entry in named if not entry.startswith("tests/")}
    assert len(named) >= 20
    for entry in named:
        assert (PACKAGE / entry).exists(), entry
    for path in PACKAGE.rglob("*.py"):  # and the document names every module
        relative = path.relative_to(PACKAGE).as_posix()
        if path.name in ("__init__.py", "__main__.py"):
            continue
        folder = relative.split("/")[0] + "/"
        assert relative in text or path.name in text or folder in named, relative
