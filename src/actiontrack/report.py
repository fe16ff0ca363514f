"""`actiontrack report`: a Markdown report or a static HTML site, rendered from the snapshot through Jinja templates.

Templates live in the top-level templates/ folder (shipped in the wheel as actiontrack/templates); a plans
repository overrides any of them with a file of the same name in its own templates/ folder (or --templates DIR).

The output is deterministic: the same input and as-of date give byte-identical files. It is built in a temporary
folder beside --out and swapped in at the end, so a failed build never leaves a half-written report; a folder that
is not an earlier actiontrack report is never overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .derive import DerivedAction, Snapshot, priority_title
from .load import UsageError
from .views.records import action_detail, attention_text, original_due_text, owner_workload, plan_summary
from .vocab import STATES

MARKER = ".actiontrack-report"
FORMATS = ("md", "html")


def packaged_templates() -> Path:
    """The templates shipped with actiontrack: inside the wheel, or the repository's templates/ in development."""
    installed = Path(__file__).parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "templates"


def template_dirs(root: Path, override: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: --templates, the plans repository's templates/, packaged."""
    dirs = []
    if override is not None:
        if not override.is_dir():
            raise UsageError(f"{override} is not a folder", "templates")
        dirs.append(override.resolve())
    local = (root / "templates").resolve()
    if local.is_dir():
        dirs.append(local)
    packaged = packaged_templates().resolve()
    if packaged not in dirs:
        dirs.append(packaged)
    return dirs


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, forward slashes
    template: str
    context: dict[str, Any]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def action_url(derived: DerivedAction) -> str:
    return f"plans/{derived.plan_slug}/actions/{_slug(derived.id)}.html"


def owner_url(owner_id: str) -> str:
    return f"owners/{_slug(owner_id)}.html"


def owner_feed(owner_id: str) -> str:
    return f"owners/{_slug(owner_id)}.ics"


def plan_feed(slug: str) -> str:
    return f"plans/{slug}/calendar.ics"


SITE_FEED = "calendar.ics"


def _calendar(path: str, what: str, site: str | None) -> dict[str, Any]:
    """A page's calendar feed: its path in the site, its full address where the site's is known, what it holds."""
    full = f"{site}{path}" if site else None
    webcal = "webcal://" + full.split("://", 1)[1] if full else None
    return {"path": path, "url": full, "webcal": webcal, "what": what}


def _digest_data(snapshot: Snapshot, owner_id: str) -> dict[str, Any]:
    from .digest import digest
    from .views.digest import digest_record

    record = digest_record(digest(snapshot, owner_id))
    for section in record["sections"]:
        for item in section["items"]:
            item["url"] = f"plans/{item['plan']}/actions/{_slug(item['id'])}.html"
    return record


def _action_data(derived: DerivedAction, snapshot: Snapshot) -> dict[str, Any]:
    data = action_detail(derived, snapshot.workspace)
    data.update(
        {
            "url": action_url(derived),
            "state_label": derived.state_label,
            "attention": list(derived.attention),
            "attention_text": attention_text(derived),
            "latest_note": derived.latest.note if derived.latest else None,
            "last_period": derived.last_period.label if derived.last_period else None,
            "priority_title": priority_title(derived.plan, derived.action.priority),
            "plan_title": derived.plan.title,
            "kpis": derived.kpis,
            "original_due_text": original_due_text(derived),
        }
    )
    return data


def _plan_data(snapshot: Snapshot) -> list[dict[str, Any]]:
    plans = []
    for plan in snapshot.workspace.plans:
        typed = snapshot.plan_summary(plan)
        members = list(typed.actions)
        summary = plan_summary(typed)
        actions = {id(a): _action_data(a, snapshot) for a in members}
        for record, group in zip(summary["priorities"], typed.priorities, strict=True):
            record["actions"] = [actions[id(a)] for a in group.actions]
        model = plan.plan
        plans.append(
            {
                **summary,
                "url": f"plans/{plan.slug}/index.html",
                "md_url": f"plans/{plan.slug}.md",
                "organisation": model.organisation if model else None,
                "period": model.period.text if model and model.period else None,
                "starts": model.start_date if model else None,
                "ends": model.end_date if model else None,
                "reporting": model.reporting if model else None,
                "source": model.source if model else None,
                "actions": [actions[id(a)] for a in members],
                "exceptions": [actions[id(a)] for a in snapshot.needs_attention(members)],
                "derived": members,
            }
        )
    return plans


def pages(snapshot: Snapshot, fmt: str, title: str, history: dict[str, Any] | None = None) -> list[Page]:
    """Every page of the report, with its template and context; `history` (views/history.report_records) adds the
    changes since a point to the index and plan pages, and each action's timeline to its page."""
    plans = _plan_data(snapshot)
    for plan in plans:
        plan["changes"] = []
        for action in plan["actions"]:
            action["history"] = []
    if history is not None:
        urls = {(plan["plan"], a["id"]): a["url"] for plan in plans for a in plan["actions"]}
        for plan in plans:
            plan["changes"] = history["by_plan"].get(plan["plan"], [])
            for action in plan["actions"]:
                action["history"] = history["timelines"].get((plan["plan"], action["id"]), [])
        for items in history["by_plan"].values():
            for item in items:
                item["url"] = urls.get((item["plan"], item["id"]))  # None: removed since
    owners = owner_workload(snapshot)
    for owner in owners:
        owner["url"] = owner_url(owner["id"])
    workspace = snapshot.workspace
    common = {
        "site_title": title,
        # every file that could not be read, named on every page: a report never has a silent gap
        "left_out": [
            {"path": workspace.machine_path(p.path), "line": p.line, "message": p.message} for p in workspace.problems
        ],
        "as_of": snapshot.as_of.isoformat(),
        "as_of_date": snapshot.as_of,
        "states": STATES,
        "plans": plans,
        "owners": owners,
        "history": history,
    }
    if fmt == "md":
        return [
            Page("index.md", "md/index.md.j2", common),
            *(Page(plan["md_url"], "md/plan.md.j2", {**common, "plan": plan}) for plan in plans),
        ]
    site = workspace.config.report.site_base
    result = [
        Page("index.html", "html/index.html.j2", {**common, "calendar": _calendar(SITE_FEED, "of every plan", site)}),
        Page("owners.html", "html/owners.html.j2", common),
    ]
    for plan in plans:
        feed = _calendar(plan_feed(plan["plan"]), "of this plan", site)
        result.append(Page(plan["url"], "html/plan.html.j2", {**common, "plan": plan, "calendar": feed}))
        for action in plan["actions"]:
            result.append(Page(action["url"], "html/action.html.j2", {**common, "plan": plan, "action": action}))
    all_actions = [a for plan in plans for a in plan["actions"]]
    for owner in owners:
        mine = [a for a in all_actions if owner["id"] in [o["id"] for o in a["owners"]]]
        context = {
            **common,
            "owner": owner,
            "actions": mine,
            "calendar": _calendar(owner_feed(owner["id"]), "of the actions this owner delivers", site),
            "digest": _digest_data(snapshot, owner["id"]),
        }
        result.append(Page(owner["url"], "html/owner.html.j2", context))
    return result


def feeds(snapshot: Snapshot, title: str) -> dict[str, bytes]:
    """The site's calendar feeds (path -> iCalendar bytes): every plan's, each plan's, each owner's."""
    from .calendars import all_events, feed_for, history_for, to_ical, uid_domain

    workspace = snapshot.workspace
    site = workspace.config.report.site_base
    events = all_events(snapshot, *history_for(workspace))
    domain = uid_domain(workspace)

    def one(path: str, **choice: str) -> bytes:
        url = f"{site}{path}" if site else None
        return to_ical(feed_for(snapshot, events, title=title, url=url, **choice), domain)

    found = {SITE_FEED: one(SITE_FEED)}
    for plan in workspace.plans:
        found[plan_feed(plan.slug)] = one(plan_feed(plan.slug), plan=plan.slug)
    for load in snapshot.owner_loads():
        found[owner_feed(load.id)] = one(owner_feed(load.id), owner=load.id)
    return found


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder", "out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(
            f"{out} already holds files that are not an actiontrack report; "
            "choose an empty or new folder (a previous report there is replaced)",
            "out",
        )


class IncompleteReport(Exception):
    """Some plan files could not be read and the report was asked not to leave anything out; nothing was written."""


def build(
    snapshot: Snapshot,
    fmt: str,
    out: Path,
    title: str | None = None,
    templates: Path | None = None,
    refuse_incomplete: bool = False,
    history: dict[str, Any] | None = None,
) -> list[str]:
    """Render the report into `out`; return the relative paths written, sorted.

    Files that could not be read are named, with the reason, in a banner on every page. With `refuse_incomplete`, such
    files stop the report instead (IncompleteReport): nothing is written and a previous report in `out` is kept."""
    if refuse_incomplete and snapshot.workspace.problems:
        count = len(snapshot.workspace.problems)
        raise IncompleteReport(f"{count} problem{'s' if count != 1 else ''} in the plan files; nothing was written")
    from .views.render import environment
    from .writes import current_umask

    if fmt not in FORMATS:
        raise UsageError(f"{fmt} is not one of {', '.join(FORMATS)}", "format")
    out = out.resolve()
    _check_out(out)
    workspace = snapshot.workspace
    site_title = title or workspace.config.report.title or _default_title(workspace.plans)
    env = environment(template_dirs(workspace.root, templates))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700: a web server must be able to read the site
    try:
        every = list(pages(snapshot, fmt, site_title, history))
        for folder in sorted({(staging / page.path).parent for page in every}):
            folder.mkdir(parents=True, exist_ok=True)
        _render_all(env, every, staging)
        written = [page.path for page in every]
        if fmt == "html":
            written += _copy_static(env.loader_dirs, staging)  # type: ignore[attr-defined]
            written += _write_schemas(staging)
            for name, data in feeds(snapshot, site_title).items():
                (staging / name).write_bytes(data)
                written.append(name)
        (staging / MARKER).write_text("This folder is generated by `actiontrack report`; it is replaced on rebuild.\n")
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(written)


PARALLEL_FROM = 2000  # pages; fewer render faster than worker processes start
_shared: tuple[Any, list[Page], Path] | None = None  # what forked workers render from


def _render_share(share: tuple[int, int]) -> None:
    assert _shared is not None
    env, every, staging = _shared
    index, count = share
    for page in every[index::count]:
        (staging / page.path).write_text(_render(env, page), encoding="utf-8", newline="\n")


def _render_all(env: Any, every: list[Page], staging: Path) -> None:
    """Write every page; a large site is split between one forked process per core (they share the snapshot)."""
    global _shared
    import multiprocessing

    workers = min(os.cpu_count() or 1, 8)
    _shared = (env, every, staging)
    try:
        if len(every) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            _render_share((0, 1))
            return
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_render_share, [(index, workers) for index in range(workers)])
    finally:
        _shared = None


