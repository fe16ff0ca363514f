"""The HTML report in a real browser (headless Debian Chromium): accessibility (axe-core, WCAG 2.2 AA), no console
errors, no request leaving the site, and user text that cannot run as script."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from actiontrack.derive import derive
from actiontrack.load import load_workspace
from actiontrack.report import build

from .browser.harness import open_pages
from .conftest import BUNDLED_PLANS
from .test_report import KPI_AS_OF, KPI_PAGE, XSS_ACTION, XSS_NOTE, kpi_plans

# one page of each type, for both plans: index, owners list, plan, action, owner (registered and not); every page of
# the site is checked, these also by what they show
PAGE_TYPES = [
    "index.html",
    "owners.html",
    "plans/health-wellbeing-2022-23/index.html",
    "plans/health-inequalities-2021-23/index.html",
    "plans/health-wellbeing-2022-23/actions/6.d.html",
    "plans/health-inequalities-2021-23/actions/6.html",
    "owners/health-wellbeing.html",
    "owners/hwbb-education-sub-group.html",
]
WIDTH = 1280  # the desktop viewport
WIDTHS = (1280, 640, 390, 320)  # every page at a desktop, a small tablet, a phone, and the narrowest (WCAG reflow)
PARALLEL = 4  # tabs open at once in the one browser session: the browser mostly waits, so 4 beat 2 on 2 cores


def violation_lines(result: dict, width: int = WIDTH) -> list[str]:
    """One line per axe violation: rule id, impact, page, width, elements."""
    return [
        f"{v['id']} [{v['impact']}] {result['page']} @{width}px: {', '.join(v.get('targets') or [str(v['first'])])}"
        f" ({v.get('help', '')})"
        for v in result["violations"]
    ]


def assert_clean(result: dict) -> None:
    """Loaded, no console or page error, no dialog, no request leaving the site, and no axe violation of any impact
    (minor and moderate ones included)."""
    page = result["page"]
    assert result["status"] == 200, page
    assert result["consoleErrors"] == [] and result["pageErrors"] == [], (page, result["consoleErrors"])
    assert result["dialogs"] == [], (page, result["dialogs"])
    assert result["failedRequests"] == [] and result["offsite"] == [], (page, result["offsite"])
    assert result["violations"] == [], "\n".join(violation_lines(result))


def all_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build(derive(load_workspace([BUNDLED_PLANS]), date(2023, 6, 30)), "html", out)
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_with_no_console_errors(bundled_site, tmp_path, width):
    """Every page of the built site (72), in one browser session at a desktop's and at a phone's width: zero axe
    violations of any impact (WCAG 2.0/2.1/2.2 A and AA), no console error, no request leaving the site."""
    pages = all_pages(bundled_site)
    assert len(pages) == 72 and set(PAGE_TYPES) <= set(pages)
    results = open_pages(bundled_site, pages, shots=tmp_path / "screenshots", parallel=PARALLEL, width=width)
    assert [r["page"] for r in results] == pages  # every page was opened and checked
    problems = [line for r in results for line in violation_lines(r, width)]
    assert problems == [], "\n".join(problems)  # all of them at once, not the first page's only
    for result in results:
        assert_clean(result)
    assert len(list((tmp_path / "screenshots").glob("*.png"))) == len(pages)
    by_page = {r["page"]: r for r in results}
    assert "Health & Wellbeing Strategy Action Plan 2022/23" in by_page["index.html"]["text"]
    assert by_page["plans/health-inequalities-2021-23/actions/6.html"]["title"].startswith("6 To explore funding")


def test_axe_really_runs(tmp_path):
    """A negative control: a page with known violations is reported, so a clean result means something."""
    site = tmp_path / "bad"
    site.mkdir()
    (site / "bad.html").write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><img src="data:,">'
        '<p style="color:#eee;background:#fff">faint</p></body></html>'
    )
    # a moderate violation only: the pages above must have none of any impact, so this one must fail them too
    (site / "moderate.html").write_text(
        '<!DOCTYPE html><html lang="en" xml:lang="fr"><head><title>x</title></head><body><main><h1>x</h1>'
        "</main></body></html>"
    )
    [result, moderate] = open_pages(site, ["bad.html", "moderate.html"], width=WIDTH)
    found = {v["id"] for v in result["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found
    assert [(v["id"], v["impact"]) for v in moderate["violations"]] == [("html-xml-lang-mismatch", "moderate")]
    with pytest.raises(AssertionError, match=r"html-xml-lang-mismatch \[moderate\] moderate.html @1280px: html"):
        assert_clean(moderate)


EVERY_STATE = {
    # one action in each state and RAG, so every tag colour and chart segment is checked for contrast
    "plans/test-plan/actions/1.a-promote.yaml": 'id: "1.a"\npriority: "1"\ntitle: Overdue\n'
    'owners: [planning-policy]\ndue: "2022/23"\n',
    "plans/test-plan/actions/1.b-risk.yaml": 'id: "1.b"\npriority: "1"\ntitle: At risk\nowners: [planning-policy]\n'
    'due: "2023/24"\nupdates:\n  - period: "2022/23 Q4"\n    rag: amber\n    note: Slipping\n',
    "plans/test-plan/actions/1.c-soon.yaml": 'id: "1.c"\npriority: "1"\ntitle: Due soon\nowners: [planning-policy]\n'
    'due: "April 2023"\nstatus: in-progress\nupdates:\n  - period: "2022/23 Q4"\n    rag: green\n',
    "plans/test-plan/actions/1.d-not-started.yaml": 'id: "1.d"\npriority: "1"\ntitle: Not started\n'
    'owners: [joel-matthews]\ndue: "2023/24"\nstatus: not-started\n',
    "plans/test-plan/actions/1.e-on-track.yaml": 'id: "1.e"\npriority: "1"\ntitle: On track\n'
    'owners: [planning-policy]\ndue: "2023/24"\nstatus: in-progress\ntargets:\n  - text: 10 x volunteers\n'
    'updates:\n  - period: "2022/23 Q4"\n'
    "    rag: green\n    actuals: {volunteers: 12}\n",
    "plans/test-plan/actions/1.f-done.yaml": 'id: "1.f"\npriority: "1"\ntitle: Complete\nowners: [planning-policy]\n'
    'due: "2022/23"\nstatus: complete\n',
    "plans/test-plan/actions/1.g-cancelled.yaml": 'id: "1.g"\npriority: "1"\ntitle: Cancelled\n'
    'owners: [planning-policy]\ndue: "2022/23"\nstatus: cancelled\n',
    "plans/test-plan/actions/1.h-red.yaml": 'id: "1.h"\npriority: "1"\ntitle: Red\nowners: []\ndue: ongoing\n'
    'updates:\n  - period: "2022/23 Q4"\n    rag: red\n    note: "**Stalled**: see [the paper](https://example.org/paper)"\n',
}


def test_every_state_and_rag_passes_axe(make_repo, tmp_path):
    repo = make_repo(EVERY_STATE)
    snapshot = derive(load_workspace([], cwd=repo), date(2023, 4, 10))
    assert {a.state for a in snapshot.actions} == {
        "overdue",
        "at-risk",
        "due-soon",
        "not-started",
        "on-track",
        "complete",
        "cancelled",
    }
    site = tmp_path / "site"
    build(snapshot, "html", site)
    pages = all_pages(site)  # every page: the plan, its 8 actions, the index, the owners and each owner's page
    assert {"plans/test-plan/index.html", "plans/test-plan/actions/1.h.html", "owners.html", "index.html"} <= set(pages)
    assert len([p for p in pages if "/actions/" in p]) == 8
    results = open_pages(site, pages, parallel=PARALLEL, width=WIDTH)
    assert [r["page"] for r in results] == pages
    problems = [line for r in results for line in violation_lines(r)]
    assert problems == [], "\n".join(problems)
    for result in results:
        assert_clean(result)
    by_page = {r["page"]: r for r in results}
    assert "Stalled: see the paper" in by_page["plans/test-plan/actions/1.h.html"]["text"]


def test_script_in_notes_shows_as_text_and_never_runs(make_repo, tmp_path):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": XSS_ACTION})
    site = tmp_path / "site"
    build(derive(load_workspace([], cwd=repo), date(2022, 7, 5)), "html", site)
    pages = ["plans/test-plan/actions/1.a.html", "plans/test-plan/index.html", "owners/planning-policy.html"]
    results = open_pages(site, pages, width=WIDTH)
    for result in results:
        assert_clean(result)  # includes: no dialog opened, so no alert() ran
    action_page = results[0]["text"]
    assert "<script>alert(1)</script>" in action_page
    assert '"><img src=x onerror=alert(1)>' in action_page
    assert "A <b>bold</b> title" in action_page
    assert "[link](javascript:alert(2))" in action_page
    # the plan page shows the latest note as text too
    assert XSS_NOTE.split(" and ")[0] in results[1]["text"]


def test_printed_pages_are_a4_with_the_date_and_title_on_each_and_captions_kept_with_their_tables(
    bundled_site, tmp_path
):
    """Printed from Chromium (its print stylesheet, the page size it asks for): A4, the report's title and the as-of
    date in every page's margin, the plan's title in the top margin of every sheet of a plan's page and of its
    actions' pages (and the action's id on an action's), and no table caption left at the foot of a page without its
    table."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    pages = [
        "index.html",
        "plans/health-wellbeing-2022-23/index.html",
        "plans/health-inequalities-2021-23/actions/6.html",
    ]
    heads = {  # what the top margin says on every sheet of each page
        "index.html": "",
        "plans/health-wellbeing-2022-23/index.html": "Health & Wellbeing Strategy Action Plan 2022/23",
        "plans/health-inequalities-2021-23/actions/6.html": "2021 – 2023 Health Inequalities Action Plan Action 6",
    }
    pdfs = tmp_path / "pdf"
    open_pages(bundled_site, pages, axe=False, pdf=pdfs)
    captions = 0
    for page in pages:
        pdf = pdfs / (page.replace("/", "__") + ".pdf")
        printed = list(extract_pages(pdf))
        assert printed, page
        assert len(printed) > 1 or page.endswith("6.html"), page  # the title is also checked past the first sheet
        for number, sheet in enumerate(printed, start=1):
            width, height = sheet.width, sheet.height
            assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (page, width, height)  # A4 in points
            boxes = [b for b in sheet if isinstance(b, LTTextContainer)]
            head = " ".join(" ".join(b.get_text().split()) for b in boxes if b.y0 > height - 18 / 25.4 * 72)
            assert head == heads[page], (page, number, head)  # in the top margin (18 mm), not the page's text
            text = " ".join(" ".join(b.get_text().split()) for b in boxes)
            assert "figures as of 2023-06-30" in text and "Action plans" in text, (page, number)
            assert f"Page {number} of {len(printed)}" in text, (page, number)
            for caption in ("Actions by state in each priority", "Latest RAG rating in each priority"):
                # a table's caption printed on this sheet has its table's header row with it (the chart's caption,
                # "... in each priority. The table below ...", is kept with its chart instead)
                for found in re.finditer(re.escape(caption) + r"(?!\.)", text):
                    assert "Priority" in text[found.end() :], (page, number, caption)
                    captions += 1
    assert captions == 2  # both tables' captions were printed (on the plan's page), and checked


