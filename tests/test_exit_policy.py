"""One exit policy for every command (README, "Exit codes"): with one plan file that cannot be read, each command
that reads the plans still does what it can with the others, reports the file with its line, and exits 1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app

from .conftest import ACTION, OWNERS, PLAN, write_tree

BROKEN = {
    "broken YAML": b'id: "9.z"\ntitle: [never closed\n',
    "not UTF-8": b'id: "9.z"\ntitle: caf\xe9\n',
    "conflict markers": b'id: "9.z"\n<<<<<<< HEAD\ntitle: Ours\n=======\ntitle: Theirs\n>>>>>>> branch\n',
    "schema": b'id: "9.z"\ntitle: Fine\nownres: [planning-policy]\n',
}
COMMANDS = {
    "validate": ["validate"],
    "status": ["status", "--as-of", "2023-01-01"],
    "status --json": ["status", "--json", "--as-of", "2023-01-01"],
    "show": ["show", "1.a", "--as-of", "2023-01-01"],
    "owners": ["owners", "--as-of", "2023-01-01"],
    "owners --json": ["owners", "--json", "--as-of", "2023-01-01"],
    "lint": ["lint", "--as-of", "2023-01-01"],
    "report md": ["report", "--format", "md", "--out", "site-md", "--as-of", "2023-01-01"],
    "report html": ["report", "--format", "html", "--out", "site", "--as-of", "2023-01-01"],
    "export": ["export", "--out", "actions.csv", "--as-of", "2023-01-01"],
    "update": ["update", "1.a", "--period", "2022/23 Q2", "--rag", "green"],
    "new": ["new", "--plan", "test-plan", "--priority", "1", "--title", "Open a hub"],
    "import": ["import", "table.csv", "--plan", "imported"],
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_exits_1_on_an_unreadable_file(tmp_path, monkeypatch, command, broken):
    write_tree(
        tmp_path,
        {
            "plans/owners.yaml": OWNERS,
            "plans/test-plan/plan.yaml": PLAN,
            "plans/test-plan/actions/1.a-promote.yaml": ACTION,
            "plans/test-plan/actions/9.z-broken.yaml": BROKEN[broken],
            "table.csv": "Ref,Action,Lead,Deadline\n1,Do it,Planning Policy,2024\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, COMMANDS[command])
    assert "Traceback" not in result.output
    assert result.exit_code == 1, (command, result.output)
    shown = result.stdout if command == "lint" else result.stderr  # lint's findings are its output
    assert "plans/test-plan/actions/9.z-broken.yaml:" in shown  # named, with its line
    # and the readable files were still used
    written = ("site", "site-md", "actions.csv", "plans/imported", "plans/test-plan/actions/1.b-open-a-hub.yaml")
    if command == "update":
        assert "2022/23 Q2" in (tmp_path / "plans/test-plan/actions/1.a-promote.yaml").read_text()
    elif command not in ("validate", "lint"):
        assert result.stdout or any(tmp_path.joinpath(p).exists() for p in written)
