"""`actiontrack report`: a Markdown report or a static HTML site, rendered from the snapshot through Jinja templates.

Templates live in the top-level templates/ folder (shipped in the wheel as actiontrack/templates); a plans
repository overrides any of them with a file of the same name in its own templates/ folder (or --templates DIR).

The output is deterministic: the same input and as-of date give byte-identical files. It is built in a temporary
folder beside --out and swapped in at the end, so a failed build never leaves a half-written report; a folder that
is not an earlier actiontrack report is never overwritten.
"""

from __future__ import annotations

import functools
import heapq
import json
import operator
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .cache import Cache, code_signature, digest
from .derive import DerivedAction, Snapshot, priority_title
from .load import UsageError
from .views.records import action_detail, attention_text, original_due_text, owner_workload, plan_summary
from .vocab import RAG_LABELS, STATES, STATUS_LABELS

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
    context: dict[str, Any] | Callable[[], dict[str, Any]]  # or what makes it, called only if the page is rendered
    inputs: tuple[str, ...] | None = None  # digests of everything the page shows; None: always rendered
    make: Callable[[], bytes] | None = None  # a file made without a template (a calendar feed)

    def data(self) -> dict[str, Any]:
        return self.context() if callable(self.context) else self.context


class _Later(dict):
    """Template data whose costly entries (a plan's action records) are worked out on first use, e.g. when a template
    reads `plan.actions`: a report rebuilt after one edit renders a few pages, and needs the data of those only."""

    def __init__(self, data: dict[str, Any], later: dict[str, Callable[[], Any]]) -> None:
        super().__init__(data)
        self._later = later

    def __missing__(self, key: str) -> Any:
        if key not in self._later:
            raise KeyError(key)
        value = self[key] = self._later.pop(key)()
        return value


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
            "derived": derived,  # for the charts, which place derive's figures (they never work one out)
        }
    )
    return data


class _Records:
    """The template data of each action, worked out once, when a page first needs it."""

    def __init__(self, snapshot: Snapshot, history: dict[str, Any] | None) -> None:
        self.snapshot = snapshot
        self.timelines = history["timelines"] if history is not None else {}
        self._found: dict[int, dict[str, Any]] = {}

    def __call__(self, derived: DerivedAction) -> dict[str, Any]:
        found = self._found.get(id(derived))
        if found is None:
            found = self._found[id(derived)] = _action_data(derived, self.snapshot)
            found["history"] = self.timelines.get((derived.plan_slug, derived.id), [])
        return found

    def each(self, actions: Iterable[DerivedAction]) -> list[dict[str, Any]]:
        return [self(derived) for derived in actions]