def test_chart_text_is_measured_as_rendered(tmp_path):
    """A negative control for the measurement: a chart drawn in a 720-unit viewBox (as they were) with 13-unit
    text renders it under 12 px on a phone, and the probe says so."""
    site = tmp_path / "old"
    site.mkdir()
    (site / "old.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title><meta name="viewport" content="width=device-width">'
        '</head><body><svg class="chart" viewBox="0 0 720 62" style="width:100%"><text x="10" y="54" '
        'font-size="13">310 volunteers</text></svg></body></html>'
    )
    [result] = open_pages(site, ["old.html"], axe=False, width=390, probes=("chartText",))
    [text] = result["probes"]["chartText"][0]["texts"]
    assert text["size"] < 8


# ---- ready for the committee (issue 16): measured in the browser ------------------------------------------------


NARROW = (390, 320)  # a phone, and the narrowest screen WCAG's reflow asks for


@pytest.fixture(scope="module")
def kpi_site(tmp_path_factory) -> Path:
    """The bundled plans, with 1.c's target of 1,200 volunteers measured at 150 and 310 (tests/test_report.py)."""
    plans = kpi_plans(tmp_path_factory.mktemp("kpi-browser"))
    out = plans.parent / "site"
    build(derive(load_workspace([plans]), KPI_AS_OF), "html", out)
    return out


