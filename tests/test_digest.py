"""`actiontrack digest`: what each owner must do now, with the exact command for each thing; the same list on the
owner's page of the site, whose pages link their calendar feeds; and the reminders workflow of `init --reminders`,
whose shell is run for real against a fixture repository with a fake `gh` that records what it would post."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import icalendar
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from actiontrack.cli import app
from actiontrack.derive import derive
from actiontrack.digest import digest
from actiontrack.load import load_workspace
from actiontrack.report import build
from actiontrack.views.digest import digest_markdown, md_escape

from .conftest import BUNDLED_PLANS, REPO
from .gitbuild import write

BIN = Path(sys.executable).parent
REMINDERS = REPO / "templates" / "init" / ".github" / "workflows" / "reminders.yml"
FIXTURES = REPO / "tests" / "fixtures" / "calendars"  # README.md there: the public documents these follow


def run(*args: str, cwd: Path | None = None):
    if cwd is not None:
        old = Path.cwd()
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        if cwd is not None:
            os.chdir(old)
    assert "Traceback" not in result.output, result.output
    return result


# ---- a fixture repository: four owners, each with something different to do on 2022-07-20 ----------------------

AS_OF = "2022-07-20"  # 2022/23 Q1 ended on 30 June; its updates were due on 14 July
OWNERS = """\
owners:
  - id: housing
    name: Housing Team
    kind: team
    github: alice-housing
  - id: planning
    name: Planning Policy
    kind: team
    github: bob-planner
  - id: leisure
    name: Leisure & Culture
    kind: team
  - id: parks
    name: Parks Service
    kind: team
  - id: voluntary
    name: Voluntary Action
    kind: partner
"""
PLAN = """\
title: Wellbeing Plan 2022/23
period: "2022/23"
reporting: quarterly
priorities:
  - id: "1"
    title: Homes
  - id: "2"
    title: Active lives
