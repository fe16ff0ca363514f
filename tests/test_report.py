"""actiontrack report: Markdown and HTML from the same plans, deterministic, escaped, relative, overridable."""

from __future__ import annotations

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
    assert 'role="img"' in page and '<title id="kpi-1-title">Progress towards 10 x volunteers</title>' in page
    assert "Latest actual 4 against a target of 10 volunteers (2022/23 Q1)." in page


def test_charts_have_titles_and_descriptions(site):
    page = (site / "plans" / "health-wellbeing-2022-23" / "index.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg [^>]*>", page)
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
    assert re.search(r"2022/23 Q1</th><td class=\"numeric\">150</td>", page)
    assert re.search(r"2022/23 Q2</th><td class=\"numeric\">310</td><td class=\"numeric\">600", page)
    assert "behind a steady pace to the deadline" in page
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
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*.html")}


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
    assert owner_pages == {"owners/regulatory-services.html"}  # 1.c's owner
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
