"""status, show and owners on the bundled plans, and rendering in a real terminal (a pty) at 80 and 200 columns."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import termios

import pytest
from typer.testing import CliRunner

from actiontrack.cli import app

from .conftest import BUNDLED_PLANS, REPO, assert_same_output, runs_under_each_seed
from .test_cli import installed_script

HW, HI = "health-wellbeing-2022-23", "health-inequalities-2021-23"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def cli(*args: str, width: int = 100):
    result = CliRunner().invoke(app, [*args], env={"COLUMNS": str(width), "NO_COLOR": None, "FORCE_COLOR": None})
    assert "Traceback" not in result.output
    return result


def status_json(*args: str) -> dict:
    result = cli("status", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_counts_checked_by_hand():
    # By hand from the seeds on 2023-06-30: every H&W action is due "2022/23" (2023-03-31) except 1.a ("2022/24");
    # every H&I action is due before 2023-06-30 except 6 ("September 2023"). Nothing has a status or an update.
    summary = {p["plan"]: p for p in status_json()["summary"]["plans"]}
    hw, hi = summary[HW], summary[HI]
    assert (hw["total"], hw["by_state"], hw["percent_complete"]) == (25, {"overdue": 24, "not-reported": 1}, 0)
    assert (hi["total"], hi["by_state"], hi["percent_complete"]) == (19, {"overdue": 18, "not-reported": 1}, 0)
    assert hw["by_rag"] == hi["by_rag"] | {"none": 25} == {"red": 0, "amber": 0, "green": 0, "none": 25}
    assert (hw["stale"], hi["stale"]) == (25, 19)
    priorities = {p["id"]: (p["total"], p["by_state"].get("overdue", 0)) for p in hw["priorities"]}
    assert priorities == {"1": (5, 4), "2": (4, 4), "3": (3, 3), "4": (3, 3), "5": (4, 4), "6": (6, 6)}
    assert [(p["id"], p["title"], p["total"]) for p in hi["priorities"]] == [(None, "No priority", 19)]


def ids(payload: dict) -> list[tuple[str, str]]:
    return [(a["plan"], a["id"]) for a in payload["actions"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--owner", "joel-matthews"), [(HI, "4"), (HI, "8"), (HI, "9")]),
        (("--priority", "1"), [(HW, i) for i in ("1.a", "1.b", "1.c", "1.d", "1.e")]),
        (("--priority", "1", "--state", "overdue"), [(HW, i) for i in ("1.b", "1.c", "1.d", "1.e")]),
        (("--state", "not-reported"), [(HI, "6"), (HW, "1.a")]),
        (("--due-before", "2022-01-01"), [(HI, "1"), (HI, "4")]),
        (("--plan", HI, "--owner", "hwbb-education-subgroup"), [(HI, "3"), (HI, "5")]),
        (("--owner", "regulatory-services", "--priority", "6"), [(HW, "6.f")]),
        (("--state", "complete"), []),
    ],
)
def test_filters_combine(args, expected):
    payload = status_json(*args)
    assert ids(payload) == expected
    assert sorted((n["plan"], n["id"]) for n in payload["needs_attention"]) == sorted(expected)


def test_json_is_byte_identical_between_uncached_runs_under_different_hash_seeds(tmp_path):
    """Separate processes, the cache off, PYTHONHASHSEED 1, 2 and random: one JSON document, byte for byte, and the
    one the in-process run prints."""
    runs = runs_under_each_seed(["status", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--json"], tmp_path)
    stdout = assert_same_output(runs)
    assert runs["1"].returncode == 0
    payload = json.loads(stdout)
    assert len(payload["actions"]) == 44 and payload["needs_attention"]
    assert payload == status_json()


def test_state_overdue_selects_42():
    assert len(status_json("--state", "overdue")["actions"]) == 42


def test_needs_attention_most_urgent_first():
    attention = status_json("--plan", HI)["needs_attention"]
    assert [a["id"] for a in attention[:3]] == ["4", "1", "2"]  # May 2021, Oct 2021, then March 2022 in id order
    assert attention[-1] == {"plan": HI, "id": "6", "reasons": ["stale"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--owner", "joel-mathews"), 'no owner "joel-mathews"; did you mean "joel-matthews"?'),
        (("--plan", "nope"), 'no plan "nope"'),
        (("--state", "late"), "Invalid value"),
        (("--due-before", "tomorrow"), '"tomorrow" is not a date'),
    ],
)
def test_bad_filters_are_usage_errors(args, message):
    result = cli("status", str(BUNDLED_PLANS), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_status_text_at_80_columns():
    out = cli("status", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--all", width=80).stdout
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "25 actions · 0% complete · 24 overdue, 1 not reported" in out
    assert "19 actions · 0% complete · 18 overdue, 1 not reported" in out
    assert "Needs attention (25), most urgent first" in out and "Priority 6 – Physical Activity" in out
    # ids are never cut: every id of both plans (44 actions) appears whole at the start of a table cell
    ids = [a["id"] for a in status_json()["actions"]]
    assert len(ids) == 44
    for action_id in ids:
        assert re.search(rf"│ {re.escape(action_id)}\s+│", out), action_id
    assert "\x1b[" not in out


def test_show_seed_action_at_fixed_width():
    result = cli("show", "6.d", str(BUNDLED_PLANS), "--as-of", "2023-06-30", width=100)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("6.d  Increase the health and wellbeing offer at Leisure Centres")
    assert "Overdue  –  as of 2023-06-30" in lines
    text = "\n".join(lines)
    assert "Owners           Everyone Active (partner); Health & Wellbeing Team (team)" in text
    assert "Due              2022/23 → 2023-03-31 (91 days ago)" in text
    assert "  [ ] Completion of Leisure Procurement Strategy October 2022 — due October 2022 (2022-10-31)" in text
    assert "Updates (0), newest first" in text


def test_show_unknown_owner_and_ambiguity(make_repo):
    out = cli("show", "6", str(BUNDLED_PLANS), "--as-of", "2023-06-30").stdout
    assert "hwbb-education-sub-group (not in owners.yaml)" in out
    repo = make_repo(
        {"plans/other/plan.yaml": "title: Other\n", "plans/other/actions/1.a-x.yaml": 'id: "1.a"\ntitle: X\n'}
    )
    os.chdir(repo)
    try:
        ambiguous = cli("show", "1.a")
        assert ambiguous.exit_code == 2 and "in several plans (other, test-plan)" in ambiguous.output
        assert cli("show", "1.a", "--plan", "other").exit_code == 0
        assert cli("show", "9.z").exit_code == 1
    finally:
        os.chdir(REPO)


def test_show_targets_and_updates_newest_first(make_repo):
    action = (
        'id: "1.a"\npriority: "1"\ntitle: Volunteers\nowners: [planning-policy]\ndue: "2022/23"\nstatus: in-progress\n'
        "targets:\n  - text: 10 x volunteers\n"
        'updates:\n  - period: "2022/23 Q1"\n    rag: green\n    note: Started well.\n    actuals: {volunteers: 3}\n'
        '  - period: "2022/23 Q2"\n    rag: amber\n    note: Two dropped out.\n    actuals: {volunteers: 7}\n'
    )
    repo = make_repo({"plans/test-plan/actions/1.a-promote.yaml": action})
    os.chdir(repo)
    try:
        out = cli("show", "1.a", "--as-of", "2022-10-05", width=100).stdout
        detail = json.loads(cli("show", "1.a", "--as-of", "2022-10-05", "--json").stdout)
    finally:
        os.chdir(REPO)
    assert "██████████████░░░░░░ 7 of 10 volunteers (2022/23 Q2)" in out
    assert out.index("2022/23 Q2") < out.index("2022/23 Q1")  # newest first
    assert out.index("Two dropped out.") < out.index("Started well.")
    assert [u["period"] for u in detail["updates"]] == ["2022/23 Q2", "2022/23 Q1"]
    assert (detail["targets"][0]["actual"], detail["targets"][0]["progress"], detail["targets"][0]["met"]) == (
        7,
        0.7,
        False,
    )
    assert detail["owners"] == [
        {"id": "planning-policy", "name": "Planning Policy", "kind": "team", "registered": True}
    ]
    assert (detail["state"], detail["rag"]) == ("at-risk", "amber")


def test_owners_workload():
    payload = json.loads(cli("owners", str(BUNDLED_PLANS), "--as-of", "2023-06-30", "--json").stdout)
    rows = {r["id"]: r for r in payload["owners"]}
    assert payload["owners"][0]["id"] == "health-wellbeing"  # busiest first
    assert {k: rows["health-wellbeing"][k] for k in ("total", "open", "overdue", "stale")} == {
        "total": 11,
        "open": 11,
        "overdue": 11,
        "stale": 11,
    }
    assert (rows["joel-matthews"]["overdue"], rows["joel-matthews"]["kind"]) == (3, "person")
    assert rows["planning-policy"]["overdue"] == 2 and rows["planning-policy"]["open"] == 3  # 1.a is not yet due
    assert rows["hwbb-education-sub-group"]["registered"] is False
    assert len(rows) == 24  # 23 registered + the unregistered spelling
    text = cli("owners", str(BUNDLED_PLANS), "--as-of", "2023-06-30", width=100).stdout
    assert "HWBB Education Subgroup" in text and "hwbb-education-sub-group (not in owners.yaml)" in text


def run_in_pty(args: list[str], columns: int, rows: int = 50) -> tuple[int, str]:
    """Run the installed script in a pseudo-terminal of the given size; return its exit code and screen output."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(args, stdin=secondary, stdout=secondary, stderr=secondary, cwd=REPO, env=env)
    os.close(secondary)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            process.kill()
            raise AssertionError("no output for 30 s")
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=30), b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", [["status", "--all"], ["show", "6.d"], ["owners"]])
def test_coloured_terminal_rendering(columns, command):
    code, screen = run_in_pty([installed_script(), *command, "--as-of", "2023-06-30"], columns)
    assert code == 0, screen
    assert "Traceback" not in screen
    assert re.search(r"\x1b\[[0-9;]*3[1-7]m", screen), "expected colour on a terminal"
    plain = ANSI.sub("", screen).replace("\r\n", "\n")
    widths = [len(line) for line in plain.splitlines()]
    assert max(widths) <= columns
    if command[0] == "status":
        assert max(widths) > columns - 5  # tables use the width they are given
        assert "Needs attention" in plain