def _plan_data(snapshot: Snapshot, records: _Records, changes: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Each plan's template data: its heading and figures at once, its actions' records when first read."""
    plans = []
    for plan in snapshot.workspace.plans:
        typed = snapshot.plan_summary(plan)
        summary = plan_summary(typed)
        summary["priorities"] = [
            _Later(record, {"actions": functools.partial(records.each, group.actions)})
            for record, group in zip(summary["priorities"], typed.priorities, strict=True)
        ]
        model = plan.plan
        members = list(typed.actions)
        data = {
            **summary,
            "url": f"plans/{plan.slug}/index.html",
            "md_url": f"plans/{plan.slug}.md",
            "organisation": model.organisation if model else None,
            "period": model.period.text if model and model.period else None,
            "starts": model.start_date if model else None,
            "ends": model.end_date if model else None,
            "reporting": model.reporting if model else None,
            "source": model.source if model else None,
            "derived": members,
            "changes": changes.get(plan.slug, []),
        }
        later = {
            "actions": functools.partial(records.each, members),
            "exceptions": lambda members=members: records.each(snapshot.needs_attention(members)),
        }
        plans.append(_Later(data, later))
    return plans


def pages(
    snapshot: Snapshot,
    fmt: str,
    title: str,
    history: dict[str, Any] | None = None,
    keys: dict[int, str] | None = None,
) -> list[Page]:
    """Every page of the report, with its template and what makes its context; `history`
    (views/history.report_records) adds the changes since a point to the index and plan pages, and each action's
    timeline to its page."""
    records = _Records(snapshot, history)
    plans = _plan_data(snapshot, records, history["by_plan"] if history is not None else {})
    if history is not None:
        urls = {(a.plan_slug, a.id): action_url(a) for a in snapshot.actions}
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
        "status_labels": STATUS_LABELS,
        "rag_labels": RAG_LABELS,
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
    # A plan's, an action's and an owner's page each has a key made of what it is made from (the files it shows, as
    # loaded, the settings and the as-of date) and its context holds only what that covers (so a template cannot
    # show anything its key leaves out): the page furniture, and the plan, action or owner.
    furniture = {key: value for key, value in common.items() if key not in ("plans", "owners", "history")}
    furniture["history"] = {k: v for k, v in history.items() if k not in ("by_plan", "timelines")} if history else None
    shared = digest(
        _digest_of(furniture), workspace.settings_key, str(workspace.forge_root), snapshot.as_of.isoformat()
    )
    keys = keys if keys is not None else action_keys(snapshot, history)
    headings = {plan["plan"]: {key: plan[key] for key in PLAN_HEADING if key in plan} for plan in plans}
    by_plan = snapshot.by_plan()
    sources = {source.slug: source for source in workspace.plans}
    for plan in plans:
        heading = headings[plan["plan"]]
        members = by_plan.get(plan["plan"], [])
        own = sources[plan["plan"]]  # plan.yaml as loaded: the page shows it even when no action of it loads
        for derived in members:
            context = functools.partial(_action_context, furniture, heading, records, derived)
            result.append(Page(action_url(derived), "html/action.html.j2", context, (shared, keys[id(derived)])))
        feed = _calendar(plan_feed(plan["plan"]), "of this plan", site)
        inputs = (shared, own.slug, own.content, _digest_of(feed), _digest_of(plan["changes"]))
        inputs += tuple(keys[id(a)] for a in members)
        context = {**furniture, "plan": plan, "calendar": feed}
        result.append(Page(plan["url"], "html/plan.html.j2", context, inputs))
    for owner in owners:
        # the page shows the actions the owner leads (its figures, its groups, its to-do list), not those it is a
        # partner in (those are in its calendar feed, a file of its own)
        led = snapshot.actions_of(owner["id"])
        feed = _calendar(owner_feed(owner["id"]), "of the actions this owner delivers", site)
        context = functools.partial(_owner_context, furniture, headings, records, snapshot, owner, feed)
        inputs = (shared, owner["id"], _digest_of(feed), *(keys[id(a)] for a in led))
        result.append(Page(owner["url"], "html/owner.html.j2", context, inputs))
    return result


def _action_context(
    furniture: dict[str, Any], heading: dict[str, Any], records: _Records, derived: DerivedAction
) -> dict[str, Any]:
    return {**furniture, "plan": heading, "action": records(derived)}


def _owner_context(
    furniture: dict[str, Any],
    headings: dict[str, dict[str, Any]],
    records: _Records,
    snapshot: Snapshot,
    owner: dict[str, Any],
    feed: dict[str, Any],
) -> dict[str, Any]:
    """An owner's page: the actions the owner leads grouped by plan, in the plans' order (ids are each plan's own
    numbering, so two plans may both have a "4.6"), the to-do list and the calendar."""
    groups: list[dict[str, Any]] = []
    for derived in snapshot.actions_of(owner["id"]):
        if not groups or groups[-1]["plan"]["plan"] != derived.plan_slug:
            groups.append({"plan": headings[derived.plan_slug], "actions": []})
        groups[-1]["actions"].append(records(derived))
    todo = _digest_data(snapshot, owner["id"])
    return {**furniture, "owner": owner, "groups": groups, "calendar": feed, "digest": todo}


#: what an action's page may show of its plan: its heading, not its figures (which change with every action)
PLAN_HEADING = ("plan", "title", "url", "md_url", "organisation", "period", "starts", "ends", "reporting", "source")


def _digest_of(value: Any) -> str:
    """A digest of plain template data (dates and numbers as written by repr: stable within one version)."""
    return digest(json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False))


def action_keys(snapshot: Snapshot, history: dict[str, Any] | None = None) -> dict[int, str]:
    """Each action's key (`_action_key`), by id(derived action)."""
    timelines = history["timelines"] if history is not None else None
    return {id(derived): _action_key(derived, snapshot, timelines) for derived in snapshot.actions}


def _action_key(derived: DerivedAction, snapshot: Snapshot, timelines: dict[Any, Any] | None = None) -> str:
    """What an action's page and events are made from besides the settings and the date: its file and its plan's,
    as loaded (by their digests), where they are, its deadline as first agreed, and its history (`timelines`)."""
    baseline = derived.plan_slug, derived.id
    return digest(
        derived.source.content,
        str(derived.source.path),
        derived.plan.content,
        derived.plan_slug,
        repr(snapshot.workspace.baselines.get(baseline)),
        _digest_of(timelines.get(baseline, [])) if timelines else "",
    )


def _templates_key(dirs: list[Path]) -> str:
    """The templates (a user's override included) and actiontrack itself: any change renders every page again."""
    parts: list[bytes | str] = [__version__, code_signature()]
    for directory in dirs:
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                parts += [str(file.relative_to(directory)), file.read_bytes()]
    return digest(*parts)


def _previous_pages(out: Path, cache: Cache) -> dict[str, list[Any]]:
    """The keys of the pages of the report already in `out`, kept in the cache (never in the site, which stays the
    same bytes however it was built); empty when there is none."""
    if not (out / MARKER).exists():
        return {}
    found = cache.get("report", cache.key("pages", str(out)))
    return found if isinstance(found, dict) else {}


def _reuse(path: str, key: str, previous: dict[str, list[Any]], out: str, staging: str) -> bool:
    """Carry an unchanged file over from the previous report (a hard link where the file system allows): its inputs
    have the same key, and the file is the one written then (same size and time)."""
    known = previous.get(path)
    if not isinstance(known, list) or len(known) != 3 or known[0] != key:
        return False
    source, target = os.path.join(out, path), os.path.join(staging, path)  # strings: thousands of pages
    try:
        info = os.stat(source)
        if [info.st_size, info.st_mtime_ns] != known[1:]:
            return False
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    except OSError:
        return False
    return True


def feeds(snapshot: Snapshot, title: str, cache: Cache | None = None, keys: dict[int, str] | None = None) -> list[Page]:
    """The site's calendar feeds, as files made on demand with the key of what they are made from: every plan's, each
    plan's, each owner's. Each event is serialised once for all the feeds it is in; a plan's serialised events are
    kept in the cache with their inputs' key, and worked out (and dated from git) again only when those change."""
    from .calendars import feed_for, to_ical, uid_domain

    workspace = snapshot.workspace
    site = workspace.config.report.site_base
    domain = uid_domain(workspace)
    keys = keys if keys is not None else action_keys(snapshot)
    by_plan, plan_keys, events_key = _events_by_plan(snapshot, cache or Cache(None), domain, keys)
    merged: list[Any] = []
    by_owner: dict[str, list[int]] = {}  # which events each owner's feed may hold, in order (feed_for picks)
    update_due: list[int] = []

    def everything() -> list[Any]:  # every plan's events in order, worked out once, when a feed needs them
        if not merged:
            merged.extend(heapq.merge(*by_plan.values(), key=operator.itemgetter(0)))  # each plan's in order
            for index, event in enumerate(merged):
                if event.kind == "update-due":
                    update_due.append(index)
                    continue
                for person in dict.fromkeys((*event.owners, *event.partners)):
                    by_owner.setdefault(person, []).append(index)
        return merged

    def one(path: str, subset: Callable[[], Sequence[Any]], **choice: str) -> Callable[[], bytes]:
        url = f"{site}{path}" if site else None
        return lambda: to_ical(feed_for(snapshot, subset(), title=title, url=url, **choice), domain)

    def owned(owner: str) -> list[Any]:
        events = everything()
        return [events[i] for i in sorted({*by_owner.get(owner, []), *update_due})]

    common = digest(title, _digest_of(site), domain)
    found = [Page(SITE_FEED, "", {}, (common, *plan_keys.values()), one(SITE_FEED, everything))]
    for plan in workspace.plans:
        path = plan_feed(plan.slug)
        make = one(path, functools.partial(by_plan.__getitem__, plan.slug), plan=plan.slug)
        found.append(Page(path, "", {}, (common, plan_keys[plan.slug]), make))
    # an owner's feed: the events of the actions the owner leads or is a partner in, and the update-due days of the
    # plans where the owner leads an open action (made from the plans' own files)
    naming = _naming(snapshot)
    plans = digest(*(part for plan in workspace.plans for part in (plan.slug, plan.content)))
    for load in snapshot.owner_loads():
        path = owner_feed(load.id)
        inputs = (common, events_key, plans, load.id, *(keys[id(a)] for a in naming.get(load.id, [])))
        found.append(Page(path, "", {}, inputs, one(path, functools.partial(owned, load.id), owner=load.id)))
    return found


def _naming(snapshot: Snapshot) -> dict[str, list[DerivedAction]]:
    """The actions each owner leads or is a partner in, in order."""
    naming: dict[str, list[DerivedAction]] = {}
    for derived in snapshot.actions:
        for person in dict.fromkeys((*derived.action.owners, *derived.action.partners)):
            naming.setdefault(person, []).append(derived)
    return naming


def _events_by_plan(
    snapshot: Snapshot, cache: Cache, domain: str, keys: dict[int, str]
) -> tuple[dict[str, list[Any]], dict[str, str], str]:
    """Each plan's events, serialised (calendars.Serialised), in order, and the key of each plan's; and the key of
    what every plan's events are made with (the settings, the as-of date, the git commit checked out). Kept in the
    cache under the plan's key, and worked out only for the plans whose key is new, dated from the history of those
    plans only."""
    from .calendars import Serialised, history_for
    from .discover import plan_dirs
    from .gitrepo import head_marker

    workspace = snapshot.workspace
    marker = workspace.revision.id if workspace.revision else head_marker(workspace.root)
    common = digest(workspace.settings_key, snapshot.as_of.isoformat(), marker, domain)
    members = snapshot.by_plan()
    plan_keys = {
        plan.slug: cache.key(
            "plan-events", common, plan.slug, plan.content, *(keys[id(a)] for a in members.get(plan.slug, []))
        )
        for plan in workspace.plans
    }
    found: dict[str, list[Any]] = {}
    for slug, key in plan_keys.items():
        kept = cache.get("events", key)
        if isinstance(kept, list) and all(isinstance(event, Serialised) for event in kept):
            found[slug] = kept
    missing = [slug for slug in plan_keys if slug not in found]
    if missing:
        history = history_for(workspace, cache)
        count = sum(len(members.get(slug, [])) for slug in missing)
        for slug, events in _serialise(snapshot, history, domain, missing, count).items():
            found[slug] = events
            cache.put("events", plan_keys[slug], events)
        # each plan's events as they are, and as before the last edits (of every plan: this report may show some only)
        cache.prune("events", 2 * max(len(plan_keys), len(plan_dirs(workspace.plans_dir))) + 16)
    return {slug: found[slug] for slug in plan_keys}, plan_keys, common


_serialising: tuple[Any, ...] | None = None  # what forked workers serialise events from


def _serialise(
    snapshot: Snapshot, history: tuple[Any, Any], domain: str, plans: list[str], actions: int
) -> dict[str, list[Any]]:
    """These plans' events, dated from `history` and serialised, by plan; many plans' split between one forked
    process per core (icalendar takes about 0.2 ms an event)."""
    global _serialising
    import multiprocessing

    workers = min(os.cpu_count() or 1, 8)
    if actions < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _serialise_share(snapshot, history, domain, plans)
    _serialising = (snapshot, history, domain, plans)
    try:
        with _forked_pool(workers) as pool:
            shares = pool.map(_serialise_part, [(index, workers) for index in range(workers)])
    finally:
        _serialising = None
    return {slug: share[slug] for slug in plans for share in shares if slug in share}


def _serialise_part(share: tuple[int, int]) -> dict[str, list[Any]]:
    assert _serialising is not None
    snapshot, history, domain, plans = _serialising
    index, count = share
    return _serialise_share(snapshot, history, domain, plans[index::count])


def _serialise_share(
    snapshot: Snapshot, history: tuple[Any, Any], domain: str, plans: list[str]
) -> dict[str, list[Any]]:
    from .calendars import Serialised, all_events

    found: dict[str, list[Any]] = {slug: [] for slug in plans}
    for event in all_events(snapshot, *history, plans=set(plans)):
        found[event.plan].append(Serialised.of(event, domain))
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
    cache: Cache | None = None,
) -> list[str]:
    """Render the report into `out`; return the relative paths written, sorted. With a `cache`, an action page whose
    inputs have not changed since the report last written to `out` is carried over instead of rendered again.

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
        cache = cache or Cache(None)
        actions = action_keys(snapshot, history) if fmt == "html" else None
        every = list(pages(snapshot, fmt, site_title, history, actions))
        if fmt == "html":
            every += feeds(snapshot, site_title, cache, actions)
        for folder in sorted({os.path.dirname(page.path) for page in every}):
            os.makedirs(os.path.join(staging, folder), exist_ok=True)
        # only pages whose inputs changed are made; the rest are the previous report's, byte for byte the same
        previous = _previous_pages(out, cache)
        templates_key = _templates_key(env.loader_dirs)  # type: ignore[attr-defined]
        keys = {page.path: digest(templates_key, *page.inputs) for page in every if page.inputs is not None}
        where = str(out), str(staging)
        fresh = [p for p in every if p.path not in keys or not _reuse(p.path, keys[p.path], previous, *where)]
        _render_all(env, [page for page in fresh if page.make is None], staging)
        for page in fresh:
            if page.make is not None:
                with open(os.path.join(staging, page.path), "wb") as handle:
                    handle.write(page.make())
        manifest = {}
        for path, key in sorted(keys.items()):
            info = os.stat(os.path.join(staging, path))
            manifest[path] = [key, info.st_size, info.st_mtime_ns]
        written = [page.path for page in every]
        if fmt == "html":
            written += _copy_static(env.loader_dirs, staging)  # type: ignore[attr-defined]
            written += _write_schemas(staging)
        (staging / MARKER).write_text("This folder is generated by `actiontrack report`; it is replaced on rebuild.\n")
        _swap(staging, out)
        cache.put("report", cache.key("pages", str(out)), manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(written)


PARALLEL_FROM = 2000  # pages; fewer render faster than worker processes start


@contextmanager
def _forked_pool(workers: int) -> Iterator[Any]:
    """A pool of forked workers that share this process's memory: what exists now is frozen out of the cycle
    collector first, so a collection in a worker does not touch (and so copy) every page of the snapshot."""
    import gc
    import multiprocessing

    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool
    finally:
        gc.unfreeze()


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
        with _forked_pool(workers) as pool:
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
