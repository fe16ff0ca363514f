"""`actiontrack rules`: the lint rules listed, or one explained with its examples."""

from __future__ import annotations

from ..rules import Rule


def rules_table(rules: list[Rule]):  # -> rich Table
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=True, pad_edge=False)
    for column in ("Code", "Name", "Severity", "What it finds"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        table.add_row(rule.code, rule.name, rule.severity, Text(rule.summary))
    return table


def _files(files: dict[str, str]) -> str:
    """The example's own files (the rest of the example repository, BASE, is a valid one-action plan)."""
    return "".join(
        f"  {path}:\n" + "".join(f"    {line}\n" for line in text.splitlines()) for path, text in files.items()
    )


def explain(rule: Rule) -> str:
    """A rule in full: code, name, severity, options, its documentation, and files where it fires and does not."""
    options = ", ".join(f"{key} (default {value!r})" for key, value in rule.options.items()) or "none"
    text = f"{rule.code} {rule.name}\ndefault severity: {rule.severity}\noptions: {options}\n\n{rule.doc}\n"
    example = rule.example
    if example is not None:
        if example.committed is not None:
            text += f"\nFirst committed to git as:\n{_files(example.committed)}\nthen changed to what follows.\n"
        text += f"\nFires on, as of {example.day(True).isoformat()}:\n{_files(example.fails)}"
        text += f"\nDoes not fire on, as of {example.day(False).isoformat()}:\n{_files(example.passes)}"
    return text
