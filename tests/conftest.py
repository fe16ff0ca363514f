"""Shared fixtures: the bundled plans, and small plans repositories built in a temporary folder."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """The CLI caches parsed files (cache.py); tests keep theirs in a temporary folder, not the user's home."""
    os.environ["ACTIONTRACK_CACHE_DIR"] = str(tmp_path_factory.mktemp("actiontrack-cache"))
    os.environ.pop("ACTIONTRACK_NO_CACHE", None)
    yield


REPO = Path(__file__).resolve().parent.parent
BUNDLED_PLANS = REPO / "plans"
AS_OF = "2023-06-30"

OWNERS = """\
owners:
  - id: planning-policy
    name: Planning Policy
    kind: team
  - id: joel-matthews
    name: Joel Matthews
    kind: person
"""

PLAN = """\
title: Test plan 2022/23
period: "2022/23"
reporting: quarterly
priorities:
  - id: "1"
    title: Housing for all
"""

ACTION = """\
id: "1.a"
priority: "1"
title: Promote high design standards for new housing
what: Review policy as part of Local Plan refresh
owners: [planning-policy]
due: "2022/24"
milestones:
  - text: Commence refresh of local plan
outcome: Achieve high design standards for new homes
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path):
    """Build a plans repository: make_repo({"plans/p/actions/1.b-x.yaml": "..."}) on top of a valid one-action plan."""

    def build(extra: dict[str, str | bytes] | None = None, *, base: bool = True) -> Path:
        files: dict[str, str | bytes] = {}
        if base:
            files = {
                "plans/owners.yaml": OWNERS,
                "plans/test-plan/plan.yaml": PLAN,
                "plans/test-plan/actions/1.a-promote.yaml": ACTION,
            }
        files.update(extra or {})
        return write_tree(tmp_path, files)

    return build