CHART_PAGES = [KPI_PAGE, "plans/health-wellbeing-2022-23/index.html", "plans/health-inequalities-2021-23/index.html"]


def overlaps(a: dict, b: dict) -> bool:
    """Two text boxes share more than a sliver (half a px either way)."""
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5 and (
        min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5
    )


# a target measured once, with no steady pace to compare (its deadline recurs): the latest actual against the target
ONE_ACTUAL = (
    'id: "1.a"\npriority: "1"\ntitle: Volunteers\nowners: [planning-policy]\ndue: ongoing\n'
    'targets:\n  - text: 10 x volunteers\nupdates:\n  - period: "2022/23 Q1"\n    rag: green\n'
    "    actuals: {volunteers: 4}\n"
)


def chart_text_problems(result: dict, width: int) -> tuple[int, list[str]]:
    """How many charts a page has, and what is wrong with their text: under 12 px, outside the chart, overlapping."""
    problems = []
    charts = result["probes"]["chartText"]
    for chart in charts:
        where = f"{result['page']} @{width}px {chart['id']}"
        if not chart["texts"]:
            problems.append(f"{where}: no text")
        for text in chart["texts"]:
            if text["size"] < 12:
                problems.append(f"{where}: {text['text']!r} at {text['size']:.1f} px")
            if text["left"] < -0.5 or text["right"] > chart["width"] + 0.5:
                problems.append(f"{where}: {text['text']!r} cut off across ({text['left']:.0f} to {text['right']:.0f})")
            if text["top"] < -0.5 or text["bottom"] > chart["height"] + 0.5:
                problems.append(f"{where}: {text['text']!r} cut off down ({text['top']:.0f} to {text['bottom']:.0f})")
        texts = chart["texts"]
        problems += [
            f"{where}: {a['text']!r} overlaps {b['text']!r}"
            for i, a in enumerate(texts)
            for b in texts[i + 1 :]
            if overlaps(a, b)
        ]
    return len(charts), problems


