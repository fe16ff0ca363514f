"""Issue 8: classic XSS payloads in every free-text field, the HTML report opened page by page in headless Chromium.

A repository of 20 plans is generated; plan i carries payload i in every free-text field there is: the plan's title,
organisation and source, its priority's id, title and description, its one action's title, "what", milestones,
target texts and units, outcome, update note, update author, actuals key and lint reason, and the name, contact and
aliases of the action's owner (owner i, who is also the partner of action i - 1). The site title (actiontrack.yaml
`report.title`) holds all 20. So every page type (index, owners, plan, action, owner, unregistered owner) shows each
payload in each field it renders, on one page of that type or another. Ids cannot carry a payload (their grammar
allows letters, digits, ".", "-" and "_"), except a priority's id: any 20 characters. Deadlines and periods must
parse as dates. A few fields (contacts, aliases, priority descriptions, update authors, lint reasons) appear on no
page; they hold payloads all the same, and a test checks that they really are not rendered.

Every .html file of the built site is opened, and on each: no dialog opened (alert/confirm/prompt: a script ran), no
console error or page error, no request left the site, nothing in the DOM could run script (no <script>, no on*
attribute, no javascript:/data: URL, no element the templates never write such as <iframe> or <object>, no
<meta http-equiv>), and each payload shows as the literal text it was written as, with the field it came from.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.load import load_workspace

from .browser.harness import open_pages

AS_OF = "2023-06-30"

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "[x](javascript:alert(1))",  # a Markdown link to a script URL
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "{{7*7}} {{ site_title }} {% raw %}x{% endraw %} {#x#}",  # template injection: stays literal, never 49
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<details open ontoggle=alert(1)>",
    '" onmouseover="alert(1)" autofocus onfocus="alert(1)',  # attribute breakout; autofocus makes it fire unaided
    "<style>@import 'http://evil.invalid/x.css'</style>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",  # a Markdown link to a data: URL
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object>',
    # already-escaped text must show as written; U+2028/U+2029 end lines in old JavaScript and break naive embedding
    "&lt;script&gt;alert(1)&lt;/script&gt; \u2028<script>alert(1)</script>\u2029 &#60;b&#62;",
]
N = len(PAYLOADS)

# Markdown fields (outcomes, update notes) are rendered with raw HTML off: a tag is shown as text, an unsafe link
# (javascript:, data:) is left as its literal "[x](...)". The one thing Markdown itself gives meaning to here is a
# character reference: in CommonMark "&lt;" is how an author writes a literal "<", so it shows as "<" -- inert text
# all the same (the DOM checks prove no element came of it). Everywhere else text is shown exactly as written.
MARKDOWN_SHOWS = {PAYLOADS[19]: "<script>alert(1)</script> \u2028<script>alert(1)</script>\u2029 <b>"}

# every element the templates write (inline SVG charts included) and the paragraphs Markdown makes of these outcomes
# and notes: anything else in a page came from a payload
EXPECTED_TAGS = {
    *("html", "head", "meta", "title", "link", "body", "header", "footer", "nav", "main", "section", "div", "span"),
    *("a", "h1", "h2", "h3", "p", "strong", "ul", "ol", "li", "dl", "dt", "dd", "figure", "figcaption"),
    *("table", "caption", "thead", "tbody", "tr", "th", "td", "svg", "title", "desc", "rect", "text", "line", "circle"),
    "g",  # a chart's labels for narrow or for wide screens
    "style",  # the one print-margin rule in <head>; its text is checked to the character below (PRINT_MARGIN)
    "code",  # the owner's to-do list: each command and file (templates/html/_digest.html.j2)
}
# The print margin carries the site's title, and on a plan's pages the plan's title (and on an action's page its id),
# inside CSS strings: every character but letters, digits and spaces is a CSS escape (\hhhhhh), so no payload can end
# the string, the rule or the element.
CSS_TEXT = r"(?:[A-Za-z0-9 ]|\\[0-9a-f]{6})*"
PRINT_MARGIN = re.compile(
    r'<style media="print">@page \{ '
    rf'(?P<plan>@top-left \{{ content: "{CSS_TEXT}"; font-size: 8pt; \}} )?'
    rf'(?P<action>@top-right \{{ content: "Action {CSS_TEXT}"; font-size: 8pt; \}} )?'
    rf'@bottom-left \{{ content: "{CSS_TEXT}'
    r' · figures as of \d{4}-\d{2}-\d{2}"; font-size: 8pt; \} @bottom-right \{ content: "Page " counter\(page\)'
    r' " of " counter\(pages\); font-size: 8pt; \} \}</style>'
)
SITE_ICON = '<link href="data:,">'  # the one data: URL a page has: an empty favicon, so no request for one
PARALLEL = 4  # pages open at once; the browser mostly waits (for loads and frames), so this more than halves the time


def field(i: int, name: str) -> str:
    """Payload i as field `name` holds it: the payload first (so it meets its context unchanged), then a label
    that says which field a piece of text on a page came from."""
    return f"{PAYLOADS[i]} ({name} {i})"


def priority_id(i: int) -> str:
    return PAYLOADS[i][:20].strip()  # a priority id is at most 20 characters of anything


def shown_markdown(i: int, name: str) -> str:
    return f"{MARKDOWN_SHOWS.get(PAYLOADS[i], PAYLOADS[i])} ({name} {i})"


SITE_TITLE = " | ".join(field(i, "site") for i in range(N))


def _dump(data: dict[str, Any]) -> str:
    """YAML as a person would write it (block style, quoted where needed); never tags or aliases."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 1 << 20  # no folded lines
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def repository_files() -> dict[str, str]:
    files = {"actiontrack.yaml": _dump({"report": {"title": SITE_TITLE}})}
    owners = [
        {
            "id": f"owner-{i:02d}",
            "name": field(i, "owner"),
            "kind": ("team", "person", "partner")[i % 3],
            "contact": field(i, "contact"),
            "aliases": [field(i, "alias")],
        }
        for i in range(N)
    ]
    files["plans/owners.yaml"] = _dump({"owners": owners})
    for i in range(N):
        files[f"plans/plan-{i:02d}/plan.yaml"] = _dump(
            {
                "title": field(i, "plan"),
                "organisation": field(i, "organisation"),
                "period": "2022/24",
                "reporting": "quarterly",
                "source": field(i, "source"),
                "priorities": [
                    {"id": priority_id(i), "title": field(i, "priority"), "description": field(i, "description")}
                ],
            }
        )
        files[f"plans/plan-{i:02d}/actions/{i + 1}.yaml"] = _dump(
            {
                "id": str(i + 1),
                "priority": priority_id(i),
                "title": field(i, "action"),
                "what": field(i, "what"),
                "owners": [f"owner-{i:02d}", "unregistered-owner"],
                "partners": [f"owner-{(i + 1) % N:02d}"],
                "due": "2023/24",
                "milestones": [
                    {"text": field(i, "milestone"), "due": "March 2024"},
                    {"text": field(i, "done milestone"), "done": True},
                ],
                "targets": [
                    {"text": field(i, "target"), "value": 10, "unit": field(i, "unit")},
                    {"text": field(i, "unmet target"), "id": "second", "value": 20, "unit": field(i, "other unit")},
                ],
                "outcome": field(i, "outcome"),
                "status": "in-progress",
                "updates": [
                    {
                        "period": "2022/23 Q4",
                        "rag": "red",
                        "note": field(i, "note"),
                        "actuals": {field(i, "unit"): 4},
                        "by": field(i, "by"),
                    }
                ],
                "lint": {"ignore": ["stale-update"], "reason": field(i, "lint reason")},
            }
        )
    return files