"""
FILES = {
    "plans/owners.yaml": OWNERS,
    "plans/wellbeing/plan.yaml": PLAN,
    "plans/wellbeing/actions/1.a-homes.yaml": 'id: "1.a"\npriority: "1"\ntitle: Build *homes* <b>now</b>\n'
    'owners: [housing]\npartners: [voluntary]\ndue: "June 2022"\n',
    "plans/wellbeing/actions/1.b-advice.yaml": 'id: "1.b"\npriority: "1"\ntitle: Housing advice line\n'
    'owners: [planning]\ndue: "March 2023"\n',
    "plans/wellbeing/actions/1.c-survey.yaml": 'id: "1.c"\npriority: "1"\ntitle: Stock condition survey\n'
    'owners: [housing]\ndue: "2022-08-10"\nupdates:\n  - period: "2022/23 Q1"\n    rag: green\n',
    "plans/wellbeing/actions/2.a-pools.yaml": 'id: "2.a"\npriority: "2"\ntitle: Reopen the pools\nowners: [leisure]\n'
    'due: "March 2023"\nmilestones:\n  - text: Tender the works\n    due: "2022-08-05"\n'
    'updates:\n  - period: "2022/23 Q1"\n    rag: amber\n    note: Contractor delayed; new date agreed.\n',
    "plans/wellbeing/actions/2.b-parks.yaml": 'id: "2.b"\npriority: "2"\ntitle: Park benches\nowners: [parks]\n'
    'due: "March 2023"\nstatus: complete\n',
}


@pytest.fixture
def council(tmp_path) -> Path:
    return write(tmp_path / "council", FILES)


def test_an_owners_digest_in_text_says_what_to_do_with_the_exact_commands(council):
    result = run("digest", "--owner", "housing", "--as-of", AS_OF, cwd=council)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("3 things for Housing Team to do, as of 2022-07-20.\n")
    assert "Updates missing for the period just ended (1)" in text
    assert "no update for 2022/23 Q1, which ended on 2022-06-30; it was due on 2022-07-14" in text
    assert '$ actiontrack update 1.a --plan wellbeing --period "2022/23 Q1" --rag green --note "..."' in text
    assert "Overdue actions (1)" in text and 'was due "June 2022" (2022-06-30), 20 days ago' in text
    assert '$ actiontrack update 1.a --plan wellbeing --period "2022/23 Q2" --status complete --note "..."' in text
    assert "Actions due soon (within 30 days) (1)" in text and 'due "2022-08-10" (2022-08-10), in 21 days' in text
    assert "file: plans/wellbeing/actions/1.a-homes.yaml (due: the new deadline, once agreed)" in text
    # sections in order of urgency
    assert text.index("Updates missing") < text.index("Overdue actions") < text.index("Actions due soon")


def test_every_command_a_digest_gives_works(council):
    """Each command, run as written (shell quoting and all) with --dry-run, is accepted by `actiontrack update`."""
    commands = []
    for owner in ("housing", "planning", "leisure"):
        found = digest(derive(load_workspace([council / "plans"]), date(2022, 7, 20)), owner)
        commands += [item.command for item in found.items if item.command]
    assert len(commands) == 5
    for command in commands:
        args = shlex.split(command)
        assert args[:2] == ["actiontrack", "update"]
        result = run(*args[1:], "--dry-run", "--as-of", AS_OF, cwd=council)
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.startswith("--- a/plans/wellbeing/actions/")


def test_after_the_plan_has_ended_the_commands_record_its_last_period(tmp_path):
    """The bundled 2022/23 plan has ended on 2023-06-30: `update` refuses 2023/24 Q1, so a digest never offers it."""
    plans = shutil.copytree(BUNDLED_PLANS, tmp_path / "plans")
    found = digest(derive(load_workspace([plans]), date(2023, 6, 30)), "regulatory-services")
    commands = [item.command for item in found.items if item.command]
    assert len(commands) == 8 and not any("2023/24" in c for c in commands)
    assert 'actiontrack update 1.b --plan health-wellbeing-2022-23 --period "2022/23 Q4" --status complete' in " ".join(
        commands
    )
    for command in commands:
        result = run(*shlex.split(command)[1:], str(plans), "--dry-run", "--as-of", "2023-06-30")
        assert result.exit_code == 0, (command, result.output)


def test_red_amber_and_milestones_due_soon(council):
    result = run("digest", "--owner", "leisure", "--as-of", AS_OF, "--format", "json", cwd=council)
    record = json.loads(result.stdout)
    assert record["outstanding"] == 2 and record["name"] == "Leisure & Culture" and record["github"] is None
    sections = {s["kind"]: s["items"] for s in record["sections"]}
    assert list(sections) == ["red-amber", "milestone-due-soon"]
    [amber] = sections["red-amber"]
    assert amber["text"].startswith("rated amber for 2022/23 Q1: Contractor delayed; new date agreed.")
    # an update for this period exists already: the command replaces it
    assert amber["command"] == (
        'actiontrack update 2.a --plan wellbeing --period "2022/23 Q2" --rag amber --note "..."'
    )
    [step] = sections["milestone-due-soon"]
    assert step["text"] == 'milestone "Tender the works" is due 2022-08-05, in 16 days' and step["command"] is None
    assert step["edit"] == "done: true under the milestone when it is done"
    assert step["path"] == "plans/wellbeing/actions/2.a-pools.yaml"


def test_nothing_outstanding_and_unknown_owners(council):
    assert run("digest", "--owner", "parks", "--as-of", AS_OF, cwd=council).stdout == (
        "Nothing is outstanding for Parks Service on 2022-07-20.\n"
    )
    wrong = run("digest", "--owner", "housng", "--as-of", AS_OF, cwd=council)
    assert wrong.exit_code == 2 and '--owner: no owner "housng"; did you mean "housing"?' in wrong.stderr
    for args in ([], ["--owner", "housing", "--all"], ["--all"], ["--owner", "housing", "--out", "x"]):
        assert run("digest", *args, cwd=council).exit_code == 2, args


def test_markdown_escapes_what_the_plans_say(council):
    body = run("digest", "--owner", "housing", "--as-of", AS_OF, "--format", "md", cwd=council).stdout
    assert body.startswith("<!-- actiontrack-digest: housing -->\n## Plan updates due: Housing Team\n")
    assert r"**1.a** Build \*homes\* \<b\>now\</b\> (Wellbeing Plan 2022/23)" in body
    assert "<b>" not in body
    assert '  actiontrack update 1.a --plan wellbeing --period "2022/23 Q1" --rag green --note "..."\n' in body
    assert md_escape("a | b\n# c [x](y) & `z`") == r"a \| b # c \[x\](y) \& \`z\`"


def test_all_writes_one_file_per_owner_and_an_index(council, tmp_path):
    out = tmp_path / "digests"
    result = run("digest", "--all", "--format", "md", "--out", str(out), "--as-of", AS_OF, "--json", cwd=council)
    assert result.exit_code == 0, result.output
    assert "wrote 5 digests" in result.stderr and "(3 with something outstanding)" in result.stderr
    index = json.loads(result.stdout)
    assert [o["owner"] for o in index["owners"]] == ["housing", "planning", "leisure", "parks", "voluntary"]
    assert [o["outstanding"] for o in index["owners"]] == [3, 1, 2, 0, 0]
    assert index == json.loads((out / "index.json").read_text())
    housing = index["owners"][0]
    assert housing == {
        "owner": "housing",
        "name": "Housing Team",
        "github": "alice-housing",
        "outstanding": 3,
        "issue_title": "Plan updates due: Housing Team",
        "marker": "<!-- actiontrack-digest: housing -->",
        "file": f"{out.as_posix()}/housing.md",
    }
    rows = [line.split("\t") for line in (out / "index.tsv").read_text().splitlines()]
    assert rows[0] == [
        "housing",
        "alice-housing",
        "3",
        f"{out.as_posix()}/housing.md",
        "Plan updates due: Housing Team",
    ]
    assert rows[2][:3] == ["leisure", "-", "2"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["index.json", "index.tsv", *(f"{o}.md" for o in ("housing", "planning", "leisure", "parks", "voluntary"))]
    )
    single = run("digest", "--owner", "housing", "--format", "md", "--as-of", AS_OF, cwd=council).stdout
    assert (out / "housing.md").read_text() == single


# ---- the site: feeds, links, the owner's list -----------------------------------------------------------------


def test_the_site_carries_its_feeds_and_links_them_from_their_pages(tmp_path):
    site = tmp_path / "site"
    written = build(derive(load_workspace([BUNDLED_PLANS]), date(2023, 6, 30)), "html", site)
    feeds = [name for name in written if name.endswith(".ics")]
    slugs = ["health-inequalities-2021-23", "health-wellbeing-2022-23"]
    assert "calendar.ics" in feeds and all(f"plans/{s}/calendar.ics" in feeds for s in slugs)
    owner_pages = [name for name in written if name.startswith("owners/") and name.endswith(".html")]
    assert sorted(feeds) == sorted(
        ["calendar.ics", *(f"plans/{s}/calendar.ics" for s in slugs)]
        + [p.replace(".html", ".ics") for p in owner_pages]
    )
    for name in feeds:  # each reads back, with its events and its name
        parsed = icalendar.Calendar.from_ical((site / name).read_bytes())
        assert parsed.walk("VEVENT") and str(parsed["X-WR-CALNAME"])
    everything = icalendar.Calendar.from_ical((site / "calendar.ics").read_bytes())
    assert len(everything.walk("VEVENT")) == 61
    pages = {
        "index.html": 'href="calendar.ics"',
        "plans/health-wellbeing-2022-23/index.html": 'href="calendar.ics"',
        "owners/regulatory-services.html": 'href="regulatory-services.ics"',
    }
    for page, link in pages.items():
        html = (site / page).read_text(encoding="utf-8")
        assert link in html, page
        assert "Add calendar › Subscribe from web" in html and "Other calendars › + › From URL" in html
    owner = (site / "owners" / "regulatory-services.html").read_text(encoding="utf-8")
    found = digest(derive(load_workspace([BUNDLED_PLANS]), date(2023, 6, 30)), "regulatory-services")
    assert f"To do now ({found.outstanding})" in owner and found.outstanding == 8
    assert (
        "<code>actiontrack update 1.c --plan health-wellbeing-2022-23 --period &#34;2022/23 Q4&#34; --rag green "
        "--note &#34;...&#34;</code>" in owner
    )
    assert 'href="../plans/health-wellbeing-2022-23/actions/1.c.html"' in owner


def test_with_a_site_url_the_page_gives_the_address_to_subscribe_to(council, tmp_path):
    (council / "actiontrack.yaml").write_text("report:\n  site_url: https://council.github.io/plans/\n")
    result = run("report", "--out", str(tmp_path / "site"), "--as-of", AS_OF, cwd=council)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "site" / "owners" / "housing.html").read_text(encoding="utf-8")
    assert "<code>https://council.github.io/plans/owners/housing.ics</code>" in page
    assert 'href="webcal://council.github.io/plans/owners/housing.ics"' in page
    feed = icalendar.Calendar.from_ical((tmp_path / "site" / "owners" / "housing.ics").read_bytes())
    assert str(feed["URL"]) == "https://council.github.io/plans/owners/housing.ics"


# ---- the reminders workflow, run with a fake gh -----------------------------------------------------------------

FAKE_GH = '''\
#!{python}
"""A stand-in for the GitHub CLI: it records every call, keeps the issues in a JSON file, and answers as gh does
(--jq is evaluated by the jq library). A username outside "assignable" cannot be assigned, as on GitHub."""
import json, os, sys

path = os.environ["FAKE_GH_STATE"]
with open(path) as handle:
    state = json.load(handle)
args = sys.argv[1:]
state["calls"].append(args)


def opt(name):
    return args[args.index(name) + 1] if name in args else None


def done(code=0):
    with open(path, "w") as handle:
        json.dump(state, handle, indent=1)
    sys.exit(code)


def issue(number):
    return next(i for i in state["issues"] if i["number"] == int(number))


if args[:2] == ["label", "create"]:
    state["labels"].append(args[2])
    done()
if args[:2] == ["issue", "list"]:
    fields = opt("--json").split(",")
    found = [
        {{key: i[key] for key in fields}}
        for i in state["issues"]
        if opt("--label") in i["labels"] and i["state"] == opt("--state").upper()
    ]
    if opt("--jq"):
        import jq

        for value in jq.compile(opt("--jq")).input_value(found).all():
            print(value if isinstance(value, (str, int)) else json.dumps(value))
    else:
        print(json.dumps(found))
    done()
if args[:2] == ["issue", "create"]:
    assignee = opt("--assignee")
    if assignee is not None and assignee not in state["assignable"]:
        print(f"could not assign user: '{{assignee}}' not found", file=sys.stderr)
        done(1)
    number = max([i["number"] for i in state["issues"]], default=0) + 1
    with open(opt("--body-file")) as handle:
        body = handle.read()
    state["issues"].append(
        {{"number": number, "title": opt("--title"), "body": body, "labels": [opt("--label")], "state": "OPEN",
         "assignees": [assignee] if assignee else []}}
    )
    print(f"https://github.com/council/plans/issues/{{number}}")
    done()
if args[:2] == ["issue", "edit"]:
    found = issue(args[2])
    found["title"] = opt("--title")
    with open(opt("--body-file")) as handle:
        found["body"] = handle.read()
    done()
if args[:2] == ["issue", "close"]:
    found = issue(args[2])
    found["state"] = "CLOSED"
    found["comment"] = opt("--comment")
    done()
print("fake gh: unexpected call", args, file=sys.stderr)
done(2)
'''


def workflow_steps() -> dict[str, dict]:
    workflow = YAML(typ="safe").load(REMINDERS.read_text())
    return {step.get("name", step.get("uses")): step for step in workflow["jobs"]["remind"]["steps"]}


def test_the_reminders_workflow_is_scheduled_and_may_write_issues():
    workflow = YAML(typ="safe").load(REMINDERS.read_text())
    assert workflow["on"]["schedule"] == [{"cron": "0 7 1,15 1,4,7,10 *"}] and "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read", "issues": "write"}
    step = workflow_steps()["Open, update or close one issue per owner"]
    assert step["env"] == {"GH_TOKEN": "${{ github.token }}", "GH_REPO": "${{ github.repository }}"}


def test_init_adds_the_reminders_workflow_only_when_asked(tmp_path):
    assert run("init", str(tmp_path / "plain"), "--as-of", "2026-05-01").exit_code == 0
    assert not (tmp_path / "plain" / ".github" / "workflows" / "reminders.yml").exists()
    assert run("init", str(tmp_path / "r"), "--reminders", "--as-of", "2026-05-01").exit_code == 0
    written = tmp_path / "r" / ".github" / "workflows" / "reminders.yml"
    assert written.read_text() == REMINDERS.read_text()
    refused = run("init", str(tmp_path / "g"), "--reminders", "--ci", "gitlab")
    assert refused.exit_code == 2 and "--reminders: the reminders workflow is for GitHub" in refused.stderr
    assert not (tmp_path / "g").exists()


def run_step(step: dict, cwd: Path, path: str, state: Path) -> subprocess.CompletedProcess[str]:
    """A `run:` step as GitHub runs it on Linux (bash -e, its env with the expressions filled in)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "GH_"))}
    env.update({"PATH": path, "FAKE_GH_STATE": str(state), "NO_COLOR": "1"})
    env.update({key: "filled-in-by-github" for key in step.get("env", {})})
    script = cwd / ".step.sh"
    script.write_text(step["run"])
    return subprocess.run(["bash", "-e", str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_reminders_workflow_opens_updates_and_closes_one_issue_per_owner(council, tmp_path):
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "gh").write_text(FAKE_GH.format(python=sys.executable))
    # the workflow runs on the day it runs; the fixture's day is fixed here
    (fake / "actiontrack").write_text(f'#!/bin/sh\nexec "{BIN / "actiontrack"}" "$@" --as-of {AS_OF}\n')
    for name in ("gh", "actiontrack"):
        (fake / name).chmod((fake / name).stat().st_mode | stat.S_IEXEC)
    marker = "<!-- actiontrack-digest: {} -->"
    state = tmp_path / "gh.json"
    state.write_text(
        json.dumps(
            {
                "calls": [],
                "labels": [],
                "assignable": ["alice-housing"],
                "issues": [  # from earlier runs: leisure's is updated, parks' closed; an unrelated one left alone
                    {
                        "number": 1,
                        "title": "Old",
                        "body": marker.format("leisure") + "\nold",
                        "labels": ["plan-update-reminder"],
                        "state": "OPEN",
                        "assignees": [],
                    },
                    {
                        "number": 2,
                        "title": "Parks",
                        "body": marker.format("parks") + "\nold",
                        "labels": ["plan-update-reminder"],
                        "state": "OPEN",
                        "assignees": [],
                    },
                    {
                        "number": 3,
                        "title": "Bug",
                        "body": marker.format("housing"),
                        "labels": ["bug"],
                        "state": "OPEN",
                        "assignees": [],
                    },
                ],
            }
        )
    )
    path = f"{fake}{os.pathsep}{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    steps = workflow_steps()
    digest_step = run_step(steps["Write each owner's digest"], council, path, state)
    assert digest_step.returncode == 0, digest_step.stderr
    issues_step = run_step(steps["Open, update or close one issue per owner"], council, path, state)
    assert issues_step.returncode == 0, issues_step.stdout + issues_step.stderr
    assert issues_step.stdout.splitlines() == [
        "https://github.com/council/plans/issues/4",
        "opened an issue for housing, assigned to alice-housing",
        "https://github.com/council/plans/issues/5",
        "opened an issue for planning",
        "updated #1 for leisure (2 outstanding)",
        "closed #2 for parks",
    ]
    assert "could not assign user: 'bob-planner'" in issues_step.stderr  # then opened unassigned
    recorded = json.loads(state.read_text())
    issues = {i["number"]: i for i in recorded["issues"]}
    assert recorded["labels"] == ["plan-update-reminder"]
    workspace = load_workspace([council / "plans"])
    snapshot = derive(workspace, date(2022, 7, 20))
    expected = {4: "housing", 5: "planning", 1: "leisure"}
    for number, owner in expected.items():
        assert issues[number]["state"] == "OPEN"
        assert issues[number]["body"] == digest_markdown(digest(snapshot, owner)), owner
    assert issues[4]["title"] == "Plan updates due: Housing Team" and issues[4]["assignees"] == ["alice-housing"]
    assert issues[5]["title"] == "Plan updates due: Planning Policy" and issues[5]["assignees"] == []
    assert issues[1]["title"] == "Plan updates due: Leisure & Culture"
    assert (
        issues[2]["state"] == "CLOSED" and issues[2]["comment"] == "Nothing is outstanding for parks any more: closing."
    )
    assert issues[3]["state"] == "OPEN" and issues[3]["title"] == "Bug"  # not a reminder: never touched
    # the bodies say what to do, with the exact commands
    assert issues[5]["body"] == (FIXTURES / "planning-issue.md").read_text(encoding="utf-8")
    # a second run finds the issues it opened: nothing new is opened
    again = run_step(steps["Open, update or close one issue per owner"], council, path, state)
    assert again.returncode == 0 and "opened" not in again.stdout
    assert len(json.loads(state.read_text())["issues"]) == 5


def test_shellcheck_and_actionlint_find_nothing_in_the_reminders_workflow(tmp_path):
    """Also in tests/test_ci_files.py with every workflow; here on its own, so a failure names it."""
    folder = tmp_path / "repo"
    (folder / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    shutil.copy(REMINDERS, folder / ".github" / "workflows" / "reminders.yml")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(BIN / "actionlint"), "-oneline"], cwd=folder, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = (folder / ".github" / "workflows" / "reminders.yml").read_text().replace('"$outstanding"', "$outstanding")
    (folder / ".github" / "workflows" / "reminders.yml").write_text(broken)
    found = subprocess.run([str(BIN / "actionlint"), "-oneline"], cwd=folder, capture_output=True, text=True, env=env)
    assert found.returncode == 1 and "SC2086" in found.stdout  # shellcheck does read the script


def test_the_readme_section_shows_real_output_and_real_options():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Calendars and reminders\n", 1)[1].split("\n## ", 1)[0]
    assert "Add calendar > Subscribe from web" in section and "Other calendars > + > From URL" in section
    commands = re.findall(r"^actiontrack (?:calendar|digest)\b[^#\n]*", section, re.M)
    assert len(commands) >= 3
    for command in commands:
        result = run(*shlex.split(command)[1:], "--help")
        assert result.exit_code == 0, (command, result.output)
    example = section.split("$ actiontrack digest --owner regulatory-services --as-of 2023-06-30\n", 1)[1]
    shown = [line for line in example.split("```", 1)[0].splitlines() if line != "..."]
    output = run("digest", str(BUNDLED_PLANS), "--owner", "regulatory-services", "--as-of", "2023-06-30").stdout
    assert len(shown) >= 10 and all(line in output.splitlines() for line in shown)
