"""Real git repositories for the history tests: dated commits by several authors, built with git itself."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

OWNERS = """\
owners:
  - id: housing
    name: Housing
    kind: team
  - id: planning
    name: Planning Policy
    kind: team
  - id: leisure
    name: Leisure Services
    kind: team
"""

PLAN = """\
title: Wellbeing Plan 2022/23
period: "2022/23"
reporting: quarterly
priorities:
  - id: "1"
    title: Housing for all
  - id: "2"
    title: Active lives
"""


def action(
    id_: str,
    title: str,
    due: str | None = '"March 2023"',
    owners: str = "[housing]",
    extra: str = "",
    priority: str = "1",
) -> str:
    lines = [f'id: "{id_}"', f'priority: "{priority}"', f"title: {title}", f"owners: {owners}"]
    if due is not None:
        lines.append(f"due: {due}")
    return "\n".join(lines) + "\n" + textwrap.dedent(extra)


def write(root: Path, files: dict[str, str | None]) -> Path:
    """Files under `root`, their text exactly as given (None removes one)."""
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return root


class Repo:
    """A git repository in `path`; `commit` writes files (None removes one) and commits them at a date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})},
        )
        return done.stdout

    def write(self, files: dict[str, str | None]) -> None:
        write(self.path, files)

    def commit(
        self, day: str, author: str, message: str, files: dict[str, str | None], moves: dict[str, str] | None = None
    ) -> str:
        for old, new in (moves or {}).items():
            (self.path / new).parent.mkdir(parents=True, exist_ok=True)
            self.git("mv", old, new)
        self.write(files)
        self.git("add", "-A")
        stamp = f"{day}T10:00:00+00:00"
        email = f"{author.split()[0].lower()}@example.org"
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
        }
        self.git("commit", "-q", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


def plans_history(path: Path) -> tuple[Repo, dict[str, str]]:
    """A plan's first half-year in git, with every kind of change, a rename, a tag and a broken old revision.
    Returns the repository and its commits by name."""
    repo = Repo(path)
    a = "plans/wellbeing/actions/"
    commits = {}
    commits["approved"] = repo.commit(
        "2022-04-05",
        "Alice Archer",
        "Plan as approved by the board",
        {
            "plans/owners.yaml": OWNERS,
            "plans/wellbeing/plan.yaml": PLAN,
            a + "1.a-homes.yaml": action("1.a", "Build homes"),
            a + "1.b-advice.yaml": action(
                "1.b",
                "Housing advice",
                '"2022/23"',
                extra='milestones:\n  - text: Open the advice line\n    due: "June 2022"\n',
            ),
            a + "2.a-parks.yaml": action("2.a", "Parks for all", '"December 2022"', "[leisure]", priority="2"),
        },
    )
    repo.git("tag", "approved")
    commits["slip"] = repo.commit(
        "2022-06-10",
        "Bob Baker",
        "1.a: deadline moved to June after the builder's delay",
        {
            a + "1.a-homes.yaml": action("1.a", "Build homes", '"June 2023"'),
            a + "1.b-advice.yaml": action(
                "1.b",
                "Housing advice",
                '"2022/23"',
                extra='status: in-progress\nmilestones:\n  - text: Open the advice line\n    due: "June 2022"\n',
            ),
        },
    )
    commits["q1"] = repo.commit(
        "2022-07-15",
        "Alice Archer",
        "Q1 updates; parks move to planning; advice file renamed",
        {
            a + "1.a-homes.yaml": action(
                "1.a",
                "Build homes",
                '"June 2023"',
                extra='updates:\n  - period: "2022/23 Q1"\n    rag: amber\n    note: Site delayed\n',
            ),
            a + "2.a-parks.yaml": action(
                "2.a", "Parks for all", '"December 2022"', "[leisure, planning]", priority="2"
            ),
        },
        moves={a + "1.b-advice.yaml": a + "1.b-housing-advice.yaml"},
    )
    commits["broken"] = repo.commit(
        "2022-08-01",
        "Carol Clark",
        "Merge the advice team's edits (conflict left in)",
        {
            a + "1.b-housing-advice.yaml": "<<<<<<< HEAD\n"
            + action("1.b", "Housing advice", '"2022/23"')
            + "=======\n"
            + action("1.b", "Housing advice line", '"2022/23"')
            + ">>>>>>> advice\n",
        },
    )
    commits["q2"] = repo.commit(
        "2022-10-03",
        "Carol Clark",
        "Q2: advice line open; 3.a added; parks dropped",
        {
            a + "1.b-housing-advice.yaml": action(
                "1.b",
                "Housing advice",
                '"2022/23"',
                extra='status: complete\nmilestones:\n  - text: Open the advice line\n    due: "June 2022"\n'
                "    done: true\n",
            ),
            a + "3.a-pools.yaml": action("3.a", "Swimming for all", '"2023/24"', "[leisure]", priority="2"),
            a + "2.a-parks.yaml": None,
            a + "1.a-homes.yaml": action(
                "1.a",
                "Build new homes",
                '"June 2023"',
                extra='targets:\n  - text: 100 x homes\nupdates:\n  - period: "2022/23 Q1"\n    rag: amber\n'
                "    note: Site delayed\n"
                '  - period: "2022/23 Q2"\n    rag: green\n    note: On site\n    actuals: {homes: 30}\n',
            ),
        },
    )
    return repo, commits


def _clone(source: Path, target: Path) -> Repo:
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True, capture_output=True)
    repo = Repo.__new__(Repo)
    repo.path = target
    return repo


Repo.clone = staticmethod(_clone)  # type: ignore[attr-defined]