def write_repository(root: Path) -> Path:
    for name, text in repository_files().items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def expected_pages() -> dict[str, list[str]]:
    """Every page of the site and the text that must show on it, each piece naming its field."""
    everywhere = [field(i, "site") for i in range(N)]
    pages: dict[str, list[str]] = {
        "index.html": [
            *everywhere,
            *(field(i, "plan") for i in range(N)),
            *(field(i, "organisation") for i in range(N)),
        ],
        "owners.html": [*everywhere, *(field(i, "owner") for i in range(N))],
        "owners/unregistered-owner.html": [
            *everywhere,
            *(field(i, name) for i in range(N) for name in ("action", "owner", "note")),
        ],
    }
    for i in range(N):
        plan = f"plans/plan-{i:02d}"
        pages[f"{plan}/index.html"] = [
            *everywhere,
            *(field(i, name) for name in ("plan", "organisation", "source", "priority", "action", "owner")),
            f"{priority_id(i)} {field(i, 'priority')}",  # the priority tables' row headers
            field(i, "note"),  # the latest note in the action tables is plain text, not Markdown
        ]
        pages[f"{plan}/actions/{i + 1}.html"] = [
            *everywhere,
            *(field(i, name) for name in ("plan", "action", "what", "owner", "milestone", "done milestone")),
            field((i + 1) % N, "owner"),  # the partner
            *(field(i, name) for name in ("target", "unmet target")),
            f"Priority {priority_id(i)}: {field(i, 'priority')}",
            f"against a target of 10 {field(i, 'unit')}",
            f"Target 20 {field(i, 'other unit')}. No actual recorded yet.",
            f"Actuals: {field(i, 'unit')} 4",
            shown_markdown(i, "outcome"),
            shown_markdown(i, "note"),
        ]
        pages[f"owners/owner-{i:02d}.html"] = [*everywhere, *(field(i, name) for name in ("owner", "action", "note"))]
    return pages