def big_repo(root, count: int):
    """A repository of `count` seed-shaped actions (copies of the bundled ones, renumbered)."""
    import shutil

    plans = root / "plans"
    (plans / "big" / "actions").mkdir(parents=True)
    shutil.copy(BUNDLED_PLANS / "owners.yaml", plans / "owners.yaml")
    shutil.copy(BUNDLED_PLANS / HW / "plan.yaml", plans / "big" / "plan.yaml")
    templates = sorted((BUNDLED_PLANS / HW / "actions").glob("*.yaml"))
    for index in range(count):
        template = templates[index % len(templates)]
        old_id = template.name.split("-", 1)[0]
        text = template.read_text().replace(f'id: "{old_id}"', f'id: "{old_id}{index}"', 1)
        (plans / "big" / "actions" / f"{old_id}{index}-x.yaml").write_text(text)
    return root


def test_long_reads_show_progress_on_a_terminal_only(tmp_path):
    repo = big_repo(tmp_path, 320)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
    code, screen = run_in_pty([installed_script(), "validate", str(repo / "plans")], 100)
    assert code == 0 and "320 actions in 1 plan: all valid" in screen
    assert "Reading plans" in screen
    piped = subprocess.run(
        [installed_script(), "validate", str(repo / "plans")], capture_output=True, text=True, env=env, check=False
    )
    assert piped.returncode == 0 and "Reading plans" not in piped.stdout + piped.stderr
    small_code, small = run_in_pty([installed_script(), "validate"], 100)
    assert small_code == 0 and "Reading plans" not in small  # 44 files: no bar


