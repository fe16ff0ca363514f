"""actiontrack report: Markdown and HTML from the same plans, deterministic, escaped, relative, overridable."""

from __future__ import annotations

import itertools
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.derive import derive
from actiontrack.load import UsageError, load_workspace
from actiontrack.report import build

from .conftest import ACTION, BUNDLED_PLANS, PLAN, REPO, assert_same_output, runs_under_each_seed, tree_bytes

XSS_NOTE = '<script>alert(1)</script> and "><img src=x onerror=alert(1)> and **bold** [link](javascript:alert(2))'
XSS_ACTION = (
    'id: "1.a"\npriority: "1"\ntitle: A <b>bold</b> title\nowners: [planning-policy]\ndue: "2022/23"\n'
    "targets:\n  - text: 10 x volunteers\n"
    f"updates:\n  - period: \"2022/23 Q1\"\n    rag: red\n    note: '{XSS_NOTE}'\n    actuals: {{volunteers: 4}}\n"
)


def report(*args: str):
    result = CliRunner().invoke(app, ["report", *args])
    assert "Traceback" not in result.output
    return result


def build_bundled(out: Path, fmt: str = "html") -> list[str]:
    return build(derive(load_workspace([BUNDLED_PLANS]), date(2023, 6, 30)), fmt, out)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    build_bundled(out)
    return out


def test_html_site_pages(site):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert "index.html" in pages and "owners.html" in pages
    assert "plans/health-wellbeing-2022-23/index.html" in pages
    assert "plans/health-wellbeing-2022-23/actions/6.d.html" in pages
    assert "plans/health-inequalities-2021-23/actions/19.html" in pages
    assert "owners/hwbb-education-sub-group.html" in pages  # the unregistered spelling gets a page too
    assert len([p for p in pages if "/actions/" in p]) == 44
    assert (site / "static" / "style.css").is_file() and (site / "static" / "print.css").is_file()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_builds_are_byte_identical_between_uncached_runs_under_different_hash_seeds(fmt, tmp_path):
    """`report --format md|html` as separate processes, the cache off, PYTHONHASHSEED 1, 2 and random: the same
    tree (every path, every byte), the same messages; and the tree the in-process build writes."""
    args = ["report", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--format", fmt, "--out", "site"]
    runs = runs_under_each_seed(args, tmp_path)
    assert_same_output(runs)  # "wrote N pages to site": the same relative --out in each run's own folder
    assert runs["1"].returncode == 0, runs["1"].stderr
    trees = {seed: tree_bytes(tmp_path / f"seed-{seed}" / "site") for seed in runs}
    [first, *others] = trees
    for seed in others:
        assert list(trees[seed]) == list(trees[first]), f"files differ: PYTHONHASHSEED={first} vs {seed}"
        differing = [name for name in trees[first] if trees[seed][name] != trees[first][name]]
        assert differing == [], f"PYTHONHASHSEED={first} vs {seed}"
    pages = [name for name in trees[first] if name.endswith(f".{fmt}")]
    assert len(pages) == (72 if fmt == "html" else 3), pages
    build_bundled(tmp_path / "in-process", fmt)
    assert tree_bytes(tmp_path / "in-process") == trees[first]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "xlink:href") and value is not None:
                self.urls.append(value)


def test_links_are_relative_and_resolve(site):
    checked = 0
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert "script" not in parser.tags  # the site needs no JavaScript at all
        for url in parser.urls:
            parts = urlsplit(url)
            if url.startswith("data:"):
                continue
            assert not parts.scheme and not parts.netloc and not url.startswith("/"), (page, url)
            if parts.path:
                target = (page.parent / parts.path).resolve()
                assert target.is_file(), (page, url)
                checked += 1
    assert checked > 900  # every link of 72 pages


def test_no_external_reference_anywhere(site):
    for file in site.rglob("*"):
        if file.suffix in (".html", ".css"):
            text = file.read_text(encoding="utf-8")
            assert not re.search(r"(?:src|href)=\"(?:https?:)?//", text), file
            assert "@import" not in text and "url(http" not in text, file


def test_markdown_report(tmp_path):
    written = build_bundled(tmp_path / "md", "md")
    assert written == ["index.md", "plans/health-inequalities-2021-23.md", "plans/health-wellbeing-2022-23.md"]
    index = (tmp_path / "md" / "index.md").read_text(encoding="utf-8")
    assert (
        "[Health & Wellbeing Strategy Action Plan 2022/23](plans/health-wellbeing-2022-23.md) | 25 | 0% | 24 |" in index
    )
    plan = (tmp_path / "md" / "plans" / "health-wellbeing-2022-23.md").read_text(encoding="utf-8")
    assert plan.splitlines()[2].startswith("[All plans](../index.md)")
    for heading in (
        "## Headline figures",
        "## Exceptions: needs attention (25)",
        "### Priority 1: Housing for all",
        "## The actions",
        "### 6.d Increase the health",
    ):
        assert heading in plan
    row = "| 1.a | Promote high design standards for new housing | Planning Policy | 2022/24 (2024-03-31) |"
    assert row + " Not reported | – | – |" in plan
    # every table row has the same number of cells as its header
    for table in re.findall(r"(?:^\|.*\|\n)+", plan, flags=re.MULTILINE):
        rows = table.strip().splitlines()
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) == 1, rows[:2]