def _render(env: Any, page: Page) -> str:
    """Render one page; a template error (typically in a user's override) names the template file and line."""
    from jinja2 import TemplateError, TemplateSyntaxError

    from .views.render import render_page

    try:
        return render_page(env, page)
    except TemplateError as error:
        if isinstance(error, TemplateSyntaxError) and error.filename:
            where = f"{error.filename}:{error.lineno}"
        else:
            where = env.get_template(page.template).filename or page.template
        raise UsageError(f"{where}: template error: {error.message or error}") from None


def _default_title(plans: Iterable[Any]) -> str:
    organisations = sorted({p.plan.organisation for p in plans if p.plan and p.plan.organisation})
    return "Action plans" if len(organisations) != 1 else f"{organisations[0]}: action plans"


def _copy_static(dirs: list[Path], staging: Path) -> list[str]:
    copied: dict[str, Path] = {}
    for directory in reversed(dirs):  # later (packaged) first, so earlier (user) files replace them
        static = directory / "html" / "static"
        if static.is_dir():
            for file in static.rglob("*"):
                if file.is_file():
                    copied[file.relative_to(static).as_posix()] = file
    for name, source in copied.items():
        target = staging / "static" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return [f"static/{name}" for name in copied]


def _write_schemas(staging: Path) -> list[str]:
    """The JSON Schemas of the plan files, published beside the report for editors and other tools to use."""
    from .schemas import SCHEMA_DIR, schema_files

    (staging / SCHEMA_DIR).mkdir(exist_ok=True)
    for name, text in schema_files().items():
        (staging / SCHEMA_DIR / name).write_text(text, encoding="utf-8", newline="\n")
    return [f"{SCHEMA_DIR}/{name}" for name in schema_files()]


def _swap(staging: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