def test_brackets_in_user_text_are_shown_not_parsed(make_repo):
    repo = make_repo(
        {
            "plans/test-plan/plan.yaml": 'title: T [draft]\nperiod: "2022/23"\n'
            'priorities:\n  - id: "1"\n    title: Housing [/x]\n',
            "plans/test-plan/actions/1.a-promote.yaml": 'id: "1.a"\npriority: "1"\ntitle: Review [draft] policy\n'
            'what: "See [appendix a] and [/red]"\nowners: [planning-policy]\ndue: "2022/23"\n',
        }
    )
    os.chdir(repo)
    try:
        status = cli("status", "--as-of", "2023-06-30", "--all", width=120)
        show = cli("show", "1.a", "--as-of", "2023-06-30", width=120)
    finally:
        os.chdir(REPO)
    assert status.exit_code == 0 and show.exit_code == 0, status.output + show.output
    assert "Review [draft] policy" in status.stdout and "1 Housing [/x]" in status.stdout
    assert "See [appendix a] and [/red]" in show.stdout


def _many_plans(make_repo, plans: int, actions: int):
    """`plans` plans of `actions` overdue actions each (as of 2024-05-01)."""
    from actiontrack.rules.examples import PLAN

    files = {}
    for p in range(plans):
        files[f"plans/area-{p:02d}/plan.yaml"] = PLAN
        for a in range(actions):
            files[f"plans/area-{p:02d}/actions/1.{a + 1}-x.yaml"] = (
                f'id: "1.{a + 1}"\npriority: "1"\ntitle: Action {p}-{a}\nowners: [planning-policy]\ndue: "2022/23"\n'
            )
    return make_repo(files, base=True)