def test_user_text_is_escaped_in_html_and_markdown(make_repo, tmp_path):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": XSS_ACTION})
    snapshot = derive(load_workspace([], cwd=repo), date(2022, 7, 5))
    build(snapshot, "html", tmp_path / "site")
    page = (tmp_path / "site" / "plans" / "test-plan" / "actions" / "1.a.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<img" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<strong>bold</strong>" in page  # Markdown in notes is rendered
    assert 'href="javascript:' not in page  # the unsafe link is left as inert text
    assert "A &lt;b&gt;bold&lt;/b&gt; title" in page
    build(snapshot, "md", tmp_path / "md")
    markdown = (tmp_path / "md" / "plans" / "test-plan.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown and "<img" not in markdown and "&lt;script&gt;" in markdown


def test_kpi_chart_and_text_equivalent(make_repo, tmp_path):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": XSS_ACTION})
    build(derive(load_workspace([], cwd=repo), date(2022, 7, 5)), "html", tmp_path / "site")
    page = (tmp_path / "site" / "plans" / "test-plan" / "actions" / "1.a.html").read_text(encoding="utf-8")
    # one actual, with a steady pace to compare it with: the chart of actuals by period, and its table
    assert 'role="img"' in page and '<title id="kpi-1-title">10 x volunteers: actuals by period</title>' in page
    assert "<caption>Actuals by period</caption>" in page
    assert "Latest actual 4 against a target of 10 volunteers (2022/23 Q1)." in page


def test_charts_have_titles_and_descriptions(site):
    page = (site / "plans" / "health-wellbeing-2022-23" / "index.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg [^>]*class=\"chart\"[^>]*>", page)  # the charts; their keys' swatches are hidden
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby" in svg
    assert "1 Housing for all: 4 overdue, 1 not reported" in page  # the description says what the bars show


def test_user_templates_override_packaged_ones(make_repo, tmp_path):
    repo = make_repo({"templates/md/index.md.j2": "Custom index for {{ plans | length }} plan(s), {{ as_of }}\n"})
    snapshot = derive(load_workspace([], cwd=repo), date(2023, 6, 30))
    build(snapshot, "md", tmp_path / "from-repo")
    assert (tmp_path / "from-repo" / "index.md").read_text() == "Custom index for 1 plan(s), 2023-06-30\n"
    assert (
        (tmp_path / "from-repo" / "plans" / "test-plan.md").read_text().startswith("# Test plan")
    )  # the rest is packaged
    override = tmp_path / "mine" / "md"
    override.mkdir(parents=True)
    (override / "index.md.j2").write_text("From --templates\n")
    build(snapshot, "md", tmp_path / "from-option", templates=tmp_path / "mine")
    assert (tmp_path / "from-option" / "index.md").read_text() == "From --templates\n"


def test_refuses_to_overwrite_a_folder_that_is_not_a_report(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    with pytest.raises(UsageError, match="not an actiontrack report"):
        build_bundled(precious)
    assert (precious / "thesis.docx").read_text() == "years of work"
    result = report(str(BUNDLED_PLANS), "--out", str(precious), "--as-of", "2023-06-30")
    assert result.exit_code == 2


def test_rebuild_replaces_an_old_report_and_failure_keeps_it(make_repo, tmp_path):
    out = tmp_path / "site"
    build_bundled(out, "md")
    (out / "stale.md").write_text("from an old build")
    build_bundled(out, "md")
    assert not (out / "stale.md").exists()
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    repo = make_repo({"templates/md/index.md.j2": "{{ no_such_variable }}\n"})
    result = report(str(repo / "plans"), "--format", "md", "--out", str(out), "--as-of", "2023-06-30")
    assert result.exit_code == 2 and "template error" in result.output and "index.md.j2" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]  # no staging folder left behind


def test_cli_report_title_and_formats(tmp_path):
    result = report(
        str(BUNDLED_PLANS),
        "--format",
        "html",
        "--out",
        str(tmp_path / "s"),
        "--as-of",
        "2023-06-30",
        "--title",
        "Council <plans>",
    )
    assert result.exit_code == 0 and "wrote 72 pages" in result.stderr
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert "<title>Council &lt;plans&gt;</title>" in index
    assert report("--format", "pdf", "--out", str(tmp_path / "x")).exit_code == 2


def test_page_names_cannot_collide(make_repo, tmp_path):
    repo = make_repo(
        {
            "plans/owners.yaml": "owners:\n  - id: index\n    name: Index Team\n    kind: team\n",
            "plans/test-plan/actions/1.a-promote.yaml": 'id: "1.a"\npriority: "1"\ntitle: A\nowners: [index]\n',
            "plans/index/plan.yaml": "title: A plan called index\n",
            "plans/index/actions/1-x.yaml": 'id: "1"\ntitle: X\nowners: [index]\n',
        }
    )
    snapshot = derive(load_workspace([], cwd=repo), date(2023, 6, 30))
    html = build(snapshot, "html", tmp_path / "site")
    assert len(html) == len(set(html)) and {"owners.html", "owners/index.html", "index.html"} <= set(html)
    assert "<h1>Owners</h1>" in (tmp_path / "site" / "owners.html").read_text()
    assert "<h1>Index Team</h1>" in (tmp_path / "site" / "owners" / "index.html").read_text()
    md = build(snapshot, "md", tmp_path / "md")
    assert md == ["index.md", "plans/index.md", "plans/test-plan.md"]


def test_plan_folders_must_be_slugs(make_repo):
    repo = make_repo(
        {
            'plans/p"><svg onload=alert(1)>/plan.yaml': "title: Evil\n",
            'plans/p"><svg onload=alert(1)>/actions/1-x.yaml': 'id: "1"\ntitle: X\n',
        }
    )
    workspace = load_workspace([], cwd=repo)
    assert [p.slug for p in workspace.plans] == ["test-plan"]
    [problem] = workspace.problems
    assert "name it with lower-case letters, digits and hyphens" in problem.message


def test_a_title_cannot_start_a_heading_or_table_in_markdown(make_repo, tmp_path):
    forged = 'title: "Plan\\n\\n## Forged heading\\n\\n| a | b |\\n|---|---|"\n'
    plan = PLAN.replace("title: Test plan 2022/23\n", forged).replace('  - id: "1"\n', '  - id: "1<svg onload=x>"\n')
    action = ACTION.replace('priority: "1"', 'priority: "1<svg onload=x>"')
    repo = make_repo({"plans/test-plan/plan.yaml": plan, "plans/test-plan/actions/1.a-promote.yaml": action})
    workspace = load_workspace([], cwd=repo)
    assert workspace.problems == []
    build(derive(workspace, date(2022, 7, 5)), "md", tmp_path / "md")
    markdown = (tmp_path / "md" / "plans" / "test-plan.md").read_text(encoding="utf-8")
    assert "# Plan ## Forged heading | a | b | |---|---|\n" in markdown
    assert "\n## Forged" not in markdown and "\n| a | b |" not in markdown
    assert "<svg" not in markdown and "Priority 1&lt;svg onload=x&gt;:" in markdown


def test_kpis_over_time_in_the_site_the_markdown_and_the_export(tmp_path):
    """Every actual by period with its steady pace on the action page, the latest against the target in the Markdown
    report and the export, and the committee's view of each action in Markdown."""
    import csv
    import shutil

    from typer.testing import CliRunner

    from actiontrack.cli import app

    plans = tmp_path / "plans"
    shutil.copytree(BUNDLED_PLANS, plans)
    target = next((plans / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    target.write_text(target.read_text() + "targets:\n  - text: 1200 x volunteers\n")
    for period, value in (("2022/23 Q1", "150"), ("2022/23 Q2", "310")):
        args = ["update", "1.c", str(plans), "--period", period, "--rag", "green", "--actual", f"volunteers={value}"]
        result = CliRunner().invoke(app, [*args, "--as-of", "2022-10-14"])
        assert result.exit_code == 0, result.output
    as_of = ["--as-of", "2022-10-14"]
    assert CliRunner().invoke(app, ["report", str(plans), "--out", str(tmp_path / "site"), *as_of]).exit_code == 0
    page = (tmp_path / "site" / "plans" / "health-wellbeing-2022-23" / "actions" / "1.c.html").read_text()
    assert "<caption>Actuals by period</caption>" in page
    assert re.search(r"2022/23 Q1</th><td class=\"numeric\"[^>]*>150</td>", page)
    assert re.search(r"2022/23 Q2</th><td class=\"numeric\"[^>]*>310</td><td class=\"numeric\"[^>]*>600", page)
    assert "behind a steady pace to the deadline" in page
    plan_page = (tmp_path / "site" / "plans" / "health-wellbeing-2022-23" / "index.html").read_text()
    assert '<th scope="col">Latest actual</th>' in plan_page  # the latest actual against its target, in the tables
    assert re.search(
        r'<td data-label="Latest actual"><span class="figure-inline">310</span> of 1200 x volunteers by 2022/23 Q2 '
        r'<span class="warning-text">\(behind pace: 600 expected\)</span></td>',
        plan_page,
    )
    assert (
        CliRunner().invoke(app, ["report", str(plans), "-f", "md", "--out", str(tmp_path / "md"), *as_of]).exit_code
        == 0
    )
    markdown = (tmp_path / "md" / "plans" / "health-wellbeing-2022-23.md").read_text()
    assert "1200 x volunteers: 310 by 2022/23 Q2 (a steady pace would be 600: behind)" in markdown
    assert "No updates recorded." not in markdown and "- **What we will do:** Support the Lightbulb project" in markdown
    assert markdown.index("## Exceptions") < markdown.index("## The actions")
    out = tmp_path / "actions.csv"
    assert CliRunner().invoke(app, ["export", str(plans), "--out", str(out), *as_of]).exit_code == 0
    row = next(r for r in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()) if r["ID"] == "1.c")
    assert row["Latest actuals"] == "1200 x volunteers: 310 by 2022/23 Q2 (steady pace: 600)"


def _site_inodes(site: Path) -> dict[str, int]:
    """Each page's and calendar feed's inode: a file carried over from the previous build keeps its own."""
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.suffix in (".html", ".ics")}


def test_an_incremental_report_renders_only_what_changed_and_equals_a_cold_build(tmp_path, monkeypatch):
    """With the cache on, a rebuild carries over every action page whose inputs did not change, and the site is
    byte for byte the one a cold build (no cache) writes: after an edit to one action, to a plan's heading, to a
    template override, and to the owners registry."""
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    work = tmp_path / "repo"
    shutil.copytree(BUNDLED_PLANS, work / "plans")
    site, cold = tmp_path / "site", tmp_path / "cold"

    def build_both():
        args = ["report", str(work / "plans"), "--as-of", "2023-06-30"]
        warm = CliRunner().invoke(app, [*args, "--out", str(site)])
        assert warm.exit_code == 0, warm.output
        shutil.rmtree(cold, ignore_errors=True)
        plain = CliRunner().invoke(app, ["--no-cache", *args, "--out", str(cold)])
        assert plain.exit_code == 0, plain.output
        assert tree_bytes(site) == tree_bytes(cold)

    build_both()
    before = _site_inodes(site)
    hw = work / "plans" / "health-wellbeing-2022-23"
    action = next((hw / "actions").glob("1.c-*.yaml"))
    action.write_text(action.read_text() + "status: complete\n")
    build_both()
    after = _site_inodes(site)
    rendered = {page for page in after if after[page] != before.get(page)}
    action_pages = {page for page in rendered if "/actions/" in page}
    assert action_pages == {"plans/health-wellbeing-2022-23/actions/1.c.html"}
    assert {"index.html", "owners.html", "plans/health-wellbeing-2022-23/index.html"} <= rendered  # summaries
    assert "plans/health-inequalities-2021-23/index.html" not in rendered  # another plan: nothing changed in it
    owner_pages = {page for page in rendered if page.startswith("owners/")}
    assert owner_pages == {"owners/regulatory-services.html", "owners/regulatory-services.ics"}  # 1.c's owner
    # the calendar feeds: every plan's, 1.c's plan's and its owner's made again, the other plan's carried over
    assert {"calendar.ics", "plans/health-wellbeing-2022-23/calendar.ics"} <= rendered
    assert "plans/health-inequalities-2021-23/calendar.ics" not in rendered
    before = after
    plan = hw / "plan.yaml"
    plan.write_text(plan.read_text().replace("title: Health & Wellbeing", "title: Health and Wellbeing", 1))
    build_both()
    after = _site_inodes(site)
    renamed = {page for page in after if "/actions/" in page and after[page] != before[page]}
    assert renamed == {page for page in after if page.startswith("plans/health-wellbeing-2022-23/actions/")}
    before = after
    override = work / "templates" / "html"
    override.mkdir(parents=True)
    (override / "action.html.j2").write_text(
        (REPO / "templates" / "html" / "action.html.j2")
        .read_text()
        .replace("{% block content %}", "{% block content %}<!-- local -->", 1)
    )
    build_both()
    after = _site_inodes(site)
    assert all(after[page] != before[page] for page in after if "/actions/" in page)
    assert "<!-- local -->" in (site / "plans" / "health-wellbeing-2022-23" / "actions" / "1.c.html").read_text()
    registry = work / "plans" / "owners.yaml"
    registry.write_text(registry.read_text().replace("name: Regulatory Services", "name: Regulatory Team", 1))
    build_both()  # 1.c's owner is now named differently on its page: equal to the cold build


def test_an_incremental_report_in_git_dates_feeds_as_a_cold_build_does(tmp_path, monkeypatch):
    """In a git repository each event's SEQUENCE and LAST-MODIFIED come from the history: a rebuild after a commit
    that moves one deadline, and after an edit not committed yet, equals a cold build; after the edit, the untouched
    plan's feed is carried over."""
    from .gitbuild import Repo, action, write

    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    repo = Repo(tmp_path / "repo")
    plans = "plans/"
    files = {plans + "owners.yaml": "owners:\n  - id: housing\n    name: Housing\n    kind: team\n"}
    for slug in ("homes", "parks"):
        files[plans + f"{slug}/plan.yaml"] = f"title: {slug.title()}\nstarts: 2022-04-01\nends: 2024-03-31\n"
        files[plans + f"{slug}/actions/1.a-first.yaml"] = action("1.a", "First", '"March 2023"')
        files[plans + f"{slug}/actions/1.b-second.yaml"] = action("1.b", "Second", '"2023-06-30"')
    repo.commit("2022-04-05", "Alice Archer", "Plans approved", files)
    site, cold = tmp_path / "site", tmp_path / "cold"

    def build_both() -> dict[str, int]:
        args = ["report", "--as-of", "2023-01-10", "--format", "html"]
        with monkeypatch.context() as here:
            here.chdir(repo.path)
            warm = CliRunner().invoke(app, [*args, "--out", str(site)])
            assert warm.exit_code == 0, warm.output
            shutil.rmtree(cold, ignore_errors=True)
            plain = CliRunner().invoke(app, ["--no-cache", *args, "--out", str(cold)])
            assert plain.exit_code == 0, plain.output
        assert tree_bytes(site) == tree_bytes(cold)
        return _site_inodes(site)

    before = build_both()
    repo.commit(
        "2022-09-01",
        "Bob Baker",
        "1.a slips",
        {plans + "homes/actions/1.a-first.yaml": action("1.a", "First", '"June 2023"')},
    )
    after = build_both()  # a new commit: every event is dated from the history again (the key holds HEAD)
    assert "SEQUENCE:1" in (site / "plans" / "homes" / "calendar.ics").read_text()
    assert after["plans/homes/calendar.ics"] != before["plans/homes/calendar.ics"]
    before = after
    write(repo.path, {plans + "homes/actions/1.b-second.yaml": action("1.b", "Second", '"2023-09-30"')})  # uncommitted
    after = build_both()
    assert after["plans/parks/calendar.ics"] == before["plans/parks/calendar.ics"]  # carried over
    assert after["plans/homes/calendar.ics"] != before["plans/homes/calendar.ics"]
    # the same bytes committed: each file is as it was, but its events now date from the new commit
    repo.commit("2022-10-03", "Alice Archer", "1.b moved to September", {})
    build_both()
    assert "LAST-MODIFIED:20221003T100000Z" in (site / "plans" / "homes" / "calendar.ics").read_text()


def test_a_partner_s_page_is_carried_over_and_its_feed_made_again(tmp_path, monkeypatch):
    """An owner's page shows the actions it leads; one it is only a partner in changes its calendar feed (made again)
    but not its page (carried over), and the site equals a cold build."""
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    work = tmp_path / "repo"
    shutil.copytree(BUNDLED_PLANS, work / "plans")
    action = next((work / "plans" / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    action.write_text(action.read_text(encoding="utf-8") + "partners: [housing]\n", encoding="utf-8")
    site, cold = tmp_path / "site", tmp_path / "cold"

    def build_both() -> dict[str, int]:
        args = ["report", str(work / "plans"), "--as-of", "2023-06-30"]
        assert CliRunner().invoke(app, [*args, "--out", str(site)]).exit_code == 0
        shutil.rmtree(cold, ignore_errors=True)
        assert CliRunner().invoke(app, ["--no-cache", *args, "--out", str(cold)]).exit_code == 0
        assert tree_bytes(site) == tree_bytes(cold)
        return _site_inodes(site)

    before = build_both()
    action.write_text(action.read_text(encoding="utf-8").replace('due: "', 'due: "March 2024" # was "', 1))
    after = build_both()
    assert after["owners/housing.html"] == before["owners/housing.html"]  # a partner only: its page unchanged
    assert after["owners/housing.ics"] != before["owners/housing.ics"]  # its feed holds 1.c's deadline
    assert after["owners/regulatory-services.html"] != before["owners/regulatory-services.html"]  # 1.c's lead


def test_a_plan_without_actions_is_rendered_again_when_its_plan_file_changes(tmp_path, monkeypatch):
    """A plan page's key holds plan.yaml as loaded, not only its actions' keys: a plan with no action yet (just
    imported, or every action file broken) still shows a new title."""
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    work = tmp_path / "repo"
    shutil.copytree(BUNDLED_PLANS, work / "plans")
    empty = work / "plans" / "new-plan-2025-26"
    empty.mkdir()
    (empty / "plan.yaml").write_text("title: A plan with no actions yet\n", encoding="utf-8")
    site, cold = tmp_path / "site", tmp_path / "cold"

    def build_both() -> None:
        args = ["report", str(work / "plans"), "--as-of", "2023-06-30"]
        assert CliRunner().invoke(app, [*args, "--out", str(site)]).exit_code == 0
        shutil.rmtree(cold, ignore_errors=True)
        assert CliRunner().invoke(app, ["--no-cache", *args, "--out", str(cold)]).exit_code == 0
        assert tree_bytes(site) == tree_bytes(cold)

    build_both()
    (empty / "plan.yaml").write_text("title: A plan renamed\n", encoding="utf-8")
    build_both()
    assert "A plan renamed" in (site / "plans" / "new-plan-2025-26" / "index.html").read_text(encoding="utf-8")


def test_a_hand_edited_page_is_rendered_again(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIONTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ACTIONTRACK_NO_CACHE", raising=False)
    site = tmp_path / "site"
    args = ["report", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--out", str(site)]
    assert CliRunner().invoke(app, args).exit_code == 0
    page = site / "plans" / "health-wellbeing-2022-23" / "actions" / "1.c.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"</body>", b"<p>changed by hand</p></body>"))
    assert CliRunner().invoke(app, args).exit_code == 0
    assert page.read_bytes() == original


# ---- ready for the committee (issue 16): what the HTML pages say and how ----------------------------------------


def kpi_plans(root: Path) -> Path:
    """The bundled plans with a KPI measured over time: action 1.c (due 2023-03-31 in a plan starting 2022-04-01)
    gets a target of 1,200 volunteers and actuals of 150 by 2022/23 Q1 and 310 by Q2."""
    import shutil

    plans = root / "plans"
    shutil.copytree(BUNDLED_PLANS, plans)
    action = next((plans / "health-wellbeing-2022-23" / "actions").glob("1.c-*.yaml"))
    action.write_text(
        action.read_text()
        + "targets:\n  - text: 1200 x volunteers\n"
        + 'updates:\n  - period: "2022/23 Q1"\n    rag: green\n    actuals: {volunteers: 150}\n'
        + '  - period: "2022/23 Q2"\n    rag: green\n    status: in-progress\n    actuals: {volunteers: 310}\n'
    )
    return plans


KPI_AS_OF = date(2022, 10, 14)
KPI_PAGE = "plans/health-wellbeing-2022-23/actions/1.c.html"


@pytest.fixture(scope="module")
def kpi_site(tmp_path_factory) -> Path:
    plans = kpi_plans(tmp_path_factory.mktemp("kpi"))
    out = plans.parent / "site"
    build(derive(load_workspace([plans]), KPI_AS_OF), "html", out)
    return out


def charts_in(page: str) -> list:
    """Each chart (svg.chart) of a page, parsed."""
    import xml.etree.ElementTree as ET

    return [ET.fromstring(svg) for svg in re.findall(r'<svg [^>]*class="chart".*?</svg>', page, flags=re.DOTALL)]


SVG = "{http://www.w3.org/2000/svg}"


def test_kpi_actuals_by_period_chart_draws_derives_figures_and_its_pace_line(kpi_site):
    """The action page charts a target's actuals by period (a column each) with the straight pace line from the
    plan's start to the deadline, above the "Actuals by period" table, which it names as its text equivalent. The
    line is checked against derive's own figures: where it crosses each period's end is that period's steady pace."""
    page = (kpi_site / KPI_PAGE).read_text(encoding="utf-8")
    [chart] = charts_in(page)
    assert chart.get("role") == "img" and chart.get("aria-labelledby") == "kpi-1-title kpi-1-desc"
    assert chart.get("viewBox") is None  # nothing scales its text down on a narrow screen
    assert chart.find(f"{SVG}title").text == "1200 x volunteers: actuals by period"
    description = chart.find(f"{SVG}desc").text
    assert description.startswith("150 by 2022/23 Q1 (a steady pace: 296.7); 310 by 2022/23 Q2 (a steady pace: 600).")
    assert 'The table "Actuals by period" below gives the same figures.' in description
    assert page.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') < page.index(
        "Actuals by period</caption>"
    )

    snapshot = derive(load_workspace([kpi_site.parent / "plans"]), KPI_AS_OF)
    [kpi] = snapshot.find("1.c", "health-wellbeing-2022-23").kpis
    assert [(p, a) for p, a, _ in kpi.history] == [("2022/23 Q1", 150), ("2022/23 Q2", 310)]

    def pct(value: str) -> float:
        assert value.endswith("%"), value
        return float(value[:-1]) / 100

    columns = chart.findall(f"{SVG}rect[@class='kpi-actual']")
    assert [c.find(f"{SVG}title").text for c in columns] == ["2022/23 Q1: 150", "2022/23 Q2: 310"]
    [axis] = [
        line for line in chart.findall(f"{SVG}line") if line.get("stroke") == "#505a5f" and line.get("x2") == "100%"
    ]
    base = float(axis.get("y1"))
    heights = [float(c.get("height")) for c in columns]
    per_unit = heights[1] / 310  # px a unit (drawn to 0.1 px)
    assert heights[0] == pytest.approx(150 * per_unit, abs=0.2)  # column heights in proportion to the actuals
    for column, height in zip(columns, heights, strict=True):
        assert float(column.get("y")) + height == pytest.approx(base, abs=0.1)  # standing on the axis
    # time runs across: plan start (2022-04-01) at 1%, deadline (2023-03-31) at 99%; Q1 and Q2 span their quarters
    assert pct(columns[0].get("x")) == pytest.approx(0.01, abs=0.001)
    assert pct(columns[1].get("x")) == pytest.approx(pct(columns[0].get("x")) + pct(columns[0].get("width")), abs=1e-4)
    [pace] = chart.findall(f"{SVG}line[@class='kpi-pace']")
    x1, x2, y1, y2 = pct(pace.get("x1")), pct(pace.get("x2")), float(pace.get("y1")), float(pace.get("y2"))
    assert (x1, y1) == (pytest.approx(0.01), pytest.approx(base))  # from 0 at the plan's start ...
    assert y2 == pytest.approx(base - 1200 * per_unit, abs=0.5) and x2 == pytest.approx(0.99)  # ... to 1,200 by then
    [target] = [line for line in chart.findall(f"{SVG}line") if line.get("y1") == pace.get("y2")]
    assert target.get("x1") == "0" and target.get("x2") == "100%"  # the target, across
    for (_, _, expected), column in zip(kpi.history, columns, strict=True):
        end = pct(column.get("x")) + pct(column.get("width"))  # the period's end (the day after it, to the day)
        on_line = y1 + (y2 - y1) * (end - x1) / (x2 - x1)
        assert on_line == pytest.approx(base - expected * per_unit, abs=0.6)
    for text in chart.iter(f"{SVG}text"):
        assert float(text.get("font-size")) >= 12
    assert "Steady pace from the plan&#39;s start to the deadline" in page  # its key


def test_a_kpi_without_a_pace_gets_no_pace_line(make_repo, tmp_path):
    """Derive gives no steady pace for a target to reduce with no baseline: the chart draws none either."""
    action = (
        'id: "1.a"\npriority: "1"\ntitle: Fewer complaints\nowners: [planning-policy]\ndue: "2022/23"\n'
        "targets:\n  - text: reduce complaints to 10\n    value: 10\n    unit: complaints\n    direction: decrease\n"
        'updates:\n  - period: "2022/23 Q1"\n    actuals: {complaints: 30}\n'
        '  - period: "2022/23 Q2"\n    actuals: {complaints: 20}\n'
    )
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": action})
    snapshot = derive(load_workspace([], cwd=repo), date(2022, 10, 14))
    [kpi] = snapshot.find("1.a").kpis
    assert [pace for _, _, pace in kpi.history] == [None, None]
    build(snapshot, "html", tmp_path / "site")
    page = (tmp_path / "site" / "plans" / "test-plan" / "actions" / "1.a.html").read_text(encoding="utf-8")
    [chart] = charts_in(page)
    assert len(chart.findall(f"{SVG}rect[@class='kpi-actual']")) == 2
    assert chart.findall(f"{SVG}line[@class='kpi-pace']") == [] and "Steady pace" not in page


WORDS_REPO = {
    "plans/test-plan/actions/1.a-promote.yaml": 'id: "1.a"\npriority: "1"\ntitle: Promote\nowners: [planning-policy]\n'
    'due: "2022/23"\nstatus: not-started\n',
    "plans/test-plan/actions/1.b-risk.yaml": 'id: "1.b"\npriority: "1"\ntitle: At risk\nowners: [planning-policy]\n'
    'due: "2023/24"\nstatus: in-progress\nupdates:\n  - period: "2022/23 Q3"\n    rag: red\n    status: in-progress\n'
    '  - period: "2022/23 Q4"\n    rag: amber\n    status: not-started\n    note: Slipping\n',
    "plans/other-plan/plan.yaml": 'title: Another plan\nperiod: "2022/23"\nreporting: quarterly\n',
    "plans/other-plan/actions/1.a-same-id.yaml": 'id: "1.a"\ntitle: The other 1.a\nowners: [planning-policy]\n'
    'due: "2022/23"\n',
}


@pytest.fixture(scope="module")
def words_site(tmp_path_factory) -> Path:
    from .conftest import OWNERS, write_tree

    root = tmp_path_factory.mktemp("words")
    write_tree(root, {"plans/owners.yaml": OWNERS, "plans/test-plan/plan.yaml": PLAN, **WORDS_REPO})
    out = root / "site"
    build(derive(load_workspace([root / "plans"]), date(2023, 4, 10)), "html", out)
    return out


class Text(HTMLParser):
    """The text a page shows, outside SVG and <head>, with the classes of the elements around each piece."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.pieces: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs).get("class") or ""))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if data.strip() and "head" not in tags and "svg" not in tags:
            self.pieces.append((data, [c for _, c in self.stack]))


def shown_text(page: str) -> Text:
    parser = Text()
    parser.feed(page)
    return parser


def test_status_and_rag_words_are_the_friendly_ones(words_site):
    """Statuses read "Not started" and "In progress" (never "Not-started" or the file's "not-started"), RAG tags
    are in sentence case like every other tag, and updates are a plain list, newest first, not numbered."""
    page = (words_site / "plans" / "test-plan" / "actions" / "1.b.html").read_text(encoding="utf-8")
    text = " ".join(piece for piece, _ in shown_text(page).pieces)
    assert "<dt>Status</dt><dd>In progress</dd>" in page
    assert "Not started" in text and "In progress" in text  # the updates' statuses
    for raw in ("not-started", "Not-started", "in-progress", "In-progress", "RED", "AMBER", "GREEN"):
        assert raw not in text, raw
    assert '<strong class="tag tag--rag-amber">Amber</strong>' in page
    assert '<strong class="tag tag--rag-red">Red</strong>' in page
    assert "reversed" not in page and page.count("<ol>") == 1  # the breadcrumbs only: no numbers counting down
    assert re.search(r"<ul class=\"updates\">\s*<li class=\"update\">\s*<h3>2022/23 Q4", page)
    assert page.index("<h3>2022/23 Q4") < page.index("<h3>2022/23 Q3")  # newest first
    plan = (words_site / "plans" / "test-plan" / "index.html").read_text(encoding="utf-8")
    assert '<strong class="tag tag--rag-amber">Amber</strong>' in plan and "AMBER" not in plan


def test_empty_cells_show_a_dash_not_none(site, words_site):
    """A cell with nothing to show has an em dash (hidden from screen readers) and the word "none" for them; the word
    "None" is never printed in a page."""
    checked = 0
    for page in [*site.rglob("*.html"), *words_site.rglob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r">\s*None\s*<", html), page
        checked += html.count('<span aria-hidden="true">—</span><span class="visually-hidden">none</span>')
    assert checked > 100  # RAG and latest update of the many actions with no update


def test_dates_are_kept_on_one_line(site, kpi_site):
    """Every date a page shows in its text (outside charts) is in a .date element, which the stylesheet keeps
    unbroken: no "2023-03-" at the end of one line and "31)" at the start of the next."""
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    assert re.search(r"\.date \{ white-space: nowrap; \}", css)
    seen = 0
    for page in [*site.rglob("*.html"), kpi_site / KPI_PAGE]:
        for piece, classes in shown_text(page.read_text(encoding="utf-8")).pieces:
            for _ in re.finditer(r"\d{4}-\d{2}-\d{2}", piece):
                assert any("date" in c.split() for c in classes), (page, piece)
                seen += 1
    assert seen > 200


def test_priority_tables_do_not_repeat_their_heading(site):
    """Under "Priority 1: Housing for all" the table's caption, which names the table for screen readers, is not
    shown a second time."""
    page = (site / "plans" / "health-wellbeing-2022-23" / "index.html").read_text(encoding="utf-8")
    pairs = re.findall(
        r"<h3>(Priority [^<]*)</h3>\s*<div [^>]*>\s*<table[^>]*>\s*<caption([^>]*)>([^<]*)</caption>", page
    )
    assert len(pairs) == 6
    for heading, attributes, caption in pairs:
        assert caption.startswith(heading.replace("&amp;", "&").replace("&", "&amp;"))
        assert attributes == ' class="visually-hidden"', heading


def test_owner_pages_group_actions_by_plan(words_site):
    """Two plans may both have an action "1.a": an owner's page lists each under its plan's title (and a link to
    it), so the two rows are told apart."""
    page = (words_site / "owners" / "planning-policy.html").read_text(encoding="utf-8")
    sections = re.split(r"<h2>", page)[1:]
    titles = [re.match(r'<a href="([^"]+)">([^<]+)</a></h2>', s).groups() for s in sections]
    assert titles == [
        ("../plans/other-plan/index.html", "Another plan"),
        ("../plans/test-plan/index.html", "Test plan 2022/23"),
    ]
    tables = page.split('<section class="owner-digest"')[0]  # the to-do list below links them again
    assert re.findall(r'<a href="../plans/([^/]+)/actions/1.a.html">1.a</a>', tables) == ["other-plan", "test-plan"]
    assert "Actions Planning Policy delivers in Another plan</caption>" in sections[0]


def test_number_columns_are_marked_for_right_alignment(site):
    """Counts and actuals are in cells of class "numeric", which the stylesheet right-aligns with tabular figures."""
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    assert ".table .numeric { text-align: right; font-variant-numeric: tabular-nums; }" in css
    plan = (site / "plans" / "health-wellbeing-2022-23" / "index.html").read_text(encoding="utf-8")
    counts = re.findall(r'<td class="numeric" data-label="([^"]+)">\d+</td>', plan)
    assert len(counts) == 6 * (1 + 8) + 6 * 4  # per priority: actions and each state; red, amber, green, none
    owners = (site / "owners.html").read_text(encoding="utf-8")
    assert not re.search(r"<td>\d+</td>", owners) and re.search(
        r'<td class="numeric" data-label="Open">\d+</td>', owners
    )


def test_chart_colours_are_distinct_and_segments_are_parted(words_site):
    """Red is a red, not amber's orange; the states that say nothing moves (not reported, not started, cancelled)
    are told apart; every fill stands out from the page (3:1) and carries its count legibly (4.5:1); adjacent
    segments of a bar are parted by a white gap."""
    from actiontrack.views.charts import EMPTY, RAG_COLOURS, STATE_COLOURS, TEXT_ON

    def rgb(colour: str) -> tuple[float, float, float]:
        return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]

    def luminance(colour: str) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (linear(c) for c in rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    def contrast(a: str, b: str) -> float:
        light, dark = sorted((luminance(a), luminance(b)), reverse=True)
        return (light + 0.05) / (dark + 0.05)

    def hue(colour: str) -> float:
        import colorsys

        return colorsys.rgb_to_hls(*rgb(colour))[0] * 360

    red, amber = RAG_COLOURS["red"], RAG_COLOURS["amber"]
    assert red == STATE_COLOURS["overdue"] and amber == STATE_COLOURS["at-risk"]
    assert hue(red) > 340 or hue(red) < 5, hue(red)  # a red: not towards orange
    assert 20 < hue(amber) < 45 and contrast(red, amber) > 2  # an orange, and far lighter than the red
    fills = [c for c in STATE_COLOURS.values() if c != EMPTY]
    assert len(set(fills)) == len(fills) and STATE_COLOURS["not-reported"] == EMPTY == RAG_COLOURS["none"]
    greys = [STATE_COLOURS["not-started"], STATE_COLOURS["cancelled"]]
    assert contrast(*greys) > 2  # one mid grey, one charcoal (and "not reported" an empty box)
    for colour in fills:
        assert contrast(colour, "#ffffff") >= 3, colour
        assert contrast(colour, TEXT_ON.get(colour, "#ffffff")) >= 4.5, colour

    page = (words_site / "plans" / "test-plan" / "index.html").read_text(encoding="utf-8")
    rows = 0
    for chart in charts_in(page)[:2]:  # the two stacked bar charts
        rects = [r for r in chart.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
        gaps = {(g.get("x1"), g.get("y1")) for g in chart.findall(f"{SVG}line") if g.get("stroke") == "#ffffff"}
        by_row: dict[str, list] = {}
        for rect in rects:
            by_row.setdefault(rect.get("y"), []).append(rect)
        for y, segments in by_row.items():
            for before, after in itertools.pairwise(segments):
                end = float(before.get("x")[:-1]) + float(before.get("width")[:-1])
                assert float(after.get("x")[:-1]) == pytest.approx(end, abs=0.011)  # they meet
                assert (after.get("x"), str(int(y) - 1)) in gaps, (y, after.get("x"))  # a white line there
                rows += 1
    assert rows == 2  # not started beside at risk; amber beside no rating