@pytest.mark.parametrize("width", (*NARROW, 640, 1280))
def test_chart_text_is_never_under_12px_and_fits_its_chart(kpi_site, make_repo, tmp_path, width):
    """Every chart's visible text, as rendered: at least 12 CSS px (its computed size times the chart's scale on the
    screen), inside its chart (nothing cut off at either edge) and clear of the chart's other text; on the plan pages,
    the KPI chart of actuals by period, and the bar of a target measured once. The pages pass axe with no violation
    at this width too (neither KPI chart is on the bundled pages)."""
    results = open_pages(kpi_site, CHART_PAGES, parallel=3, width=width, probes=("chartText",))
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": ONE_ACTUAL})
    build(derive(load_workspace([], cwd=repo), date(2022, 10, 14)), "html", tmp_path / "one")
    [one] = open_pages(tmp_path / "one", ["plans/test-plan/actions/1.a.html"], width=width, probes=("chartText",))
    charts, problems = 0, []
    for result in [*results, one]:
        assert_clean(result)
        count, found = chart_text_problems(result, width)
        charts, problems = charts + count, problems + found
    assert problems == [], "\n".join(problems)
    assert charts == 1 + 3 + 3 + 1  # the KPI chart; states, RAG and deadlines on each plan page; the one actual
    kpi = next(r for r in results if r["page"] == KPI_PAGE)["probes"]["chartText"][0]["texts"]
    shown = {t["text"] for t in kpi}
    assert {"target 1,200", "150", "310", "2022/23 Q1", "2022/23 Q2", "deadline 2023-03-31"} <= shown, shown
    [bar] = one["probes"]["chartText"]
    assert bar["id"] == "kpi-1-title kpi-1-desc" and [t["text"] for t in bar["texts"]] == ["target 10", "4"]