def test_many_plans_get_one_overview_and_nothing_is_dropped_silently(make_repo, monkeypatch):
    """From 10 plans, status shows a row per plan and the most urgent actions across them, the first 50, saying
    how many more there are and how to see them; --all gives every plan in full."""
    monkeypatch.chdir(_many_plans(make_repo, 11, 6))
    result = CliRunner().invoke(app, ["status", "--as-of", "2024-05-01"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("12 plans")  # the 11 areas and the base test plan
    assert all(f"area-{p:02d}" in text for p in range(11))
    assert "Needs attention (67), most urgent first: the first 50" in text
    assert "… and 17 more: use --plan SLUG, --owner or --state to narrow it, or --json for every one" in text
    assert sum(1 for line in text.splitlines() if re.match(r"│ 1\.\d+ ", line)) == 50
    full = CliRunner().invoke(app, ["status", "--as-of", "2024-05-01", "--all"], env={"COLUMNS": "120"})
    assert full.stdout.count("Needs attention (6), most urgent first") == 11 and "more:" not in full.stdout
    one = CliRunner().invoke(app, ["status", "--as-of", "2024-05-01", "--plan", "area-03"], env={"COLUMNS": "120"})
    assert "Needs attention (6), most urgent first" in one.stdout and "12 plans" not in one.stdout


def test_a_long_attention_list_in_one_plan_is_cut_at_50_and_counted(make_repo, monkeypatch):
    monkeypatch.chdir(_many_plans(make_repo, 1, 55))
    result = CliRunner().invoke(app, ["status", "--as-of", "2024-05-01", "--plan", "area-00"], env={"COLUMNS": "120"})
    assert "Needs attention (55), most urgent first: the first 50" in result.stdout
    assert "… and 5 more: use --state or --owner to narrow it, or --json for every one" in result.stdout
    data = json.loads(CliRunner().invoke(app, ["status", "--as-of", "2024-05-01", "--json"]).stdout)
    assert len(data["actions"]) == 56  # the JSON lists every one
