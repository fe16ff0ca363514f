"""The HTML report in a real browser (headless Debian Chromium): accessibility (axe-core, WCAG 2.2 AA), no console
errors, no request leaving the site, and user text that cannot run as script."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from actiontrack.derive import derive
from actiontrack.load import load_workspace
from actiontrack.report import build

from .browser.harness import open_pages
from .conftest import BUNDLED_PLANS
from .test_report import XSS_ACTION, XSS_NOTE

# one page of every type, for both plans: index, owners list, plan, action, owner (registered and not)
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


def assert_clean(result: dict) -> None:
    page = result["page"]
    assert result["status"] == 200, page
    assert result["consoleErrors"] == [] and result["pageErrors"] == [], (page, result["consoleErrors"])
    assert result["dialogs"] == [], (page, result["dialogs"])
    assert result["failedRequests"] == [] and result["offsite"] == [], (page, result["offsite"])
    severe = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert severe == [], (page, severe)


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    build(derive(load_workspace([BUNDLED_PLANS]), date(2023, 6, 30)), "html", out)
    return out


def test_every_page_type_passes_axe_with_no_console_errors(bundled_site, tmp_path):
    results = open_pages(bundled_site, PAGE_TYPES, shots=tmp_path / "screenshots")
    assert [r["page"] for r in results] == PAGE_TYPES
    for result in results:
        assert_clean(result)
    assert len(list((tmp_path / "screenshots").glob("*.png"))) == len(PAGE_TYPES)
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
    [result] = open_pages(site, ["bad.html"])
    found = {v["id"] for v in result["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found


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
    pages = [
        "plans/test-plan/index.html",
        "plans/test-plan/actions/1.e.html",
        "plans/test-plan/actions/1.h.html",
        "owners.html",
        "index.html",
    ]
    results = open_pages(site, pages)
    for result in results:
        assert_clean(result)
        assert result["violations"] == [], (result["page"], result["violations"])
    assert "Stalled: see the paper" in results[2]["text"]


def test_script_in_notes_shows_as_text_and_never_runs(make_repo, tmp_path):
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": XSS_ACTION})
    site = tmp_path / "site"
    build(derive(load_workspace([], cwd=repo), date(2022, 7, 5)), "html", site)
    pages = ["plans/test-plan/actions/1.a.html", "plans/test-plan/index.html", "owners/planning-policy.html"]
    results = open_pages(site, pages)
    for result in results:
        assert_clean(result)  # includes: no dialog opened, so no alert() ran
    action_page = results[0]["text"]
    assert "<script>alert(1)</script>" in action_page
    assert '"><img src=x onerror=alert(1)>' in action_page
    assert "A <b>bold</b> title" in action_page
    assert "[link](javascript:alert(2))" in action_page
    # the plan page shows the latest note as text too
    assert XSS_NOTE.split(" and ")[0] in results[1]["text"]