def expected_titles() -> dict[str, str]:
    titles = {"index.html": SITE_TITLE, "owners.html": f"Owners – {SITE_TITLE}"}
    titles["owners/unregistered-owner.html"] = f"unregistered-owner – {SITE_TITLE}"
    for i in range(N):
        titles[f"plans/plan-{i:02d}/index.html"] = f"{field(i, 'plan')} – {SITE_TITLE}"
        titles[f"plans/plan-{i:02d}/actions/{i + 1}.html"] = f"{i + 1} {field(i, 'action')} – {field(i, 'plan')}"
        titles[f"owners/owner-{i:02d}.html"] = f"{field(i, 'owner')} – {SITE_TITLE}"
    return titles


def script_findings(result: dict[str, Any]) -> list[str]:
    """Everything on an opened page that shows a payload ran or could run; empty for an inert page."""
    page, dom = result["page"], result["dom"]
    found = [f"HTTP {result['status']}"] if result["status"] != 200 else []
    found += [f"dialog {d}" for d in result["dialogs"]]
    found += [f"console error {e}" for e in result["consoleErrors"]]
    found += [f"page error {e}" for e in result["pageErrors"]]
    found += [f"request left the site: {url}" for url in result["offsite"]]
    found += [f"request failed: {url}" for url in result["failedRequests"]]
    found += [f"{dom['scripts']} script element(s)"] if dom["scripts"] else []
    found += [f"event handler {h}" for h in dom["handlers"]]
    found += [f"script-capable URL {u}" for u in dom["urls"] if u != SITE_ICON]
    found += [f"meta {m}" for m in dom["metaHttpEquiv"]]
    found += [f"unexpected element <{tag}>" for tag in sorted(set(dom["tags"]) - EXPECTED_TAGS)]
    return [f"{page}: {finding}" for finding in found]


def missing_text(result: dict[str, Any], expected: list[str], title: str) -> list[str]:
    """What should show as text on the page but does not (innerText of the body, and the document title)."""
    page = result["page"]
    missing = [f"{page}: not shown as text: {text!r}" for text in expected if text not in result["text"]]
    if result["title"] != title:
        missing.append(f"{page}: title {result['title']!r}, expected {title!r}")
    return missing


