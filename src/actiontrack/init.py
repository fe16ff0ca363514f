"""`actiontrack init`: a new plans repository with settings, an owners registry, an example plan, CI (GitHub
Actions or GitLab CI), a pre-commit configuration, the pinned release in requirements.txt and the JSON Schemas
editors use.

The starter files are templates/init/ with a few words filled in: the version of actiontrack writing them (so CI
and pre-commit install the same release) and the example plan's dates, in the financial year of the day `init`
runs, so a repository made today lints clean today.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

from . import PROJECT_URL, __version__
from .dates import fy_label, fy_of, reporting_periods
from .report import packaged_templates
from .writes import write_all

CI_CHOICES = ("github", "gitlab", "none")
_CI_FILES = {"github": ".github/", "gitlab": ".gitlab-ci.yml"}
REMINDERS = ".github/workflows/reminders.yml"  # only with `reminders`: a scheduled workflow that opens issues
_FY_START = 4  # the starter actiontrack.yaml says April


class InitProblem(Exception):
    """The folder already holds files init would write; nothing was written."""


class InitUsage(Exception):
    """What was asked cannot be made (e.g. GitHub reminders for a GitLab repository); nothing was written. `field`
    names the option at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _example_update(today: date, plan_start: date, due: date) -> str:
    """The example action's update for the last reporting period that has ended, if that lies in the plan, with an
    actual on a steady pace to its target of 200 visits by the deadline (so no KPI is shown behind)."""
    cutoff = today - timedelta(days=1)
    label, span = reporting_periods("quarterly", cutoff, cutoff, _FY_START)[0]
    if span.end > cutoff:
        before = span.start - timedelta(days=1)
        label, span = reporting_periods("quarterly", before, before, _FY_START)[0]
    if span.end < plan_start:
        return "updates: []                    # one per quarter: actiontrack update 1.a --period ...\n"
    visits = math.ceil(200 * (span.end - plan_start).days / (due - plan_start).days) + 5
    return (
        "updates:\n"
        f'  - period: "{label}"\n'
        "    rag: green\n"
        f"    note: Service commissioned; {visits} visits made.\n"
        f"    actuals: {{visits: {visits}}}\n"
    )


def fill_ins(today: date) -> dict[str, str]:
    """The words templates/init/ leaves open, for a repository made on `today`."""
    first = fy_of(today, _FY_START)
    plan_start = date(first, _FY_START, 1)
    return {
        "@VERSION@": __version__,
        "@PROJECT_URL@": PROJECT_URL,
        "@FY@": fy_label(first, _FY_START),
        "@FY_NEXT@": fy_label(first + 1, _FY_START),
        "@PERIOD@": f"{first}/{(first + 2) % 100:02d}",
        "@FY_SLUG@": f"{first}-{(first + 2) % 100:02d}",
        "@UPDATES@\n": _example_update(today, plan_start, date(first + 2, _FY_START, 1) - timedelta(days=1)),
    }


def starter_files(today: date | None = None, ci: str = "github", reminders: bool = False) -> dict[str, bytes]:
    """Relative path -> content of every file a new repository gets; with `reminders`, the scheduled workflow that
    reminds each owner in an issue (GitHub only)."""
    if ci not in CI_CHOICES:
        raise ValueError(f"ci must be one of {CI_CHOICES}")
    if reminders and ci != "github":
        raise InitUsage(
            "the reminders workflow is for GitHub (--ci github); on GitLab, a scheduled pipeline does the same "
            '(README, "Calendars and reminders")',
            "reminders",
        )
    values = fill_ins(today or date.today())
    root = packaged_templates() / "init"
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if not path.is_file() or any(name.startswith(prefix) for kind, prefix in _CI_FILES.items() if kind != ci):
            continue
        if name == REMINDERS and not reminders:
            continue
        text = path.read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        files[name] = text.encode("utf-8")
    from .schemas import SCHEMA_DIR, schema_files

    for name, text in schema_files().items():
        files[f"{SCHEMA_DIR}/{name}"] = text.encode("utf-8")
    return files


def init_repository(
    directory: Path, today: date | None = None, ci: str = "github", reminders: bool = False
) -> list[str]:
    """Write the starter files into `directory` (created if needed); refuse if any of them exists already.

    All of them or none: a write that fails leaves no half-made repository that a second `init` would refuse."""
    files = starter_files(today, ci, reminders)
    clashes = sorted(name for name in files if (directory / name).exists())
    if clashes:
        raise InitProblem(f"{directory} already has: {', '.join(clashes)}; nothing was written")
    write_all({directory / name: content for name, content in files.items()})
    return sorted(files)