def stacked(table: dict) -> bool:
    return table["display"] == "block" and table["rowDisplay"] in ("block", "grid")


@pytest.mark.parametrize("width", WIDTHS)
def test_tables_become_stacked_rows_on_narrow_screens(bundled_site, kpi_site, width):
    """Up to 640 px every data table is a stack of rows (a block each, headed by its row header), each cell shown
    after its column's header (its data-label), the header row kept for screen readers, which still find a table
    with all its cells and headers; nothing scrolls sideways, neither a table's region nor the page, and each region
    stays focusable and labelled. Wider, tables are tables, their number columns right-aligned in tabular figures."""
    sites = [(bundled_site, PAGE_TYPES), (kpi_site, [KPI_PAGE])]
    tables = 0
    for site, pages in sites:
        for result in open_pages(
            site, pages, axe=False, parallel=PARALLEL, width=width, probes=("tables", "tableRoles")
        ):
            page = result["page"]
            probe = result["probes"]["tables"]
            assert probe["pageOverflow"] <= 0, (page, width)
            roles = result["probes"]["tableRoles"]
            assert {role: roles["roles"].get(role, 0) for role in roles["dom"]} == roles["dom"], (page, width)
            for table in probe["tables"]:
                tables += 1
                where = (page, width, table["caption"])
                assert table["wrapFocusable"] and table["wrapLabel"], where
                assert table["wrapOverflow"] <= 0 if width <= 640 else True, where
                cells = [c for c in table["cells"] if c["tag"] == "td"]
                assert cells, where
                if width <= 640:
                    assert stacked(table) and not table["headShown"], where
                    for cell in cells:
                        assert cell["label"] == cell["header"] and cell["beforeShown"], (where, cell)
                else:
                    assert table["display"] == "table" and table["headShown"], where
                    for cell in cells:
                        assert not cell["beforeShown"], (where, cell)
                        if cell["numeric"]:
                            assert cell["textAlign"] == "right" and cell["numerals"] == "tabular-nums", (where, cell)
    assert tables >= 18  # every table of the eight page types and the KPI page


@pytest.mark.parametrize("width", (1280, 320))
def test_the_skip_link_moves_focus_to_main_without_painting_it(bundled_site, width):
    """Tab, Enter on "Skip to main content": focus is on <main>, which shows no yellow, outline or shadow (it is not
    a control; the next Tab starts there)."""
    pages = ["index.html", "plans/health-wellbeing-2022-23/index.html"]
    for result in open_pages(bundled_site, pages, axe=False, width=width, probes=("skipLink",)):
        skip = result["probes"]["skipLink"]
        assert skip["first"] == "Skip to main content", result["page"]
        assert (skip["tag"], skip["id"]) == ("main", "main"), result["page"]
        assert skip["background"] == "rgba(0, 0, 0, 0)" and skip["outline"] == "none" and skip["boxShadow"] == "none"


def test_dates_never_break_at_their_hyphens(bundled_site, kpi_site):
    """On the narrowest screen every date the pages mark (due dates, the plan's period, the as-of date) is on one
    line."""
    seen = 0
    for site, pages in ((bundled_site, PAGE_TYPES), (kpi_site, [KPI_PAGE])):
        for result in open_pages(site, pages, axe=False, parallel=PARALLEL, width=320, probes=("dates",)):
            for found in result["probes"]["dates"]:
                assert found["whiteSpace"] == "nowrap" and found["lines"] == 1, (result["page"], found)
                seen += 1
    assert seen > 50