def build_site(repo: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(
        app, ["report", str(repo / "plans"), "--format", "html", "--out", str(out), "--as-of", AS_OF, *extra]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return write_repository(tmp_path_factory.mktemp("xss"))


@pytest.fixture(scope="module")
def site(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xss-site") / "site"
    build_site(repo, out)
    return out


def test_payloads_reach_the_model_intact(repo):
    """The payloads are valid YAML and valid plan data: loaded back exactly as written, with no problem reported."""
    workspace = load_workspace([repo / "plans"])
    assert workspace.problems == []
    assert workspace.config.report.title == SITE_TITLE
    assert [p.plan.title for p in workspace.plans if p.plan] == [field(i, "plan") for i in range(N)]
    for i, plan in enumerate(workspace.plans):
        assert plan.plan is not None
        assert [plan.plan.organisation, plan.plan.source] == [field(i, "organisation"), field(i, "source")]
        assert plan.plan.priorities[0].id == priority_id(i)
        [source] = plan.actions
        action = source.action
        assert action.priority == priority_id(i)
        texts = [action.title, action.what, action.outcome, action.milestones[0].text, action.targets[1].unit]
        assert texts == [field(i, n) for n in ("action", "what", "outcome", "milestone", "other unit")]
        assert action.updates[0].note == field(i, "note") and list(action.updates[0].actuals) == [field(i, "unit")]
        assert workspace.owners[f"owner-{i:02d}"].name == field(i, "owner")


def test_no_payload_runs_on_any_page_and_each_shows_as_text(site):
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    expected = expected_pages()
    # index and owners, and per plan: its page, its action's page and its owner's page; and the owner who is not
    # in the owners list
    assert len(expected) == 2 + 3 * N + 1 == 63
    assert built == sorted(expected)

    for page in built:  # the one <style> element of a page is the print margin, its titles fully escaped
        html = (site / page).read_text(encoding="utf-8")
        margin = PRINT_MARGIN.search(html)
        assert html.count("<style") == 1 and margin, page
        assert bool(margin["plan"]) == page.startswith("plans/"), page  # a plan's and its actions' pages
        assert bool(margin["action"]) == ("/actions/" in page), page
    results = open_pages(site, built, axe=False, parallel=PARALLEL)  # accessibility: test_report_browser.py
    assert [r["page"] for r in results] == built  # every .html file of the site was opened

    titles = expected_titles()
    findings = [finding for r in results for finding in script_findings(r)]
    missing = [text for r in results for text in missing_text(r, expected[r["page"]], titles[r["page"]])]
    assert findings == [], "\n".join(findings)
    assert missing == [], "\n".join(missing)  # so "{{7*7}}" shows as written: it was never evaluated to 49


UNSAFE_PAGE = """<!DOCTYPE html><html lang="en"><head><title>unsafe</title></head><body>
<p>{}</p>
</body></html>
"""


def test_the_checks_catch_a_script_that_runs(tmp_path):
    """A negative control: payloads left unescaped on a hand-written page are reported, so a clean result above
    means something. Each is caught by what the browser saw happen, or by the DOM it was left with."""
    site = tmp_path / "unsafe"
    site.mkdir()
    pages = {
        "img.html": PAYLOADS[1],  # onerror fires: a dialog
        "svg.html": PAYLOADS[2],  # onload fires: a dialog
        "details.html": PAYLOADS[13],  # ontoggle fires after load: a dialog
        "breakout.html": f'<a href="{PAYLOADS[14]}">x</a>',  # out of the attribute; autofocus + onfocus: a dialog
        "style.html": PAYLOADS[15],  # a request to another host (recorded, then aborted)
        "link.html": PAYLOADS[8],  # nothing runs until it is clicked: the DOM check finds it
        "error.html": "<script>console.error('boom'); notAFunction()</script>",
    }
    for name, body in pages.items():
        (site / name).write_text(UNSAFE_PAGE.format(body), encoding="utf-8")
    results = {r["page"]: r for r in open_pages(site, list(pages), axe=False, parallel=PARALLEL)}
    assert results["img.html"]["dialogs"] == ["alert: 1"]
    assert results["svg.html"]["dialogs"] == ["alert: 1"]
    assert results["details.html"]["dialogs"] == ["alert: 1"]
    assert results["breakout.html"]["dialogs"] == ["alert: 1"]
    assert results["breakout.html"]["dom"]["handlers"] == ['<a onmouseover="alert(1)">', '<a onfocus="alert(1)">']
    assert results["style.html"]["offsite"] == ["http://evil.invalid/x.css"]
    assert results["link.html"]["dom"]["urls"] == ['<a href="javascript:alert(1)">']
    assert results["error.html"]["consoleErrors"] == ["boom"]
    assert "notAFunction is not defined" in results["error.html"]["pageErrors"][0]
    for result in results.values():
        assert script_findings(result) != [], result["page"]


def test_the_checks_catch_an_unsafe_template(repo, tmp_path):
    """A negative control on the real site: with one field rendered `| safe` (in a template override, as a user
    could write one), payloads run and the checks above fail."""
    packaged = (Path(__file__).resolve().parent.parent / "templates" / "html" / "action.html.j2").read_text()
    unsafe = packaged.replace("<dd>{{ action.what }}</dd>", "<dd>{{ action.what | safe }}</dd>")
    assert unsafe != packaged
    override = tmp_path / "templates" / "html"
    override.mkdir(parents=True)
    (override / "action.html.j2").write_text(unsafe, encoding="utf-8")
    site = tmp_path / "site"
    build_site(repo, site, "--templates", str(tmp_path / "templates"))
    # the payloads that run on their own: <script>, <img onerror>, <svg onload>, <details ontoggle>
    chosen = (0, 1, 2, 13)
    pages = [f"plans/plan-{i:02d}/actions/{i + 1}.html" for i in chosen]
    results = open_pages(site, pages, axe=False, parallel=PARALLEL)
    expected = expected_pages()
    for result in results:
        assert result["dialogs"] == ["alert: 1"], result["page"]
        assert f"{result['page']}: dialog alert: 1" in script_findings(result)
        missing = missing_text(result, expected[result["page"]], result["title"])
        assert missing == [
            f"{result['page']}: not shown as text: {t!r}" for t in expected[result["page"]] if "(what " in t
        ]


def test_fields_rendered_nowhere_are_really_not_rendered(site):
    """Contacts, aliases, priority descriptions, update authors and lint reasons appear on no page (were one added
    to a template, the test above would have to expect it)."""
    unrendered = re.compile(r"\((?:contact|alias|description|by|lint reason) \d+\)")
    for page in site.rglob("*.html"):
        assert not unrendered.search(page.read_text(encoding="utf-8")), page
